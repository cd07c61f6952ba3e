// Monitor: scheduling, the shared timeout, rise/fall through real probes, observers, admin
// actions and runtime reconfiguration, against loopback peers started by the test.
#include <fstream>

#include <catch2/catch.hpp>
#include <sys/socket.h>

#include "fixtures.hpp"
#include "health/monitor.hpp"

using namespace vipd::health;
using namespace vipd::test;

namespace {

struct Seen
{
    std::string check;
    State from;
    State to;
    std::string cause;
    bool serving;
    bool settled;
};

struct Probed
{
    std::string check;
    Status status;
    std::chrono::microseconds took;
    bool timed_out;
};

class Recorder final : public Observer
{
public:
    std::vector<Seen> seen;
    std::vector<Probed> probes;
    std::vector<std::string> errors;
    std::function<void(const Transition&)> also;

    void on_transition(const Transition& t) override
    {
        seen.push_back(
            {std::string(t.check), t.from, t.to, std::string(t.cause), t.serving, t.settled});
        if (also) {
            also(t);
        }
    }
    void on_probe(const Probe& p) override
    {
        probes.push_back({std::string(p.check), p.outcome.status, p.outcome.took, p.timed_out});
    }
    void on_error(std::string_view check, std::string_view what) override
    {
        errors.push_back(std::string(check) + ": " + std::string(what));
    }
    bool reached(std::string_view check, State state) const
    {
        return std::any_of(seen.begin(), seen.end(),
                           [&](const Seen& s) { return s.check == check && s.to == state; });
    }
};

CheckTiming fast(unsigned rise, unsigned fall)
{
    CheckTiming t;
    t.interval = 40ms;
    t.fast_interval = 20ms;
    t.timeout = 300ms;
    t.rise = rise;
    t.fall = fall;
    t.jitter = 0ms;
    return t;
}

CheckSpec tcp_spec(std::string name, std::uint16_t port, CheckTiming timing)
{
    return {std::move(name), TcpCheckConfig{"127.0.0.1", port, "", "", "", 4096}, timing};
}

pid_t read_pid(const std::filesystem::path& file)
{
    std::ifstream in(file);
    pid_t pid = 0;
    in >> pid;
    return pid;
}

bool process_exists(pid_t pid)
{
    return std::filesystem::exists("/proc/" + std::to_string(pid));
}

// State letter from /proc/PID/stat ('Z' zombie), or 0 when the process is gone.
char process_state(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) {
        return 0;
    }
    const auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() ? 0 : line[close + 2];
}

} // namespace

TEST_CASE("monitor: tcp rises after rise successes, falls after fall failures", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor(), {42});
    monitor.add_observer(rec);
    auto listener = std::make_unique<TcpListener>(io);
    const auto port = listener->port();
    REQUIRE(monitor.add(tcp_spec("db", port, fast(3, 2))));

    REQUIRE(run_until(io, [&] { return rec.reached("db", State::up); }));
    REQUIRE(rec.seen.size() == 2);
    CHECK(rec.seen[0].from == State::init);
    CHECK(rec.seen[0].to == State::rising);
    CHECK(rec.seen[0].cause == "connected (1/3)");
    CHECK_FALSE(rec.seen[0].settled); // rising out of init: no verdict yet
    CHECK(rec.seen[1].settled);
    CHECK(rec.seen[1].from == State::rising);
    CHECK(rec.seen[1].cause == "connected");
    CHECK(rec.seen[1].serving);
    CHECK(monitor.snapshot("db")->probes == 3);
    // Every probe reaches observers, not only those that change the state.
    REQUIRE(rec.probes.size() == 3);
    CHECK(rec.probes[1].check == "db");
    CHECK(rec.probes[1].status == Status::up);
    CHECK_FALSE(rec.probes[1].timed_out);
    CHECK(rec.probes[1].took > 0us);

    listener.reset(); // port closed: connect refused
    REQUIRE(run_until(io, [&] { return rec.reached("db", State::down); }));
    REQUIRE(rec.seen.size() == 4);
    CHECK(rec.seen[2].to == State::falling);
    CHECK(rec.seen[2].cause == "connect refused (1/2)");
    CHECK(rec.seen[2].serving);
    CHECK(rec.seen[3].from == State::falling);
    CHECK(rec.seen[3].cause == "connect refused");
    CHECK_FALSE(rec.seen[3].serving);
    CHECK(rec.seen[2].settled); // falling after a verdict

    const auto snap = monitor.snapshot("db");
    REQUIRE(snap);
    CHECK(snap->kind == "tcp");
    CHECK(snap->state == State::down);
    CHECK(snap->transitions == 4);
    CHECK(snap->failures >= 2);
    REQUIRE(snap->last);
    CHECK(snap->last->detail == "connect refused");
    CHECK(rec.errors.empty());
}

