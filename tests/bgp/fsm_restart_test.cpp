// How the FSM restarts a session from Idle (RFC 4271 §8.1.1 IdleHoldTimer and
// DampPeerOscillations, RFC 4486 Cease subcodes): which endings count as failures and double
// the wait, which restart at once, and what operators are told. Events in, actions out; the
// timers are events, never time.
#include <catch2/catch.hpp>

#include "fsm_script.hpp"

using namespace vipd::bgp;
using namespace vipd::bgp::test;
using namespace std::chrono_literals;

namespace {

// Established on connection `conn` from Idle or Active/Connect (after a restart).
void restart_to_established(Script& s, ConnId conn, std::uint16_t hold = 90)
{
    if (s.fsm.state() == State::idle)
        (void)s.fsm.handle(IdleHoldTimerExpired{});
    (void)s.fsm.handle(TcpConnected{conn, false});
    (void)s.fsm.handle(OpenReceived{conn, peer_open(peer_id, hold)});
    (void)s.fsm.handle(KeepaliveReceived{conn});
    REQUIRE(s.fsm.state() == State::established);
}

// A notification with data, for RFC 8538 Hard Reset (the inner code and subcode first).
Notification restart_test_hard_reset(std::uint8_t inner_code, std::uint8_t inner_subcode)
{
    return Notification{6, cease::hard_reset, {inner_code, inner_subcode}};
}

} // namespace

TEST_CASE("fsm restart: IdleHoldTime doubles per failure up to the cap", "[fsm]")
{
    FsmConfig c = fsm_config();
    CHECK(idle_hold_after(c, 0) == 1s);
    CHECK(idle_hold_after(c, 1) == 1s);
    CHECK(idle_hold_after(c, 4) == 8s);
    CHECK(idle_hold_after(c, 8) == 120s);
    CHECK(idle_hold_after(c, 1000) == 120s);
    SECTION("equal idle and max: no doubling")
    {
        c.idle_hold_time = c.max_idle_hold_time = 3s;
        CHECK(idle_hold_after(c, 1) == 3s);
        CHECK(idle_hold_after(c, 9) == 3s);
    }
    SECTION("durations below a second")
    {
        c.idle_hold_time = 250ms;
        c.max_idle_hold_time = 1s;
        CHECK(idle_hold_after(c, 2) == 500ms);
        CHECK(idle_hold_after(c, 5) == 1s);
    }
}

TEST_CASE("fsm restart: Cease subcodes from the peer (RFC 4486)", "[fsm]")
{
    CHECK(classify_cease(make_cease(cease::administrative_shutdown)) == PeerCease::administrative);
    CHECK(classify_cease(make_cease(cease::administrative_reset, "x")) ==
          PeerCease::administrative);
    CHECK(classify_cease(make_cease(cease::other_configuration_change)) ==
          PeerCease::administrative);
    CHECK(classify_cease(make_cease(cease::connection_rejected)) == PeerCease::refused);
    CHECK(classify_cease(make_cease(cease::connection_collision_resolution)) == PeerCease::refused);
    CHECK(classify_cease(make_cease(cease::maximum_prefixes_reached)) == PeerCease::failure);
    CHECK(classify_cease(make_cease(cease::peer_deconfigured)) == PeerCease::failure);
    CHECK(classify_cease(make_cease(cease::out_of_resources)) == PeerCease::failure);
    CHECK(classify_cease(make_cease(0)) == PeerCease::failure);
    CHECK(classify_cease(Notification{4, 0, {}}) == PeerCease::failure);
    // RFC 8538 §3: a Hard Reset is judged by the NOTIFICATION it carries.
    CHECK(classify_cease(restart_test_hard_reset(6, cease::administrative_reset)) ==
          PeerCease::administrative);
    CHECK(classify_cease(restart_test_hard_reset(4, 0)) == PeerCease::failure);
    CHECK(classify_cease(restart_test_hard_reset(6, cease::connection_rejected)) ==
          PeerCease::failure);
    CHECK(classify_cease(Notification{6, cease::hard_reset, {}}) == PeerCease::failure);
}

