// Load driver for bench/health_checks.sh (not a Google Benchmark: it has its own main).
//   health_load_bench serve TCP_PORT HTTP_PORT SECONDS
//       loopback targets: TCP_PORT accepts and holds each connection until the peer closes;
//       HTTP_PORT answers "200 OK" to each request. Exits after SECONDS.
//   health_load_bench check TCP_PORT HTTP_PORT N_TCP N_HTTP INTERVAL_MS WARMUP SECONDS [N_LISTEN]
//       one health::Monitor with N_TCP tcp, N_HTTP http and N_LISTEN listen checks on
//       127.0.0.1 (listen: is TCP_PORT listening), first probes spread over one interval; after
//       WARMUP seconds it measures itself for SECONDS (probes, getrusage CPU, minor faults,
//       VmRSS/VmHWM, PSS and private memory), prints one "window ..." line and exits.
//       Loopback only, bounded in time.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include "bench/proc_kib.hpp"
#include "health/monitor.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace vipd::health;

namespace {

asio::awaitable<void> hold(tcp::socket socket)
{
    char buf[512];
    while (true) {
        auto [ec, n] =
            co_await socket.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
    }
}

asio::awaitable<void> answer(tcp::socket socket)
{
    static const std::string reply =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK";
    std::string request;
    char buf[2048];
    while (request.find("\r\n\r\n") == std::string::npos) {
        auto [ec, n] =
            co_await socket.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        request.append(buf, n);
    }
    co_await asio::async_write(socket, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
    co_await hold(std::move(socket)); // the checker closes first (RST)
}

template <class Session> asio::awaitable<void> accept_loop(tcp::acceptor acceptor, Session session)
{
    while (true) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            continue; // EMFILE and the like: keep serving
        }
        asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
    }
}

tcp::acceptor listen_on(asio::io_context& io, unsigned short port)
{
    tcp::acceptor acceptor(io);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(ep.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor;
}

int serve(unsigned short tcp_port, unsigned short http_port, int seconds)
{
    asio::io_context io(1);
    asio::co_spawn(io, accept_loop(listen_on(io, tcp_port), hold), asio::detached);
    asio::co_spawn(io, accept_loop(listen_on(io, http_port), answer), asio::detached);
    io.run_for(std::chrono::seconds(seconds));
    return 0;
}

class Transitions final : public Observer
{
public:
    std::uint64_t count = 0;
    void on_transition(const Transition&) override { ++count; }
};

std::string totals(const Monitor& monitor)
{
    std::uint64_t probes = 0, failures = 0, timeouts = 0, up = 0;
    for (const auto& s : monitor.snapshot()) {
        probes += s.probes;
        failures += s.failures;
        timeouts += s.timeouts;
        up += s.state == State::up ? 1 : 0;
    }
    return fmt::format("probes={} failures={} timeouts={} up={}", probes, failures, timeouts, up);
}

struct Usage
{
    std::chrono::steady_clock::time_point wall;
    double cpu_user = 0;
    double cpu_sys = 0;
    long minflt = 0;
    std::uint64_t probes = 0;
    std::uint64_t failures = 0;
};

Usage usage(const Monitor& monitor)
{
    Usage u;
    for (const auto& s : monitor.snapshot()) {
        u.probes += s.probes;
        u.failures += s.failures;
    }
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    const auto secs = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    u.cpu_user = secs(ru.ru_utime);
    u.cpu_sys = secs(ru.ru_stime);
    u.minflt = ru.ru_minflt;
    u.wall = std::chrono::steady_clock::now();
    return u;
}

int check(unsigned short tcp_port, unsigned short http_port, int n_tcp, int n_http, int interval_ms,
          int warmup, int seconds, int n_listen)
{
    // Held here so that its dump count outlives the checks.
    const auto listen_table = ListenTable::shared();
    asio::io_context io(1);
    Monitor monitor(io.get_executor(), {20240601});
    Transitions transitions;
    monitor.add_observer(transitions);
    CheckTiming timing;
    timing.interval = std::chrono::milliseconds(interval_ms);
    timing.fast_interval = timing.interval;
    timing.timeout = std::chrono::milliseconds(1000);
    for (int i = 0; i < n_tcp; ++i) {
        TcpCheckConfig tcp{"127.0.0.1", tcp_port, "", "", "", 4096};
        if (auto ok = monitor.add({fmt::format("tcp-{}", i), tcp, timing}); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().c_str());
            return 1;
        }
    }
    for (int i = 0; i < n_http; ++i) {
        HttpCheckConfig http;
        http.target.address = "127.0.0.1";
        http.target.port = http_port;
        http.target.path = "/health";
        if (auto ok = monitor.add({fmt::format("http-{}", i), http, timing}); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().c_str());
            return 1;
        }
    }
    for (int i = 0; i < n_listen; ++i) {
        ListenCheckConfig listen{"127.0.0.1", tcp_port, SocketProtocol::tcp};
        if (auto ok = monitor.add({fmt::format("listen-{}", i), listen, timing}); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().c_str());
            return 1;
        }
    }
    // The process measures itself over [warmup, warmup + seconds]: getrusage (CPU of the whole
    // process, the two snapshots included), probes counted by the Monitor, VmRSS/VmHWM.
    io.run_for(std::chrono::seconds(warmup));
    const auto u0 = usage(monitor);
    const auto dumps0 = listen_table->dumps();
    io.run_for(std::chrono::seconds(seconds));
    const auto u1 = usage(monitor);
    const auto wall = std::chrono::duration<double>(u1.wall - u0.wall).count();
    const char* rollup = "/proc/self/smaps_rollup";
    std::printf("window wall=%.3f probes=%llu failures=%llu cpu_user=%.3f cpu_sys=%.3f "
                "rss_kib=%ld hwm_kib=%ld pss_kib=%ld private_kib=%ld minflt=%ld dumps=%llu\n",
                wall, static_cast<unsigned long long>(u1.probes - u0.probes),
                static_cast<unsigned long long>(u1.failures - u0.failures),
                u1.cpu_user - u0.cpu_user, u1.cpu_sys - u0.cpu_sys,
                kib("/proc/self/status", "VmRSS:"), kib("/proc/self/status", "VmHWM:"),
                kib(rollup, "Pss:"), kib(rollup, "Private_Clean:") + kib(rollup, "Private_Dirty:"),
                u1.minflt - u0.minflt,
                static_cast<unsigned long long>(listen_table->dumps() - dumps0));
    std::printf("final %s transitions=%llu\n", totals(monitor).c_str(),
                static_cast<unsigned long long>(transitions.count));
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "serve" && argc == 5) {
        return serve(static_cast<unsigned short>(std::stoi(argv[2])),
                     static_cast<unsigned short>(std::stoi(argv[3])), std::stoi(argv[4]));
    }
    if (mode == "check" && (argc == 9 || argc == 10)) {
        return check(static_cast<unsigned short>(std::stoi(argv[2])),
                     static_cast<unsigned short>(std::stoi(argv[3])), std::stoi(argv[4]),
                     std::stoi(argv[5]), std::stoi(argv[6]), std::stoi(argv[7]), std::stoi(argv[8]),
                     argc == 10 ? std::stoi(argv[9]) : 0);
    }
    std::fprintf(stderr,
                 "usage: %s serve TCP_PORT HTTP_PORT SECONDS\n"
                 "       %s check TCP_PORT HTTP_PORT N_TCP N_HTTP INTERVAL_MS WARMUP SECONDS "
                 "[N_LISTEN]\n",
                 argv[0], argv[0]);
    return 2;
}
