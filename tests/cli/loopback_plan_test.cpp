// LoopbackPlan (issue 12): vipd removes only the loopback addresses it added. An address the
// kernel reports as present before vipd (EEXIST) is left in place at withdraw, reload and exit,
// and reported once; modes follow (while announced) and static (start to exit); reloads.
#include <catch2/catch.hpp>

#include "cli/daemon/loopback_plan.hpp"

using vipd::bgp::Prefix;
using vipd::cli::AddResult;
using vipd::cli::LoopbackMode;
using vipd::cli::LoopbackPlan;
using vipd::cli::LoopbackStep;
using vipd::cli::LoopbackSteps;

namespace {

Prefix lo_prefix(std::string_view text)
{
    return Prefix::parse(text).value(); // (at static initialisation: no REQUIRE)
}

LoopbackStep put(std::string_view text)
{
    return {LoopbackStep::Op::add, lo_prefix(text)};
}

LoopbackStep drop(std::string_view text)
{
    return {LoopbackStep::Op::remove, lo_prefix(text)};
}

const Prefix lo_ours = lo_prefix("192.0.2.20/32");
const Prefix lo_theirs =
    lo_prefix("192.0.2.10/32"); // configured by the operator before vipd started
const Prefix lo_v6 = lo_prefix("2001:db8::20/128");

} // namespace

TEST_CASE("loopback: follow: vipd's address comes and goes with the route", "[loopback]")
{
    LoopbackPlan plan(LoopbackMode::follow, {lo_ours, lo_theirs});
    CHECK(plan.sync().empty()); // nothing announced yet
    CHECK(plan.announced(lo_ours) == LoopbackSteps{put("192.0.2.20/32")});
    CHECK_FALSE(plan.added(lo_ours, AddResult::created));
    CHECK(plan.owned() == std::set<Prefix>{lo_ours});
    CHECK(plan.announced(lo_ours).empty()); // re-announced (new attributes): already there
    CHECK(plan.withdrawn(lo_ours) == LoopbackSteps{drop("192.0.2.20/32")});
    plan.removed(lo_ours, true);
    CHECK(plan.owned().empty());
    CHECK(plan.withdrawn(lo_ours).empty());
}

TEST_CASE("loopback: an address present before vipd is never removed and reported once",
          "[loopback]")
{
    LoopbackPlan plan(LoopbackMode::follow, {lo_ours, lo_theirs});
    CHECK(plan.announced(lo_theirs) == LoopbackSteps{put("192.0.2.10/32")});
    CHECK(plan.added(lo_theirs, AddResult::existed)); // EEXIST: report it
    CHECK(plan.owned().empty());
    CHECK(plan.foreign() == std::set<Prefix>{lo_theirs});
    CHECK(plan.withdrawn(lo_theirs).empty()); // withdraw: left in place
    CHECK(plan.foreign().empty());
    // Announced again: the kernel is asked again (the operator may have removed it meanwhile),
    // but a second EEXIST is not reported a second time.
    CHECK(plan.announced(lo_theirs) == LoopbackSteps{put("192.0.2.10/32")});
    CHECK_FALSE(plan.added(lo_theirs, AddResult::existed));
    CHECK(plan.stop().empty()); // exit: left in place
}

TEST_CASE("loopback: exit removes exactly the addresses vipd added", "[loopback]")
{
    LoopbackPlan plan(LoopbackMode::follow, {lo_ours, lo_theirs, lo_v6});
    for (const auto& p : {lo_ours, lo_theirs, lo_v6})
        REQUIRE(plan.announced(p).size() == 1);
    (void)plan.added(lo_ours, AddResult::created);
    CHECK(plan.added(lo_theirs, AddResult::existed));
    (void)plan.added(lo_v6, AddResult::created);
    CHECK(plan.stop() == LoopbackSteps{drop("192.0.2.20/32"), drop("2001:db8::20/128")});
    plan.removed(lo_ours, true);
    plan.removed(lo_v6, true);
    CHECK(plan.owned().empty());
    CHECK(plan.announced(lo_ours).empty()); // stopped: nothing more is added
}

