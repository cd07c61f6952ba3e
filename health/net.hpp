// Socket helpers shared by the tcp, http and haproxy checks: numeric address parsing, short
// error texts for causes ("connect refused"), and the load-balancer style close.
// Health checks close with SO_LINGER 0 (an RST, as HAProxy and LVS checkers do): the checker then
// keeps no TIME_WAIT entry, so thousands of probes a second do not exhaust ephemeral ports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <tl/expected.hpp>

#include "health/outcome.hpp"

namespace vipd::health {

/// A numeric IPv4/IPv6 address (no name resolution: the event loop must not block on DNS).
[[nodiscard]] tl::expected<boost::asio::ip::address, std::string>
parse_address(std::string_view text, std::string_view what);

/// Target endpoint + optional source, validated.
[[nodiscard]] tl::expected<boost::asio::ip::tcp::endpoint, std::string>
parse_endpoint(std::string_view address, std::uint16_t port);

/// Short cause for an I/O error: "connect refused", "connection reset", "connection closed"...
[[nodiscard]] std::string describe(const boost::system::error_code& ec);

/// The typed reason of an I/O error (timed_out: timeout, connection_refused: refused...).
[[nodiscard]] Reason reason_of(const boost::system::error_code& ec);

/// describe(ec) with its reason, the text prefixed by `context` ("send: broken pipe") if given.
[[nodiscard]] Failure failure(const boost::system::error_code& ec, std::string_view context = {});

/// Open `socket` for `target`'s family and bind it to `source` if given.
[[nodiscard]] boost::system::error_code
open_socket(boost::asio::ip::tcp::socket& socket, const boost::asio::ip::tcp::endpoint& target,
            const std::optional<boost::asio::ip::address>& source);

/// For a probe that sends nothing (a bare connect check): clear TCP_QUICKACK before connecting,
/// as HAProxy's checker does, so the ACK of the SYN-ACK waits for data that never comes and the
/// RST of the close goes instead. The SYN-ACK still completes the connect (the verdict is the
/// same); the service's kernel never completes the handshake, so nothing is accepted, logged or
/// torn down on its side, and the checker's kernel does less work per probe. Best effort
/// (an error leaves the ordinary handshake).
void hold_handshake_ack(int fd);

/// The bare-socket twin of ResetOnExit, for a descriptor Asio does not own (ConnectPoller).
class ResetFdOnExit
{
public:
    explicit ResetFdOnExit(int fd) : fd_(fd) {}
    ResetFdOnExit(ResetFdOnExit&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ResetFdOnExit(const ResetFdOnExit&) = delete;
    ResetFdOnExit& operator=(const ResetFdOnExit&) = delete;
    ResetFdOnExit& operator=(ResetFdOnExit&&) = delete;
    ~ResetFdOnExit();
    [[nodiscard]] int fd() const { return fd_; }

private:
    int fd_;
};

/// Closes a socket with an RST (SO_LINGER 0) when it goes out of scope, whatever the path
/// (success, failure, cancellation by the monitor's timeout).
class ResetOnExit
{
public:
    explicit ResetOnExit(boost::asio::ip::tcp::socket& socket) : socket_(socket) {}
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;
    ~ResetOnExit();

private:
    boost::asio::ip::tcp::socket& socket_;
};

} // namespace vipd::health
