// The read-only HTTP status endpoint (docs/http-status.md): GET/HEAD of "/" (status page),
// "/status" (the control "status" reply as JSON), "/transitions" (recent transitions) and
// "/metrics" (Prometheus text). Off unless the configuration sets "http-status". Everything is
// asynchronous on the daemon's one io_context: request headers are bounded in size, every read
// and write has a deadline (a slow client is closed, never waited for), and at most
// `max_connections` clients are served at once (others get 503). HTTP/1.1 keep-alive.
// Must not: change daemon state, keep state of its own beyond connections (the daemon answers
// through StatusSource), read request bodies, or block the event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "cli/config/config.hpp"

namespace vipd::cli {

class Log;

/// What the daemon shows over HTTP; called on the io_context thread, once per request.
class StatusSource
{
public:
    virtual ~StatusSource() = default;
    /// The control command "status" reply ({"ok","version","neighbors","vips","checks"}).
    [[nodiscard]] virtual nlohmann::json status() const = 0;
    /// Prometheus text exposition (render_metrics, metrics.hpp).
    [[nodiscard]] virtual std::string metrics() const = 0;
    /// Newest first: [{"time","kind","name","from","to","cause"}] (MetricsRecorder).
    [[nodiscard]] virtual nlohmann::json recent_transitions() const = 0;
};

/// One reply, before HTTP framing. For HEAD the server sends the headers of the GET reply
/// (Content-Length included) without the body.
struct HttpReply
{
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; ///< extra: Allow, CSP
};

/// Routes one request; pure apart from calling `source`. 405 (with Allow) for any method but
/// GET/HEAD, 400 for a target that is not an absolute path, 404 for unknown paths (the query
/// string is ignored), 500 if `source` throws.
[[nodiscard]] HttpReply answer(std::string_view method, std::string_view target,
                               const StatusSource& source);

/// Limits of the HTTP server; the defaults are what the daemon uses.
struct HttpLimits
{
    std::size_t max_connections = 32;        ///< clients served at once; more get 503
    std::size_t max_header_bytes = 8 * 1024; ///< request line + headers; more gets 431
    std::size_t max_requests_per_connection = 1000;
    /// To receive one whole request header, and the keep-alive idle time between requests.
    std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
    /// To send one reply (a client that does not read is closed).
    std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};
    /// After an error reply: how long unread request bytes are drained before closing, so that
    /// the client reads the reply instead of a reset.
    std::chrono::milliseconds linger_timeout{std::chrono::seconds(1)};
};

class HttpStatusServer
{
public:
    /// `source` must outlive the server or its stop().
    HttpStatusServer(boost::asio::io_context& io, Endpoint endpoint, StatusSource& source,
                     HttpLimits limits = {});
    /// Stops (see stop()).
    ~HttpStatusServer();
    HttpStatusServer(const HttpStatusServer&) = delete;
    HttpStatusServer& operator=(const HttpStatusServer&) = delete;

    /// Binds and starts accepting. Error text names the endpoint and the step:
    /// "http-status 127.0.0.1:9179: bind: Address already in use". Port 0 picks a free port.
    [[nodiscard]] tl::expected<void, std::string> start();
    /// Stops accepting and closes every connection; no StatusSource call happens afterwards.
    /// Idempotent.
    void stop();
    /// Where accept errors, refusals and failures are logged (component "http"); optional.
    void set_log(Log* log);

    /// The bound port (after start()), e.g. when configured with port 0.
    [[nodiscard]] std::uint16_t port() const;
    /// Connections being served now (refused ones not included).
    [[nodiscard]] std::size_t connections() const;

    struct State; ///< shared with the connection coroutines (http_status.cpp)

private:
    std::shared_ptr<State> state_;
};

} // namespace vipd::cli
