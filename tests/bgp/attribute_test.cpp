// Path attribute round trips (RFC 4271 §4.3 and the attribute RFCs), both AS widths
// (RFC 6793): every wire vector decodes to the expected value, re-encodes to the same bytes,
// and the value survives encode → decode. Also the descriptor table, wire-layout preservation
// (order, Extended Length, Partial) and the AS4 reconciliation / AS_TRANS rules.
#include <catch2/catch.hpp>

#include "bgp/as4.hpp"
#include "bgp/update.hpp"

using namespace vipd::bgp;

namespace {

CodecContext four_octet_ctx()
{
    return CodecContext{};
}

CodecContext two_octet_ctx()
{
    CodecContext c;
    c.four_octet_as = false;
    return c;
}

// An UPDATE body with no withdrawn routes, the given attributes and NLRI.
Bytes body_of(ByteView attrs, ByteView nlri = {})
{
    Bytes b{0x00, 0x00, static_cast<std::uint8_t>(attrs.size() >> 8),
            static_cast<std::uint8_t>(attrs.size())};
    b.insert(b.end(), attrs.begin(), attrs.end());
    b.insert(b.end(), nlri.begin(), nlri.end());
    return b;
}

UpdateOutcome decode_body(const Bytes& body, const CodecContext& ctx)
{
    Reader r(body, header_size);
    return decode_update(r, ctx);
}

Bytes encode_attrs(const PathAttributes& a, const CodecContext& ctx)
{
    Bytes out;
    Writer w(out);
    encode_path_attributes(a, w, ctx);
    CHECK(out.size() == path_attributes_size(a, ctx));
    return out;
}

std::string error_text(const UpdateOutcome& o)
{
    return o.error ? to_string(*o.error) : std::string("no error");
}

// bytes → decode == want; decode → encode == bytes; want → encode → decode == want;
// and, when `canonical`, want → encode == bytes.
void check_round_trip(ByteView wire, const PathAttributes& want, const CodecContext& ctx,
                      bool canonical = true)
{
    const Bytes bytes(wire.begin(), wire.end());
    auto o = decode_body(body_of(wire), ctx);
    INFO(error_text(o));
    REQUIRE_FALSE(o.error);
    CHECK(o.update.path_attributes == want);
    CHECK(encode_attrs(o.update.path_attributes, ctx) == bytes);
    const Bytes mine = encode_attrs(want, ctx);
    if (canonical)
        CHECK(mine == bytes);
    auto again = decode_body(body_of(mine), ctx);
    INFO(error_text(again));
    REQUIRE_FALSE(again.error);
    CHECK(again.update.path_attributes == want);
}

AsPath sequence(std::vector<Asn> asns)
{
    return AsPath{{AsPathSegment{SegmentType::as_sequence, std::move(asns)}}};
}

} // namespace

TEST_CASE("attribute: descriptor table names and flags (RFC 4271 §5)", "[wire]")
{
    CHECK(attribute_descriptor(1).name == "ORIGIN");
    CHECK(attribute_descriptor(1).flags == attr_flag::transitive);
    CHECK(attribute_descriptor(4).flags == attr_flag::optional);
    CHECK(attribute_descriptor(8).flags == (attr_flag::optional | attr_flag::transitive));
    CHECK(attribute_descriptor(14).on_malformed == Rfc7606::session_reset);
    CHECK(attribute_descriptor(7).on_malformed == Rfc7606::attribute_discard);
    CHECK(attribute_descriptor(35).name == "ONLY_TO_CUSTOMER");
    CHECK_FALSE(attribute_descriptor(99).known());
    CHECK(attribute_name(99) == "attribute 99");
    CHECK(attribute_name(32) == "LARGE_COMMUNITIES");
}

TEST_CASE("attribute: ORIGIN round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40, 0x01, 0x01, // flags well-known transitive, type ORIGIN, length 1
        0x02,             // INCOMPLETE
    };
    PathAttributes want;
    want.origin = Origin::incomplete;
    check_round_trip(wire, want, four_octet_ctx());
}

