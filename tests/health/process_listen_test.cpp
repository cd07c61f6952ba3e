// The process and listen checks against real processes and sockets started by the test: a
// `sleep` named by a pidfile or found by its command line, killed with SIGKILL (its exit
// reported through the pidfd watch and applied by the Monitor at once, whatever the fall count);
// TCP and UDP sockets bound on loopback, closed, and a port left with only an established
// connection. No timing assertions.
#include <csignal>

#include <boost/asio/ip/udp.hpp>
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "health/listen_check.hpp"
#include "health/monitor.hpp"
#include "health/process_check.hpp"

using namespace vipd::health;
using namespace vipd::test;

namespace {

std::unique_ptr<ProcessCheck> make_process(ProcessCheckConfig c)
{
    auto made = ProcessCheck::make(std::move(c));
    REQUIRE(made);
    return std::move(*made);
}

std::unique_ptr<ListenCheck> make_listen(std::uint16_t port, SocketProtocol p = SocketProtocol::tcp,
                                         std::string address = "127.0.0.1")
{
    auto made = ListenCheck::make({std::move(address), port, p});
    REQUIRE(made);
    return std::move(*made);
}

// A unique marker argument so that the command-line match finds this test's sleep only.
std::string marker()
{
    return "4242" + std::to_string(::getpid());
}

// State letter from /proc/PID/stat ('Z' zombie), or 0 when the process is gone.
char proc_state_letter(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    const auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() ? 0 : line[close + 2];
}

struct ProcessRecorder final : Observer
{
    std::vector<std::pair<State, std::string>> seen;
    std::vector<bool> events;
    void on_transition(const Transition& t) override { seen.emplace_back(t.to, t.cause); }
    void on_probe(const Probe& p) override { events.push_back(p.event); }
};

} // namespace

TEST_CASE("process: config needs a pidfile (absolute) or a cmdline", "[health]")
{
    CHECK(ProcessCheck::make({}).error() == "give a pidfile, a cmdline or both");
    CHECK(ProcessCheck::make({"run/x.pid", ""}).error() ==
          "pidfile \"run/x.pid\" is not an absolute path");
    CHECK(ProcessCheck::make({"/run/x.pid", "  "}).error() == "cmdline has no word");
    CHECK(ProcessCheck::make({"", "haproxy -f"}));
}

TEST_CASE("process: pidfile absent, stale, then a live process reported gone at its exit",
          "[health]")
{
    asio::io_context io;
    TempDir dir("process");
    const auto pidfile = (dir.path() / "svc.pid").string();
    auto check = make_process({pidfile, ""});
    std::vector<Outcome> reported;
    check->watch([&](Outcome o) { reported.push_back(std::move(o)); });

    auto o = run_probe(io, *check);
    CHECK(o.status == Status::down);
    CHECK(o.reason == Reason::no_process);
    CHECK(o.detail == "pidfile " + pidfile + ": No such file or directory");

    write_file(pidfile, "junk\n");
    o = run_probe(io, *check);
    CHECK(o.detail == "pidfile " + pidfile + " does not hold a pid (\"junk\")");

    Process sleeper({"sleep", "30"}, dir.path() / "sleep.log");
    write_file(pidfile, std::to_string(sleeper.pid()) + "\n");
    o = run_probe(io, *check);
    CHECK(o.status == Status::up);
    CHECK(o.detail == "process " + std::to_string(sleeper.pid()) + " running");
    o = run_probe(io, *check); // still the same, watched
    CHECK(o.status == Status::up);
    CHECK(reported.empty());

    ::kill(sleeper.pid(), SIGKILL);
    REQUIRE(run_until(io, [&] { return !reported.empty(); }));
    CHECK(reported.front().reason == Reason::process_exited);
    CHECK(reported.front().detail == "process " + std::to_string(sleeper.pid()) + " exited");
    const auto dead = sleeper.pid();
    REQUIRE(run_until(io, [&] { return !sleeper.running(); })); // reaped: the pid is free
    o = run_probe(io, *check);
    CHECK(o.reason == Reason::no_process);
    CHECK(o.detail ==
          "pidfile " + pidfile + " names " + std::to_string(dead) + ", which is not running");
    CHECK(reported.size() == 1);
}

