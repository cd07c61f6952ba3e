// BGP messages (RFC 4271 §4) as plain aggregates in wire order, and the codec entry points.
// Decoding checks syntax only (framing, lengths, flags); validate_open/validate_update check
// semantics. Negotiated session facts travel in CodecContext, never in globals.
// RFC 4271, 2918, 7313 (ROUTE-REFRESH subtypes), 8654 (extended message), 9072 (extended
// optional parameters length), 7911 (ADD-PATH), 4724 (End-of-RIB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

#include "bgp/attribute.hpp"
#include "bgp/capability.hpp"
#include "bgp/notification.hpp"
#include "bgp/types.hpp"
#include "bgp/wire.hpp"

namespace vipd::bgp {

/// RFC 4271 §4.1 header: 16-octet marker, 2-octet length, 1-octet type.
inline constexpr std::size_t marker_size = 16;
inline constexpr std::size_t header_size = 19;
/// RFC 4271 §4.1: minimum and maximum message length.
inline constexpr std::size_t min_message_size = 19;
inline constexpr std::size_t max_message_size = 4096;
/// RFC 8654 §4: maximum with the extended message capability (not for OPEN/KEEPALIVE).
inline constexpr std::size_t max_extended_message_size = 65535;
/// RFC 4271 §4.2: OPEN minimum length (header + 10).
inline constexpr std::size_t min_open_size = 29;
/// RFC 4271 §4.3: UPDATE minimum length (header + 4).
inline constexpr std::size_t min_update_size = 23;
/// RFC 4271 §4.5: NOTIFICATION minimum length (header + 2).
inline constexpr std::size_t min_notification_size = 21;
/// RFC 2918 §3: ROUTE-REFRESH length (header + 4).
inline constexpr std::size_t route_refresh_size = 23;

/// RFC 4271 §4.1 message types.
enum class MessageType : std::uint8_t {
    open = 1,
    update = 2,
    notification = 3,
    keepalive = 4,
    route_refresh = 5,
};

/// Facts negotiated for a session that change the wire format.
struct CodecContext
{
    bool four_octet_as = true;      ///< RFC 6793: both sides sent the capability
    bool extended_message = false;  ///< RFC 8654: both sides sent the capability
    bool add_path_ipv4 = false;     ///< RFC 7911: path identifiers present for IPv4 unicast
    bool add_path_ipv6 = false;     ///< RFC 7911: path identifiers present for IPv6 unicast

    [[nodiscard]] bool add_path(Afi afi) const
    {
        return afi == Afi::ipv4 ? add_path_ipv4 : add_path_ipv6;
    }
    [[nodiscard]] std::size_t max_message() const
    {
        return extended_message ? max_extended_message_size : max_message_size;
    }
};
using DecodeContext = CodecContext;
using EncodeContext = CodecContext;

/// RFC 5492 §4 / RFC 9072: an OPEN optional parameter. Type 2 holds capabilities.
struct CapabilitiesParameter
{
    std::vector<Capability> capabilities;
    bool operator==(const CapabilitiesParameter&) const = default;
};
struct UnknownParameter
{
    std::uint8_t type = 0;
    Bytes value;
    bool operator==(const UnknownParameter&) const = default;
};
using OptionalParameter = std::variant<CapabilitiesParameter, UnknownParameter>;

/// RFC 4271 §4.2 OPEN.
struct Open
{
    std::uint8_t version = 4;
    std::uint16_t my_as = 0;  ///< AS_TRANS when the real AS needs 4 octets
    std::uint16_t hold_time = 0;
    std::uint32_t bgp_identifier = 0;
    std::vector<OptionalParameter> optional_parameters;
    bool extended_parameters_length = false;  ///< RFC 9072 encoding (decoded or forced)

    /// All capabilities across all capability parameters, in order.
    [[nodiscard]] std::vector<Capability> capabilities() const;
    bool operator==(const Open&) const = default;
};

/// RFC 4271 §4.3 UPDATE (IPv6 and ADD-PATH routes travel inside path_attributes.mp_*).
struct Update
{
    std::vector<Nlri> withdrawn_routes;
    PathAttributes path_attributes;
    std::vector<Nlri> nlri;
    bool operator==(const Update&) const = default;
};

/// RFC 4271 §4.4 KEEPALIVE.
struct Keepalive
{
    bool operator==(const Keepalive&) const = default;
};

/// RFC 2918 §3 ROUTE-REFRESH; RFC 7313 §3.2 subtypes.
struct RouteRefresh
{
    enum Subtype : std::uint8_t { normal = 0, borr = 1, eorr = 2 };
    AfiSafi family;
    std::uint8_t subtype = normal;
    bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

/// Decode one whole message (header included). Syntax only; semantics via validate_*.
/// For UPDATE, an error whose action is weaker than session_reset still fails the decode;
/// use decode_update_lenient to keep the routes and the outcome together.
[[nodiscard]] tl::expected<Message, DecodeError> decode_message(ByteView wire,
                                                                const DecodeContext& ctx);
/// Encode one message, header included.
[[nodiscard]] Bytes encode_message(const Message& m, const EncodeContext& ctx);

/// RFC 4724 §2: is this UPDATE an End-of-RIB marker, and for which family?
[[nodiscard]] std::optional<AfiSafi> end_of_rib_family(const Update& u);
/// RFC 4724 §2: the End-of-RIB marker for a family.
[[nodiscard]] Update make_end_of_rib(AfiSafi family);

}  // namespace vipd::bgp
