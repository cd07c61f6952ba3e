// ControlCommands (cli/control/commands.hpp) over a fake daemon: every reply built from a
// DaemonView, every mutation asked of DaemonActions, the time passed in. No process, no
// socket, no clock. Also the handler table against the command registry.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "bgp/community_text.hpp"
#include "bgp/route.hpp"
#include "cli/control/commands.hpp"
#include "cli/control/registry.hpp"
#include "cli/control/render.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using vipd::cli::ControlCommands;
using vipd::cli::ControlTime;
using vipd::cli::FlushResults;
namespace bgp = vipd::bgp;
namespace health = vipd::health;
namespace announce = vipd::announce;

bgp::Prefix prefix(std::string_view text)
{
    return *bgp::Prefix::parse(text);
}

struct FakeView : vipd::cli::DaemonView
{
    vipd::cli::Config cfg;
    std::vector<bgp::NeighborStatus> neighbor_list;
    std::vector<health::CheckSnapshot> check_list;
    std::vector<announce::VipStatus> vip_list;
    std::vector<announce::VipConfig> vip_config_list;
    std::map<std::string, std::vector<std::pair<bgp::Prefix, bgp::RouteAttributes>>> sent;
    bgp::SessionAddresses session{bgp::Address::parse("192.0.2.1").value(), std::nullopt};

    const vipd::cli::Config& config() const override { return cfg; }
    std::vector<bgp::NeighborStatus> neighbors() const override { return neighbor_list; }
    std::vector<health::CheckSnapshot> checks() const override { return check_list; }
    std::optional<health::CheckSnapshot> check(std::string_view name) const override
    {
        for (const auto& c : check_list)
            if (c.name == name)
                return c;
        return std::nullopt;
    }
    std::vector<announce::VipStatus> vips(announce::TimePoint) const override { return vip_list; }
    std::optional<announce::VipStatus> vip(std::string_view name,
                                           announce::TimePoint) const override
    {
        for (const auto& v : vip_list)
            if (v.name == name)
                return v;
        return std::nullopt;
    }
    std::vector<const announce::VipConfig*> vip_configs() const override
    {
        std::vector<const announce::VipConfig*> out;
        for (const auto& v : vip_config_list)
            out.push_back(&v);
        return out;
    }
    const announce::VipConfig* vip_config(std::string_view name) const override
    {
        for (const auto& v : vip_config_list)
            if (v.name == name)
                return &v;
        return nullptr;
    }
    // As the speaker does: the route's attributes through the neighbor's export policy.
    void for_each_exported(
        const std::string& neighbor,
        const std::function<void(const bgp::Prefix&,
                                 const tl::expected<bgp::PathAttributes, std::string>&)>& f)
        const override
    {
        const auto* n = cfg.neighbor(neighbor);
        const auto it = sent.find(neighbor);
        if (n == nullptr || it == sent.end())
            return;
        for (const auto& [p, attrs] : it->second)
            f(p, bgp::export_attributes(attrs, n->export_policy, p.afi(), session));
    }
};

struct FakeActions : vipd::cli::DaemonActions
{
    std::vector<std::string> calls;
    std::function<void(FlushResults)> flushed;
    std::function<void()> drained;
    std::function<void(std::optional<health::CheckSnapshot>)> probed;
    bgp::RouteSpec last_spec;
    bool vip_exists = true;
    tl::expected<vipd::cli::ConfigDiff, std::string> reload_result;

