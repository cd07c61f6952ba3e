// Whole UPDATE bodies (RFC 4271 §4.3): withdrawn routes, attributes and NLRI decode to the
// expected value and re-encode byte for byte; ADD-PATH (RFC 7911) NLRI; MP attributes in any
// position (RFC 7606 §5.1); AS4 reconstruction from a 2-octet peer (RFC 6793 §4.2.3); NLRI runs.
#include <catch2/catch.hpp>

#include "bgp/update.hpp"

using namespace vipd::bgp;

namespace {

UpdateOutcome decode_body(ByteView body, const CodecContext& ctx)
{
    Reader r(body, header_size);
    auto o = decode_update(r, ctx);
    CHECK(r.empty());
    return o;
}

Bytes encode_body(const Update& u, const CodecContext& ctx)
{
    Bytes out;
    Writer w(out);
    encode_update_body(u, w, ctx);
    CHECK(out.size() == update_body_size(u, ctx));
    return out;
}

Nlri nlri(const char* text, PathId id = 0)
{
    return Nlri{*Prefix::parse(text), id};
}

void check_round_trip(ByteView wire, const Update& want, const CodecContext& ctx)
{
    auto o = decode_body(wire, ctx);
    INFO((o.error ? to_string(*o.error) : std::string("no error")));
    REQUIRE_FALSE(o.error);
    CHECK(o.update == want);
    CHECK(encode_body(o.update, ctx) == Bytes(wire.begin(), wire.end()));
    CHECK(encode_body(want, ctx) == Bytes(wire.begin(), wire.end()));
    auto again = decode_body(encode_body(want, ctx), ctx);
    REQUIRE_FALSE(again.error);
    CHECK(again.update == want);
}

} // namespace

TEST_CASE("update: IPv4 withdrawals, attributes and NLRI round trip (RFC 4271 §4.3)", "[wire]")
{
    const std::uint8_t body[] = {
        0x00, 0x05,             // Withdrawn Routes Length 5
        0x18, 0xcb, 0x00, 0x71, //   203.0.113.0/24
        0x00,                   //   0.0.0.0/0
        0x00, 0x1b,             // Total Path Attribute Length 27
        0x40, 0x01, 0x01,       // ORIGIN, length 1
        0x00,                   //   IGP
        0x40, 0x02, 0x06,       // AS_PATH, length 6
        0x02, 0x01,             //   AS_SEQUENCE, 1 AS
        0x00, 0x00, 0xfd, 0xe9, //   65001
        0x40, 0x03, 0x04,       // NEXT_HOP, length 4
        0xc0, 0x00, 0x02, 0x01, //   192.0.2.1
        0x80, 0x04, 0x04,       // MULTI_EXIT_DISC, length 4
        0x00, 0x00, 0x00, 0x0a, //   10
        0x20,                   // NLRI /32
        0xc6, 0x33, 0x64, 0x0a, //   198.51.100.10/32
        0x19,                   // NLRI /25
        0xc6, 0x33, 0x64, 0x80, //   198.51.100.128/25
    };
    Update want;
    want.withdrawn_routes = {nlri("203.0.113.0/24"), nlri("0.0.0.0/0")};
    want.path_attributes.origin = Origin::igp;
    want.path_attributes.as_path = AsPath{{{SegmentType::as_sequence, {65001}}}};
    want.path_attributes.next_hop = 0xc0000201;
    want.path_attributes.multi_exit_disc = 10;
    want.nlri = {nlri("198.51.100.10/32"), nlri("198.51.100.128/25")};
    check_round_trip(body, want, CodecContext{});
}

