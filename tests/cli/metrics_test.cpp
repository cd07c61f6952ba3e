// Prometheus rendering (cli/status/metrics.hpp): exact text for a small input, label escaping, the
// failure-cause classifier, histogram buckets, reading the daemon's status reply, and the
// recorder's recent-transitions list. Pure: no sockets, no clock.
#include <algorithm>
#include <chrono>

#include <catch2/catch.hpp>

#include "cli/status/metrics.hpp"

using nlohmann::json;
using vipd::bgp::State;
using namespace std::chrono_literals;
using vipd::cli::escape_label_value;
using vipd::cli::MetricsInput;
using vipd::cli::MetricsRecorder;
using vipd::cli::render_metrics;
using vipd::health::Reason;

namespace {

std::chrono::system_clock::time_point at(std::int64_t unix_ms)
{
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(unix_ms));
}

MetricsInput small_input(const MetricsRecorder* recorder)
{
    MetricsInput in;
    in.version = "1.2.3";
    vipd::cli::NeighborSample n;
    n.name = "rtr";
    n.address = "192.0.2.1";
    n.state = "Established";
    n.uptime_s = 12.5;
    n.messages_sent = 10;
    n.messages_received = 9;
    n.updates_sent = 3;
    n.updates_received = 1;
    n.prefixes_announced = 2;
    n.prefixes_received = 0;
    n.established_count = 1;
    n.backoff_failures = 2;
    n.idle_hold_s = 8;
    in.neighbors.push_back(n);
    vipd::cli::VipSample v;
    v.name = "web";
    v.state = "announced";
    v.prefixes = 2;
    v.flaps = 1;
    in.vips.push_back(v);
    vipd::cli::CheckSample c;
    c.name = "http";
    c.kind = "http";
    c.state = "up";
    c.serving = true;
    c.latency_ms = 12;
    c.probes = 5;
    c.failures = 2;
    in.checks.push_back(c);
    in.recorder = recorder;
    return in;
}

