// Message dispatch: header checks, decode/encode of every message type (OPEN in open.cpp,
// UPDATE bodies in update.cpp), NOTIFICATION/KEEPALIVE/ROUTE-REFRESH bodies, End-of-RIB.
// Must not: apply RFC 7606 outcomes or judge OPEN semantics; that is the session's and
// validate_open's job.
// RFC 4271 §4.1-§4.5 and §6.1, RFC 2918 §3, RFC 7313 §3.2/§5, RFC 8654 §4, RFC 4724 §2.
#include "bgp/message.hpp"

#include <cassert>

#include <fmt/format.h>

#include "bgp/update.hpp"

namespace vipd::bgp {
namespace {

/// RFC 4271 §4.1: offsets of the header fields.
constexpr std::size_t length_offset = 16;
constexpr std::size_t type_offset = 18;
constexpr std::uint8_t marker_octet = 0xff;

DecodeError header_error_at(std::uint8_t subcode, std::size_t offset, Bytes data, std::string what)
{
    return DecodeError{static_cast<std::uint8_t>(ErrorCode::message_header),
                       subcode,
                       std::move(data),
                       offset,
                       Rfc7606::session_reset,
                       std::move(what)};
}

DecodeError bad_length(ByteView wire, std::string what)
{
    // RFC 4271 §6.1: Bad Message Length carries the erroneous Length field as data.
    return header_error_at(header_error::bad_message_length, length_offset,
                           Bytes(wire.begin() + length_offset, wire.begin() + type_offset),
                           std::move(what));
}

bool known_type(std::uint8_t t)
{
    return t >= static_cast<std::uint8_t>(MessageType::open) &&
           t <= static_cast<std::uint8_t>(MessageType::route_refresh);
}

// RFC 4271 §6.1: the length must fit the type; empty when it does.
std::optional<std::string> length_for_type(MessageType type, std::size_t length)
{
    switch (type) {
    case MessageType::open:
        if (length < min_open_size)
            return fmt::format("OPEN length {} < {}", length, min_open_size);
        // RFC 8654 §4: OPEN never exceeds 4096 octets, extended message or not.
        if (length > max_message_size)
            return fmt::format("OPEN length {} > {}", length, max_message_size);
        return std::nullopt;
    case MessageType::update:
        if (length < min_update_size)
            return fmt::format("UPDATE length {} < {}", length, min_update_size);
        return std::nullopt;
    case MessageType::notification:
        if (length < min_notification_size)
            return fmt::format("NOTIFICATION length {} < {}", length, min_notification_size);
        return std::nullopt;
    case MessageType::keepalive:
        if (length != header_size)
            return fmt::format("KEEPALIVE length {} != {}", length, header_size);
        return std::nullopt;
    case MessageType::route_refresh: // RFC 7313 §5: checked in decode_route_refresh (7/1)
        return std::nullopt;
    }
    return std::nullopt;
}

tl::expected<Message, DecodeError> decode_update_message(ByteView wire, const DecodeContext& ctx)
{
    Reader body(wire.subspan(header_size), header_size);
    UpdateOutcome outcome = decode_update(body, ctx);
    if (outcome.error)
        return tl::unexpected(std::move(*outcome.error));
    return Message{std::move(outcome.update)};
}

} // namespace

std::string to_string(MessageType t)
{
    switch (t) {
    case MessageType::open:
        return "OPEN";
    case MessageType::update:
        return "UPDATE";
    case MessageType::notification:
        return "NOTIFICATION";
    case MessageType::keepalive:
        return "KEEPALIVE";
    case MessageType::route_refresh:
        return "ROUTE-REFRESH";
    }
    return fmt::format("type-{}", static_cast<unsigned>(t));
}

MessageType message_type(const Message& m)
{
    static constexpr MessageType by_index[] = {MessageType::open, MessageType::update,
                                               MessageType::notification, MessageType::keepalive,
                                               MessageType::route_refresh};
    return by_index[m.index()];
}

tl::expected<Header, DecodeError> decode_header(ByteView wire, const DecodeContext& ctx)
{
    if (wire.size() < header_size) {
        Bytes data;
        if (wire.size() >= type_offset)
            data.assign(wire.begin() + length_offset, wire.begin() + type_offset);
        return tl::unexpected(header_error_at(
            header_error::bad_message_length, wire.size(), std::move(data),
            fmt::format("{} octets, a message header needs {}", wire.size(), header_size)));
    }
    // RFC 4271 §6.1: a marker that is not all ones → Connection Not Synchronized.
    for (std::size_t i = 0; i < marker_size; ++i) {
        if (wire[i] != marker_octet) {
            return tl::unexpected(
                header_error_at(header_error::connection_not_synchronized, i, {},
                                fmt::format("marker octet {} is 0x{:02x}, not 0xff", i, wire[i])));
        }
    }
    Reader r(wire.subspan(length_offset), length_offset);
    const std::uint16_t length = *r.u16();
    const std::uint8_t type = *r.u8();
    // RFC 4271 §6.1: length below 19 or above the maximum → Bad Message Length.
    // RFC 8654 §4: the maximum is 65535 once extended messages are negotiated.
    if (length < min_message_size || length > ctx.max_message()) {
        return tl::unexpected(bad_length(wire, fmt::format("length {} outside {}..{}", length,
                                                           min_message_size, ctx.max_message())));
    }
    // RFC 4271 §6.1: an unrecognized type → Bad Message Type, data = the type octet.
    if (!known_type(type)) {
        return tl::unexpected(header_error_at(header_error::bad_message_type, type_offset, {type},
                                              fmt::format("unknown message type {}", type)));
    }
    const auto t = static_cast<MessageType>(type);
    // RFC 4271 §6.1: a length too small (or wrong) for the type → Bad Message Length.
    if (auto why = length_for_type(t, length))
        return tl::unexpected(bad_length(wire, std::move(*why)));
    return Header{length, t};
}

tl::expected<Message, DecodeError> decode_message(ByteView wire, const DecodeContext& ctx)
{
    auto header = decode_header(wire, ctx);
    if (!header)
        return tl::unexpected(std::move(header.error()));
    if (wire.size() != header->length) {
        // The Length field must describe exactly the bytes handed over (RFC 4271 §4.1).
        return tl::unexpected(
            bad_length(wire, fmt::format("length field {} but the message has {} octets",
                                         header->length, wire.size())));
    }
    Reader body(wire.subspan(header_size), header_size);
    switch (header->type) {
    case MessageType::open: {
        auto open = decode_open(body);
        if (!open)
            return tl::unexpected(std::move(open.error()));
        return Message{std::move(*open)};
    }
    case MessageType::update:
        return decode_update_message(wire, ctx);
    case MessageType::notification:
        return Message{decode_notification(body)};
    case MessageType::keepalive:
        return Message{Keepalive{}};
    case MessageType::route_refresh: {
        auto rr = decode_route_refresh(wire);
        if (!rr)
            return tl::unexpected(std::move(rr.error()));
        return Message{*rr};
    }
    }
    return tl::unexpected(header_error_at(header_error::bad_message_type, type_offset,
                                          {wire[type_offset]}, "unknown message type"));
}

Notification decode_notification(Reader& body)
{
    // RFC 4271 §4.5: code (1), subcode (1), data (the rest). decode_header ensures 2 octets.
    Notification n;
    n.code = body.u8().value_or(0);
    n.subcode = body.u8().value_or(0);
    auto data = body.rest();
    n.data.assign(data.begin(), data.end());
    (void)body.skip(data.size());
    return n;
}

tl::expected<RouteRefresh, DecodeError> decode_route_refresh(ByteView wire)
{
    // RFC 7313 §5: a ROUTE-REFRESH whose body is not 4 octets → ROUTE-REFRESH Message Error /
    // Invalid Message Length, data = the complete message. (RFC 7313 §5 states it for
    // subtypes 1 and 2; a longer subtype 0 would carry ORF entries, RFC 5291, which vipd never
    // negotiates, so every subtype is held to 4 octets.)
    if (wire.size() != route_refresh_size) {
        return tl::unexpected(DecodeError{
            static_cast<std::uint8_t>(ErrorCode::route_refresh),
            route_refresh_error::invalid_message_length, Bytes(wire.begin(), wire.end()),
            length_offset, Rfc7606::session_reset,
            fmt::format("ROUTE-REFRESH length {} != {}", wire.size(), route_refresh_size)});
    }
    Reader body(wire.subspan(header_size), header_size);
    RouteRefresh rr;
    const std::uint16_t afi = *body.u16();
    // RFC 7313 §5: a subtype other than 0-2 is kept; the receiver must ignore the message.
    rr.subtype = *body.u8();
    rr.family = AfiSafi{static_cast<Afi>(afi), static_cast<Safi>(*body.u8())};
    return rr;
}

void encode(const Notification& m, Writer& w)
{
    w.u8(m.code);
    w.u8(m.subcode);
    w.bytes(m.data);
}

void encode(const RouteRefresh& m, Writer& w)
{
    w.u16(static_cast<std::uint16_t>(m.family.afi));
    w.u8(m.subtype);
    w.u8(static_cast<std::uint8_t>(m.family.safi));
}

Bytes encode_message(const Message& m, const EncodeContext& ctx)
{
    Bytes out;
    Writer w(out);
    w.fill(marker_size, marker_octet);
    const std::size_t length_at = w.mark16();
    w.u8(static_cast<std::uint8_t>(message_type(m)));
    std::visit(
        [&](const auto& msg) {
            using T = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<T, Update>) {
                encode_update_body(msg, w, ctx);
            } else if constexpr (std::is_same_v<T, Notification>) {
                // RFC 4271 §4.1 / RFC 8654 §4: the whole message must fit the maximum size.
                const std::size_t room = ctx.max_message() - min_notification_size;
                if (msg.data.size() <= room) {
                    encode(msg, w);
                } else {
                    Notification cut{msg.code, msg.subcode,
                                     Bytes(msg.data.begin(),
                                           msg.data.begin() + static_cast<std::ptrdiff_t>(room))};
                    encode(cut, w);
                }
            } else if constexpr (!std::is_same_v<T, Keepalive>) {
                encode(msg, w);
            }
        },
        m);
    // Programmer error: UPDATEs are split by update_builder before they get here.
    assert(out.size() <= max_extended_message_size);
    w.put16(length_at, static_cast<std::uint16_t>(out.size()));
    return out;
}

std::optional<AfiSafi> end_of_rib_family(const Update& u)
{
    // RFC 4724 §2: no withdrawn routes, no NLRI, and either no attributes at all (IPv4
    // unicast) or only an MP_UNREACH_NLRI with no withdrawn routes (its AFI/SAFI).
    if (!u.withdrawn_routes.empty() || !u.nlri.empty())
        return std::nullopt;
    const PathAttributes& pa = u.path_attributes;
    if (pa == PathAttributes{})
        return ipv4_unicast;
    if (!pa.mp_unreach || !pa.mp_unreach->withdrawn_routes.empty())
        return std::nullopt;
    PathAttributes only;
    only.mp_unreach = pa.mp_unreach;
    only.order = pa.order;
    const bool order_ok =
        pa.order.empty() ||
        pa.order == std::vector<std::uint8_t>{static_cast<std::uint8_t>(AttrType::mp_unreach_nlri)};
    if (!order_ok || pa != only)
        return std::nullopt;
    return pa.mp_unreach->family;
}

Update make_end_of_rib(AfiSafi family)
{
    Update u;
    if (family != ipv4_unicast)
        u.path_attributes.mp_unreach = MpUnreach{family, {}};
    return u;
}

} // namespace vipd::bgp
