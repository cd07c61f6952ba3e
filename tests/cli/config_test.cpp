// Configuration parsing: defaults, every kind of error with its exact message (file, line,
// column, JSON pointer, expectation), cross-references, RHI files, password files.
#include <catch2/catch.hpp>

#include "announce/leaf.hpp"
#include "cli/config/config.hpp"
#include "helpers/test_data.hpp"

using namespace std::chrono_literals;
using vipd::cli::Config;
using vipd::cli::parse_config;

namespace {

const std::filesystem::path data_dir = vipd::test::data_path("config");

Config parse_ok(std::string_view text)
{
    auto r = parse_config(text, "vipd.json", data_dir);
    if (!r) {
        for (const auto& e : r.error())
            UNSCOPED_INFO(to_string(e));
    }
    REQUIRE(r);
    return *r;
}

std::vector<std::string> errors_of(std::string_view text,
                                   const std::filesystem::path& base = data_dir)
{
    auto r = parse_config(text, "vipd.json", base);
    REQUIRE_FALSE(r);
    std::vector<std::string> out;
    for (const auto& e : r.error())
        out.push_back(to_string(e));
    return out;
}

// A minimal valid document with `rest` added after "global".
std::string with_global(std::string_view rest)
{
    return std::string(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001})J") +
           std::string(rest) + "}";
}

using Errors = std::vector<std::string>;

} // namespace

TEST_CASE("a minimal configuration gets the documented defaults", "[config]")
{
    const Config c = parse_ok(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001}})J");
    CHECK(c.global.router_id.to_string() == "192.0.2.1");
    CHECK(c.global.local_as == 65001u);
    CHECK(c.global.listen.empty());
    CHECK(c.global.state_dir == "/var/lib/vipd");
    CHECK(c.global.control_socket.path == "/run/vipd/vipd.sock");
    CHECK(c.global.control_socket.mode == 0660u);
    CHECK(c.global.control_socket.owner.empty());
    CHECK_FALSE(c.global.http_status);
    CHECK(c.global.log_level == vipd::cli::LogLevel::info);
    CHECK(c.global.log_format == vipd::cli::LogFormat::text);
    CHECK(c.global.startup_grace == 10s);
    CHECK_FALSE(c.global.loopback.enabled);
    CHECK(c.global.loopback.interface == "lo");
    CHECK(c.global.loopback.mode == vipd::cli::LoopbackMode::follow);
    CHECK(c.global.hostname.empty());
    CHECK(c.neighbors.empty());
    CHECK(c.checks.empty());
    CHECK(c.vips.empty());
}

TEST_CASE("global settings reach the speaker configuration", "[config]")
{
    const Config c = parse_ok(R"J({"global": {"router-id": "192.0.2.1", "local-as": 4200000000,
        "listen": ["192.0.2.1", "[2001:db8::1]:1179"], "hostname": "lb1.example.net",
        "http-status": "[::1]:9180", "log-format": "json", "startup-grace": 0,
        "control-socket": {"path": "run/vipd.sock", "mode": "0600", "group": "vipd"},
        "loopback": {"enabled": true, "interface": "dummy0"}}})J");
    const auto s = vipd::cli::speaker_config(c);
    CHECK(s.router_id.to_string() == "192.0.2.1");
    CHECK(s.local_as == 4200000000u);
    REQUIRE(s.listen.size() == 2);
    CHECK(s.listen[0].first.to_string() == "192.0.2.1");
    CHECK(s.listen[0].second == 179);
    CHECK(s.listen[1].first.to_string() == "2001:db8::1");
    CHECK(s.listen[1].second == 1179);
    CHECK(s.hostname == "lb1.example.net");
    CHECK(vipd::cli::to_string(*c.global.http_status) == "[::1]:9180");
    CHECK(c.global.log_format == vipd::cli::LogFormat::json);
    CHECK(c.global.startup_grace == 0ms);
    CHECK(c.global.control_socket.path == data_dir / "run/vipd.sock"); // relative to the file
    CHECK(c.global.control_socket.mode == 0600u);
    CHECK(c.global.control_socket.group == "vipd");
    CHECK(c.global.loopback.enabled);
    CHECK(c.global.loopback.interface == "dummy0");
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": 1,
        "control-socket": {"mode": 660}, "http-status": "127.0.0.1"}})J") ==
          Errors{"vipd.json:2:36: /global/control-socket/mode: expected an octal mode in a "
                 "string, such as \"0660\", got 660",
                 "vipd.json:2:57: /global/http-status: expected an address and port such as "
                 "\"127.0.0.1:9180\" or \"[::1]:9180\", got \"127.0.0.1\""});
}