// The whole exposition for small_input() with the events of the golden test.
constexpr std::string_view golden = R"(# HELP vipd_build_info vipd version (always 1).
# TYPE vipd_build_info gauge
vipd_build_info{version="1.2.3"} 1
# HELP vipd_bgp_session_state BGP FSM state of the session (RFC 4271 section 8): 1 for the current state.
# TYPE vipd_bgp_session_state gauge
vipd_bgp_session_state{neighbor="rtr",state="Idle"} 0
vipd_bgp_session_state{neighbor="rtr",state="Connect"} 0
vipd_bgp_session_state{neighbor="rtr",state="Active"} 0
vipd_bgp_session_state{neighbor="rtr",state="OpenSent"} 0
vipd_bgp_session_state{neighbor="rtr",state="OpenConfirm"} 0
vipd_bgp_session_state{neighbor="rtr",state="Established"} 1
# HELP vipd_bgp_session_established 1 when the session is Established, else 0.
# TYPE vipd_bgp_session_established gauge
vipd_bgp_session_established{neighbor="rtr"} 1
# HELP vipd_bgp_session_uptime_seconds Seconds since the session became Established; 0 when it is not.
# TYPE vipd_bgp_session_uptime_seconds gauge
vipd_bgp_session_uptime_seconds{neighbor="rtr"} 12.5
# HELP vipd_bgp_session_establishments_total Times the session reached Established.
# TYPE vipd_bgp_session_establishments_total counter
vipd_bgp_session_establishments_total{neighbor="rtr"} 1
# HELP vipd_bgp_session_backoff_failures Session failures counted for the idle-hold back-off (RFC 4271 section 8.1.1); 0 after a stable session, a router's Cease or `vipctl neighbor NAME reset`.
# TYPE vipd_bgp_session_backoff_failures gauge
vipd_bgp_session_backoff_failures{neighbor="rtr"} 2
# HELP vipd_bgp_session_idle_hold_seconds IdleHoldTime: how long the session waits in Idle after it ends, doubled per failure up to max-idle-hold-time.
# TYPE vipd_bgp_session_idle_hold_seconds gauge
vipd_bgp_session_idle_hold_seconds{neighbor="rtr"} 8
# HELP vipd_bgp_messages_sent_total BGP messages sent, all types.
# TYPE vipd_bgp_messages_sent_total counter
vipd_bgp_messages_sent_total{neighbor="rtr"} 10
# HELP vipd_bgp_messages_received_total BGP messages received, all types.
# TYPE vipd_bgp_messages_received_total counter
vipd_bgp_messages_received_total{neighbor="rtr"} 9
# HELP vipd_bgp_updates_sent_total BGP UPDATE messages sent.
# TYPE vipd_bgp_updates_sent_total counter
vipd_bgp_updates_sent_total{neighbor="rtr"} 3
# HELP vipd_bgp_updates_received_total BGP UPDATE messages received.
# TYPE vipd_bgp_updates_received_total counter
vipd_bgp_updates_received_total{neighbor="rtr"} 1
# HELP vipd_bgp_prefixes_announced Prefixes in the Adj-RIB-Out of the session, as sent.
# TYPE vipd_bgp_prefixes_announced gauge
vipd_bgp_prefixes_announced{neighbor="rtr"} 2
# HELP vipd_bgp_prefixes_received Prefixes received from the neighbor.
# TYPE vipd_bgp_prefixes_received gauge
vipd_bgp_prefixes_received{neighbor="rtr"} 0
# HELP vipd_bgp_notifications_sent_total NOTIFICATION messages sent, by error code and subcode.
# TYPE vipd_bgp_notifications_sent_total counter
vipd_bgp_notifications_sent_total{neighbor="rtr",code="6",subcode="2"} 1
# HELP vipd_bgp_notifications_received_total NOTIFICATION messages received, by error code and subcode.
# TYPE vipd_bgp_notifications_received_total counter
# HELP vipd_vip_state State of the VIP: 1 for the current state.
# TYPE vipd_vip_state gauge
vipd_vip_state{vip="web",state="waiting"} 0
vipd_vip_state{vip="web",state="announced"} 1
vipd_vip_state{vip="web",state="degraded"} 0
vipd_vip_state{vip="web",state="withdrawn"} 0
vipd_vip_state{vip="web",state="held-down"} 0
vipd_vip_state{vip="web",state="draining"} 0
vipd_vip_state{vip="web",state="drained"} 0
# HELP vipd_vip_transitions_total VIP state changes since vipd started, by the state entered.
# TYPE vipd_vip_transitions_total counter
vipd_vip_transitions_total{vip="web",to="announced"} 1
# HELP vipd_vip_prefixes Prefixes configured for the VIP.
# TYPE vipd_vip_prefixes gauge
vipd_vip_prefixes{vip="web"} 2
# HELP vipd_vip_drained 1 while the VIP is drained by the operator.
# TYPE vipd_vip_drained gauge
vipd_vip_drained{vip="web"} 0
# HELP vipd_vip_damping_suppressed 1 while flap damping holds the VIP down.
# TYPE vipd_vip_damping_suppressed gauge
vipd_vip_damping_suppressed{vip="web"} 0
# HELP vipd_vip_damping_flaps Current (decaying) flap count of the VIP.
# TYPE vipd_vip_damping_flaps gauge
vipd_vip_damping_flaps{vip="web"} 1
# HELP vipd_check_info Kind of each health check (always 1).
# TYPE vipd_check_info gauge
vipd_check_info{check="http",kind="http"} 1
# HELP vipd_check_state State of the health check: 1 for the current state.
# TYPE vipd_check_state gauge
vipd_check_state{check="http",state="init"} 0
vipd_check_state{check="http",state="rising"} 0
vipd_check_state{check="http",state="up"} 1
vipd_check_state{check="http",state="falling"} 0
vipd_check_state{check="http",state="down"} 0
vipd_check_state{check="http",state="disabled"} 0
vipd_check_state{check="http",state="maint"} 0
vipd_check_state{check="http",state="drain"} 0
# HELP vipd_check_serving 1 while the check's target takes traffic (up, falling, drain); rules count drain as down.
# TYPE vipd_check_serving gauge
vipd_check_serving{check="http"} 1
# HELP vipd_check_last_probe_duration_seconds Latency of the last finished probe.
# TYPE vipd_check_last_probe_duration_seconds gauge
vipd_check_last_probe_duration_seconds{check="http"} 0.012
# HELP vipd_check_probes_total Probes finished.
# TYPE vipd_check_probes_total counter
vipd_check_probes_total{check="http"} 5
# HELP vipd_check_probe_failures_total Probes whose result was not up (timeouts included).
# TYPE vipd_check_probe_failures_total counter
vipd_check_probe_failures_total{check="http"} 2
# HELP vipd_check_probe_failure_causes_total Failed probes seen by the recorder, by cause class.
# TYPE vipd_check_probe_failure_causes_total counter
vipd_check_probe_failure_causes_total{check="http",cause="timeout"} 1
# HELP vipd_check_transitions_total Check state changes since vipd started, by the state entered.
# TYPE vipd_check_transitions_total counter
vipd_check_transitions_total{check="http",to="up"} 1
# HELP vipd_check_probe_duration_seconds Probe latency, as seen by the recorder.
# TYPE vipd_check_probe_duration_seconds histogram
vipd_check_probe_duration_seconds_bucket{check="http",le="0.001"} 0
vipd_check_probe_duration_seconds_bucket{check="http",le="0.0025"} 0
vipd_check_probe_duration_seconds_bucket{check="http",le="0.005"} 0
vipd_check_probe_duration_seconds_bucket{check="http",le="0.01"} 0
vipd_check_probe_duration_seconds_bucket{check="http",le="0.025"} 1
vipd_check_probe_duration_seconds_bucket{check="http",le="0.05"} 1
vipd_check_probe_duration_seconds_bucket{check="http",le="0.1"} 1
vipd_check_probe_duration_seconds_bucket{check="http",le="0.25"} 1
vipd_check_probe_duration_seconds_bucket{check="http",le="0.5"} 1
vipd_check_probe_duration_seconds_bucket{check="http",le="1"} 1
vipd_check_probe_duration_seconds_bucket{check="http",le="2.5"} 2
vipd_check_probe_duration_seconds_bucket{check="http",le="5"} 2
vipd_check_probe_duration_seconds_bucket{check="http",le="10"} 2
vipd_check_probe_duration_seconds_bucket{check="http",le="+Inf"} 2
vipd_check_probe_duration_seconds_sum{check="http"} 2.012
vipd_check_probe_duration_seconds_count{check="http"} 2
# HELP vipd_hook_runs_total Hook runs since vipd started, by result (ok, failed, timeout, error).
# TYPE vipd_hook_runs_total counter
vipd_hook_runs_total{hook="notify",result="ok"} 2
vipd_hook_runs_total{hook="notify",result="timeout"} 1
)";