TEST_CASE("loopback: a failed request is retried, a failed remove stays owned until exit",
          "[loopback]")
{
    LoopbackPlan plan(LoopbackMode::follow, {lo_ours});
    CHECK(plan.announced(lo_ours).size() == 1);
    CHECK_FALSE(plan.added(lo_ours, AddResult::failed)); // e.g. no CAP_NET_ADMIN
    CHECK(plan.owned().empty());
    CHECK(plan.announced(lo_ours) == LoopbackSteps{put("192.0.2.20/32")});
    (void)plan.added(lo_ours, AddResult::created);
    CHECK(plan.withdrawn(lo_ours) == LoopbackSteps{drop("192.0.2.20/32")});
    plan.removed(lo_ours, false);
    CHECK(plan.owned() == std::set<Prefix>{lo_ours});
    CHECK(plan.stop() == LoopbackSteps{drop("192.0.2.20/32")});
}

TEST_CASE("loopback: static: every configured address from start to exit", "[loopback]")
{
    LoopbackPlan plan(LoopbackMode::static_, {lo_ours, lo_theirs});
    CHECK(plan.sync() == LoopbackSteps{put("192.0.2.10/32"), put("192.0.2.20/32")});
    CHECK(plan.added(lo_theirs, AddResult::existed));
    (void)plan.added(lo_ours, AddResult::created);
    CHECK(plan.announced(lo_ours).empty());
    CHECK(plan.withdrawn(lo_ours).empty()); // the route goes, the address stays
    CHECK(plan.withdrawn(lo_theirs).empty());
    CHECK(plan.sync().empty());
    CHECK(plan.stop() == LoopbackSteps{drop("192.0.2.20/32")}); // not the operator's
}

TEST_CASE("loopback: reload: new and removed VIPs, and a change of mode", "[loopback]")
{
    LoopbackPlan plan(LoopbackMode::static_, {lo_ours, lo_theirs});
    REQUIRE(plan.sync().size() == 2);
    (void)plan.added(lo_ours, AddResult::created);
    CHECK(plan.added(lo_theirs, AddResult::existed));

    // static: a new VIP's address is added, a removed VIP's is removed if vipd added it.
    CHECK(plan.reconfigure(LoopbackMode::static_, {lo_theirs, lo_v6}) ==
          LoopbackSteps{drop("192.0.2.20/32"), put("2001:db8::20/128")});
    plan.removed(lo_ours, true);
    (void)plan.added(lo_v6, AddResult::created);
    CHECK(plan.reconfigure(LoopbackMode::static_, {lo_v6}).empty()); // lo_theirs: only forgotten
    CHECK(plan.foreign().empty());

    // static -> follow: only announced addresses stay. (`lo_ours` is announced while static mode
    // does not list it: no step yet.)
    CHECK(plan.announced(lo_ours).empty());
    CHECK(plan.reconfigure(LoopbackMode::follow, {lo_ours, lo_v6}) ==
          LoopbackSteps{put("192.0.2.20/32"), drop("2001:db8::20/128")});
    plan.removed(lo_v6, true);
    (void)plan.added(lo_ours, AddResult::created);

    // follow -> static: every configured address again.
    CHECK(plan.reconfigure(LoopbackMode::static_, {lo_ours, lo_v6}) ==
          LoopbackSteps{put("2001:db8::20/128")});
}

TEST_CASE("loopback: vip_prefixes collects the prefixes of every VIP", "[loopback]")
{
    vipd::announce::VipConfig a;
    a.prefixes = {lo_ours, lo_v6};
    vipd::announce::VipConfig b;
    b.prefixes = {lo_theirs};
    CHECK(vipd::cli::vip_prefixes({&a, &b}) == std::set<Prefix>{lo_ours, lo_theirs, lo_v6});
    CHECK(vipd::cli::vip_prefixes({}).empty());
}
