// Two connections to the same neighbor (RFC 4271 §6.8): which one survives, on which one the
// Cease / Connection Collision Resolution (6/7) goes, and how a second connection takes over
// when the first fails. Our identifier is 10.0.0.1; the peer's is 10.0.0.2 (higher) unless a
// case says otherwise. Connection 1 is our outbound one, 2 and 3 are inbound.
#include <catch2/catch.hpp>

#include "fsm_script.hpp"

using namespace vipd::bgp;
using namespace vipd::bgp::test;

namespace {

const Lines none{};
constexpr std::uint32_t lower_id = 0x09000001; // 9.0.0.1, below ours

// The Graceful Restart capability of a peer that has just restarted (RFC 4724 §3 R bit).
GracefulRestartCap restarted()
{
    GracefulRestartCap gr;
    gr.restart_state = true;
    gr.restart_time = 120;
    gr.families = {{ipv4_unicast, true}};
    return gr;
}

} // namespace

TEST_CASE("fsm collision: the second connection gets our OPEN and is tracked", "[fsm]")
{
    Script s;
    s.to_open_sent();
    CHECK(s(TcpConnected{2, true}) == Lines{"send 2 OPEN"});
    CHECK(s.fsm.state() == State::open_sent);
    CHECK(s.fsm.connection() == 1u);

    SECTION("higher peer id, OPEN on the inbound one: keep inbound, Cease/7 on ours")
    {
        CHECK(s(OpenReceived{2, peer_open()}) == Lines{"send 1 NOTIFICATION 6/7", "close 1",
                                                       "send 2 KEEPALIVE", "start hold 90s",
                                                       "start keepalive 30s"});
        CHECK(s.fsm.state() == State::open_confirm);
        CHECK(s.fsm.connection() == 2u);
        CHECK(s.fsm.status().cause == "connection collision: kept connection 2, closed 1");
        CHECK(s(KeepaliveReceived{2}) == Lines{"start hold 90s", "established 2",
                                               "start send_hold 480s",
                                               "start idle_hold_reset 60s"});
    }
    SECTION("higher peer id, OPEN on our outbound one: it loses, the inbound one goes on")
    {
        CHECK(s(OpenReceived{1, peer_open()}) ==
              Lines{"send 1 NOTIFICATION 6/7", "close 1", "start hold 240s"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.connection() == 2u);
        CHECK(s(OpenReceived{2, peer_open()}) ==
              Lines{"send 2 KEEPALIVE", "start hold 90s", "start keepalive 30s"});
        CHECK(s.fsm.state() == State::open_confirm);
    }
    SECTION("lower peer id, OPEN on the inbound one: keep ours, Cease/7 on the inbound one")
    {
        CHECK(s(OpenReceived{2, peer_open(lower_id)}) ==
              Lines{"send 2 NOTIFICATION 6/7", "close 2"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.connection() == 1u);
        CHECK(s(OpenReceived{1, peer_open(lower_id)}) ==
              Lines{"send 1 KEEPALIVE", "start hold 90s", "start keepalive 30s"});
    }
    SECTION("lower peer id, OPEN on ours: keep ours")
    {
        CHECK(s(OpenReceived{1, peer_open(lower_id)}) == Lines{"send 2 NOTIFICATION 6/7", "close 2",
                                                               "send 1 KEEPALIVE", "start hold 90s",
                                                               "start keepalive 30s"});
        CHECK(s.fsm.connection() == 1u);
        CHECK(s(KeepaliveReceived{2}) == none); // closed: late events are ignored
    }
    SECTION("the second connection fails: the first goes on untouched")
    {
        CHECK(s(TcpConnectionFails{2, "reset"}) == Lines{"close 2"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s(OpenReceived{1, peer_open()}) ==
              Lines{"send 1 KEEPALIVE", "start hold 90s", "start keepalive 30s"});
    }
    SECTION("a NOTIFICATION on the second connection closes only that one")
    {
        CHECK(s(NotificationReceived{2, make_cease(cease::connection_collision_resolution)}) ==
              Lines{"close 2"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.status().last_notification_received->subcode ==
              cease::connection_collision_resolution);
    }
    SECTION("a KEEPALIVE before OPEN on the second connection: 5/1 there only (RFC 6608)")
    {
        CHECK(s(KeepaliveReceived{2}) == Lines{"send 2 NOTIFICATION 5/1", "close 2"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.connection() == 1u);
    }
    SECTION("an unacceptable OPEN on the second connection: its error there only")
    {
        CHECK(s(OpenReceived{2, peer_open(peer_id, 90, {}, 65099)}) ==
              Lines{"send 2 NOTIFICATION 2/2", "close 2"});
        CHECK(s.fsm.state() == State::open_sent);
    }
    SECTION("the first connection fails: the second one takes over in OpenSent")
    {
        CHECK(s(TcpConnectionFails{1, "reset"}) == Lines{"close 1", "start hold 240s"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.connection() == 2u);
    }
    SECTION("the peer resolved the collision first (Cease/7 on ours): the second goes on")
    {
        CHECK(s(NotificationReceived{1, make_cease(cease::connection_collision_resolution)}) ==
              Lines{"close 1", "start hold 240s"});
        CHECK(s.fsm.connection() == 2u);
    }
    SECTION("a third connection replaces the second (the peer gave up on it)")
    {
        CHECK(s(TcpConnected{3, true}) ==
              Lines{"send 2 NOTIFICATION 6/7", "close 2", "send 3 OPEN"});
        CHECK(s(OpenReceived{3, peer_open()}) == Lines{"send 1 NOTIFICATION 6/7", "close 1",
                                                       "send 3 KEEPALIVE", "start hold 90s",
                                                       "start keepalive 30s"});
        CHECK(s.fsm.connection() == 3u);
    }
    SECTION("ManualStop sends Cease/2 on both connections")
    {
        CHECK(s(ManualStop{}) == Lines{"send 1 NOTIFICATION 6/2", "send 2 NOTIFICATION 6/2",
                                       "stop hold", "close 2", "close 1", "down"});
        CHECK(s.fsm.connection() == std::nullopt);
    }
}

TEST_CASE("fsm collision: against OpenConfirm", "[fsm]")
{
    Script s;
    s.to_open_confirm();
    CHECK(s(TcpConnected{2, true}) == Lines{"send 2 OPEN"});

    SECTION("higher peer id: the inbound connection replaces the confirmed one")
    {
        CHECK(s(OpenReceived{2, peer_open()}) == Lines{"send 1 NOTIFICATION 6/7", "close 1",
                                                       "send 2 KEEPALIVE", "start hold 90s",
                                                       "start keepalive 30s"});
        CHECK(s.fsm.state() == State::open_confirm);
        CHECK(s.fsm.status().previous == State::open_confirm);
        CHECK(s.fsm.connection() == 2u);
    }
    SECTION("the confirmed connection reaches Established; the second is still tracked")
    {
        CHECK(s(KeepaliveReceived{1}) == Lines{"start hold 90s", "established 1",
                                               "start send_hold 480s",
                                               "start idle_hold_reset 60s"});
        // §6.8: a collision with an Established session closes the new connection.
        CHECK(s(OpenReceived{2, peer_open()}) == Lines{"send 2 NOTIFICATION 6/7", "close 2"});
        CHECK(s.fsm.state() == State::established);
    }
}

TEST_CASE("fsm collision: equal identifiers compare AS numbers (RFC 6286 §2.3)", "[fsm]")
{
    SECTION("our AS is smaller: the peer's connection survives")
    {
        Script s;
        s.to_open_sent();
        (void)s.fsm.handle(TcpConnected{2, true});
        CHECK(s(OpenReceived{2, peer_open(our_id)}) == Lines{"send 1 NOTIFICATION 6/7", "close 1",
                                                             "send 2 KEEPALIVE", "start hold 90s",
                                                             "start keepalive 30s"});
    }
    SECTION("our AS is larger: our connection survives")
    {
        LocalPeer l = local_peer();
        l.local_as = 65003;
        Script s(l);
        s.to_open_sent();
        (void)s.fsm.handle(TcpConnected{2, true});
        CHECK(s(OpenReceived{2, peer_open(our_id)}) == Lines{"send 2 NOTIFICATION 6/7", "close 2"});
        CHECK(s.fsm.connection() == 1u);
    }
}

TEST_CASE("fsm collision: two inbound connections, the newer survives", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.passive = true;
    Script s(local_peer(), c);
    (void)s.fsm.handle(ManualStart{});
    CHECK(s(TcpConnected{1, true}) == Lines{"send 1 OPEN", "start hold 240s"});
    CHECK(s(TcpConnected{2, true}) == Lines{"send 2 OPEN"});

    SECTION("OPEN on the older one")
    {
        CHECK(s(OpenReceived{1, peer_open(lower_id)}) ==
              Lines{"send 1 NOTIFICATION 6/7", "close 1", "start hold 240s"});
        CHECK(s.fsm.connection() == 2u);
    }
    SECTION("OPEN on the newer one")
    {
        CHECK(s(OpenReceived{2, peer_open(lower_id)}) == Lines{"send 1 NOTIFICATION 6/7", "close 1",
                                                               "send 2 KEEPALIVE", "start hold 90s",
                                                               "start keepalive 30s"});
        CHECK(s.fsm.connection() == 2u);
    }
}

TEST_CASE("fsm collision: a second connection while we delay our OPEN", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.delay_open_time = std::chrono::seconds{10};
    Script s(local_peer(), c);
    (void)s.fsm.handle(ManualStart{});
    (void)s.fsm.handle(TcpConnected{1, false});
    CHECK(s(TcpConnected{2, true}) == Lines{"send 2 OPEN"});
    CHECK(s(OpenReceived{2, peer_open()}) == Lines{"send 1 NOTIFICATION 6/7", "close 1",
                                                   "send 2 KEEPALIVE", "start hold 90s",
                                                   "start keepalive 30s", "stop delay_open"});
    CHECK(s.fsm.state() == State::open_confirm);
}

TEST_CASE("fsm collision: a new connection while Established", "[fsm]")
{
    Script s;
    s.to_established();
    CHECK(s(TcpConnected{2, true}) == Lines{"send 2 OPEN"});
    CHECK(s.fsm.state() == State::established);

    SECTION("an ordinary OPEN: the Established session wins (§6.8)")
    {
        CHECK(s(OpenReceived{2, peer_open()}) == Lines{"send 2 NOTIFICATION 6/7", "close 2"});
        CHECK(s.fsm.state() == State::established);
        CHECK(s.fsm.connection() == 1u);
        CHECK(s(KeepaliveReceived{1}) == Lines{"start hold 90s"});
    }
    SECTION("an OPEN with the Graceful Restart R bit: the peer restarted (RFC 4724 §4.2)")
    {
        Actions actions = s.fsm.handle(OpenReceived{2, peer_open(peer_id, 90, {restarted()})});
        CHECK(show(actions) == Lines{"send 1 NOTIFICATION 6/7", "close 1", "send 2 KEEPALIVE",
                                     "start hold 90s", "start keepalive 30s", "stop send_hold",
                                     "stop idle_hold_reset", "down established"});
        CHECK_THAT(down_cause(actions), Catch::Contains("peer restarted"));
        CHECK(s.fsm.state() == State::open_confirm);
        CHECK(s.fsm.status().flaps == 1);
        CHECK(s(KeepaliveReceived{2}) == Lines{"start hold 90s", "established 2",
                                               "start send_hold 480s",
                                               "start idle_hold_reset 60s"});
        CHECK(s.fsm.status().established_count == 2);
    }
    SECTION("the old session's hold timer expires: the new connection takes over")
    {
        CHECK(s(HoldTimerExpired{}) == Lines{"send 1 NOTIFICATION 4/0", "close 1",
                                             "start hold 240s", "stop keepalive", "stop send_hold",
                                             "stop idle_hold_reset", "down established"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.connection() == 2u);
        CHECK(s(OpenReceived{2, peer_open()}) ==
              Lines{"send 2 KEEPALIVE", "start hold 90s", "start keepalive 30s"});
    }
}

TEST_CASE("fsm collision: Cease/7 without a second connection waits in Active", "[fsm]")
{
    Script s;
    s.to_open_sent();
    CHECK(s(NotificationReceived{1, make_cease(cease::connection_collision_resolution)}) ==
          Lines{"close 1", "start connect_retry 5s", "stop hold"});
    CHECK(s.fsm.state() == State::active);
    CHECK(s.fsm.status().failures == 0); // not counted for the back-off
    // The peer's own connection arrives and is used.
    CHECK(s(TcpConnected{2, true}) ==
          Lines{"stop connect_retry", "send 2 OPEN", "start hold 240s"});
}