// Lines of `text` that start with `prefix`.
std::vector<std::string> lines_with(const std::string& text, std::string_view prefix)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto end = text.find('\n', pos);
        const auto line = text.substr(pos, end - pos);
        if (line.rfind(prefix, 0) == 0)
            out.push_back(line);
        pos = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
}

} // namespace

TEST_CASE("render_metrics: exact exposition of a small daemon state", "[metrics]")
{
    MetricsRecorder r;
    r.on_notification("rtr", true, 6, 2);
    r.on_vip_transition("web", "waiting", "announced", "rule up", at(0));
    r.on_check_transition("http", "init", "up", "HTTP 200", at(0));
    r.on_probe("http", 12ms, true, Reason::none);
    r.on_probe("http", 2000ms, false, Reason::timeout);
    // A check removed by a reload: the recorder still has it, the status does not.
    r.on_check_transition("gone", "init", "down", "connect refused", at(0));
    r.on_probe("gone", 1ms, false, Reason::refused);
    r.on_hook_run("notify", "ok");
    r.on_hook_run("notify", "timeout");
    r.on_hook_run("notify", "ok");

    const auto text = render_metrics(small_input(&r));
    // Line by line first, so that a difference names its line.
    const auto got = lines_with(text, "");
    const auto want = lines_with(std::string(golden), "");
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
        INFO("line " << i + 1);
        CHECK(got[i] == want[i]);
    }
    CHECK(got.size() == want.size());
    CHECK(text == golden);
}