TEST_CASE("loopback mode: follow by default, static, anything else named", "[config]")
{
    using vipd::cli::LoopbackMode;
    const Config c = parse_ok(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "loopback": {"enabled": true, "mode": "static"}}})J");
    CHECK(c.global.loopback.mode == LoopbackMode::static_);
    CHECK(c.global.loopback.interface == "lo");
    CHECK(vipd::cli::to_json(c)["global"]["loopback"]["mode"] == "static");
    CHECK(parse_ok(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "loopback": {"mode": "follow"}}})J")
              .global.loopback.mode == LoopbackMode::follow);
    CHECK(vipd::cli::to_string(LoopbackMode::follow) == "follow");
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": 1,
        "loopback": {"enabled": true, "mode": "dynamic"}}})J") ==
          Errors{"vipd.json:2:47: /global/loopback/mode: expected one of \"follow\", "
                 "\"static\", got \"dynamic\""});
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": 1,
        "loopback": {"mode": true}}})J") ==
          Errors{"vipd.json:2:30: /global/loopback/mode: expected one of \"follow\", "
                 "\"static\", got true"});
}

TEST_CASE("neighbor defaults and derived export settings", "[config]")
{
    const Config c = parse_ok(with_global(R"J(, "neighbors": [
        {"address": "192.0.2.2", "remote-as": 65000},
        {"address": "2001:db8::2", "remote-as": 65001, "keepalive": "20s", "hold-time": "1m"}
    ])J"));
    REQUIRE(c.neighbors.size() == 2);
    const auto& n = c.neighbors[0];
    CHECK(n.name == "192.0.2.2");
    CHECK(n.port == 179);
    CHECK(n.hold_time == 90);
    CHECK_FALSE(n.keepalive);
    CHECK(n.connect_retry == 5s);
    CHECK(n.ipv4_unicast);
    CHECK(n.ipv6_unicast);
    CHECK_FALSE(n.passive);
    CHECK_FALSE(n.graceful_restart);
    CHECK(n.restart_time == 120);
    CHECK(n.extended_message);
    CHECK(n.md5_password.empty());
    CHECK(n.export_policy.local_as == 65001u);
    CHECK_FALSE(n.export_policy.ibgp);
    CHECK(n.export_policy.default_local_pref == 100u);
    const auto& i = c.neighbors[1];
    CHECK(i.name == "2001:db8::2");
    CHECK(i.export_policy.ibgp);
    CHECK(i.hold_time == 60);
    CHECK(i.keepalive == 20);
}

TEST_CASE("check defaults, and fast-interval never above interval", "[config]")
{
    const Config c = parse_ok(with_global(R"J(, "checks": {
        "a": {"kind": "tcp", "address": "127.0.0.1", "port": 80},
        "b": {"kind": "file", "path": "/etc/vipd/maint", "interval": "500ms", "initial": "up"},
        "c": {"kind": "exec", "command": ["/bin/true", "x"]},
        "d": {"kind": "exec", "command": "exit 0", "env": {"A": "1"}}
    })J"));
    REQUIRE(c.checks.size() == 4);
    const auto& a = c.checks[0].timing;
    CHECK(a.interval == 5s);
    CHECK(a.fast_interval == 1s);
    CHECK(a.timeout == 2s);
    CHECK(a.rise == 2);
    CHECK(a.fall == 3);
    CHECK_FALSE(a.jitter);
    CHECK(a.initial == vipd::health::InitialState::down);
    CHECK(c.checks[1].timing.fast_interval == 500ms);
    CHECK(c.checks[1].timing.initial == vipd::health::InitialState::up);
    const auto& argv = std::get<vipd::health::ExecCheckConfig>(c.checks[2].probe);
    CHECK_FALSE(argv.shell);
    CHECK(argv.argv == std::vector<std::string>{"/bin/true", "x"});
    const auto& shell = std::get<vipd::health::ExecCheckConfig>(c.checks[3].probe);
    CHECK(shell.shell);
    CHECK(shell.argv == std::vector<std::string>{"exit 0"});
    CHECK(shell.env == std::vector<std::string>{"A=1"});
}

