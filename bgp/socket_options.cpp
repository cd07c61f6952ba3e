// Linux socket options for BGP sessions (see socket_options.hpp).
#include "bgp/socket_options.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace vipd::bgp {

namespace {

tl::expected<void, std::string> check(int rc, std::string_view what)
{
    if (rc == 0)
        return {};
    return tl::unexpected(fmt::format("{}: {}", what, std::strerror(errno)));
}

} // namespace

tl::expected<void, std::string> set_tcp_md5(int fd, const Address& peer, std::string_view key)
{
    tcp_md5sig sig{};
    if (key.size() > TCP_MD5SIG_MAXKEYLEN)
        return tl::unexpected(
            fmt::format("TCP MD5 key is {} octets, at most {}", key.size(), TCP_MD5SIG_MAXKEYLEN));
    if (peer.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&sig.tcpm_addr);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, peer.bytes.data(), 4);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&sig.tcpm_addr);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, peer.bytes.data(), 16);
    }
    sig.tcpm_keylen = static_cast<std::uint16_t>(key.size());
    std::memcpy(sig.tcpm_key, key.data(), key.size());
    return check(setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig), "TCP_MD5SIG");
}

tl::expected<void, std::string> set_gtsm(int fd, Afi family, std::uint8_t hops)
{
    const int min = gtsm_ttl + 1 - std::max<int>(1, hops);
    if (family == Afi::ipv4)
        return check(setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof min), "IP_MINTTL");
    return check(setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min, sizeof min),
                 "IPV6_MINHOPCOUNT");
}

tl::expected<void, std::string> set_ttl(int fd, Afi family, int ttl)
{
    if (family == Afi::ipv4)
        return check(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl), "IP_TTL");
    return check(setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl),
                 "IPV6_UNICAST_HOPS");
}

tl::expected<void, std::string> set_nodelay(int fd)
{
    const int one = 1;
    return check(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), "TCP_NODELAY");
}

} // namespace vipd::bgp
