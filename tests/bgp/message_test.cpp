// Message dispatch: header decoding, round trips of KEEPALIVE, ROUTE-REFRESH (RFC 2918 and the
// RFC 7313 subtypes), UPDATE (delegated to decode_update) and End-of-RIB (RFC 4724 §2).
// Malformed messages are in message_malformed_test.cpp, OPEN in open_test.cpp.
#include <catch2/catch.hpp>

#include "bgp/message.hpp"

using namespace vipd::bgp;

namespace {

template <typename T>
void round_trip(ByteView wire, const T& expected, const CodecContext& ctx = {})
{
    auto decoded = decode_message(wire, ctx);
    if (!decoded)
        FAIL(to_string(decoded.error()));
    REQUIRE(std::holds_alternative<T>(*decoded));
    CHECK(std::get<T>(*decoded) == expected);
    CHECK(encode_message(expected, ctx) == Bytes(wire.begin(), wire.end()));
}

Prefix prefix(const char* text)
{
    return *Prefix::parse(text);
}

} // namespace

TEST_CASE("message: KEEPALIVE round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker (16 x 0xff)
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, // length 19
        0x04,                                                       // type KEEPALIVE
    };
    round_trip(wire, Keepalive{});
}

TEST_CASE("message: decode_header returns length and type", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x30, // length 48
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // (body not looked at)
    };
    auto h = decode_header(wire, CodecContext{});
    REQUIRE(h.has_value());
    CHECK(*h == Header{48, MessageType::update});
}

TEST_CASE("message: type names", "[wire]")
{
    CHECK(to_string(MessageType::open) == "OPEN");
    CHECK(to_string(MessageType::update) == "UPDATE");
    CHECK(to_string(MessageType::notification) == "NOTIFICATION");
    CHECK(to_string(MessageType::keepalive) == "KEEPALIVE");
    CHECK(to_string(MessageType::route_refresh) == "ROUTE-REFRESH");
    CHECK(to_string(static_cast<MessageType>(9)) == "type-9");
    CHECK(message_type(Message{Keepalive{}}) == MessageType::keepalive);
    CHECK(message_type(Message{RouteRefresh{}}) == MessageType::route_refresh);
    CHECK(message_type(Message{Open{}}) == MessageType::open);
}

TEST_CASE("message: ROUTE-REFRESH round trip (RFC 2918)", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
        0x05,                                                       // type ROUTE-REFRESH
        0x00, 0x02,                                                 // AFI 2 IPv6
        0x00,                                                       // subtype 0 normal
        0x01,                                                       // SAFI 1 unicast
    };
    round_trip(wire, RouteRefresh{ipv6_unicast, RouteRefresh::normal});
}

TEST_CASE("message: enhanced ROUTE-REFRESH BoRR and EoRR (RFC 7313 §3.2)", "[wire]")
{
    const std::uint8_t borr[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
        0x05,                                                       // type ROUTE-REFRESH
        0x00, 0x01,                                                 // AFI 1 IPv4
        0x01,                                                       // subtype 1 BoRR
        0x01,                                                       // SAFI 1 unicast
    };
    const std::uint8_t eorr[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
        0x05,                                                       // type ROUTE-REFRESH
        0x00, 0x01,                                                 // AFI 1 IPv4
        0x02,                                                       // subtype 2 EoRR
        0x01,                                                       // SAFI 1 unicast
    };
    round_trip(borr, RouteRefresh{ipv4_unicast, RouteRefresh::borr});
    round_trip(eorr, RouteRefresh{ipv4_unicast, RouteRefresh::eorr});
}

TEST_CASE("message: ROUTE-REFRESH with an unknown subtype is kept for the session to ignore",
          "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
        0x05,                                                       // type ROUTE-REFRESH
        0x00, 0x01,                                                 // AFI 1 IPv4
        0x07, // subtype 7 (RFC 7313 §5: ignore)
        0x01, // SAFI 1 unicast
    };
    round_trip(wire, RouteRefresh{ipv4_unicast, 7});
}