TEST_CASE("http check URL, status and TLS settings", "[config]")
{
    const Config c = parse_ok(with_global(R"J(, "checks": {
        "h": {"kind": "https", "url": "https://[::1]:8443/health?full=1", "status": "200,204",
              "verify-tls": false, "host": "api.example.net", "headers": {"X-A": "b"}},
        "p": {"kind": "http", "url": "http://127.0.0.1", "status": 204}
    })J"));
    const auto& h = std::get<vipd::health::HttpCheckConfig>(c.checks[0].probe);
    CHECK(h.target.tls);
    CHECK(h.target.address == "::1");
    CHECK(h.target.port == 8443);
    CHECK(h.target.path == "/health?full=1");
    CHECK(h.target.host == "api.example.net");
    CHECK_FALSE(h.target.verify_tls);
    CHECK(h.target.headers == std::vector<vipd::health::HttpHeader>{{"X-A", "b"}});
    CHECK(h.expect.status == std::vector<vipd::health::StatusRange>{{200, 200}, {204, 204}});
    const auto& p = std::get<vipd::health::HttpCheckConfig>(c.checks[1].probe);
    CHECK_FALSE(p.target.tls);
    CHECK(p.target.port == 0); // the scheme's port
    CHECK(p.target.path == "/");
    CHECK(p.expect.status == std::vector<vipd::health::StatusRange>{{204, 204}});
}

TEST_CASE("VIP defaults, attributes and resolved HAProxy references", "[config]")
{
    const Config c = parse_ok(with_global(R"J(,
      "haproxy": {"lb": {"socket": "/run/haproxy.sock", "rise": 2, "fall": 3}},
      "checks": {"web": {"kind": "tcp", "address": "127.0.0.1", "port": 80}},
      "vips": [
        {"name": "a", "prefixes": "192.0.2.10", "rule": "all(web, b:be_app)"},
        {"name": "b", "prefixes": ["2001:db8::10", "192.0.2.11/32"], "rule": "lb%s:be/web1",
         "up": {"med": 300, "communities": ["65001:1", "no-export"], "prepend": 2},
         "when-down": "degrade", "degraded": {"med": 1000},
         "drain": {"time": "1m", "communities": ["65001:9"]},
         "damping": false}
      ])J"));
    REQUIRE(c.vips.size() == 2);
    const auto& a = c.vips[0];
    CHECK(a.prefixes == std::vector{*vipd::bgp::Prefix::parse("192.0.2.10/32")});
    CHECK(vipd::announce::to_string(a.rule) == "all(web, lb%b:be_app)");
    CHECK(a.when_down == vipd::announce::DownAction::withdraw);
    CHECK(a.drain.drain_time == 30s);
    CHECK(a.drain.attributes.local_pref == 0u);
    CHECK(a.damping == vipd::announce::DampingConfig{});
    const auto& b = c.vips[1];
    CHECK(b.up.med == 300u);
    CHECK(b.up.prepend == 2);
    CHECK(b.up.communities ==
          std::vector<vipd::bgp::Community>{(65001u << 16) | 1u, vipd::bgp::community::no_export});
    CHECK(b.when_down == vipd::announce::DownAction::degrade);
    CHECK(b.degraded.med == 1000u);
    CHECK(b.drain.drain_time == 60s);
    CHECK_FALSE(b.damping.enabled);
    REQUIRE(c.references.size() == 2);
    CHECK(c.references[0].name == "lb%b:be_app");
    CHECK(c.references[1].name == "lb%s:be/web1");
    const auto& ref = std::get<vipd::health::HaproxyRefConfig>(c.references[0].probe);
    CHECK(ref == vipd::health::HaproxyRefConfig{"lb", "b:be_app", 2, 3});
    CHECK(vipd::announce::leaf_name(b.rule.ref) == "lb%s:be/web1");
}

TEST_CASE("JSON syntax errors give line and column", "[config]")
{
    CHECK(errors_of("{\n  \"global\": {\n    \"router-id\": \"192.0.2.1\",\n"
                    "    \"local-as\": 65001,\n  }\n}") ==
          Errors{"vipd.json:5:3: syntax error while parsing object key - unexpected '}'; "
                 "expected string literal"});
    CHECK(errors_of("{\n  \"global\": {\"local-as\": 65001 65002}}") ==
          Errors{"vipd.json:2:32: syntax error while parsing object - unexpected number "
                 "literal; expected '}'"});
    CHECK(errors_of("{\"global\": 1 \"x\"}") ==
          Errors{"vipd.json:1:14: syntax error while parsing object - unexpected string "
                 "literal; expected '}'"});
    CHECK(errors_of("{\"global\": {") ==
          Errors{"vipd.json:1:13: syntax error while parsing object key - unexpected end of "
                 "input; expected string literal"});
    CHECK(errors_of("") == Errors{"vipd.json:1:1: syntax error while parsing value - unexpected "
                                  "end of input; expected '[', '{', or a literal"});
}

TEST_CASE("comments are allowed", "[config]")
{
    const Config c = parse_ok("// vipd\n{ /* the speaker */ \"global\": {\"router-id\": "
                              "\"192.0.2.1\", // id\n \"local-as\": 65001}}");
    CHECK(c.global.local_as == 65001u);
}

TEST_CASE("the error from the issue: hold time out of range", "[config]")
{
    const std::string text = R"J({
    "global": {
        "router-id": "192.0.2.1",
        "local-as": 65001
    },
    "neighbors": [
        {
            "name": "r1",
            "address": "192.0.2.2",
            "remote-as": 65000,
            "port": 179,
            "passive": false,
            "multihop": 1,
         "hold-time": 2
        }
    ]
})J";
    CHECK(errors_of(text) ==
          Errors{"vipd.json:14:23: /neighbors/0/hold-time: expected 0 or 3..65535, got 2"});
}

