// The RFC 5880 §6.8 session state machine: each state transition, Poll/Final, detection time,
// the transmit schedule and its jitter. Time is a value passed in; the random source is fixed.
#include <catch2/catch.hpp>

#include "bfd_vectors.hpp"
#include "bgp/bfd/fsm.hpp"

using namespace vipd::bgp::bfd;
using namespace vipd::bgp::bfd::test;
using namespace std::chrono_literals;

namespace {

/// A session whose jitter draws `r` each time (r % 251 = 250 → 100 % of the interval).
struct Harness
{
    std::uint32_t r = 250;
    Fsm fsm{0xaaaa, SessionParams{}, [this] { return r; }, t0};
    Time now = t0;

    /// The packet the peer (discriminator 0xbbbb) sends in `state`.
    static ControlPacket peer(SessionState state, Micros tx = 300ms, Micros rx = 300ms)
    {
        ControlPacket p;
        p.state = state;
        p.detect_mult = 3;
        p.my_discriminator = 0xbbbb;
        p.your_discriminator = state == SessionState::down ? 0 : 0xaaaa;
        p.desired_min_tx_us = static_cast<std::uint32_t>(tx.count());
        p.required_min_rx_us = static_cast<std::uint32_t>(rx.count());
        return p;
    }
    Actions receive(const ControlPacket& p) { return fsm.receive(p, now); }
    /// Down → Init → Up by the peer's Down then Up packets; the Poll of going Up answered.
    void bring_up_packet()
    {
        (void)receive(peer(SessionState::down));
        (void)receive(peer(SessionState::up));
        REQUIRE(fsm.state() == SessionState::up);
        auto f = peer(SessionState::up);
        f.final = true;
        (void)receive(f);
        REQUIRE_FALSE(fsm.poll_active());
    }
};

std::vector<ControlPacket> sent(const Actions& a)
{
    std::vector<ControlPacket> out;
    for (const auto& x : a)
        if (auto* s = std::get_if<Send>(&x))
            out.push_back(s->packet);
    return out;
}

std::optional<StateChanged> change(const Actions& a)
{
    for (const auto& x : a)
        if (auto* s = std::get_if<StateChanged>(&x))
            return *s;
    return std::nullopt;
}

} // namespace

TEST_CASE("bfd: a new session transmits Down once a second", "[fsm]")
{
    Harness h;
    CHECK(h.fsm.state() == SessionState::down);
    REQUIRE(h.fsm.next_deadline() == t0);
    auto out = sent(h.fsm.expire(t0));
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == SessionState::down);
    CHECK(out[0].my_discriminator == 0xaaaa);
    CHECK(out[0].your_discriminator == 0);
    CHECK(out[0].desired_min_tx_us == 1'000'000); // §6.8.3: at least 1 s while not Up
    CHECK(out[0].required_min_rx_us == 300'000);
    CHECK(out[0].required_min_echo_rx_us == 0);
    CHECK(h.fsm.next_deadline() == t0 + 1s);
    CHECK(h.fsm.expire(t0 + 999ms).empty());
    CHECK(sent(h.fsm.expire(t0 + 1s)).size() == 1);
}

