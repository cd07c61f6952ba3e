// Path attributes (RFC 4271 §4.3, §5) as plain values, plus the descriptor table (flags, name,
// decode/encode functions, RFC 7606 action when malformed) that attribute.cpp implements.
// Must not: decide what an UPDATE as a whole means (update.cpp), or keep session state.
// RFC 1997, 2545, 4360, 4456, 4760, 5065, 6793, 7606, 8092, 8326, 8950, 9234.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "bgp/notification.hpp"
#include "bgp/types.hpp"
#include "bgp/wire.hpp"

namespace vipd::bgp {

struct CodecContext; // message.hpp

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
} // namespace attr_flag

/// RFC 4271 §4.3: the largest attribute value a one-octet Attribute Length can describe.
inline constexpr std::size_t max_short_attribute_length = 255;

/// RFC 4271 §4.3 ORIGIN values.
enum class Origin : std::uint8_t { igp = 0, egp = 1, incomplete = 2 };

/// "igp", "egp", "incomplete": the one text of an ORIGIN (configuration, views, decoder).
[[nodiscard]] std::string_view to_string(Origin origin);

/// RFC 4271 §4.3 / RFC 5065 §3 AS_PATH segment types.
enum class SegmentType : std::uint8_t {
    as_set = 1,
    as_sequence = 2,
    as_confed_sequence = 3,
    as_confed_set = 4,
};

/// One AS_PATH segment. In memory a segment may hold more than 255 AS numbers; the encoder
/// splits it into several wire segments of the same type (RFC 4271 §4.3: 1-octet count).
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
    /// RFC 4271 §9.1.2.2 a): path length (AS_SET counts 1, confederation segments 0, RFC 5065).
    [[nodiscard]] std::size_t length() const;
    bool operator==(const AsPath&) const = default;
};

/// AGGREGATOR / AS4_AGGREGATOR.
struct Aggregator
{
    Asn asn = 0;
    std::uint32_t address = 0; ///< IPv4, host order
    bool operator==(const Aggregator&) const = default;
};

/// RFC 1997 community, "A:B" = (A << 16) | B.
using Community = std::uint32_t;
namespace community {
inline constexpr Community graceful_shutdown = 0xFFFF0000;   // RFC 8326 §3: 65535:0
inline constexpr Community blackhole = 0xFFFF029A;           // RFC 7999 §5: 65535:666
inline constexpr Community no_export = 0xFFFFFF01;           // RFC 1997
inline constexpr Community no_advertise = 0xFFFFFF02;        // RFC 1997
inline constexpr Community no_export_subconfed = 0xFFFFFF03; // RFC 1997
inline constexpr Community no_peer = 0xFFFFFF04;             // RFC 3765
} // namespace community

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
/// IPv4 unicast with an IPv6 `next_hop` is the RFC 8950 form. The Reserved octet is sent as 0.
struct MpReach
{
    AfiSafi family;
    Address next_hop;
    std::optional<Address> link_local_next_hop; ///< RFC 2545 §3 (32-octet next hop)
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

/// An attribute we do not interpret. Decoding keeps only optional transitive ones (RFC 4271
/// §5); the encoder sets Partial on transitive ones (RFC 4271 §5: "MUST be passed ... with the
/// Partial bit set"). `flags` never holds Extended Length: the encoder picks the length form.
struct UnknownAttribute
{
    std::uint8_t flags = 0;
    std::uint8_t type = 0;
    Bytes value;
    bool operator==(const UnknownAttribute&) const = default;
};

/// The path attributes of one UPDATE. Absent attributes are std::nullopt / empty.
///
/// Wire layout: by default the encoder writes MP_REACH_NLRI and MP_UNREACH_NLRI first (RFC 7606
/// §5.1), then the others in ascending type code, each with a one-octet length unless the
/// value exceeds 255 octets. The decoder fills `order` and `flags` so that a received UPDATE
/// re-encodes byte for byte: the encoder follows `order` (types not listed follow canonically)
/// and keeps Extended Length and, on optional transitive attributes, Partial from `flags`.
/// operator== ignores `order` and `flags`, so a decoded value equals a constructed one.
///
/// AS4_PATH / AS4_AGGREGATOR are decoder inputs only: reconcile_as4 folds them into as_path /
/// aggregator, and the encoder derives them from as_path / aggregator for 2-octet peers.
struct PathAttributes
{
    std::optional<Origin> origin;
    std::optional<AsPath> as_path;
    std::optional<std::uint32_t> next_hop; ///< IPv4 NEXT_HOP, host order
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
    std::optional<Asn> only_to_customer; ///< RFC 9234 §5 OTC
    std::vector<UnknownAttribute> unknown;
    /// Type codes in the order they were received (first occurrence of each).
    std::vector<std::uint8_t> order;
    /// The flags octet received with order[i] (same length as `order`, or empty).
    std::vector<std::uint8_t> flags;

