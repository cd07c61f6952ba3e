// What the daemon writes and counts for each event of the BGP speaker and the health monitor:
// one log line per event (component and key=value fields, STYLE.md §9) and the metrics
// recorder's counters, and the one place transitions (checks, VIPs, neighbors entering or
// leaving Established) are handed on as TransitionRecords (hooks, `vipctl watch`). Must not:
// decide anything; the daemon forwards the events that change routes (a check transition) to
// the Announcer itself.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "announce/announcer.hpp"
#include "bgp/message.hpp"
#include "bgp/speaker.hpp"
#include "bgp/types.hpp"
#include "cli/daemon/log.hpp"
#include "cli/daemon/loopback.hpp"
#include "cli/status/metrics.hpp"
#include "health/monitor.hpp"

namespace vipd::cli {

class EventLog
{
public:
    EventLog(Log& log, MetricsRecorder& metrics) : log_(log), metrics_(metrics) {}

    /// Called with every check and VIP transition and every neighbor entering or leaving
    /// Established, after it was logged and counted (the recent-transitions list's events).
    using TransitionListener = std::function<void(const TransitionRecord&)>;
    void set_listener(TransitionListener listener) { listener_ = std::move(listener); }

    /// A session changed state: info when it enters or leaves Established, else debug.
    void session_transition(const std::string& neighbor, bgp::State from, bgp::State to,
                            const std::string& cause);
    /// A NOTIFICATION sent or received, with its RFC text and any RFC 9003 shutdown text.
    void notification(const std::string& neighbor, bool sent, const bgp::Notification& n);
    void bgp_event(const std::string& neighbor, bgp::EventLevel level, const std::string& text);
    void check_transition(const health::Transition& t);
    void vip_transition(const announce::VipEvent& e);
    void probe(const health::Probe& p);
    void check_error(std::string_view check, std::string_view what);
    /// A VIP address added to or removed from the interface, left in place (warning), or a
    /// request that failed (error).
    void loopback(const LoopbackEvent& e);

private:
    Log& log_;
    MetricsRecorder& metrics_;
    TransitionListener listener_;
};

} // namespace vipd::cli