TEST_CASE("attribute: AS_PATH segment types, 4-octet AS numbers", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40, 0x02, 0x1c,       // flags transitive, type AS_PATH, length 28
        0x03, 0x01,             // AS_CONFED_SEQUENCE, 1 AS
        0x00, 0x00, 0xfd, 0xe9, //   65001
        0x04, 0x01,             // AS_CONFED_SET, 1 AS
        0x00, 0x00, 0xfd, 0xea, //   65002
        0x02, 0x02,             // AS_SEQUENCE, 2 ASes
        0x00, 0x00, 0xfd, 0xeb, //   65003
        0xfa, 0x56, 0xea, 0x00, //   4200000000
        0x01, 0x01,             // AS_SET, 1 AS
        0x00, 0x01, 0x00, 0x00, //   65536
    };
    PathAttributes want;
    want.as_path = AsPath{{{SegmentType::as_confed_sequence, {65001}},
                           {SegmentType::as_confed_set, {65002}},
                           {SegmentType::as_sequence, {65003, 4200000000}},
                           {SegmentType::as_set, {65536}}}};
    check_round_trip(wire, want, four_octet_ctx());
    CHECK(want.as_path->length() == 3); // RFC 4271 §9.1.2.2: set = 1, confed = 0
}

TEST_CASE("attribute: AS_PATH segment types, 2-octet AS numbers", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40, 0x02, 0x12, // flags transitive, type AS_PATH, length 18
        0x03, 0x01,       // AS_CONFED_SEQUENCE, 1 AS
        0xfd, 0xe9,       //   65001
        0x04, 0x01,       // AS_CONFED_SET, 1 AS
        0xfd, 0xea,       //   65002
        0x02, 0x02,       // AS_SEQUENCE, 2 ASes
        0xfd, 0xeb,       //   65003
        0x00, 0x64,       //   100
        0x01, 0x01,       // AS_SET, 1 AS
        0x00, 0xc8,       //   200
    };
    PathAttributes want;
    want.as_path = AsPath{{{SegmentType::as_confed_sequence, {65001}},
                           {SegmentType::as_confed_set, {65002}},
                           {SegmentType::as_sequence, {65003, 100}},
                           {SegmentType::as_set, {200}}}};
    check_round_trip(wire, want, two_octet_ctx());
}

TEST_CASE("attribute: empty AS_PATH (iBGP origination) is valid", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40, 0x02, 0x00, // flags transitive, type AS_PATH, length 0
    };
    PathAttributes want;
    want.as_path = AsPath{};
    check_round_trip(wire, want, four_octet_ctx());
    check_round_trip(wire, want, two_octet_ctx());
}

TEST_CASE("attribute: NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF, ATOMIC_AGGREGATE", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40, 0x03, 0x04,       // flags transitive, type NEXT_HOP, length 4
        0xc0, 0x00, 0x02, 0x01, //   192.0.2.1
        0x80, 0x04, 0x04,       // flags optional, type MULTI_EXIT_DISC, length 4
        0x00, 0x00, 0x00, 0x64, //   100
        0x40, 0x05, 0x04,       // flags transitive, type LOCAL_PREF, length 4
        0x00, 0x00, 0x00, 0xc8, //   200
        0x40, 0x06, 0x00,       // flags transitive, type ATOMIC_AGGREGATE, length 0
    };
    PathAttributes want;
    want.next_hop = 0xc0000201;
    want.multi_exit_disc = 100;
    want.local_pref = 200;
    want.atomic_aggregate = true;
    check_round_trip(wire, want, four_octet_ctx());
    check_round_trip(wire, want, two_octet_ctx());
}