    /// Every field except the wire-layout ones (`order`, `flags`).
    [[nodiscard]] auto values() const
    {
        return std::tie(origin, as_path, next_hop, multi_exit_disc, local_pref, atomic_aggregate,
                        aggregator, communities, originator_id, cluster_list, mp_reach, mp_unreach,
                        extended_communities, as4_path, as4_aggregator, large_communities,
                        only_to_customer, unknown);
    }
    bool operator==(const PathAttributes& o) const { return values() == o.values(); }
};

/// Why an attribute value is malformed; the attribute-list decoder adds code 3, the attribute
/// as NOTIFICATION data (RFC 4271 §6.3) and the descriptor's RFC 7606 action.
struct AttributeFault
{
    std::uint8_t subcode = 0;
    /// Absolute offset of the offending octet; nullopt: the Attribute Length field.
    std::optional<std::size_t> offset;
    std::string what;
    std::optional<Rfc7606> action; ///< overrides the descriptor's on_malformed when set
    /// With afisafi_disable: the MP family to ignore, and whether its MP_REACH_NLRI carried
    /// NLRI (reachable routes, for RFC 7606 §5.2).
    std::optional<AfiSafi> family;
    bool reachable_nlri = false;
};

/// Decode one attribute value (the Reader spans exactly the value) into `out`. Writes `out`
/// only on success, or when the fault's action says the attribute is kept with a part dropped.
using AttrDecodeFn = std::optional<AttributeFault> (*)(Reader& value, PathAttributes& out,
                                                       const CodecContext& ctx);
/// Whether `a` carries this attribute for a peer with these negotiated facts.
using AttrPresentFn = bool (*)(const PathAttributes& a, const CodecContext& ctx);
/// The value length in octets (no header) the encoder will write.
using AttrSizeFn = std::size_t (*)(const PathAttributes& a, const CodecContext& ctx);
/// Append the value (no header).
using AttrWriteFn = void (*)(const PathAttributes& a, Writer& w, const CodecContext& ctx);

/// One row of the attribute descriptor table (STYLE §3), indexed by type code.
struct AttributeDescriptor
{
    AttrType type{};        ///< the type code this row describes (its index in the table)
    std::string_view name;  ///< RFC name, e.g. "AS_PATH"; empty for types we do not know
    std::uint8_t flags = 0; ///< required Optional and Transitive bits (RFC 4271 §5)
    Rfc7606 on_malformed = Rfc7606::treat_as_withdraw; ///< RFC 7606 §7 action
    Rfc7606 on_bad_flags = Rfc7606::treat_as_withdraw; ///< RFC 7606 §3.c (MP: §5.3)
    bool internal_only = false;  ///< RFC 7606 §7.5/7.9/7.10: discarded from external peers
    bool two_octet_only = false; ///< RFC 6793 §4.1: discarded between 4-octet speakers
    AttrDecodeFn decode = nullptr;
    AttrPresentFn present = nullptr;
    AttrSizeFn size = nullptr;
    AttrWriteFn write = nullptr;

    [[nodiscard]] constexpr bool known() const { return decode != nullptr; }
};

/// The descriptor for a type code (a row with known() == false for types we do not interpret).
[[nodiscard]] const AttributeDescriptor& attribute_descriptor(std::uint8_t type);
/// "AS_PATH", or "attribute 99" for types we do not interpret.
[[nodiscard]] std::string attribute_name(std::uint8_t type);

/// Append the path attributes (full TLVs) in the order described at PathAttributes. With
/// `include_mp` false, MP_REACH_NLRI and MP_UNREACH_NLRI are left out (the UPDATE builder
/// writes them around its own NLRI).
void encode_path_attributes(const PathAttributes& a, Writer& w, const CodecContext& ctx,
                            bool include_mp = true);
/// Octets encode_path_attributes would append.
[[nodiscard]] std::size_t path_attributes_size(const PathAttributes& a, const CodecContext& ctx,
                                               bool include_mp = true);

/// The MP_REACH_NLRI value up to the NLRI: AFI, SAFI, next hop length, next hop(s), Reserved
/// (RFC 4760 §3, RFC 2545 §3, RFC 8950 §3).
void encode_mp_reach_head(const MpReach& mp, Writer& w);
/// Octets encode_mp_reach_head appends.
[[nodiscard]] std::size_t mp_reach_head_size(const MpReach& mp);

} // namespace vipd::bgp