    void announce(std::span<const bgp::Prefix> prefixes, const bgp::RouteSpec& spec) override
    {
        calls.push_back("announce " + std::to_string(prefixes.size()));
        last_spec = spec;
    }
    void withdraw(std::span<const bgp::Prefix> prefixes) override
    {
        calls.push_back("withdraw " + std::to_string(prefixes.size()));
    }
    void when_flushed(std::function<void(FlushResults)> done) override
    {
        flushed = std::move(done);
    }
    bool set_drained(const std::optional<std::string>& vip, bool drain,
                     announce::TimePoint) override
    {
        calls.push_back(std::string(drain ? "drain " : "undrain ") + vip.value_or("*"));
        return vip_exists;
    }
    void when_drained(std::vector<std::string> vips, std::function<void()> done) override
    {
        calls.push_back("when_drained " + std::to_string(vips.size()));
        drained = std::move(done);
    }
    void set_check_disabled(const std::string& name, bool disabled) override
    {
        calls.push_back((disabled ? "disable " : "enable ") + name);
    }
    void check_now(const std::string& name,
                   std::function<void(std::optional<health::CheckSnapshot>)> done) override
    {
        calls.push_back("check_now " + name);
        probed = std::move(done);
    }
    bool reset_neighbor(const std::string& name, const std::string& message) override
    {
        calls.push_back("reset " + name + " " + message);
        return name == "tor1";
    }
    void set_neighbor_disabled(const std::string& name, bool disabled,
                               const std::string& message) override
    {
        calls.push_back((disabled ? "disable-neighbor " : "enable-neighbor ") + name +
                        (message.empty() ? "" : " " + message));
    }
    void refresh_neighbor(const std::string& name) override { calls.push_back("refresh " + name); }
    tl::expected<vipd::cli::ConfigDiff, std::string> reload() override { return reload_result; }
};

struct Fixture
{
    FakeView view;
    FakeActions actions;
    ControlCommands commands{view, actions};
    ControlTime now{std::chrono::steady_clock::time_point(1000s),
                    std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
    std::vector<json> replies;

    Fixture()
    {
        bgp::NeighborConfig n;
        n.name = "tor1";
        n.remote_as = 65001;
        n.export_policy.local_as = 65000;
        n.export_policy.communities = {*bgp::parse_community("65000:999")};
        view.cfg.neighbors.push_back(n);
        bgp::NeighborStatus s;
        s.name = "tor1";
        s.address = "192.0.2.2";
        s.state = "Established";
        s.established_since = now.steady - 90s;
        view.neighbor_list.push_back(s);
        health::CheckSnapshot c;
        c.name = "web-http";
        c.kind = "http";
        c.state = health::State::up;
        c.transitions = 1;
        c.since = now.steady - 10s;
        view.check_list.push_back(c);
        announce::VipConfig v;
        v.name = "web";
        v.prefixes = {prefix("198.51.100.1/32")};
        view.vip_config_list.push_back(v);
        announce::VipStatus st;
        st.name = "web";
        st.prefixes = v.prefixes;
        view.vip_list.push_back(st);
    }

    json run(std::string_view command, json args = json::object())
    {
        replies.clear();
        commands.handle(
            command, args, [this](json r) { replies.push_back(std::move(r)); }, now);
        return replies.empty() ? json() : replies.back();
    }
};

} // namespace

TEST_CASE("control commands: every registry row has exactly one handler", "[cli][control]")
{
    CHECK(vipd::cli::unmatched_handlers().empty());
    for (const auto& c : vipd::cli::command_registry()) {
        INFO(c.name);
        const auto handlers = ControlCommands::handlers();
        CHECK(std::count_if(handlers.begin(), handlers.end(),
                            [&](const auto& h) { return h.command == c.name; }) == 1);
    }
}

TEST_CASE("control commands: status and neighbors from the view", "[cli][control]")
{
    Fixture f;
    json r = f.run("status");
    REQUIRE(r["ok"] == true);
    CHECK(r["neighbors"][0]["name"] == "tor1");
    CHECK(r["neighbors"][0]["remote_as"] == 65001);
    CHECK(r["neighbors"][0]["uptime_s"] == 90.0);
    CHECK(r["vips"][0]["name"] == "web");
    CHECK(r["vips"][0]["prefixes"] == json{"198.51.100.1/32"});
    CHECK(r["checks"][0]["state"] == "up");
    // 1,800,000,000 s after the epoch (2027-01-15T08:00:00Z), less 10 s.
    CHECK(r["checks"][0]["last_change"] == "2027-01-15T07:59:50Z");
    CHECK(f.run("neighbors")["neighbors"].size() == 1);
    CHECK(f.run("checks")["checks"][0]["name"] == "web-http");
    CHECK(f.run("version")["version"] == VIPD_VERSION);
}