TEST_CASE("monitor: a hanging HTTP server is a timeout, applied by the monitor", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    HttpServer hang(io, Behaviour::hang);
    HttpCheckConfig http;
    http.target.address = "127.0.0.1";
    http.target.port = hang.port();
    auto timing = fast(1, 1);
    timing.timeout = 200ms;
    REQUIRE(monitor.add({"web", http, timing}));
    REQUIRE(run_until(io, [&] { return rec.reached("web", State::down); }));
    CHECK(rec.seen.front().cause == "timeout after 200 ms");
    const auto snap = monitor.snapshot("web");
    CHECK(snap->last->reason == Reason::timeout);
    CHECK(snap->timeouts >= 1);
    CHECK(snap->last->took >= 200ms);
    CHECK(hang.requests() >= 1);
    REQUIRE_FALSE(rec.probes.empty());
    CHECK(rec.probes.front().timed_out);
    CHECK(rec.probes.front().took >= 200ms);
}

TEST_CASE("monitor: a bare tcp connect that gets no answer times out, the next ones still work",
          "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    // A listener that never accepts, its accept queue full: further SYNs are dropped.
    tcp::acceptor full(io);
    full.open(tcp::v4());
    full.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    full.listen(0);
    std::vector<tcp::socket> fillers;
    for (int i = 0; i < 4; ++i) {
        fillers.emplace_back(io).open(tcp::v4());
        fillers.back().non_blocking(true);
        const auto to = full.local_endpoint();
        (void)::connect(fillers.back().native_handle(), to.data(),
                        static_cast<socklen_t>(to.size())); // EINPROGRESS
    }
    TcpListener good(io);
    auto timing = fast(1, 1);
    timing.timeout = 200ms;
    REQUIRE(monitor.add(tcp_spec("silent", full.local_endpoint().port(), timing)));
    REQUIRE(monitor.add(tcp_spec("good", good.port(), timing)));
    REQUIRE(run_until(io, [&] { return rec.reached("silent", State::down); }));
    CHECK(monitor.snapshot("silent")->cause == "timeout after 200 ms");
    CHECK(monitor.snapshot("silent")->last->took >= 200ms);
    CHECK(monitor.snapshot("silent")->timeouts >= 1);
    // Probes of both go on after the cancelled waits.
    const auto probes = monitor.snapshot("good")->probes;
    REQUIRE(run_until(io, [&] { return monitor.snapshot("good")->probes >= probes + 3; }));
    CHECK(monitor.snapshot("good")->state == State::up);
    CHECK(monitor.snapshot("good")->failures == 0);
    REQUIRE(run_until(io, [&] { return monitor.snapshot("silent")->timeouts >= 2; }));
}

TEST_CASE("monitor: exec past its timeout is killed with its group, no zombie", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    TempDir dir("exec");
    const auto leader = dir.path() / "leader.pid";
    const auto grandchild = dir.path() / "grandchild.pid";
    ExecCheckConfig exec;
    exec.shell = true;
    exec.argv = {"sleep 30 & echo $! > " + grandchild.string() + "; echo $$ > " + leader.string() +
                 "; wait"};
    auto timing = fast(1, 1);
    timing.timeout = 300ms;
    timing.interval = 1h;
    REQUIRE(monitor.add({"slow", exec, timing}));
    REQUIRE(run_until(io, [&] { return rec.reached("slow", State::down); }));
    CHECK(rec.seen.front().cause == "timeout after 300 ms");
    const auto leader_pid = read_pid(leader);
    const auto grandchild_pid = read_pid(grandchild);
    REQUIRE(leader_pid > 0);
    REQUIRE(grandchild_pid > 0);
    // Reaped by us: gone from /proc (a zombie would remain listed). The grandchild was killed
    // too (it may linger as a zombie of PID 1 in a container without an init that reaps).
    CHECK(run_until(
        io, [&] { return !process_exists(leader_pid); }, 5s));
    CHECK(run_until(
        io,
        [&] {
            const char s = process_state(grandchild_pid);
            return s == 0 || s == 'Z';
        },
        5s));
}

