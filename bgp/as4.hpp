// AS_PATH / AS4_PATH segment codec in 2- and 4-octet widths, and the RFC 6793 rules that join
// the two worlds: AS_TRANS substitution when sending to a 2-octet peer, and the §4.2.3
// reconstruction of the real path from AS_PATH + AS4_PATH received from one.
// Must not: know about UPDATE framing or RFC 7606 actions (attribute.cpp decides those).
// RFC 4271 §4.3, RFC 5065 §3, RFC 6793 §4.2, RFC 7606 §7.2.
#pragma once

#include <cstddef>

#include <tl/expected.hpp>

#include "bgp/attribute.hpp"
#include "bgp/wire.hpp"

namespace vipd::bgp {

/// RFC 6793 §4.2.2: AS numbers that fit in two octets ("mappable").
inline constexpr Asn max_two_octet_asn = 0xFFFF;
/// RFC 4271 §4.3: a segment holds at most 255 AS numbers (1-octet count).
inline constexpr std::size_t max_segment_asns = 255;
/// Wire widths of an AS number (RFC 4271 §4.3; RFC 6793 §3).
inline constexpr std::size_t two_octet = 2;
inline constexpr std::size_t four_octet = 4;

/// Decode an AS_PATH-format value whose AS numbers are `width` (2 or 4) octets. Errors
/// (RFC 7606 §7.2): unrecognized segment type, zero segment length, a segment overrunning the
/// value, or a single octet left over. The fault has subcode Malformed AS_PATH (3/11).
[[nodiscard]] tl::expected<AsPath, AttributeFault> decode_as_path(Reader& value, std::size_t width);

/// Octets encode_as_path appends.
[[nodiscard]] std::size_t as_path_size(const AsPath& path, std::size_t width,
                                       bool skip_confed = false);
/// Append `path` with `width`-octet AS numbers; in 2-octet width an AS number above 65535 is
/// written as AS_TRANS (RFC 6793 §4.2.2). Segments longer than 255 are split; empty segments
/// are skipped. `skip_confed` leaves out confederation segments (RFC 6793 §4.2.2, AS4_PATH).
void encode_as_path(const AsPath& path, Writer& w, std::size_t width, bool skip_confed = false);

/// RFC 6793 §4.2.2: does a 2-octet peer need AS4_PATH to see this path? (Some AS number is not
/// mappable and the path has a non-confederation segment to carry it.)
[[nodiscard]] bool needs_as4_path(const AsPath& path);

/// RFC 6793 §4.2.3: fold AS4_AGGREGATOR and AS4_PATH received from a 2-octet peer into
/// aggregator and as_path, then clear them. AS4_* are ignored when AGGREGATOR carries a real AS
/// (not AS_TRANS) or when AS4_PATH is longer than AS_PATH.
void reconcile_as4(PathAttributes& a);

} // namespace vipd::bgp
