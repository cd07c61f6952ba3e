// Socket helpers for health checks.
#include "health/net.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/socket_base.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vipd::health {

namespace asio = boost::asio;

tl::expected<asio::ip::address, std::string> parse_address(std::string_view text,
                                                           std::string_view what)
{
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(text), ec);
    if (ec) {
        return tl::unexpected(
            fmt::format("{} \"{}\" is not a numeric IPv4/IPv6 address", what, text));
    }
    return address;
}

tl::expected<asio::ip::tcp::endpoint, std::string> parse_endpoint(std::string_view address,
                                                                  std::uint16_t port)
{
    if (port == 0) {
        return tl::unexpected(std::string("port 0"));
    }
    auto parsed = parse_address(address, "address");
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    return asio::ip::tcp::endpoint(*parsed, port);
}

std::string describe(const boost::system::error_code& ec)
{
    if (ec == asio::error::connection_refused)
        return "connect refused";
    if (ec == asio::error::connection_reset)
        return "connection reset";
    if (ec == asio::error::eof)
        return "connection closed";
    if (ec == asio::error::host_unreachable)
        return "host unreachable";
    if (ec == asio::error::network_unreachable)
        return "network unreachable";
    if (ec == asio::error::timed_out)
        return "timed out";
    if (ec == asio::error::operation_aborted)
        return "cancelled";
    if (ec == asio::error::broken_pipe)
        return "broken pipe";
    if (ec == boost::system::errc::address_not_available)
        return "source address not available";
    return ec.message();
}

Reason reason_of(const boost::system::error_code& ec)
{
    if (ec == asio::error::connection_refused)
        return Reason::refused;
    if (ec == asio::error::connection_reset || ec == asio::error::eof ||
        ec == asio::error::broken_pipe)
        return Reason::reset;
    if (ec == asio::error::host_unreachable || ec == asio::error::network_unreachable)
        return Reason::unreachable;
    if (ec == asio::error::timed_out)
        return Reason::timeout;
    return Reason::other;
}

Failure failure(const boost::system::error_code& ec, std::string_view context)
{
    if (context.empty())
        return {reason_of(ec), describe(ec)};
    return {reason_of(ec), fmt::format("{}: {}", context, describe(ec))};
}

boost::system::error_code open_socket(asio::ip::tcp::socket& socket,
                                      const asio::ip::tcp::endpoint& target,
                                      const std::optional<asio::ip::address>& source)
{
    boost::system::error_code ec;
    socket.open(target.protocol(), ec);
    if (!ec && source) {
        socket.bind(asio::ip::tcp::endpoint(*source, 0), ec);
    }
    return ec;
}

void hold_handshake_ack(int fd)
{
    const int zero = 0;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
}

ResetFdOnExit::~ResetFdOnExit()
{
    if (fd_ < 0) {
        return;
    }
    const linger reset{1, 0};
    (void)::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd_);
}

ResetOnExit::~ResetOnExit()
{
    if (!socket_.is_open()) {
        return;
    }
    boost::system::error_code ignored;
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
}

} // namespace vipd::health