TEST_CASE("attribute: AGGREGATOR in both AS widths (RFC 4271 §4.3, RFC 6793 §3)", "[wire]")
{
    PathAttributes want;
    want.aggregator = Aggregator{65010, 0xc6336401};
    const std::uint8_t four[] = {
        0xc0, 0x07, 0x08,       // flags optional transitive, type AGGREGATOR, length 8
        0x00, 0x00, 0xfd, 0xf2, //   AS 65010
        0xc6, 0x33, 0x64, 0x01, //   198.51.100.1
    };
    check_round_trip(four, want, four_octet_ctx());
    const std::uint8_t two[] = {
        0xc0, 0x07, 0x06,       // flags optional transitive, type AGGREGATOR, length 6
        0xfd, 0xf2,             //   AS 65010
        0xc6, 0x33, 0x64, 0x01, //   198.51.100.1
    };
    check_round_trip(two, want, two_octet_ctx());
}

TEST_CASE("attribute: COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST", "[wire]")
{
    const std::uint8_t wire[] = {
        0xc0, 0x08, 0x08,       // flags optional transitive, type COMMUNITIES, length 8
        0xff, 0xff, 0x00, 0x00, //   65535:0 GRACEFUL_SHUTDOWN
        0xfd, 0xe8, 0x00, 0x07, //   65000:7
        0x80, 0x09, 0x04,       // flags optional, type ORIGINATOR_ID, length 4
        0x0a, 0x00, 0x00, 0x01, //   10.0.0.1
        0x80, 0x0a, 0x08,       // flags optional, type CLUSTER_LIST, length 8
        0x0a, 0x00, 0x00, 0x02, //   10.0.0.2
        0x0a, 0x00, 0x00, 0x03, //   10.0.0.3
    };
    PathAttributes want;
    want.communities = std::vector<Community>{community::graceful_shutdown, 0xfde80007};
    want.originator_id = 0x0a000001;
    want.cluster_list = std::vector<std::uint32_t>{0x0a000002, 0x0a000003};
    check_round_trip(wire, want, four_octet_ctx());
}

TEST_CASE("attribute: EXTENDED_COMMUNITIES, LARGE_COMMUNITIES, ONLY_TO_CUSTOMER", "[wire]")
{
    const std::uint8_t wire[] = {
        0xc0, 0x10, 0x08,       // flags optional transitive, type EXTENDED_COMMUNITIES, len 8
        0x00, 0x02, 0xfd, 0xe8, //   type 0x00 sub 0x02 (route target), AS 65000
        0x00, 0x00, 0x00, 0x64, //   local 100
        0xc0, 0x20, 0x0c,       // flags optional transitive, type LARGE_COMMUNITIES, len 12
        0xfa, 0x56, 0xea, 0x00, //   global administrator 4200000000
        0x00, 0x00, 0x00, 0x01, //   local data 1
        0x00, 0x00, 0x00, 0x02, //   local data 2
        0xc0, 0x23, 0x04,       // flags optional transitive, type ONLY_TO_CUSTOMER, len 4
        0x00, 0x00, 0xfd, 0xe8, //   AS 65000
    };
    PathAttributes want;
    want.extended_communities =
        std::vector<ExtendedCommunity>{{{0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64}}};
    want.large_communities = std::vector<LargeCommunity>{{4200000000, 1, 2}};
    want.only_to_customer = 65000;
    check_round_trip(wire, want, four_octet_ctx());
}

TEST_CASE("attribute: MP_REACH_NLRI IPv6 with global next hop (RFC 4760 §3)", "[wire]")
{
    const std::uint8_t wire[] = {
        0x80, 0x0e, 0x1c,                               // optional, MP_REACH_NLRI, length 28
        0x00, 0x02,                                     //   AFI IPv6
        0x01,                                           //   SAFI unicast
        0x10,                                           //   next hop length 16
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   next hop 2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00,                               //   reserved
        0x30,                               //   NLRI /48
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, //     2001:db8:1::/48
        0x40, 0x01, 0x01,                   // ORIGIN, length 1
        0x00,                               //   IGP
        0x40, 0x02, 0x00,                   // AS_PATH, length 0
    };
    PathAttributes want;
    want.origin = Origin::igp;
    want.as_path = AsPath{};
    want.mp_reach = MpReach{ipv6_unicast,
                            *Address::parse("2001:db8::1"),
                            std::nullopt,
                            {Nlri{*Prefix::parse("2001:db8:1::/48"), 0}}};
    check_round_trip(wire, want, four_octet_ctx());
}

