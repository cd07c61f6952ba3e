// Announcer scenarios with fake time and a RouteSink that records calls: start-up gate and
// grace period, idempotence, withdraw/degrade, drain/undrain, damping, reconfigure diff.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "announce/announcer.hpp"

using namespace vipd::announce;
using namespace std::chrono_literals;
namespace bgp = vipd::bgp;

namespace {

const TimePoint t0 = TimePoint{} + 1000s;

std::string community_text(bgp::Community c)
{
    return fmt::format("{}:{}", c >> 16, c & 0xffff);
}

// Records every call as one line, e.g. "announce 192.0.2.10/32 med=300 comm=65535:0".
struct RecordingSink : RouteSink
{
    std::vector<std::string> calls;

    void announce(const bgp::Prefix& p, const bgp::RouteSpec& spec) override
    {
        std::string line = "announce " + p.to_string();
        const auto& a = spec.attributes;
        if (a.med)
            line += fmt::format(" med={}", *a.med);
        if (a.local_pref)
            line += fmt::format(" lp={}", *a.local_pref);
        if (a.prepend != 0)
            line += fmt::format(" prepend={}", a.prepend);
        for (auto c : a.communities)
            line += " comm=" + community_text(c);
        if (a.next_hop)
            line += " nh=" + a.next_hop->to_string();
        for (const auto& n : spec.neighbors)
            line += " to=" + n;
        calls.push_back(line);
    }
    void withdraw(const bgp::Prefix& p) override { calls.push_back("withdraw " + p.to_string()); }

    std::vector<std::string> take() { return std::exchange(calls, {}); }
};

using Lines = std::vector<std::string>;

VipConfig vip(std::string name, std::vector<std::string_view> prefixes, std::string_view rule)
{
    VipConfig v;
    v.name = std::move(name);
    for (auto p : prefixes)
        v.prefixes.push_back(*bgp::Prefix::parse(p));
    v.rule = *parse_rule(rule);
    return v;
}

const Reference web = Reference::check("web");
const Reference api = Reference::check("api");
const Reference be = Reference::backend("be");

const LeafStatus up{LeafState::up, ""};
const LeafStatus down{LeafState::down, "HTTP 503"};

struct Fixture
{
    RecordingSink sink;
    std::vector<VipEvent> events;
    Announcer announcer{sink, t0, AnnouncerOptions{30s},
                        [this](const VipEvent& e) { events.push_back(e); }};

    void load(std::vector<VipConfig> vips, TimePoint now = t0)
    {
        REQUIRE(announcer.reconfigure(std::move(vips), now).has_value());
    }
    VipStatus status(std::string_view name, TimePoint now = t0)
    {
        auto s = announcer.status(name, now);
        REQUIRE(s.has_value());
        return *s;
    }
    std::vector<std::string> event_lines()
    {
        std::vector<std::string> out;
        for (const auto& e : std::exchange(events, {}))
            out.push_back(to_string(e));
        return out;
    }
};

VipConfig web_vip()
{
    VipConfig v = vip("web", {"192.0.2.10", "2001:db8::10"}, "web");
    v.up.med = 100;
    return v;
}

} // namespace

TEST_CASE("announcer: nothing is announced until every leaf has a verdict", "[announce]")
{
    Fixture f;
    f.load({web_vip(), vip("api", {"192.0.2.20"}, "all(api, b:be)")});
    CHECK_FALSE(f.announcer.ready());
    CHECK(f.announcer.next_deadline() == t0 + 30s);
    CHECK(f.status("web").state == VipState::waiting);
    CHECK(f.status("api").reason == "start-up: waiting for a first verdict from api, b:be");

    f.announcer.leaf_changed(web, up, t0 + 1s);
    f.announcer.leaf_changed(api, up, t0 + 2s);
    CHECK_FALSE(f.announcer.ready());
    CHECK(f.sink.calls.empty());
    CHECK(f.events.empty()); // waiting is not logged until it ends

    f.announcer.leaf_changed(be, up, t0 + 3s);
    CHECK(f.announcer.ready());
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32 med=100",
                                 "announce 2001:db8::10/128 med=100", "announce 192.0.2.20/32"});
    CHECK(f.event_lines() ==
          Lines{"vip=web waiting->announced cause=\"rule up\" rule=web=up -> up",
                "vip=api waiting->announced cause=\"rule up\" rule=all(api=up, b:be=up) -> up"});
    CHECK(f.status("web").last_change == t0 + 3s);
    CHECK_FALSE(f.announcer.next_deadline().has_value());
}

