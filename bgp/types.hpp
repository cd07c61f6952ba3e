// Basic BGP value types: AS numbers, BGP identifiers, AFI/SAFI, IP addresses and prefixes.
// Pure values with parsing/formatting; no sockets (inet_pton/ntop only), no allocation in compare.
// RFC 4271 §4.2 (BGP Identifier), RFC 4760 §3 (AFI/SAFI), RFC 6793 (AS_TRANS).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace vipd::bgp {

using Asn = std::uint32_t;
/// RFC 6793 §9: the 2-octet placeholder for a 4-octet AS number.
inline constexpr Asn as_trans = 23456;

/// RFC 4760 §3 Address Family Identifier (IANA numbers).
enum class Afi : std::uint16_t { ipv4 = 1, ipv6 = 2 };
/// RFC 4760 §3 Subsequent AFI. Only unicast is carried by vipd; others are reported as unknown.
enum class Safi : std::uint8_t { unicast = 1 };

struct AfiSafi
{
    Afi afi = Afi::ipv4;
    Safi safi = Safi::unicast;
    auto operator<=>(const AfiSafi&) const = default;
};
inline constexpr AfiSafi ipv4_unicast{Afi::ipv4, Safi::unicast};
inline constexpr AfiSafi ipv6_unicast{Afi::ipv6, Safi::unicast};

/// "ipv4-unicast" / "ipv6-unicast" / "afi-N-safi-M".
std::string to_string(AfiSafi f);
std::string_view to_string(Afi afi);

/// An IPv4 or IPv6 address in network byte order (IPv4 uses bytes[0..3], the rest zero).
struct Address
{
    Afi afi = Afi::ipv4;
    std::array<std::uint8_t, 16> bytes{};

    static Address v4(std::uint32_t host_order);
    static Address v6(const std::array<std::uint8_t, 16>& b);
    /// Parses dotted-quad or RFC 5952 text; std::nullopt if neither.
    static std::optional<Address> parse(std::string_view text);

    [[nodiscard]] bool is_v4() const { return afi == Afi::ipv4; }
    [[nodiscard]] std::uint32_t v4_value() const; ///< host order; only for IPv4
    [[nodiscard]] std::size_t size() const { return is_v4() ? 4 : 16; }
    [[nodiscard]] bool is_v6_link_local() const; ///< fe80::/10
    [[nodiscard]] bool is_unspecified() const;
    [[nodiscard]] std::string to_string() const;
    auto operator<=>(const Address&) const = default;
};

/// BGP Identifier (RFC 4271 §4.2): 4 octets, shown as dotted quad.
struct RouterId
{
    std::uint32_t value = 0;
    [[nodiscard]] std::string to_string() const { return Address::v4(value).to_string(); }
    auto operator<=>(const RouterId&) const = default;
};

/// An address prefix whose host bits are zero.
struct Prefix
{
    Address addr;
    std::uint8_t length = 0;

    /// "192.0.2.10/32", "2001:db8::/32"; a bare address means /32 or /128 when
    /// `bare_is_host` is true. Errors: a readable reason (bad address, length, host bits set).
    static tl::expected<Prefix, std::string> parse(std::string_view text, bool bare_is_host = true);
    /// Build from an address, clearing the bits beyond `length` (length clamped by caller).
    static Prefix masked(const Address& a, std::uint8_t length);

    [[nodiscard]] Afi afi() const { return addr.afi; }
    [[nodiscard]] std::uint8_t max_length() const { return addr.is_v4() ? 32 : 128; }
    /// Octets needed to carry `length` bits (RFC 4271 §4.3 NLRI encoding).
    [[nodiscard]] std::size_t wire_octets() const { return (length + 7u) / 8u; }
    [[nodiscard]] std::string to_string() const;
    auto operator<=>(const Prefix&) const = default;
};

/// RFC 7911 path identifier; 0 when ADD-PATH is not in use.
using PathId = std::uint32_t;

/// One NLRI entry: a prefix and, with ADD-PATH, its path identifier.
struct Nlri
{
    Prefix prefix;
    PathId path_id = 0;
    auto operator<=>(const Nlri&) const = default;
};

} // namespace vipd::bgp

template <> struct std::hash<vipd::bgp::Prefix>
{
    std::size_t operator()(const vipd::bgp::Prefix& p) const noexcept
    {
        std::uint64_t h = 1469598103934665603ull ^ static_cast<std::uint64_t>(p.addr.afi);
        for (auto b : p.addr.bytes)
            h = (h ^ b) * 1099511628211ull;
        return static_cast<std::size_t>((h ^ p.length) * 1099511628211ull);
    }
};