TEST_CASE("control commands: routes are what the export function gives", "[cli][control]")
{
    Fixture f;
    bgp::RouteAttributes a;
    a.med = 10;
    a.prepend = 1;
    a.communities = {*bgp::parse_community("65000:100")};
    f.view.sent["tor1"].push_back({prefix("203.0.113.0/24"), a});
    json r = f.run("routes");
    REQUIRE(r["ok"] == true);
    REQUIRE(r["routes"].size() == 1);
    const json& route = r["routes"][0];
    CHECK(route["neighbor"] == "tor1");
    CHECK(route["prefix"] == "203.0.113.0/24");
    CHECK(route["origin"] == "igp");
    CHECK(route["as_path"] == "65000 65000");
    CHECK(route["next_hop"] == "192.0.2.1");
    CHECK(route["med"] == 10);
    CHECK(route["local_pref"] == nullptr);
    // The neighbor's export communities are sent too.
    CHECK(route["communities"] == json{"65000:100", "65000:999"});
    CHECK(f.run("routes", {{"neighbor", "tor9"}}) ==
          json{{"ok", false}, {"error", "no neighbor named \"tor9\" (did you mean \"tor1\"?)"}});
}

TEST_CASE("control commands: a route that cannot be exported says why", "[cli][control]")
{
    Fixture f;
    f.view.session = {};
    f.view.sent["tor1"].push_back({prefix("203.0.113.0/24"), {}});
    json r = f.run("routes", {{"neighbor", "tor1"}});
    CHECK(r["routes"][0]["error"].get<std::string>().starts_with("no IPv4 next hop"));
}

TEST_CASE("control commands: announce and withdraw reply once flushed", "[cli][control]")
{
    Fixture f;
    json args = {{"prefixes", {"203.0.113.0/24"}}, {"med", 5}, {"neighbors", {"tor1"}}};
    CHECK(f.run("announce", args).is_null());
    CHECK(f.actions.calls == std::vector<std::string>{"announce 1"});
    CHECK(f.actions.last_spec.attributes.med == 5u);
    CHECK(f.actions.last_spec.neighbors == std::vector<std::string>{"tor1"});
    REQUIRE(f.actions.flushed);
    f.actions.flushed({{"tor1", "written"}});
    CHECK(f.replies.back() == json{{"ok", true}, {"results", {{"tor1", "written"}}}});

    CHECK(f.run("withdraw", {{"prefixes", {"203.0.113.0/24"}}}).is_null());
    CHECK(f.actions.calls.back() == "withdraw 1");
}

TEST_CASE("control commands: announce refuses unknown neighbors and VIP prefixes", "[cli][control]")
{
    Fixture f;
    CHECK(f.run("announce", {{"prefixes", {"203.0.113.0/24"}}, {"neighbors", {"tor9"}}}) ==
          json{{"ok", false}, {"error", "no neighbor named \"tor9\" (did you mean \"tor1\"?)"}});
    CHECK(f.run("withdraw", {{"prefixes", {"198.51.100.1/32"}}}) ==
          json{{"ok", false},
               {"error", "198.51.100.1/32 belongs to VIP \"web\" (use drain/undrain)"}});
    CHECK(f.actions.calls.empty());
}

TEST_CASE("control commands: drain, --wait, undrain", "[cli][control]")
{
    Fixture f;
    CHECK(f.run("drain", {{"vip", "web"}}) == json{{"ok", true}, {"vips", {"web"}}});
    CHECK(f.run("undrain", {{"all", true}}) == json{{"ok", true}, {"vips", {"web"}}});
    CHECK(f.run("drain", {{"all", true}, {"wait", true}}).is_null());
    CHECK(f.actions.calls ==
          std::vector<std::string>{"drain web", "undrain *", "drain *", "when_drained 1"});
    REQUIRE(f.actions.drained);
    f.actions.drained();
    REQUIRE(f.actions.flushed);
    f.actions.flushed({{"tor1", "written"}});
    CHECK(f.replies.back()["results"] == json{{"tor1", "written"}});
    f.actions.vip_exists = false;
    CHECK(f.run("drain", {{"vip", "nope"}}) ==
          json{{"ok", false}, {"error", "no VIP named \"nope\""}});
}