TEST_CASE("bfd: state transitions of RFC 5880 §6.8.6", "[fsm]")
{
    Harness h;
    using S = SessionState;
    SECTION("Down + Down → Init, Init + Up → Up")
    {
        auto a = h.receive(Harness::peer(S::down));
        REQUIRE(change(a));
        CHECK(change(a)->from == S::down);
        CHECK(change(a)->to == S::init);
        CHECK(sent(a).at(0).state == S::init); // the new state goes out at once
        CHECK(sent(a).at(0).your_discriminator == 0xbbbb);
        a = h.receive(Harness::peer(S::up));
        CHECK(change(a)->to == S::up);
        CHECK(h.fsm.counters().up_count == 1);
    }
    SECTION("Down + Init → Up")
    {
        CHECK(change(h.receive(Harness::peer(S::init)))->to == S::up);
    }
    SECTION("Down + Up stays Down")
    {
        CHECK_FALSE(change(h.receive(Harness::peer(S::up))));
        CHECK(h.fsm.state() == S::down);
    }
    SECTION("Init + Init → Up, Init + Down stays Init")
    {
        (void)h.receive(Harness::peer(S::down));
        CHECK_FALSE(change(h.receive(Harness::peer(S::down))));
        CHECK(change(h.receive(Harness::peer(S::init)))->to == S::up);
    }
    SECTION("Up + Down → Down with Diag 3 (Neighbor Signaled Session Down)")
    {
        h.bring_up_packet();
        auto p = Harness::peer(S::down);
        p.diag = Diag::control_detection_time_expired;
        auto c = change(h.receive(p));
        REQUIRE(c);
        CHECK(c->to == S::down);
        CHECK(c->diag == Diag::neighbor_signaled_session_down);
        CHECK(c->cause == "peer signalled Down (Control Detection Time Expired)");
        CHECK(h.fsm.remote_diag() == Diag::control_detection_time_expired);
        CHECK(h.fsm.local_diag() == Diag::neighbor_signaled_session_down);
    }
    SECTION("Up + AdminDown → Down with Diag 3; Down + AdminDown stays Down")
    {
        h.bring_up_packet();
        auto c = change(h.receive(Harness::peer(S::admin_down)));
        REQUIRE(c);
        CHECK(c->to == S::down);
        CHECK(c->diag == Diag::neighbor_signaled_session_down);
        CHECK_FALSE(change(h.receive(Harness::peer(S::admin_down))));
    }
    SECTION("Up + Up or Init stays Up")
    {
        h.bring_up_packet();
        CHECK_FALSE(change(h.receive(Harness::peer(S::up))));
        CHECK_FALSE(change(h.receive(Harness::peer(S::init))));
    }
    SECTION("AdminDown: Diag 7 sent, received packets change nothing, admin_up → Down")
    {
        h.bring_up_packet();
        auto a = h.fsm.admin_down(h.now);
        CHECK(change(a)->to == S::admin_down);
        CHECK(sent(a).at(0).state == S::admin_down);
        CHECK(sent(a).at(0).diag == Diag::administratively_down);
        CHECK_FALSE(change(h.receive(Harness::peer(S::down))));
        CHECK(h.fsm.state() == S::admin_down);
        CHECK(h.fsm.expire(h.now + 10s).size() == 1); // only the periodic packet
        CHECK(change(h.fsm.admin_up(h.now))->to == S::down);
        CHECK(h.fsm.local_diag() == Diag::none);
    }
}

TEST_CASE("bfd: detection time", "[fsm]")
{
    Harness h;
    h.bring_up_packet();
    SECTION("remote multiplier × max(our Required Min RX, their Desired Min TX)")
    {
        CHECK(h.fsm.detection_time() == 900ms);
        auto p = Harness::peer(SessionState::up, 500ms);
        p.detect_mult = 5;
        (void)h.receive(p);
        CHECK(h.fsm.detection_time() == 2500ms);
    }
    SECTION("expiry → Down with Diag 1 (Control Detection Time Expired), not before")
    {
        h.now += 100ms;
        (void)h.receive(Harness::peer(SessionState::up));
        CHECK_FALSE(change(h.fsm.expire(h.now + 899ms)));
        auto c = change(h.fsm.expire(h.now + 900ms));
        REQUIRE(c);
        CHECK(c->to == SessionState::down);
        CHECK(c->diag == Diag::control_detection_time_expired);
        CHECK(c->cause == "no packet for 900 ms (detection time)");
        CHECK(h.fsm.remote_discriminator() == 0);
    }
    SECTION("Init also times out")
    {
        Harness g;
        (void)g.receive(Harness::peer(SessionState::down));
        CHECK(change(g.fsm.expire(t0 + 3s))->diag == Diag::control_detection_time_expired);
    }
    SECTION("in Down, the remote discriminator is forgotten after a silent detection time")
    {
        Harness g;
        (void)g.receive(Harness::peer(SessionState::admin_down));
        CHECK(g.fsm.remote_discriminator() == 0xbbbb);
        CHECK_FALSE(change(g.fsm.expire(t0 + 3s)));
        CHECK(g.fsm.remote_discriminator() == 0);
    }
}

