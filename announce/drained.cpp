// Drained-VIP state file format (see drained.hpp). Pure.
#include "announce/drained.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "announce/vip.hpp"

namespace vipd::announce {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string to_string(const DrainedError& e)
{
    return fmt::format("line {}: {}", e.line, e.message);
}

std::string format_drained(std::vector<std::string> names)
{
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string out = "# vipd: VIPs drained by the operator, one per line (vipctl undrain)\n";
    for (const auto& n : names)
        out += n + "\n";
    return out;
}

tl::expected<std::vector<std::string>, DrainedError> parse_drained(std::string_view text)
{
    std::vector<std::string> names;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        if (const auto hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        line = trim(line);
        if (line.empty())
            continue;
        if (!valid_vip_name(line))
            return tl::unexpected(DrainedError{
                line_no, fmt::format("\"{}\" is not a VIP name (1 to 64 letters, digits, '_', "
                                     "'-', '.')",
                                     line)});
        names.emplace_back(line);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

} // namespace vipd::announce