TEST_CASE("message: IPv4 UPDATE round trip through decode_update", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x30, // length 48
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // withdrawn routes length 0
        0x00, 0x14,                   // total path attribute length 20
        0x40, 0x01, 0x01, 0x00,       // ORIGIN IGP
        0x40, 0x02, 0x06,             // AS_PATH, length 6
        0x02, 0x01,                   //   AS_SEQUENCE, 1 AS
        0x00, 0x00, 0xfd, 0xe9,       //   AS 65001
        0x40, 0x03, 0x04,             // NEXT_HOP, length 4
        0xc0, 0x00, 0x02, 0x01,       //   192.0.2.1
        0x20, 0xc6, 0x33, 0x64, 0x0a, // NLRI 198.51.100.10/32
    };
    Update u;
    u.path_attributes.origin = Origin::igp;
    u.path_attributes.as_path = AsPath{{AsPathSegment{SegmentType::as_sequence, {65001}}}};
    u.path_attributes.next_hop = 0xc0000201;
    u.nlri = {Nlri{prefix("198.51.100.10/32"), 0}};
    round_trip(wire, u);
}

TEST_CASE("message: ADD-PATH UPDATE carries path identifiers (RFC 7911 §3)", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x20, // length 32
        0x02,                                                       // type UPDATE
        0x00, 0x09,                                                 // withdrawn routes length 9
        0x00, 0x00, 0x00, 0x07,                                     //   path id 7
        0x20, 0xc6, 0x33, 0x64, 0x0a,                               //   198.51.100.10/32
        0x00, 0x00,                                                 // total path attribute length 0
    };
    CodecContext ctx;
    ctx.add_path_ipv4 = true;
    Update u;
    u.withdrawn_routes = {Nlri{prefix("198.51.100.10/32"), 7}};
    round_trip(wire, u, ctx);
}

TEST_CASE("message: an UPDATE error from decode_update is returned as the error", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x19, // length 25
        0x02,                                                       // type UPDATE
        0x00, 0x10,             // withdrawn routes length 16 (4 left)
        0x00, 0x00, 0x00, 0x00, // 4 octets
    };
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().code == 3); // UPDATE Message Error
    CHECK(decoded.error().subcode == update_error::malformed_attribute_list);
    CHECK(decoded.error().action == Rfc7606::session_reset);
}

TEST_CASE("message: IPv4 End-of-RIB is an empty UPDATE (RFC 4724 §2)", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // withdrawn routes length 0
        0x00, 0x00,                                                 // total path attribute length 0
    };
    round_trip(wire, make_end_of_rib(ipv4_unicast));
    CHECK(end_of_rib_family(make_end_of_rib(ipv4_unicast)) == ipv4_unicast);
}

TEST_CASE("message: IPv6 End-of-RIB is an UPDATE with only an empty MP_UNREACH_NLRI", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1d, // length 29
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // withdrawn routes length 0
        0x00, 0x06,                                                 // total path attribute length 6
        0x80, 0x0f, 0x03, // MP_UNREACH_NLRI, optional, length 3
        0x00, 0x02,       //   AFI 2 IPv6
        0x01,             //   SAFI 1 unicast
    };
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE(decoded.has_value());
    const Update& u = std::get<Update>(*decoded);
    CHECK(end_of_rib_family(u) == ipv6_unicast);
    CHECK(u == make_end_of_rib(ipv6_unicast));
    // Whatever flags the encoder picks, the marker it writes decodes to the same family.
    auto again = decode_message(encode_message(make_end_of_rib(ipv6_unicast), {}), {});
    REQUIRE(again.has_value());
    CHECK(end_of_rib_family(std::get<Update>(*again)) == ipv6_unicast);
}

TEST_CASE("message: UPDATEs with routes or attributes are not End-of-RIB", "[wire]")
{
    Update with_nlri;
    with_nlri.nlri = {Nlri{prefix("192.0.2.0/24"), 0}};
    CHECK_FALSE(end_of_rib_family(with_nlri));

    Update with_origin;
    with_origin.path_attributes.origin = Origin::igp;
    CHECK_FALSE(end_of_rib_family(with_origin));

    Update unreach_with_routes = make_end_of_rib(ipv6_unicast);
    unreach_with_routes.path_attributes.mp_unreach->withdrawn_routes = {
        Nlri{prefix("2001:db8::/32"), 0}};
    CHECK_FALSE(end_of_rib_family(unreach_with_routes));

    Update unreach_and_more = make_end_of_rib(ipv6_unicast);
    unreach_and_more.path_attributes.local_pref = 100;
    CHECK_FALSE(end_of_rib_family(unreach_and_more));

    Update withdrawn;
    withdrawn.withdrawn_routes = {Nlri{prefix("192.0.2.0/24"), 0}};
    CHECK_FALSE(end_of_rib_family(withdrawn));
}