TEST_CASE("fsm restart: a router restarted by its operator is re-peered at once", "[fsm]")
{
    Script s;
    (void)s.fsm.handle(ManualStart{});
    // Three earlier failures: an error now would wait 8 s.
    for (ConnId conn = 1; conn <= 3; ++conn) {
        (void)s.fsm.handle(TcpConnected{conn, false});
        (void)s.fsm.handle(HoldTimerExpired{});
        (void)s.fsm.handle(IdleHoldTimerExpired{});
    }
    REQUIRE(s.fsm.status().failures == 3);
    restart_to_established(s, 4);
    const Lines at_once{"close 4",
                        "stop hold",
                        "stop keepalive",
                        "stop send_hold",
                        "stop idle_hold_reset",
                        "down established",
                        "start idle_hold 0s"};

    SECTION("Cease/2 Administrative Shutdown (BIRD on SIGTERM)")
    {
        CHECK(s(NotificationReceived{4, make_cease(cease::administrative_shutdown)}) == at_once);
    }
    SECTION("Cease/4 Administrative Reset")
    {
        CHECK(s(NotificationReceived{4, make_cease(cease::administrative_reset)}) == at_once);
    }
    SECTION("Cease/6 Other Configuration Change")
    {
        CHECK(s(NotificationReceived{4, make_cease(cease::other_configuration_change)}) == at_once);
    }
    SECTION("Hard Reset wrapping Cease/4 (RFC 8538)")
    {
        CHECK(s(NotificationReceived{4, restart_test_hard_reset(6, cease::administrative_reset)}) ==
              at_once);
    }
    CHECK(s.fsm.state() == State::idle);
    CHECK(s.fsm.status().failures == 3); // not counted, not forgotten
    CHECK(describe_idle_hold(s.fsm.status()) ==
          "next attempt in 0 s: no back-off: the peer reset the session (Cease)");
    CHECK(s(IdleHoldTimerExpired{}) == Lines{"start connect_retry 5s", "connect"});
    CHECK(s.fsm.state() == State::connect);
    CHECK(s.fsm.status().cause == "automatic restart after 0 s idle hold");
}

TEST_CASE("fsm restart: other Cease subcodes in Established back off", "[fsm]")
{
    Script s;
    s.to_established();
    for (std::uint8_t subcode :
         {cease::maximum_prefixes_reached, cease::peer_deconfigured, cease::out_of_resources}) {
        CAPTURE(subcode);
        Lines out = s(NotificationReceived{s.fsm.connection().value(), make_cease(subcode)});
        REQUIRE_FALSE(out.empty());
        CHECK(out.back() == "start idle_hold " +
                                std::to_string(1 << (subcode == 1   ? 0
                                                     : subcode == 3 ? 1
                                                                    : 2)) +
                                "s");
        restart_to_established(s, s.fsm.status().failures + 10);
    }
    CHECK(s.fsm.status().failures == 3);
}

