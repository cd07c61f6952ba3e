// Prometheus text exposition of the daemon's state (see metrics.hpp, docs/http-status.md).
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).
// Must not: read clocks, sockets or the daemon; every value comes in through MetricsInput.
#include "cli/status/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "announce/policy.hpp"
#include "bgp/fsm.hpp"
#include "cli/control/reply_json.hpp"
#include "health/rise_fall.hpp"

namespace vipd::cli {

namespace {

/// "0.001" … "10": the `le` label of each bucket of probe_buckets_us.
constexpr std::string_view bucket_labels[] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25",  "0.5",    "1",     "2.5",  "5",     "10",
};
static_assert(std::size(bucket_labels) == probe_bucket_count);

template <typename Enum, std::size_t N> std::vector<std::string> names_of(const Enum (&values)[N])
{
    std::vector<std::string> out;
    for (auto v : values)
        out.emplace_back(to_string(v));
    return out;
}

const std::vector<std::string>& bgp_states()
{
    using S = bgp::State;
    static const auto names =
        names_of({S::idle, S::connect, S::active, S::open_sent, S::open_confirm, S::established});
    return names;
}

const std::vector<std::string>& vip_states()
{
    using S = announce::VipState;
    static const auto names = names_of({S::waiting, S::announced, S::degraded, S::withdrawn,
                                        S::held_down, S::draining, S::drained});
    return names;
}

const std::vector<std::string>& check_states()
{
    using S = health::State;
    static const auto names =
        names_of({S::init, S::rising, S::up, S::falling, S::down, S::disabled, S::maint, S::drain});
    return names;
}

std::string escape_help(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

/// Writes families: HELP/TYPE header, then series lines.
class Exposition
{
public:
    void family(std::string_view name, std::string_view type, std::string_view help)
    {
        fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name,
                       escape_help(help), name, type);
    }

    /// `labels`: name/value pairs; values are escaped here.
    template <typename Value>
    void sample(std::string_view name,
                std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
                Value value)
    {
        out_ += name;
        if (labels.size() > 0) {
            out_ += '{';
            bool first = true;
            for (const auto& [k, v] : labels) {
                fmt::format_to(std::back_inserter(out_), "{}{}=\"{}\"", first ? "" : ",", k,
                               escape_label_value(v));
                first = false;
            }
            out_ += '}';
        }
        fmt::format_to(std::back_inserter(out_), " {}\n", value);
    }

    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    std::string out_;
};

/// One gauge per known state (1 for the current one, 0 for the others); an unknown current
/// state is added as its own series so that it is never lost.
void state_set(Exposition& e, std::string_view metric, std::string_view key, std::string_view name,
               const std::vector<std::string>& states, std::string_view current)
{
    bool known = false;
    for (const auto& s : states) {
        e.sample(metric, {{key, name}, {"state", s}}, s == current ? 1 : 0);
        known = known || s == current;
    }
    if (!known && !current.empty())
        e.sample(metric, {{key, name}, {"state", current}}, 1);
}

template <typename Map> const typename Map::mapped_type* lookup(const Map* m, std::string_view key)
{
    if (!m)
        return nullptr;
    const auto it = m->find(key);
    return it == m->end() ? nullptr : &it->second;
}

/// vipd_bfd_dropped_packets_total: packets of no session per reason, while BFD is in use or
/// once one was dropped (a neighbor's BFD removed by a reload leaves its port open).
void render_bfd_unmatched(Exposition& e, const MetricsInput& in, bool bfd_in_use)
{
    const auto& drops = in.bfd_dropped_no_session;
    if (!bfd_in_use &&
        std::none_of(drops.begin(), drops.end(), [](const auto& d) { return d.second > 0; }))
        return;
    e.family("vipd_bfd_dropped_packets_total", "counter",
             "BFD packets that matched no session (malformed per RFC 5880 section 6.8.6, unknown "
             "discriminator or peer), per reason.");
    for (const auto& [reason, count] : drops)
        e.sample("vipd_bfd_dropped_packets_total", {{"reason", reason}}, count);
}

void render_bfd(Exposition& e, const MetricsInput& in)
{
    const bool bfd_in_use = std::any_of(in.neighbors.begin(), in.neighbors.end(),
                                        [](const auto& n) { return n.bfd.has_value(); });
    render_bfd_unmatched(e, in, bfd_in_use);
    // No BFD session series at all while no neighbor uses BFD.
    if (!bfd_in_use)
        return;
    static const std::vector<std::string> states{"AdminDown", "Down", "Init", "Up"};
    e.family("vipd_bfd_session_state", "gauge",
             "BFD session state (RFC 5880 section 6.8.1): 1 for the current state.");
    for (const auto& n : in.neighbors)
        if (n.bfd)
            state_set(e, "vipd_bfd_session_state", "neighbor", n.name, states, n.bfd->state);
    struct Series
    {
        std::string_view name, type, help;
        double NeighborSample::Bfd::*field;
    };
    static constexpr Series series[] = {
        {"vipd_bfd_session_transitions_total", "counter", "BFD session state changes.",
         &NeighborSample::Bfd::transitions},
        {"vipd_bfd_detection_time_seconds", "gauge",
         "BFD detection time (RFC 5880 section 6.8.4); 0 before a packet was received.",
         &NeighborSample::Bfd::detection_time_s},
        {"vipd_bfd_packets_dropped_total", "counter",
         "BFD packets for the session discarded (authentication, TTL).",
         &NeighborSample::Bfd::packets_dropped},
    };
    for (const auto& x : series) {
        e.family(x.name, x.type, x.help);
        for (const auto& n : in.neighbors)
            if (n.bfd)
                e.sample(x.name, {{"neighbor", n.name}}, (*n.bfd).*x.field);
    }
}

void render_neighbors(Exposition& e, const MetricsInput& in)
{
    e.family("vipd_bgp_session_state", "gauge",
             "BGP FSM state of the session (RFC 4271 section 8): 1 for the current state.");
    for (const auto& n : in.neighbors)
        state_set(e, "vipd_bgp_session_state", "neighbor", n.name, bgp_states(), n.state);
    e.family("vipd_bgp_session_established", "gauge", "1 when the session is Established, else 0.");
    for (const auto& n : in.neighbors)
        e.sample("vipd_bgp_session_established", {{"neighbor", n.name}},
                 n.state == bgp::to_string(bgp::State::established) ? 1 : 0);
    e.family("vipd_bgp_session_uptime_seconds", "gauge",
             "Seconds since the session became Established; 0 when it is not.");
    for (const auto& n : in.neighbors)
        e.sample("vipd_bgp_session_uptime_seconds", {{"neighbor", n.name}}, n.uptime_s);
    e.family("vipd_bgp_session_establishments_total", "counter",
             "Times the session reached Established.");
    for (const auto& n : in.neighbors)
        e.sample("vipd_bgp_session_establishments_total", {{"neighbor", n.name}},
                 n.established_count);
    e.family("vipd_bgp_session_backoff_failures", "gauge",
             "Session failures counted for the idle-hold back-off (RFC 4271 section 8.1.1); 0 "
             "after a stable session, a router's Cease or `vipctl neighbor NAME reset`.");
    for (const auto& n : in.neighbors)
        e.sample("vipd_bgp_session_backoff_failures", {{"neighbor", n.name}}, n.backoff_failures);
    e.family("vipd_bgp_session_idle_hold_seconds", "gauge",
             "IdleHoldTime: how long the session waits in Idle after it ends, doubled per failure "
             "up to max-idle-hold-time.");
    for (const auto& n : in.neighbors)
        e.sample("vipd_bgp_session_idle_hold_seconds", {{"neighbor", n.name}}, n.idle_hold_s);

    struct Counter
    {
        std::string_view name, type, help;
        std::uint64_t NeighborSample::*field;
    };
    static constexpr Counter counters[] = {
        {"vipd_bgp_messages_sent_total", "counter", "BGP messages sent, all types.",
         &NeighborSample::messages_sent},
        {"vipd_bgp_messages_received_total", "counter", "BGP messages received, all types.",
         &NeighborSample::messages_received},
        {"vipd_bgp_updates_sent_total", "counter", "BGP UPDATE messages sent.",
         &NeighborSample::updates_sent},
        {"vipd_bgp_updates_received_total", "counter", "BGP UPDATE messages received.",
         &NeighborSample::updates_received},
        {"vipd_bgp_prefixes_announced", "gauge",
         "Prefixes in the Adj-RIB-Out of the session, as sent.",
         &NeighborSample::prefixes_announced},
        {"vipd_bgp_prefixes_received", "gauge", "Prefixes received from the neighbor.",
         &NeighborSample::prefixes_received},
    };
    for (const auto& c : counters) {
        e.family(c.name, c.type, c.help);
        for (const auto& n : in.neighbors)
            e.sample(c.name, {{"neighbor", n.name}}, n.*c.field);
    }
}

void render_notifications(Exposition& e, const MetricsInput& in)
{
    for (const bool sent : {true, false}) {
        const std::string_view name =
            sent ? "vipd_bgp_notifications_sent_total" : "vipd_bgp_notifications_received_total";
        e.family(name, "counter",
                 sent ? "NOTIFICATION messages sent, by error code and subcode."
                      : "NOTIFICATION messages received, by error code and subcode.");
        for (const auto& n : in.neighbors) {
            const auto* counts = lookup(in.recorder ? &in.recorder->neighbors() : nullptr, n.name);
            if (!counts)
                continue;
            for (const auto& [cs, count] :
                 sent ? counts->notifications_sent : counts->notifications_received)
                e.sample(name,
                         {{"neighbor", n.name},
                          {"code", std::to_string(cs.first)},
                          {"subcode", std::to_string(cs.second)}},
                         count);
        }
    }
}

void render_vips(Exposition& e, const MetricsInput& in)
{
    e.family("vipd_vip_state", "gauge", "State of the VIP: 1 for the current state.");
    for (const auto& v : in.vips)
        state_set(e, "vipd_vip_state", "vip", v.name, vip_states(), v.state);
    e.family("vipd_vip_transitions_total", "counter",
             "VIP state changes since vipd started, by the state entered.");
    for (const auto& v : in.vips)
        if (const auto* c = lookup(in.recorder ? &in.recorder->vips() : nullptr, v.name))
            for (const auto& [to, count] : c->transitions)
                e.sample("vipd_vip_transitions_total", {{"vip", v.name}, {"to", to}}, count);
    e.family("vipd_vip_prefixes", "gauge", "Prefixes configured for the VIP.");
    for (const auto& v : in.vips)
        e.sample("vipd_vip_prefixes", {{"vip", v.name}}, v.prefixes);
    e.family("vipd_vip_drained", "gauge", "1 while the VIP is drained by the operator.");
    for (const auto& v : in.vips)
        e.sample("vipd_vip_drained", {{"vip", v.name}}, v.drained ? 1 : 0);
    e.family("vipd_vip_damping_suppressed", "gauge", "1 while flap damping holds the VIP down.");
    for (const auto& v : in.vips)
        e.sample("vipd_vip_damping_suppressed", {{"vip", v.name}}, v.suppressed ? 1 : 0);
    e.family("vipd_vip_damping_flaps", "gauge", "Current (decaying) flap count of the VIP.");
    for (const auto& v : in.vips)
        e.sample("vipd_vip_damping_flaps", {{"vip", v.name}}, v.flaps);
}

void render_histogram(Exposition& e, std::string_view check, const LatencyHistogram& h)
{
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < probe_bucket_count; ++i) {
        cumulative += h.buckets[i];
        e.sample("vipd_check_probe_duration_seconds_bucket",
                 {{"check", check}, {"le", bucket_labels[i]}}, cumulative);
    }
    e.sample("vipd_check_probe_duration_seconds_bucket", {{"check", check}, {"le", "+Inf"}},
             h.count);
    e.sample("vipd_check_probe_duration_seconds_sum", {{"check", check}},
             static_cast<double>(h.sum_us) / 1e6);
    e.sample("vipd_check_probe_duration_seconds_count", {{"check", check}}, h.count);
}

