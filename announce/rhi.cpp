// ALOHA RHI rule file parser (see rhi.hpp). Pure.
#include "announce/rhi.hpp"

#include <map>

#include <fmt/format.h>

namespace vipd::announce {

namespace {

using bgp::Prefix;

bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

bool is_table_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

// A sub-range of a line: [begin, end) as byte offsets, with blanks trimmed.
struct Span
{
    std::size_t begin = 0;
    std::size_t end = 0;
};

Span trim(std::string_view line, Span s)
{
    while (s.begin < s.end && is_blank(line[s.begin]))
        ++s.begin;
    while (s.end > s.begin && is_blank(line[s.end - 1]))
        --s.end;
    return s;
}

tl::unexpected<RhiError> fail(std::size_t line, std::size_t column, std::string message)
{
    return tl::unexpected(RhiError{line, column, std::move(message)});
}

tl::expected<std::string, RhiError> table_name(std::string_view table, std::size_t line_no,
                                               std::size_t column)
{
    if (table.empty())
        return fail(line_no, column, "empty table name next to '%'");
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (!is_table_char(table[i]))
            return fail(line_no, column + i,
                        fmt::format("invalid character '{}' in table name", table[i]));
    }
    return std::string(table);
}

bool looks_like_address(std::string_view s)
{
    return !s.empty() && ((s[0] >= '0' && s[0] <= '9') || s.find(':') != std::string_view::npos);
}

// "PREFIX", "PREFIX%TABLE" or "TABLE%PREFIX": whichever side of '%' is an address is the prefix.
tl::expected<RhiNetwork, RhiError> network(std::string_view text, std::size_t line_no,
                                           std::size_t column)
{
    RhiNetwork n;
    n.column = column;
    std::string_view prefix_text = text;
    std::size_t prefix_col = column;
    if (const auto pct = text.find('%'); pct != std::string_view::npos) {
        const auto left = text.substr(0, pct);
        const auto right = text.substr(pct + 1);
        const bool left_ok = Prefix::parse(left, true).has_value();
        const bool right_ok = Prefix::parse(right, true).has_value();
        // Neither parses: blame the side that looks like an address.
        const bool table_first =
            !left_ok && (right_ok || (looks_like_address(right) && !looks_like_address(left)));
        prefix_text = table_first ? right : left;
        prefix_col = table_first ? column + pct + 1 : column;
        auto table = table_first ? table_name(left, line_no, column)
                                 : table_name(right, line_no, column + pct + 1);
        if (!table)
            return tl::unexpected(table.error());
        n.table = std::move(*table);
    }
    auto prefix = Prefix::parse(prefix_text, true);
    if (!prefix)
        return fail(line_no, prefix_col, prefix.error());
    n.prefix = *prefix;
    return n;
}

tl::expected<std::vector<RhiNetwork>, RhiError> networks(std::string_view line, std::size_t line_no,
                                                         Span all)
{
    std::vector<RhiNetwork> out;
    std::size_t start = all.begin;
    for (;;) {
        std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos || comma > all.end)
            comma = all.end;
        const Span s = trim(line, {start, comma});
        if (s.begin == s.end)
            return fail(line_no, s.begin + 1, "empty network (expected an address or prefix)");
        const auto text = line.substr(s.begin, s.end - s.begin);
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (is_blank(text[i]))
                return fail(line_no, s.begin + i + 1,
                            "space inside a network (separate networks with ',')");
        }
        auto n = network(text, line_no, s.begin + 1);
        if (!n)
            return tl::unexpected(n.error());
        out.push_back(std::move(*n));
        if (comma == all.end)
            return out;
        start = comma + 1;
    }
}

tl::expected<RhiEntry, RhiError> entry(std::string_view line, std::size_t line_no)
{
    const auto eq = line.find('=');
    if (eq == std::string_view::npos)
        return fail(line_no, line.size() + 1,
                    "expected '=' between the networks and the rule (NETWORK[, ...] = RULE)");
    RhiEntry e;
    e.line = line_no;
    auto nets = networks(line, line_no, {0, eq});
    if (!nets)
        return tl::unexpected(nets.error());
    e.networks = std::move(*nets);
    const Span r = trim(line, {eq + 1, line.size()});
    if (r.begin == r.end)
        return fail(line_no, line.size() + 1, "missing rule after '='");
    const auto rule_text = line.substr(r.begin, r.end - r.begin);
    // ALOHA files also write the constants as bare words.
    if (rule_text == "never" || rule_text == "always") {
        e.rule = rule_text == "never" ? Rule::never() : Rule::always();
        e.rule.column = r.begin + 1;
        return e;
    }
    auto rule = parse_rule(rule_text, r.begin + 1);
    if (!rule)
        return fail(line_no, rule.error().column, rule.error().message);
    e.rule = std::move(*rule);
    return e;
}

} // namespace

std::string to_string(const RhiError& e)
{
    return fmt::format("line {}, column {}: {}", e.line, e.column, e.message);
}

tl::expected<std::vector<RhiEntry>, std::vector<RhiError>> parse_rhi(std::string_view text)
{
    std::vector<RhiEntry> out;
    std::vector<RhiError> errors;
    std::map<bgp::Prefix, std::size_t> seen; // prefix -> line
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (const auto hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        const Span s = trim(line, {0, line.size()});
        if (s.begin == s.end)
            continue;
        auto e = entry(line, line_no);
        if (!e) {
            errors.push_back(std::move(e.error()));
            continue;
        }
        bool fresh_line = true;
        for (const auto& n : e->networks) {
            if (auto [it, fresh] = seen.emplace(n.prefix, line_no); !fresh) {
                errors.push_back(
                    RhiError{line_no, n.column,
                             fmt::format("{} is already announced by the rule on line {}",
                                         n.prefix.to_string(), it->second)});
                fresh_line = false;
            }
        }
        if (fresh_line)
            out.push_back(std::move(*e));
    }
    if (!errors.empty())
        return tl::unexpected(std::move(errors));
    return out;
}

} // namespace vipd::announce