TEST_CASE("control commands: check disable, enable, check-now", "[cli][control]")
{
    Fixture f;
    CHECK(f.run("disable", {{"check", "web-http"}})["check"]["name"] == "web-http");
    CHECK(f.run("enable", {{"check", "web-http"}})["ok"] == true);
    CHECK(f.run("check-now", {{"check", "web-http"}}).is_null());
    CHECK(f.actions.calls ==
          std::vector<std::string>{"disable web-http", "enable web-http", "check_now web-http"});
    auto probed = f.view.check_list.front();
    probed.probes = 1;
    f.actions.probed(probed);
    CHECK(f.replies.back()["check"]["name"] == "web-http");
    f.actions.probed(std::nullopt);
    CHECK(f.replies.back() == json{{"ok", false}, {"error", "check \"web-http\" was removed"}});
    CHECK(f.run("disable", {{"check", "nope"}}) ==
          json{{"ok", false}, {"error", "no check named \"nope\""}});
}

TEST_CASE("control commands: explain and reload", "[cli][control]")
{
    Fixture f;
    json e = f.run("explain", {{"vip", "web"}});
    CHECK(e["vip"]["name"] == "web");
    CHECK(e["tree"].contains("op"));
    CHECK(f.run("explain", {{"vip", "nope"}})["error"] == "no VIP named \"nope\"");

    vipd::cli::ConfigDiff d;
    d.vips.added = {"api"};
    d.global = {"log-level"};
    f.actions.reload_result = d;
    CHECK(f.run("reload")["changes"] == json{{"added", {"vip api"}},
                                             {"removed", json::array()},
                                             {"changed", {"global log-level"}}});
    f.actions.reload_result = tl::unexpected(std::string("vipd.json:3:1: bad"));
    CHECK(f.run("reload")["error"] ==
          "configuration rejected, running configuration kept: vipd.json:3:1: bad");
}

TEST_CASE("control commands: neighbor NAME reset", "[cli][control]")
{
    Fixture f;
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "reset"}}) ==
          json{{"ok", true},
               {"neighbor", "tor1"},
               {"action", "reset"},
               {"message", "reset by the operator (vipctl)"}});
    CHECK(f.actions.calls == std::vector<std::string>{"reset tor1 reset by the operator (vipctl)"});
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "reset"}, {"message", "CHG-9"}})
              .value("message", "") == "CHG-9");
    CHECK(f.actions.calls.back() == "reset tor1 CHG-9");
    CHECK(f.run("neighbor", {{"neighbor", "tor1"},
                             {"action", "reset"},
                             {"message", std::string(256, 'x')}})["error"] ==
          "message is 256 octets; RFC 9003 allows at most 255 octets of UTF-8");
    f.actions.calls.pop_back();
    CHECK(f.run("neighbor", {{"neighbor", "tor9"}, {"action", "reset"}})["error"] ==
          "no neighbor named \"tor9\" (did you mean \"tor1\"?)");
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "stop"}})["error"] ==
          "unknown neighbor action \"stop\" (expected reset, disable, enable or refresh)");
    CHECK(f.actions.calls.size() == 2);
    // A disabled neighbor stays down: a reset would restart it.
    f.view.neighbor_list[0].disabled = true;
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "reset"}})["error"] ==
          "neighbor \"tor1\" is disabled; enable it to start it");
    CHECK(f.actions.calls.size() == 2);
}

