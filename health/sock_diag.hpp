// The kernel's table of listening sockets, read through netlink sock_diag (NETLINK_SOCK_DIAG,
// inet_diag_req_v2 with a state filter; linux/inet_diag.h, sock_diag(7)): no connection is made.
// Request building and reply parsing are pure and bounds-checked (a malformed reply is an
// error value, never a crash); SockDiag does the I/O: one netlink socket, one dump per
// protocol and address family, answered at once by the kernel (a local table walk, not a wait).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

namespace vipd::health {

enum class SocketProtocol : std::uint8_t { tcp, udp };

/// One socket of a dump: where it is bound.
struct DiagSocket
{
    std::uint8_t family = 0; ///< AF_INET or AF_INET6
    std::uint8_t state = 0;  ///< TCP_LISTEN (10), TCP_CLOSE (7, a bound UDP socket), ...
    std::array<std::uint8_t, 16> address{}; ///< network order; the first 4 bytes for AF_INET
    std::uint16_t port = 0;                 ///< host order
    bool v6only = false;                    ///< INET_DIAG_SKV6ONLY (AF_INET6 only)
    bool operator==(const DiagSocket&) const = default;
};

/// The request of a dump of `protocol` sockets of `family` whose state is in `states` (a
/// bit mask, 1 << TCP_LISTEN...): nlmsghdr + inet_diag_req_v2, host byte order, sequence `seq`.
[[nodiscard]] std::vector<std::uint8_t> diag_request(std::uint8_t family, SocketProtocol protocol,
                                                     std::uint32_t states, std::uint32_t seq);

/// Parses one datagram of a dump reply (netlink messages, sequence `seq`), appending each
/// socket to `out`. True when the dump's NLMSG_DONE was in it. Errors name the byte offset:
/// "byte 72: message length 9000 exceeds the 144 bytes left", "kernel error: ...".
[[nodiscard]] tl::expected<bool, std::string> parse_diag_reply(std::span<const std::uint8_t> bytes,
                                                               std::uint32_t seq,
                                                               std::vector<DiagSocket>& out);

/// Whether `socket` accepts what is sent to address:port: bound to it, to the wildcard of its
/// family, or (IPv4) to the IPv6 wildcard without IPV6_V6ONLY or to the v4-mapped address.
[[nodiscard]] bool serves(const DiagSocket& socket, const boost::asio::ip::address& address,
                          std::uint16_t port);

/// A NETLINK_SOCK_DIAG socket. Not copyable; closed on destruction.
class SockDiag
{
public:
    SockDiag() = default;
    ~SockDiag();
    SockDiag(const SockDiag&) = delete;
    SockDiag& operator=(const SockDiag&) = delete;

    /// The listening sockets of `protocol` (TCP: state LISTEN; UDP: bound and unconnected)
    /// of both families. Errors: "sock_diag: socket: ...", "sock_diag: <parse error>".
    [[nodiscard]] tl::expected<std::vector<DiagSocket>, std::string>
    listening(SocketProtocol protocol);

private:
    tl::expected<void, std::string> dump(std::uint8_t family, SocketProtocol protocol,
                                         std::uint32_t states, std::vector<DiagSocket>& out);

    int fd_ = -1;
    std::uint32_t seq_ = 0;
};

} // namespace vipd::health
