// How a check's health state becomes a rule leaf state (cli/daemon/daemon.cpp leaf_status): in
// particular, counting towards the first verdict is "unknown", so the start-up gate waits for it.
#include <catch2/catch.hpp>

#include "cli/daemon/daemon.hpp"

using vipd::announce::LeafState;
using vipd::cli::leaf_status;
using S = vipd::health::State;

TEST_CASE("leaf: rising out of init is no verdict; rising after one is down", "[daemon]")
{
    CHECK(leaf_status(S::init, false, false, "").state == LeafState::unknown);
    CHECK(leaf_status(S::rising, false, false, "connected (1/2)").state == LeafState::unknown);
    CHECK(leaf_status(S::rising, false, true, "connected (1/2)").state == LeafState::down);
    CHECK(leaf_status(S::up, true, true, "connected").state == LeafState::up);
    CHECK(leaf_status(S::falling, true, true, "refused (1/3)").state == LeafState::up);
    CHECK(leaf_status(S::down, false, true, "refused").state == LeafState::down);
}

TEST_CASE("leaf: a check initially up counts as up before its first verdict", "[daemon]")
{
    CHECK(leaf_status(S::init, true, false, "").state == LeafState::up);
    CHECK(leaf_status(S::falling, true, false, "refused (1/3)").state == LeafState::up);
}

TEST_CASE("leaf: maintenance states and the cause carry over", "[daemon]")
{
    const auto l = leaf_status(S::disabled, false, true, "maintenance file /etc/m exists");
    CHECK(l.state == LeafState::disabled);
    CHECK(l.cause == "maintenance file /etc/m exists");
    CHECK(leaf_status(S::maint, false, true, "").state == LeafState::maint);
    CHECK(leaf_status(S::drain, true, true, "").state == LeafState::drain);
}
