// Capability list codec: every capability round-trips both ways on a commented wire vector,
// unknown codes are kept (RFC 5492 §4), and every malformed length is OPEN Message Error /
// Unspecific (2/0, RFC 4271 §6.2) at the exact offset.
#include <catch2/catch.hpp>

#include "bgp/capability.hpp"

using namespace vipd::bgp;

namespace {

// Decodes a capability list that starts at message offset `base`.
tl::expected<std::vector<Capability>, DecodeError> decode(ByteView wire, std::size_t base = 0)
{
    Reader r(wire, base);
    return decode_capabilities(r);
}

Bytes encode(const std::vector<Capability>& caps)
{
    Bytes out;
    Writer w(out);
    encode_capabilities(caps, w);
    return out;
}

// Both directions: wire → value and value → wire.
void round_trip(ByteView wire, const Capability& expected)
{
    auto decoded = decode(wire);
    REQUIRE(decoded.has_value());
    REQUIRE(decoded->size() == 1);
    CHECK(decoded->front() == expected);
    CHECK(encode({expected}) == Bytes(wire.begin(), wire.end()));
}

void require_malformed(ByteView wire, std::size_t offset)
{
    auto decoded = decode(wire, 100);
    REQUIRE_FALSE(decoded.has_value());
    const DecodeError& e = decoded.error();
    CHECK(e.code == 2);    // OPEN Message Error
    CHECK(e.subcode == 0); // Unspecific
    CHECK(e.data.empty());
    CHECK(e.offset == 100 + offset);
    CHECK(e.action == Rfc7606::session_reset);
    CHECK_FALSE(e.what.empty());
}

} // namespace

TEST_CASE("capability: multiprotocol round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0x01,       // code 1 multiprotocol
        0x04,       // length 4
        0x00, 0x02, // AFI 2 IPv6
        0x00,       // reserved
        0x01,       // SAFI 1 unicast
    };
    round_trip(wire, MultiprotocolCap{ipv6_unicast, 0});
    CHECK(capability_name(MultiprotocolCap{}) == "multiprotocol");
    CHECK(capability_code(MultiprotocolCap{}) == 1);
}

TEST_CASE("capability: multiprotocol keeps unknown AFI/SAFI and reserved octet", "[wire]")
{
    const std::uint8_t wire[] = {
        0x01,       // code 1 multiprotocol
        0x04,       // length 4
        0x00, 0x19, // AFI 25 L2VPN
        0x07,       // reserved (non-zero, kept for re-encoding)
        0x46,       // SAFI 70 EVPN
    };
    round_trip(wire, MultiprotocolCap{AfiSafi{static_cast<Afi>(25), static_cast<Safi>(70)}, 7});
}

TEST_CASE("capability: route refresh, enhanced route refresh, extended message", "[wire]")
{
    const std::uint8_t rr[] = {
        0x02, // code 2 route refresh
        0x00, // length 0
    };
    const std::uint8_t err[] = {
        0x46, // code 70 enhanced route refresh
        0x00, // length 0
    };
    const std::uint8_t ext[] = {
        0x06, // code 6 extended message
        0x00, // length 0
    };
    round_trip(rr, RouteRefreshCap{});
    round_trip(err, EnhancedRouteRefreshCap{});
    round_trip(ext, ExtendedMessageCap{});
    CHECK(capability_name(RouteRefreshCap{}) == "route-refresh");
    CHECK(capability_name(EnhancedRouteRefreshCap{}) == "enhanced-route-refresh");
    CHECK(capability_name(ExtendedMessageCap{}) == "extended-message");
}

TEST_CASE("capability: four-octet AS round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0x41,                   // code 65 four-octet AS
        0x04,                   // length 4
        0xfa, 0x56, 0xea, 0x01, // AS 4200000001
    };
    round_trip(wire, FourOctetAsCap{4200000001u});
    CHECK(capability_name(FourOctetAsCap{}) == "four-octet-as");
}

TEST_CASE("capability: graceful restart with R and N bits and per-family F bits", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40,       // code 64 graceful restart
        0x0a,       // length 10
        0xc0, 0x78, // R=1 N=1, restart time 120
        0x00, 0x01, // AFI 1 IPv4
        0x01,       // SAFI 1 unicast
        0x80,       // F=1
        0x00, 0x02, // AFI 2 IPv6
        0x01,       // SAFI 1 unicast
        0x00,       // F=0
    };
    GracefulRestartCap gr;
    gr.restart_state = true;
    gr.notification = true;
    gr.restart_time = 120;
    gr.families = {{ipv4_unicast, true}, {ipv6_unicast, false}};
    round_trip(wire, gr);
    CHECK(capability_name(gr) == "graceful-restart");
}