TEST_CASE("attribute: MP_REACH_NLRI IPv6 with link-local next hop (RFC 2545 §3)", "[wire]")
{
    const std::uint8_t wire[] = {
        0x80, 0x0e, 0x36,                               // optional, MP_REACH_NLRI, length 54
        0x00, 0x02,                                     //   AFI IPv6
        0x01,                                           //   SAFI unicast
        0x20,                                           //   next hop length 32
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   global 2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x80, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, //   link-local fe80::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00,                                                             //   reserved
        0x80,                                                             //   NLRI /128
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,                   //     2001:db8::10
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x40, 0x01, 0x01, // ORIGIN, length 1
        0x00,                                                             //   IGP
        0x40, 0x02, 0x00,                                                 // AS_PATH, length 0
    };
    PathAttributes want;
    want.origin = Origin::igp;
    want.as_path = AsPath{};
    want.mp_reach = MpReach{ipv6_unicast,
                            *Address::parse("2001:db8::1"),
                            *Address::parse("fe80::1"),
                            {Nlri{*Prefix::parse("2001:db8::10/128"), 0}}};
    check_round_trip(wire, want, four_octet_ctx());
}

TEST_CASE("attribute: MP_REACH_NLRI IPv4 with IPv4 and IPv6 next hops (RFC 8950)", "[wire]")
{
    const std::uint8_t v4[] = {
        0x80, 0x0e, 0x0d,       // optional, MP_REACH_NLRI, length 13
        0x00, 0x01,             //   AFI IPv4
        0x01,                   //   SAFI unicast
        0x04,                   //   next hop length 4
        0xc0, 0x00, 0x02, 0x01, //   192.0.2.1
        0x00,                   //   reserved
        0x18,                   //   NLRI /24
        0xc6, 0x33, 0x64,       //     198.51.100.0/24
        0x40, 0x01, 0x01,       // ORIGIN, length 1
        0x00,                   //   IGP
        0x40, 0x02, 0x00,       // AS_PATH, length 0
    };
    PathAttributes want;
    want.origin = Origin::igp;
    want.as_path = AsPath{};
    want.mp_reach = MpReach{ipv4_unicast,
                            *Address::parse("192.0.2.1"),
                            std::nullopt,
                            {Nlri{*Prefix::parse("198.51.100.0/24"), 0}}};
    check_round_trip(v4, want, four_octet_ctx());

    const std::uint8_t v6[] = {
        0x80, 0x0e, 0x1a,                               // optional, MP_REACH_NLRI, length 26
        0x00, 0x01,                                     //   AFI IPv4
        0x01,                                           //   SAFI unicast
        0x10,                                           //   next hop length 16 (RFC 8950)
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00,                   //   reserved
        0x20,                   //   NLRI /32
        0xc6, 0x33, 0x64, 0x0a, //     198.51.100.10/32
        0x40, 0x01, 0x01,       // ORIGIN, length 1
        0x00,                   //   IGP
        0x40, 0x02, 0x00,       // AS_PATH, length 0
    };
    want.mp_reach = MpReach{ipv4_unicast,
                            *Address::parse("2001:db8::1"),
                            std::nullopt,
                            {Nlri{*Prefix::parse("198.51.100.10/32"), 0}}};
    check_round_trip(v6, want, four_octet_ctx());
}