TEST_CASE("control commands: neighbor NAME disable and enable", "[cli][control]")
{
    Fixture f;
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "disable"}}) ==
          json{{"ok", true},
               {"neighbor", "tor1"},
               {"action", "disable"},
               {"message", "disabled by the operator (vipctl)"},
               {"changed", true}});
    CHECK(f.run("neighbor", {{"neighbor", "tor1"},
                             {"action", "disable"},
                             {"message", "maintenance CHG-1234"}})["message"] ==
          "maintenance CHG-1234");
    CHECK(f.actions.calls ==
          std::vector<std::string>{"disable-neighbor tor1 disabled by the operator (vipctl)",
                                   "disable-neighbor tor1 maintenance CHG-1234"});
    // RFC 9003 §2: 255 octets at most (here 128 two-octet characters), nothing asked.
    std::string long_text;
    for (int i = 0; i < 128; ++i)
        long_text += "\xc3\xa9";
    CHECK(f.run("neighbor",
                {{"neighbor", "tor1"}, {"action", "disable"}, {"message", long_text}})["error"] ==
          "message is 256 octets; RFC 9003 allows at most 255 octets of UTF-8");
    CHECK(f.run("neighbor",
                {{"neighbor", "tor1"}, {"action", "enable"}, {"message", "x"}})["error"] ==
          "\"message\" goes with the disable and reset actions only");
    CHECK(f.run("neighbor", {{"neighbor", "tor9"}, {"action", "disable"}})["error"] ==
          "no neighbor named \"tor9\" (did you mean \"tor1\"?)");
    CHECK(f.actions.calls.size() == 2);

    // Enable of a neighbor that is not disabled asks nothing.
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "enable"}})["changed"] == false);
    CHECK(f.actions.calls.size() == 2);
    auto& s = f.view.neighbor_list[0];
    s.disabled = true;
    s.disabled_message = "maintenance CHG-1234";
    s.state = "Idle";
    CHECK(f.run("neighbor", {{"neighbor", "tor1"},
                             {"action", "disable"},
                             {"message", "maintenance CHG-1234"}})["changed"] == false);
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "enable"}})["changed"] == true);
    CHECK(f.actions.calls.back() == "enable-neighbor tor1");

    // Both views show the disable with its message.
    const json n = f.run("neighbors")["neighbors"][0];
    CHECK(n["disabled"] == true);
    CHECK(n["disabled_message"] == "maintenance CHG-1234");
    const std::string text = vipd::cli::render_neighbors("neighbors", {{"neighbors", {n}}}).text;
    CHECK_THAT(text, Catch::Contains("disabled:  by the operator: \"maintenance CHG-1234\""));
    CHECK(f.run("neighbors", {{"neighbor", "tor1"}})["neighbor"]["disabled"] == true);
}

TEST_CASE("control commands: neighbor NAME refresh needs an Established session", "[cli][control]")
{
    Fixture f;
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "refresh"}}) ==
          json{{"ok", true}, {"neighbor", "tor1"}, {"action", "refresh"}});
    CHECK(f.actions.calls == std::vector<std::string>{"refresh tor1"});
    f.view.neighbor_list[0].state = "Active";
    CHECK(f.run("neighbor", {{"neighbor", "tor1"}, {"action", "refresh"}})["error"] ==
          "neighbor \"tor1\" is Active, not Established: nothing to refresh");
    CHECK(f.actions.calls.size() == 1);
}