TEST_CASE("unknown keys are errors, with a suggestion", "[config]")
{
    CHECK(errors_of(with_global(R"J(, "checks": {"web": {"kind": "tcp", "address": "127.0.0.1",
        "port": 80, "intervall": "2s"}})J")) ==
          Errors{"vipd.json:2:21: /checks/web: unknown key \"intervall\" (did you mean "
                 "\"interval\"?)"});
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local_as": 65001}})J") ==
          Errors{"vipd.json:1:12: /global: missing key \"local-as\"",
                 "vipd.json:1:39: /global: unknown key \"local_as\" (did you mean "
                 "\"local-as\"?)"});
    CHECK(errors_of(with_global(R"J(, "vip": [])J")) ==
          Errors{"vipd.json:1:59: unknown key \"vip\" (did you mean \"vips\"?)"});
    CHECK(errors_of(with_global(R"J(, "neighbors": [{"address": "192.0.2.2", "remote-as": 1,
        "export": {"mde": 5, "color": 1}}])J")) ==
          Errors{"vipd.json:2:20: /neighbors/0/export: unknown key \"mde\" (did you mean "
                 "\"med\"?)",
                 "vipd.json:2:30: /neighbors/0/export: unknown key \"color\""});
}

TEST_CASE("keys of another check kind are named as such", "[config]")
{
    CHECK(errors_of(with_global(R"J(, "checks": {"web": {"kind": "tcp", "url": "http://x/"}})J")) ==
          Errors{"vipd.json:1:77: /checks/web: missing key \"address\"",
                 "vipd.json:1:77: /checks/web: missing key \"port\"",
                 "vipd.json:1:93: /checks/web: key \"url\" does not apply to a tcp check"});
    CHECK(
        errors_of(with_global(
            R"J(, "checks": {"w": {"kind": "http", "url": "http://127.0.0.1/", "sni": "x"}})J")) ==
        Errors{"vipd.json:1:120: /checks/w: key \"sni\" does not apply to a http check"});
}

TEST_CASE("wrong types say what was expected and what was found", "[config]")
{
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": "65001"}})J") ==
          Errors{"vipd.json:1:51: /global/local-as: expected an integer 1..4294967295, got "
                 "\"65001\""});
    CHECK(errors_of(R"J({"global": {"router-id": 1, "local-as": 1.5}})J") ==
          Errors{"vipd.json:1:26: /global/router-id: expected a string, got 1",
                 "vipd.json:1:41: /global/local-as: expected an integer 1..4294967295, got 1.5"});
    CHECK(errors_of(with_global(R"J(, "neighbors": {"address": "192.0.2.2"})J")) ==
          Errors{"vipd.json:1:72: /neighbors: expected an array, got {\"address\":\"192.0.2.2\"}"});
    CHECK(errors_of(with_global(R"J(, "neighbors": [{"address": "192.0.2.2", "remote-as": 1,
        "passive": "yes"}])J")) ==
          Errors{"vipd.json:2:20: /neighbors/0/passive: expected true or false, got \"yes\""});
    CHECK(errors_of("[]") == Errors{"vipd.json:1:1: expected an object, got []"});
    CHECK(errors_of(with_global(R"J(, "vips": [{"name": "a", "prefixes": ["192.0.2.1"],
        "rule": "x", "when-down": "drop"}])J")) ==
          Errors{"vipd.json:2:18: /vips/0/rule: unknown check \"x\" (no checks are defined)",
                 "vipd.json:2:35: /vips/0/when-down: expected one of \"withdraw\", \"degrade\", "
                 "got \"drop\""});
}

