// HAProxy references against Debian's real haproxy, started by the test on loopback ports in
// front of two test HTTP servers; stats read over the unix socket, the TCP socket and the ;csv
// page. Servers stopped -> backend DOWN after HAProxy's fall count; started -> UP; MAINT and
// DRAIN set through the admin socket are reported as such. haproxy is stopped by its PID.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "fixtures.hpp"
#include "health/haproxy_source.hpp"
#include "health/monitor.hpp"
#include "helpers/test_data.hpp"

using namespace vipd::health;
using namespace vipd::test;

namespace {

class LastCause final : public Observer
{
public:
    std::map<std::string, std::pair<State, std::string>> last;
    std::vector<std::string> log;
    void on_transition(const Transition& t) override
    {
        last[std::string(t.check)] = {t.to, std::string(t.cause)};
        log.push_back(
            fmt::format("{} {}->{} {}", t.check, to_string(t.from), to_string(t.to), t.cause));
    }
    bool is(const std::string& check, State state) const
    {
        const auto it = last.find(check);
        return it != last.end() && it->second.first == state;
    }
    std::string cause(const std::string& check) const { return last.at(check).second; }
};

std::string haproxy_config(const std::filesystem::path& dir, std::uint16_t sock_port,
                           std::uint16_t fe_port, std::uint16_t stats_port, std::uint16_t web1,
                           std::uint16_t web2)
{
    return fmt::format(R"(global
    nbthread 1
    stats socket {dir}/admin.sock mode 600 level admin
    stats socket ipv4@127.0.0.1:{sock} level admin
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe_main
    bind 127.0.0.1:{fe}
    default_backend be_app
backend be_app
    option httpchk GET /health
    server web1 127.0.0.1:{web1} check inter 100ms rise 2 fall 2
    server web2 127.0.0.1:{web2} check inter 100ms rise 2 fall 2
listen stats
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /stats
    stats auth admin:s3cret
)",
                       fmt::arg("dir", dir.string()), fmt::arg("sock", sock_port),
                       fmt::arg("fe", fe_port), fmt::arg("stats", stats_port),
                       fmt::arg("web1", web1), fmt::arg("web2", web2));
}

HaproxyInstanceConfig page_instance(std::string name, std::uint16_t port, std::string password)
{
    HaproxyInstanceConfig c;
    c.name = std::move(name);
    c.transport = HaproxyTransport::stats_page;
    c.page.address = "127.0.0.1";
    c.page.port = port;
    c.page.path = "/stats;csv";
    c.page.username = "admin";
    c.page.password = std::move(password);
    c.interval = 100ms;
    return c;
}

std::string command(asio::io_context& io, const HaproxyInstanceConfig& lb, std::string line)
{
    std::optional<tl::expected<std::string, std::string>> reply;
    asio::co_spawn(io, haproxy_command(lb, std::move(line)),
                   [&](std::exception_ptr, tl::expected<std::string, std::string> r) {
                       reply = std::move(r);
                   });
    REQUIRE(run_until(io, [&] { return reply.has_value(); }));
    REQUIRE(*reply);
    return **reply;
}

} // namespace

