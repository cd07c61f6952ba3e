// The HTTP status endpoint (cli/status/http_status.hpp): routing without sockets, then the server
// over a real loopback socket with a fake StatusSource: every path, HEAD, 404, 405, 400, 413, 431,
// keep-alive and pipelining, the connection cap (503), slow clients and clients that do not
// read (closed by deadline while others are served), stop() with clients connected.
// The io_context runs on a second thread; the test thread is the clients' side (blocking
// sockets with receive timeouts) and touches server state only through on_io().
#include <algorithm>
#include <cstring>
#include <future>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/status/http_status.hpp"
#include "cli/status/status_page.hpp"

namespace asio = boost::asio;
using nlohmann::json;
using vipd::cli::HttpLimits;
using vipd::cli::HttpStatusServer;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Counts calls; the test thread reads the counters only through on_io().
struct FakeSource : vipd::cli::StatusSource
{
    std::string metrics_text = "# HELP vipd_build_info x\n# TYPE vipd_build_info gauge\n"
                               "vipd_build_info{version=\"test\"} 1\n";
    bool fail = false;
    mutable int calls = 0;

    json status() const override
    {
        ++calls;
        if (fail)
            throw std::runtime_error("status exploded");
        return {{"ok", true},
                {"version", "test"},
                {"neighbors", json::array({{{"name", "rtr"}, {"state", "Established"}}})},
                {"vips", json::array()},
                {"checks", json::array()}};
    }
    std::string metrics() const override
    {
        ++calls;
        if (fail)
            throw std::runtime_error("metrics exploded");
        return metrics_text;
    }
    json recent_transitions() const override
    {
        ++calls;
        return json::array({{{"kind", "check"}, {"name", "web"}, {"to", "up"}}});
    }
};

// A started server on 127.0.0.1:<ephemeral> whose io_context runs on its own thread.
class TestServer
{
public:
    explicit TestServer(HttpLimits limits = {}, std::string metrics = {})
    {
        if (!metrics.empty())
            source_.metrics_text = std::move(metrics);
        vipd::cli::Endpoint ep{*vipd::bgp::Address::parse("127.0.0.1"), 0};
        server_ = std::make_unique<HttpStatusServer>(io_, ep, source_, limits);
        auto started = server_->start();
        if (!started)
            FAIL(started.error());
        port_ = server_->port();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~TestServer() { stop(); }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    template <typename F> auto on_io(F f)
    {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io_, [&task] { task(); });
        return result.get();
    }

    template <typename P> bool wait_until(P pred)
    {
        const auto limit = Clock::now() + 5s;
        while (Clock::now() < limit) {
            if (on_io(pred))
                return true;
            std::this_thread::sleep_for(5ms);
        }
        return false;
    }

    void stop_server()
    {
        on_io([this] { server_->stop(); });
    }
    void stop()
    {
        if (!thread_.joinable())
            return;
        stop_server();
        work_.reset();
        io_.stop();
        thread_.join();
    }