TEST_CASE("values out of range", "[config]")
{
    const auto neighbor = [](std::string_view fields) {
        return with_global(std::string(R"J(, "neighbors": [{"address": "192.0.2.2", )J") +
                           std::string(fields) + "}]");
    };
    CHECK(errors_of(neighbor(R"J("remote-as": 23456)J")) ==
          Errors{"vipd.json:1:111: /neighbors/0/remote-as: AS 23456 (AS_TRANS) is not a usable "
                 "AS number"});
    CHECK(errors_of(neighbor(R"J("remote-as": 1, "keepalive": 90)J")) ==
          Errors{"vipd.json:1:127: /neighbors/0/keepalive: expected 1..89 seconds (less than "
                 "hold-time 90), got 90"});
    CHECK(errors_of(neighbor(R"J("remote-as": 1, "hold-time": 0, "keepalive": 5)J")) ==
          Errors{"vipd.json:1:143: /neighbors/0/keepalive: keepalive needs a non-zero "
                 "hold-time"});
    CHECK(errors_of(neighbor(R"J("remote-as": 1, "connect-retry": "2 sec")J")) ==
          Errors{"vipd.json:1:131: /neighbors/0/connect-retry: expected a duration such as "
                 "\"2s\" or \"1m30s\": \"2 sec\": unknown unit (expected h, m, s or ms)"});
    CHECK(errors_of(neighbor(R"J("remote-as": 1, "connect-retry": "500ms")J")) ==
          Errors{"vipd.json:1:131: /neighbors/0/connect-retry: expected 1s..1h, got \"500ms\""});
    CHECK(errors_of(neighbor(R"J("remote-as": 1, "restart-time": 5000)J")) ==
          Errors{"vipd.json:1:130: /neighbors/0/restart-time: expected 1..4095 seconds, got "
                 "5000"});
    CHECK(errors_of(neighbor(R"J("remote-as": 1, "hold-time": "1500ms")J")) ==
          Errors{"vipd.json:1:127: /neighbors/0/hold-time: expected whole seconds, got "
                 "\"1500ms\""});
    CHECK(errors_of(neighbor(R"J("remote-as": 1, "port": 0)J")) ==
          Errors{"vipd.json:1:122: /neighbors/0/port: expected 1..65535, got 0"});
}