TEST_CASE("announcer: the grace period ends the wait, unknown counts as down", "[announce]")
{
    Fixture f;
    f.load({web_vip(), vip("api", {"192.0.2.20"}, "all(api, b:be)")});
    f.announcer.leaf_changed(web, up, t0 + 1s);
    f.announcer.leaf_changed(be, up, t0 + 1s);
    f.announcer.tick(t0 + 29s);
    CHECK_FALSE(f.announcer.ready());
    CHECK(f.sink.calls.empty());

    f.announcer.tick(t0 + 30s);
    CHECK(f.announcer.ready());
    CHECK(f.sink.take() ==
          Lines{"announce 192.0.2.10/32 med=100", "announce 2001:db8::10/128 med=100"});
    const VipStatus s = f.status("api", t0 + 30s);
    CHECK(s.state == VipState::withdrawn);
    CHECK(s.reason == "rule unknown: no verdict yet from api");
    CHECK(s.waiting_for == std::vector<Reference>{api});

    f.announcer.leaf_changed(api, up, t0 + 40s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.20/32"});
}

TEST_CASE("announcer: a VIP list without leaves is ready at once", "[announce]")
{
    Fixture f;
    f.announcer.tick(t0 + 100s); // not configured yet: never ready
    CHECK_FALSE(f.announcer.ready());
    f.load({vip("static", {"198.51.100.1"}, "always()"), vip("off", {"198.51.100.2"}, "never()")});
    CHECK(f.announcer.ready());
    CHECK(f.sink.take() == Lines{"announce 198.51.100.1/32"});
}

TEST_CASE("announcer: unchanged intents are never re-sent", "[announce]")
{
    Fixture f;
    f.load({web_vip(), vip("both", {"192.0.2.30"}, "any(api, b:be)")});
    f.announcer.leaf_changed(web, up, t0);
    f.announcer.leaf_changed(api, up, t0);
    f.announcer.leaf_changed(be, up, t0);
    f.sink.take();
    f.event_lines();
    const auto web_evals = f.status("web").evaluations;

    f.announcer.leaf_changed(api, up, t0 + 1s);                    // same state
    f.announcer.leaf_changed(be, {LeafState::up, "3/3"}, t0 + 2s); // cause only
    f.announcer.leaf_changed(be, down, t0 + 3s);                   // any() still up
    f.announcer.leaf_changed(Reference::check("unused"), down, t0 + 4s);
    f.announcer.tick(t0 + 5s);
    CHECK(f.sink.calls.empty());
    CHECK(f.events.empty());
    CHECK(f.status("web").evaluations == web_evals); // only dependents are re-evaluated
    CHECK(to_string(f.status("both").evaluation) == "any(api=up, b:be=down \"HTTP 503\") -> up");
}

TEST_CASE("announcer: down withdraws, degrade re-announces less preferred", "[announce]")
{
    Fixture f;
    VipConfig passive = vip("passive", {"192.0.2.40"}, "b:be");
    passive.up.med = 300;
    passive.when_down = DownAction::degrade;
    passive.degraded.med = 400;
    passive.degraded.prepend = 2;
    f.load({web_vip(), passive});
    f.announcer.leaf_changed(web, up, t0);
    f.announcer.leaf_changed(be, up, t0);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32 med=100",
                                 "announce 2001:db8::10/128 med=100",
                                 "announce 192.0.2.40/32 med=300"});
    f.event_lines();

    f.announcer.leaf_changed(web, down, t0 + 1s);
    CHECK(f.sink.take() == Lines{"withdraw 192.0.2.10/32", "withdraw 2001:db8::10/128"});
    CHECK(f.event_lines() == Lines{"vip=web announced->withdrawn cause=\"rule down\" "
                                   "rule=web=down \"HTTP 503\" -> down"});

    f.announcer.leaf_changed(be, down, t0 + 2s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.40/32 med=400 prepend=2"});
    const VipStatus s = f.status("passive");
    CHECK(s.state == VipState::degraded);
    REQUIRE(s.attributes.has_value());
    CHECK(s.attributes->med == 400u);

    f.announcer.leaf_changed(be, {LeafState::maint, "set by operator"}, t0 + 3s);
    CHECK(f.sink.calls.empty()); // maint is down, like down
    CHECK(to_string(f.status("passive").evaluation) == "b:be=maint \"set by operator\" -> down");
}