TEST_CASE("render_metrics: without a recorder the event families are empty", "[metrics]")
{
    const auto text = render_metrics(small_input(nullptr));
    CHECK(lines_with(text, "vipd_vip_transitions_total{").empty());
    CHECK(lines_with(text, "vipd_check_transitions_total{").empty());
    CHECK(lines_with(text, "vipd_check_probe_failure_causes_total{").empty());
    CHECK(lines_with(text, "vipd_hook_runs_total{").empty());
    // The histogram of a known check is there, all zero.
    CHECK(lines_with(text, "vipd_check_probe_duration_seconds_bucket{check=\"http\",le=\"+Inf\"} 0")
              .size() == 1);
    CHECK(lines_with(text, "vipd_check_probe_duration_seconds_count{check=\"http\"} 0").size() ==
          1);
    // HELP and TYPE come exactly once per family, TYPE right after HELP.
    CHECK(lines_with(text, "# HELP vipd_check_probe_duration_seconds ").size() == 1);
    CHECK(lines_with(text, "# TYPE ").size() == lines_with(text, "# HELP ").size());
}

TEST_CASE("render_metrics: label values are escaped", "[metrics]")
{
    CHECK(escape_label_value("plain") == "plain");
    CHECK(escape_label_value(R"(a\b)") == R"(a\\b)");
    CHECK(escape_label_value(R"(say "hi")") == R"(say \"hi\")");
    CHECK(escape_label_value("two\nlines") == R"(two\nlines)");
    CHECK(escape_label_value("\\\"\n") == R"(\\\"\n)");

    MetricsInput in;
    in.version = "v\"1\"";
    vipd::cli::CheckSample c;
    c.name = "we\"ird\\name\n";
    c.kind = "tcp";
    c.state = "down";
    in.checks.push_back(c);
    const auto text = render_metrics(in);
    CHECK(lines_with(text, "vipd_build_info{").at(0) == R"(vipd_build_info{version="v\"1\""} 1)");
    CHECK(lines_with(text, "vipd_check_info{").at(0) ==
          R"(vipd_check_info{check="we\"ird\\name\n",kind="tcp"} 1)");
    // No raw newline inside a series: every line is a comment or a complete sample.
    for (const auto& line : lines_with(text, "vipd_"))
        CHECK(line.find("} ") != std::string::npos);
}

TEST_CASE("render_metrics: a state outside the known set is still shown", "[metrics]")
{
    MetricsInput in;
    vipd::cli::VipSample v;
    v.name = "web";
    v.state = "martian";
    in.vips.push_back(v);
    const auto states = lines_with(render_metrics(in), "vipd_vip_state{");
    REQUIRE(states.size() == 8);
    CHECK(states.back() == R"(vipd_vip_state{vip="web",state="martian"} 1)");
    for (std::size_t i = 0; i + 1 < states.size(); ++i)
        CHECK(states[i].substr(states[i].size() - 2) == " 0");
}

TEST_CASE("LatencyHistogram: bucket bounds are inclusive upper limits", "[metrics]")
{
    vipd::cli::LatencyHistogram h;
    h.observe(0us);     // le 0.001
    h.observe(1000us);  // le 0.001 (bound is inclusive)
    h.observe(1001us);  // le 0.0025
    h.observe(10s);     // le 10
    h.observe(10001ms); // +Inf
    h.observe(-5ms);    // clamped to 0: le 0.001
    CHECK(h.buckets[0] == 3);
    CHECK(h.buckets[1] == 1);
    CHECK(h.buckets[vipd::cli::probe_bucket_count - 1] == 1);
    CHECK(h.buckets[vipd::cli::probe_bucket_count] == 1);
    CHECK(h.count == 6);
    CHECK(h.sum_us == 1000 + 1001 + 10'000'000 + 10'001'000);
}

