// RFC 4271 §8.2.2 scenarios, one per row vipd implements: event in → exact actions out and the
// new state. Unexpected-event rows check the RFC 6608 subcodes; timers are events, never time.
// Collisions and the second connection live in fsm_collision_test.cpp.
#include <set>

#include <catch2/catch.hpp>

#include "fsm_script.hpp"

using namespace vipd::bgp;
using namespace vipd::bgp::test;
using namespace std::chrono_literals;

namespace {

const Lines none{};

// "maintenance" as an RFC 9003 shutdown communication: length 11, then the UTF-8 octets.
const std::string maintenance_data = "0b6d61696e74656e616e6365";

} // namespace

TEST_CASE("fsm: Idle", "[fsm]")
{
    Script s;
    CHECK(s.fsm.state() == State::idle);

    SECTION("ManualStart (1): ConnectRetryTimer, Connect action, Connect state")
    {
        CHECK(s(ManualStart{}) == Lines{"start connect_retry 5s", "connect"});
        CHECK(s.fsm.state() == State::connect);
        CHECK(s.fsm.status().previous == State::idle);
        CHECK(s.fsm.status().last_event == "ManualStart (1)");
        CHECK(s.fsm.status().cause == "manual start");
        CHECK(s.fsm.status().enabled);
    }
    SECTION("AutomaticStart (3) starts like ManualStart")
    {
        CHECK(s(AutomaticStart{}) == Lines{"start connect_retry 5s", "connect"});
        CHECK(s.fsm.state() == State::connect);
    }
    SECTION("AutomaticStart is ignored when automatic start is not allowed")
    {
        FsmConfig c = fsm_config();
        c.allow_automatic_start = false;
        Script manual(local_peer(), c);
        CHECK(manual(AutomaticStart{}) == none);
        CHECK(manual.fsm.state() == State::idle);
    }
    SECTION("an inbound connection is refused with Cease / Connection Rejected (RFC 4486)")
    {
        CHECK(s(TcpConnected{7, true}) == Lines{"send 7 NOTIFICATION 6/5", "close 7"});
        CHECK(s.fsm.state() == State::idle);
    }
    SECTION("a stray outbound connection is closed")
    {
        CHECK(s(TcpConnected{8, false}) == Lines{"close 8"});
    }
    SECTION("other events change nothing")
    {
        CHECK(s(HoldTimerExpired{}) == none);
        CHECK(s(KeepaliveReceived{3}) == none);
        CHECK(s(ConnectFailed{"refused"}) == none);
        CHECK(s(ManualStop{"already down"}) == none);
        CHECK(s.fsm.state() == State::idle);
    }
}

TEST_CASE("fsm: passive mode waits in Active and never connects", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.passive = true;
    Script s(local_peer(), c);
    CHECK(s(ManualStart{}) == none);
    CHECK(s.fsm.state() == State::active);
    CHECK_FALSE(s.fsm.timer_running(TimerId::connect_retry));
    CHECK(s(ConnectRetryTimerExpired{}) == none); // not running: ignored

    CHECK(s(TcpConnected{4, true}) == Lines{"send 4 OPEN", "start hold 240s"});
    CHECK(s.fsm.state() == State::open_sent);
    CHECK(s.fsm.connection() == 4u);

    // OpenSent, event 18: back to Active, still without a ConnectRetryTimer.
    CHECK(s(TcpConnectionFails{4, "reset"}) == Lines{"close 4", "stop hold"});
    CHECK(s.fsm.state() == State::active);
    CHECK(s.fsm.connection() == std::nullopt);
}

