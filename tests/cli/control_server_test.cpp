// Control server over a real unix socket in a temporary directory, with a fake ControlHandler:
// socket creation (mode, group, stale and live sockets), pipelined and deferred replies in
// order, malformed and oversized lines, the client cap, a client that never reads, idle
// timeouts, half-closed clients, handler mistakes, stop with requests in flight.
// The io_context runs on a second thread; the test thread is the clients' side and touches
// server state only through on_io().
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/config/config.hpp"
#include "cli/control/client.hpp"
#include "cli/control/server.hpp"

namespace asio = boost::asio;
namespace fs = std::filesystem;
using nlohmann::json;
using vipd::cli::ControlClient;
using vipd::cli::ControlLimits;
using vipd::cli::Respond;

namespace {

using Clock = std::chrono::steady_clock;

ControlClient::Deadline within(std::chrono::milliseconds ms = std::chrono::seconds(5))
{
    return Clock::now() + ms;
}

// Answers by command; see the cases below. Touched only on the io thread.
struct FakeHandler : vipd::cli::ControlHandler
{
    std::vector<std::string> seen;
    std::map<std::string, Respond> deferred; // check-now: answered by the test

    void handle(const std::string& command, const json& args, Respond respond) override
    {
        seen.push_back(command);
        if (command == "version") {
            respond({{"ok", true}, {"version", "test"}});
        } else if (command == "check-now") {
            deferred[args["check"].get<std::string>()] = std::move(respond);
        } else if (command == "routes") {
            const bool big = args.value("neighbor", "") == "big";
            respond({{"ok", true},
                     {"routes", json::array()},
                     {"pad", std::string(big ? std::size_t{2} << 20 : 0, 'r')}});
        } else if (command == "announce" || command == "withdraw") {
            respond({{"ok", true},
                     {"results", {{"r1", "written"}}},
                     {"count", args["prefixes"].size()}});
        } else if (command == "explain") {
            const std::string vip = args["vip"];
            if (vip == "throw")
                throw std::runtime_error("boom");
            if (vip == "twice") {
                respond({{"ok", true}, {"n", 1}});
                respond({{"ok", true}, {"n", 2}});
            } else if (vip == "bad") {
                respond(json::array());
            } else {
                respond({{"ok", false}, {"error", "no VIP named \"" + vip + "\""}});
            }
        } else {
            respond({{"ok", true}});
        }
    }
};

fs::path make_temp_dir()
{
    static std::atomic<int> counter{0};
    const fs::path dir = fs::temp_directory_path() / ("vipd-control-" + std::to_string(::getpid()) +
                                                      "-" + std::to_string(++counter));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

vipd::cli::ControlSocketConfig socket_config(const fs::path& path, std::uint32_t mode = 0660,
                                             std::string group = {})
{
    vipd::cli::ControlSocketConfig c;
    c.path = path;
    c.mode = mode;
    c.group = std::move(group);
    return c;
}

// A started server whose io_context runs on its own thread.
class TestServer
{
public:
    explicit TestServer(ControlLimits limits = {}, std::uint32_t mode = 0660,
                        std::string group = {})
        : dir_(make_temp_dir()), path_(dir_ / "vipd.sock"),
          server_(std::make_unique<vipd::cli::ControlServer>(
              io_, socket_config(path_, mode, std::move(group)), handler_, limits))
    {
        auto started = server_->start();
        if (!started)
            FAIL(started.error());
        thread_ = std::thread([this] { io_.run(); });
    }
    ~TestServer()
    {
        stop();
        fs::remove_all(dir_);
    }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    // Runs `f` on the io thread and returns its result.
    template <typename F> auto on_io(F f)
    {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io_, [&task] { task(); });
        return result.get();
    }

    void stop()
    {
        if (!thread_.joinable())
            return;
        on_io([this] { server_->stop(); });
        work_.reset();
        io_.stop();
        thread_.join();
    }

    // Polls `pred` on the io thread until true (`patience` at most).
    template <typename P>
    bool wait_until(P pred, std::chrono::seconds patience = std::chrono::seconds(5))
    {
        const auto limit = Clock::now() + patience;
        while (Clock::now() < limit) {
            if (on_io(pred))
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }

    ControlClient connect()
    {
        auto c = ControlClient::connect(path_, within());
        if (!c)
            FAIL(c.error().message);
        return std::move(*c);
    }

    [[nodiscard]] std::size_t clients()
    {
        return on_io([this] { return server_->clients(); });
    }
    /// Only inside on_io()/wait_until().
    vipd::cli::ControlServer& server() { return *server_; }
    [[nodiscard]] const fs::path& path() const { return path_; }
    FakeHandler& handler() { return handler_; }

private:
    fs::path dir_;
    fs::path path_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    FakeHandler handler_;
    std::unique_ptr<vipd::cli::ControlServer> server_;
    std::thread thread_;
};

// A raw connected socket (for clients that misbehave).
int raw_connect(const fs::path& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

void raw_send(int fd, const std::string& data)
{
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        REQUIRE(n > 0);
        sent += static_cast<std::size_t>(n);
    }
}

json call(ControlClient& c, const std::string& line)
{
    REQUIRE(c.send_line(line, within()));
    auto reply = c.read_reply(within());
    if (!reply)
        FAIL(reply.error().message);
    return *reply;
}

} // namespace

TEST_CASE("control server: socket file mode, group, and removal on stop", "[cli][control]")
{
    {
        TestServer s;
        struct stat st = {};
        REQUIRE(::stat(s.path().c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 07777) == 0660);
        // No temporary name is left behind.
        std::size_t files = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(s.path().parent_path()))
            ++files;
        CHECK(files == 1);
        s.stop();
        CHECK_FALSE(fs::exists(s.path()));
    }
    {
        TestServer s({}, 0600, std::to_string(::getgid()));
        struct stat st = {};
        REQUIRE(::stat(s.path().c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
        CHECK(st.st_gid == ::getgid());
        auto c = s.connect();
        CHECK(c.call("version", json::object(), within()).value()["version"] == "test");
    }
}

TEST_CASE("control server: start refuses what it must not replace", "[cli][control]")
{
    asio::io_context io;
    FakeHandler handler;
    const fs::path dir = make_temp_dir();
    const fs::path path = dir / "vipd.sock";
    const auto start_error = [&](const vipd::cli::ControlSocketConfig& cfg) {
        vipd::cli::ControlServer server(io, cfg, handler);
        auto r = server.start();
        REQUIRE_FALSE(r);
        return r.error();
    };

    std::ofstream(path) << "not a socket";
    CHECK(start_error(socket_config(path)) ==
          "control socket " + path.string() + ": exists and is not a socket; not replacing it");
    fs::remove(path);

    // A live listener (another vipd) is left alone.
    const int live = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(live, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(live, 4) == 0);
    CHECK(start_error(socket_config(path)) ==
          "control socket " + path.string() +
              ": another process is listening on it (is vipd already running?)");
    // Once it stops listening the file is stale and is replaced.
    ::close(live);
    REQUIRE(fs::exists(path));
    {
        vipd::cli::ControlServer server(io, socket_config(path), handler);
        REQUIRE(server.start());
        CHECK(ControlClient::connect(path, within()).has_value());
        server.stop();
    }

    auto owner = socket_config(path);
    owner.owner = "no-such-user-vipd-test";
    CHECK(start_error(owner) ==
          "control socket " + path.string() + ": owner \"no-such-user-vipd-test\" does not exist");
    const fs::path long_path = dir / std::string(120, 'x');
    CHECK(start_error(socket_config(long_path)).ends_with("unix sockets allow 107"));
    fs::remove_all(dir);
}

TEST_CASE("control server: pipelined requests are answered in order", "[cli][control]")
{
    TestServer s;
    auto c = s.connect();
    REQUIRE(c.send_line(R"({"command":"version","id":1})"
                        "\n"
                        R"({"command":"check-now","args":{"check":"A"},"id":2})"
                        "\n"
                        R"({"command":"version","id":3})",
                        within()));
    auto first = c.read_reply(within());
    REQUIRE(first);
    CHECK((*first)["id"] == 1);
    // Request 3 is answered already, but waits behind the deferred request 2.
    REQUIRE(s.wait_until([&] { return s.handler().seen.size() == 3; }));
    auto early = c.read_reply(within(std::chrono::milliseconds(100)));
    REQUIRE_FALSE(early);
    CHECK(early.error().kind == vipd::cli::ClientError::Kind::timeout);
    s.on_io([&] {
        s.handler().deferred["A"]({{"ok", true}, {"check", {{"name", "A"}}}});
        return 0;
    });
    auto second = c.read_reply(within());
    auto third = c.read_reply(within());
    REQUIRE(second);
    REQUIRE(third);
    CHECK((*second)["id"] == 2);
    CHECK((*second)["check"]["name"] == "A");
    CHECK((*third)["id"] == 3);
    CHECK((*third)["version"] == "test");
}

TEST_CASE("control server: bad lines get an error and the connection goes on", "[cli][control]")
{
    TestServer s;
    auto c = s.connect();
    json bad = call(c, "{\"command\": \"status\"");
    CHECK(bad["ok"] == false);
    CHECK(bad["error"].get<std::string>().starts_with("malformed JSON: "));
    CHECK_FALSE(bad.contains("id"));
    json unknown = call(c, R"({"command":"frobnicate","id":"x"})");
    CHECK(unknown["ok"] == false);
    CHECK(unknown["id"] == "x");
    CHECK(unknown["error"].get<std::string>().starts_with("unknown command \"frobnicate\""));
    json wrong = call(c, R"({"command":"announce","args":{"prefixes":["192.0.2.0/33"]}})");
    CHECK(wrong["error"] == "announce: prefixes[0]: \"192.0.2.0/33\": prefix length 33 exceeds 32");
    // Blank lines and CRLF endings are accepted.
    json crlf = call(c, "\n  \n{\"command\":\"version\",\"id\":5}\r");
    CHECK(crlf == json{{"ok", true}, {"version", "test"}, {"id", 5}});
    // The handler saw only the valid request.
    CHECK(s.on_io([&] { return s.handler().seen; }) == std::vector<std::string>{"version"});
}

TEST_CASE("control server: request sizes", "[cli][control]")
{
    TestServer s;
    auto c = s.connect();
    // 1.5 MiB status: refused with the limit named; the connection stays usable.
    json status = {{"command", "status"}, {"id", std::string(1536 * 1024, 'x')}};
    json big = call(c, status.dump());
    CHECK(big["ok"] == false);
    CHECK(big["error"].get<std::string>().find("the limit is 1048576 bytes") != std::string::npos);
    // 100,000 prefixes in one announce.
    json prefixes = json::array();
    for (std::uint32_t i = 0; i < 100'000; ++i)
        prefixes.push_back(fmt::format("{}.{}.{}.0/24", 11 + (i >> 16), i >> 8 & 0xff, i & 0xff));
    json announce = {{"command", "announce"}, {"args", {{"prefixes", prefixes}}}};
    json ok = call(c, announce.dump());
    CHECK(ok["ok"] == true);
    CHECK(ok["count"] == 100'000);

    // More than 16 MiB without a newline: an error reply, then the server closes.
    const int fd = raw_connect(s.path());
    raw_send(fd, std::string(vipd::cli::max_bulk_request_bytes + 100'000, 'x'));
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
        got.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    REQUIRE_FALSE(got.empty());
    CHECK(got.back() == '\n');
    const json refused = json::parse(got);
    CHECK(refused["ok"] == false);
    CHECK(
        refused["error"].get<std::string>().starts_with("request line longer than 16777216 bytes"));
    // Others were not disturbed.
    CHECK(call(c, R"({"command":"version"})")["ok"] == true);
}

TEST_CASE("control server: at most max_clients, others are told why", "[cli][control]")
{
    ControlLimits limits;                       // default limit: 64
    limits.evict_after = std::chrono::hours(1); // none of them quiet long enough to be evicted
    TestServer s(limits);
    std::vector<ControlClient> clients;
    for (int i = 0; i < 64; ++i) {
        clients.push_back(s.connect());
        CHECK(call(clients.back(), R"({"command":"version"})")["ok"] == true);
    }
    CHECK(s.clients() == 64);
    auto extra = s.connect();
    auto refused = extra.call("version", json::object(), within());
    REQUIRE(refused);
    CHECK(*refused == json{{"ok", false},
                           {"error", "too many control clients (64 connected, the limit); try "
                                     "again later"}});
    // When one leaves, a new client is served.
    clients.pop_back();
    REQUIRE(s.wait_until([&] { return s.server().clients() == 63; }));
    auto next = s.connect();
    CHECK(call(next, R"({"command":"version"})")["ok"] == true);
}

TEST_CASE("control server: idle clients cannot lock the operator out", "[cli][control]")
{
    ControlLimits limits;
    limits.max_clients = 8;
    limits.evict_after = std::chrono::milliseconds(0); // every quiet client may be evicted
    TestServer s(limits);
    // A client whose request is in the daemon is never evicted.
    auto waiting = s.connect();
    REQUIRE(waiting.send_line(R"({"command":"check-now","args":{"check":"web"}})", within()));
    REQUIRE(s.wait_until([&] { return s.handler().deferred.count("web") == 1; }));
    // Seven that connect and never send anything (the first is the oldest).
    std::vector<int> idle;
    for (int i = 0; i < 7; ++i) {
        idle.push_back(raw_connect(s.path()));
        REQUIRE(s.wait_until([&] { return s.server().clients() == std::size_t(i) + 2; }));
    }
    // The limit is reached; the operator is served in the place of the oldest idle client.
    for (int round = 0; round < 3; ++round) {
        auto op = s.connect();
        CHECK(call(op, R"({"command":"version"})")["version"] == "test");
    }
    char byte = 0;
    CHECK(::recv(idle.front(), &byte, 1, 0) == 0); // closed by the server: end of stream
    // The waiting client was kept: its reply still arrives.
    s.on_io([&] {
        s.handler().deferred.at("web")({{"ok", true}});
        return true;
    });
    auto reply = waiting.read_reply(within());
    REQUIRE(reply);
    CHECK((*reply)["ok"] == true);
    for (int fd : idle)
        ::close(fd);
}

TEST_CASE("control server: a client that never reads does not block others", "[cli][control]")
{
    ControlLimits limits;
    limits.write_timeout = std::chrono::seconds(3);
    TestServer s(limits);
    // 20 requests for 2 MiB replies each, never read: the server's writes stall.
    const int stuck = raw_connect(s.path());
    std::string lines;
    for (int i = 0; i < 20; ++i)
        lines += R"({"command":"routes","args":{"neighbor":"big"}})"
                 "\n";
    raw_send(stuck, lines);
    REQUIRE(s.wait_until([&] { return s.handler().seen.size() >= 2; }));
    // Reading paused at the unsent-bytes limit: not every request reached the handler.
    CHECK(s.on_io([&] { return s.handler().seen.size(); }) < 20);

    // Another client is served while the stuck one is still connected with its writes
    // pending (its write timeout has not passed yet).
    auto other = s.connect();
    CHECK(call(other, R"({"command":"version"})")["version"] == "test");
    CHECK(s.clients() == 2);

    // The stuck client is closed after the write timeout; the other one stays.
    REQUIRE(s.wait_until([&] { return s.server().clients() == 1; }, std::chrono::seconds(10)));
    CHECK(call(other, R"({"command":"version"})")["ok"] == true);
    ::close(stuck);
}

TEST_CASE("control server: idle clients are closed", "[cli][control]")
{
    ControlLimits limits;
    limits.idle_timeout = std::chrono::milliseconds(200);
    TestServer s(limits);
    auto quiet = s.connect();
    auto partial = s.connect();
    REQUIRE(partial.send_line("", within())); // a blank line is not a request
    const int slow = raw_connect(s.path());
    raw_send(slow, R"({"command":)"); // half a request, never finished
    // A request in the handler is not idle, however long it takes.
    auto waiting = s.connect();
    REQUIRE(waiting.send_line(R"({"command":"check-now","args":{"check":"slow"}})", within()));
    REQUIRE(s.wait_until([&] { return s.handler().deferred.contains("slow"); }));

    auto eof = quiet.read_reply(within());
    REQUIRE_FALSE(eof);
    CHECK(eof.error().kind == vipd::cli::ClientError::Kind::io);
    CHECK_FALSE(partial.read_reply(within()));
    char byte = 0;
    CHECK(::recv(slow, &byte, 1, 0) == 0);
    ::close(slow);
    REQUIRE(s.wait_until([&] { return s.server().clients() == 1; }));
    s.on_io([&] {
        s.handler().deferred["slow"]({{"ok", true}});
        return 0;
    });
    auto late = waiting.read_reply(within());
    REQUIRE(late);
    CHECK((*late)["ok"] == true);
}

TEST_CASE("control server: a half-closed client still gets its replies", "[cli][control]")
{
    TestServer s;
    const int fd = raw_connect(s.path());
    // The last request has no newline: end of stream ends it.
    raw_send(fd, R"({"command":"version","id":1})"
                 "\n"
                 R"({"command":"version","id":2})");
    REQUIRE(::shutdown(fd, SHUT_WR) == 0);
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
        got.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    CHECK(got == R"({"id":1,"ok":true,"version":"test"})"
                 "\n"
                 R"({"id":2,"ok":true,"version":"test"})"
                 "\n");
}

TEST_CASE("control server: handler mistakes become error replies", "[cli][control]")
{
    TestServer s;
    auto c = s.connect();
    CHECK(call(c, R"({"command":"explain","args":{"vip":"throw"}})") ==
          json{{"ok", false}, {"error", "internal error in explain: boom"}});
    CHECK(call(c, R"({"command":"explain","args":{"vip":"bad"},"id":3})") ==
          json{{"ok", false},
               {"error", "internal error: the daemon's reply has no boolean \"ok\""},
               {"id", 3}});
    // Respond called twice: the first reply counts, the second is dropped.
    CHECK(call(c, R"({"command":"explain","args":{"vip":"twice"}})") ==
          json{{"ok", true}, {"n", 1}});
    CHECK(call(c, R"({"command":"explain","args":{"vip":"web"}})") ==
          json{{"ok", false}, {"error", "no VIP named \"web\""}});
}

TEST_CASE("control server: late replies after the client left or the server stopped",
          "[cli][control]")
{
    TestServer s;
    {
        auto gone = s.connect();
        REQUIRE(gone.send_line(R"({"command":"check-now","args":{"check":"A"}})", within()));
        REQUIRE(s.wait_until([&] { return s.handler().deferred.contains("A"); }));
    }
    // The session learns that the client is gone when it writes the reply (a half-closed
    // client would still read it), then closes.
    s.on_io([&] {
        s.handler().deferred["A"]({{"ok", true}});
        return 0;
    });
    REQUIRE(s.wait_until([&] { return s.server().clients() == 0; }));
    auto pending = s.connect();
    REQUIRE(pending.send_line(R"({"command":"check-now","args":{"check":"B"}})", within()));
    REQUIRE(s.wait_until([&] { return s.handler().deferred.contains("B"); }));
    s.on_io([&] {
        s.server().stop();
        s.handler().deferred["B"]({{"ok", true}}); // ignored: the server stopped
        return 0;
    });
    auto closed = pending.read_reply(within());
    REQUIRE_FALSE(closed);
    CHECK(closed.error().kind == vipd::cli::ClientError::Kind::io);
    CHECK_FALSE(fs::exists(s.path()));
    CHECK_FALSE(ControlClient::connect(s.path(), within()));
}

TEST_CASE("control client: connect errors name the socket and the errno text", "[cli][control]")
{
    const fs::path dir = make_temp_dir();
    auto missing = ControlClient::connect(dir / "none.sock", within());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == vipd::cli::ClientError::Kind::connect);
    CHECK(missing.error().message ==
          "cannot connect to " + (dir / "none.sock").string() +
              ": No such file or directory (is vipd running? give the socket with -s or "
              "$VIPD_SOCKET)");
    // A stale socket file: nothing listens.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, (dir / "stale.sock").c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
    auto stale = ControlClient::connect(dir / "stale.sock", within());
    REQUIRE_FALSE(stale);
    CHECK(stale.error().message.ends_with(
        ": Connection refused (nothing listens on it: vipd is not running)"));
    fs::remove_all(dir);
}

TEST_CASE("control server: watch streams published events after its reply", "[cli][control]")
{
    ControlLimits limits;
    limits.idle_timeout = std::chrono::milliseconds(200);
    TestServer s(limits);
    auto watcher = s.connect();
    auto idle = s.connect();
    CHECK(call(watcher, R"({"command":"watch","id":1})") == json({{"ok", true}, {"id", 1}}));
    REQUIRE(s.wait_until([&] { return s.handler().seen.size() == 1; }));
    // An idle client is closed; a watcher waiting for events is not idle.
    REQUIRE(s.wait_until([&] { return s.server().clients() == 1; }));
    s.on_io([&] {
        s.server().publish({{"kind", "vip"}, {"name", "web"}, {"from", "a"}, {"to", "b"}});
        return 0;
    });
    auto event = watcher.read_reply(within());
    REQUIRE(event);
    CHECK(*event == json({{"event", "transition"},
                          {"kind", "vip"},
                          {"name", "web"},
                          {"from", "a"},
                          {"to", "b"}}));
    // Further request lines on a watching connection are not requests.
    REQUIRE(watcher.send_line(R"({"command":"version"})", within()));
    s.on_io([&] {
        s.server().publish({{"kind", "check"}});
        return 0;
    });
    event = watcher.read_reply(within());
    REQUIRE(event);
    CHECK((*event)["kind"] == "check");
    CHECK(s.on_io([&] { return s.handler().seen.size(); }) == 1);
    auto closed_idle = idle.read_reply(within());
    CHECK_FALSE(closed_idle);
}

TEST_CASE("control server: a watcher that does not read is dropped with a last line",
          "[cli][control]")
{
    ControlLimits limits;
    limits.max_watch_unsent = 4096;
    TestServer s(limits);
    auto other = s.connect();
    const int slow = raw_connect(s.path());
    raw_send(slow, "{\"command\":\"watch\"}\n");
    REQUIRE(s.wait_until([&] { return s.handler().seen.size() == 1; }));
    // Published in one go on the io thread: nothing is written in between, so the bytes
    // waiting pass the limit whatever the socket buffer holds.
    s.on_io([&] {
        for (int i = 0; i < 1000; ++i)
            s.server().publish({{"kind", "check"}, {"name", "c" + std::to_string(i)}});
        return 0;
    });
    std::string got;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(slow, buf, sizeof buf);
        if (n <= 0)
            break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(slow);
    REQUIRE(got.ends_with("\n"));
    got.pop_back();
    const auto last = json::parse(got.substr(got.rfind('\n') + 1));
    CHECK(last["event"] == "dropped");
    CHECK(last["reason"].get<std::string>().find("more than 4096 bytes") != std::string::npos);
    CHECK(got.size() < 8192); // the events beyond the limit were not sent
    CHECK(call(other, R"({"command":"version"})")["ok"] == true);
}
