// sock_diag dumps: request, bounds-checked reply parser, and the netlink socket.
// Layouts: linux/netlink.h (nlmsghdr, NLMSG_ALIGNTO 4), linux/inet_diag.h (inet_diag_req_v2,
// inet_diag_msg, INET_DIAG_SKV6ONLY), linux/rtnetlink.h (rtattr).
#include "health/sock_diag.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vipd::health {

namespace {

constexpr std::size_t header_size = sizeof(nlmsghdr);        // 16
constexpr std::size_t diag_msg_size = sizeof(inet_diag_msg); // 72
constexpr std::size_t attr_header_size = 4;                  // struct rtattr: len, type
constexpr std::size_t recv_buffer = 64 * 1024;

static_assert(header_size == 16 && diag_msg_size == 72 && sizeof(inet_diag_req_v2) == 56);

std::size_t align4(std::size_t n)
{
    return (n + 3) & ~std::size_t{3};
}

template <class T> T load(std::span<const std::uint8_t> bytes, std::size_t at)
{
    T value{};
    std::memcpy(&value, bytes.data() + at, sizeof(T));
    return value;
}

std::uint16_t load_be16(std::span<const std::uint8_t> bytes, std::size_t at)
{
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

// inet_diag_msg and its attributes at `at` (length `len`, within bounds).
tl::expected<DiagSocket, std::string> parse_socket(std::span<const std::uint8_t> b, std::size_t at,
                                                   std::size_t len)
{
    if (len < diag_msg_size)
        return tl::unexpected(
            fmt::format("byte {}: inet_diag_msg needs {} bytes, has {}", at, diag_msg_size, len));
    DiagSocket s;
    s.family = b[at + offsetof(inet_diag_msg, idiag_family)];
    s.state = b[at + offsetof(inet_diag_msg, idiag_state)];
    const auto id = at + offsetof(inet_diag_msg, id);
    s.port = load_be16(b, id + offsetof(inet_diag_sockid, idiag_sport));
    std::memcpy(s.address.data(), b.data() + id + offsetof(inet_diag_sockid, idiag_src), 16);
    if (s.family != AF_INET && s.family != AF_INET6)
        return tl::unexpected(fmt::format("byte {}: address family {}", at, s.family));
    for (std::size_t a = diag_msg_size; a + attr_header_size <= len;) {
        const auto attr_len = load<std::uint16_t>(b, at + a);
        const auto type = load<std::uint16_t>(b, at + a + 2);
        if (attr_len < attr_header_size || attr_len > len - a)
            return tl::unexpected(
                fmt::format("byte {}: attribute length {} out of bounds", at + a, attr_len));
        if (type == INET_DIAG_SKV6ONLY && attr_len > attr_header_size)
            s.v6only = b[at + a + attr_header_size] != 0;
        a += align4(attr_len);
    }
    return s;
}

} // namespace

std::vector<std::uint8_t> diag_request(std::uint8_t family, SocketProtocol protocol,
                                       std::uint32_t states, std::uint32_t seq)
{
    struct
    {
        nlmsghdr header;
        inet_diag_req_v2 request;
    } message{};
    message.header.nlmsg_len = sizeof(message);
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    message.header.nlmsg_seq = seq;
    message.request.sdiag_family = family;
    message.request.sdiag_protocol = protocol == SocketProtocol::tcp ? IPPROTO_TCP : IPPROTO_UDP;
    message.request.idiag_states = states;
    std::vector<std::uint8_t> out(sizeof(message));
    std::memcpy(out.data(), &message, sizeof(message));
    return out;
}

tl::expected<bool, std::string> parse_diag_reply(std::span<const std::uint8_t> b, std::uint32_t seq,
                                                 std::vector<DiagSocket>& out)
{
    std::size_t at = 0;
    while (at < b.size()) {
        if (b.size() - at < header_size)
            return tl::unexpected(fmt::format("byte {}: {} bytes left, a netlink header needs {}",
                                              at, b.size() - at, header_size));
        const auto h = load<nlmsghdr>(b, at);
        if (h.nlmsg_len < header_size || h.nlmsg_len > b.size() - at)
            return tl::unexpected(fmt::format("byte {}: message length {} out of bounds ({} left)",
                                              at, h.nlmsg_len, b.size() - at));
        if (h.nlmsg_seq != seq)
            return tl::unexpected(
                fmt::format("byte {}: sequence {}, expected {}", at, h.nlmsg_seq, seq));
        const auto body = at + header_size;
        const auto body_len = h.nlmsg_len - header_size;
        if (h.nlmsg_type == NLMSG_DONE)
            return true;
        if (h.nlmsg_type == NLMSG_ERROR) {
            if (body_len < sizeof(int))
                return tl::unexpected(fmt::format("byte {}: truncated NLMSG_ERROR", at));
            const int err = load<int>(b, body);
            if (err != 0)
                return tl::unexpected(fmt::format("kernel error: {}", std::strerror(-err)));
        } else if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            auto s = parse_socket(b, body, body_len);
            if (!s)
                return tl::unexpected(s.error());
            out.push_back(*s);
        }
        at += std::min(align4(h.nlmsg_len), b.size() - at);
    }
    return false;
}