TEST_CASE("metrics_input: reads the daemon's status reply", "[metrics]")
{
    // Shaped like Daemon::handle("status") (cli/daemon/daemon_control.cpp), nulls included.
    const json status = json::parse(R"({
      "ok": true, "version": "0.1.0",
      "neighbors": [
        {"name": "rtr", "address": "127.0.0.1", "remote_as": 65000, "state": "Established",
         "uptime_s": 3.25, "messages_sent": 7, "messages_received": 6, "updates_sent": 2,
         "updates_received": 0, "prefixes_announced": 1, "prefixes_received": 0,
         "established_count": 1, "families": ["ipv4"], "last_error": ""},
        {"name": "down", "address": "127.0.0.9", "state": "Active", "uptime_s": null,
         "messages_sent": 0, "messages_received": 0, "established_count": 0, "failures": 3,
         "idle_hold_s": 16.0, "next_attempt_in_s": 4.5}
      ],
      "vips": [
        {"name": "web", "state": "announced", "prefixes": ["198.51.100.10/32", "2001:db8::1/128"],
         "drained": false, "damping": {"flaps": 2, "suppressed": true, "held_until": null}}
      ],
      "checks": [
        {"name": "http", "kind": "http", "state": "up", "latency_ms": 4, "transitions": 1,
         "probes": 9, "failures": 1, "serving": true},
        {"name": "new", "kind": "tcp", "state": "init", "latency_ms": null, "probes": 0,
         "failures": 0, "serving": false}
      ]
    })");
    const auto in = vipd::cli::metrics_input(status, nullptr);
    CHECK(in.version == "0.1.0");
    REQUIRE(in.neighbors.size() == 2);
    CHECK(in.neighbors[0].name == "rtr");
    CHECK(in.neighbors[0].state == "Established");
    CHECK(in.neighbors[0].uptime_s == 3.25);
    CHECK(in.neighbors[0].messages_sent == 7);
    CHECK(in.neighbors[0].updates_sent == 2);
    CHECK(in.neighbors[0].prefixes_announced == 1);
    CHECK(in.neighbors[1].uptime_s == 0);
    CHECK(in.neighbors[0].backoff_failures == 0);
    CHECK(in.neighbors[1].backoff_failures == 3);
    CHECK(in.neighbors[1].idle_hold_s == 16.0);
    REQUIRE(in.vips.size() == 1);
    CHECK(in.vips[0].prefixes == 2);
    CHECK(in.vips[0].suppressed);
    CHECK(in.vips[0].flaps == 2);
    REQUIRE(in.checks.size() == 2);
    CHECK(in.checks[0].latency_ms == 4.0);
    CHECK(in.checks[0].probes == 9);
    CHECK(in.checks[0].serving);
    CHECK_FALSE(in.checks[1].latency_ms.has_value());

    const auto text = render_metrics(in);
    CHECK(lines_with(text, "vipd_check_last_probe_duration_seconds{").size() == 1);
    CHECK(lines_with(text, "vipd_bgp_session_established{neighbor=\"down\"} 0").size() == 1);
    CHECK(lines_with(text, "vipd_vip_damping_suppressed{vip=\"web\"} 1").size() == 1);
}

TEST_CASE("metrics_input: mistyped or missing fields read as empty, never throw", "[metrics]")
{
    CHECK_NOTHROW(vipd::cli::metrics_input(json(nullptr), nullptr));
    CHECK_NOTHROW(vipd::cli::metrics_input(json::array(), nullptr));
    const json odd = json::parse(R"({
      "version": 3,
      "neighbors": [7, {"name": "n", "messages_sent": "many", "uptime_s": "long",
                        "updates_sent": -4}],
      "vips": {"not": "an array"},
      "checks": [{"name": "c", "serving": "yes", "latency_ms": "fast", "damping": 1}]
    })");
    const auto in = vipd::cli::metrics_input(odd, nullptr);
    CHECK(in.version.empty());
    REQUIRE(in.neighbors.size() == 1);
    CHECK(in.neighbors[0].name == "n");
    CHECK(in.neighbors[0].messages_sent == 0);
    CHECK(in.neighbors[0].updates_sent == 0);
    CHECK(in.neighbors[0].uptime_s == 0);
    CHECK(in.vips.empty());
    REQUIRE(in.checks.size() == 1);
    CHECK_FALSE(in.checks[0].serving);
    CHECK_FALSE(in.checks[0].latency_ms.has_value());
    CHECK_NOTHROW(render_metrics(in));
}