TEST_CASE("neighbor consistency rules", "[config]")
{
    CHECK(errors_of(with_global(R"J(, "neighbors": [
        {"address": "192.0.2.2", "remote-as": 1, "multihop": 2, "ttl-security": 1,
         "local-address": "2001:db8::1", "role-strict": true, "passive": true,
         "export": {"local-pref": 50, "next-hop-v6": "fe80::1"}}])J")) ==
          Errors{"vipd.json:2:62: /neighbors/0/multihop: multihop applies to connections vipd "
                 "opens; a passive neighbor never opens one (remove it, or \"passive\")",
                 "vipd.json:2:81: /neighbors/0/ttl-security: ttl-security and multihop exclude "
                 "each other (GTSM always sends TTL 255, RFC 5082)",
                 "vipd.json:3:27: /neighbors/0/local-address: 2001:db8::1 is not of the family "
                 "of address 192.0.2.2",
                 "vipd.json:3:27: /neighbors/0/local-address: local-address applies to "
                 "connections vipd opens; a passive neighbor never opens one (remove it, or "
                 "\"passive\")",
                 "vipd.json:3:57: /neighbors/0/role-strict: role-strict needs a role",
                 "vipd.json:3:74: /neighbors/0/passive: a passive neighbor needs a listener: set "
                 "/global/listen",
                 "vipd.json:4:35: /neighbors/0/export/local-pref: local-pref is sent to iBGP "
                 "neighbors only (remote-as 1 is not local-as 65001)",
                 "vipd.json:4:54: /neighbors/0/export/next-hop-v6: expected a global IPv6 "
                 "address (the link-local one is next-hop-v6-link-local), got \"fe80::1\""});
}

TEST_CASE("duplicate names, addresses, prefixes and keys", "[config]")
{
    CHECK(errors_of(with_global(R"J(, "neighbors": [
        {"name": "r1", "address": "192.0.2.2", "remote-as": 1},
        {"name": "r1", "address": "192.0.2.2", "remote-as": 1}])J")) ==
          Errors{"vipd.json:3:18: /neighbors/1/name: neighbor name \"r1\" is already used by "
                 "/neighbors/0",
                 "vipd.json:3:35: /neighbors/1/address: 192.0.2.2 is already the address of "
                 "/neighbors/0"});
    CHECK(errors_of(with_global(R"J(, "vips": [
        {"name": "a", "prefixes": ["192.0.2.1", "192.0.2.1/32"], "rule": "always()"},
        {"name": "a", "prefixes": ["192.0.2.1"], "rule": "always()"}])J")) ==
          Errors{"vipd.json:2:49: /vips/0/prefixes/1: 192.0.2.1/32 is listed twice",
                 "vipd.json:3:18: /vips/1/name: VIP name \"a\" is already used by /vips/0",
                 "vipd.json:3:36: /vips/1/prefixes/0: 192.0.2.1/32 already belongs to VIP "
                 "\"a\" (/vips/0)"});
    CHECK(errors_of(with_global(R"J(, "checks": {
        "web": {"kind": "file", "path": "/a"},
        "web": {"kind": "file", "path": "/b"}})J")) ==
          Errors{"vipd.json:3:9: /checks: duplicate key \"web\" (first at line 2, column 9)"});
}

TEST_CASE("rule errors point into the rule text", "[config]")
{
    const std::string checks =
        R"J(, "checks": {"web": {"kind": "tcp", "address": "127.0.0.1", "port": 80}})J";
    CHECK(errors_of(with_global(checks + R"J(, "vips": [{"name": "a", "prefixes": ["192.0.2.1"],
      "rule": "all(web, webb)"}])J")) ==
          Errors{"vipd.json:2:25: /vips/0/rule: unknown check \"webb\" (did you mean \"web\"?)"});
    CHECK(errors_of(with_global(checks + R"J(, "vips": [{"name": "a", "prefixes": ["192.0.2.1"],
      "rule": "all(\u0077eb, webb)"}])J")) ==
          Errors{"vipd.json:2:30: /vips/0/rule: unknown check \"webb\" (did you mean \"web\"?)"});
    CHECK(errors_of(with_global(checks + R"J(, "vips": [{"name": "a", "prefixes": ["192.0.2.1"],
      "rule": "al(web)"}])J")) ==
          Errors{"vipd.json:2:16: /vips/0/rule: unknown function \"al\" (expected all, any, "
                 "never, always)"});
    CHECK(errors_of(with_global(R"J(, "vips": [{"name": "a", "prefixes": ["192.0.2.1"],
      "rule": "b:be_app"}])J")) ==
          Errors{"vipd.json:2:16: /vips/0/rule: b:be_app refers to HAProxy, but no instance is "
                 "defined in /haproxy"});
    CHECK(errors_of(with_global(R"J(, "haproxy": {"lb1": {"socket": "/a"}, "lb2": {"socket": "/b"}},
      "vips": [{"name": "a", "prefixes": ["192.0.2.1"], "rule": "any(lb1%b:x, b:y, lb3%f:z)"}])J")) ==
          Errors{"vipd.json:2:79: /vips/0/rule: b:y must name its HAProxy instance, e.g. "
                 "lb1%b:y: 2 are defined",
                 "vipd.json:2:84: /vips/0/rule: unknown HAProxy instance \"lb3\" (did you mean "
                 "\"lb1\"?)"});
}