TEST_CASE("process: a zombie named by the pidfile is not running", "[health]")
{
    asio::io_context io;
    TempDir dir("process");
    const auto pidfile = (dir.path() / "svc.pid").string();
    Process sleeper({"sleep", "30"}, dir.path() / "sleep.log");
    write_file(pidfile, std::to_string(sleeper.pid()));
    ::kill(sleeper.pid(), SIGKILL); // never reaped before the probe: a zombie
    REQUIRE(run_until(io, [&] { return proc_state_letter(sleeper.pid()) == 'Z'; }));
    auto check = make_process({pidfile, ""});
    const auto o = run_probe(io, *check);
    CHECK(o.reason == Reason::no_process);
    CHECK(o.detail == "process " + std::to_string(sleeper.pid()) + " has exited");
}

TEST_CASE("process: found by command line, and a pidfile must match it when both are given",
          "[health]")
{
    asio::io_context io;
    TempDir dir("process");
    auto check = make_process({"", "sleep " + marker()});
    auto o = run_probe(io, *check);
    CHECK(o.detail == "no process matches cmdline \"sleep " + marker() + "\"");

    Process first({"sleep", marker()}, dir.path() / "a.log");
    Process second({"/bin/sleep", marker()}, dir.path() / "b.log");
    o = run_probe(io, *check);
    CHECK(o.status == Status::up);
    CHECK(o.detail == "process " + std::to_string(first.pid()) + " running"); // the earliest

    const auto pidfile = (dir.path() / "p.pid").string();
    write_file(pidfile, std::to_string(::getpid())); // a live process that is not sleep
    auto guarded = make_process({pidfile, "sleep " + marker()});
    o = run_probe(io, *guarded);
    CHECK(o.reason == Reason::no_process);
    CHECK(o.detail == "pidfile " + pidfile + " names " + std::to_string(::getpid()) +
                          ", which does not run \"sleep " + marker() + "\"");
    write_file(pidfile, std::to_string(second.pid()));
    CHECK(run_probe(io, *guarded).status == Status::up);
}

TEST_CASE("process: a pidfile naming a new process is followed while the old one runs", "[health]")
{
    asio::io_context io;
    TempDir dir("process");
    const auto pidfile = (dir.path() / "svc.pid").string();
    Process old({"sleep", "30"}, dir.path() / "a.log");
    write_file(pidfile, std::to_string(old.pid()));
    auto check = make_process({pidfile, ""});
    std::vector<Outcome> reported;
    check->watch([&](Outcome o) { reported.push_back(std::move(o)); });
    CHECK(run_probe(io, *check).status == Status::up);
    Process fresh({"sleep", "30"}, dir.path() / "b.log");
    write_file(pidfile, std::to_string(fresh.pid()));
    CHECK(run_probe(io, *check).detail == "process " + std::to_string(fresh.pid()) + " running");
    old.stop(); // the old process's exit is no longer watched
    run_for(io, std::chrono::milliseconds(50));
    CHECK(reported.empty());
    ::kill(fresh.pid(), SIGKILL);
    REQUIRE(run_until(io, [&] { return !reported.empty(); }));
    CHECK(reported.front().detail == "process " + std::to_string(fresh.pid()) + " exited");
}

TEST_CASE("monitor: a process exit is a transition at once, without waiting for fall probes",
          "[health]")
{
    asio::io_context io;
    TempDir dir("process");
    const auto pidfile = (dir.path() / "svc.pid").string();
    Process first({"sleep", "30"}, dir.path() / "a.log");
    write_file(pidfile, std::to_string(first.pid()));
    ProcessRecorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    CheckTiming timing;
    timing.interval = std::chrono::hours(1); // probes would come far too late to see the exit
    timing.fast_interval = std::chrono::milliseconds(20);
    timing.rise = 2;
    timing.fall = 3;
    timing.jitter = std::chrono::milliseconds(0);
    REQUIRE(monitor.add({"svc", ProcessCheckConfig{pidfile, ""}, timing}));
    REQUIRE(run_until(io, [&] { return monitor.snapshot("svc")->state == State::up; }));
    const auto probes = monitor.snapshot("svc")->probes;

    ::kill(first.pid(), SIGKILL);
    REQUIRE(run_until(io, [&] { return monitor.snapshot("svc")->state == State::down; }));
    CHECK(rec.seen.back().second == "process " + std::to_string(first.pid()) + " exited");
    CHECK(monitor.snapshot("svc")->probes == probes + 1); // the event, no probe
    CHECK(rec.events.back());
    CHECK(monitor.snapshot("svc")->last->reason == Reason::process_exited);

    Process second({"sleep", "30"}, dir.path() / "b.log");
    write_file(pidfile, std::to_string(second.pid()));
    monitor.check_now("svc");
    REQUIRE(run_until(io, [&] { return monitor.snapshot("svc")->state == State::up; }));
    const auto n = rec.seen.size();
    CHECK(rec.seen[n - 2].first == State::rising);
    CHECK(rec.seen[n - 2].second == "process " + std::to_string(second.pid()) + " running (1/2)");
}

