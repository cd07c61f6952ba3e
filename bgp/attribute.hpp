// Path attributes (RFC 4271 §4.3, §5) as plain values, plus the descriptor table (flags, name,
// RFC 7606 action when malformed) that attribute.cpp uses to decode and encode them.
// RFC 1997, 4360, 4456, 4760, 6793, 7606, 8092, 8326, 9234.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "bgp/types.hpp"
#include "bgp/wire.hpp"

namespace vipd::bgp {

/// IANA path attribute type codes.
enum class AttrType : std::uint8_t {
    origin = 1,
    as_path = 2,
    next_hop = 3,
    multi_exit_disc = 4,
    local_pref = 5,
    atomic_aggregate = 6,
    aggregator = 7,
    communities = 8,
    originator_id = 9,
    cluster_list = 10,
    mp_reach_nlri = 14,
    mp_unreach_nlri = 15,
    extended_communities = 16,
    as4_path = 17,
    as4_aggregator = 18,
    large_communities = 32,
    only_to_customer = 35,
};

/// RFC 4271 §4.3 attribute flag bits.
namespace attr_flag {
inline constexpr std::uint8_t optional = 0x80;
inline constexpr std::uint8_t transitive = 0x40;
inline constexpr std::uint8_t partial = 0x20;
inline constexpr std::uint8_t extended_length = 0x10;
}  // namespace attr_flag

/// RFC 4271 §4.3 ORIGIN values.
enum class Origin : std::uint8_t { igp = 0, egp = 1, incomplete = 2 };

/// RFC 4271 §4.3 / RFC 5065 §3 AS_PATH segment types.
enum class SegmentType : std::uint8_t {
    as_set = 1,
    as_sequence = 2,
    as_confed_sequence = 3,
    as_confed_set = 4,
};

struct AsPathSegment
{
    SegmentType type = SegmentType::as_sequence;
    std::vector<Asn> asns;
    bool operator==(const AsPathSegment&) const = default;
};

/// AS_PATH (or AS4_PATH) with 4-octet AS numbers in memory; the wire width is a codec choice.
struct AsPath
{
    std::vector<AsPathSegment> segments;
    /// RFC 4271 §9.1.2.2 a): path length (AS_SET counts 1, confederation segments 0).
    [[nodiscard]] std::size_t length() const;
    bool operator==(const AsPath&) const = default;
};

/// AGGREGATOR / AS4_AGGREGATOR.
struct Aggregator
{
    Asn asn = 0;
    std::uint32_t address = 0;  ///< IPv4, host order
    bool operator==(const Aggregator&) const = default;
};

/// RFC 1997 community, "A:B" = (A << 16) | B.
using Community = std::uint32_t;
namespace community {
inline constexpr Community graceful_shutdown = 0xFFFF0000;  // RFC 8326 §3: 65535:0
inline constexpr Community blackhole = 0xFFFF029A;          // RFC 7999 §5: 65535:666
inline constexpr Community no_export = 0xFFFFFF01;          // RFC 1997
inline constexpr Community no_advertise = 0xFFFFFF02;       // RFC 1997
inline constexpr Community no_export_subconfed = 0xFFFFFF03;  // RFC 1997
inline constexpr Community no_peer = 0xFFFFFF04;             // RFC 3765
}  // namespace community

/// RFC 4360 extended community: 8 opaque octets (type, subtype, value).
struct ExtendedCommunity
{
    std::array<std::uint8_t, 8> value{};
    auto operator<=>(const ExtendedCommunity&) const = default;
};

/// RFC 8092 large community.
struct LargeCommunity
{
    std::uint32_t global_administrator = 0;
    std::uint32_t local_data_1 = 0;
    std::uint32_t local_data_2 = 0;
    auto operator<=>(const LargeCommunity&) const = default;
};

/// RFC 4760 §3 MP_REACH_NLRI (unicast IPv4/IPv6; IPv6 may carry a link-local second next hop).
struct MpReach
{
    AfiSafi family;
    Address next_hop;
    std::optional<Address> link_local_next_hop;  ///< RFC 2545 §3
    std::vector<Nlri> nlri;
    bool operator==(const MpReach&) const = default;
};

/// RFC 4760 §4 MP_UNREACH_NLRI.
struct MpUnreach
{
    AfiSafi family;
    std::vector<Nlri> withdrawn_routes;
    bool operator==(const MpUnreach&) const = default;
};

/// An attribute we do not interpret; optional transitive ones are re-sent with Partial set.
struct UnknownAttribute
{
    std::uint8_t flags = 0;
    std::uint8_t type = 0;
    Bytes value;
    bool operator==(const UnknownAttribute&) const = default;
};

/// The path attributes of one UPDATE. Absent attributes are std::nullopt / empty.
struct PathAttributes
{
    std::optional<Origin> origin;
    std::optional<AsPath> as_path;
    std::optional<std::uint32_t> next_hop;  ///< IPv4 NEXT_HOP, host order
    std::optional<std::uint32_t> multi_exit_disc;
    std::optional<std::uint32_t> local_pref;
    bool atomic_aggregate = false;
    std::optional<Aggregator> aggregator;
    std::optional<std::vector<Community>> communities;
    std::optional<std::uint32_t> originator_id;
    std::optional<std::vector<std::uint32_t>> cluster_list;
    std::optional<MpReach> mp_reach;
    std::optional<MpUnreach> mp_unreach;
    std::optional<std::vector<ExtendedCommunity>> extended_communities;
    std::optional<AsPath> as4_path;
    std::optional<Aggregator> as4_aggregator;
    std::optional<std::vector<LargeCommunity>> large_communities;
    std::optional<Asn> only_to_customer;  ///< RFC 9234 §5 OTC
    std::vector<UnknownAttribute> unknown;
    /// Type codes in the order they were received; the encoder follows it when non-empty
    /// (attributes not listed follow in ascending type order), so captures re-encode exactly.
    std::vector<std::uint8_t> order;

    bool operator==(const PathAttributes&) const = default;
};

}  // namespace vipd::bgp
