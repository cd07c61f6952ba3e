// BGP messages (RFC 4271 §4) as plain aggregates in wire order, and the codec entry points.
// Decoding checks syntax only (framing, lengths, flags); validate_open/validate_update check
// semantics. Negotiated session facts travel in CodecContext, never in globals.
// RFC 4271, 2918, 7313 (ROUTE-REFRESH subtypes), 8654 (extended message), 9072 (extended
// optional parameters length), 7911 (ADD-PATH), 4724 (End-of-RIB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
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
/// RFC 4271 §4.2: the fixed part of the OPEN body (version .. optional parameters length).
inline constexpr std::size_t open_fixed_size = 10;
/// RFC 4271 §4.2: BGP version spoken.
inline constexpr std::uint8_t bgp_version = 4;
/// RFC 4271 §4.2 (1-octet) and RFC 9072 §2 (2-octet) optional parameter length limits.
inline constexpr std::size_t max_classic_parameters = 255;
/// RFC 9072 §2: "Non-Ext OP Type" value that announces the extended encoding.
inline constexpr std::uint8_t extended_parameters_marker = 255;
/// RFC 5492 §4: optional parameter type carrying capabilities.
inline constexpr std::uint8_t capabilities_parameter_type = 2;

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
    bool four_octet_as = true;     ///< RFC 6793: both sides sent the capability
    bool extended_message = false; ///< RFC 8654: both sides sent the capability
    bool add_path_ipv4 = false;    ///< RFC 7911: path identifiers present for IPv4 unicast
    bool add_path_ipv6 = false;    ///< RFC 7911: path identifiers present for IPv6 unicast

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
    std::uint16_t my_as = 0; ///< AS_TRANS when the real AS needs 4 octets
    std::uint16_t hold_time = 0;
    std::uint32_t bgp_identifier = 0;
    std::vector<OptionalParameter> optional_parameters;
    bool extended_parameters_length = false; ///< RFC 9072 encoding (decoded or forced)

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

/// RFC 2918 §3 ROUTE-REFRESH; RFC 7313 §3.2 subtypes. Other subtype values are kept as received:
/// RFC 7313 §5 says the receiver ignores such a message.
struct RouteRefresh
{
    enum Subtype : std::uint8_t { normal = 0, borr = 1, eorr = 2 };
    AfiSafi family;
    std::uint8_t subtype = normal;
    bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

/// "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH", or "type-N".
[[nodiscard]] std::string to_string(MessageType t);
/// The wire type of a message value.
[[nodiscard]] MessageType message_type(const Message& m);

/// RFC 4271 §4.1 message header, after the checks of §6.1.
struct Header
{
    std::uint16_t length = 0; ///< whole message, header included
    MessageType type = MessageType::keepalive;
    bool operator==(const Header&) const = default;
};

/// Check the 19-octet header at the start of `wire` (RFC 4271 §6.1): marker all ones (1/1),
/// length within 19..ctx.max_message() and fitting the type (1/2, data = the length field),
/// known type (1/3, data = the type octet). RFC 8654 §4: OPEN and KEEPALIVE never exceed 4096.
/// ROUTE-REFRESH lengths are checked by decode_message (RFC 7313 §5, 7/1). Only the first 19
/// octets are read; fewer is an error (1/2). The session driver uses this through the Framer.
[[nodiscard]] tl::expected<Header, DecodeError> decode_header(ByteView wire,
                                                              const DecodeContext& ctx);

/// Decode one whole message (header included); `wire` must be exactly the message (a length
/// field that disagrees with wire.size() is 1/2). Syntax only; semantics via validate_*.
/// UPDATE bodies go to decode_update (update.hpp): the Update is returned only when its
/// outcome carries no error at all; otherwise the outcome's error is returned, whatever its
/// RFC 7606 action. The session calls decode_header + decode_update itself to apply the weaker
/// RFC 7606 actions and keep the routes that could be parsed.
[[nodiscard]] tl::expected<Message, DecodeError> decode_message(ByteView wire,
                                                                const DecodeContext& ctx);
/// Encode one message, header included. The caller keeps UPDATEs within ctx.max_message()
/// (update_builder splits them); NOTIFICATION data is cut to fit.
[[nodiscard]] Bytes encode_message(const Message& m, const EncodeContext& ctx);

/// Per-type body codecs; `body` starts right after the header (offset 19). Errors per
/// RFC 4271 §6.2 (OPEN syntax: version 2/1, optional parameters 2/0 and 2/4, RFC 9072) and
/// RFC 7313 §5 (ROUTE-REFRESH 7/1, data = the whole message, so it takes the message).
[[nodiscard]] tl::expected<Open, DecodeError> decode_open(Reader& body);
[[nodiscard]] Notification decode_notification(Reader& body);
[[nodiscard]] tl::expected<RouteRefresh, DecodeError> decode_route_refresh(ByteView wire);
/// Append a message body (no header) to `w`. OPEN uses the RFC 9072 encoding when its
/// parameters exceed 255 octets or extended_parameters_length is set.
void encode(const Open& m, Writer& w);
void encode(const Notification& m, Writer& w);
void encode(const RouteRefresh& m, Writer& w);

/// RFC 4724 §2: is this UPDATE an End-of-RIB marker, and for which family?
[[nodiscard]] std::optional<AfiSafi> end_of_rib_family(const Update& u);
/// RFC 4724 §2: the End-of-RIB marker for a family (IPv4 unicast: an empty UPDATE; others: an
/// UPDATE holding only an empty MP_UNREACH_NLRI).
[[nodiscard]] Update make_end_of_rib(AfiSafi family);

} // namespace vipd::bgp