TEST_CASE("fsm: Connect", "[fsm]")
{
    Script s;
    (void)s.fsm.handle(ManualStart{});

    SECTION("events 16: outbound connection up → OPEN, large HoldTimer, OpenSent")
    {
        CHECK(s(TcpConnected{1, false}) ==
              Lines{"stop connect_retry", "send 1 OPEN", "start hold 240s"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.status().last_event == "Tcp_CR_Acked (16)");
        CHECK(s.fsm.status().cause == "outbound connection 1 established");
    }
    SECTION("event 17: inbound connection cancels our attempt and is used")
    {
        CHECK(s(TcpConnected{2, true}) ==
              Lines{"cancel-connect", "stop connect_retry", "send 2 OPEN", "start hold 240s"});
        CHECK(s.fsm.state() == State::open_sent);
        CHECK(s.fsm.connection() == 2u);
        // The abandoned attempt reports late: ignored, or closed if it connected.
        CHECK(s(ConnectFailed{"refused"}) == none);
        CHECK(s(TcpConnected{3, false}) == Lines{"close 3"});
        CHECK(s.fsm.state() == State::open_sent);
    }
    SECTION("event 9: ConnectRetryTimer expiry retries and stays in Connect")
    {
        CHECK(s(ConnectRetryTimerExpired{}) == Lines{"connect", "start connect_retry 5s"});
        CHECK(s.fsm.state() == State::connect);
    }
    SECTION("event 18 (attempt failed): Active, retry when the ConnectRetryTimer expires")
    {
        CHECK(s(ConnectFailed{"connection refused"}) == Lines{"start connect_retry 5s"});
        CHECK(s.fsm.state() == State::active);
        CHECK(s.fsm.status().cause == "connect failed: connection refused");
        CHECK(s(ConnectRetryTimerExpired{}) == Lines{"connect", "start connect_retry 5s"});
        CHECK(s.fsm.state() == State::connect);
        CHECK(s.fsm.status().cause == "connect retry timer expired");
    }
    SECTION("ManualStop (2): cancel the attempt, Idle, no automatic restart")
    {
        CHECK(s(ManualStop{"bye"}) == Lines{"stop connect_retry", "cancel-connect", "down"});
        CHECK(s.fsm.state() == State::idle);
        CHECK_FALSE(s.fsm.status().enabled);
        CHECK_FALSE(s.fsm.timer_running(TimerId::idle_hold));
    }
    SECTION("start events are ignored")
    {
        CHECK(s(ManualStart{}) == none);
        CHECK(s(AutomaticStart{}) == none);
        CHECK(s.fsm.state() == State::connect);
    }
}

TEST_CASE("fsm: DelayOpen", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.delay_open_time = 10s;
    Script s(local_peer(), c);
    (void)s.fsm.handle(ManualStart{});
    CHECK(s(TcpConnected{1, false}) == Lines{"stop connect_retry", "start delay_open 10s"});
    CHECK(s.fsm.state() == State::connect);

    SECTION("event 12: DelayOpenTimer expires → OPEN, OpenSent")
    {
        CHECK(s(DelayOpenTimerExpired{}) == Lines{"send 1 OPEN", "start hold 240s"});
        CHECK(s.fsm.state() == State::open_sent);
    }
    SECTION("event 20: the peer's OPEN first → our OPEN and KEEPALIVE, OpenConfirm")
    {
        CHECK(s(OpenReceived{1, peer_open()}) == Lines{"send 1 OPEN", "send 1 KEEPALIVE",
                                                       "start hold 90s", "start keepalive 30s",
                                                       "stop delay_open"});
        CHECK(s.fsm.state() == State::open_confirm);
        CHECK(s.fsm.status().last_event == "BGPOpen with DelayOpenTimer running (20)");
    }
    SECTION("event 20 with a bad OPEN → NOTIFICATION, Idle")
    {
        CHECK(s(OpenReceived{1, peer_open(peer_id, 2)}) == Lines{"send 1 NOTIFICATION 2/6",
                                                                 "close 1", "stop delay_open",
                                                                 "down", "start idle_hold 1s"});
        CHECK(s.fsm.state() == State::idle);
    }
    SECTION("event 18 while delaying: Active, ConnectRetryTimer restarted")
    {
        CHECK(s(TcpConnectionFails{1, "reset"}) ==
              Lines{"close 1", "stop delay_open", "start connect_retry 5s"});
        CHECK(s.fsm.state() == State::active);
    }
    SECTION("a KEEPALIVE before any OPEN: FSM error 5/0 (RFC 6608 defines no subcode here)")
    {
        CHECK(s(KeepaliveReceived{1}) == Lines{"send 1 NOTIFICATION 5/0", "close 1",
                                               "stop delay_open", "down", "start idle_hold 1s"});
        CHECK(s.fsm.state() == State::idle);
    }
    SECTION("a NOTIFICATION while delaying → Idle")
    {
        CHECK(s(NotificationReceived{1, make_cease(cease::out_of_resources)}) ==
              Lines{"close 1", "stop delay_open", "down", "start idle_hold 1s"});
    }
    SECTION("Cease/5 while delaying: the peer refused this connection → Active, no back-off")
    {
        CHECK(s(NotificationReceived{1, make_cease(cease::connection_rejected)}) ==
              Lines{"close 1", "stop delay_open", "start connect_retry 5s"});
        CHECK(s.fsm.state() == State::active);
        CHECK(s.fsm.status().failures == 0);
    }
}

TEST_CASE("fsm: OpenSent", "[fsm]")
{
    Script s;
    s.to_open_sent();
    REQUIRE(s.fsm.state() == State::open_sent);

    SECTION("event 19: acceptable OPEN → KEEPALIVE, negotiated HoldTimer, OpenConfirm")
    {
        CHECK(s(OpenReceived{1, peer_open()}) ==
              Lines{"send 1 KEEPALIVE", "start hold 90s", "start keepalive 30s"});
        CHECK(s.fsm.state() == State::open_confirm);
        REQUIRE(s.fsm.negotiated() != nullptr);
        CHECK(s.fsm.negotiated()->hold_time == 90s);
        CHECK(s.fsm.status().last_event == "BGPOpen (19)");
    }
    SECTION("the smaller hold time of the peer wins")
    {
        CHECK(s(OpenReceived{1, peer_open(peer_id, 30)}) ==
              Lines{"send 1 KEEPALIVE", "start hold 30s", "start keepalive 10s"});
    }
    SECTION("event 22: unacceptable OPEN → its NOTIFICATION, Idle, damped restart")
    {
        CHECK(
            s(OpenReceived{1, peer_open(peer_id, 90, {}, 65099)}) ==
            Lines{"send 1 NOTIFICATION 2/2", "close 1", "stop hold", "down", "start idle_hold 1s"});
        CHECK(s.fsm.state() == State::idle);
        REQUIRE(s.fsm.status().last_error.has_value());
        CHECK(s.fsm.status().last_error->code == 2);
        CHECK(s.fsm.status().last_error->subcode == 2);
        CHECK(s.fsm.status().last_notification_sent == Notification{2, 2, {}});
        CHECK(s.fsm.status().idle_hold_time == 1s);
        CHECK(s.fsm.status().failures == 1);
        CHECK(describe_idle_hold(s.fsm.status()) ==
              "next attempt in 1 s: back-off after 1 failure");
    }
    SECTION("event 10: HoldTimer expires → NOTIFICATION 4/0, Idle")
    {
        CHECK(s(HoldTimerExpired{}) ==
              Lines{"send 1 NOTIFICATION 4/0", "close 1", "down", "start idle_hold 1s"});
        CHECK(s.fsm.state() == State::idle);
        CHECK(s.fsm.status().last_error->code == 4);
    }
    SECTION("event 18: TCP fails → Active with ConnectRetryTimer")
    {
        CHECK(s(TcpConnectionFails{1, "reset by peer"}) ==
              Lines{"close 1", "start connect_retry 5s", "stop hold"});
        CHECK(s.fsm.state() == State::active);
        CHECK(s.fsm.status().cause == "TCP connection failed: reset by peer");
    }
    SECTION("events 26/27 and ROUTE-REFRESH are unexpected: FSM error 5/1 (RFC 6608)")
    {
        const Lines fsm_error{"send 1 NOTIFICATION 5/1", "close 1", "stop hold", "down",
                              "start idle_hold 1s"};
        SECTION("KEEPALIVE")
        {
            CHECK(s(KeepaliveReceived{1}) == fsm_error);
        }
        SECTION("UPDATE")
        {
            CHECK(s(UpdateReceived{1}) == fsm_error);
        }
        SECTION("ROUTE-REFRESH")
        {
            CHECK(s(RouteRefreshReceived{1}) == fsm_error);
        }
        CHECK(s.fsm.state() == State::idle);
        CHECK(s.fsm.status().last_error->code == 5);
        CHECK(s.fsm.status().last_error->subcode == 1);
    }
    SECTION("event 25: NOTIFICATION → Idle, damped")
    {
        CHECK(s(NotificationReceived{1, make_cease(cease::peer_deconfigured)}) ==
              Lines{"close 1", "stop hold", "down", "start idle_hold 1s"});
        CHECK(s.fsm.state() == State::idle);
        CHECK(s.fsm.status().last_event == "NotifMsg (25)");
        CHECK(s.fsm.status().failures == 1);
    }
    SECTION("event 25: Cease/2 before Established → Active without back-off; RFC 9003 text")
    {
        // The peer refuses this attempt: listen and retry on the ConnectRetryTimer, so a peer
        // that answers every connection with Cease/2 cannot make us loop faster.
        CHECK(
            s(NotificationReceived{1, make_cease(cease::administrative_shutdown, "maintenance")}) ==
            Lines{"close 1", "start connect_retry 5s", "stop hold"});
        CHECK(s.fsm.state() == State::active);
        CHECK(s.fsm.status().shutdown_communication_received == "maintenance");
        CHECK(s.fsm.status().last_notification_received->subcode == cease::administrative_shutdown);
        CHECK(s.fsm.status().last_event == "NotifMsg (25)");
        CHECK_THAT(s.fsm.status().cause, Catch::Contains("received NOTIFICATION 6/2") &&
                                             Catch::Contains("\"maintenance\""));
        CHECK(s.fsm.status().failures == 0);
    }
    SECTION("event 24: version-error NOTIFICATION → Idle without damping")
    {
        CHECK(s(NotificationReceived{1, Notification{2, 1, {0, 4}}}) ==
              Lines{"close 1", "stop hold", "down", "start idle_hold 1s"});
        CHECK(s.fsm.status().last_event == "NotifMsgVerErr (24)");
        CHECK(s.fsm.status().idle_hold_time == 1s);
        CHECK(s.fsm.status().failures == 0);
    }
    SECTION("event 21: header error → its NOTIFICATION with data, Idle")
    {
        DecodeError e{1, 2, {0x00, 0x12}, 16, Rfc7606::session_reset, "length 18"};
        CHECK(s(MessageError{1, e}) == Lines{"send 1 NOTIFICATION 1/2 0012", "close 1", "stop hold",
                                             "down", "start idle_hold 1s"});
        CHECK(s.fsm.status().last_event == "BGPHeaderErr (21)");
        CHECK(s.fsm.status().last_error == e);
    }
    SECTION("ManualStop: Cease / Administrative Shutdown with the RFC 9003 text")
    {
        CHECK(s(ManualStop{"maintenance"}) ==
              Lines{"send 1 NOTIFICATION 6/2 " + maintenance_data, "stop hold", "close 1", "down"});
        CHECK(s.fsm.state() == State::idle);
        CHECK(s.fsm.status().shutdown_communication_sent == "maintenance");
        CHECK(s.fsm.status().cause == "administrative shutdown: \"maintenance\"");
        CHECK_FALSE(s.fsm.timer_running(TimerId::idle_hold));
    }
    SECTION("AutomaticStop (8) with Cease / Maximum Number of Prefixes (RFC 4486 data)")
    {
        CHECK(s(AutomaticStop{max_prefix_cease(ipv4_unicast, 1000)}) ==
              Lines{"send 1 NOTIFICATION 6/1 0001"
                    "01"
                    "000003e8",
                    "stop hold", "close 1", "down", "start idle_hold 1s"});
        CHECK(s.fsm.status().enabled);
    }
    SECTION("AutomaticStop with Cease / Administrative Reset")
    {
        CHECK(s(AutomaticStop{make_cease(cease::administrative_reset, "maintenance")}) ==
              Lines{"send 1 NOTIFICATION 6/4 " + maintenance_data, "stop hold", "close 1", "down",
                    "start idle_hold 1s"});
    }
}

TEST_CASE("fsm: OpenConfirm", "[fsm]")
{
    Script s;
    s.to_open_confirm();
    REQUIRE(s.fsm.state() == State::open_confirm);

    SECTION("event 26: KEEPALIVE → Established, SendHoldTimer and stability timer start")
    {
        Actions actions = s.fsm.handle(KeepaliveReceived{1});
        CHECK(show(actions) == Lines{"start hold 90s", "established 1", "start send_hold 480s",
                                     "start idle_hold_reset 60s"});
        CHECK(s.fsm.state() == State::established);
        CHECK(s.fsm.status().established_count == 1);
        const auto& est = std::get<Established>(actions[1]);
        CHECK(est.negotiated.remote_as == peer_as);
        CHECK(est.negotiated.remote_id == RouterId{peer_id});
    }
    SECTION("event 11: KeepaliveTimer → KEEPALIVE, timer restarted")
    {
        CHECK(s(KeepaliveTimerExpired{}) == Lines{"send 1 KEEPALIVE", "start keepalive 30s"});
        CHECK(s.fsm.state() == State::open_confirm);
    }
    SECTION("event 10: HoldTimer → 4/0, Idle")
    {
        CHECK(s(HoldTimerExpired{}) == Lines{"send 1 NOTIFICATION 4/0", "close 1", "stop keepalive",
                                             "down", "start idle_hold 1s"});
    }
    SECTION("event 18: TCP fails → Idle")
    {
        CHECK(s(TcpConnectionFails{1, "eof"}) ==
              Lines{"close 1", "stop hold", "stop keepalive", "down", "start idle_hold 1s"});
        CHECK(s.fsm.state() == State::idle);
    }
    SECTION("an OPEN or UPDATE on the connection is unexpected: 5/2 (RFC 6608)")
    {
        const Lines fsm_error{"send 1 NOTIFICATION 5/2", "close 1", "stop hold",
                              "stop keepalive",          "down",    "start idle_hold 1s"};
        SECTION("OPEN")
        {
            CHECK(s(OpenReceived{1, peer_open()}) == fsm_error);
        }
        SECTION("UPDATE")
        {
            CHECK(s(UpdateReceived{1}) == fsm_error);
        }
        CHECK(s.fsm.state() == State::idle);
    }
    SECTION("event 25: NOTIFICATION → Idle")
    {
        CHECK(s(NotificationReceived{1, make_cease(cease::maximum_prefixes_reached)}) ==
              Lines{"close 1", "stop hold", "stop keepalive", "down", "start idle_hold 1s"});
    }
    SECTION("event 25: Cease/4 before Established → Active without back-off")
    {
        CHECK(s(NotificationReceived{1, make_cease(cease::administrative_reset, "x")}) ==
              Lines{"close 1", "start connect_retry 5s", "stop hold", "stop keepalive"});
        CHECK(s.fsm.status().shutdown_communication_received == "x");
    }
    SECTION("ManualStop → Cease/2, Idle")
    {
        CHECK(s(ManualStop{}) ==
              Lines{"send 1 NOTIFICATION 6/2", "stop hold", "stop keepalive", "close 1", "down"});
        CHECK(s.fsm.status().cause == "administrative shutdown");
    }
}

TEST_CASE("fsm: Established", "[fsm]")
{
    Script s;
    s.to_established();
    REQUIRE(s.fsm.state() == State::established);
    const Lines tail{"stop keepalive", "stop send_hold", "stop idle_hold_reset", "down established",
                     "start idle_hold 1s"};

    SECTION("events 26/27 restart the HoldTimer; ROUTE-REFRESH changes nothing")
    {
        CHECK(s(KeepaliveReceived{1}) == Lines{"start hold 90s"});
        CHECK(s(UpdateReceived{1}) == Lines{"start hold 90s"});
        CHECK(s(RouteRefreshReceived{1}) == none);
        CHECK(s.fsm.state() == State::established);
    }
    SECTION("event 11: KeepaliveTimer → KEEPALIVE")
    {
        CHECK(s(KeepaliveTimerExpired{}) == Lines{"send 1 KEEPALIVE", "start keepalive 30s"});
    }
    SECTION("messages written restart the KeepaliveTimer and the SendHoldTimer (RFC 9687)")
    {
        CHECK(s(MessagesWritten{1}) == Lines{"start keepalive 30s", "start send_hold 480s"});
    }
    SECTION("event 10: HoldTimer → 4/0, Down, Idle")
    {
        Actions actions = s.fsm.handle(HoldTimerExpired{});
        Lines expected{"send 1 NOTIFICATION 4/0", "close 1"};
        expected.insert(expected.end(), tail.begin(), tail.end());
        CHECK(show(actions) == expected);
        CHECK(down_cause(actions) == "hold timer expired: sent NOTIFICATION 4/0");
        CHECK(s.fsm.status().flaps == 1);
        CHECK(s.fsm.status().previous == State::established);
    }
    SECTION("RFC 9687 SendHoldTimer expiry: drop at once, no NOTIFICATION, error 8 recorded")
    {
        CHECK(s(SendHoldTimerExpired{}) == Lines{"abort 1", "stop hold", "stop keepalive",
                                                 "stop idle_hold_reset", "down established",
                                                 "start idle_hold 1s"});
        CHECK(s.fsm.state() == State::idle);
        REQUIRE(s.fsm.status().last_error.has_value());
        CHECK(s.fsm.status().last_error->code == send_hold_timer_expired_code);
        CHECK_FALSE(s.fsm.status().last_notification_sent.has_value());
    }
    SECTION("an OPEN on the established connection: 5/3 (RFC 6608)")
    {
        Lines expected{"send 1 NOTIFICATION 5/3", "close 1", "stop hold"};
        expected.insert(expected.end(), tail.begin(), tail.end());
        CHECK(s(OpenReceived{1, peer_open()}) == expected);
    }
    SECTION("event 28: UPDATE error → its NOTIFICATION, Idle")
    {
        DecodeError e{3, 1, {}, 23, Rfc7606::session_reset, "attribute list"};
        Lines expected{"send 1 NOTIFICATION 3/1", "close 1", "stop hold"};
        expected.insert(expected.end(), tail.begin(), tail.end());
        CHECK(s(MessageError{1, e}) == expected);
        CHECK(s.fsm.status().last_event == "UpdateMsgErr (28)");
    }
    SECTION("event 18 before the session is stable → Down, Idle, back-off")
    {
        Lines expected{"close 1", "stop hold"};
        expected.insert(expected.end(), tail.begin(), tail.end());
        CHECK(s(TcpConnectionFails{1, "eof"}) == expected);
        CHECK(s.fsm.status().failures == 1);
    }
    SECTION("event 25 with a shutdown communication: the router's operator, no back-off")
    {
        CHECK(
            s(NotificationReceived{1, make_cease(cease::administrative_shutdown, "maintenance")}) ==
            Lines{"close 1", "stop hold", "stop keepalive", "stop send_hold",
                  "stop idle_hold_reset", "down established", "start idle_hold 0s"});
        CHECK(s.fsm.status().shutdown_communication_received == "maintenance");
        CHECK(s.fsm.status().failures == 0);
    }
    SECTION("ManualStop: Cease/2 \"bye\", Down, no restart")
    {
        CHECK(s(ManualStop{"bye"}) == Lines{"send 1 NOTIFICATION 6/2 03627965", "stop hold",
                                            "stop keepalive", "stop send_hold",
                                            "stop idle_hold_reset", "close 1", "down established"});
        CHECK_FALSE(s.fsm.status().enabled);
    }
    SECTION("a late event for the closed connection is ignored")
    {
        (void)s.fsm.handle(TcpConnectionFails{1, "eof"});
        CHECK(s(KeepaliveReceived{1}) == none);
        CHECK(s(TcpConnectionFails{1, "eof"}) == none);
        CHECK(s(HoldTimerExpired{}) == none);
        CHECK(s(KeepaliveTimerExpired{}) == none);
        CHECK(s(SendHoldTimerExpired{}) == none);
    }
}

TEST_CASE("fsm: hold time 0 runs no hold, keepalive or send-hold timers", "[fsm]")
{
    SECTION("the peer offers 0")
    {
        Script s;
        s.to_open_sent();
        CHECK(s(OpenReceived{1, peer_open(peer_id, 0)}) == Lines{"send 1 KEEPALIVE", "stop hold"});
        CHECK(s.fsm.negotiated()->keepalive_time == 0s);
        CHECK(s(KeepaliveReceived{1}) == Lines{"established 1", "start idle_hold_reset 60s"});
        CHECK(s(MessagesWritten{1}) == none);
        CHECK(s(KeepaliveReceived{1}) == none);
        CHECK(s(UpdateReceived{1}) == none);
        CHECK(s(KeepaliveTimerExpired{}) == none);
    }
    SECTION("we offer 0")
    {
        LocalPeer l = local_peer();
        l.hold_time = 0;
        Script s(l);
        s.to_open_sent();
        CHECK(s(OpenReceived{1, peer_open()}) == Lines{"send 1 KEEPALIVE", "stop hold"});
    }
}

TEST_CASE("fsm: SendHoldTime follows RFC 9687", "[fsm]")
{
    SECTION("default: twice a long hold time")
    {
        LocalPeer l = local_peer();
        l.hold_time = 300;
        Script s(l);
        s.to_open_confirm(peer_open(peer_id, 300));
        CHECK(s(KeepaliveReceived{1}) == Lines{"start hold 300s", "established 1",
                                               "start send_hold 600s",
                                               "start idle_hold_reset 60s"});
    }
    SECTION("configured below the hold time: raised above it (RFC 9687 §4.4)")
    {
        FsmConfig c = fsm_config();
        c.send_hold_time = 60s;
        Script s(local_peer(), c);
        s.to_open_confirm();
        CHECK(s(KeepaliveReceived{1}) == Lines{"start hold 90s", "established 1",
                                               "start send_hold 91s", "start idle_hold_reset 60s"});
    }
    SECTION("configured 0: off")
    {
        FsmConfig c = fsm_config();
        c.send_hold_time = 0s;
        Script s(local_peer(), c);
        s.to_open_confirm();
        CHECK(s(KeepaliveReceived{1}) ==
              Lines{"start hold 90s", "established 1", "start idle_hold_reset 60s"});
        CHECK(s(MessagesWritten{1}) == Lines{"start keepalive 30s"});
    }
}

TEST_CASE("fsm: IdleHoldTime doubles on each failure up to the maximum", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.max_idle_hold_time = 5s;
    Script s(local_peer(), c);
    CHECK(s(ManualStart{}) == Lines{"start connect_retry 5s", "connect"});
    const std::vector<std::string> waits{"1s", "2s", "4s", "5s", "5s"};
    ConnId conn = 1;
    for (const auto& wait : waits) {
        (void)s.fsm.handle(TcpConnected{conn, false});
        REQUIRE(s.fsm.state() == State::open_sent);
        CHECK(s(HoldTimerExpired{}) == Lines{"send " + std::to_string(conn) + " NOTIFICATION 4/0",
                                             "close " + std::to_string(conn), "down",
                                             "start idle_hold " + wait});
        // Damping: an automatic start waits for the IdleHoldTimer.
        CHECK(s(AutomaticStart{}) == none);
        CHECK(s(IdleHoldTimerExpired{}) == Lines{"start connect_retry 5s", "connect"});
        CHECK(s.fsm.state() == State::connect);
        ++conn;
    }
}

TEST_CASE("fsm: a stable Established session resets the back-off", "[fsm]")
{
    Script s;
    (void)s.fsm.handle(ManualStart{});
    for (ConnId conn = 1; conn <= 2; ++conn) { // two failures: the next wait is 4 s
        (void)s.fsm.handle(TcpConnected{conn, false});
        (void)s.fsm.handle(HoldTimerExpired{});
        (void)s.fsm.handle(IdleHoldTimerExpired{});
    }
    CHECK(s.fsm.status().idle_hold_time == 2s);
    CHECK(s.fsm.status().failures == 2);
    (void)s.fsm.handle(TcpConnected{3, false});
    (void)s.fsm.handle(OpenReceived{3, peer_open()});
    (void)s.fsm.handle(KeepaliveReceived{3});
    REQUIRE(s.fsm.state() == State::established);

    SECTION("a flap before the stable time keeps doubling")
    {
        CHECK(s(HoldTimerExpired{}) == Lines{"send 3 NOTIFICATION 4/0", "close 3", "stop keepalive",
                                             "stop send_hold", "stop idle_hold_reset",
                                             "down established", "start idle_hold 4s"});
    }
    SECTION("after the stable time the next failure waits the initial time")
    {
        CHECK(s(IdleHoldResetTimerExpired{}) == none);
        CHECK(s.fsm.status().failures == 0);
        CHECK(s.fsm.status().stable);
        CHECK(s(HoldTimerExpired{}) == Lines{"send 3 NOTIFICATION 4/0", "close 3", "stop keepalive",
                                             "stop send_hold", "down established",
                                             "start idle_hold 1s"});
    }
}

TEST_CASE("fsm: without damping the IdleHoldTime stays constant", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.damp_peer_oscillations = false;
    Script s(local_peer(), c);
    (void)s.fsm.handle(ManualStart{});
    for (ConnId conn = 1; conn <= 3; ++conn) {
        (void)s.fsm.handle(TcpConnected{conn, false});
        Lines out = s(HoldTimerExpired{});
        CHECK(out.back() == "start idle_hold 1s");
        (void)s.fsm.handle(IdleHoldTimerExpired{});
    }
    // Established starts no stability timer when damping is off.
    (void)s.fsm.handle(TcpConnected{4, false});
    (void)s.fsm.handle(OpenReceived{4, peer_open()});
    CHECK(s(KeepaliveReceived{4}) ==
          Lines{"start hold 90s", "established 4", "start send_hold 480s"});
}

TEST_CASE("fsm: starts and stops around the IdleHoldTimer", "[fsm]")
{
    Script s;
    s.to_open_sent();
    (void)s.fsm.handle(HoldTimerExpired{});
    REQUIRE(s.fsm.timer_running(TimerId::idle_hold));

    SECTION("ManualStart does not wait for the back-off")
    {
        CHECK(s(ManualStart{}) == Lines{"start connect_retry 5s", "connect", "stop idle_hold"});
        CHECK(s.fsm.state() == State::connect);
    }
    SECTION("ManualStop in Idle cancels the automatic restart")
    {
        CHECK(s(ManualStop{}) == Lines{"stop idle_hold"});
        CHECK(s(IdleHoldTimerExpired{}) == none);
        CHECK_FALSE(s.fsm.status().enabled);
    }
}

TEST_CASE("fsm: without automatic start a failure leaves the session in Idle", "[fsm]")
{
    FsmConfig c = fsm_config();
    c.allow_automatic_start = false;
    Script s(local_peer(), c);
    s.to_open_sent();
    CHECK(s(HoldTimerExpired{}) == Lines{"send 1 NOTIFICATION 4/0", "close 1", "down"});
    CHECK(s(IdleHoldTimerExpired{}) == none);
    CHECK(s(AutomaticStart{}) == none);
    CHECK(s(ManualStart{}) == Lines{"start connect_retry 5s", "connect"});
}

TEST_CASE("fsm: ConnectRetry and Keepalive jitter is in [0.75, 1] and seeded", "[fsm]")
{
    auto draws = [](std::uint64_t seed) {
        FsmConfig c = fsm_config();
        c.jitter = true;
        c.jitter_seed = seed;
        Fsm fsm(local_peer(), c);
        std::vector<std::chrono::milliseconds> out;
        Actions first = fsm.handle(ManualStart{});
        out.push_back(std::get<StartTimer>(first.front()).duration);
        for (int i = 0; i < 50; ++i) {
            Actions a = fsm.handle(ConnectRetryTimerExpired{});
            out.push_back(std::get<StartTimer>(a.at(1)).duration);
        }
        return out;
    };
    const auto a = draws(42);
    for (auto d : a) {
        CHECK(d >= 3750ms);
        CHECK(d <= 5000ms);
    }
    CHECK(std::set(a.begin(), a.end()).size() > 40); // really drawn, not constant
    CHECK(draws(42) == a);                           // same seed, same sequence
    CHECK(draws(43) != a);

    FsmConfig c = fsm_config();
    c.jitter = true;
    Script s(local_peer(), c);
    s.to_open_sent();
    Actions confirm = s.fsm.handle(OpenReceived{1, peer_open()});
    const auto keepalive = std::get<StartTimer>(confirm.at(2));
    CHECK(keepalive.timer == TimerId::keepalive);
    CHECK(keepalive.duration >= 22500ms);
    CHECK(keepalive.duration <= 30000ms);
    CHECK(std::get<StartTimer>(confirm.at(1)).duration == 90s); // the HoldTimer is exact
}

TEST_CASE("fsm: helpers for the driver and the status output", "[fsm]")
{
    CHECK(std::holds_alternative<ConnectRetryTimerExpired>(timer_expired(TimerId::connect_retry)));
    CHECK(std::holds_alternative<HoldTimerExpired>(timer_expired(TimerId::hold)));
    CHECK(std::holds_alternative<KeepaliveTimerExpired>(timer_expired(TimerId::keepalive)));
    CHECK(std::holds_alternative<DelayOpenTimerExpired>(timer_expired(TimerId::delay_open)));
    CHECK(std::holds_alternative<IdleHoldTimerExpired>(timer_expired(TimerId::idle_hold)));
    CHECK(std::holds_alternative<SendHoldTimerExpired>(timer_expired(TimerId::send_hold)));
    CHECK(
        std::holds_alternative<IdleHoldResetTimerExpired>(timer_expired(TimerId::idle_hold_reset)));
    CHECK(to_string(State::open_confirm) == "OpenConfirm");
    CHECK(to_string(TimerId::send_hold) == "SendHoldTimer");
    CHECK(event_name(TcpConnected{1, true}, State::active) == "TcpConnectionConfirmed (17)");
    CHECK(event_name(MessageError{1, DecodeError{2, 2, {}, 20, Rfc7606::session_reset, ""}},
                     State::open_sent) == "BGPOpenMsgErr (22)");
    CHECK(max_prefix_cease(ipv6_unicast, 70000) ==
          Notification{6, 1, {0x00, 0x02, 0x01, 0x00, 0x01, 0x11, 0x70}});

    Script s;
    CHECK(s.fsm.local_open() == make_open(local_peer()));
    CHECK(s.fsm.negotiated() == nullptr);
    CHECK(s.fsm.connection() == std::nullopt);
}

TEST_CASE("fsm: operator disable (ManualStop) holds the session down until ManualStart", "[fsm]")
{
    // `vipctl neighbor NAME disable` is ManualStop with the operator's RFC 9003 text;
    // `enable` is ManualStart. Between them nothing restarts the session.
    Script s;
    s.to_established();
    CHECK(s(ManualStop{"maintenance"}) ==
          Lines{"send 1 NOTIFICATION 6/2 " + maintenance_data, "stop hold", "stop keepalive",
                "stop send_hold", "stop idle_hold_reset", "close 1", "down established"});
    CHECK(s.fsm.state() == State::idle);
    CHECK(s.fsm.status().shutdown_communication_sent == "maintenance");
    CHECK_FALSE(s.fsm.timer_running(TimerId::idle_hold));
    // §8.2.2 Idle: the router's own attempts are refused (RFC 4486 Cease/5).
    CHECK(s(TcpConnected{2, true}) == Lines{"send 2 NOTIFICATION 6/5", "close 2"});
    CHECK(s(IdleHoldTimerExpired{}) == none);
    CHECK(s.fsm.state() == State::idle);
    CHECK(s(ManualStart{}) == Lines{"start connect_retry 5s", "connect"});
    CHECK(s.fsm.state() == State::connect);
}
