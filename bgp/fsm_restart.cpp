// The restart policy of the Fsm (RFC 4271 §8.1.1 IdleHoldTimer, DampPeerOscillations): how
// long Idle waits before the automatic restart, which session endings count as failures and
// double that wait, which restart at once (a router restarted by its operator: RFC 4486 Cease
// 2/4/6, RFC 8538 Hard Reset wrapping one; a TCP close or a BFD Down of a stable session), and
// the text operators see. Must not: read a clock, do I/O, or log; part of the pure Fsm
// (see fsm.hpp).
#include <algorithm>

#include <fmt/format.h>

#include "bgp/fsm.hpp"

namespace vipd::bgp {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto cease_code = static_cast<std::uint8_t>(ErrorCode::cease);
constexpr int idle_hold_growth = 2; // DampPeerOscillations: each failure doubles the wait

} // namespace

milliseconds idle_hold_after(const FsmConfig& c, std::uint32_t failures)
{
    milliseconds wait = c.idle_hold_time;
    if (!c.damp_peer_oscillations)
        return wait;
    for (std::uint32_t i = 1; i < failures && wait < c.max_idle_hold_time; ++i)
        wait *= idle_hold_growth;
    return std::max(c.idle_hold_time, std::min(wait, c.max_idle_hold_time));
}

PeerCease classify_cease(const Notification& n)
{
    if (n.code != cease_code)
        return PeerCease::failure;
    std::uint8_t subcode = n.subcode;
    // RFC 8538 §3: Hard Reset carries the code and subcode of the reset in its first octets.
    if (subcode == cease::hard_reset && n.data.size() >= 2 && n.data[0] == cease_code)
        subcode = n.data[1];
    switch (subcode) {
    case cease::administrative_shutdown: // RFC 4486 §4: operator actions at the peer
    case cease::administrative_reset:
    case cease::other_configuration_change:
        return PeerCease::administrative;
    case cease::connection_rejected: // the peer is alive; it refused this connection only
    case cease::connection_collision_resolution:
        return n.subcode == cease::hard_reset ? PeerCease::failure : PeerCease::refused;
    default: // 1 max prefixes, 3 de-configured, 8 out of resources: give the peer time
        return PeerCease::failure;
    }
}

std::string describe_idle_hold(const Status& s)
{
    return fmt::format("next attempt in {:g} s: {}",
                       std::chrono::duration<double>(s.idle_hold_time).count(), s.idle_hold_reason);
}

// §8.1.1 DampPeerOscillations: the IdleHoldTimer before the automatic restart (Idle refuses
// connections meanwhile), doubled per counted failure, or 0 when nothing failed.
void Fsm::arm_restart(Restart restart, Actions& out)
{
    milliseconds wait{0};
    switch (restart) {
    case Restart::back_off:
        ++status_.failures;
        wait = idle_hold_after(config_, status_.failures);
        status_.idle_hold_reason = fmt::format("back-off after {} failure{}", status_.failures,
                                               status_.failures == 1 ? "" : "s");
        break;
    case Restart::wait:
        wait = idle_hold_after(config_, status_.failures);
        status_.idle_hold_reason = fmt::format("idle hold after {} failure{}", status_.failures,
                                               status_.failures == 1 ? "" : "s");
        break;
    case Restart::peer_reset:
        status_.idle_hold_reason = "no back-off: the peer reset the session (Cease)";
        break;
    case Restart::stable_close:
        status_.idle_hold_reason = "no back-off: the session was stable";
        break;
    case Restart::path_down:
        status_.idle_hold_reason = "no back-off: BFD Down under a stable session";
        break;
    case Restart::operator_reset:
        status_.failures = 0;
        status_.idle_hold_reason = "no back-off: operator reset";
        break;
    }
    status_.idle_hold_time = wait;
    start_timer(TimerId::idle_hold, wait, out);
}

// A session is stable once both sides kept it alive for a whole HoldTime (bounded by
// idle_hold_reset_time; that bound alone when the HoldTime is zero).
milliseconds Fsm::stable_time() const
{
    const seconds bound = config_.idle_hold_reset_time;
    if (!negotiated_ || negotiated_->hold_time.count() == 0)
        return bound;
    return std::min<milliseconds>(negotiated_->hold_time, bound);
}

} // namespace vipd::bgp