TEST_CASE("announcer: drain, wait, withdraw, undrain", "[announce]")
{
    Fixture f;
    VipConfig v = vip("web", {"192.0.2.10"}, "web");
    v.drain.drain_time = 60s;
    v.drain.attributes.med = 1000;
    f.load({v});
    f.announcer.leaf_changed(web, up, t0);
    f.sink.take();
    f.event_lines();

    CHECK_FALSE(f.announcer.drain("nope", t0));
    CHECK(f.announcer.drain("web", t0 + 10s));
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32 med=1000 lp=0 comm=65535:0"});
    CHECK(f.status("web", t0 + 10s).state == VipState::draining);
    CHECK(f.announcer.next_deadline() == t0 + 70s);
    CHECK(f.announcer.drained() == std::vector<std::string>{"web"});

    CHECK(f.announcer.drain("web", t0 + 20s)); // already draining: same deadline
    CHECK(f.announcer.next_deadline() == t0 + 70s);
    f.announcer.tick(t0 + 69s);
    CHECK(f.sink.calls.empty());

    f.announcer.tick(t0 + 70s);
    CHECK(f.sink.take() == Lines{"withdraw 192.0.2.10/32"});
    CHECK(f.status("web", t0 + 70s).state == VipState::drained);
    CHECK_FALSE(f.announcer.next_deadline().has_value());

    f.announcer.leaf_changed(web, down, t0 + 80s); // still drained, nothing to send
    f.announcer.leaf_changed(web, up, t0 + 90s);
    CHECK(f.sink.calls.empty());

    CHECK(f.announcer.undrain("web", t0 + 100s));
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32"});
    CHECK(f.announcer.drained().empty());
    const auto lines = f.event_lines();
    REQUIRE(lines.size() == 5);
    CHECK(lines.front() ==
          "vip=web announced->draining cause=\"drained by operator: "
          "GRACEFUL_SHUTDOWN for 60s, then withdraw (rule up)\" rule=web=up -> up");
    CHECK(lines.back() == "vip=web drained->announced cause=\"rule up\" rule=web=up -> up");
}

TEST_CASE("announcer: draining a VIP that is not announced drains it at once", "[announce]")
{
    Fixture f;
    f.load({vip("web", {"192.0.2.10"}, "web")});
    f.announcer.leaf_changed(web, down, t0);
    CHECK(f.sink.calls.empty());
    CHECK(f.announcer.drain("web", t0 + 1s));
    CHECK(f.status("web", t0 + 1s).state == VipState::drained);
    CHECK_FALSE(f.announcer.next_deadline().has_value());
    f.announcer.leaf_changed(web, up, t0 + 2s); // comes up: stays withdrawn, no GSHUT blip
    CHECK(f.sink.calls.empty());
    CHECK(f.status("web", t0 + 2s).reason == "drained by operator (rule up)");
}

TEST_CASE("announcer: drain all, undrain all, persisted drains", "[announce]")
{
    Fixture f;
    f.load({web_vip(), vip("api", {"192.0.2.20"}, "api")});
    CHECK(f.announcer.restore_drained({"api", "gone"}, t0) == std::vector<std::string>{"gone"});
    f.announcer.leaf_changed(web, up, t0 + 1s);
    f.announcer.leaf_changed(api, up, t0 + 1s);
    CHECK(f.announcer.ready());
    // The persisted drain holds: api is not announced, and has no drain period.
    CHECK(f.sink.take() ==
          Lines{"announce 192.0.2.10/32 med=100", "announce 2001:db8::10/128 med=100"});
    CHECK(f.status("api").state == VipState::drained);

    f.announcer.drain_all(t0 + 2s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32 med=100 lp=0 comm=65535:0",
                                 "announce 2001:db8::10/128 med=100 lp=0 comm=65535:0"});
    CHECK(f.announcer.drained() == std::vector<std::string>{"api", "web"});
    f.announcer.undrain_all(t0 + 3s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32 med=100",
                                 "announce 2001:db8::10/128 med=100", "announce 192.0.2.20/32"});
}

