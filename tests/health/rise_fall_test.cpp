// RiseFall: pure rise/fall counting, admin disable, maint/drain, causes. No sockets, no clock.
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "health/rise_fall.hpp"

namespace {

using namespace vipd::health;

Outcome ok(std::string detail = "HTTP 200")
{
    return {Status::up, std::move(detail), {}};
}
Outcome bad(std::string detail = "connect refused")
{
    return {Status::down, std::move(detail), {}};
}

} // namespace

TEST_CASE("rise: down until rise consecutive successes", "[health]")
{
    RiseFall rf({3, 2, InitialState::down});
    CHECK(rf.state() == State::init);
    CHECK_FALSE(rf.serving());

    auto c = rf.observe(ok());
    REQUIRE(c);
    CHECK(*c == Change{State::init, State::rising, "HTTP 200 (1/3)"});
    CHECK(rf.streak() == 1);
    CHECK_FALSE(rf.serving());

    CHECK_FALSE(rf.observe(ok())); // 2/3: still rising, no transition
    CHECK(rf.streak() == 2);

    c = rf.observe(ok("HTTP 204"));
    REQUIRE(c);
    CHECK(*c == Change{State::rising, State::up, "HTTP 204"});
    CHECK(rf.serving());
    CHECK(rf.cause() == "HTTP 204");
}

TEST_CASE("settled: no verdict while counting out of init, nor after enable", "[health]")
{
    RiseFall rf({2, 2, InitialState::down});
    CHECK_FALSE(rf.settled());
    (void)rf.observe(ok());
    CHECK(rf.state() == State::rising);
    CHECK_FALSE(rf.settled());
    (void)rf.observe(ok());
    CHECK(rf.settled());
    (void)rf.observe(bad());
    CHECK(rf.state() == State::falling);
    CHECK(rf.settled()); // falling from a verdict is still a verdict (up)
    (void)rf.disable("operator");
    CHECK(rf.settled());
    (void)rf.enable("operator");
    CHECK_FALSE(rf.settled());
    (void)rf.observe(bad());
    CHECK(rf.settled()); // initial down: the first failure is a verdict

    RiseFall up({2, 2, InitialState::up});
    (void)up.observe(bad());
    CHECK(up.state() == State::falling);
    CHECK_FALSE(up.settled());
    (void)up.observe(ok());
    CHECK(up.settled());
}

TEST_CASE("rise: a failure while rising goes back to down and restarts the count", "[health]")
{
    RiseFall rf({2, 2, InitialState::down});
    (void)rf.observe(ok());
    auto c = rf.observe(bad());
    REQUIRE(c);
    CHECK(*c == Change{State::rising, State::down, "connect refused"});
    c = rf.observe(ok());
    REQUIRE(c);
    CHECK(c->to == State::rising);
    CHECK(rf.streak() == 1);
}

TEST_CASE("fall: falling is still serving until fall consecutive failures", "[health]")
{
    RiseFall rf({1, 3, InitialState::down});
    REQUIRE(rf.observe(ok())->to == State::up);

    auto c = rf.observe(bad("HTTP 503"));
    REQUIRE(c);
    CHECK(*c == Change{State::up, State::falling, "HTTP 503 (1/3)"});
    CHECK(rf.serving());
    CHECK_FALSE(rf.observe(bad("HTTP 503")));
    c = rf.observe(bad("timeout after 2 s"));
    REQUIRE(c);
    CHECK(*c == Change{State::falling, State::down, "timeout after 2 s"});
    CHECK_FALSE(rf.serving());
    CHECK_FALSE(rf.observe(bad())); // down stays down silently
}

TEST_CASE("fall: one success while falling returns to up and resets the count", "[health]")
{
    RiseFall rf({1, 2, InitialState::down});
    (void)rf.observe(ok());
    (void)rf.observe(bad());
    auto c = rf.observe(ok());
    REQUIRE(c);
    CHECK(*c == Change{State::falling, State::up, "HTTP 200"});
    REQUIRE(rf.observe(bad())->to == State::falling);
    CHECK(rf.streak() == 1);
}

TEST_CASE("rise=1 fall=1 follow every probe", "[health]")
{
    RiseFall rf({1, 1, InitialState::down});
    CHECK(rf.observe(bad())->to == State::down);
    CHECK(rf.observe(ok())->to == State::up);
    CHECK(rf.observe(bad())->to == State::down);
}

TEST_CASE("initial up: serving before the first probe, must fall to go down", "[health]")
{
    RiseFall rf({2, 2, InitialState::up});
    CHECK(rf.state() == State::init);
    CHECK(rf.serving());
    auto c = rf.observe(bad());
    REQUIRE(c);
    CHECK(*c == Change{State::init, State::falling, "connect refused (1/2)"});

    RiseFall rf2({2, 2, InitialState::up});
    c = rf2.observe(ok());
    REQUIRE(c);
    CHECK(*c == Change{State::init, State::up, "HTTP 200"});
}

TEST_CASE("initial down: first failure goes straight to down", "[health]")
{
    RiseFall rf;
    auto c = rf.observe(bad());
    REQUIRE(c);
    CHECK(*c == Change{State::init, State::down, "connect refused"});
}