TEST_CASE("attribute: MP_REACH_NLRI with ADD-PATH path identifiers (RFC 7911 §3)", "[wire]")
{
    const std::uint8_t wire[] = {
        0x80, 0x0e, 0x1e,                               // optional, MP_REACH_NLRI, length 30
        0x00, 0x02,                                     //   AFI IPv6
        0x01,                                           //   SAFI unicast
        0x10,                                           //   next hop length 16
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00,                   //   reserved
        0x00, 0x00, 0x00, 0x07, //   path id 7
        0x20,                   //   NLRI /32
        0x20, 0x01, 0x0d, 0xb8, //     2001:db8::/32
        0x40, 0x01, 0x01,       // ORIGIN, length 1
        0x00,                   //   IGP
        0x40, 0x02, 0x00,       // AS_PATH, length 0
    };
    CodecContext ctx;
    ctx.add_path_ipv6 = true;
    PathAttributes want;
    want.origin = Origin::igp;
    want.as_path = AsPath{};
    want.mp_reach = MpReach{ipv6_unicast,
                            *Address::parse("2001:db8::1"),
                            std::nullopt,
                            {Nlri{*Prefix::parse("2001:db8::/32"), 7}}};
    check_round_trip(wire, want, ctx);
}

TEST_CASE("attribute: MP_UNREACH_NLRI IPv6 and IPv4 (RFC 4760 §4)", "[wire]")
{
    const std::uint8_t v6[] = {
        0x80, 0x0f, 0x0c,                               // optional, MP_UNREACH_NLRI, length 12
        0x00, 0x02,                                     //   AFI IPv6
        0x01,                                           //   SAFI unicast
        0x40,                                           //   withdrawn /64
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, // 2001:db8:0:1::/64
    };
    PathAttributes want;
    want.mp_unreach = MpUnreach{ipv6_unicast, {Nlri{*Prefix::parse("2001:db8:0:1::/64"), 0}}};
    check_round_trip(v6, want, four_octet_ctx());

    const std::uint8_t v4[] = {
        0x80, 0x0f, 0x08,       // optional, MP_UNREACH_NLRI, length 8
        0x00, 0x01,             //   AFI IPv4
        0x01,                   //   SAFI unicast
        0x20,                   //   withdrawn /32
        0xc6, 0x33, 0x64, 0x0a, //     198.51.100.10/32
    };
    want.mp_unreach = MpUnreach{ipv4_unicast, {Nlri{*Prefix::parse("198.51.100.10/32"), 0}}};
    check_round_trip(v4, want, four_octet_ctx());

    const std::uint8_t eor[] = {
        0x80, 0x0f, 0x03, // optional, MP_UNREACH_NLRI, length 3
        0x00, 0x02,       //   AFI IPv6
        0x01,             //   SAFI unicast (no routes: End-of-RIB, RFC 4724 §2)
    };
    want.mp_unreach = MpUnreach{ipv6_unicast, {}};
    check_round_trip(eor, want, four_octet_ctx());
}