TEST_CASE("VIP consistency rules", "[config]")
{
    CHECK(errors_of(with_global(R"J(, "neighbors": [{"name": "r1", "address": "192.0.2.2",
        "remote-as": 1}], "vips": [{"name": "a", "prefixes": ["192.0.2.1"], "rule": "always()",
        "when-down": "degrade", "neighbors": ["r2"], "next-hop-ipv6": "2001:db8::1"}])J")) ==
          Errors{"vipd.json:2:36: /vips/0: \"when-down\": \"degrade\" needs "
                 "\"degraded\" with med, local-pref, prepend or communities (or the route would "
                 "not change)",
                 "vipd.json:3:47: /vips/0/neighbors/0: unknown neighbor \"r2\" (did you mean "
                 "\"r1\"?)"});
    CHECK(errors_of(with_global(R"J(, "vips": [{"name": "a", "prefixes": ["192.0.2.1"],
        "rule": "always()", "next-hop-ipv6": "2001:db8::1"}])J")) ==
          Errors{"vipd.json:2:46: /vips/0/next-hop-ipv6: the VIP has no IPv6 prefix"});
    CHECK(errors_of(with_global(R"J(, "vips": [{"name": "a b", "prefixes": ["192.0.2.1/24"],
        "rule": "always()", "degraded": {"med": 1}, "damping": {"min-hold": "1m",
        "max-hold": "30s"}}])J")) ==
          Errors{"vipd.json:1:77: /vips/0/name: expected a VIP name of 1..64 letters, digits, "
                 "'_', '-', '.', got \"a b\"",
                 "vipd.json:1:97: /vips/0/prefixes/0: \"192.0.2.1/24\": host bits set (did you "
                 "mean 192.0.2.0/24?)",
                 "vipd.json:2:41: /vips/0/degraded: \"degraded\" is used only with "
                 "\"when-down\": \"degrade\"",
                 "vipd.json:3:21: /vips/0/damping/max-hold: max-hold 30s is below min-hold 60s"});
}

TEST_CASE("MD5 passwords inline or from a file", "[config]")
{
    const auto neighbor = [](std::string_view md5) {
        return with_global(std::string(R"J(, "neighbors": [{"address": "192.0.2.2",
        "remote-as": 1, )J") +
                           std::string(md5) + "}]");
    };
    CHECK(parse_ok(neighbor(R"J("md5-password": "inline")J")).neighbors[0].md5_password ==
          "inline");
    // tests/data/config/r1.key holds "s3cret" and a newline, which is not part of the key.
    CHECK(parse_ok(neighbor(R"J("md5-password-file": "r1.key")J")).neighbors[0].md5_password ==
          "s3cret");
    CHECK(errors_of(neighbor(R"J("md5-password-file": "r1.key")J"), "/nonexistent-vipd") ==
          Errors{"vipd.json:2:46: /neighbors/0/md5-password-file: cannot read "
                 "\"/nonexistent-vipd/r1.key\": No such file or directory"});
    CHECK(errors_of(neighbor(R"J("md5-password": "a", "md5-password-file": "r1.key")J")) ==
          Errors{"vipd.json:2:67: /neighbors/0/md5-password-file: give md5-password or "
                 "md5-password-file, not both"});
    CHECK(errors_of(neighbor(R"J("md5-password": "")J")) ==
          Errors{"vipd.json:2:41: /neighbors/0/md5-password: expected an MD5 key of 1..80 "
                 "bytes, got 0 bytes"});
}