bool serves(const DiagSocket& s, const boost::asio::ip::address& address, std::uint16_t port)
{
    if (s.port != port)
        return false;
    constexpr std::array<std::uint8_t, 16> zero{};
    if (address.is_v6()) {
        const auto want = address.to_v6().to_bytes();
        return s.family == AF_INET6 &&
               (s.address == zero || std::equal(want.begin(), want.end(), s.address.begin()));
    }
    const auto want = address.to_v4().to_bytes();
    if (s.family == AF_INET)
        return std::equal(want.begin(), want.end(), s.address.begin()) ||
               std::equal(zero.begin(), zero.begin() + 4, s.address.begin());
    if (s.address == zero)
        return !s.v6only;
    const std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(mapped.begin(), mapped.end(), s.address.begin()) &&
           std::equal(want.begin(), want.end(), s.address.begin() + 12);
}

SockDiag::~SockDiag()
{
    if (fd_ >= 0)
        ::close(fd_);
}

tl::expected<void, std::string> SockDiag::dump(std::uint8_t family, SocketProtocol protocol,
                                               std::uint32_t states, std::vector<DiagSocket>& out)
{
    const auto seq = ++seq_;
    const auto request = diag_request(family, protocol, states, seq);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof(kernel)) < 0)
        return tl::unexpected(fmt::format("send: {}", std::strerror(errno)));
    std::vector<std::uint8_t> buffer(recv_buffer);
    for (;;) {
        const auto n = ::recv(fd_, buffer.data(), buffer.size(), MSG_TRUNC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return tl::unexpected(fmt::format("recv: {}", std::strerror(errno)));
        if (static_cast<std::size_t>(n) > buffer.size())
            return tl::unexpected(fmt::format("reply of {} bytes truncated", n));
        auto done =
            parse_diag_reply(std::span(buffer.data(), static_cast<std::size_t>(n)), seq, out);
        if (!done)
            return tl::unexpected(done.error());
        if (*done)
            return {};
    }
}

tl::expected<std::vector<DiagSocket>, std::string> SockDiag::listening(SocketProtocol protocol)
{
    if (fd_ < 0) {
        fd_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd_ < 0)
            return tl::unexpected(fmt::format("sock_diag: socket: {}", std::strerror(errno)));
        // The kernel answers a dump at once; this bound only guards the event loop.
        const timeval bound{0, 200'000};
        (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
    }
    // TCP_LISTEN (10); a bound, unconnected UDP socket is in TCP_CLOSE (7).
    const std::uint32_t states = protocol == SocketProtocol::tcp ? 1U << 10 : 1U << 7;
    std::vector<DiagSocket> sockets;
    for (const std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
        if (auto ok = dump(family, protocol, states, sockets); !ok) {
            ::close(fd_); // a fresh socket next time: no stale reply parts
            fd_ = -1;
            return tl::unexpected(fmt::format("sock_diag: {}", ok.error()));
        }
    }
    return sockets;
}

} // namespace vipd::health