void render_checks(Exposition& e, const MetricsInput& in)
{
    const auto* table = in.recorder ? &in.recorder->checks() : nullptr;
    e.family("vipd_check_info", "gauge", "Kind of each health check (always 1).");
    for (const auto& c : in.checks)
        e.sample("vipd_check_info", {{"check", c.name}, {"kind", c.kind}}, 1);
    e.family("vipd_check_state", "gauge", "State of the health check: 1 for the current state.");
    for (const auto& c : in.checks)
        state_set(e, "vipd_check_state", "check", c.name, check_states(), c.state);
    e.family("vipd_check_serving", "gauge",
             "1 while the check's target takes traffic (up, falling, drain); "
             "rules count drain as down.");
    for (const auto& c : in.checks)
        e.sample("vipd_check_serving", {{"check", c.name}}, c.serving ? 1 : 0);
    e.family("vipd_check_last_probe_duration_seconds", "gauge",
             "Latency of the last finished probe.");
    for (const auto& c : in.checks)
        if (c.latency_ms) // whole microseconds: 8.6e-05
            e.sample("vipd_check_last_probe_duration_seconds", {{"check", c.name}},
                     std::round(*c.latency_ms * 1000.0) / 1e6);
    e.family("vipd_check_probes_total", "counter", "Probes finished.");
    for (const auto& c : in.checks)
        e.sample("vipd_check_probes_total", {{"check", c.name}}, c.probes);
    e.family("vipd_check_probe_failures_total", "counter",
             "Probes whose result was not up (timeouts included).");
    for (const auto& c : in.checks)
        e.sample("vipd_check_probe_failures_total", {{"check", c.name}}, c.failures);
    e.family("vipd_check_probe_failure_causes_total", "counter",
             "Failed probes seen by the recorder, by cause class.");
    for (const auto& c : in.checks)
        if (const auto* r = lookup(table, c.name))
            for (const auto& [cause, count] : r->failures)
                e.sample("vipd_check_probe_failure_causes_total",
                         {{"check", c.name}, {"cause", cause}}, count);
    e.family("vipd_check_transitions_total", "counter",
             "Check state changes since vipd started, by the state entered.");
    for (const auto& c : in.checks)
        if (const auto* r = lookup(table, c.name))
            for (const auto& [to, count] : r->transitions)
                e.sample("vipd_check_transitions_total", {{"check", c.name}, {"to", to}}, count);
    e.family("vipd_check_probe_duration_seconds", "histogram",
             "Probe latency, as seen by the recorder.");
    static const LatencyHistogram empty{};
    for (const auto& c : in.checks) {
        const auto* r = lookup(table, c.name);
        render_histogram(e, c.name, r ? r->latency : empty);
    }
}