TEST_CASE("announcer: a flapping VIP is held down with back-off", "[announce]")
{
    Fixture f;
    VipConfig v = vip("web", {"192.0.2.10"}, "web");
    v.damping.threshold = 3;
    v.damping.min_hold = 10s;
    f.load({v});
    f.announcer.leaf_changed(web, up, t0);
    f.announcer.leaf_changed(web, down, t0 + 1s);
    f.announcer.leaf_changed(web, up, t0 + 2s);
    f.announcer.leaf_changed(web, down, t0 + 3s); // third flap: hold starts
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32", "withdraw 192.0.2.10/32",
                                 "announce 192.0.2.10/32", "withdraw 192.0.2.10/32"});
    f.event_lines();

    f.announcer.leaf_changed(web, up, t0 + 4s); // fourth flap: suppressed for 20s
    CHECK(f.sink.calls.empty());
    CHECK(f.event_lines() == Lines{"vip=web withdrawn->held-down cause=\"rule up but held down "
                                   "after 4 flaps (hold 20s)\" rule=web=up -> up"});
    const VipStatus s = f.status("web", t0 + 4s);
    CHECK(s.state == VipState::held_down);
    CHECK(s.damping.suppressed == 1);
    CHECK(s.damping.held_until == t0 + 24s);
    CHECK(f.announcer.next_deadline() == t0 + 24s);

    f.announcer.tick(t0 + 23s);
    CHECK(f.sink.calls.empty());
    f.announcer.tick(t0 + 24s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32"});
    CHECK(f.status("web", t0 + 24s).state == VipState::announced);
    CHECK_FALSE(f.announcer.next_deadline().has_value());
}

TEST_CASE("announcer: a leaf losing its verdict counts as a flap", "[announce]")
{
    Fixture f;
    VipConfig v = vip("web", {"192.0.2.10"}, "web");
    v.damping.threshold = 2;
    f.load({v});
    f.announcer.leaf_changed(web, up, t0);
    f.announcer.leaf_changed(web, LeafStatus{}, t0 + 1s); // e.g. check re-created: unknown
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32", "withdraw 192.0.2.10/32"});
    f.announcer.leaf_changed(web, up, t0 + 2s); // second flap: held 10s
    CHECK(f.sink.calls.empty());
    CHECK(f.status("web", t0 + 2s).state == VipState::held_down);
    CHECK(f.status("web", t0 + 2s).damping.total_flaps == 2);
    f.announcer.tick(t0 + 12s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.10/32"});
}

TEST_CASE("announcer: reconfigure withdraws removed prefixes, keeps unchanged ones", "[announce]")
{
    Fixture f;
    f.load({vip("a", {"192.0.2.1"}, "web"), vip("b", {"192.0.2.2"}, "web"),
            vip("c", {"192.0.2.3", "192.0.2.33"}, "web")});
    f.announcer.leaf_changed(web, up, t0);
    f.sink.take();
    f.event_lines();
    CHECK(f.announcer.drain("a", t0 + 1s));
    f.sink.take();
    f.event_lines();

    // Invalid: nothing changes.
    auto bad =
        f.announcer.reconfigure({vip("a", {"192.0.2.1"}, "web"), vip("a", {}, "web")}, t0 + 2s);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().vip == 1);
    CHECK(f.sink.calls.empty());
    CHECK(f.announcer.status(t0 + 2s).size() == 3);

    VipConfig b = vip("b", {"192.0.2.2"}, "web");
    b.up.med = 50;
    VipConfig d = vip("d", {"192.0.2.4", "192.0.2.33"}, "web"); // takes one of c's prefixes
    d.neighbors = {"r1"};
    d.next_hop_ipv4 = bgp::Address::parse("192.0.2.254");
    f.load({vip("a", {"192.0.2.1"}, "web"), b, d}, t0 + 3s);
    CHECK(f.sink.take() == Lines{"withdraw 192.0.2.3/32", "announce 192.0.2.2/32 med=50",
                                 "announce 192.0.2.4/32 nh=192.0.2.254 to=r1",
                                 "announce 192.0.2.33/32 nh=192.0.2.254 to=r1"});
    CHECK(f.status("a", t0 + 3s).state == VipState::draining); // kept VIP keeps its drain
    CHECK_FALSE(f.announcer.status("c", t0 + 3s).has_value());
    CHECK(f.event_lines() ==
          Lines{"vip=c announced->withdrawn cause=\"removed from the configuration\" "
                "rule=web=up -> up",
                "vip=b announced->announced cause=\"rule up\" rule=web=up -> up", // new MED
                "vip=d waiting->announced cause=\"rule up\" rule=web=up -> up"});
    CHECK(f.announcer.applied().size() == 4);

    f.load({vip("a", {"192.0.2.1"}, "web"), b, d}, t0 + 4s); // same list: nothing
    CHECK(f.sink.calls.empty());
}

