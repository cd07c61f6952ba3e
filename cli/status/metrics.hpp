// Prometheus metrics of the daemon (docs/http-status.md): the text exposition format 0.0.4
// rendered from the daemon's "status" reply plus the counters a MetricsRecorder keeps from
// events (VIP and check transitions, probe latencies and failure causes, NOTIFICATIONs), and
// the recent-transitions list the status page shows. Everything here is pure: no socket, no
// clock, no logger; the daemon owns the recorder and passes event times in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bgp/fsm.hpp"
#include "health/outcome.hpp"

namespace vipd::cli {

/// Upper bounds of the probe latency histogram buckets, in microseconds (+Inf is implicit):
/// 1 ms … 10 s, the Prometheus client default buckets starting at 1 ms.
inline constexpr std::int64_t probe_buckets_us[] = {
    1'000,   2'500,   5'000,     10'000,    25'000,    50'000,     100'000,
    250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000,
};
inline constexpr std::size_t probe_bucket_count = std::size(probe_buckets_us);

/// A cumulative-on-render histogram with the fixed probe buckets.
struct LatencyHistogram
{
    std::uint64_t buckets[probe_bucket_count + 1] = {}; ///< per bucket (last: +Inf), not cumulative
    std::uint64_t count = 0;
    std::int64_t sum_us = 0;

    void observe(std::chrono::microseconds latency);
};

/// One entry of the recent-transitions list (status page, `/transitions`).
struct TransitionRecord
{
    std::chrono::system_clock::time_point at;
    std::string kind; ///< "neighbor", "vip" or "check"
    std::string name;
    std::string from;
    std::string to;
    std::string cause;
};

/// Counters and histograms the status reply does not carry, fed by the daemon on events.
/// Series of names no longer in the status reply (removed by a reload) are not rendered.
class MetricsRecorder
{
public:
    /// Keeps the newest `recent_limit` transitions of every kind together.
    explicit MetricsRecorder(std::size_t recent_limit = 100) : recent_limit_(recent_limit) {}

    /// A BGP FSM transition. Only changes into or out of Established enter the recent list
    /// (Connect/Active retries every few seconds would push everything else out); the status
    /// reply has the session counters.
    void on_session_transition(std::string_view neighbor, bgp::State from, bgp::State to,
                               std::string_view cause, std::chrono::system_clock::time_point at);
    /// A NOTIFICATION sent or received (RFC 4271 §4.5 code/subcode).
    void on_notification(std::string_view neighbor, bool sent, std::uint8_t code,
                         std::uint8_t subcode);
    /// A VIP state change ("waiting", "announced", …, announce::to_string(VipState)).
    void on_vip_transition(std::string_view vip, std::string_view from, std::string_view to,
                           std::string_view cause, std::chrono::system_clock::time_point at);
    /// A check state change (health::to_string(State)).
    void on_check_transition(std::string_view check, std::string_view from, std::string_view to,
                             std::string_view cause, std::chrono::system_clock::time_point at);
    /// One finished probe: its latency, and when not up, its typed reason (the `cause` label,
    /// health::to_string(Reason): low cardinality by construction).
    void on_probe(std::string_view check, std::chrono::microseconds latency, bool up,
                  health::Reason reason);
    /// A failure an event-driven check reported between probes (a watched process exited):
    /// counted under its reason like a probe's, with no latency.
    void on_check_event(std::string_view check, health::Reason reason);

    /// One finished hook run; `result` is "ok", "failed", "timeout" or "error" (hooks.hpp).
    void on_hook_run(std::string_view hook, std::string_view result);

    /// The recent transitions, newest first: [{"time","kind","name","from","to","cause"}].
    [[nodiscard]] nlohmann::json recent_transitions() const;

    using Counts = std::map<std::string, std::uint64_t, std::less<>>; ///< label value -> count
    using NotificationCounts = std::map<std::pair<std::uint8_t, std::uint8_t>, std::uint64_t>;
    struct NeighborCounts
    {
        NotificationCounts notifications_sent;     ///< by (code, subcode)
        NotificationCounts notifications_received; ///< by (code, subcode)
    };
    struct VipCounts
    {
        Counts transitions; ///< by destination state
    };
    struct CheckCounts
    {
        Counts transitions; ///< by destination state
        Counts failures;    ///< by health::to_string(Reason)
        LatencyHistogram latency;
    };
    using CheckTable = std::map<std::string, CheckCounts, std::less<>>;

