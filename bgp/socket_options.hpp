// Per-neighbor TCP socket options on Linux: TCP MD5 signatures (RFC 2385), GTSM (RFC 5082:
// IP_MINTTL / IPV6_MINHOPCOUNT), outgoing TTL / hop limit (eBGP multihop), TCP_NODELAY.
// Thin wrappers over setsockopt on a native descriptor; each returns a readable error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "bgp/types.hpp"

namespace vipd::bgp {

/// RFC 5082 §3: a GTSM speaker sends with the maximum TTL (hop limit).
inline constexpr int gtsm_ttl = 255;
/// RFC 4271 (single-hop eBGP, as every implementation defaults): directly connected peers only.
inline constexpr int ebgp_default_ttl = 1;
/// iBGP peers may be several hops away: the usual host default (RFC 1700 IP TTL 64).
inline constexpr int ibgp_default_ttl = 64;

/// RFC 2385: sign (and require signatures on) segments to/from `peer` with `key` (≤ 80 octets).
/// On a listening socket this admits the peer's signed SYNs; an empty key removes it.
[[nodiscard]] tl::expected<void, std::string> set_tcp_md5(int fd, const Address& peer,
                                                          std::string_view key);

/// RFC 5082 §3: accept only packets whose TTL (hop limit) is at least 256 - hops.
[[nodiscard]] tl::expected<void, std::string> set_gtsm(int fd, Afi family, std::uint8_t hops);

/// TTL (IPv4) / unicast hop limit (IPv6) of outgoing packets.
[[nodiscard]] tl::expected<void, std::string> set_ttl(int fd, Afi family, int ttl);

/// Disable Nagle: BGP messages are written whole and must leave at once.
[[nodiscard]] tl::expected<void, std::string> set_nodelay(int fd);

} // namespace vipd::bgp
