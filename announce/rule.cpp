// Rule AST, recursive-descent parser with column errors, canonical text, dependency list.
// Pure: no clock, no I/O. The grammar is documented in rule.hpp.
#include "announce/rule.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace vipd::announce {

namespace {

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

// HAProxy's invalid_char() also accepts ':' in proxy and server names.
bool is_proxy_char(char c)
{
    return is_name_char(c) || c == ':';
}

bool ends_word(char c)
{
    return is_space(c) || c == '(' || c == ')' || c == ',';
}

std::string show(char c)
{
    if (c >= 0x20 && c < 0x7f)
        return fmt::format("'{}'", c);
    return fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
}

tl::unexpected<RuleError> fail(std::size_t column, std::string message)
{
    return tl::unexpected(RuleError{column, std::move(message)});
}

// Checks `text` (starting at 1-based `column`) against a character class.
template <typename Pred>
tl::expected<std::string, RuleError> name_part(std::string_view text, std::size_t column,
                                               std::string_view what, Pred ok)
{
    if (text.empty())
        return fail(column, fmt::format("empty {}", what));
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!ok(text[i]))
            return fail(column + i, fmt::format("invalid character {} in {} \"{}\"", show(text[i]),
                                                what, text));
    }
    return std::string(text);
}

tl::expected<Reference, RuleError> haproxy_reference(std::string_view word, std::size_t column,
                                                     std::string instance)
{
    const char kind = word[0];
    const std::string_view body = word.substr(2);
    const std::size_t body_col = column + 2;
    Reference r;
    r.instance = std::move(instance);
    if (kind == 'b' || kind == 'f') {
        r.kind = kind == 'b' ? RefKind::backend : RefKind::frontend;
        auto name = name_part(body, body_col, kind == 'b' ? "backend name" : "frontend name",
                              is_proxy_char);
        if (!name)
            return tl::unexpected(name.error());
        r.name = std::move(*name);
        return r;
    }
    r.kind = RefKind::server;
    const auto slash = body.find('/');
    if (slash == std::string_view::npos)
        return fail(column, fmt::format("server reference \"{}\" needs s:BACKEND/SERVER", word));
    auto proxy = name_part(body.substr(0, slash), body_col, "backend name", is_proxy_char);
    if (!proxy)
        return tl::unexpected(proxy.error());
    auto server =
        name_part(body.substr(slash + 1), body_col + slash + 1, "server name", is_proxy_char);
    if (!server)
        return tl::unexpected(server.error());
    r.name = std::move(*proxy);
    r.server = std::move(*server);
    return r;
}

// A leaf word: "web", "b:be", "lb2%s:be/web1". `column` is where the word starts.
tl::expected<Reference, RuleError> reference_word(std::string_view word, std::size_t column)
{
    std::string instance;
    std::string_view rest = word;
    std::size_t rest_col = column;
    if (const auto pct = word.find('%'); pct != std::string_view::npos) {
        auto inst = name_part(word.substr(0, pct), column, "HAProxy instance name", is_name_char);
        if (!inst)
            return tl::unexpected(inst.error());
        instance = std::move(*inst);
        rest = word.substr(pct + 1);
        rest_col = column + pct + 1;
    }
    const bool haproxy_kind =
        rest.size() >= 2 && rest[1] == ':' && (rest[0] == 'b' || rest[0] == 'f' || rest[0] == 's');
    if (haproxy_kind)
        return haproxy_reference(rest, rest_col, std::move(instance));
    if (const auto colon = rest.find(':'); colon != std::string_view::npos)
        return fail(rest_col, fmt::format("unknown reference kind \"{}\" (expected b:, f: or s:)",
                                          rest.substr(0, colon + 1)));
    if (!instance.empty())
        return fail(rest_col, fmt::format("\"{}%\" must be followed by b:, f: or s:", instance));
    auto name = name_part(rest, rest_col, "check name", is_name_char);
    if (!name)
        return tl::unexpected(name.error());
    return Reference::check(std::move(*name));
}

class Parser
{
public:
    Parser(std::string_view text, std::size_t first_column)
        : text_(text), first_column_(first_column)
    {}