    [[nodiscard]] const std::map<std::string, NeighborCounts, std::less<>>& neighbors() const
    {
        return neighbors_;
    }
    [[nodiscard]] const std::map<std::string, VipCounts, std::less<>>& vips() const
    {
        return vips_;
    }
    [[nodiscard]] const CheckTable& checks() const { return checks_; }
    /// Hook runs by hook, then by result.
    [[nodiscard]] const std::map<std::string, Counts, std::less<>>& hook_runs() const
    {
        return hook_runs_;
    }

private:
    void remember(TransitionRecord record);

    std::size_t recent_limit_;
    std::deque<TransitionRecord> recent_; ///< oldest first
    std::map<std::string, NeighborCounts, std::less<>> neighbors_;
    std::map<std::string, VipCounts, std::less<>> vips_;
    CheckTable checks_;
    std::map<std::string, Counts, std::less<>> hook_runs_;
};

/// {"time","kind","name","from","to","cause"}: one transition as /transitions and
/// `vipctl watch` show it.
[[nodiscard]] nlohmann::json to_json(const TransitionRecord& record);

/// One neighbor of the status reply ("neighbors"), as far as metrics need it.
struct NeighborSample
{
    std::string name;
    std::string address;
    std::string state;   ///< "Idle" … "Established"
    double uptime_s = 0; ///< 0 when not Established
    std::uint64_t messages_sent = 0, messages_received = 0;
    std::uint64_t updates_sent = 0, updates_received = 0;
    std::uint64_t prefixes_announced = 0, prefixes_received = 0;
    std::uint64_t established_count = 0;
    std::uint64_t backoff_failures = 0; ///< failures counted for the idle-hold back-off
    double idle_hold_s = 0;             ///< the IdleHoldTime the next session end waits
    /// The neighbor's BFD session (RFC 5880), when BFD is on for it.
    struct Bfd
    {
        std::string state; ///< "AdminDown", "Down", "Init", "Up"
        double transitions = 0;
        double packets_dropped = 0;
        double detection_time_s = 0;
    };
    std::optional<Bfd> bfd;
};

/// One VIP of the status reply ("vips").
struct VipSample
{
    std::string name;
    std::string state; ///< announce::to_string(VipState)
    std::uint64_t prefixes = 0;
    bool drained = false;
    bool suppressed = false; ///< flap damping holds it down
    std::uint64_t flaps = 0; ///< damping flap count (decays)
};

/// One check of the status reply ("checks").
struct CheckSample
{
    std::string name;
    std::string kind;
    std::string state; ///< health::to_string(State)
    bool serving = false;
    std::optional<double> latency_ms; ///< of the last probe; none before the first
    std::uint64_t probes = 0;
    std::uint64_t failures = 0;
};

/// Everything /metrics shows; built by metrics_input() from the daemon's state.
struct MetricsInput
{
    std::string version;
    std::vector<NeighborSample> neighbors;
    std::vector<VipSample> vips;
    std::vector<CheckSample> checks;
    /// BFD packets that reached no session: reason ("bad-version", ...) and count.
    std::vector<std::pair<std::string, double>> bfd_dropped_no_session;
    const MetricsRecorder* recorder = nullptr; ///< optional: event counters and histograms
};

/// Reads the daemon's "status" reply ({"version","neighbors","vips","checks"}, see
/// daemon_control.cpp). Missing or mistyped fields read as zero/empty; never throws.
[[nodiscard]] MetricsInput metrics_input(const nlohmann::json& status,
                                         const MetricsRecorder* recorder);

/// The Prometheus text exposition (format 0.0.4): HELP and TYPE for every family, label values
/// escaped, series in input order, families in a fixed order. Pure.
[[nodiscard]] std::string render_metrics(const MetricsInput& input);

/// Prometheus label-value escaping: backslash, double quote and newline.
[[nodiscard]] std::string escape_label_value(std::string_view value);

/// "2026-11-21T12:04:05.123Z" (UTC, milliseconds).
[[nodiscard]] std::string format_utc(std::chrono::system_clock::time_point at);

} // namespace vipd::cli