TEST_CASE("MetricsRecorder: recent transitions, newest first, bounded", "[metrics]")
{
    MetricsRecorder r(3);
    CHECK(r.recent_transitions() == json::array());
    r.on_session_transition("rtr", State::open_confirm, State::established, "KEEPALIVE received",
                            at(1'700'000'000'000));
    r.on_check_transition("web", "init", "up", "HTTP 200", at(1'700'000'000'250));
    r.on_vip_transition("vip1", "waiting", "announced", "rule up", at(1'700'000'001'007));
    r.on_check_transition("web", "up", "falling", "HTTP 503", at(1'700'000'002'000));

    const auto recent = r.recent_transitions();
    REQUIRE(recent.size() == 3);
    CHECK(recent[0] == json{{"time", "2023-11-14T22:13:22.000Z"},
                            {"kind", "check"},
                            {"name", "web"},
                            {"from", "up"},
                            {"to", "falling"},
                            {"cause", "HTTP 503"}});
    CHECK(recent[1]["kind"] == "vip");
    CHECK(recent[1]["time"] == "2023-11-14T22:13:21.007Z");
    CHECK(recent[2]["kind"] == "check");
    CHECK(recent[2]["time"] == "2023-11-14T22:13:20.250Z");
    // The oldest (the session transition) fell out; the counters keep everything.
    CHECK(r.checks().at("web").transitions.at("up") == 1);
    CHECK(r.checks().at("web").transitions.at("falling") == 1);
    CHECK(r.vips().at("vip1").transitions.at("announced") == 1);

    // Session retries (Connect <-> Active) are not kept; changes of Established are.
    MetricsRecorder sessions;
    sessions.on_session_transition("rtr", State::idle, State::connect, "manual start", at(0));
    sessions.on_session_transition("rtr", State::connect, State::active, "connect failed", at(1));
    sessions.on_session_transition("rtr", State::open_confirm, State::established, "KEEPALIVE",
                                   at(2));
    sessions.on_session_transition("rtr", State::established, State::idle, "hold timer expired",
                                   at(3));
    const auto kept = sessions.recent_transitions();
    REQUIRE(kept.size() == 2);
    CHECK(kept[0]["to"] == "Idle");
    CHECK(kept[1]["to"] == "Established");
    CHECK(kept[1]["kind"] == "neighbor");

    MetricsRecorder none(0);
    none.on_check_transition("web", "init", "up", "", at(0));
    CHECK(none.recent_transitions().empty());
    CHECK(none.checks().at("web").transitions.at("up") == 1);
}

TEST_CASE("MetricsRecorder: probes feed the histogram and failure causes", "[metrics]")
{
    MetricsRecorder r;
    r.on_probe("web", 3ms, true, Reason::none);
    r.on_probe("web", 2s, false, Reason::timeout);
    r.on_probe("web", 1ms, false, Reason::refused);
    r.on_probe("web", 1ms, false, Reason::refused);
    const auto& c = r.checks().at("web");
    CHECK(c.latency.count == 4);
    CHECK(c.latency.sum_us == 2'005'000);
    CHECK(c.failures.size() == 2);
    CHECK(c.failures.at("timeout") == 1);
    CHECK(c.failures.at("refused") == 2);
    CHECK(c.transitions.empty());
}

TEST_CASE("MetricsRecorder: failure causes are the typed reasons, never the text", "[metrics]")
{
    MetricsRecorder r;
    r.on_probe("web", 1ms, false, Reason::body_mismatch);
    r.on_probe("web", 1ms, false, Reason::exit_status);
    r.on_probe("web", 1ms, false, Reason::none); // not up without a reason: other
    const auto& c = r.checks().at("web");
    CHECK(c.failures.at("http_body") == 1);
    CHECK(c.failures.at("exit") == 1);
    CHECK(c.failures.at("other") == 1);
}

TEST_CASE("format_utc: milliseconds, UTC", "[metrics]")
{
    CHECK(vipd::cli::format_utc(at(0)) == "1970-01-01T00:00:00.000Z");
    CHECK(vipd::cli::format_utc(at(1'700'000'000'999)) == "2023-11-14T22:13:20.999Z");
}