TEST_CASE("attribute: AS4_PATH / AS4_AGGREGATOR toward a 2-octet peer (RFC 6793 §4.2.2)", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40, 0x02, 0x08,       // flags transitive, type AS_PATH, length 8
        0x02, 0x03,             // AS_SEQUENCE, 3 ASes
        0xfd, 0xe9,             //   65001
        0x5b, 0xa0,             //   AS_TRANS 23456 (for 4200000000)
        0xfd, 0xea,             //   65002
        0xc0, 0x07, 0x06,       // flags optional transitive, type AGGREGATOR, length 6
        0x5b, 0xa0,             //   AS_TRANS
        0xc6, 0x33, 0x64, 0x01, //   198.51.100.1
        0xc0, 0x11, 0x0e,       // flags optional transitive, type AS4_PATH, length 14
        0x02, 0x03,             // AS_SEQUENCE, 3 ASes
        0x00, 0x00, 0xfd, 0xe9, //   65001
        0xfa, 0x56, 0xea, 0x00, //   4200000000
        0x00, 0x00, 0xfd, 0xea, //   65002
        0xc0, 0x12, 0x08,       // flags optional transitive, type AS4_AGGREGATOR, length 8
        0xfa, 0x56, 0xea, 0x00, //   AS 4200000000
        0xc6, 0x33, 0x64, 0x01, //   198.51.100.1
    };
    PathAttributes want;
    want.as_path = sequence({65001, 4200000000, 65002});
    want.aggregator = Aggregator{4200000000, 0xc6336401};
    check_round_trip(wire, want, two_octet_ctx());

    // The same route toward a 4-octet peer: no AS4_* at all (RFC 6793 §4.1).
    const std::uint8_t four[] = {
        0x40, 0x02, 0x0e,       // flags transitive, type AS_PATH, length 14
        0x02, 0x03,             // AS_SEQUENCE, 3 ASes
        0x00, 0x00, 0xfd, 0xe9, //   65001
        0xfa, 0x56, 0xea, 0x00, //   4200000000
        0x00, 0x00, 0xfd, 0xea, //   65002
        0xc0, 0x07, 0x08,       // flags optional transitive, type AGGREGATOR, length 8
        0xfa, 0x56, 0xea, 0x00, //   AS 4200000000
        0xc6, 0x33, 0x64, 0x01, //   198.51.100.1
    };
    check_round_trip(four, want, four_octet_ctx());
}

TEST_CASE("attribute: a mappable path sends no AS4_PATH (RFC 6793 §4.2.2)", "[wire]")
{
    PathAttributes a;
    a.as_path = sequence({65001, 65002});
    a.aggregator = Aggregator{65003, 1};
    const Bytes wire = encode_attrs(a, two_octet_ctx());
    const std::uint8_t want[] = {
        0x40, 0x02, 0x06,       // AS_PATH, length 6
        0x02, 0x02,             //   AS_SEQUENCE, 2 ASes
        0xfd, 0xe9, 0xfd, 0xea, //   65001 65002
        0xc0, 0x07, 0x06,       // AGGREGATOR, length 6
        0xfd, 0xeb,             //   AS 65003
        0x00, 0x00, 0x00, 0x01, //   0.0.0.1
    };
    CHECK(wire == Bytes(std::begin(want), std::end(want)));
}

TEST_CASE("attribute: AS4_PATH leaves out confederation segments (RFC 6793 §4.2.2)", "[wire]")
{
    PathAttributes a;
    a.as_path = AsPath{
        {{SegmentType::as_confed_sequence, {65001}}, {SegmentType::as_sequence, {4200000000}}}};
    const Bytes wire = encode_attrs(a, two_octet_ctx());
    const std::uint8_t want[] = {
        0x40, 0x02, 0x08,       // AS_PATH, length 8
        0x03, 0x01, 0xfd, 0xe9, //   AS_CONFED_SEQUENCE 65001
        0x02, 0x01, 0x5b, 0xa0, //   AS_SEQUENCE AS_TRANS
        0xc0, 0x11, 0x06,       // AS4_PATH, length 6
        0x02, 0x01,             //   AS_SEQUENCE, 1 AS
        0xfa, 0x56, 0xea, 0x00, //   4200000000
    };
    CHECK(wire == Bytes(std::begin(want), std::end(want)));
    auto back = decode_body(body_of(wire), two_octet_ctx());
    REQUIRE_FALSE(back.error);
    CHECK(back.update.path_attributes.as_path == a.as_path); // confed segment leads: kept
}