    [[nodiscard]] std::uint16_t port() const { return port_; }
    std::size_t connections()
    {
        return on_io([this] { return server_->connections(); });
    }
    int calls()
    {
        return on_io([this] { return source_.calls; });
    }
    void set_fail(bool fail)
    {
        on_io([this, fail] { source_.fail = fail; });
    }
    HttpStatusServer& server() { return *server_; }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    FakeSource source_;
    std::unique_ptr<HttpStatusServer> server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

struct Response
{
    unsigned status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
};

// A blocking loopback client; reads time out after 5 s (a test failure, never a hang).
class Client
{
public:
    explicit Client(std::uint16_t port, int rcvbuf = 0)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        if (rcvbuf > 0)
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~Client() { close(); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void close()
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

    void send(std::string_view bytes)
    {
        while (!bytes.empty()) {
            const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            REQUIRE(n > 0);
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // One response; for HEAD, no body is read whatever Content-Length says.
    std::optional<Response> response(bool head = false)
    {
        std::size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
            if (!fill())
                return std::nullopt;
        Response r;
        const std::string head_text = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        std::size_t pos = head_text.find("\r\n");
        const std::string status_line = head_text.substr(0, pos);
        REQUIRE(status_line.rfind("HTTP/1.", 0) == 0);
        r.status = static_cast<unsigned>(std::stoul(status_line.substr(9, 3)));
        while (pos != std::string::npos) {
            const auto next = head_text.find("\r\n", pos + 2);
            const auto line = head_text.substr(
                pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
            const auto colon = line.find(':');
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
            pos = next;
        }
        if (head)
            return r;
        const std::size_t length = std::stoul(r.headers.at("content-length"));
        while (buffer_.size() < length)
            if (!fill())
                return std::nullopt;
        r.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return r;
    }

    // True when the server closed the connection (EOF or reset) with no further bytes.
    bool closed_by_server()
    {
        char c;
        const auto n = ::recv(fd_, &c, 1, 0);
        return n == 0 || (n < 0 && errno == ECONNRESET);
    }

private:
    bool fill()
    {
        char chunk[65536];
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buffer_;
};

std::string get(std::string_view target, std::string_view method = "GET",
                std::string_view extra = "")
{
    return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n" +
           std::string(extra) + "\r\n";
}

Response fetch(std::uint16_t port, std::string_view target, std::string_view method = "GET")
{
    Client c(port);
    c.send(get(target, method));
    auto r = c.response(method == "HEAD");
    REQUIRE(r);
    return *r;
}

} // namespace

TEST_CASE("answer: routes, methods and errors without a socket", "[http]")
{
    FakeSource src;
    using vipd::cli::answer;

    auto page = answer("GET", "/", src);
    CHECK(page.status == 200);
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK(page.body == vipd::cli::status_page_html());
    CHECK(page.headers.at(0).first == "Content-Security-Policy");
    CHECK(answer("GET", "/index.html", src).body == page.body);

    auto status = answer("GET", "/status", src);
    CHECK(status.status == 200);
    CHECK(status.content_type == "application/json");
    CHECK(json::parse(status.body) == src.status());

    CHECK(json::parse(answer("HEAD", "/transitions", src).body) == src.recent_transitions());

    auto metrics = answer("GET", "/metrics?name[]=vipd_build_info", src);
    CHECK(metrics.status == 200);
    CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(metrics.body == src.metrics_text);

    CHECK(answer("GET", "/metrics/", src).status == 404);
    CHECK(answer("GET", "/nothing", src).status == 404);
    CHECK(answer("GET", "*", src).status == 400);
    CHECK(answer("GET", "http://localhost/metrics", src).status == 400);
    for (auto method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get", "BREW"}) {
        INFO(method);
        auto r = answer(method, "/status", src);
        CHECK(r.status == 405);
        REQUIRE(r.headers.size() == 1);
        CHECK(r.headers[0] == std::pair<std::string, std::string>("Allow", "GET, HEAD"));
    }
    src.fail = true;
    auto failed = answer("GET", "/metrics", src);
    CHECK(failed.status == 500);
    CHECK(failed.body == "internal error: metrics exploded\n");
    CHECK(answer("GET", "/", src).status == 200); // the page needs no source call
}

TEST_CASE("HttpStatusServer: GET of every path over loopback", "[http]")
{
    TestServer server;
    const auto page = fetch(server.port(), "/");
    CHECK(page.status == 200);
    CHECK(page.headers.at("content-type") == "text/html; charset=utf-8");
    CHECK(page.headers.at("content-security-policy") == vipd::cli::status_page_csp());
    CHECK(page.headers.at("cache-control") == "no-store");
    CHECK(page.headers.at("x-content-type-options") == "nosniff");
    CHECK(page.headers.at("server") == "vipd/" VIPD_VERSION);
    CHECK(page.body == vipd::cli::status_page_html());

    const auto status = fetch(server.port(), "/status");
    CHECK(status.status == 200);
    CHECK(status.headers.at("content-type") == "application/json");
    CHECK(json::parse(status.body)["neighbors"][0]["state"] == "Established");

    const auto transitions = fetch(server.port(), "/transitions");
    CHECK(json::parse(transitions.body)[0]["name"] == "web");

    const auto metrics = fetch(server.port(), "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(metrics.body == FakeSource{}.metrics_text);

    const auto missing = fetch(server.port(), "/metrics.json");
    CHECK(missing.status == 404);
    CHECK(server.calls() == 3);
}

TEST_CASE("HttpStatusServer: HEAD sends the GET headers and no body", "[http]")
{
    TestServer server;
    Client c(server.port());
    c.send(get("/metrics", "HEAD"));
    auto head = c.response(true);
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->headers.at("content-length") == std::to_string(FakeSource{}.metrics_text.size()));
    // Had a body been sent, it would now be read as the next response's status line.
    c.send(get("/status"));
    auto next = c.response();
    REQUIRE(next);
    CHECK(next->status == 200);
    CHECK(json::parse(next->body)["version"] == "test");
}

TEST_CASE("HttpStatusServer: read-only (405) and request bodies", "[http]")
{
    TestServer server;
    SECTION("POST without a body: 405 with Allow, connection kept")
    {
        Client c(server.port());
        c.send(get("/status", "POST"));
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 405);
        CHECK(r->headers.at("allow") == "GET, HEAD");
        c.send(get("/status"));
        auto next = c.response();
        REQUIRE(next);
        CHECK(next->status == 200);
    }
    SECTION("DELETE with a body: 405, connection closed, body never read")
    {
        Client c(server.port());
        c.send(get("/status", "DELETE", "Content-Length: 5\r\n") + "hello");
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 405);
        CHECK(r->headers.at("connection") == "close");
        CHECK(c.closed_by_server());
    }
    SECTION("GET with a chunked body: 413, connection closed")
    {
        Client c(server.port());
        c.send(get("/metrics", "GET", "Transfer-Encoding: chunked\r\n") +
               "5\r\nhello\r\n0\r\n\r\n");
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(c.closed_by_server());
    }
    CHECK(server.calls() <= 1); // only the GET /status of the first section
}

TEST_CASE("HttpStatusServer: malformed and oversized requests", "[http]")
{
    TestServer server({.max_header_bytes = 1024});
    SECTION("oversized header: 431 and close")
    {
        Client c(server.port());
        c.send(get("/metrics", "GET", "X-Pad: " + std::string(4000, 'a') + "\r\n"));
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 431);
        CHECK(c.closed_by_server());
    }
    SECTION("a long request line: 431")
    {
        Client c(server.port());
        c.send(get("/metrics?" + std::string(2000, 'q')));
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 431);
    }
    SECTION("not HTTP: 400 and close")
    {
        Client c(server.port());
        c.send("HELLO THERE\r\n\r\n");
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(c.closed_by_server());
    }
    SECTION("a header just under the limit is fine")
    {
        Client c(server.port());
        c.send(get("/status", "GET", "X-Pad: " + std::string(800, 'a') + "\r\n"));
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 200);
    }
    CHECK(server.wait_until([&] { return server.server().connections() == 0; }));
}