TEST_CASE("haproxy: backend, frontend and server references follow real haproxy",
          "[health][integration]")
{
    asio::io_context io;
    TempDir dir("haproxy");
    auto web1 = std::make_unique<HttpServer>(io, Behaviour::ok);
    auto web2 = std::make_unique<HttpServer>(io, Behaviour::ok);
    const auto web1_port = web1->port();
    const auto web2_port = web2->port();
    const auto sock_port = closed_port();
    const auto stats_port = closed_port();
    write_file(dir.path() / "haproxy.cfg", haproxy_config(dir.path(), sock_port, closed_port(),
                                                          stats_port, web1_port, web2_port));
    Process haproxy({"haproxy", "-f", (dir.path() / "haproxy.cfg").string(), "-db"},
                    dir.path() / "haproxy.log");

    HaproxyInstanceConfig unix_lb;
    unix_lb.name = "lb-unix";
    unix_lb.socket_path = (dir.path() / "admin.sock").string();
    unix_lb.interval = 100ms;
    HaproxyInstanceConfig tcp_lb;
    tcp_lb.name = "lb-tcp";
    tcp_lb.transport = HaproxyTransport::tcp_socket;
    tcp_lb.address = "127.0.0.1";
    tcp_lb.port = sock_port;
    tcp_lb.interval = 100ms;

    LastCause seen;
    Monitor monitor(io.get_executor());
    monitor.add_observer(seen);
    REQUIRE(monitor.add_haproxy(unix_lb));
    REQUIRE(monitor.add_haproxy(tcp_lb));
    REQUIRE(monitor.add_haproxy(page_instance("lb-page", stats_port, "s3cret")));
    REQUIRE(monitor.add_haproxy(page_instance("lb-badauth", stats_port, "wrong")));
    REQUIRE(monitor.add({"app", HaproxyRefConfig{"lb-unix", "b:be_app"}, {}}));
    REQUIRE(monitor.add({"front", HaproxyRefConfig{"lb-tcp", "f:fe_main"}, {}}));
    REQUIRE(monitor.add({"web1", HaproxyRefConfig{"lb-page", "s:be_app/web1"}, {}}));
    REQUIRE(monitor.add({"app-page", HaproxyRefConfig{"lb-page", "b:be_app"}, {}}));
    REQUIRE(monitor.add({"app-badauth", HaproxyRefConfig{"lb-badauth", "b:be_app"}, {}}));
    CHECK(monitor.remove_haproxy("lb-page").error() ==
          "haproxy instance \"lb-page\" is used by check \"web1\"");

    const bool ready = run_until(io, [&] {
        return seen.is("app", State::up) && seen.is("front", State::up) &&
               seen.is("web1", State::up) && seen.is("app-page", State::up);
    });
    if (!ready) {
        FAIL("not up; haproxy log:\n" << read_text(dir.path() / "haproxy.log"));
    }
    CHECK(seen.cause("front") == "frontend fe_main OPEN");
    CHECK(seen.cause("web1").rfind("server be_app/web1 UP", 0) == 0); // "UP 1/2" at start
    REQUIRE(seen.is("app-badauth", State::down));
    CHECK(run_until(io, [&] {
        const auto last = monitor.snapshot("app-badauth")->last;
        return last && last->detail == "haproxy lb-badauth: stats page HTTP 401";
    }));
    // One poll serves every reference of an instance: both lb-page references saw each poll.
    CHECK(monitor.snapshot("web1")->probes == monitor.snapshot("app-page")->probes);

    SECTION("servers stopped: backend DOWN after the fall count, UP again after the rise count")
    {
        web1.reset();
        web2.reset();
        REQUIRE(run_until(io, [&] { return seen.is("app", State::down); }));
        CHECK(seen.cause("app") == "backend be_app DOWN (0/2 servers up)");
        REQUIRE(run_until(io, [&] { return seen.is("web1", State::down); }));
        CHECK(seen.cause("web1").rfind("server be_app/web1 DOWN (L4CON", 0) == 0);
        CHECK(seen.is("front", State::up));

        web1 = std::make_unique<HttpServer>(io, Behaviour::ok, web1_port);
        REQUIRE(run_until(io, [&] { return seen.is("app", State::up); }));
        CHECK(seen.cause("app") == "backend be_app UP (1/2 servers up)");
        CHECK(run_until(io, [&] { return seen.is("web1", State::up); }));
    }

    SECTION("MAINT and DRAIN through the admin socket are reported as such")
    {
        command(io, tcp_lb, "set server be_app/web1 state maint");
        REQUIRE(run_until(io, [&] { return seen.is("web1", State::maint); }));
        CHECK(seen.cause("web1") == "server be_app/web1 MAINT");
        CHECK(monitor.snapshot("web1")->serving == false);
        CHECK(seen.is("app", State::up)); // web2 still serves

        command(io, unix_lb, "set server be_app/web1 state drain");
        REQUIRE(run_until(io, [&] { return seen.is("web1", State::drain); }));
        CHECK(seen.cause("web1").rfind("server be_app/web1 DRAIN", 0) == 0); // or "DRAIN 1/2"
        CHECK(monitor.snapshot("web1")->serving);

        command(io, unix_lb, "set server be_app/web1 state ready");
        REQUIRE(run_until(io, [&] { return seen.is("web1", State::up); }));
    }

    SECTION("haproxy gone: its references go down with the transport error")
    {
        haproxy.stop();
        REQUIRE(run_until(
            io, [&] { return seen.is("app", State::down) && seen.is("front", State::down); }));
        CHECK(seen.cause("app").rfind("haproxy lb-unix: ", 0) == 0);
        CHECK(seen.cause("front") == "haproxy lb-tcp: connect refused");
    }
}