TEST_CASE("capability: graceful restart helper mode (no families, 12-bit time)", "[wire]")
{
    const std::uint8_t wire[] = {
        0x40,       // code 64 graceful restart
        0x02,       // length 2
        0x0f, 0xff, // R=0 N=0, restart time 4095
    };
    GracefulRestartCap gr;
    gr.restart_time = 4095;
    round_trip(wire, gr);
}

TEST_CASE("capability: ADD-PATH round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0x45,       // code 69 ADD-PATH
        0x08,       // length 8
        0x00, 0x01, // AFI 1 IPv4
        0x01,       // SAFI 1 unicast
        0x03,       // send/receive 3 both
        0x00, 0x02, // AFI 2 IPv6
        0x01,       // SAFI 1 unicast
        0x01,       // send/receive 1 receive
    };
    AddPathCap ap;
    ap.families = {{ipv4_unicast, AddPathCap::both}, {ipv6_unicast, AddPathCap::receive}};
    round_trip(wire, ap);
    CHECK(capability_name(ap) == "add-path");
}

TEST_CASE("capability: ADD-PATH keeps an out-of-range send/receive value", "[wire]")
{
    const std::uint8_t wire[] = {
        0x45,       // code 69 ADD-PATH
        0x04,       // length 4
        0x00, 0x01, // AFI 1 IPv4
        0x01,       // SAFI 1 unicast
        0x07,       // send/receive 7 (invalid: negotiation ignores it, RFC 7911 §4)
    };
    AddPathCap ap;
    ap.families = {{ipv4_unicast, 7}};
    round_trip(wire, ap);
}

TEST_CASE("capability: extended next hop round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0x05,       // code 5 extended next hop
        0x06,       // length 6
        0x00, 0x01, // NLRI AFI 1 IPv4
        0x00, 0x01, // NLRI SAFI 1 unicast (2 octets)
        0x00, 0x02, // next hop AFI 2 IPv6
    };
    ExtendedNextHopCap nh;
    nh.entries = {{Afi::ipv4, 1, Afi::ipv6}};
    round_trip(wire, nh);
    CHECK(capability_name(nh) == "extended-next-hop");
}

TEST_CASE("capability: BGP role round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0x09, // code 9 BGP role
        0x01, // length 1
        0x03, // role 3 customer
    };
    round_trip(wire, BgpRoleCap{Role::customer});
    CHECK(capability_name(BgpRoleCap{}) == "bgp-role");
}

TEST_CASE("capability: FQDN round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0x49,                     // code 73 FQDN
        0x0f,                     // length 15
        0x02,                     // hostname length 2
        'r',  '1',                // hostname "r1"
        0x0b,                     // domain length 11
        'e',  'x', 'a', 'm', 'p', // domain "example.net"
        'l',  'e', '.', 'n', 'e', 't',
    };
    round_trip(wire, FqdnCap{"r1", "example.net"});
    CHECK(capability_name(FqdnCap{}) == "fqdn");
}

TEST_CASE("capability: FQDN encoding cuts names to the 1-octet capability length", "[wire]")
{
    FqdnCap big{std::string(300, 'h'), std::string(300, 'd')};
    Bytes out = encode({big});
    REQUIRE(out.size() == 2 + 255); // code, length, 255 octets of value
    CHECK(out[1] == 255);
    CHECK(out[2] == 253);         // hostname cut to 253
    CHECK(out[2 + 1 + 253] == 0); // no room left for the domain
    auto back = decode(out);
    REQUIRE(back.has_value());
    CHECK(std::get<FqdnCap>(back->front()) == FqdnCap{std::string(253, 'h'), ""});
}

TEST_CASE("capability: unknown codes are kept verbatim (RFC 5492 §4)", "[wire]")
{
    const std::uint8_t wire[] = {
        0x80,       // code 128 (Cisco pre-standard route refresh)
        0x00,       // length 0
        0x83,       // code 131
        0x02,       // length 2
        0xab, 0xcd, // value
    };
    auto decoded = decode(wire);
    REQUIRE(decoded.has_value());
    const std::vector<Capability> expected{UnknownCap{128, {}}, UnknownCap{131, {0xab, 0xcd}}};
    CHECK(*decoded == expected);
    CHECK(encode(expected) == Bytes(std::begin(wire), std::end(wire)));
    CHECK(capability_name(expected[1]) == "unknown-131");
    CHECK(capability_code(expected[1]) == 131);
}

TEST_CASE("capability: several capabilities in one list keep their order", "[wire]")
{
    const std::uint8_t wire[] = {
        0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol IPv4 unicast
        0x02, 0x00,                         // route refresh
        0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9, // four-octet AS 65001
    };
    auto decoded = decode(wire);
    REQUIRE(decoded.has_value());
    const std::vector<Capability> expected{MultiprotocolCap{ipv4_unicast, 0}, RouteRefreshCap{},
                                           FourOctetAsCap{65001}};
    CHECK(*decoded == expected);
    CHECK(encode(expected) == Bytes(std::begin(wire), std::end(wire)));
}

