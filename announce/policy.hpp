// Announce policy: from a VIP's configuration, its rule result and the administrative state
// (start-up gate, operator drain, damping hold) to one RouteIntent — announce with which
// attributes, or withdraw — and a reason for logs and `vipctl explain`. STYLE §7.
// Must not: keep state, read the clock (now is passed in), or talk to the speaker.
// RFC 8326 (GRACEFUL_SHUTDOWN while draining), RFC 4271 §9.1.2.2 (MED), §5.1.5 (LOCAL_PREF).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "announce/damping.hpp"
#include "announce/evaluation.hpp"
#include "announce/vip.hpp"
#include "bgp/rib.hpp"
#include "bgp/route.hpp"

namespace vipd::announce {

/// What `vipctl status` shows for a VIP.
enum class VipState : std::uint8_t {
    waiting,   ///< start-up: not every check has a first verdict and the grace period runs
    announced, ///< rule up: announced with the up attributes
    degraded,  ///< rule down (or unknown), when_down = degrade: announced, less preferred
    withdrawn, ///< rule down (or unknown), when_down = withdraw
    held_down, ///< rule up but flap damping holds it down (withdrawn or degraded)
    draining,  ///< operator drain: announced with GRACEFUL_SHUTDOWN until drain_time ends
    drained,   ///< operator drain complete: withdrawn
};

[[nodiscard]] std::string_view to_string(VipState s);

/// A damping hold in force: the rule is up, the VIP is held down until `until`.
struct Hold
{
    TimePoint until{};
    unsigned flaps = 0;
    std::chrono::seconds length{0};
    bool operator==(const Hold&) const = default;
};

/// Everything besides the rule that decides a VIP's route.
struct AdminState
{
    TimePoint now{};
    bool gate_open = true;                 ///< false during start-up (see Announcer)
    std::vector<Reference> unknown_leaves; ///< leaves without a verdict, for the reason text
    std::optional<TimePoint> drain_end;    ///< set while the operator has the VIP drained
    std::optional<Hold> hold;              ///< set while damping holds an up rule down
};

/// The decision for one VIP. `attributes` empty means withdraw every prefix of the VIP.
struct RouteIntent
{
    VipState state = VipState::waiting;
    std::optional<bgp::RouteAttributes> attributes;
    std::string reason;

    [[nodiscard]] bool announce() const { return attributes.has_value(); }
    bool operator==(const RouteIntent&) const = default;
};

/// Decides a VIP's route. Order: start-up gate (withdraw) → rule up (announce), down or
/// unknown (withdraw or degrade; unknown counts as down once the gate is open) → damping
/// hold (an up rule is treated as down) → operator drain on top: whatever would be
/// announced is announced with GRACEFUL_SHUTDOWN and the drain delta until drain_end, then
/// withdrawn; what would be withdrawn stays withdrawn.
[[nodiscard]] RouteIntent decide(const VipConfig& vip, RuleResult rule, const AdminState& admin);

/// `base` made less (never more) preferred by `delta` (see AttributeDelta).
[[nodiscard]] bgp::RouteAttributes apply_delta(bgp::RouteAttributes base,
                                               const AttributeDelta& delta);

/// The attributes announced while draining: `base` + vip.drain.attributes + 65535:0.
[[nodiscard]] bgp::RouteAttributes draining_attributes(const VipConfig& vip,
                                                       const bgp::RouteAttributes& base);

/// The RouteSpec for one prefix of the VIP: the family's next hop override and the
/// neighbor subset applied to `attributes`.
[[nodiscard]] bgp::RouteSpec
route_spec(const VipConfig& vip, const bgp::RouteAttributes& attributes, const bgp::Prefix& prefix);

} // namespace vipd::announce
