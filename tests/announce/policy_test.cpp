// Announce policy rows: gate, up, down (withdraw / degrade), unknown, hold, drain.
#include <catch2/catch.hpp>

#include "announce/policy.hpp"

using namespace vipd::announce;
using namespace std::chrono_literals;
namespace bgp = vipd::bgp;

namespace {

const TimePoint t0{};

VipConfig web()
{
    VipConfig v;
    v.name = "web";
    v.prefixes = {*bgp::Prefix::parse("192.0.2.10"), *bgp::Prefix::parse("2001:db8::10")};
    v.rule = Rule::leaf(Reference::check("web"));
    v.up.med = 300;
    v.up.communities = {0xFDE80001}; // 65000:1
    return v;
}

VipConfig active_passive()
{
    VipConfig v = web();
    v.when_down = DownAction::degrade;
    v.degraded.med = 400;
    v.degraded.prepend = 2;
    v.degraded.communities = {0xFDE80002};
    return v;
}

AdminState open_at(TimePoint now)
{
    AdminState a;
    a.now = now;
    return a;
}

} // namespace

TEST_CASE("policy: start-up gate withdraws and names what it waits for", "[announce]")
{
    AdminState a = open_at(t0);
    a.gate_open = false;
    a.unknown_leaves = {Reference::check("web"), Reference::backend("be_app")};
    const RouteIntent i = decide(web(), RuleResult::up, a);
    CHECK(i.state == VipState::waiting);
    CHECK_FALSE(i.announce());
    CHECK(i.reason == "start-up: waiting for a first verdict from web, b:be_app");
    a.unknown_leaves.clear();
    CHECK(decide(web(), RuleResult::up, a).reason == "start-up: waiting for the first verdicts");
}

TEST_CASE("policy: up announces the up attributes", "[announce]")
{
    const RouteIntent i = decide(web(), RuleResult::up, open_at(t0));
    CHECK(i == RouteIntent{VipState::announced, web().up, "rule up"});
}

TEST_CASE("policy: down withdraws, or degrades for active/passive", "[announce]")
{
    CHECK(decide(web(), RuleResult::down, open_at(t0)) ==
          RouteIntent{VipState::withdrawn, std::nullopt, "rule down"});

    const RouteIntent d = decide(active_passive(), RuleResult::down, open_at(t0));
    CHECK(d.state == VipState::degraded);
    CHECK(d.reason == "rule down, announcing degraded");
    REQUIRE(d.announce());
    CHECK(d.attributes->med == 400u);
    CHECK(d.attributes->prepend == 2);
    CHECK(d.attributes->communities == std::vector<bgp::Community>{0xFDE80001, 0xFDE80002});
}

TEST_CASE("policy: unknown after the gate counts as down", "[announce]")
{
    AdminState a = open_at(t0);
    a.unknown_leaves = {Reference::check("web")};
    CHECK(decide(web(), RuleResult::unknown, a) ==
          RouteIntent{VipState::withdrawn, std::nullopt, "rule unknown: no verdict yet from web"});
    CHECK(decide(active_passive(), RuleResult::unknown, a).state == VipState::degraded);
}

TEST_CASE("policy: a damping hold keeps an up VIP down", "[announce]")
{
    AdminState a = open_at(t0);
    a.hold = Hold{t0 + 40s, 5, 40s};
    CHECK(decide(web(), RuleResult::up, a) ==
          RouteIntent{VipState::held_down, std::nullopt,
                      "rule up but held down after 5 flaps (hold 40s)"});
    const RouteIntent d = decide(active_passive(), RuleResult::up, a);
    CHECK(d.state == VipState::held_down);
    REQUIRE(d.announce());
    CHECK(d.attributes->med == 400u);
    CHECK(d.reason == "rule up but held down after 5 flaps (hold 40s), announcing degraded");
}