    tl::expected<Rule, RuleError> top()
    {
        skip_space();
        if (at_end())
            return fail(column(), "empty rule");
        auto rule = expression(0);
        if (!rule)
            return rule;
        skip_space();
        if (!at_end())
            return fail(column(), fmt::format("unexpected {} after the rule", show(text_[pos_])));
        return rule;
    }

private:
    [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
    [[nodiscard]] std::size_t column() const { return column_of(pos_); }
    [[nodiscard]] std::size_t column_of(std::size_t pos) const { return first_column_ + pos; }
    void skip_space()
    {
        while (!at_end() && is_space(text_[pos_]))
            ++pos_;
    }

    // One rule at pos_ (leading space already skipped); `depth` = enclosing calls.
    tl::expected<Rule, RuleError> expression(std::size_t depth)
    {
        if (at_end())
            return fail(column(), "unexpected end of rule, expected an argument");
        const char c = text_[pos_];
        if (c == ',' || c == ')')
            return fail(column(), depth == 0 ? fmt::format("unexpected {}", show(c))
                                             : fmt::format("empty argument before {}", show(c)));
        if (c == '(')
            return fail(column(), "unexpected '(' without a function name before it");
        const std::size_t start = pos_;
        while (!at_end() && !ends_word(text_[pos_]))
            ++pos_;
        const std::string_view word = text_.substr(start, pos_ - start);
        skip_space();
        if (!at_end() && text_[pos_] == '(')
            return call(word, column_of(start), depth);
        auto ref = reference_word(word, column_of(start));
        if (!ref)
            return tl::unexpected(ref.error());
        Rule leaf = Rule::leaf(std::move(*ref));
        leaf.column = column_of(start);
        return leaf;
    }

    // pos_ is at the '(' following `name`, which starts at 1-based `name_col`.
    tl::expected<Rule, RuleError> call(std::string_view name, std::size_t name_col,
                                       std::size_t depth)
    {
        const std::size_t open_col = column();
        ++pos_;
        skip_space();
        if (name == "never" || name == "always") {
            if (at_end())
                return fail(column(), fmt::format("missing ')' to close {}( opened at column {}",
                                                  name, open_col));
            if (text_[pos_] != ')')
                return fail(column(), fmt::format("{}() takes no arguments", name));
            ++pos_;
            Rule r = name == "never" ? Rule::never() : Rule::always();
            r.column = name_col;
            return r;
        }
        if (name != "all" && name != "any")
            return fail(name_col, fmt::format("unknown function \"{}\" (expected all, any, never, "
                                              "always)",
                                              name));
        if (depth + 1 > max_rule_depth)
            return fail(name_col, fmt::format("rule nested deeper than {} levels", max_rule_depth));
        if (!at_end() && text_[pos_] == ')')
            return fail(column(), fmt::format("{}() needs at least one argument (write always() "
                                              "or never() for a constant)",
                                              name));
        std::vector<Rule> args;
        for (;;) {
            auto arg = expression(depth + 1);
            if (!arg)
                return arg;
            args.push_back(std::move(*arg));
            skip_space();
            if (at_end())
                return fail(column(), fmt::format("missing ')' to close {}( opened at column {}",
                                                  name, open_col));
            if (text_[pos_] == ')')
                break;
            if (text_[pos_] != ',')
                return fail(column(),
                            fmt::format("expected ',' or ')', found {}", show(text_[pos_])));
            ++pos_;
            skip_space();
        }
        ++pos_;
        Rule r = name == "all" ? Rule::all(std::move(args)) : Rule::any(std::move(args));
        r.column = name_col;
        return r;
    }

    std::string_view text_;
    std::size_t first_column_ = 1;
    std::size_t pos_ = 0;
};

void collect(const Rule& r, std::vector<Reference>& out, std::set<Reference>& seen)
{
    if (r.op == RuleOp::leaf) {
        if (seen.insert(r.ref).second)
            out.push_back(r.ref);
        return;
    }
    for (const auto& a : r.args)
        collect(a, out, seen);
}

} // namespace

Reference Reference::check(std::string name_)
{
    return Reference{RefKind::check, {}, std::move(name_), {}};
}

Reference Reference::backend(std::string proxy, std::string instance_)
{
    return Reference{RefKind::backend, std::move(instance_), std::move(proxy), {}};
}

Reference Reference::frontend(std::string proxy, std::string instance_)
{
    return Reference{RefKind::frontend, std::move(instance_), std::move(proxy), {}};
}

Reference Reference::server_of(std::string proxy, std::string server_, std::string instance_)
{
    return Reference{RefKind::server, std::move(instance_), std::move(proxy), std::move(server_)};
}

std::string to_string(const Reference& r)
{
    std::string out = r.instance.empty() ? std::string() : r.instance + "%";
    switch (r.kind) {
    case RefKind::check:
        return r.name;
    case RefKind::backend:
        return out + "b:" + r.name;
    case RefKind::frontend:
        return out + "f:" + r.name;
    case RefKind::server:
        return out + "s:" + r.name + "/" + r.server;
    }
    return out + r.name;
}

std::string_view to_string(RuleOp op)
{
    switch (op) {
    case RuleOp::all:
        return "all";
    case RuleOp::any:
        return "any";
    case RuleOp::never:
        return "never";
    case RuleOp::always:
        return "always";
    case RuleOp::leaf:
        return "leaf";
    }
    return "?";
}

Rule Rule::all(std::vector<Rule> a)
{
    Rule r;
    r.op = RuleOp::all;
    r.args = std::move(a);
    return r;
}

Rule Rule::any(std::vector<Rule> a)
{
    Rule r;
    r.op = RuleOp::any;
    r.args = std::move(a);
    return r;
}

Rule Rule::never()
{
    return Rule{};
}

Rule Rule::always()
{
    Rule r;
    r.op = RuleOp::always;
    return r;
}

Rule Rule::leaf(Reference ref_)
{
    Rule r;
    r.op = RuleOp::leaf;
    r.ref = std::move(ref_);
    return r;
}

bool Rule::operator==(const Rule& o) const
{
    return op == o.op && ref == o.ref && args == o.args;
}

std::string to_string(const RuleError& e)
{
    return fmt::format("column {}: {}", e.column, e.message);
}

tl::expected<Rule, RuleError> parse_rule(std::string_view text, std::size_t first_column)
{
    return Parser(text, first_column).top();
}

tl::expected<Reference, RuleError> parse_reference(std::string_view text)
{
    if (text.empty())
        return fail(1, "empty reference");
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (ends_word(text[i]))
            return fail(i + 1, fmt::format("unexpected {} in a reference", show(text[i])));
    }
    return reference_word(text, 1);
}

std::string to_string(const Rule& r)
{
    switch (r.op) {
    case RuleOp::leaf:
        return to_string(r.ref);
    case RuleOp::never:
    case RuleOp::always:
        return fmt::format("{}()", to_string(r.op));
    case RuleOp::all:
    case RuleOp::any:
        break;
    }
    std::string out = fmt::format("{}(", to_string(r.op));
    for (std::size_t i = 0; i < r.args.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += to_string(r.args[i]);
    }
    out += ')';
    return out;
}

std::vector<Reference> leaves(const Rule& r)
{
    std::vector<Reference> out;
    std::set<Reference> seen;
    collect(r, out, seen);
    return out;
}

} // namespace vipd::announce
