// Three-valued rule evaluation and its text renderings (see evaluation.hpp).
#include "announce/evaluation.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vipd::announce {

std::string quote(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

namespace {

std::string leaf_text(const Evaluation& e, std::string_view separator)
{
    std::string out = fmt::format("{}{}{}", to_string(e.ref), separator, to_string(e.leaf.state));
    if (!e.leaf.cause.empty())
        out += " " + quote(e.leaf.cause);
    return out;
}

void collect_unknown(const Evaluation& e, std::vector<Reference>& out)
{
    if (e.op == RuleOp::leaf) {
        if (e.leaf.state == LeafState::unknown &&
            std::find(out.begin(), out.end(), e.ref) == out.end())
            out.push_back(e.ref);
        return;
    }
    for (const auto& a : e.args)
        collect_unknown(a, out);
}

} // namespace

std::string_view to_string(RuleResult r)
{
    switch (r) {
    case RuleResult::unknown:
        return "unknown";
    case RuleResult::up:
        return "up";
    case RuleResult::down:
        return "down";
    }
    return "?";
}

RuleResult leaf_result(LeafState s)
{
    switch (s) {
    case LeafState::unknown:
        return RuleResult::unknown;
    case LeafState::up:
        return RuleResult::up;
    case LeafState::down:
    case LeafState::disabled:
    case LeafState::maint:
    case LeafState::drain:
        return RuleResult::down;
    }
    return RuleResult::unknown;
}

Evaluation evaluate(const Rule& rule, const LeafLookup& lookup)
{
    Evaluation e;
    e.op = rule.op;
    switch (rule.op) {
    case RuleOp::never:
        e.result = RuleResult::down;
        return e;
    case RuleOp::always:
        e.result = RuleResult::up;
        return e;
    case RuleOp::leaf:
        e.ref = rule.ref;
        e.leaf = lookup(rule.ref);
        e.result = leaf_result(e.leaf.state);
        return e;
    case RuleOp::all:
    case RuleOp::any:
        break;
    }
    // all(): down dominates, then unknown; any(): up dominates, then unknown.
    const RuleResult decisive = rule.op == RuleOp::all ? RuleResult::down : RuleResult::up;
    const RuleResult otherwise = rule.op == RuleOp::all ? RuleResult::up : RuleResult::down;
    bool decided = false;
    bool unknown = false;
    e.args.reserve(rule.args.size());
    for (const auto& arg : rule.args) {
        e.args.push_back(evaluate(arg, lookup));
        decided = decided || e.args.back().result == decisive;
        unknown = unknown || e.args.back().result == RuleResult::unknown;
    }
    e.result = decided ? decisive : unknown ? RuleResult::unknown : otherwise;
    return e;
}

std::string render_terms(const Evaluation& e)
{
    switch (e.op) {
    case RuleOp::leaf:
        return leaf_text(e, "=");
    case RuleOp::never:
    case RuleOp::always:
        return fmt::format("{}()", to_string(e.op));
    case RuleOp::all:
    case RuleOp::any:
        break;
    }
    std::string out = fmt::format("{}(", to_string(e.op));
    for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += render_terms(e.args[i]);
    }
    out += ')';
    return out;
}

std::string to_string(const Evaluation& e)
{
    return fmt::format("{} -> {}", render_terms(e), to_string(e.result));
}

std::string render_tree(const Evaluation& e, std::size_t indent)
{
    std::string out(indent * 2, ' ');
    if (e.op == RuleOp::leaf)
        out += leaf_text(e, ": ");
    else
        out += fmt::format("{}{} -> {}", to_string(e.op), e.args.empty() ? "()" : "",
                           to_string(e.result));
    out += '\n';
    for (const auto& a : e.args)
        out += render_tree(a, indent + 1);
    return out;
}

std::vector<Reference> unknown_leaves(const Evaluation& e)
{
    std::vector<Reference> out;
    collect_unknown(e, out);
    return out;
}

} // namespace vipd::announce