TEST_CASE("policy: drain announces GRACEFUL_SHUTDOWN, then withdraws", "[announce]")
{
    VipConfig v = web();
    v.drain.drain_time = 60s;
    v.drain.attributes.med = 1000;
    v.drain.attributes.prepend = 3;
    AdminState a = open_at(t0 + 10s);
    a.drain_end = t0 + 60s;

    const RouteIntent draining = decide(v, RuleResult::up, a);
    CHECK(draining.state == VipState::draining);
    CHECK(draining.reason ==
          "drained by operator: GRACEFUL_SHUTDOWN for 60s, then withdraw (rule up)");
    REQUIRE(draining.announce());
    CHECK(draining.attributes->med == 1000u);
    CHECK(draining.attributes->prepend == 3);
    CHECK(draining.attributes->local_pref == 0u);
    CHECK(draining.attributes->communities ==
          std::vector<bgp::Community>{0xFDE80001, bgp::community::graceful_shutdown});

    a.now = t0 + 60s;
    CHECK(decide(v, RuleResult::up, a) ==
          RouteIntent{VipState::drained, std::nullopt, "drained by operator (rule up)"});

    a.now = t0 + 10s; // a drained VIP that is down stays withdrawn
    CHECK(decide(v, RuleResult::down, a) ==
          RouteIntent{VipState::drained, std::nullopt, "drained by operator (rule down)"});

    a.gate_open = false; // a persisted drain shows as drained during start-up
    CHECK(decide(v, RuleResult::unknown, a).state == VipState::drained);
}

TEST_CASE("policy: draining a degraded VIP keeps the worse attributes", "[announce]")
{
    VipConfig v = active_passive();
    v.drain.attributes.med = 350; // lower than the degraded 400: max wins
    AdminState a = open_at(t0);
    a.drain_end = t0 + 30s;
    const RouteIntent i = decide(v, RuleResult::down, a);
    CHECK(i.state == VipState::draining);
    REQUIRE(i.announce());
    CHECK(i.attributes->med == 400u);
    CHECK(i.attributes->prepend == 2);
    CHECK(i.attributes->communities ==
          std::vector<bgp::Community>{0xFDE80001, 0xFDE80002, bgp::community::graceful_shutdown});
}

TEST_CASE("policy: deltas never make a route more preferred", "[announce]")
{
    bgp::RouteAttributes base;
    base.med = 500;
    base.local_pref = 50;
    base.prepend = 254;
    base.communities = {bgp::community::graceful_shutdown};
    AttributeDelta d;
    d.med = 100;
    d.local_pref = 200;
    d.prepend = 5;
    d.communities = {bgp::community::graceful_shutdown, bgp::community::no_export};
    d.large_communities = {{65000, 1, 2}};
    const auto out = apply_delta(base, d);
    CHECK(out.med == 500u);
    CHECK(out.local_pref == 50u);
    CHECK(out.prepend == 255); // saturates
    CHECK(out.communities == std::vector<bgp::Community>{bgp::community::graceful_shutdown,
                                                         bgp::community::no_export});
    CHECK(out.large_communities.size() == 1);

    bgp::RouteAttributes bare; // no MED (counts as 0), no LOCAL_PREF
    const auto set = apply_delta(bare, d);
    CHECK(set.med == 100u);
    CHECK(set.local_pref == 200u);
    CHECK(apply_delta(bare, AttributeDelta{}) == bare);
}

TEST_CASE("policy: route spec per prefix family", "[announce]")
{
    VipConfig v = web();
    v.neighbors = {"r1", "r2"};
    v.next_hop_ipv4 = bgp::Address::parse("192.0.2.1");
    const auto v4 = route_spec(v, v.up, v.prefixes[0]);
    const auto v6 = route_spec(v, v.up, v.prefixes[1]);
    CHECK(v4.attributes.next_hop == bgp::Address::parse("192.0.2.1"));
    CHECK_FALSE(v6.attributes.next_hop.has_value());
    CHECK(v4.neighbors == std::vector<std::string>{"r1", "r2"});
    v.next_hop_ipv6 = bgp::Address::parse("2001:db8::1");
    CHECK(route_spec(v, v.up, v.prefixes[1]).attributes.next_hop ==
          bgp::Address::parse("2001:db8::1"));
    CHECK(to_string(VipState::held_down) == "held-down");
}
