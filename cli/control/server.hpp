// The control socket of the daemon (docs/control-protocol.md): a unix-domain stream listener
// whose clients send one JSON request per line and get one reply line each, in order, also
// when pipelined. Requests are parsed and validated here (control_protocol.hpp) and handed to
// the ControlHandler; replies may come later. Everything is asynchronous on the daemon's one
// io_context: a slow or stuck client is closed after a timeout and never blocks others, and
// at most `max_clients` are served at once. When all are taken, a new client takes the place of
// the one quiet for longest (no request in the daemon, nothing read or written for
// `evict_after`), so idle or stuck local clients cannot lock the operator out; only when every
// client is busy does the new one get an error line and is closed. A streaming request
// (`watch`) turns its connection into a feed of event lines (publish).
// Must not: interpret commands (the handler does) or block the event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "cli/control/handler.hpp"
#include "cli/control/protocol.hpp"

namespace vipd::cli {

struct ControlSocketConfig;
class Log;

/// Limits of the control server; the defaults are what the daemon uses.
struct ControlLimits
{
    std::size_t max_clients = 64; ///< connections served at once
    /// Requests of one client read but not yet answered and written; reading pauses beyond.
    std::size_t max_pending = 32;
    /// Reply bytes of one client not yet written; reading pauses beyond.
    std::size_t max_unsent = std::size_t{4} << 20;
    /// Longest line accepted; longer gets an error reply and the connection is closed.
    std::size_t max_line = max_bulk_request_bytes;
    /// A client with no request in the daemon that neither completed a request line nor
    /// read a reply for this long is closed.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
    /// A client that reads none of a pending reply for this long is closed. (A client that
    /// disconnects while a request is in the daemon is noticed when its reply is written:
    /// end of stream alone may be a half-close by a client still waiting for replies.)
    std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
    /// Event bytes of one watching client (`vipctl watch`) not yet written; beyond, the
    /// client is sent a last line saying why and closed.
    std::size_t max_watch_unsent = std::size_t{256} << 10;
    /// With `max_clients` connected, a new client evicts the client quiet for longest if it
    /// has been quiet (no request in the daemon, no complete request line, no reply bytes
    /// read) for at least this long. A client that sends its request at once is never quiet.
    std::chrono::milliseconds evict_after{100};
};

class ControlServer
{
public:
    /// `config` gives the socket path, permission bits, owner and group (copied).
    ControlServer(boost::asio::io_context& io, const ControlSocketConfig& config,
                  ControlHandler& handler, ControlLimits limits = {});
    /// Stops (see stop()).
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    /// Creates the socket and starts accepting. The socket is bound under a temporary name,
    /// given its mode/owner/group, then renamed into place, so it is never reachable with
    /// other permissions. A missing last directory is created (0755). An existing file at the
    /// path is replaced only if it is a socket nobody listens on. Errors name the path and
    /// the failing step: "control socket /run/vipd/vipd.sock: another process is listening
    /// on it (is vipd already running?)".
    [[nodiscard]] tl::expected<void, std::string> start();

    /// Stops accepting, closes every client (replies not yet sent are dropped; late Respond
    /// calls are ignored) and removes the socket file if it is still ours. Idempotent.
    void stop();

    /// Sends `event` as one line, {"event": "transition", ...event}, to every client whose
    /// streaming request (a registry row with `stream`, `watch`) was answered. Never blocks: a
    /// client with more than max_watch_unsent bytes waiting is dropped (its unsent events are
    /// replaced by {"event": "dropped", "reason": …}, then it is closed).
    void publish(const nlohmann::json& event);

    /// Where connections, refusals and timeouts are logged (component "control"); optional.
    void set_log(Log* log);

    /// Clients connected now.
    [[nodiscard]] std::size_t clients() const;
    [[nodiscard]] const std::filesystem::path& path() const;

    struct State; ///< shared with the client sessions (control_server.cpp)

private:
    std::shared_ptr<State> state_;
};

} // namespace vipd::cli