TEST_CASE("bfd: Poll and Final", "[fsm]")
{
    Harness h;
    using S = SessionState;
    SECTION("going Up lowers the transmit interval with a Poll until the Final")
    {
        (void)h.receive(Harness::peer(S::down));
        auto a = h.receive(Harness::peer(S::up));
        CHECK(h.fsm.poll_active());
        CHECK(sent(a).at(0).poll);
        CHECK(sent(a).at(0).desired_min_tx_us == 300'000);
        CHECK(h.fsm.tx_interval() == 300ms);                 // a shorter interval is used at once
        CHECK(sent(h.fsm.expire(h.now + 300ms)).at(0).poll); // repeated until answered
        auto f = Harness::peer(S::up);
        f.final = true;
        (void)h.receive(f);
        CHECK_FALSE(h.fsm.poll_active());
        CHECK_FALSE(sent(h.fsm.expire(h.now + 600ms)).at(0).poll);
        CHECK(h.fsm.counters().poll_sequences == 1);
    }
    SECTION("a received Poll is answered at once with Final, never with Poll")
    {
        h.bring_up_packet();
        auto p = Harness::peer(S::up, 100ms, 100ms);
        p.poll = true;
        auto out = sent(h.receive(p));
        REQUIRE(out.size() == 1);
        CHECK(out[0].final);
        CHECK_FALSE(out[0].poll);
        CHECK(h.fsm.tx_interval() == 300ms); // max(our 300 ms, their 100 ms)
        CHECK(h.fsm.detection_time() == 900ms);
    }
    SECTION("a longer transmit interval waits for the Final")
    {
        h.bring_up_packet();
        auto a = h.fsm.set_params({500ms, 300ms, 3}, h.now);
        CHECK(sent(a).at(0).poll);
        CHECK(sent(a).at(0).desired_min_tx_us == 500'000);
        CHECK(h.fsm.tx_interval() == 300ms);
        auto f = Harness::peer(S::up);
        f.final = true;
        (void)h.receive(f);
        CHECK(h.fsm.tx_interval() == 500ms);
    }
    SECTION("a shorter receive interval keeps the old detection time until the Final")
    {
        h.bring_up_packet();
        (void)h.receive(Harness::peer(S::up, 50ms));
        CHECK(h.fsm.detection_time() == 900ms);
        (void)h.fsm.set_params({300ms, 100ms, 3}, h.now);
        CHECK(h.fsm.detection_time() == 900ms);
        auto f = Harness::peer(S::up, 50ms);
        f.final = true;
        (void)h.receive(f);
        CHECK(h.fsm.detection_time() == 300ms);
    }
    SECTION("a Final without our Poll changes nothing; no Poll while not Up")
    {
        auto f = Harness::peer(S::down);
        f.final = true;
        (void)h.receive(f);
        CHECK_FALSE(h.fsm.poll_active());
        Harness g;
        auto a = g.fsm.set_params({200ms, 200ms, 3}, t0);
        CHECK(a.empty());
        CHECK_FALSE(g.fsm.poll_active());
        CHECK(g.fsm.params().required_min_rx == 200ms);
    }
}

TEST_CASE("bfd: transmit schedule and jitter (RFC 5880 §6.8.7)", "[fsm]")
{
    SECTION("75 to 100 % of the interval, 75 to 90 % with Detect Mult 1")
    {
        for (std::uint32_t r = 0; r < 1000; ++r) {
            const auto j = jitter(1000us, 3, r);
            CHECK(j >= 750us);
            CHECK(j <= 1000us);
            const auto j1 = jitter(1000us, 1, r);
            CHECK(j1 >= 750us);
            CHECK(j1 <= 900us);
        }
        CHECK(jitter(1000us, 3, 0) == 750us);
        CHECK(jitter(1000us, 3, 250) == 1000us);
        CHECK(jitter(1000us, 1, 150) == 900us);
    }
    SECTION("the random source sets the next transmission")
    {
        Harness h;
        h.r = 0;
        (void)h.fsm.expire(t0);
        CHECK(h.fsm.next_deadline() == t0 + 750ms);
    }
    SECTION("a packet due soon goes early once 75 % of the interval has passed")
    {
        // Not Up: 1 s interval; the first packet at t0, the next due at t0 + 1 s (r = 250).
        Harness h;
        (void)h.fsm.expire(t0);
        REQUIRE(h.fsm.next_deadline() == t0 + 1s);
        CHECK(h.fsm.expire(t0 + 700ms, 300ms).empty()); // due within 300 ms, but only 70 %
        CHECK(h.fsm.expire(t0 + 800ms, 100ms).empty()); // 80 %, but due in 200 ms
        CHECK(sent(h.fsm.expire(t0 + 800ms, 200ms)).size() == 1);
        CHECK(h.fsm.next_deadline() == t0 + 1800ms); // the next one from the early send
        CHECK(h.fsm.counters().packets_sent == 2);
    }
    SECTION("early never runs the detection time before it expires")
    {
        Harness h;
        h.bring_up_packet();
        const auto d = h.fsm.detection_deadline();
        REQUIRE(d == h.now + 900ms);
        (void)h.fsm.expire(*d - 1ms, 300ms);
        CHECK(h.fsm.state() == SessionState::up);
        CHECK(change(h.fsm.expire(*d, 300ms))->diag == Diag::control_detection_time_expired);
        CHECK_FALSE(h.fsm.detection_deadline());
    }
    SECTION("the peer's Required Min RX slows us down; zero stops periodic packets")
    {
        Harness h;
        h.bring_up_packet();
        (void)h.receive(Harness::peer(SessionState::up, 300ms, 2s));
        CHECK(h.fsm.tx_interval() == 2s);
        (void)h.receive(Harness::peer(SessionState::up, 300ms, 0ms));
        CHECK(h.fsm.tx_interval() == 0ms);
        CHECK(h.fsm.next_deadline() == h.now + 900ms); // only the detection deadline
    }
}
