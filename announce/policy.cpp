// Announce policy (see policy.hpp). Pure: every input is a parameter.
#include "announce/policy.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vipd::announce {

namespace {

template <typename T> void add_missing(std::vector<T>& to, const std::vector<T>& from)
{
    for (const auto& v : from) {
        if (std::find(to.begin(), to.end(), v) == to.end())
            to.push_back(v);
    }
}

std::string names(const std::vector<Reference>& refs)
{
    std::string out;
    for (const auto& r : refs) {
        if (!out.empty())
            out += ", ";
        out += to_string(r);
    }
    return out;
}

// The decision before the operator drain overlay.
RouteIntent base_intent(const VipConfig& vip, RuleResult rule, const AdminState& admin)
{
    if (!admin.gate_open)
        return {VipState::waiting, std::nullopt,
                admin.unknown_leaves.empty()
                    ? std::string("start-up: waiting for the first verdicts")
                    : "start-up: waiting for a first verdict from " + names(admin.unknown_leaves)};
    if (rule == RuleResult::up && !admin.hold)
        return {VipState::announced, vip.up, "rule up"};

    std::string why;
    VipState state =
        vip.when_down == DownAction::withdraw ? VipState::withdrawn : VipState::degraded;
    if (rule == RuleResult::up) {
        state = VipState::held_down;
        why = fmt::format("rule up but held down after {} flaps (hold {}s)", admin.hold->flaps,
                          admin.hold->length.count());
    } else if (rule == RuleResult::unknown) {
        why = admin.unknown_leaves.empty()
                  ? std::string("rule unknown")
                  : "rule unknown: no verdict yet from " + names(admin.unknown_leaves);
    } else {
        why = "rule down";
    }
    if (vip.when_down == DownAction::withdraw)
        return {state, std::nullopt, why};
    return {state, apply_delta(vip.up, vip.degraded), why + ", announcing degraded"};
}

} // namespace

std::string_view to_string(VipState s)
{
    switch (s) {
    case VipState::waiting:
        return "waiting";
    case VipState::announced:
        return "announced";
    case VipState::degraded:
        return "degraded";
    case VipState::withdrawn:
        return "withdrawn";
    case VipState::held_down:
        return "held-down";
    case VipState::draining:
        return "draining";
    case VipState::drained:
        return "drained";
    }
    return "?";
}

bgp::RouteAttributes apply_delta(bgp::RouteAttributes base, const AttributeDelta& delta)
{
    // RFC 4271 §9.1.2.2 c): a higher MED is less preferred; a missing MED counts as 0.
    if (delta.med)
        base.med = std::max(base.med.value_or(0), *delta.med);
    // RFC 4271 §5.1.5: a lower LOCAL_PREF is less preferred.
    if (delta.local_pref)
        base.local_pref =
            base.local_pref ? std::min(*base.local_pref, *delta.local_pref) : *delta.local_pref;
    const unsigned prepend = base.prepend + delta.prepend;
    base.prepend = static_cast<std::uint8_t>(std::min(prepend, 255u));
    add_missing(base.communities, delta.communities);
    add_missing(base.large_communities, delta.large_communities);
    add_missing(base.extended_communities, delta.extended_communities);
    return base;
}

bgp::RouteAttributes draining_attributes(const VipConfig& vip, const bgp::RouteAttributes& base)
{
    auto out = apply_delta(base, vip.drain.attributes);
    add_missing(out.communities, {bgp::community::graceful_shutdown}); // RFC 8326 §3
    return out;
}

bgp::RouteSpec route_spec(const VipConfig& vip, const bgp::RouteAttributes& attributes,
                          const bgp::Prefix& prefix)
{
    bgp::RouteSpec spec{attributes, vip.neighbors};
    const auto& family_next_hop =
        prefix.afi() == bgp::Afi::ipv4 ? vip.next_hop_ipv4 : vip.next_hop_ipv6;
    if (family_next_hop)
        spec.attributes.next_hop = family_next_hop;
    return spec;
}

RouteIntent decide(const VipConfig& vip, RuleResult rule, const AdminState& admin)
{
    RouteIntent intent = base_intent(vip, rule, admin);
    if (!admin.drain_end)
        return intent;
    if (intent.announce() && admin.now < *admin.drain_end) {
        intent.attributes = draining_attributes(vip, *intent.attributes);
        intent.state = VipState::draining;
        intent.reason = fmt::format("drained by operator: GRACEFUL_SHUTDOWN for {}s, then "
                                    "withdraw ({})",
                                    vip.drain.drain_time.count(), intent.reason);
        return intent;
    }
    intent.attributes.reset();
    intent.reason = fmt::format("drained by operator ({})", intent.reason);
    intent.state = VipState::drained;
    return intent;
}

} // namespace vipd::announce
