// HTTP status and body matching (pure).
#include "health/http_match.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace vipd::health {
namespace {

constexpr unsigned min_status = 100; // RFC 9110 §15: status codes are 100..599
constexpr unsigned max_status = 599;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

tl::expected<unsigned, std::string> parse_code(std::string_view s, std::string_view item)
{
    s = trim(s);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value < min_status ||
        value > max_status) {
        return tl::unexpected(fmt::format("bad HTTP status \"{}\" (want 100..599)", item));
    }
    return value;
}

} // namespace

tl::expected<std::vector<StatusRange>, std::string> parse_status_ranges(std::string_view text)
{
    std::vector<StatusRange> ranges;
    while (true) {
        const auto comma = text.find(',');
        const auto item = trim(text.substr(0, comma));
        const auto dash = item.find('-');
        const auto first = parse_code(item.substr(0, dash), item);
        if (!first) {
            return tl::unexpected(first.error());
        }
        auto last = first;
        if (dash != std::string_view::npos) {
            last = parse_code(item.substr(dash + 1), item);
            if (!last) {
                return tl::unexpected(last.error());
            }
            if (*last < *first) {
                return tl::unexpected(fmt::format("bad HTTP status range \"{}\"", item));
            }
        }
        ranges.push_back({*first, *last});
        if (comma == std::string_view::npos) {
            return ranges;
        }
        text.remove_prefix(comma + 1);
    }
}

std::string to_string(const std::vector<StatusRange>& ranges)
{
    std::string out;
    for (const auto& r : ranges) {
        if (!out.empty()) {
            out += ',';
        }
        out +=
            r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}-{}", r.first, r.last);
    }
    return out;
}

tl::expected<ResponseMatcher, std::string> ResponseMatcher::make(ResponseExpect expect)
{
    if (expect.status.empty()) {
        return tl::unexpected(std::string("empty expected HTTP status list"));
    }
    for (const auto& r : expect.status) {
        if (r.first < min_status || r.last > max_status || r.last < r.first) {
            return tl::unexpected(fmt::format("bad HTTP status range {}-{}", r.first, r.last));
        }
    }
    ResponseMatcher matcher;
    if (!expect.body_regex.empty()) {
        try {
            matcher.regex_ =
                std::make_shared<const std::regex>(expect.body_regex, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return tl::unexpected(
                fmt::format("bad body regex /{}/: {}", expect.body_regex, e.what()));
        }
    }
    matcher.expect_ = std::move(expect);
    return matcher;
}

bool ResponseMatcher::needs_body() const
{
    return !expect_.body_contains.empty() || regex_ != nullptr;
}

MatchResult ResponseMatcher::match(unsigned status, std::string_view body, bool truncated) const
{
    const bool status_ok =
        std::any_of(expect_.status.begin(), expect_.status.end(), [status](const StatusRange& r) {
            return status >= r.first && status <= r.last;
        });
    if (!status_ok) {
        return {false, fmt::format("HTTP {}", status), Reason::http_status};
    }
    const auto where = truncated ? fmt::format(" in first {} bytes", body.size()) : std::string();
    if (!expect_.body_contains.empty() && body.find(expect_.body_contains) == std::string::npos) {
        return {false,
                fmt::format("HTTP {}, body lacks \"{}\"{}", status, expect_.body_contains, where),
                Reason::body_mismatch};
    }
    if (regex_ && !std::regex_search(body.begin(), body.end(), *regex_)) {
        return {
            false,
            fmt::format("HTTP {}, body does not match /{}/{}", status, expect_.body_regex, where),
            Reason::body_mismatch};
    }
    return {true, fmt::format("HTTP {}", status)};
}

} // namespace vipd::health