void render_hooks(Exposition& e, const MetricsInput& in)
{
    e.family("vipd_hook_runs_total", "counter",
             "Hook runs since vipd started, by result (ok, failed, timeout, error).");
    if (!in.recorder)
        return;
    for (const auto& [hook, results] : in.recorder->hook_runs())
        for (const auto& [result, count] : results)
            e.sample("vipd_hook_runs_total", {{"hook", hook}, {"result", result}}, count);
}

// ---- reading the status reply -----------------------------------------------------------------

using reply::array_of;
using reply::count_of;
using reply::flag_of;
using reply::number_of;
using reply::text_of;

} // namespace

void LatencyHistogram::observe(std::chrono::microseconds latency)
{
    const auto us = std::max<std::int64_t>(0, latency.count());
    std::size_t i = 0;
    while (i < probe_bucket_count && us > probe_buckets_us[i])
        ++i;
    ++buckets[i];
    ++count;
    sum_us += us;
}

std::string escape_label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_utc(std::chrono::system_clock::time_point at)
{
    const auto ms = std::chrono::floor<std::chrono::milliseconds>(at);
    const std::time_t t =
        std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(ms));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    const auto frac = (ms.time_since_epoch() % std::chrono::seconds(1)).count();
    return fmt::format("{}.{:03}Z", buf, (frac + 1000) % 1000);
}