TEST_CASE("update: ADD-PATH path identifiers in both NLRI fields (RFC 7911 §3)", "[wire]")
{
    const std::uint8_t body[] = {
        0x00, 0x09,             // Withdrawn Routes Length 9
        0x00, 0x00, 0x00, 0x02, //   path id 2
        0x20,                   //   /32
        0xcb, 0x00, 0x71, 0x01, //   203.0.113.1/32
        0x00, 0x0e,             // Total Path Attribute Length 14
        0x40, 0x01, 0x01,       // ORIGIN, length 1
        0x02,                   //   INCOMPLETE
        0x40, 0x02, 0x00,       // AS_PATH, length 0
        0x40, 0x03, 0x04,       // NEXT_HOP, length 4
        0xc0, 0x00, 0x02, 0x01, //   192.0.2.1
        0x00, 0x00, 0x00, 0x01, // path id 1
        0x20,                   //   /32
        0xc6, 0x33, 0x64, 0x0a, //   198.51.100.10/32
        0xff, 0xff, 0xff, 0xff, // path id 4294967295
        0x20,                   //   /32
        0xc6, 0x33, 0x64, 0x0a, //   198.51.100.10/32 (second path)
    };
    CodecContext ctx;
    ctx.add_path_ipv4 = true;
    Update want;
    want.withdrawn_routes = {nlri("203.0.113.1/32", 2)};
    want.path_attributes.origin = Origin::incomplete;
    want.path_attributes.as_path = AsPath{};
    want.path_attributes.next_hop = 0xc0000201;
    want.nlri = {nlri("198.51.100.10/32", 1), nlri("198.51.100.10/32", 0xffffffff)};
    check_round_trip(body, want, ctx);
}

TEST_CASE("update: withdrawals alone need no attributes (RFC 4271 §4.3)", "[wire]")
{
    const std::uint8_t body[] = {
        0x00, 0x04,       // Withdrawn Routes Length 4
        0x18,             //   /24
        0xc6, 0x33, 0x64, //   198.51.100.0/24
        0x00, 0x00,       // Total Path Attribute Length 0
    };
    Update want;
    want.withdrawn_routes = {nlri("198.51.100.0/24")};
    check_round_trip(body, want, CodecContext{});
}

TEST_CASE("update: MP attributes are accepted in any position (RFC 7606 §5.1)", "[wire]")
{
    // Announce IPv6 and withdraw IPv6 in one UPDATE, MP_REACH_NLRI last: what older speakers
    // send. Decoding keeps the layout so the message re-encodes byte for byte.
    const std::uint8_t body[] = {
        0x00, 0x00,                                     // Withdrawn Routes Length 0
        0x00, 0x36,                                     // Total Path Attribute Length 54
        0x40, 0x01, 0x01,                               // ORIGIN, length 1
        0x00,                                           //   IGP
        0x40, 0x02, 0x06,                               // AS_PATH, length 6
        0x02, 0x01,                                     //   AS_SEQUENCE, 1 AS
        0x00, 0x00, 0xfd, 0xe9,                         //   65001
        0x80, 0x0f, 0x08,                               // MP_UNREACH_NLRI, length 8
        0x00, 0x02, 0x01,                               //   IPv6 unicast
        0x20, 0x20, 0x01, 0x0d, 0xb8,                   //   2001:db8::/32
        0x80, 0x0e, 0x1b,                               // MP_REACH_NLRI, length 27
        0x00, 0x02, 0x01,                               //   IPv6 unicast
        0x10,                                           //   next hop length 16
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00,                         //   reserved
        0x28,                         //   NLRI /40
        0x20, 0x01, 0x0d, 0xb9, 0x00, //     2001:db9::/40
    };
    auto o = decode_body(body, CodecContext{});
    REQUIRE_FALSE(o.error);
    const auto& a = o.update.path_attributes;
    REQUIRE(a.mp_reach);
    REQUIRE(a.mp_unreach);
    CHECK(a.mp_reach->nlri == std::vector<Nlri>{nlri("2001:db9::/40")});
    CHECK(a.mp_unreach->withdrawn_routes == std::vector<Nlri>{nlri("2001:db8::/32")});
    CHECK(a.order == std::vector<std::uint8_t>{1, 2, 15, 14});
    CHECK(encode_body(o.update, CodecContext{}) == Bytes(std::begin(body), std::end(body)));

    // Without the received layout the encoder puts the MP attributes first.
    Update canonical = o.update;
    canonical.path_attributes.order.clear();
    canonical.path_attributes.flags.clear();
    const Bytes c = encode_body(canonical, CodecContext{});
    CHECK(c[4 + 1] == 14); // first attribute type: MP_REACH_NLRI
}