TEST_CASE("control commands: neighbors NAME in detail", "[cli][control]")
{
    Fixture f;
    auto& s = f.view.neighbor_list[0];
    s.peer_capabilities = {"route-refresh", "four-octet-as", "graceful-restart"};
    s.families = {"ipv4-unicast"};
    s.negotiated_hold_time = 90;
    s.negotiated_keepalive_time = 30;
    s.established_count = 3;
    s.prefixes_received = 12;
    s.last_notification_received = bgp::make_cease(2, "router maintenance");
    const json r = f.run("neighbors", {{"neighbor", "tor1"}});
    REQUIRE(r["ok"] == true);
    const json& n = r["neighbor"];
    CHECK(n["name"] == "tor1");
    CHECK(n["capabilities"] == json{"route-refresh", "four-octet-as", "graceful-restart"});
    CHECK(n["timers"]["hold_time_s"] == 90);
    CHECK(n["timers"]["keepalive_s"] == 30);
    CHECK(n["timers"]["negotiated_hold_time_s"] == 90);
    CHECK(n["timers"]["connect_retry_s"] == 5.0);
    CHECK(n["timers"]["idle_hold_s"] == 1.0);
    CHECK(n["timers"]["max_idle_hold_s"] == 120.0);
    CHECK(n["established_count"] == 3);
    CHECK(n["received_prefixes_kept"] == false);
    CHECK(n["notification_sent"].is_null());
    CHECK(n["notification_received"] == json{{"code", 6},
                                             {"subcode", 2},
                                             {"description", bgp::describe(6, 2)},
                                             {"shutdown_communication", "router maintenance"}});
    const std::string text = vipd::cli::render_neighbors("neighbors", r).text;
    CHECK_THAT(text, Catch::Contains("capabilities:"));
    CHECK_THAT(text, Catch::Contains("route-refresh four-octet-as graceful-restart"));
    CHECK_THAT(text, Catch::Contains("\"router maintenance\""));
    CHECK_THAT(text, Catch::Contains("counted, not held"));
    CHECK(f.run("neighbors", {{"neighbor", "spine-b"}})["error"] ==
          "no neighbor named \"spine-b\"; neighbors are tor1"); // no name is close: the list
}

TEST_CASE("control commands: neighbors show the idle-hold back-off", "[cli][control]")
{
    Fixture f;
    auto& s = f.view.neighbor_list[0];
    s.state = "Idle";
    s.established_since.reset();
    s.failures = 4;
    s.idle_hold_time = 8s;
    s.idle_hold_reason = "back-off after 4 failures";
    s.next_attempt = f.now.steady + 6500ms;
    json n = f.run("neighbors")["neighbors"][0];
    CHECK(n["failures"] == 4);
    CHECK(n["idle_hold_s"] == 8.0);
    CHECK(n["idle_hold_reason"] == "back-off after 4 failures");
    CHECK(n["next_attempt_in_s"] == 6.5);
    const std::string text = vipd::cli::render_neighbors("neighbors", {{"neighbors", {n}}}).text;
    CHECK_THAT(text, Catch::Contains(
                         "next attempt:  in 6.5 s (idle hold 8 s: back-off after 4 failures)"));
    s.next_attempt.reset();
    n = f.run("neighbors")["neighbors"][0];
    CHECK(n["next_attempt_in_s"].is_null());
}

TEST_CASE("control commands: a mistyped VIP, check or neighbor name gets a suggestion",
          "[cli][control]")
{
    Fixture f;
    CHECK(f.run("explain", {{"vip", "wbe"}})["error"] ==
          "no VIP named \"wbe\" (did you mean \"web\"?)");
    CHECK(f.run("check-now", {{"check", "web_htp"}})["error"] ==
          "no check named \"web_htp\" (did you mean \"web-http\"?)");
    CHECK(f.run("routes", {{"neighbor", "TOR1"}})["error"] ==
          "no neighbor named \"TOR1\" (did you mean \"tor1\"?)");
    CHECK(f.run("explain", {{"vip", "database"}})["error"] == "no VIP named \"database\"");
}

TEST_CASE("control commands: a VIP's down leaves are in its status", "[cli][control]")
{
    Fixture f;
    announce::Evaluation leaf;
    leaf.op = announce::RuleOp::leaf;
    leaf.ref.name = "api";
    leaf.leaf.state = health::Status::down;
    announce::Evaluation up_leaf = leaf;
    up_leaf.ref.name = "web-http";
    up_leaf.leaf.state = health::Status::up;
    f.view.vip_list.front().evaluation.op = announce::RuleOp::all;
    f.view.vip_list.front().evaluation.args = {up_leaf, leaf};
    CHECK(f.run("status")["vips"][0]["down_leaves"] ==
          json::array({json{{"ref", "api"}, {"state", "down"}}}));
}
