// Community text: standard, well-known names, large and extended communities, both ways.
#include <catch2/catch.hpp>

#include "bgp/community_text.hpp"

using namespace vipd::bgp;
namespace community = vipd::bgp::community;

TEST_CASE("standard communities and well-known names", "[config]")
{
    CHECK(parse_community("65000:100") == ((65000u << 16) | 100u));
    CHECK(parse_community("0:0") == 0u);
    CHECK(parse_community("65535:0") == community::graceful_shutdown);
    CHECK(parse_community("graceful-shutdown") == community::graceful_shutdown);
    CHECK(parse_community("blackhole") == community::blackhole);
    CHECK(parse_community("no-export") == community::no_export);
    CHECK(parse_community("no-advertise") == community::no_advertise);
    CHECK(parse_community("no-export-subconfed") == community::no_export_subconfed);
    CHECK(parse_community("no-peer") == community::no_peer);
    CHECK(format_community(community::no_export) == "no-export");
    CHECK(format_community(community::graceful_shutdown) == "graceful-shutdown");
    CHECK(format_community((65000u << 16) | 100u) == "65000:100");
}

TEST_CASE("bad standard communities", "[config]")
{
    CHECK(parse_community("65536:1").error() == "65536:1: 65536 is more than 65535");
    CHECK(parse_community("1:x").error() == "1:x: \"x\" is not a number");
    CHECK(parse_community("no_export").error() ==
          "no_export: expected ASN:VALUE (each 0..65535) or a well-known name such as "
          "\"graceful-shutdown\" or \"no-export\"");
    CHECK_FALSE(parse_community("1:2:3"));
    CHECK_FALSE(parse_community(""));
}

TEST_CASE("large communities", "[config]")
{
    const vipd::bgp::LargeCommunity c{4200000000u, 1, 2};
    CHECK(parse_large_community("4200000000:1:2") == c);
    CHECK(format_large_community(c) == "4200000000:1:2");
    CHECK(parse_large_community("4294967296:1:2").error() ==
          "4294967296:1:2: 4294967296 is more than 4294967295");
    CHECK(parse_large_community("1:2").error() ==
          "1:2: expected GLOBAL:LOCAL1:LOCAL2 (each 0..4294967295)");
}

TEST_CASE("extended communities: route target, route origin, raw", "[config]")
{
    using Bytes = std::array<std::uint8_t, 8>;
    // RFC 4360 §3.1 two-octet AS specific, subtype 0x02 route target: AS 65000, value 1.
    CHECK(parse_extended_community("rt:65000:1")->value ==
          Bytes{0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01});
    // Subtype 0x03 route origin.
    CHECK(parse_extended_community("soo:65000:70000")->value ==
          Bytes{0x00, 0x03, 0xfd, 0xe8, 0x00, 0x01, 0x11, 0x70});
    // RFC 5668 four-octet AS specific: AS 4200000000 (0xfa56ea00), value 7.
    CHECK(parse_extended_community("rt:4200000000:7")->value ==
          Bytes{0x02, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x07});
    // RFC 4360 §3.2 IPv4 address specific: 192.0.2.1, value 100.
    CHECK(parse_extended_community("rt:192.0.2.1:100")->value ==
          Bytes{0x01, 0x02, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x64});
    CHECK(parse_extended_community("0x430b030405060708")->value ==
          Bytes{0x43, 0x0b, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});
    for (const char* text : {"rt:65000:1", "soo:65000:70000", "rt:4200000000:7", "rt:192.0.2.1:100",
                             "0x430b030405060708"}) {
        CAPTURE(text);
        CHECK(format_extended_community(*parse_extended_community(text)) == text);
    }
    // A four-octet-AS value whose AS fits in two octets prints as hex so it reads back the same.
    const vipd::bgp::ExtendedCommunity small_as4{{0x02, 0x02, 0x00, 0x00, 0xfd, 0xe8, 0x00, 0x01}};
    CHECK(format_extended_community(small_as4) == "0x02020000fde80001");
    CHECK(parse_extended_community(format_extended_community(small_as4)) == small_as4);
}

TEST_CASE("bad extended communities", "[config]")
{
    CHECK(parse_extended_community("rt:4200000000:70000").error() ==
          "rt:4200000000:70000: 70000 is more than 65535");
    CHECK(parse_extended_community("rt:192.0.2.300:1").error() ==
          "rt:192.0.2.300:1: \"192.0.2.300\" is not an IPv4 address");
    CHECK(parse_extended_community("0x0102").error() ==
          "0x0102: expected \"0x\" and 16 hex digits");
    CHECK(parse_extended_community("0x010203040506070g").error() ==
          "0x010203040506070g: 'g' is not a hex digit");
    CHECK(parse_extended_community("target:1:2").error() ==
          "target:1:2: expected rt:ASN:VALUE, soo:ASN:VALUE, rt:IPV4:VALUE or 0x and 16 hex "
          "digits");
}
