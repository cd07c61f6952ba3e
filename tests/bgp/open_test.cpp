// OPEN codec: round trips in the RFC 4271 and RFC 9072 encodings, automatic choice of the
// extended form, and every OPEN syntax error of RFC 4271 §6.2 / RFC 9072 with its exact
// code, subcode, data and offset.
#include <catch2/catch.hpp>

#include "bgp/message.hpp"

using namespace vipd::bgp;

namespace {

void round_trip(ByteView wire, const Open& expected)
{
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE(decoded.has_value());
    CHECK(std::get<Open>(*decoded) == expected);
    CHECK(encode_message(expected, CodecContext{}) == Bytes(wire.begin(), wire.end()));
}

void require_open_error(ByteView wire, std::uint8_t subcode, const Bytes& data, std::size_t offset)
{
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE_FALSE(decoded.has_value());
    const DecodeError& e = decoded.error();
    CHECK(e.code == 2); // OPEN Message Error
    CHECK(e.subcode == subcode);
    CHECK(e.data == data);
    CHECK(e.offset == offset);
    CHECK(e.action == Rfc7606::session_reset);
    CHECK_FALSE(e.what.empty());
}

Open base_open()
{
    Open m;
    m.my_as = 65001;
    m.hold_time = 90;
    m.bgp_identifier = 0xc0000201; // 192.0.2.1
    return m;
}

} // namespace

TEST_CASE("open: classic OPEN with one capabilities parameter", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x33, // length 51
        0x01,                                                       // type OPEN
        0x04,                                                       // version 4
        0xfd, 0xe9,                                                 // my AS 65001
        0x00, 0x5a,                                                 // hold time 90
        0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier 192.0.2.1
        0x16,                                                       // optional parameters length 22
        0x02, 0x14,                         // parameter 2 capabilities, length 20
        0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol IPv4 unicast
        0x01, 0x04, 0x00, 0x02, 0x00, 0x01, // multiprotocol IPv6 unicast
        0x02, 0x00,                         // route refresh
        0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9, // four-octet AS 65001
    };
    Open m = base_open();
    m.optional_parameters = {
        CapabilitiesParameter{{MultiprotocolCap{ipv4_unicast, 0}, MultiprotocolCap{ipv6_unicast, 0},
                               RouteRefreshCap{}, FourOctetAsCap{65001}}}};
    round_trip(wire, m);
    CHECK(m.capabilities().size() == 4);
}

TEST_CASE("open: one capability per parameter keeps its layout", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x31, // length 49
        0x01,                                                       // type OPEN
        0x04,                                                       // version 4
        0x5b, 0xa0,                                                 // my AS 23456 (AS_TRANS)
        0x00, 0xb4,                                                 // hold time 180
        0x0a, 0x00, 0x00, 0x01,                                     // BGP identifier 10.0.0.1
        0x14,                                                       // optional parameters length 20
        0x02, 0x06,                                                 // parameter 2, length 6
        0x01, 0x04, 0x00, 0x01, 0x00, 0x01,                         // multiprotocol IPv4 unicast
        0x02, 0x02,                                                 // parameter 2, length 2
        0x02, 0x00,                                                 // route refresh
        0x02, 0x06,                                                 // parameter 2, length 6
        0x41, 0x04, 0xfa, 0x56, 0xea, 0x01,                         // four-octet AS 4200000001
    };
    Open m;
    m.my_as = as_trans;
    m.hold_time = 180;
    m.bgp_identifier = 0x0a000001;
    m.optional_parameters = {CapabilitiesParameter{{MultiprotocolCap{ipv4_unicast, 0}}},
                             CapabilitiesParameter{{RouteRefreshCap{}}},
                             CapabilitiesParameter{{FourOctetAsCap{4200000001u}}}};
    round_trip(wire, m);
    const std::vector<Capability> all{MultiprotocolCap{ipv4_unicast, 0}, RouteRefreshCap{},
                                      FourOctetAsCap{4200000001u}};
    CHECK(m.capabilities() == all);
}