TEST_CASE("fsm restart: a TCP close restarts at once only once the session is stable", "[fsm]")
{
    Script s;
    (void)s.fsm.handle(ManualStart{});
    restart_to_established(s, 1, 30);
    SECTION("stable after the negotiated HoldTime (30 s here)")
    {
        Script fresh;
        fresh.to_open_confirm(peer_open(peer_id, 30));
        CHECK(fresh(KeepaliveReceived{1}) == Lines{"start hold 30s", "established 1",
                                                   "start send_hold 480s",
                                                   "start idle_hold_reset 30s"});
    }
    SECTION("a zero HoldTime: stable after idle_hold_reset_time")
    {
        Script fresh;
        fresh.to_open_confirm(peer_open(peer_id, 0));
        CHECK(fresh(KeepaliveReceived{1}) == Lines{"established 1", "start idle_hold_reset 60s"});
    }
    SECTION("kill -9 of the router after the session was stable: next attempt at once")
    {
        CHECK(s(IdleHoldResetTimerExpired{}) == none);
        CHECK(s.fsm.status().stable);
        CHECK(s(TcpConnectionFails{1, "end of file"}) ==
              Lines{"close 1", "stop hold", "stop keepalive", "stop send_hold", "down established",
                    "start idle_hold 0s"});
        CHECK(s.fsm.status().failures == 0);
        CHECK_FALSE(s.fsm.status().stable);
        CHECK(describe_idle_hold(s.fsm.status()) ==
              "next attempt in 0 s: no back-off: the session was stable");
    }
    SECTION("flaps before the session is stable double the wait")
    {
        const std::vector<std::string> waits{"1s", "2s", "4s", "8s", "16s"};
        ConnId conn = 1;
        for (const auto& wait : waits) {
            Lines out = s(TcpConnectionFails{conn, "end of file"});
            REQUIRE_FALSE(out.empty());
            CHECK(out.back() == "start idle_hold " + wait);
            restart_to_established(s, ++conn, 30);
        }
        CHECK(s.fsm.status().failures == 5);
        (void)s.fsm.handle(TcpConnectionFails{conn, "end of file"});
        CHECK(describe_idle_hold(s.fsm.status()) ==
              "next attempt in 32 s: back-off after 6 failures");
    }
    SECTION("a hold timer expiry is an error even in a stable session")
    {
        (void)s.fsm.handle(IdleHoldResetTimerExpired{});
        Lines out = s(HoldTimerExpired{});
        CHECK(out.back() == "start idle_hold 1s");
        CHECK(s.fsm.status().failures == 1);
    }
}

TEST_CASE("fsm restart: ManualReset sends Cease/4 and restarts at once", "[fsm]")
{
    Script s;
    (void)s.fsm.handle(ManualStart{});
    for (ConnId conn = 1; conn <= 4; ++conn) {
        (void)s.fsm.handle(TcpConnected{conn, false});
        (void)s.fsm.handle(HoldTimerExpired{});
        if (conn < 4)
            (void)s.fsm.handle(IdleHoldTimerExpired{});
    }
    REQUIRE(s.fsm.state() == State::idle);
    REQUIRE(s.fsm.status().failures == 4);
    CHECK(describe_idle_hold(s.fsm.status()) == "next attempt in 8 s: back-off after 4 failures");

    SECTION("in Idle during the back-off: the wait ends now, failures forgotten")
    {
        CHECK(s(ManualReset{}) == Lines{"stop idle_hold", "start connect_retry 5s", "connect"});
        CHECK(s.fsm.state() == State::connect);
        CHECK(s.fsm.status().cause == "operator reset");
        CHECK(s.fsm.status().failures == 0);
    }
    SECTION("in Established: Cease/4 with the text, Idle, restart at once")
    {
        restart_to_established(s, 5);
        CHECK(s(ManualReset{"maintenance"}) ==
              Lines{"send 5 NOTIFICATION 6/4 0b6d61696e74656e616e6365", "stop hold",
                    "stop keepalive", "stop send_hold", "stop idle_hold_reset", "close 5",
                    "down established", "start idle_hold 0s"});
        CHECK(s.fsm.status().cause == "operator reset: \"maintenance\"");
        CHECK(s.fsm.status().failures == 0);
        CHECK(describe_idle_hold(s.fsm.status()) ==
              "next attempt in 0 s: no back-off: operator reset");
        CHECK(s(IdleHoldTimerExpired{}) == Lines{"start connect_retry 5s", "connect"});
    }
    SECTION("after a ManualStop the reset starts the session again")
    {
        (void)s.fsm.handle(ManualStop{});
        REQUIRE_FALSE(s.fsm.status().enabled);
        CHECK(s(ManualReset{}) == Lines{"start connect_retry 5s", "connect"});
        CHECK(s.fsm.status().enabled);
    }
}