TEST_CASE("monitor: destroying the monitor mid-probe kills the exec child", "[health]")
{
    asio::io_context io;
    TempDir dir("exec2");
    const auto leader = dir.path() / "leader.pid";
    {
        Monitor monitor(io.get_executor());
        ExecCheckConfig exec{{"echo $$ > " + leader.string() + "; exec sleep 30"}, true, {}, 64};
        auto timing = fast(1, 1);
        timing.timeout = 10s;
        REQUIRE(monitor.add({"slow", exec, timing}));
        REQUIRE(run_until(io, [&] { return read_pid(leader) > 0; }));
    }
    const auto pid = read_pid(leader);
    CHECK(run_until(
        io, [&] { return !process_exists(pid); }, 5s));
}

TEST_CASE("monitor: check_now probes at once, remove stops probing", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    TcpListener listener(io);
    auto timing = fast(1, 1);
    timing.interval = 1h;
    timing.fast_interval = 1h;
    timing.jitter = 1h;
    REQUIRE(monitor.add(tcp_spec("db", listener.port(), timing)));
    run_for(io, 50ms);
    CHECK(monitor.snapshot("db")->probes == 0);
    CHECK(monitor.check_now("db"));
    REQUIRE(run_until(io, [&] { return monitor.snapshot("db")->probes == 1; }));
    CHECK(monitor.snapshot("db")->state == State::up);
    CHECK_FALSE(monitor.check_now("nope"));

    CHECK(monitor.remove("db"));
    CHECK_FALSE(monitor.snapshot("db"));
    CHECK(monitor.size() == 0);
    const auto probed = rec.probes.size();
    CHECK(probed == 1);
    CHECK(monitor.add(tcp_spec("other", listener.port(), fast(1, 1)))); // the loop keeps running
    REQUIRE(run_until(io, [&] { return rec.probes.size() >= probed + 2; }));
    CHECK(std::none_of(rec.probes.begin() + static_cast<std::ptrdiff_t>(probed), rec.probes.end(),
                       [](const Probed& p) { return p.check == "db"; }));
    CHECK_FALSE(monitor.remove("db"));
}

TEST_CASE("monitor: operator disable and enable publish with their causes", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    TcpListener listener(io);
    REQUIRE(monitor.add(tcp_spec("db", listener.port(), fast(1, 1))));
    REQUIRE(run_until(io, [&] { return rec.reached("db", State::up); }));
    CHECK(monitor.disable("db", "maintenance window CHG-42"));
    REQUIRE(rec.seen.back().to == State::disabled);
    CHECK(rec.seen.back().cause == "maintenance window CHG-42");
    const auto probes = monitor.snapshot("db")->probes;
    REQUIRE(run_until(io, [&] { return monitor.snapshot("db")->probes > probes + 2; }));
    CHECK(monitor.snapshot("db")->state == State::disabled);
    CHECK(monitor.snapshot("db")->admin_disabled);
    CHECK(monitor.enable("db"));
    CHECK(rec.seen.back().to == State::init);
    CHECK(rec.seen.back().cause == "enabled by operator");
    REQUIRE(run_until(io, [&] { return monitor.snapshot("db")->state == State::up; }));
    CHECK_FALSE(monitor.disable("nope"));
}

TEST_CASE("monitor: maintenance file disables, removal lets it rise", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    TempDir dir("maint");
    const auto path = (dir.path() / "maint").string();
    write_file(path, "");
    REQUIRE(monitor.add({"maint", FileCheckConfig{path}, fast(2, 1)}));
    REQUIRE(run_until(io, [&] { return rec.reached("maint", State::disabled); }));
    CHECK(rec.seen.back().cause == "maintenance file " + path + " exists");
    std::filesystem::remove(path);
    REQUIRE(run_until(io, [&] { return rec.reached("maint", State::up); }));
    CHECK(rec.seen.back().from == State::rising);
}

