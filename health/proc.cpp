// Parsers of pidfiles and /proc/PID files (proc(5)).
#include "health/proc.hpp"

#include <charconv>

#include <fmt/format.h>

namespace vipd::health {

namespace {

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim_space(std::string_view s)
{
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

template <class Out> void split_on(std::string_view s, char sep, bool collapse, Out&& out)
{
    while (!s.empty()) {
        const auto at = s.find(sep);
        const auto piece = s.substr(0, at);
        if (!piece.empty() || !collapse)
            out(piece);
        if (at == std::string_view::npos)
            break;
        s.remove_prefix(at + 1);
    }
}

} // namespace

tl::expected<int, std::string> parse_pidfile(std::string_view text)
{
    const auto digits = trim_space(text);
    if (digits.empty())
        return tl::unexpected(std::string("is empty"));
    long pid = 0;
    const auto* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, pid);
    if (ec != std::errc{} || ptr != end || pid < 1 || pid > pid_max_limit)
        return tl::unexpected(fmt::format("does not hold a pid (\"{:.20}\")", digits));
    return static_cast<int>(pid);
}

std::vector<std::string> cmdline_words(std::string_view pattern)
{
    std::vector<std::string> words;
    std::string normal(pattern);
    for (auto& c : normal)
        c = c == '\t' ? ' ' : c;
    split_on(normal, ' ', true, [&](std::string_view w) { words.emplace_back(w); });
    return words;
}

std::vector<std::string_view> cmdline_args(std::string_view raw)
{
    if (!raw.empty() && raw.back() == '\0')
        raw.remove_suffix(1);
    std::vector<std::string_view> args;
    if (raw.empty())
        return args;
    split_on(raw, '\0', false, [&](std::string_view a) { args.push_back(a); });
    if (args.size() == 1 && args.front().find(' ') != std::string_view::npos) {
        const auto title = args.front();
        args.clear();
        split_on(title, ' ', true, [&](std::string_view a) { args.push_back(a); });
    }
    return args;
}

bool cmdline_matches(const std::vector<std::string>& words, std::string_view raw)
{
    const auto args = cmdline_args(raw);
    if (words.empty() || args.size() < words.size())
        return false;
    const auto first = args.front();
    const auto slash = first.rfind('/');
    const auto base = slash == std::string_view::npos ? first : first.substr(slash + 1);
    if (first != words.front() && base != words.front())
        return false;
    for (std::size_t i = 1; i < words.size(); ++i) {
        if (args[i] != words[i])
            return false;
    }
    return true;
}

std::optional<std::uint64_t> parse_start_time(std::string_view stat)
{
    const auto close = stat.rfind(')');
    if (close == std::string_view::npos)
        return std::nullopt;
    // After ") " come fields 3 (state) onwards; the start time is field 22.
    std::vector<std::string_view> fields;
    split_on(stat.substr(close + 1), ' ', true, [&](std::string_view f) { fields.push_back(f); });
    constexpr std::size_t start_time_at = 22 - 3;
    if (fields.size() <= start_time_at)
        return std::nullopt;
    const auto f = trim_space(fields[start_time_at]);
    std::uint64_t ticks = 0;
    const auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), ticks);
    if (ec != std::errc{} || ptr != f.data() + f.size())
        return std::nullopt;
    return ticks;
}

} // namespace vipd::health