TEST_CASE("maintenance file: disabled at once, then rises again", "[health]")
{
    RiseFall rf({2, 3, InitialState::down});
    (void)rf.observe(ok());
    (void)rf.observe(ok());
    REQUIRE(rf.state() == State::up);
    auto c = rf.observe({Status::disabled, "maintenance file /etc/vipd/maint exists", {}});
    REQUIRE(c);
    CHECK(*c == Change{State::up, State::disabled, "maintenance file /etc/vipd/maint exists"});
    CHECK_FALSE(rf.serving());
    CHECK_FALSE(rf.observe({Status::disabled, "maintenance file /etc/vipd/maint exists", {}}));
    CHECK(rf.observe(ok("no maintenance file"))->to == State::rising);
    CHECK(rf.observe(ok("no maintenance file"))->to == State::up);
}

TEST_CASE("maint and drain are distinct from down, drain keeps serving", "[health]")
{
    RiseFall rf({1, 1, InitialState::down});
    (void)rf.observe(ok());
    auto c = rf.observe({Status::drain, "server be_app/web4 DRAIN", {}});
    REQUIRE(c);
    CHECK(*c == Change{State::up, State::drain, "server be_app/web4 DRAIN"});
    CHECK(rf.serving());
    c = rf.observe({Status::maint, "server be_app/web4 MAINT", {}});
    REQUIRE(c);
    CHECK(*c == Change{State::drain, State::maint, "server be_app/web4 MAINT"});
    CHECK_FALSE(rf.serving());
    CHECK(rf.observe(bad("server be_app/web4 DOWN"))->to == State::down);
}

TEST_CASE("drain back to up needs no rise count: it never stopped being up", "[health]")
{
    RiseFall rf({3, 3, InitialState::down});
    (void)rf.observe({Status::drain, "DRAIN", {}});
    CHECK(rf.observe(ok())->to == State::up);
}

TEST_CASE("operator disable freezes the state, enable restarts from init", "[health]")
{
    RiseFall rf({1, 1, InitialState::down});
    (void)rf.observe(ok());
    auto c = rf.disable("disabled by operator");
    REQUIRE(c);
    CHECK(*c == Change{State::up, State::disabled, "disabled by operator"});
    CHECK(rf.admin_disabled());
    CHECK_FALSE(rf.observe(ok()));
    CHECK_FALSE(rf.observe(bad()));
    CHECK(rf.state() == State::disabled);
    c = rf.enable("enabled by operator");
    REQUIRE(c);
    CHECK(*c == Change{State::disabled, State::init, "enabled by operator"});
    CHECK_FALSE(rf.enable("again"));
    CHECK(rf.observe(ok())->to == State::up);
}

TEST_CASE("reconfigure keeps the state and clamps a partial count", "[health]")
{
    RiseFall rf({5, 5, InitialState::down});
    (void)rf.observe(ok());
    (void)rf.observe(ok());
    (void)rf.observe(ok());
    REQUIRE(rf.streak() == 3);
    rf.reconfigure({2, 2, InitialState::down});
    CHECK(rf.state() == State::rising);
    CHECK(rf.streak() == 1);
    CHECK(rf.observe(ok())->to == State::up);
}

TEST_CASE("serving() by state", "[health]")
{
    CHECK(serving(State::up, InitialState::down));
    CHECK(serving(State::falling, InitialState::down));
    CHECK(serving(State::drain, InitialState::down));
    CHECK_FALSE(serving(State::rising, InitialState::up));
    CHECK_FALSE(serving(State::down, InitialState::up));
    CHECK_FALSE(serving(State::disabled, InitialState::up));
    CHECK_FALSE(serving(State::maint, InitialState::up));
    CHECK_FALSE(serving(State::init, InitialState::down));
    CHECK(serving(State::init, InitialState::up));
    CHECK(to_string(State::falling) == "falling");
}

TEST_CASE("observe_gone: a reported exit is down at once, whatever the fall count", "[health]")
{
    RiseFall rf({2, 3, InitialState::down});
    (void)rf.observe(ok());
    (void)rf.observe(ok());
    REQUIRE(rf.state() == State::up);
    auto c = rf.observe_gone(bad("process 12 exited"));
    REQUIRE(c);
    CHECK(*c == Change{State::up, State::down, "process 12 exited"});
    CHECK(rf.streak() == 0);
    CHECK_FALSE(rf.observe_gone(bad("again"))); // already down: no change

    // While falling (1/3) and while rising (1/2): down, and rising counts from zero again.
    RiseFall falling({2, 3, InitialState::up});
    (void)falling.observe(bad());
    REQUIRE(falling.state() == State::falling);
    CHECK(falling.observe_gone(bad("process 1 exited"))->to == State::down);
    (void)falling.observe(ok());
    REQUIRE(falling.state() == State::rising);
    CHECK(falling.observe_gone(bad("process 2 exited"))->from == State::rising);
    CHECK(falling.observe(ok())->cause == "HTTP 200 (1/2)");

    // From init: a verdict.
    RiseFall fresh({2, 3, InitialState::up});
    CHECK(fresh.observe_gone(bad("process 3 exited"))->from == State::init);
    CHECK(fresh.settled());
}

TEST_CASE("observe_gone: ignored while admin-disabled and for an outcome that is up", "[health]")
{
    RiseFall rf({1, 3, InitialState::down});
    (void)rf.observe(ok());
    CHECK_FALSE(rf.observe_gone(ok()));
    CHECK(rf.state() == State::up);
    (void)rf.disable("operator");
    CHECK_FALSE(rf.observe_gone(bad("process 4 exited")));
    CHECK(rf.state() == State::disabled);
}