// ---- MetricsRecorder --------------------------------------------------------------------------

void MetricsRecorder::remember(TransitionRecord record)
{
    if (recent_limit_ == 0)
        return;
    if (recent_.size() == recent_limit_)
        recent_.pop_front();
    recent_.push_back(std::move(record));
}

void MetricsRecorder::on_session_transition(std::string_view neighbor, bgp::State from,
                                            bgp::State to, std::string_view cause,
                                            std::chrono::system_clock::time_point at)
{
    using bgp::State;
    if (from != State::established && to != State::established)
        return;
    remember({at, "neighbor", std::string(neighbor), std::string(bgp::to_string(from)),
              std::string(bgp::to_string(to)), std::string(cause)});
}

void MetricsRecorder::on_notification(std::string_view neighbor, bool sent, std::uint8_t code,
                                      std::uint8_t subcode)
{
    auto it = neighbors_.find(neighbor);
    if (it == neighbors_.end())
        it = neighbors_.emplace(std::string(neighbor), NeighborCounts{}).first;
    auto& counts = sent ? it->second.notifications_sent : it->second.notifications_received;
    ++counts[{code, subcode}];
}

namespace {

template <typename Map> typename Map::mapped_type& entry(Map& m, std::string_view key)
{
    auto it = m.find(key);
    if (it == m.end())
        it = m.emplace(std::string(key), typename Map::mapped_type{}).first;
    return it->second;
}

void bump(MetricsRecorder::Counts& counts, std::string_view key)
{
    ++entry(counts, key);
}

} // namespace

void MetricsRecorder::on_vip_transition(std::string_view vip, std::string_view from,
                                        std::string_view to, std::string_view cause,
                                        std::chrono::system_clock::time_point at)
{
    bump(entry(vips_, vip).transitions, to);
    remember({at, "vip", std::string(vip), std::string(from), std::string(to), std::string(cause)});
}

void MetricsRecorder::on_check_transition(std::string_view check, std::string_view from,
                                          std::string_view to, std::string_view cause,
                                          std::chrono::system_clock::time_point at)
{
    bump(entry(checks_, check).transitions, to);
    remember(
        {at, "check", std::string(check), std::string(from), std::string(to), std::string(cause)});
}

