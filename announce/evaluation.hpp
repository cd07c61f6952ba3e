// Evaluating a VIP rule against the current leaf states, with an explanation tree for
// `vipctl explain` and a one-line rendering for logs:
//   all(web=up, b:be_app=down "0/3 servers up") -> down
// Three-valued (Kleene) logic: a leaf without a first verdict is unknown; any() is up as soon
// as one argument is up, all() is down as soon as one is down, otherwise unknown wins.
// Must not: read the clock, log, or know how leaf states are obtained (LeafLookup does).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "announce/rule.hpp"
#include "health/outcome.hpp"

namespace vipd::announce {

/// The state of one rule leaf: health's own vocabulary (unknown: no verdict yet, or a name no
/// check has; disabled, maint and drain count as down), mapped from a check by leaf_status().
using LeafState = health::Status;
using health::to_string;

/// A leaf's state and the human reason for it ("0/3 servers up", "HTTP 503", "timeout").
struct LeafStatus
{
    LeafState state = LeafState::unknown;
    std::string cause;
    bool operator==(const LeafStatus&) const = default;
};

/// What the rule says about the VIP.
enum class RuleResult : std::uint8_t { unknown, up, down };

[[nodiscard]] std::string_view to_string(RuleResult r);

/// How a leaf state counts in a rule: disabled/maint/drain count as down.
[[nodiscard]] RuleResult leaf_result(LeafState s);

/// Returns the current status of a leaf. Must be callable for any reference (unknown leaves
/// answer LeafState::unknown).
using LeafLookup = std::function<LeafStatus(const Reference&)>;

/// The evaluated rule: one node per rule node, with the leaf status used for each leaf.
struct Evaluation
{
    RuleOp op = RuleOp::never;
    RuleResult result = RuleResult::down;
    Reference ref;   ///< leaf only
    LeafStatus leaf; ///< leaf only
    std::vector<Evaluation> args;
    bool operator==(const Evaluation&) const = default;
};

/// Evaluates `rule`, asking `lookup` once per leaf occurrence.
[[nodiscard]] Evaluation evaluate(const Rule& rule, const LeafLookup& lookup);

/// One line: `all(web=up, b:be_app=down "0/3 servers up") -> down`. Causes are quoted with
/// `"` and `\` escaped and control characters written as \n, \t or \xNN.
[[nodiscard]] std::string to_string(const Evaluation& e);

/// The evaluation without the trailing " -> result" (how nested nodes are rendered).
[[nodiscard]] std::string render_terms(const Evaluation& e);

/// `s` in double quotes for log lines: `"` and `\` escaped, \n, \t, other control
/// characters as \xNN.
[[nodiscard]] std::string quote(std::string_view s);

/// Indented multi-line tree for `vipctl explain`, one node per line, e.g.
///   all -> down
///     web: up
///     b:be_app: down "0/3 servers up"
[[nodiscard]] std::string render_tree(const Evaluation& e, std::size_t indent = 0);

/// Leaves in the evaluation that are still unknown (distinct, in order): what a VIP waits for.
[[nodiscard]] std::vector<Reference> unknown_leaves(const Evaluation& e);

} // namespace vipd::announce
