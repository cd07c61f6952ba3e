// Community text as written in the configuration and printed back by --check-config:
//   communities          "65000:100", or a well-known name: "graceful-shutdown" (65535:0,
//                        RFC 8326), "blackhole" (65535:666, RFC 7999), "no-export",
//                        "no-advertise", "no-export-subconfed" (RFC 1997), "no-peer" (RFC 3765)
//   large communities    "4200000000:1:2" (RFC 8092)
//   extended communities "rt:65000:100", "soo:65000:100" (2-octet AS, RFC 4360 §3.1),
//                        "rt:4200000000:100" (4-octet AS, RFC 5668), "rt:192.0.2.1:100"
//                        (IPv4 address, RFC 4360 §3.2), or any 8 octets as "0x" + 16 hex digits.
// Pure text <-> value conversion; parse(format(x)) == x for every value.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "bgp/attribute.hpp"

namespace vipd::bgp {

/// Errors say what is wrong: "65536:1: 65536 is more than 65535".
[[nodiscard]] tl::expected<Community, std::string> parse_community(std::string_view text);
[[nodiscard]] std::string format_community(Community c);

[[nodiscard]] tl::expected<LargeCommunity, std::string>
parse_large_community(std::string_view text);
[[nodiscard]] std::string format_large_community(const LargeCommunity& c);

[[nodiscard]] tl::expected<ExtendedCommunity, std::string>
parse_extended_community(std::string_view text);
[[nodiscard]] std::string format_extended_community(const ExtendedCommunity& c);

} // namespace vipd::bgp
