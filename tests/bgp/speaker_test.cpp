// Two vipd speakers on loopback: sessions come up, routes cross, withdrawals and shutdown with an
// RFC 9003 reason reach the other side. Real sockets on 127.0.0.1, bounded in time.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "bgp/speaker.hpp"

using namespace vipd::bgp;
namespace asio = boost::asio;

namespace {

struct Recorder : SpeakerObserver
{
    std::vector<std::string> states;
    std::vector<Notification> received;
    std::vector<Notification> sent;
    std::vector<std::string> events;
    void on_state_change(const std::string& n, State, State to, const std::string&) override
    {
        states.push_back(n + ":" + std::string(to_string(to)));
    }
    void on_notification(const std::string&, bool was_sent, const Notification& x) override
    {
        (was_sent ? sent : received).push_back(x);
    }
    void on_event(const std::string& n, EventLevel, const std::string& text) override
    {
        events.push_back(n + ": " + text);
    }
};

/// Run the loop until `done()` or `limit` passes; returns done().
template <typename F> bool run_until(asio::io_context& io, F done, std::chrono::milliseconds limit)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.run_for(std::chrono::milliseconds(5));
        if (io.stopped())
            io.restart();
    }
    return done();
}

NeighborConfig neighbor(const char* name, const char* addr, std::uint16_t port, Asn as,
                        bool passive)
{
    NeighborConfig n;
    n.name = name;
    n.address = *Address::parse(addr);
    n.port = port;
    n.remote_as = as;
    n.passive = passive;
    n.hold_time = 9;
    n.connect_retry = std::chrono::seconds(1);
    n.max_prefixes = 1000; // keeps an Adj-RIB-In so prefixes_received is exact
    return n;
}

const NeighborStatus& status_of(const std::vector<NeighborStatus>& all)
{
    REQUIRE(all.size() == 1);
    return all[0];
}

} // namespace

TEST_CASE("speaker: two speakers peer on loopback and exchange routes", "[integration][speaker]")
{
    asio::io_context io;
    Recorder ra, rb;
    const std::uint16_t port = 17961;
    Speaker a(io, SpeakerConfig{RouterId{0x01010101}, 65001, {}, ""}, ra);
    Speaker b(
        io, SpeakerConfig{RouterId{0x02020202}, 65002, {{*Address::parse("127.0.0.1"), port}}, ""},
        rb);
    auto na = neighbor("b", "127.0.0.1", port, 65002, false);
    // Next hops are attribute values only (a loopback NEXT_HOP is treated as withdrawn).
    na.export_policy.next_hop_v4 = *Address::parse("192.0.2.1");
    na.export_policy.next_hop_v6 = *Address::parse("2001:db8::1");
    REQUIRE(a.add_neighbor(na));
    REQUIRE(b.add_neighbor(neighbor("a", "127.0.0.1", 0, 65001, true)));
    REQUIRE(b.start());
    REQUIRE(a.start());

    RouteSpec spec;
    spec.attributes.med = 300;
    spec.attributes.communities = {0xFFFF0000};
    a.announce(*Prefix::parse("192.0.2.10/32"), spec);
    a.announce(*Prefix::parse("2001:db8::10/128"), spec);

    auto established = [&] {
        return status_of(a.status()).state == "Established" &&
               status_of(b.status()).state == "Established";
    };
    REQUIRE(run_until(io, established, std::chrono::seconds(10)));
    // Nothing goes out before the application is ready.
    run_until(
        io, [] { return false; }, std::chrono::milliseconds(100));
    CHECK(status_of(b.status()).prefixes_received == 0);

    a.set_ready();
    const bool got = run_until(
        io, [&] { return status_of(b.status()).prefixes_received == 2; }, std::chrono::seconds(5));
    CHECK(status_of(b.status()).updates_received == 4);
    CHECK(status_of(b.status()).prefixes_received == 2);
    REQUIRE(got);
    CHECK(status_of(a.status()).prefixes_announced == 2);

    a.withdraw(*Prefix::parse("192.0.2.10/32"));
    REQUIRE(run_until(
        io, [&] { return status_of(b.status()).prefixes_received == 1; }, std::chrono::seconds(5)));

    bool flushed = false;
    std::map<std::string, std::string> result;
    a.announce(*Prefix::parse("192.0.2.11/32"), spec);
    a.when_flushed([&](std::map<std::string, std::string> r) {
        result = std::move(r);
        flushed = true;
    });
    REQUIRE(run_until(
        io, [&] { return flushed; }, std::chrono::seconds(5)));
    CHECK(result["b"] == "written");

    bool down = false;
    a.shutdown("maintenance window", std::chrono::seconds(3), [&] { down = true; });
    REQUIRE(run_until(
        io, [&] { return down && !rb.received.empty(); }, std::chrono::seconds(5)));
    const Notification& n = rb.received.back();
    CHECK(n.code == 6);
    CHECK(n.subcode == 2);
    CHECK(shutdown_communication(n) == std::optional<std::string>("maintenance window"));
}

