// The HTTP status endpoint (see http_status.hpp). answer() routes a request to the
// StatusSource; the server is a thin Beast shell: an accept loop, one coroutine per connection
// (read header with a deadline, answer, write with a deadline, repeat while keep-alive), and a
// bounded drain-then-close after error replies. RFC 9110 (semantics), RFC 9112 (HTTP/1.1).
#include "cli/status/http_status.hpp"

#include <array>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "bgp/transport.hpp"
#include "cli/daemon/log.hpp"
#include "cli/status/status_page.hpp"

namespace vipd::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using nlohmann::json;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view text_type = "text/plain; charset=utf-8";
constexpr std::string_view metrics_type = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view json_type = "application/json";
/// Request bytes read and dropped after an error reply before the connection is closed.
constexpr std::size_t linger_drain_max = 64 * 1024;
constexpr auto accept_backoff = std::chrono::milliseconds(100);

HttpReply plain(unsigned status, std::string text)
{
    return {status, std::string(text_type), std::move(text) + "\n", {}};
}

std::string dump(const json& j)
{
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace

HttpReply answer(std::string_view method, std::string_view target, const StatusSource& source)
{
    // RFC 9110 §15.5.6: 405 carries Allow. This endpoint is read-only.
    if (method != "GET" && method != "HEAD") {
        auto r = plain(405, "method not allowed: this endpoint is read-only (GET, HEAD)");
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    // RFC 9112 §3.2.1: origin-form only (no proxy requests, no "*").
    if (target.empty() || target.front() != '/')
        return plain(400, "bad request target");
    const std::string_view path = target.substr(0, target.find_first_of("?#"));
    try {
        if (path == "/" || path == "/index.html") {
            HttpReply r{200, "text/html; charset=utf-8", std::string(status_page_html()), {}};
            r.headers.emplace_back("Content-Security-Policy", std::string(status_page_csp()));
            return r;
        }
        if (path == "/status")
            return {200, std::string(json_type), dump(source.status()), {}};
        if (path == "/transitions")
            return {200, std::string(json_type), dump(source.recent_transitions()), {}};
        if (path == "/metrics")
            return {200, std::string(metrics_type), source.metrics(), {}};
    } catch (const std::exception& e) {
        return plain(500, fmt::format("internal error: {}", e.what()));
    }
    return plain(404, "not found; try /, /status, /transitions or /metrics");
}

// ---- server -----------------------------------------------------------------------------------

namespace {

struct Connection
{
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
};

} // namespace

struct HttpStatusServer::State
{
    State(asio::io_context& io_in, Endpoint e, StatusSource& s, HttpLimits l)
        : io(io_in), endpoint(e), source(&s), limits(l), acceptor(io_in), backoff(io_in)
    {}

    void log(LogLevel level, std::initializer_list<Log::Field> fields) const
    {
        if (logger && logger->enabled(level))
            logger->write(level, "http", fields);
    }

    asio::io_context& io;
    Endpoint endpoint;
    StatusSource* source;
    HttpLimits limits;
    Log* logger = nullptr;
    tcp::acceptor acceptor;
    asio::steady_timer backoff; ///< pause after a failed accept (EMFILE)
    std::set<std::shared_ptr<Connection>> serving;
    std::set<std::shared_ptr<Connection>> refusing; ///< getting their 503
    std::uint64_t refused = 0;
    bool running = false;
    bool stopped = false;
};

namespace {

using StatePtr = std::shared_ptr<HttpStatusServer::State>;

/// Half-close, read and drop what the client still sends (bounded in bytes and time), close.
asio::awaitable<void> linger_close(std::shared_ptr<Connection> c, std::chrono::milliseconds limit)
{
    boost::system::error_code ignored;
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    c->stream.expires_after(limit);
    std::array<char, 4096> scratch{};
    std::size_t drained = 0;
    while (drained < linger_drain_max) {
        auto [ec, n] = co_await c->stream.async_read_some(asio::buffer(scratch), use_tuple);
        if (ec)
            break;
        drained += n;
    }
    c->stream.close();
}

/// Writes `reply` (headers only for HEAD). False when the client did not take it in time.
asio::awaitable<bool> send(std::shared_ptr<Connection> c, HttpLimits limits, HttpReply reply,
                           unsigned version, bool head, bool keep_alive)
{
    http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
    res.set(http::field::server, "vipd/" VIPD_VERSION);
    res.set(http::field::content_type, reply.content_type);
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : reply.headers)
        res.set(name, value);
    if (reply.status == 503)
        res.set(http::field::retry_after, "1");
    res.keep_alive(keep_alive);
    // RFC 9110 §9.3.2: HEAD gets the GET headers, Content-Length included, and no content.
    res.content_length(reply.body.size());
    if (!head)
        res.body() = std::move(reply.body);
    c->stream.expires_after(limits.write_timeout);
    auto [ec, n] = co_await http::async_write(c->stream, res, use_tuple);
    co_return !ec;
}

/// Which read errors deserve a reply (the request was malformed) rather than a silent close.
std::optional<HttpReply> read_error_reply(const boost::system::error_code& ec)
{
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return plain(431, "request header too large");
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
        return plain(400, fmt::format("bad request: {}", ec.message()));
    return std::nullopt;
}

asio::awaitable<void> serve(StatePtr s, std::shared_ptr<Connection> c)
{
    const HttpLimits limits = s->limits;
    beast::flat_buffer buffer(limits.max_header_bytes);
    for (std::size_t n = 1;; ++n) {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        c->stream.expires_after(limits.request_timeout);
        auto [ec, bytes] = co_await http::async_read_header(c->stream, buffer, parser, use_tuple);
        if (s->stopped)
            co_return;
        if (ec) {
            // EOF, reset, timeout: nothing to answer. A malformed request: answer, then close.
            if (auto reply = read_error_reply(ec)) {
                if (co_await send(c, limits, std::move(*reply), 11, false, false))
                    co_await linger_close(c, limits.linger_timeout);
            }
            co_return;
        }
        const auto& req = parser.get();
        const bool head = req.method() == http::verb::head;
        // Bodies are never read: a request that has one gets its answer and the connection
        // closes (RFC 9112 §9.6), GET/HEAD with content get 413.
        const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
        HttpReply reply = has_body && (req.method() == http::verb::get || head)
                              ? plain(413, "request content is not accepted")
                              : answer(req.method_string(), req.target(), *s->source);
        const bool keep_alive =
            req.keep_alive() && !has_body && n < limits.max_requests_per_connection;
        if (!co_await send(c, limits, std::move(reply), req.version(), head, keep_alive) ||
            s->stopped)
            co_return;
        if (!keep_alive) {
            if (has_body)
                co_await linger_close(c, limits.linger_timeout);
            co_return;
        }
    }
}

asio::awaitable<void> refuse(StatePtr s, std::shared_ptr<Connection> c)
{
    const HttpLimits limits = s->limits;
    auto reply = plain(503, fmt::format("too many connections (limit {})", limits.max_connections));
    if (co_await send(c, limits, std::move(reply), 11, false, false) && !s->stopped)
        co_await linger_close(c, limits.linger_timeout);
}

void spawn_connection(const StatePtr& s, tcp::socket socket, bool refused)
{
    auto c = std::make_shared<Connection>(std::move(socket));
    auto& set = refused ? s->refusing : s->serving;
    set.insert(c);
    asio::co_spawn(
        s->io, refused ? refuse(s, c) : serve(s, c), [s, c, refused](std::exception_ptr e) {
            (refused ? s->refusing : s->serving).erase(c);
            c->stream.close();
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                s->log(LogLevel::error, {{"event", "connection failed"}, {"error", ex.what()}});
            }
        });
}

asio::awaitable<void> accept_loop(StatePtr s)
{
    while (!s->stopped) {
        auto [ec, socket] = co_await s->acceptor.async_accept(use_tuple);
        if (s->stopped)
            co_return;
        if (ec) {
            // EMFILE and friends: wait instead of spinning; the listener stays open.
            s->log(LogLevel::warning, {{"event", "accept failed"}, {"error", ec.message()}});
            s->backoff.expires_after(accept_backoff);
            co_await s->backoff.async_wait(use_tuple);
            continue;
        }
        if (s->serving.size() < s->limits.max_connections) {
            spawn_connection(s, std::move(socket), false);
            continue;
        }
        // Logged at the first refusal and every 100th, so that a flood does not flood the log.
        if (++s->refused % 100 == 1)
            s->log(LogLevel::warning, {{"event", "connection refused"},
                                       {"reason", "too many connections"},
                                       {"limit", std::to_string(s->limits.max_connections)},
                                       {"refused_total", std::to_string(s->refused)}});
        // The 503s are bounded too; beyond that a client is closed without a reply.
        if (s->refusing.size() < s->limits.max_connections)
            spawn_connection(s, std::move(socket), true);
    }
}

} // namespace