TEST_CASE("attribute: reconcile_as4 joins what an OLD speaker prepended (RFC 6793 §4.2.3)",
          "[wire]")
{
    PathAttributes a;
    a.as_path = sequence({65005, 65001, as_trans, 65002});
    a.as4_path = sequence({65001, 4200000000, 65002});
    reconcile_as4(a);
    CHECK(a.as_path == sequence({65005, 65001, 4200000000, 65002}));
    CHECK_FALSE(a.as4_path);

    SECTION("an AS4_PATH longer than AS_PATH is ignored")
    {
        PathAttributes b;
        b.as_path = sequence({65001});
        b.as4_path = sequence({65001, 4200000000});
        reconcile_as4(b);
        CHECK(b.as_path == sequence({65001}));
        CHECK_FALSE(b.as4_path);
    }
    SECTION("AGGREGATOR with a real AS voids AS4_AGGREGATOR and AS4_PATH")
    {
        PathAttributes b;
        b.as_path = sequence({65001, as_trans});
        b.as4_path = sequence({65001, 4200000000});
        b.aggregator = Aggregator{65009, 1};
        b.as4_aggregator = Aggregator{4200000000, 2};
        reconcile_as4(b);
        CHECK(b.as_path == sequence({65001, as_trans}));
        CHECK(b.aggregator == Aggregator{65009, 1});
        CHECK_FALSE(b.as4_aggregator);
    }
    SECTION("AGGREGATOR with AS_TRANS takes AS4_AGGREGATOR")
    {
        PathAttributes b;
        b.aggregator = Aggregator{as_trans, 1};
        b.as4_aggregator = Aggregator{4200000000, 1};
        reconcile_as4(b);
        CHECK(b.aggregator == Aggregator{4200000000, 1});
    }
    SECTION("an AS_SET counts once and is taken whole")
    {
        PathAttributes b;
        b.as_path =
            AsPath{{{SegmentType::as_set, {65007, 65008}}, {SegmentType::as_sequence, {as_trans}}}};
        b.as4_path = sequence({4200000000});
        reconcile_as4(b);
        CHECK(b.as_path == AsPath{{{SegmentType::as_set, {65007, 65008}},
                                   {SegmentType::as_sequence, {4200000000}}}});
    }
}

TEST_CASE("attribute: AS_PATH segments longer than 255 are split on the wire", "[wire]")
{
    std::vector<Asn> many(300);
    for (std::size_t i = 0; i < many.size(); ++i)
        many[i] = 64512 + static_cast<Asn>(i);
    PathAttributes a;
    a.as_path = sequence(many);
    const Bytes wire = encode_attrs(a, four_octet_ctx());
    // Extended length (value 2 + 255*4 + 2 + 45*4 = 1204 > 255), two AS_SEQUENCE segments.
    REQUIRE(wire.size() == 4 + 1204);
    CHECK(wire[0] == (attr_flag::transitive | attr_flag::extended_length));
    CHECK(wire[2] == 0x04);
    CHECK(wire[3] == 0xb4);
    CHECK(wire[4] == 0x02);
    CHECK(wire[5] == 255);
    CHECK(wire[4 + 2 + 255 * 4 + 1] == 45);
    auto back = decode_body(body_of(wire), four_octet_ctx());
    REQUIRE_FALSE(back.error);
    const auto& segs = back.update.path_attributes.as_path->segments;
    REQUIRE(segs.size() == 2);
    CHECK(segs[0].asns.size() + segs[1].asns.size() == 300);
    CHECK(back.update.path_attributes.as_path->length() == 300);
}

TEST_CASE("attribute: values over 255 octets use Extended Length (RFC 4271 §4.3)", "[wire]")
{
    PathAttributes a;
    a.communities = std::vector<Community>(64, 0xfde80001); // 256 octets
    const Bytes wire = encode_attrs(a, four_octet_ctx());
    REQUIRE(wire.size() == 4 + 256);
    CHECK(wire[0] == (attr_flag::optional | attr_flag::transitive | attr_flag::extended_length));
    CHECK(wire[2] == 0x01);
    CHECK(wire[3] == 0x00);
    a.communities->pop_back(); // 252 octets: one-octet length
    CHECK(encode_attrs(a, four_octet_ctx()).size() == 3 + 252);
    auto back = decode_body(body_of(wire), four_octet_ctx());
    REQUIRE_FALSE(back.error);
    CHECK(back.update.path_attributes.communities->size() == 64);
}