TEST_CASE("listen: a TCP listener closed and reopened, and an established connection alone is down",
          "[health]")
{
    asio::io_context io;
    auto listener = std::make_unique<TcpListener>(io);
    const auto port = listener->port();
    auto check = make_listen(port);
    auto o = run_probe(io, *check);
    CHECK(o.status == Status::up);
    CHECK(o.detail == "tcp 127.0.0.1:" + std::to_string(port) + " listening");
    CHECK(listener->accepted() == 0); // no connection was made

    tcp::socket client(io);
    client.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    REQUIRE(run_until(io, [&] { return listener->accepted() == 1; }));
    listener->stop();                           // the accepted connection stays established
    run_for(io, std::chrono::milliseconds(20)); // past the shared dump's tick
    o = run_probe(io, *check);
    CHECK(o.status == Status::down);
    CHECK(o.reason == Reason::not_listening);
    CHECK(o.detail == "nothing listens on tcp 127.0.0.1:" + std::to_string(port));

    listener = std::make_unique<TcpListener>(io, "", port);
    run_for(io, std::chrono::milliseconds(20));
    CHECK(run_probe(io, *check).status == Status::up);
    CHECK_FALSE(run_probe(io, *make_listen(port, SocketProtocol::tcp, "127.0.0.2")).up());
    CHECK_FALSE(run_probe(io, *make_listen(port, SocketProtocol::tcp, "::1")).up());
}

TEST_CASE("listen: a bound UDP socket, wildcard and IPv6 listeners", "[health]")
{
    asio::io_context io;
    asio::ip::udp::socket udp(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto uport = udp.local_endpoint().port();
    CHECK(run_probe(io, *make_listen(uport, SocketProtocol::udp)).detail ==
          "udp 127.0.0.1:" + std::to_string(uport) + " listening");
    CHECK_FALSE(run_probe(io, *make_listen(uport, SocketProtocol::tcp)).up());

    tcp::acceptor any(io, tcp::endpoint(asio::ip::make_address("0.0.0.0"), 0));
    CHECK(run_probe(io, *make_listen(any.local_endpoint().port())).up());
    tcp::acceptor six(io, tcp::endpoint(asio::ip::make_address("::1"), 0));
    const auto sport = six.local_endpoint().port();
    CHECK(run_probe(io, *make_listen(sport, SocketProtocol::tcp, "::1")).detail ==
          "tcp [::1]:" + std::to_string(sport) + " listening");
}

TEST_CASE("listen: checks probed within one tick share one dump", "[health]")
{
    asio::io_context io;
    TcpListener listener(io);
    std::vector<std::unique_ptr<ListenCheck>> checks;
    for (int i = 0; i < 50; ++i)
        checks.push_back(make_listen(listener.port()));
    const auto table = ListenTable::shared();
    const auto before = table->dumps();
    const auto now = ListenTable::Clock::now();
    REQUIRE(table->listening(SocketProtocol::tcp, now));
    for (int i = 0; i < 50; ++i)
        REQUIRE(table->listening(SocketProtocol::tcp, now));
    CHECK(table->dumps() == before + 1);
    REQUIRE(table->listening(SocketProtocol::tcp, now + ListenTable::tick));
    CHECK(table->dumps() == before + 2);
    CHECK(ListenCheck::make({"localhost", 80}).error() ==
          "address \"localhost\" is not a numeric IPv4/IPv6 address");
    CHECK(ListenCheck::make({"127.0.0.1", 0}).error() == "port must be 1..65535");
}