HttpStatusServer::HttpStatusServer(asio::io_context& io, Endpoint endpoint, StatusSource& source,
                                   HttpLimits limits)
    : state_(std::make_shared<State>(io, endpoint, source, limits))
{}

HttpStatusServer::~HttpStatusServer()
{
    stop();
}

void HttpStatusServer::set_log(Log* log)
{
    state_->logger = log;
}

tl::expected<void, std::string> HttpStatusServer::start()
{
    auto& s = *state_;
    if (s.running || s.stopped)
        return tl::unexpected(std::string("http-status: start() after start() or stop()"));
    const tcp::endpoint ep(bgp::to_asio(s.endpoint.address), s.endpoint.port);
    boost::system::error_code ec;
    const char* step = "open";
    s.acceptor.open(ep.protocol(), ec);
    if (!ec) {
        step = "socket option";
        s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec && ep.address().is_v6())
        s.acceptor.set_option(asio::ip::v6_only(true), ec);
    if (!ec) {
        step = "bind";
        s.acceptor.bind(ep, ec);
    }
    if (!ec) {
        step = "listen";
        s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        boost::system::error_code ignored;
        s.acceptor.close(ignored);
        return tl::unexpected(
            fmt::format("http-status {}: {}: {}", to_string(s.endpoint), step, ec.message()));
    }
    s.running = true;
    auto state = state_;
    asio::co_spawn(s.io, accept_loop(state), [state](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            state->log(LogLevel::error, {{"event", "accept loop failed"}, {"error", ex.what()}});
        }
    });
    s.log(LogLevel::info,
          {{"event", "listening"}, {"address", to_string(Endpoint{s.endpoint.address, port()})}});
    return {};
}

void HttpStatusServer::stop()
{
    auto& s = *state_;
    if (s.stopped)
        return;
    s.stopped = true;
    s.running = false;
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    s.backoff.cancel();
    for (const auto* set : {&s.serving, &s.refusing})
        for (const auto& c : *set)
            c->stream.close();
}

std::uint16_t HttpStatusServer::port() const
{
    boost::system::error_code ec;
    const auto ep = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

std::size_t HttpStatusServer::connections() const
{
    return state_->serving.size();
}

} // namespace vipd::cli