TEST_CASE("open: OPEN without optional parameters", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1d, // length 29
        0x01,                                                       // type OPEN
        0x04,                                                       // version 4
        0xfd, 0xe9,                                                 // my AS 65001
        0x00, 0x5a,                                                 // hold time 90
        0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier 192.0.2.1
        0x00,                                                       // optional parameters length 0
    };
    round_trip(wire, base_open());
    CHECK(base_open().capabilities().empty());
}

TEST_CASE("open: RFC 9072 extended encoding of a short parameter list", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x29, // length 41
        0x01,                                                       // type OPEN
        0x04,                                                       // version 4
        0xfd, 0xe9,                                                 // my AS 65001
        0x00, 0x5a,                                                 // hold time 90
        0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier 192.0.2.1
        0xff,                                                       // Non-Ext OP Len 255
        0xff,                               // Non-Ext OP Type 255 (extended)
        0x00, 0x09,                         // Extended Opt. Parm. Length 9
        0x02, 0x00, 0x06,                   // parameter 2, 2-octet length 6
        0x41, 0x04, 0xfa, 0x56, 0xea, 0x01, // four-octet AS 4200000001
    };
    Open m = base_open();
    m.optional_parameters = {CapabilitiesParameter{{FourOctetAsCap{4200000001u}}}};
    m.extended_parameters_length = true;
    round_trip(wire, m);
}

TEST_CASE("open: RFC 9072 ignores the Non-Ext OP Len value once extended", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x23, // length 35
        0x01,                                                       // type OPEN
        0x04,                                                       // version 4
        0xfd, 0xe9,                                                 // my AS 65001
        0x00, 0x5a,                                                 // hold time 90
        0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier 192.0.2.1
        0x01,             // Non-Ext OP Len 1 (any non-zero)
        0xff,             // Non-Ext OP Type 255 (extended)
        0x00, 0x03,       // Extended Opt. Parm. Length 3
        0x02, 0x00, 0x00, // parameter 2, 2-octet length 0
    };
    Open m = base_open();
    m.optional_parameters = {CapabilitiesParameter{}};
    m.extended_parameters_length = true;
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE(decoded.has_value());
    CHECK(std::get<Open>(*decoded) == m);
    // Re-encoding writes the Non-Ext OP Len RFC 9072 §2 asks for (255); the rest is equal.
    Bytes expected(std::begin(wire), std::end(wire));
    expected[28] = 0xff;
    CHECK(encode_message(m, CodecContext{}) == expected);
}

TEST_CASE("open: parameters over 255 octets are encoded in the RFC 9072 form", "[wire]")
{
    Open m = base_open();
    CapabilitiesParameter caps;
    for (int i = 0; i < 43; ++i) // 43 x 6 = 258 octets of capabilities
        caps.capabilities.push_back(
            MultiprotocolCap{AfiSafi{Afi::ipv4, static_cast<Safi>(i + 1)}, 0});
    m.optional_parameters = {caps};
    Bytes wire = encode_message(m, CodecContext{});
    REQUIRE(wire.size() == 19 + 10 + 3 + 3 + 258);
    CHECK(wire[28] == 0xff); // Non-Ext OP Len 255
    CHECK(wire[29] == 0xff); // Non-Ext OP Type 255
    CHECK(wire[30] == 0x01); // Extended Opt. Parm. Length 261 (high octet)
    CHECK(wire[31] == 0x05); // (low octet)
    CHECK(wire[32] == 0x02); // parameter type 2
    CHECK(wire[33] == 0x01); // parameter length 258 (high octet)
    CHECK(wire[34] == 0x02); // (low octet)
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE(decoded.has_value());
    Open expected = m;
    expected.extended_parameters_length = true;
    CHECK(std::get<Open>(*decoded) == expected);
    CHECK(encode_message(expected, CodecContext{}) == wire);
}