TEST_CASE("announcer: a VIP added after start-up waits for its own verdicts", "[announce]")
{
    Fixture f;
    f.load({web_vip()});
    f.announcer.leaf_changed(web, up, t0);
    f.sink.take();
    f.load({web_vip(), vip("api", {"192.0.2.20"}, "api")}, t0 + 100s);
    CHECK(f.sink.calls.empty()); // api unknown: not announced
    CHECK(f.status("api", t0 + 100s).state == VipState::withdrawn);
    f.announcer.leaf_changed(api, up, t0 + 101s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.20/32"});
    CHECK(f.announcer.leaf(api) == up);
    CHECK(f.announcer.leaf(Reference::check("never-seen")) == LeafStatus{});
}

TEST_CASE("announcer: a prefix moved to another VIP on reload is not withdrawn", "[announce]")
{
    Fixture f;
    f.load({vip("a", {"192.0.2.1", "192.0.2.2"}, "web"), vip("b", {"192.0.2.3"}, "web")});
    f.announcer.leaf_changed(web, up, t0);
    CHECK(f.sink.take() ==
          Lines{"announce 192.0.2.1/32", "announce 192.0.2.2/32", "announce 192.0.2.3/32"});
    // .2 moves from a to b with the same attributes: nothing to send for it; .4 is new.
    f.load(
        {vip("a", {"192.0.2.1"}, "web"), vip("b", {"192.0.2.3", "192.0.2.2", "192.0.2.4"}, "web")},
        t0 + 1s);
    CHECK(f.sink.take() == Lines{"announce 192.0.2.4/32"});
    CHECK(f.announcer.applied().size() == 4);
    // b goes down: its three prefixes are withdrawn, a's stays.
    VipConfig b = vip("b", {"192.0.2.3", "192.0.2.2", "192.0.2.4"}, "api");
    f.load({vip("a", {"192.0.2.1"}, "web"), b}, t0 + 2s);
    f.announcer.leaf_changed(api, down, t0 + 3s);
    CHECK(f.sink.take() ==
          Lines{"withdraw 192.0.2.3/32", "withdraw 192.0.2.2/32", "withdraw 192.0.2.4/32"});
    CHECK(f.announcer.applied().size() == 1);
}

TEST_CASE("announcer: one spec per family, each prefix gets its family's next hop", "[announce]")
{
    Fixture f;
    VipConfig v = vip("many", {}, "web");
    for (int i = 0; i < 1000; ++i)
        v.prefixes.push_back(*bgp::Prefix::parse(fmt::format("10.0.{}.{}/32", i / 256, i % 256)));
    v.prefixes.push_back(*bgp::Prefix::parse("2001:db8::1/128"));
    v.next_hop_ipv4 = bgp::Address::parse("192.0.2.254");
    v.next_hop_ipv6 = bgp::Address::parse("2001:db8::fe");
    f.load({v});
    f.announcer.leaf_changed(web, up, t0);
    const auto sent = f.sink.take();
    REQUIRE(sent.size() == 1001);
    CHECK(sent.front() == "announce 10.0.0.0/32 nh=192.0.2.254");
    CHECK(sent.back() == "announce 2001:db8::1/128 nh=2001:db8::fe");
    f.announcer.leaf_changed(web, {LeafState::up, "still up"}, t0 + 1s);
    CHECK(f.sink.calls.empty());
    f.announcer.leaf_changed(web, down, t0 + 2s);
    CHECK(f.sink.take().size() == 1001);
    CHECK(f.announcer.applied().empty());
}