TEST_CASE("speaker: a connection from an unknown address is refused", "[integration][speaker]")
{
    asio::io_context io;
    Recorder rb;
    const std::uint16_t port = 17962;
    Speaker b(
        io, SpeakerConfig{RouterId{0x02020202}, 65002, {{*Address::parse("127.0.0.1"), port}}, ""},
        rb);
    REQUIRE(b.add_neighbor(neighbor("elsewhere", "127.0.0.9", 0, 65001, true)));
    REQUIRE(b.start());
    Recorder ra;
    Speaker a(io, SpeakerConfig{RouterId{0x01010101}, 65001, {}, ""}, ra);
    REQUIRE(a.add_neighbor(neighbor("b", "127.0.0.1", port, 65002, false)));
    REQUIRE(a.start());
    REQUIRE(run_until(
        io,
        [&] {
            for (const auto& e : rb.events)
                if (e.find("not a configured neighbor") != std::string::npos)
                    return true;
            return false;
        },
        std::chrono::seconds(5)));
    CHECK(status_of(a.status()).state != "Established");
}

TEST_CASE("speaker: a disabled neighbor stays down and refuses the router until enabled",
          "[integration][speaker]")
{
    asio::io_context io;
    Recorder ra, rb;
    const std::uint16_t port = 17963;
    Speaker a(io, SpeakerConfig{RouterId{0x01010101}, 65001, {}, ""}, ra);
    Speaker b(
        io, SpeakerConfig{RouterId{0x02020202}, 65002, {{*Address::parse("127.0.0.1"), port}}, ""},
        rb);
    REQUIRE(a.add_neighbor(neighbor("b", "127.0.0.1", port, 65002, false)));
    auto nb = neighbor("a", "127.0.0.1", 0, 65001, true);
    nb.export_policy.next_hop_v4 = *Address::parse("192.0.2.1");
    REQUIRE(b.add_neighbor(nb));
    // Disabled before start (as restored from the state directory): never started.
    CHECK(b.disable_neighbor("a", "restored"));
    REQUIRE(b.start());
    REQUIRE(a.start());
    b.announce(*Prefix::parse("192.0.2.10/32"), RouteSpec{});
    b.set_ready();
    run_until(
        io, [] { return false; }, std::chrono::milliseconds(300));
    CHECK(status_of(b.status()).state == "Idle");
    CHECK(status_of(b.status()).disabled);
    CHECK(status_of(b.status()).disabled_message == "restored");
    CHECK(status_of(a.status()).state != "Established");

    CHECK(b.enable_neighbor("a"));
    CHECK_FALSE(b.enable_neighbor("a"));
    auto established = [&] {
        return status_of(a.status()).state == "Established" &&
               status_of(b.status()).state == "Established" &&
               status_of(a.status()).prefixes_received == 1;
    };
    REQUIRE(run_until(io, established, std::chrono::seconds(10)));
    CHECK_FALSE(status_of(b.status()).disabled);

    // refresh: the whole table again (route refresh framing, no End-of-RIB).
    const auto updates = status_of(a.status()).updates_received;
    b.resend("a");
    REQUIRE(run_until(
        io, [&] { return status_of(a.status()).updates_received > updates; },
        std::chrono::seconds(5)));

    // disable: Cease/2 with the operator's text; the router's reconnects are refused.
    ra.received.clear(); // the Cease/5 refusals of the first, disabled phase
    CHECK(b.disable_neighbor("a", "maintenance CHG-1234"));
    REQUIRE(run_until(
        io, [&] { return !ra.received.empty(); }, std::chrono::seconds(5)));
    CHECK(ra.received.front().code == 6);
    CHECK(ra.received.front().subcode == 2);
    CHECK(shutdown_communication(ra.received.front()) ==
          std::optional<std::string>("maintenance CHG-1234"));
    // The router retries every connect_retry (1 s) and is refused with Cease/5.
    REQUIRE(run_until(
        io,
        [&] {
            for (const auto& n : ra.received)
                if (n.code == 6 && n.subcode == 5)
                    return true;
            return false;
        },
        std::chrono::seconds(5)));
    CHECK(status_of(b.status()).state == "Idle");
    // A reload that changes a session parameter re-creates the session: still disabled.
    nb.hold_time = 30;
    REQUIRE(b.reconfigure_neighbor(nb));
    run_until(
        io, [] { return false; }, std::chrono::milliseconds(300));
    CHECK(status_of(b.status()).state == "Idle");
    CHECK(status_of(b.status()).disabled);
    CHECK(b.reset_neighbor("a", "reset"));
    CHECK(status_of(b.status()).state == "Idle");
}