TEST_CASE("open: 255 octets of parameters still use the classic form", "[wire]")
{
    Open m = base_open();
    // One unknown capability with 251 octets of value: 2 + 2 + 251 = 255 octets in total.
    m.optional_parameters = {CapabilitiesParameter{{UnknownCap{200, Bytes(251, 0x11)}}}};
    Bytes wire = encode_message(m, CodecContext{});
    REQUIRE(wire.size() == 19 + 10 + 255);
    CHECK(wire[28] == 255); // classic Optional Parameters Length 255
    CHECK(wire[29] == 2);   // first parameter type 2, not the RFC 9072 marker
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE(decoded.has_value());
    CHECK(std::get<Open>(*decoded) == m);
}

TEST_CASE("open: syntax errors (RFC 4271 §6.2)", "[wire]")
{
    SECTION("unsupported version → 2/1 with the supported version as data")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1d, // length 29
            0x01,                                                       // type OPEN
            0x03,                                                       // version 3
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x00, // optional parameters length 0
        };
        require_open_error(wire, 1, {0x00, 0x04}, 19);
    }
    SECTION("version 5 → 2/1, data 4")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1d, // length 29
            0x01,                                                       // type OPEN
            0x05,                                                       // version 5
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x00, // optional parameters length 0
        };
        require_open_error(wire, 1, {0x00, 0x04}, 19);
    }
    SECTION("optional parameters length longer than the message → 2/0")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1f, // length 31
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x03,       // optional parameters length 3
            0x02, 0x00, // only 2 octets follow
        };
        require_open_error(wire, 0, {}, 28);
    }
    SECTION("octets after the optional parameters → 2/0")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1f, // length 31
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x00,       // optional parameters length 0
            0x02, 0x00, // 2 stray octets
        };
        require_open_error(wire, 0, {}, 28);
    }
    SECTION("unknown optional parameter type → 2/4")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x20, // length 32
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x03,             // optional parameters length 3
            0x01, 0x01, 0x00, // parameter 1 (authentication)
        };
        require_open_error(wire, 4, {}, 29);
    }
    SECTION("type 255 after the first parameter is an unknown type → 2/4")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x21, // length 33
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x04,       // optional parameters length 4
            0x02, 0x00, // parameter 2, length 0
            0xff, 0x00, // parameter 255, length 0
        };
        require_open_error(wire, 4, {}, 31);
    }
    SECTION("parameter length runs past the optional parameters → 2/0")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x21, // length 33
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x04,       // optional parameters length 4
            0x02, 0x05, // parameter 2, length 5
            0x02, 0x00, // only 2 octets
        };
        require_open_error(wire, 0, {}, 30);
    }
    SECTION("parameter without a length octet → 2/0")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1e, // length 30
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x01, // optional parameters length 1
            0x02, // parameter type 2, no length
        };
        require_open_error(wire, 0, {}, 30);
    }
    SECTION("malformed capability inside the parameter → 2/0 at the capability length")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x23, // length 35
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x06,                   // optional parameters length 6
            0x02, 0x04,             // parameter 2, length 4
            0x41, 0x02, 0xfd, 0xe9, // four-octet AS with length 2
        };
        require_open_error(wire, 0, {}, 32);
    }
}

TEST_CASE("open: RFC 9072 syntax errors", "[wire]")
{
    SECTION("extended length field truncated → 2/0")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1f, // length 31
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0x02,                                                       // Non-Ext OP Len 2
            0xff,                                                       // Non-Ext OP Type 255
            0x00, // half of the extended length
        };
        require_open_error(wire, 0, {}, 30);
    }
    SECTION("extended length disagrees with the message → 2/0")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x23, // length 35
            0x01,                                                       // type OPEN
            0x04,                                                       // version 4
            0xfd, 0xe9,                                                 // my AS 65001
            0x00, 0x5a,                                                 // hold time 90
            0xc0, 0x00, 0x02, 0x01,                                     // BGP identifier
            0xff,                                                       // Non-Ext OP Len 255
            0xff,                                                       // Non-Ext OP Type 255
            0x00, 0x09,       // Extended length 9 (3 follow)
            0x02, 0x00, 0x00, // parameter 2, length 0
        };
        require_open_error(wire, 0, {}, 30);
    }
}