TEST_CASE("monitor: replace keeps state for new timing, resets for a new probe", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    TcpListener a(io);
    TcpListener b(io);
    REQUIRE(monitor.add(tcp_spec("db", a.port(), fast(1, 1))));
    REQUIRE(run_until(io, [&] { return rec.reached("db", State::up); }));
    const auto before = rec.seen.size();

    REQUIRE(monitor.replace(tcp_spec("db", a.port(), fast(1, 1)))); // identical: nothing
    auto slower = fast(2, 5);
    slower.interval = 60ms;
    REQUIRE(monitor.replace(tcp_spec("db", a.port(), slower)));
    CHECK(monitor.snapshot("db")->state == State::up);
    CHECK(monitor.snapshot("db")->counts.fall == 5);
    CHECK(rec.seen.size() == before);

    REQUIRE(monitor.replace(tcp_spec("db", b.port(), slower)));
    REQUIRE(rec.seen.size() == before + 1);
    CHECK(rec.seen.back().from == State::up);
    CHECK(rec.seen.back().to == State::init);
    CHECK(rec.seen.back().cause == "reconfigured");
    // Up after rise (2) probes of the new port (the old one closed: only b can answer).
    a.stop();
    REQUIRE(run_until(io, [&] { return monitor.snapshot("db")->state == State::up; }));
    CHECK(monitor.snapshot("db")->probes >= 2);
    CHECK(monitor.snapshot("db")->failures == 0);

    auto bad = tcp_spec("db", 0, slower);
    CHECK(monitor.replace(bad).error() == "check \"db\": port 0");
    CHECK(monitor.snapshot("db")->state == State::up); // old one kept
}

TEST_CASE("monitor: config errors name the check", "[health]")
{
    asio::io_context io;
    Monitor monitor(io.get_executor());
    REQUIRE(monitor.add(tcp_spec("db", 9, fast(1, 1))));
    CHECK(monitor.add(tcp_spec("db", 9, fast(1, 1))).error() == "check \"db\" exists");
    auto zero = fast(1, 1);
    zero.rise = 0;
    CHECK(monitor.add(tcp_spec("x", 9, zero)).error() == "check \"x\": rise and fall must be >= 1");
    CHECK(monitor.add({"h", HaproxyRefConfig{"lb", "b:be", 1, 1}, {}}).error() ==
          "check \"h\": unknown haproxy instance \"lb\"");
    CHECK(monitor.add({"", FileCheckConfig{"/x"}, {}}).error() == "check \"\": empty name");
}

TEST_CASE("monitor: an observer may remove the check from its callback", "[health]")
{
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor());
    monitor.add_observer(rec);
    rec.also = [&](const Transition& t) { monitor.remove(t.check); };
    REQUIRE(monitor.add(tcp_spec("gone", closed_port(), fast(1, 1))));
    REQUIRE(run_until(io, [&] { return !rec.seen.empty(); }));
    run_for(io, 100ms);
    CHECK(rec.seen.size() == 1);
    CHECK(monitor.size() == 0);
}

TEST_CASE("monitor: start-up jitter spreads the first probes", "[health]")
{
    // 200 checks, first probes drawn in [0, 400 ms): when the first one has probed, most have
    // not (asserts spreading, not speed), and eventually each has probed exactly once.
    asio::io_context io;
    Recorder rec;
    Monitor monitor(io.get_executor(), {7});
    monitor.add_observer(rec);
    TcpListener listener(io);
    auto timing = fast(1, 1);
    timing.interval = 1h;
    timing.jitter = 400ms;
    for (int i = 0; i < 200; ++i) {
        REQUIRE(monitor.add(tcp_spec("c" + std::to_string(i), listener.port(), timing)));
    }
    REQUIRE(run_until(io, [&] { return !rec.probes.empty(); }));
    CHECK(rec.probes.size() < 200);
    REQUIRE(run_until(io, [&] {
        const auto all = monitor.snapshot();
        return std::all_of(all.begin(), all.end(), [](const auto& s) { return s.probes == 1; });
    }));
}