TEST_CASE("HttpStatusServer: keep-alive, pipelining, HTTP/1.0 and Connection: close", "[http]")
{
    TestServer server({.max_requests_per_connection = 3});
    SECTION("pipelined requests are answered in order")
    {
        Client c(server.port());
        c.send(get("/status") + get("/nothing") + get("/metrics", "HEAD"));
        auto a = c.response();
        auto b = c.response();
        auto d = c.response(true);
        REQUIRE((a && b && d));
        CHECK(a->status == 200);
        CHECK(b->status == 404);
        CHECK(d->status == 200);
        // The third request was the last one this connection may carry.
        CHECK(d->headers.at("connection") == "close");
        CHECK(c.closed_by_server());
    }
    SECTION("HTTP/1.0 closes after the reply")
    {
        Client c(server.port());
        c.send("GET /status HTTP/1.0\r\n\r\n");
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(c.closed_by_server());
    }
    SECTION("Connection: close is honoured")
    {
        Client c(server.port());
        c.send(get("/status", "GET", "Connection: close\r\n"));
        auto r = c.response();
        REQUIRE(r);
        CHECK(r->headers.at("connection") == "close");
        CHECK(c.closed_by_server());
    }
}

TEST_CASE("HttpStatusServer: a cap on concurrent connections", "[http]")
{
    TestServer server({.max_connections = 3});
    std::vector<std::unique_ptr<Client>> idle;
    for (int i = 0; i < 3; ++i)
        idle.push_back(std::make_unique<Client>(server.port()));
    REQUIRE(server.wait_until([&] { return server.server().connections() == 3; }));

    Client extra(server.port());
    extra.send(get("/status"));
    auto refused = extra.response();
    REQUIRE(refused);
    CHECK(refused->status == 503);
    CHECK(refused->headers.at("retry-after") == "1");
    CHECK(extra.closed_by_server());
    CHECK(server.connections() == 3);

    // A connection slot frees up: the next client is served.
    idle.front()->close();
    REQUIRE(server.wait_until([&] { return server.server().connections() == 2; }));
    CHECK(fetch(server.port(), "/status").status == 200);
    // The held connections still work.
    idle.back()->send(get("/metrics"));
    auto r = idle.back()->response();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(server.calls() == 2);
}