TEST_CASE("metrics: sub-millisecond probe latency is written in whole microseconds", "[metrics]")
{
    auto in = small_input(nullptr);
    in.checks[0].latency_ms = 0.086; // as the daemon reports 86 us
    const auto text = render_metrics(in);
    CHECK(
        lines_with(text, "vipd_check_last_probe_duration_seconds{check=\"http\"} 8.6e-05").size() ==
        1);
}

TEST_CASE("render_metrics: BFD series from the status reply, none without BFD", "[metrics]")
{
    const auto status = nlohmann::json::parse(R"({"neighbors": [
        {"name": "r1", "state": "Established",
         "bfd": {"state": "Up", "transitions": 3, "packets_dropped": 2,
                 "detection_time_ms": 300.0}},
        {"name": "r2", "state": "Idle", "bfd": null}]})");
    const auto text = render_metrics(vipd::cli::metrics_input(status, nullptr));
    CHECK(lines_with(text, "vipd_bfd_session_state{") ==
          std::vector<std::string>{R"(vipd_bfd_session_state{neighbor="r1",state="AdminDown"} 0)",
                                   R"(vipd_bfd_session_state{neighbor="r1",state="Down"} 0)",
                                   R"(vipd_bfd_session_state{neighbor="r1",state="Init"} 0)",
                                   R"(vipd_bfd_session_state{neighbor="r1",state="Up"} 1)"});
    CHECK(lines_with(text, "vipd_bfd_session_transitions_total{") ==
          std::vector<std::string>{R"(vipd_bfd_session_transitions_total{neighbor="r1"} 3)"});
    CHECK(lines_with(text, "vipd_bfd_detection_time_seconds{") ==
          std::vector<std::string>{R"(vipd_bfd_detection_time_seconds{neighbor="r1"} 0.3)"});
    CHECK(lines_with(text, "vipd_bfd_packets_dropped_total{") ==
          std::vector<std::string>{R"(vipd_bfd_packets_dropped_total{neighbor="r1"} 2)"});
    CHECK(lines_with(render_metrics(MetricsInput{}), "vipd_bfd").empty());
}

TEST_CASE("render_metrics: BFD packets of no session per reason", "[metrics]")
{
    const auto with_bfd = nlohmann::json::parse(R"({"neighbors": [
        {"name": "r1", "state": "Established", "bfd": {"state": "Up"}}],
        "bfd_dropped_no_session": {"bad-version": 2, "bad-length": 0, "no-session": 7}})");
    auto text = render_metrics(vipd::cli::metrics_input(with_bfd, nullptr));
    CHECK(lines_with(text, "vipd_bfd_dropped_packets_total{") ==
          std::vector<std::string>{R"(vipd_bfd_dropped_packets_total{reason="bad-length"} 0)",
                                   R"(vipd_bfd_dropped_packets_total{reason="bad-version"} 2)",
                                   R"(vipd_bfd_dropped_packets_total{reason="no-session"} 7)"});
    CHECK(lines_with(text, "# TYPE vipd_bfd_dropped_packets_total counter").size() == 1);
    // No neighbor uses BFD: the series appear only once a packet was dropped.
    auto none = nlohmann::json::parse(R"({"neighbors": [{"name": "r1", "state": "Idle"}],
        "bfd_dropped_no_session": {"bad-version": 0, "no-session": 0}})");
    CHECK(lines_with(render_metrics(vipd::cli::metrics_input(none, nullptr)), "vipd_bfd").empty());
    none["bfd_dropped_no_session"]["no-session"] = 1;
    CHECK(lines_with(render_metrics(vipd::cli::metrics_input(none, nullptr)),
                     "vipd_bfd_dropped_packets_total{") ==
          std::vector<std::string>{R"(vipd_bfd_dropped_packets_total{reason="bad-version"} 0)",
                                   R"(vipd_bfd_dropped_packets_total{reason="no-session"} 1)"});
    // Mistyped: read as zero, never thrown.
    none["bfd_dropped_no_session"] = "x";
    CHECK(lines_with(render_metrics(vipd::cli::metrics_input(none, nullptr)), "vipd_bfd").empty());
}
