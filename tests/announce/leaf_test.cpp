// How a check's health state becomes a rule leaf state (announce/leaf.hpp leaf_status): in
// particular, counting towards the first verdict is "unknown", so the start-up gate waits for it.
#include <catch2/catch.hpp>

#include "announce/announcer.hpp"
#include "announce/leaf.hpp"

using vipd::announce::leaf_status;
using vipd::announce::LeafState;
using S = vipd::health::State;

TEST_CASE("leaf: rising out of init is no verdict, rising after one is down", "[announce]")
{
    CHECK(leaf_status(S::init, false, false, "").state == LeafState::unknown);
    CHECK(leaf_status(S::rising, false, false, "connected (1/2)").state == LeafState::unknown);
    CHECK(leaf_status(S::rising, false, true, "connected (1/2)").state == LeafState::down);
    CHECK(leaf_status(S::up, true, true, "connected").state == LeafState::up);
    CHECK(leaf_status(S::falling, true, true, "refused (1/3)").state == LeafState::up);
    CHECK(leaf_status(S::down, false, true, "refused").state == LeafState::down);
}

TEST_CASE("leaf: a check initially up counts as up before its first verdict", "[announce]")
{
    CHECK(leaf_status(S::init, true, false, "").state == LeafState::up);
    CHECK(leaf_status(S::falling, true, false, "refused (1/3)").state == LeafState::up);
}

TEST_CASE("leaf: maintenance states and the cause carry over", "[announce]")
{
    const auto l = leaf_status(S::disabled, false, true, "maintenance file /etc/m exists");
    CHECK(l.state == LeafState::disabled);
    CHECK(l.cause == "maintenance file /etc/m exists");
    CHECK(leaf_status(S::maint, false, true, "").state == LeafState::maint);
    CHECK(leaf_status(S::drain, true, true, "").state == LeafState::drain);
}

TEST_CASE("leaf: the Monitor's name of each leaf kind", "[announce]")
{
    using vipd::announce::leaf_name;
    using vipd::announce::Reference;
    CHECK(leaf_name(Reference::check("web")) == "web");
    CHECK(leaf_name(Reference::backend("be")) == "b:be");
    CHECK(leaf_name(Reference::server_of("be", "web1", "lb")) == "lb%s:be/web1");
}

namespace {

struct NullSink : vipd::announce::RouteSink
{
    void announce(const vipd::bgp::Prefix&, const vipd::bgp::RouteSpec&) override {}
    void withdraw(const vipd::bgp::Prefix&) override {}
};

vipd::announce::VipConfig vip_with_rule(std::string_view rule)
{
    vipd::announce::VipConfig v;
    v.name = "site";
    v.prefixes.push_back(*vipd::bgp::Prefix::parse("192.0.2.10/32"));
    v.rule = *vipd::announce::parse_rule(rule);
    return v;
}

vipd::health::Transition transition(std::string_view check, S to, bool serving, bool settled,
                                    std::string_view cause)
{
    vipd::health::Transition t;
    t.check = check;
    t.to = to;
    t.serving = serving;
    t.settled = settled;
    t.cause = cause;
    return t;
}

} // namespace

TEST_CASE("leaf: the Announcer maps a check's transition onto the leaves of that name",
          "[announce]")
{
    using vipd::announce::Reference;
    const auto t0 = vipd::announce::TimePoint{} + std::chrono::seconds(1000);
    NullSink sink;
    vipd::announce::Announcer a(sink, t0);
    REQUIRE(a.reconfigure({vip_with_rule("all(web, lb%b:be)")}, t0));

    a.check_changed(transition("web", S::rising, false, false, "connected (1/2)"), t0);
    CHECK(a.leaf(Reference::check("web")).state == LeafState::unknown);
    a.check_changed(transition("web", S::up, true, true, "connected"), t0);
    CHECK(a.leaf(Reference::check("web")) ==
          vipd::announce::LeafStatus{LeafState::up, "connected"});
    a.check_changed(transition("lb%b:be", S::maint, false, true, "backend be MAINT"), t0);
    CHECK(a.leaf(Reference::backend("be", "lb")).state == LeafState::maint);
    // A check no rule uses leaves every leaf alone.
    a.check_changed(transition("other", S::down, false, true, "refused"), t0);
    CHECK(a.leaf(Reference::check("other")).state == LeafState::unknown);
    CHECK(a.status("site", t0)->evaluation.result == vipd::announce::RuleResult::down);
}