TEST_CASE("update: AS path rebuilt from AS_PATH + AS4_PATH of a 2-octet peer (RFC 6793)", "[wire]")
{
    // An OLD speaker (AS 65005) prepended itself after a NEW speaker built AS4_PATH.
    const std::uint8_t body[] = {
        0x00, 0x00,             // Withdrawn Routes Length 0
        0x00, 0x23,             // Total Path Attribute Length 35
        0x40, 0x01, 0x01,       // ORIGIN, length 1
        0x00,                   //   IGP
        0x40, 0x02, 0x08,       // AS_PATH, length 8
        0x02, 0x03,             //   AS_SEQUENCE, 3 ASes
        0xfd, 0xed,             //   65005
        0x5b, 0xa0,             //   AS_TRANS
        0xfd, 0xe9,             //   65001
        0x40, 0x03, 0x04,       // NEXT_HOP, length 4
        0xc0, 0x00, 0x02, 0x01, //   192.0.2.1
        0xe0, 0x11, 0x0a,       // AS4_PATH (Partial: passed by the OLD speaker), length 10
        0x02, 0x02,             //   AS_SEQUENCE, 2 ASes
        0xfa, 0x56, 0xea, 0x00, //   4200000000
        0x00, 0x00, 0xfd, 0xe9, //   65001
        0x18,                   // NLRI /24
        0xc6, 0x33, 0x64,       //   198.51.100.0/24
    };
    CodecContext ctx;
    ctx.four_octet_as = false;
    auto o = decode_body(body, ctx);
    REQUIRE_FALSE(o.error);
    const auto& a = o.update.path_attributes;
    CHECK(a.as_path == AsPath{{{SegmentType::as_sequence, {65005, 4200000000, 65001}}}});
    CHECK_FALSE(a.as4_path);
    // Re-encoding toward the 2-octet peer rebuilds AS4_PATH from the whole path.
    const Bytes again = encode_body(o.update, ctx);
    auto back = decode_body(again, ctx);
    REQUIRE_FALSE(back.error);
    CHECK(back.update == o.update);
}

TEST_CASE("update: decode_nlri clears trailing host bits (RFC 4271 §4.3)", "[wire]")
{
    const std::uint8_t run[] = {
        0x19,                   // /25
        0xc6, 0x33, 0x64, 0xff, //   198.51.100.255: trailing 7 bits ignored
        0x01,                   // /1
        0xff,                   //   128.0.0.0/1
    };
    Reader r(run, 100);
    auto n = decode_nlri(r, Afi::ipv4, false);
    REQUIRE(n);
    CHECK(*n == std::vector<Nlri>{nlri("198.51.100.128/25"), nlri("128.0.0.0/1")});
    CHECK(r.empty());
}

TEST_CASE("update: decode_nlri errors name the prefix's length octet (RFC 7606 §5.3)", "[wire]")
{
    const std::uint8_t run[] = {
        0x10, 0x0a, 0x00, // 10.0.0.0/16 at offset 100
        0x81,             // /129 at offset 103: beyond IPv6 length
    };
    Reader r(run, 100);
    auto n = decode_nlri(r, Afi::ipv6, false);
    REQUIRE_FALSE(n);
    CHECK(n.error().code == 3);
    CHECK(n.error().subcode == update_error::invalid_network_field);
    CHECK(n.error().action == Rfc7606::session_reset);
    CHECK(n.error().offset == 103);
}

TEST_CASE("update: encode_nlri writes path identifiers first (RFC 7911 §3)", "[wire]")
{
    Bytes out;
    Writer w(out);
    encode_nlri({nlri("2001:db8::/33", 9)}, w, true);
    const std::uint8_t want[] = {
        0x00, 0x00, 0x00, 0x09,       // path id 9
        0x21,                         // /33
        0x20, 0x01, 0x0d, 0xb8, 0x00, // 2001:db8::/33 in 5 octets
    };
    CHECK(out == Bytes(std::begin(want), std::end(want)));
    CHECK(nlri_size({nlri("2001:db8::/33", 9)}, true) == 10);
}