TEST_CASE("fsm restart: a passive neighbor waits for the router right away", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.passive = true;
    Script s(local_peer(), c);
    (void)s.fsm.handle(ManualStart{});
    (void)s.fsm.handle(TcpConnected{1, true});
    (void)s.fsm.handle(OpenReceived{1, peer_open()});
    (void)s.fsm.handle(KeepaliveReceived{1});
    REQUIRE(s.fsm.state() == State::established);
    Lines out = s(NotificationReceived{1, make_cease(cease::administrative_reset)});
    CHECK(out.back() == "start idle_hold 0s");
    CHECK(s(IdleHoldTimerExpired{}) == none);
    CHECK(s.fsm.state() == State::active);
}

TEST_CASE("fsm restart: new idle-hold bounds apply from the next wait", "[fsm]")
{
    Script s;
    s.to_open_sent();
    s.fsm.set_idle_hold(5s, 5s);
    CHECK(s(HoldTimerExpired{}).back() == "start idle_hold 5s");
}

TEST_CASE("fsm restart: a neighbor removed sends its Cease and arms no restart", "[fsm]")
{
    Script s;
    s.to_established();
    CHECK(s(ManualStop{"", make_cease(cease::peer_deconfigured)}) ==
          Lines{"send 1 NOTIFICATION 6/3", "stop hold", "stop keepalive", "stop send_hold",
                "stop idle_hold_reset", "close 1", "down established"});
    CHECK(s.fsm.status().cause == "stopped: 6/3 Cease / Peer De-configured");
    CHECK(s.fsm.status().failures == 0);
    CHECK_FALSE(s.fsm.timer_running(TimerId::idle_hold));
}

TEST_CASE("fsm restart: BFD Down (AutomaticStop with path_down) backs off only an unstable session",
          "[fsm]")
{
    Script s;
    (void)s.fsm.handle(ManualStart{});
    restart_to_established(s, 1, 30);
    const AutomaticStop bfd_down{make_cease(cease::bfd_down), true};
    SECTION("stable: Cease/10, then the next attempt at once, no failure counted")
    {
        CHECK(s(IdleHoldResetTimerExpired{}) == none);
        CHECK(s(bfd_down) == Lines{"send 1 NOTIFICATION 6/10", "stop hold", "stop keepalive",
                                   "stop send_hold", "close 1", "down established",
                                   "start idle_hold 0s"});
        CHECK(s.fsm.status().failures == 0);
        CHECK(describe_idle_hold(s.fsm.status()) ==
              "next attempt in 0 s: no back-off: BFD Down under a stable session");
        SECTION("the restart connects as usual (the connect retries wait for the path)")
        {
            CHECK_THAT(s(IdleHoldTimerExpired{}), Catch::VectorContains(std::string("connect")));
            CHECK(s.fsm.state() == State::connect);
        }
        SECTION("a link that flaps under stable sessions never waits longer")
        {
            for (ConnId conn = 2; conn < 6; ++conn) {
                restart_to_established(s, conn, 30);
                (void)s.fsm.handle(IdleHoldResetTimerExpired{});
                CHECK(s(bfd_down).back() == "start idle_hold 0s");
            }
            CHECK(s.fsm.status().failures == 0);
        }
    }
    SECTION("not yet stable: a failure, the wait doubles per flap as before")
    {
        const std::vector<std::string> waits{"1s", "2s", "4s", "8s"};
        ConnId conn = 1;
        for (const auto& wait : waits) {
            Lines out = s(bfd_down);
            REQUIRE_FALSE(out.empty());
            CHECK(out.back() == "start idle_hold " + wait);
            restart_to_established(s, ++conn, 30);
        }
        CHECK(s.fsm.status().failures == 4);
        (void)s.fsm.handle(bfd_down);
        CHECK(describe_idle_hold(s.fsm.status()) ==
              "next attempt in 16 s: back-off after 5 failures");
    }
    SECTION("another AutomaticStop of a stable session still counts a failure")
    {
        (void)s.fsm.handle(IdleHoldResetTimerExpired{});
        CHECK(s(AutomaticStop{make_cease(cease::bfd_down)}).back() == "start idle_hold 1s");
        CHECK(s.fsm.status().failures == 1);
    }
}
