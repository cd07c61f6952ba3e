// BGP capabilities (RFC 5492) carried in OPEN optional parameters: one struct per capability,
// unknown ones kept verbatim. Encode/decode of the capability list lives in capability.cpp.
// RFC 4760 (MP), 2918 (route refresh), 7313 (enhanced RR), 6793 (4-octet AS), 4724 (GR),
// 8654 (extended message), 7911 (ADD-PATH), 8950 (extended next hop), 9234 (role),
// draft-walton-bgp-hostname-capability (FQDN, code 73).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

#include "bgp/notification.hpp"
#include "bgp/types.hpp"
#include "bgp/wire.hpp"

namespace vipd::bgp {

/// IANA capability codes used by vipd.
enum class CapabilityCode : std::uint8_t {
    multiprotocol = 1,
    route_refresh = 2,
    extended_next_hop = 5,
    extended_message = 6,
    bgp_role = 9,
    graceful_restart = 64,
    four_octet_as = 65,
    add_path = 69,
    enhanced_route_refresh = 70,
    fqdn = 73,
};

/// RFC 4760 §8.
struct MultiprotocolCap
{
    AfiSafi family;
    std::uint8_t reserved = 0;
    bool operator==(const MultiprotocolCap&) const = default;
};
/// RFC 2918 §2.
struct RouteRefreshCap
{
    bool operator==(const RouteRefreshCap&) const = default;
};
/// RFC 7313 §3.
struct EnhancedRouteRefreshCap
{
    bool operator==(const EnhancedRouteRefreshCap&) const = default;
};
/// RFC 6793 §3.
struct FourOctetAsCap
{
    Asn asn = 0;
    bool operator==(const FourOctetAsCap&) const = default;
};
/// RFC 4724 §3 (+ RFC 8538 N bit).
struct GracefulRestartCap
{
    struct Family
    {
        AfiSafi family;
        bool forwarding_state = false; ///< F bit
        bool operator==(const Family&) const = default;
    };
    bool restart_state = false;     ///< R bit
    bool notification = false;      ///< N bit (RFC 8538)
    std::uint16_t restart_time = 0; ///< seconds, 12 bits
    std::vector<Family> families;
    bool operator==(const GracefulRestartCap&) const = default;
};
/// RFC 8654 §3.
struct ExtendedMessageCap
{
    bool operator==(const ExtendedMessageCap&) const = default;
};
/// RFC 7911 §4.
struct AddPathCap
{
    enum Direction : std::uint8_t { receive = 1, send = 2, both = 3 };
    struct Family
    {
        AfiSafi family;
        std::uint8_t send_receive = both;
        bool operator==(const Family&) const = default;
    };
    std::vector<Family> families;
    bool operator==(const AddPathCap&) const = default;
};
/// RFC 8950 §3.
struct ExtendedNextHopCap
{
    struct Entry
    {
        Afi nlri_afi = Afi::ipv4;
        std::uint16_t nlri_safi = 1;
        Afi nexthop_afi = Afi::ipv6;
        bool operator==(const Entry&) const = default;
    };
    std::vector<Entry> entries;
    bool operator==(const ExtendedNextHopCap&) const = default;
};
/// RFC 9234 §4.1 BGP roles.
enum class Role : std::uint8_t {
    provider = 0,
    route_server = 1,
    rs_client = 2,
    customer = 3,
    peer = 4
};
struct BgpRoleCap
{
    Role role = Role::peer;
    bool operator==(const BgpRoleCap&) const = default;
};
/// Hostname capability (draft-walton-bgp-hostname-capability, code 73).
struct FqdnCap
{
    std::string hostname;
    std::string domain;
    bool operator==(const FqdnCap&) const = default;
};
/// Any capability we do not interpret (kept and reported, RFC 5492 §4).
struct UnknownCap
{
    std::uint8_t code = 0;
    Bytes value;
    bool operator==(const UnknownCap&) const = default;
};

using Capability = std::variant<MultiprotocolCap, RouteRefreshCap, EnhancedRouteRefreshCap,
                                FourOctetAsCap, GracefulRestartCap, ExtendedMessageCap, AddPathCap,
                                ExtendedNextHopCap, BgpRoleCap, FqdnCap, UnknownCap>;

/// RFC 5492 §4: a capability value has a one-octet length.
inline constexpr std::size_t max_capability_value = 255;

/// RFC 4724 §3 flag bits (restart flags are the top 4 bits of the 16-bit flags+time field).
namespace gr_flag {
inline constexpr std::uint16_t restart_state = 0x8000; ///< R bit (RFC 4724 §3)
inline constexpr std::uint16_t notification = 0x4000;  ///< N bit (RFC 8538 §2)
inline constexpr std::uint16_t restart_time_mask = 0x0fff;
inline constexpr std::uint8_t forwarding_state = 0x80; ///< per-family F bit
} // namespace gr_flag

/// Decode the capability list that fills `value` (the value of an OPEN optional parameter of
/// type 2, RFC 5492 §4) until it is exhausted. Unknown codes become UnknownCap. A capability
/// whose length runs past the parameter, or whose value has the wrong size for its code, is an
/// OPEN Message Error / Unspecific (2/0, RFC 4271 §6.2: "recognized, but malformed").
[[nodiscard]] tl::expected<std::vector<Capability>, DecodeError> decode_capabilities(Reader& value);
/// Append one capability as <code, length, value> (RFC 5492 §4). Lists and strings longer than
/// the 1-octet capability length can carry are cut to the entries that fit.
void encode_capability(const Capability& c, Writer& w);
/// Append every capability in order.
void encode_capabilities(const std::vector<Capability>& caps, Writer& w);

/// The IANA code of a capability value.
[[nodiscard]] std::uint8_t capability_code(const Capability& c);
/// Short name ("multiprotocol", "four-octet-as", "unknown-128", …).
[[nodiscard]] std::string capability_name(const Capability& c);

} // namespace vipd::bgp
