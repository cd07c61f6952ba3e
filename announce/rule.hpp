// VIP rules: the expression that says when a VIP is up, e.g. `all(web, b:be_app)` or
// `any(lb1%b:be_app, lb2%b:be_app)`. This file holds the AST, the parser (with 1-based column
// errors), the canonical text form and the dependency list. Evaluation is in evaluation.hpp.
// Must not: know check kinds, HAProxy sockets or BGP; the caller checks that names exist.
//
// Grammar (whitespace allowed between tokens):
//   rule      := call | reference
//   call      := ("all" | "any") "(" rule ("," rule)* ")" | ("never" | "always") "(" ")"
//   reference := check | [instance "%"] ("b:" proxy | "f:" proxy | "s:" proxy "/" server)
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace vipd::announce {

/// What a rule leaf points at.
enum class RefKind : std::uint8_t {
    check,    ///< a vipd health check, by name
    backend,  ///< `b:NAME`  HAProxy backend
    frontend, ///< `f:NAME`  HAProxy frontend
    server,   ///< `s:BACKEND/SERVER`  one HAProxy server
};

/// A rule leaf. `instance` names the HAProxy instance (`lb2%b:be_app`); empty means the only
/// (default) instance, and is always empty for checks.
struct Reference
{
    RefKind kind = RefKind::check;
    std::string instance;
    std::string name;   ///< check name, or HAProxy proxy (frontend/backend) name
    std::string server; ///< server name, only for RefKind::server
    auto operator<=>(const Reference&) const = default;

    static Reference check(std::string name_);
    static Reference backend(std::string proxy, std::string instance_ = {});
    static Reference frontend(std::string proxy, std::string instance_ = {});
    static Reference server_of(std::string proxy, std::string server_, std::string instance_ = {});
};

/// Canonical text: "web", "b:be_app", "lb2%s:be_app/web1". Parses back to the same Reference.
[[nodiscard]] std::string to_string(const Reference& r);

enum class RuleOp : std::uint8_t { all, any, never, always, leaf };

/// "all", "any", "never", "always", "leaf".
[[nodiscard]] std::string_view to_string(RuleOp op);

/// A rule AST node. `args` is used by all/any (at least one), `ref` by leaf. `column` is the
/// 1-based column where the node starts in the parsed text (0 for built nodes); it is for
/// error messages only and is ignored by operator==.
struct Rule
{
    RuleOp op = RuleOp::never;
    Reference ref;
    std::vector<Rule> args;
    std::size_t column = 0;

    static Rule all(std::vector<Rule> a);
    static Rule any(std::vector<Rule> a);
    static Rule never();
    static Rule always();
    static Rule leaf(Reference r);

    bool operator==(const Rule& o) const;
};

/// A parse error: 1-based column of the offending character (text length + 1 at end of text).
struct RuleError
{
    std::size_t column = 0;
    std::string message;
    bool operator==(const RuleError&) const = default;
};

/// "column 7: unknown function \"al\" (expected all, any, never, always)".
[[nodiscard]] std::string to_string(const RuleError& e);

/// Deepest nesting of all()/any() accepted (keeps the recursive parser and evaluator bounded).
inline constexpr std::size_t max_rule_depth = 32;

/// Parses rule text. Errors: empty text or name, unbalanced parentheses, unknown function or
/// reference kind, bad characters in names, `all()`/`any()` without arguments (an empty
/// conjunction would be vacuously true: write always() or never() instead), arguments to
/// never()/always(), nesting deeper than max_rule_depth, trailing text. Columns (in errors
/// and in Rule::column) count from `first_column` for text[0], so a caller that cut the rule
/// out of a longer line gets columns of that line.
[[nodiscard]] tl::expected<Rule, RuleError> parse_rule(std::string_view text,
                                                       std::size_t first_column = 1);

/// Parses one reference (a rule leaf) alone, e.g. a name given to `vipctl`.
[[nodiscard]] tl::expected<Reference, RuleError> parse_reference(std::string_view text);

/// Canonical text: `all(web, any(b:be_app, b:be_app2))`. parse_rule(to_string(r)) == r.
[[nodiscard]] std::string to_string(const Rule& r);

/// Every distinct leaf of the rule, in order of first appearance (the VIP's dependencies).
[[nodiscard]] std::vector<Reference> leaves(const Rule& r);

} // namespace vipd::announce