TEST_CASE("VIPs from an ALOHA RHI file", "[config]")
{
    const Config c = parse_ok(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "rhi-file": "rhi/good.cfg"}, "haproxy": {"lb": {"socket": "/run/haproxy.sock"}}})J");
    REQUIRE(c.vips.size() == 2);
    CHECK(c.vips[0].name == "rhi-2");
    CHECK(c.vips[0].prefixes.size() == 2);
    CHECK(vipd::announce::to_string(c.vips[0].rule) == "all(lb%b:be_static, lb%b:be_app)");
    CHECK(c.vips[1].name == "rhi-3");
    CHECK(c.global.rhi_file == data_dir / "rhi/good.cfg");
}

TEST_CASE("errors inside the RHI file name that file", "[config]")
{
    const std::string rhi_file = (data_dir / "rhi/unknown-instance.cfg").string();
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "rhi-file": "rhi/unknown-instance.cfg"}, "haproxy": {"lb": {"socket": "/a"}}})J") ==
          Errors{rhi_file + ":2:28: unknown HAProxy instance \"lb2\" (did you mean \"lb\"?)"});
    const std::string bad_file = (data_dir / "rhi/syntax.cfg").string();
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "rhi-file": "rhi/syntax.cfg"}})J") ==
          Errors{bad_file + ":3:20: expected '=' between the networks and the rule "
                            "(NETWORK[, ...] = RULE)"});
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "rhi-file": "rhi/absent.cfg"}})J") ==
          Errors{"vipd.json:2:21: /global/rhi-file: cannot read \"" +
                 (data_dir / "rhi/absent.cfg").string() + "\": No such file or directory"});
    CHECK(errors_of(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "rhi-file": "rhi/good.cfg"}, "haproxy": {"lb": {"socket": "/a"}},
        "vips": [{"name": "rhi-2", "prefixes": ["192.0.2.30"], "rule": "always()"}]})J") ==
          Errors{(data_dir / "rhi/good.cfg").string() +
                     ":2:1: VIP name \"rhi-2\" is already used by /vips/0",
                 (data_dir / "rhi/good.cfg").string() +
                     ":2:1: 192.0.2.30/32 already belongs to VIP \"rhi-2\" (/vips/0)"});
}

TEST_CASE("HAProxy instances need exactly one transport", "[config]")
{
    CHECK(errors_of(with_global(
              R"J(, "haproxy": {"lb": {"socket": "/a", "url": "http://127.0.0.1/"}})J")) ==
          Errors{"vipd.json:1:77: /haproxy/lb: give exactly one of \"socket\" (stats socket "
                 "path), \"address\" (stats socket on TCP) or \"url\" (stats page)"});
    const Config c = parse_ok(with_global(R"J(, "haproxy": {
        "a": {"address": "127.0.0.1:9999", "interval": "5s"},
        "b": {"url": "https://127.0.0.1:8404/stats", "username": "u", "password": "p",
              "verify-tls": false}})J"));
    REQUIRE(c.haproxy.size() == 2);
    CHECK(c.haproxy[0].instance.transport == vipd::health::HaproxyTransport::tcp_socket);
    CHECK(c.haproxy[0].instance.port == 9999);
    CHECK(c.haproxy[0].instance.interval == 5s);
    CHECK(c.haproxy[1].instance.transport == vipd::health::HaproxyTransport::stats_page);
    CHECK(c.haproxy[1].instance.page.path == "/stats;csv");
    CHECK(c.haproxy[1].instance.page.username == "u");
    CHECK(errors_of(with_global(R"J(, "haproxy": {"a": {"socket": "/a", "username": "u"}})J")) ==
          Errors{"vipd.json:1:105: /haproxy/a/username: \"username\" applies to a stats page "
                 "(\"url\") only"});
}

TEST_CASE("many errors are all reported, in file order", "[config]")
{
    const auto errors = errors_of(R"J({"global": {"router-id": "0.0.0.0", "local-as": 0},
        "neighbors": [{"address": "x", "remote-as": 1, "hold-time": 1}]})J");
    CHECK(errors == Errors{"vipd.json:1:26: /global/router-id: expected a non-zero IPv4 "
                           "address (the BGP Identifier), got \"0.0.0.0\"",
                           "vipd.json:1:49: /global/local-as: expected 1..4294967295, got 0",
                           "vipd.json:2:35: /neighbors/0/address: expected an IPv4 or IPv6 "
                           "address, got \"x\"",
                           "vipd.json:2:69: /neighbors/0/hold-time: expected 0 or 3..65535, got "
                           "1"});
}