TEST_CASE("HttpStatusServer: slow clients are closed and never block others", "[http]")
{
    TestServer server({.request_timeout = 300ms, .write_timeout = 300ms});
    SECTION("a request header that never completes")
    {
        Client slow(server.port());
        slow.send("GET /metrics HTTP/1.1\r\nHost: local");
        // Served meanwhile.
        CHECK(fetch(server.port(), "/status").status == 200);
        CHECK(slow.closed_by_server());
    }
    SECTION("an idle keep-alive connection")
    {
        Client c(server.port());
        c.send(get("/status"));
        REQUIRE(c.response());
        CHECK(c.closed_by_server());
    }
    CHECK(server.wait_until([&] { return server.server().connections() == 0; }));
}

TEST_CASE("HttpStatusServer: a client that does not read its reply is dropped", "[http]")
{
    TestServer server({.write_timeout = 300ms}, std::string(std::size_t{32} << 20, 'm'));
    Client stuck(server.port(), 4096);
    stuck.send(get("/metrics"));
    REQUIRE(server.wait_until([&] { return server.server().connections() == 1; }));
    CHECK(fetch(server.port(), "/status").status == 200);
    CHECK(server.wait_until([&] { return server.server().connections() == 0; }));
}

TEST_CASE("HttpStatusServer: stop() closes clients and stops calling the source", "[http]")
{
    TestServer server;
    Client a(server.port());
    Client b(server.port());
    b.send("GET /status HTTP/1.1\r\n"); // half a request
    REQUIRE(server.wait_until([&] { return server.server().connections() == 2; }));
    server.stop_server();
    CHECK(a.closed_by_server());
    CHECK(b.closed_by_server());
    CHECK(server.wait_until([&] { return server.server().connections() == 0; }));
    CHECK(server.calls() == 0);
    // The listener is gone.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0);
    ::close(fd);
}

TEST_CASE("HttpStatusServer: a source that throws gives 500", "[http]")
{
    TestServer server;
    server.set_fail(true);
    const auto r = fetch(server.port(), "/metrics");
    CHECK(r.status == 500);
    CHECK(r.body == "internal error: metrics exploded\n");
    server.set_fail(false);
    CHECK(fetch(server.port(), "/metrics").status == 200);
}

TEST_CASE("HttpStatusServer: start() names the endpoint and step on failure", "[http]")
{
    TestServer first;
    asio::io_context io;
    FakeSource src;
    HttpStatusServer second(io, {*vipd::bgp::Address::parse("127.0.0.1"), first.port()}, src);
    auto r = second.start();
    REQUIRE_FALSE(r);
    CHECK(r.error() == "http-status 127.0.0.1:" + std::to_string(first.port()) +
                           ": bind: Address already in use");
}