TEST_CASE("capability: empty list", "[wire]")
{
    auto decoded = decode({});
    REQUIRE(decoded.has_value());
    CHECK(decoded->empty());
}

TEST_CASE("capability: malformed value lengths are 2/0 at the length octet", "[wire]")
{
    SECTION("multiprotocol length 3")
    {
        const std::uint8_t wire[] = {
            0x01,             // code 1 multiprotocol
            0x03,             // length 3 (must be 4)
            0x00, 0x01, 0x00, // truncated value
        };
        require_malformed(wire, 1);
    }
    SECTION("four-octet AS length 2")
    {
        const std::uint8_t wire[] = {
            0x41,       // code 65 four-octet AS
            0x02,       // length 2 (must be 4)
            0xfd, 0xe9, // 2-octet value
        };
        require_malformed(wire, 1);
    }
    SECTION("route refresh with a value")
    {
        const std::uint8_t wire[] = {
            0x02, // code 2 route refresh
            0x01, // length 1 (must be 0)
            0x00, // value
        };
        require_malformed(wire, 1);
    }
    SECTION("enhanced route refresh with a value")
    {
        const std::uint8_t wire[] = {
            0x46, // code 70 enhanced route refresh
            0x01, // length 1 (must be 0)
            0x00, // value
        };
        require_malformed(wire, 1);
    }
    SECTION("extended message with a value")
    {
        const std::uint8_t wire[] = {
            0x06, // code 6 extended message
            0x01, // length 1 (must be 0)
            0x00, // value
        };
        require_malformed(wire, 1);
    }
    SECTION("graceful restart length 5")
    {
        const std::uint8_t wire[] = {
            0x40,             // code 64 graceful restart
            0x05,             // length 5 (must be 2 + 4n)
            0x00, 0x78,       // restart time 120
            0x00, 0x01, 0x01, // a 3-octet family
        };
        require_malformed(wire, 1);
    }
    SECTION("graceful restart length 1")
    {
        const std::uint8_t wire[] = {
            0x40, // code 64 graceful restart
            0x01, // length 1 (must be at least 2)
            0x00, // half a flags/time field
        };
        require_malformed(wire, 1);
    }
    SECTION("ADD-PATH length 3")
    {
        const std::uint8_t wire[] = {
            0x45,             // code 69 ADD-PATH
            0x03,             // length 3 (must be 4n)
            0x00, 0x01, 0x01, // family without send/receive
        };
        require_malformed(wire, 1);
    }
    SECTION("extended next hop length 4")
    {
        const std::uint8_t wire[] = {
            0x05,                   // code 5 extended next hop
            0x04,                   // length 4 (must be 6n)
            0x00, 0x01, 0x00, 0x01, // entry without next hop AFI
        };
        require_malformed(wire, 1);
    }
    SECTION("BGP role length 2")
    {
        const std::uint8_t wire[] = {
            0x09,       // code 9 BGP role
            0x02,       // length 2 (must be 1)
            0x03, 0x00, // value
        };
        require_malformed(wire, 1);
    }
    SECTION("FQDN hostname length runs past the capability")
    {
        const std::uint8_t wire[] = {
            0x49,      // code 73 FQDN
            0x03,      // length 3
            0x05,      // hostname length 5 (only 2 octets follow)
            'a',  'b', // hostname
        };
        require_malformed(wire, 2);
    }
    SECTION("FQDN without a domain length")
    {
        const std::uint8_t wire[] = {
            0x49,      // code 73 FQDN
            0x03,      // length 3
            0x02,      // hostname length 2
            'a',  'b', // hostname; the domain length octet is missing
        };
        require_malformed(wire, 5);
    }
    SECTION("FQDN with octets after the domain")
    {
        const std::uint8_t wire[] = {
            0x49, // code 73 FQDN
            0x04, // length 4
            0x00, // hostname length 0
            0x01, // domain length 1
            'd',  // domain
            0x00, // stray octet
        };
        require_malformed(wire, 5);
    }
    SECTION("capability length runs past the parameter")
    {
        const std::uint8_t wire[] = {
            0x41,       // code 65 four-octet AS
            0x04,       // length 4 (only 2 octets follow)
            0x00, 0x00, // partial value
        };
        require_malformed(wire, 1);
    }
    SECTION("a lone code octet")
    {
        const std::uint8_t wire[] = {
            0x02, 0x00, // route refresh
            0x41,       // code 65 without a length octet
        };
        require_malformed(wire, 2);
    }
}
