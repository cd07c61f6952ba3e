// One TCP connection of a BGP session: a reader coroutine that frames the byte stream into whole
// messages, and a writer that sends queued bytes in as few writes as possible. It reports to its
// owner through ConnectionHandler and never interprets messages (the session and FSM do).
// Lifetime: shared_ptr; the coroutines hold a reference until they end; close() cuts the owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bgp/framer.hpp"
#include "bgp/types.hpp"
#include "bgp/wire.hpp"

namespace vipd::bgp {

using ConnectionId = std::uint64_t;

/// Address conversions between the codec's values and Asio's (IPv4-mapped IPv6 becomes IPv4).
[[nodiscard]] boost::asio::ip::address to_asio(const Address& a);
[[nodiscard]] Address from_asio(boost::asio::ip::address a);

/// Callbacks from a Connection, always on the io_context thread.
class ConnectionHandler
{
public:
    virtual ~ConnectionHandler() = default;
    /// A whole message (header included); valid only during the call.
    virtual void on_message(ConnectionId id, ByteView message) = 0;
    /// The stream has a bad header (RFC 4271 §6.1); nothing more will be read.
    virtual void on_stream_error(ConnectionId id, const DecodeError& error) = 0;
    /// The connection ended (EOF, reset, error); `reason` is readable.
    virtual void on_closed(ConnectionId id, const std::string& reason) = 0;
    /// Every queued byte has been handed to the kernel.
    virtual void on_drained(ConnectionId id) = 0;
};

class Connection : public std::enable_shared_from_this<Connection>
{
public:
    Connection(boost::asio::ip::tcp::socket socket, ConnectionId id, ConnectionHandler* handler);

    [[nodiscard]] ConnectionId id() const { return id_; }
    /// Start reading.
    void start();
    /// Queue bytes (whole messages) for writing; writing starts at once if idle.
    void send(ByteView bytes);
    /// The queue to append messages to directly; call flush() after.
    [[nodiscard]] Bytes& outbox() { return out_; }
    void flush();
    /// Bytes queued or being written.
    [[nodiscard]] std::size_t queued() const { return out_.size() + inflight_.size(); }
    /// Close once everything queued is written (for a NOTIFICATION), or after `limit` if the
    /// peer does not read. No callbacks after this call.
    void close_after_flush(std::chrono::milliseconds limit);
    /// Close now; no callbacks after this call.
    void close();
    [[nodiscard]] bool closed() const { return closed_; }
    /// Update the framer for RFC 8654 extended messages after OPEN negotiation.
    void set_extended_message(bool on) { framer_.set_extended_message(on); }

    [[nodiscard]] boost::asio::ip::tcp::socket& socket() { return socket_; }
    [[nodiscard]] std::string remote() const { return remote_; }

private:
    static boost::asio::awaitable<void> read_loop(std::shared_ptr<Connection> self);
    void start_write();
    void report_closed(const std::string& reason);

    boost::asio::ip::tcp::socket socket_;
    ConnectionId id_;
    ConnectionHandler* handler_;
    Framer framer_;
    Bytes out_;
    Bytes inflight_;
    std::unique_ptr<boost::asio::steady_timer> linger_;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
    std::string remote_;
};

} // namespace vipd::bgp