void MetricsRecorder::on_probe(std::string_view check, std::chrono::microseconds latency, bool up,
                               health::Reason reason)
{
    auto& c = entry(checks_, check);
    c.latency.observe(latency);
    if (!up)
        on_check_event(check, reason);
}

void MetricsRecorder::on_check_event(std::string_view check, health::Reason reason)
{
    bump(entry(checks_, check).failures,
         health::to_string(reason == health::Reason::none ? health::Reason::other : reason));
}

void MetricsRecorder::on_hook_run(std::string_view hook, std::string_view result)
{
    bump(entry(hook_runs_, hook), result);
}

nlohmann::json to_json(const TransitionRecord& record)
{
    return {{"time", format_utc(record.at)}, {"kind", record.kind}, {"name", record.name},
            {"from", record.from},           {"to", record.to},     {"cause", record.cause}};
}

nlohmann::json MetricsRecorder::recent_transitions() const
{
    nlohmann::json out = nlohmann::json::array();
    for (auto it = recent_.rbegin(); it != recent_.rend(); ++it)
        out.push_back(to_json(*it));
    return out;
}

// ---- rendering --------------------------------------------------------------------------------

MetricsInput metrics_input(const nlohmann::json& status, const MetricsRecorder* recorder)
{
    MetricsInput in;
    in.recorder = recorder;
    if (status.is_object())
        in.version = text_of(status, "version");
    for (const auto& n : array_of(status, "neighbors")) {
        if (!n.is_object())
            continue;
        NeighborSample s;
        s.name = text_of(n, "name");
        s.address = text_of(n, "address");
        s.state = text_of(n, "state");
        s.uptime_s = number_of(n, "uptime_s").value_or(0.0);
        s.messages_sent = count_of(n, "messages_sent");
        s.messages_received = count_of(n, "messages_received");
        s.updates_sent = count_of(n, "updates_sent");
        s.updates_received = count_of(n, "updates_received");
        s.prefixes_announced = count_of(n, "prefixes_announced");
        s.prefixes_received = count_of(n, "prefixes_received");
        s.established_count = count_of(n, "established_count");
        s.backoff_failures = count_of(n, "failures");
        s.idle_hold_s = number_of(n, "idle_hold_s").value_or(0.0);
        if (const auto b = n.find("bfd"); b != n.end() && b->is_object())
            s.bfd = NeighborSample::Bfd{text_of(*b, "state"),
                                        static_cast<double>(count_of(*b, "transitions")),
                                        static_cast<double>(count_of(*b, "packets_dropped")),
                                        number_of(*b, "detection_time_ms").value_or(0.0) / 1000};
        in.neighbors.push_back(std::move(s));
    }
    for (const auto& v : array_of(status, "vips")) {
        if (!v.is_object())
            continue;
        VipSample s;
        s.name = text_of(v, "name");
        s.state = text_of(v, "state");
        s.prefixes = array_of(v, "prefixes").size();
        s.drained = flag_of(v, "drained");
        if (const auto d = v.find("damping"); d != v.end() && d->is_object()) {
            s.suppressed = flag_of(*d, "suppressed");
            s.flaps = count_of(*d, "flaps");
        }
        in.vips.push_back(std::move(s));
    }
    if (const auto d = status.find("bfd_dropped_no_session");
        status.is_object() && d != status.end() && d->is_object())
        for (const auto& [reason, count] : d->items())
            in.bfd_dropped_no_session.emplace_back(reason,
                                                   static_cast<double>(count_of(*d, reason)));
    for (const auto& c : array_of(status, "checks")) {
        if (!c.is_object())
            continue;
        CheckSample s;
        s.name = text_of(c, "name");
        s.kind = text_of(c, "kind");
        s.state = text_of(c, "state");
        s.serving = flag_of(c, "serving");
        s.latency_ms = number_of(c, "latency_ms");
        s.probes = count_of(c, "probes");
        s.failures = count_of(c, "failures");
        in.checks.push_back(std::move(s));
    }
    return in;
}

std::string render_metrics(const MetricsInput& in)
{
    Exposition e;
    e.family("vipd_build_info", "gauge", "vipd version (always 1).");
    e.sample("vipd_build_info", {{"version", in.version}}, 1);
    render_neighbors(e, in);
    render_bfd(e, in);
    render_notifications(e, in);
    render_vips(e, in);
    render_checks(e, in);
    render_hooks(e, in);
    return e.take();
}

} // namespace vipd::cli