TEST_CASE("attribute: received layout is kept: order, Extended Length, Partial", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40, 0x03, 0x04,       // NEXT_HOP first (not canonical), length 4
        0xc0, 0x00, 0x02, 0x01, //   192.0.2.1
        0x50, 0x02, 0x00, 0x06, // AS_PATH with Extended Length for a short value, length 6
        0x02, 0x01,             //   AS_SEQUENCE, 1 AS
        0x00, 0x00, 0xfd, 0xe9, //   65001
        0xe0, 0x08, 0x04,       // COMMUNITIES with Partial set, length 4
        0xfd, 0xe9, 0x00, 0x01, //   65001:1
        0x40, 0x01, 0x01,       // ORIGIN last, length 1
        0x00,                   //   IGP
    };
    PathAttributes want;
    want.origin = Origin::igp;
    want.as_path = sequence({65001});
    want.next_hop = 0xc0000201;
    want.communities = std::vector<Community>{0xfde90001};
    check_round_trip(wire, want, four_octet_ctx(), false);

    const std::uint8_t canonical[] = {
        0x40, 0x01, 0x01, 0x00,                   // ORIGIN IGP
        0x40, 0x02, 0x06, 0x02, 0x01,             // AS_PATH, AS_SEQUENCE 1 AS
        0x00, 0x00, 0xfd, 0xe9,                   //   65001
        0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // NEXT_HOP 192.0.2.1
        0xc0, 0x08, 0x04, 0xfd, 0xe9, 0x00, 0x01, // COMMUNITIES 65001:1
    };
    CHECK(encode_attrs(want, four_octet_ctx()) ==
          Bytes(std::begin(canonical), std::end(canonical)));
}

TEST_CASE("attribute: unknown optional transitive kept and sent with Partial (RFC 4271 §5)",
          "[wire]")
{
    const std::uint8_t wire[] = {
        0xe0, 0x63, 0x03, // flags optional transitive partial, type 99, length 3
        0x01, 0x02, 0x03, //   opaque value
    };
    PathAttributes want;
    want.unknown.push_back(UnknownAttribute{0xe0, 99, {1, 2, 3}});
    check_round_trip(wire, want, four_octet_ctx());

    // Received without Partial: re-sent with Partial (the only change).
    const std::uint8_t fresh[] = {
        0xc0, 0x63, 0x03, // flags optional transitive, type 99, length 3
        0x01, 0x02, 0x03, //   opaque value
    };
    auto o = decode_body(body_of(fresh), four_octet_ctx());
    REQUIRE_FALSE(o.error);
    REQUIRE(o.update.path_attributes.unknown.size() == 1);
    const Bytes out = encode_attrs(o.update.path_attributes, four_octet_ctx());
    CHECK(out == Bytes(std::begin(wire), std::end(wire)));
}

TEST_CASE("attribute: unknown optional non-transitive is dropped quietly (RFC 4271 §5)", "[wire]")
{
    const std::uint8_t wire[] = {
        0x80, 0x63, 0x02, // flags optional non-transitive, type 99, length 2
        0xaa, 0xbb,       //   opaque value
        0x40, 0x01, 0x01, // ORIGIN, length 1
        0x01,             //   EGP
    };
    auto o = decode_body(body_of(wire), four_octet_ctx());
    REQUIRE_FALSE(o.error);
    CHECK(o.update.path_attributes.unknown.empty());
    CHECK(o.update.path_attributes.origin == Origin::egp);
    const std::uint8_t resent[] = {0x40, 0x01, 0x01, 0x01};
    CHECK(encode_attrs(o.update.path_attributes, four_octet_ctx()) ==
          Bytes(std::begin(resent), std::end(resent)));
}

TEST_CASE("attribute: PathAttributes equality ignores the wire layout", "[wire]")
{
    PathAttributes a;
    a.origin = Origin::igp;
    PathAttributes b = a;
    b.order = {1};
    b.flags = {0x40};
    CHECK(a == b);
    b.multi_exit_disc = 5;
    CHECK_FALSE(a == b);
}
