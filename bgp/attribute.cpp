// The path attribute descriptor table (STYLE §3) and one decode/encode pair per attribute we
// interpret; the attribute-list walk that uses it lives in update.cpp.
// Must not: look at other attributes while decoding one (cross-attribute rules are update.cpp's).
// RFC 4271 §4.3/§5, RFC 1997, 2545, 4360, 4456, 4760, 6793, 7606 §7, 8092 §6, 8950, 9234 §5.
#include <algorithm>
#include <bitset>

#include <fmt/format.h>

#include "bgp/as4.hpp"
#include "bgp/message.hpp"
#include "bgp/update.hpp"

namespace vipd::bgp {

namespace {

/// RFC 4760 §3: AFI(2) + SAFI(1) + next hop length(1) + Reserved(1).
constexpr std::size_t mp_reach_min_length = 5;
/// RFC 4760 §4: AFI(2) + SAFI(1).
constexpr std::size_t mp_unreach_min_length = 3;
/// RFC 4271 §4.3: NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF; RFC 4456 §8 ORIGINATOR_ID; RFC 9234 §5.
constexpr std::size_t u32_attribute_length = 4;
/// RFC 4271 §4.3 (2-octet AS) / RFC 6793 §3 (4-octet AS) AGGREGATOR lengths.
constexpr std::size_t aggregator2_length = 6;
constexpr std::size_t aggregator4_length = 8;
/// RFC 1997, RFC 4360 §2, RFC 8092 §3: element sizes of the community lists.
constexpr std::size_t community_size = 4;
constexpr std::size_t extended_community_size = 8;
constexpr std::size_t large_community_size = 12;
/// RFC 4760 §3 / RFC 2545 §3 / RFC 8950 §3: next hop lengths.
constexpr std::size_t ipv4_size = 4;
constexpr std::size_t ipv6_size = 16;
constexpr std::size_t ipv6_pair_size = 32;

constexpr std::uint8_t wk = attr_flag::transitive; // well-known (RFC 4271 §5)
constexpr std::uint8_t opt_trans = attr_flag::optional | attr_flag::transitive;
constexpr std::uint8_t opt = attr_flag::optional;

std::size_t as_width(const CodecContext& ctx)
{
    return ctx.four_octet_as ? four_octet : two_octet;
}

AttributeFault fault(std::uint8_t subcode, std::optional<std::size_t> offset, std::string what,
                     std::optional<Rfc7606> action = std::nullopt)
{
    AttributeFault f;
    f.subcode = subcode;
    f.offset = offset;
    f.what = std::move(what);
    f.action = action;
    return f;
}

AttributeFault length_fault(std::string_view name, std::size_t got, std::string_view expected)
{
    return fault(update_error::attribute_length_error, std::nullopt,
                 fmt::format("{} length {}, expected {}", name, got, expected));
}

// RFC 4271 §6.3: a NEXT_HOP must be a valid unicast host address: not 0/8, 127/8 or 224/3.
bool bad_ipv4_next_hop(std::uint32_t a)
{
    const std::uint32_t first = a >> 24;
    return first == 0 || first == 127 || first >= 224;
}

// The IPv6 counterpart: not ::, ::1 or multicast ff00::/8.
bool bad_ipv6_next_hop(const Address& a)
{
    if (a.bytes[0] == 0xff || a.is_unspecified())
        return true;
    const Address loopback = Address::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    return a == loopback;
}

std::optional<AttributeFault> read_u32(Reader& v, std::string_view name, std::uint32_t& dst)
{
    // RFC 7606 §7.3/7.4/7.5/7.9, RFC 9234 §5: these attributes are exactly 4 octets.
    if (v.remaining() != u32_attribute_length)
        return length_fault(name, v.remaining(), "4");
    dst = *v.u32();
    return std::nullopt;
}

template <typename T, typename ReadOne>
std::optional<AttributeFault> read_list(Reader& v, std::string_view name, std::size_t size,
                                        std::optional<std::vector<T>>& dst, ReadOne read_one)
{
    // RFC 7606 §7.8/7.10/7.14, RFC 8092 §6: the length must be a non-zero multiple of `size`.
    if (v.remaining() == 0 || v.remaining() % size != 0)
        return length_fault(name, v.remaining(), fmt::format("a non-zero multiple of {}", size));
    std::vector<T> items(v.remaining() / size);
    for (auto& item : items)
        item = read_one(v);
    dst = std::move(items);
    return std::nullopt;
}

// ---- decoders ---------------------------------------------------------------------------------

std::optional<AttributeFault> decode_origin(Reader& v, PathAttributes& out, const CodecContext&)
{
    // RFC 7606 §7.1: malformed if the length is not 1 ...
    if (v.remaining() != 1)
        return length_fault("ORIGIN", v.remaining(), "1");
    const std::size_t at = v.offset();
    const std::uint8_t x = *v.u8();
    // ... or the value is undefined (RFC 4271 §6.3 Invalid ORIGIN Attribute).
    if (x > static_cast<std::uint8_t>(Origin::incomplete))
        return fault(update_error::invalid_origin_attribute, at,
                     fmt::format("ORIGIN value {} is not IGP/EGP/INCOMPLETE", x));
    out.origin = static_cast<Origin>(x);
    return std::nullopt;
}

std::optional<AttributeFault> decode_as_path_attr(Reader& v, PathAttributes& out,
                                                  const CodecContext& ctx)
{
    auto path = decode_as_path(v, as_width(ctx)); // RFC 7606 §7.2
    if (!path)
        return fault(path.error().subcode, path.error().offset, "AS_PATH " + path.error().what);
    out.as_path = std::move(*path);
    return std::nullopt;
}

std::optional<AttributeFault> decode_next_hop(Reader& v, PathAttributes& out, const CodecContext&)
{
    const std::size_t at = v.offset();
    std::uint32_t nh = 0;
    if (auto f = read_u32(v, "NEXT_HOP", nh))
        return f;
    // RFC 4271 §6.3 / RFC 7606 §7.3: an unusable next hop withdraws the routes.
    if (bad_ipv4_next_hop(nh))
        return fault(
            update_error::invalid_next_hop_attribute, at,
            fmt::format("NEXT_HOP {} is not a unicast host address", Address::v4(nh).to_string()));
    out.next_hop = nh;
    return std::nullopt;
}

std::optional<AttributeFault> decode_med(Reader& v, PathAttributes& out, const CodecContext&)
{
    std::uint32_t x = 0;
    if (auto f = read_u32(v, "MULTI_EXIT_DISC", x))
        return f;
    out.multi_exit_disc = x;
    return std::nullopt;
}

std::optional<AttributeFault> decode_local_pref(Reader& v, PathAttributes& out, const CodecContext&)
{
    std::uint32_t x = 0;
    if (auto f = read_u32(v, "LOCAL_PREF", x))
        return f;
    out.local_pref = x;
    return std::nullopt;
}

std::optional<AttributeFault> decode_atomic(Reader& v, PathAttributes& out, const CodecContext&)
{
    // RFC 7606 §7.6: malformed if its length is not 0.
    if (!v.empty())
        return length_fault("ATOMIC_AGGREGATE", v.remaining(), "0");
    out.atomic_aggregate = true;
    return std::nullopt;
}

std::optional<AttributeFault> decode_aggregator(Reader& v, PathAttributes& out,
                                                const CodecContext& ctx)
{
    // RFC 7606 §7.7: length 6 between 2-octet speakers, 8 between 4-octet ones.
    const std::size_t want = ctx.four_octet_as ? aggregator4_length : aggregator2_length;
    if (v.remaining() != want)
        return length_fault("AGGREGATOR", v.remaining(), std::to_string(want));
    Aggregator a;
    a.asn = ctx.four_octet_as ? *v.u32() : Asn{*v.u16()};
    a.address = *v.u32();
    out.aggregator = a;
    return std::nullopt;
}

std::optional<AttributeFault> decode_communities(Reader& v, PathAttributes& out,
                                                 const CodecContext&)
{
    return read_list(v, "COMMUNITIES", community_size, out.communities,
                     [](Reader& r) { return *r.u32(); });
}

std::optional<AttributeFault> decode_originator_id(Reader& v, PathAttributes& out,
                                                   const CodecContext&)
{
    std::uint32_t x = 0;
    if (auto f = read_u32(v, "ORIGINATOR_ID", x))
        return f;
    out.originator_id = x;
    return std::nullopt;
}

std::optional<AttributeFault> decode_cluster_list(Reader& v, PathAttributes& out,
                                                  const CodecContext&)
{
    return read_list(v, "CLUSTER_LIST", community_size, out.cluster_list,
                     [](Reader& r) { return *r.u32(); });
}

std::optional<AttributeFault> decode_ext_communities(Reader& v, PathAttributes& out,
                                                     const CodecContext&)
{
    // RFC 7606 §7.14: unknown types/sub-types are not errors; the octets are kept as they are.
    return read_list(v, "EXTENDED_COMMUNITIES", extended_community_size, out.extended_communities,
                     [](Reader& r) {
                         ExtendedCommunity c;
                         auto b = *r.bytes(extended_community_size);
                         std::copy(b.begin(), b.end(), c.value.begin());
                         return c;
                     });
}

std::optional<AttributeFault> decode_large_communities(Reader& v, PathAttributes& out,
                                                       const CodecContext&)
{
    return read_list(v, "LARGE_COMMUNITIES", large_community_size, out.large_communities,
                     [](Reader& r) {
                         LargeCommunity c;
                         c.global_administrator = *r.u32();
                         c.local_data_1 = *r.u32();
                         c.local_data_2 = *r.u32();
                         return c;
                     });
}

std::optional<AttributeFault> decode_as4_path(Reader& v, PathAttributes& out, const CodecContext&)
{
    // RFC 7606 §4: only AS_PATH and ATOMIC_AGGREGATE may be empty.
    if (v.empty())
        return length_fault("AS4_PATH", 0, "at least 6");
    const std::size_t at = v.offset();
    auto path = decode_as_path(v, four_octet); // RFC 6793 §6: malformed → attribute discard
    if (!path)
        return fault(update_error::optional_attribute_error, path.error().offset,
                     "AS4_PATH " + path.error().what);
    // RFC 6793 §6: confederation segments in AS4_PATH are discarded, the rest is kept.
    auto& segs = path->segments;
    const auto confed = [](const AsPathSegment& s) {
        return s.type == SegmentType::as_confed_sequence || s.type == SegmentType::as_confed_set;
    };
    const bool had_confed = std::any_of(segs.begin(), segs.end(), confed);
    segs.erase(std::remove_if(segs.begin(), segs.end(), confed), segs.end());
    if (!segs.empty())
        out.as4_path = std::move(*path);
    if (had_confed)
        return fault(update_error::optional_attribute_error, at,
                     "AS4_PATH confederation segments discarded (RFC 6793 §6)",
                     Rfc7606::attribute_discard);
    return std::nullopt;
}

std::optional<AttributeFault> decode_as4_aggregator(Reader& v, PathAttributes& out,
                                                    const CodecContext&)
{
    // RFC 6793 §6: AS4_AGGREGATOR is exactly 8 octets, else discarded.
    if (v.remaining() != aggregator4_length)
        return length_fault("AS4_AGGREGATOR", v.remaining(), "8");
    Aggregator a;
    a.asn = *v.u32();
    a.address = *v.u32();
    out.as4_aggregator = a;
    return std::nullopt;
}

std::optional<AttributeFault> decode_otc(Reader& v, PathAttributes& out, const CodecContext&)
{
    std::uint32_t x = 0;
    if (auto f = read_u32(v, "ONLY_TO_CUSTOMER", x))
        return f;
    out.only_to_customer = x;
    return std::nullopt;
}

bool unicast_family(std::uint16_t afi, std::uint8_t safi)
{
    return (afi == static_cast<std::uint16_t>(Afi::ipv4) ||
            afi == static_cast<std::uint16_t>(Afi::ipv6)) &&
           safi == static_cast<std::uint8_t>(Safi::unicast);
}

// RFC 4760 §7: an AFI/SAFI vipd never negotiates; its routes are ignored for the session.
AttributeFault foreign_family(std::string_view name, std::size_t at, std::uint16_t afi,
                              std::uint8_t safi, bool reachable)
{
    AfiSafi f{static_cast<Afi>(afi), static_cast<Safi>(safi)};
    auto x = fault(update_error::optional_attribute_error, at,
                   fmt::format("{} for {}, which this session does not carry", name, to_string(f)),
                   Rfc7606::afisafi_disable);
    x.family = f;
    x.reachable_nlri = reachable;
    return x;
}

std::optional<AttributeFault> decode_mp_reach(Reader& v, PathAttributes& out,
                                              const CodecContext& ctx)
{
    // RFC 7606 §5.3: an MP_REACH_NLRI shorter than 5 octets is incorrect.
    if (v.remaining() < mp_reach_min_length)
        return length_fault("MP_REACH_NLRI", v.remaining(), "at least 5");
    const std::size_t at = v.offset();
    const std::uint16_t afi = *v.u16();
    const std::uint8_t safi = *v.u8();
    const std::size_t nh_at = v.offset();
    const std::size_t nh_len = *v.u8();
    if (!unicast_family(afi, safi))
        return foreign_family("MP_REACH_NLRI", at, afi, safi,
                              v.remaining() != nh_len + 1); // anything beyond Reserved is NLRI
    MpReach mp;
    mp.family = AfiSafi{static_cast<Afi>(afi), Safi::unicast};
    // RFC 7606 §7.11: a next hop length the family does not allow hides the NLRI. IPv4 takes 4,
    // or 16/32 per RFC 8950 §3; IPv6 takes 16, or 32 with a link-local (RFC 2545 §3).
    const bool len_ok = nh_len == ipv6_size || nh_len == ipv6_pair_size ||
                        (mp.family.afi == Afi::ipv4 && nh_len == ipv4_size);
    if (!len_ok || v.remaining() < nh_len + 1)
        return fault(update_error::optional_attribute_error, nh_at,
                     fmt::format("MP_REACH_NLRI next hop length {} is not valid for {} "
                                 "({} octets follow)",
                                 nh_len, to_string(mp.family), v.remaining()));
    if (nh_len == ipv4_size) {
        mp.next_hop = Address::v4(*v.u32());
    } else {
        std::array<std::uint8_t, ipv6_size> b{};
        auto g = *v.bytes(ipv6_size);
        std::copy(g.begin(), g.end(), b.begin());
        mp.next_hop = Address::v6(b);
        if (nh_len == ipv6_pair_size) {
            auto ll = *v.bytes(ipv6_size);
            std::copy(ll.begin(), ll.end(), b.begin());
            mp.link_local_next_hop = Address::v6(b);
        }
    }
    (void)v.skip(1); // RFC 4760 §3: Reserved, ignored on receipt
    auto nlri = decode_nlri(v, mp.family.afi, ctx.add_path(mp.family.afi));
    if (!nlri) // RFC 7606 §5.3 / RFC 4760 §7: Optional Attribute Error
        return fault(update_error::optional_attribute_error, nlri.error().offset,
                     "MP_REACH_NLRI: " + nlri.error().what);
    mp.nlri = std::move(*nlri);
    const bool bad_nh = mp.next_hop.is_v4() ? bad_ipv4_next_hop(mp.next_hop.v4_value())
                                            : bad_ipv6_next_hop(mp.next_hop);
    const std::string nh_text = mp.next_hop.to_string();
    out.mp_reach = std::move(mp); // kept even with a bad next hop: its NLRI must be withdrawn
    // RFC 4271 §6.3 (as for NEXT_HOP): an unusable next hop withdraws the routes.
    if (bad_nh)
        return fault(
            update_error::invalid_next_hop_attribute, nh_at + 1,
            fmt::format("MP_REACH_NLRI next hop {} is not a unicast host address", nh_text),
            Rfc7606::treat_as_withdraw);
    return std::nullopt;
}

std::optional<AttributeFault> decode_mp_unreach(Reader& v, PathAttributes& out,
                                                const CodecContext& ctx)
{
    // RFC 7606 §5.3: an MP_UNREACH_NLRI shorter than 3 octets is incorrect.
    if (v.remaining() < mp_unreach_min_length)
        return length_fault("MP_UNREACH_NLRI", v.remaining(), "at least 3");
    const std::size_t at = v.offset();
    const std::uint16_t afi = *v.u16();
    const std::uint8_t safi = *v.u8();
    if (!unicast_family(afi, safi))
        return foreign_family("MP_UNREACH_NLRI", at, afi, safi, false);
    MpUnreach mp;
    mp.family = AfiSafi{static_cast<Afi>(afi), Safi::unicast};
    auto nlri = decode_nlri(v, mp.family.afi, ctx.add_path(mp.family.afi));
    if (!nlri) // RFC 7606 §5.3 / RFC 4760 §7: Optional Attribute Error
        return fault(update_error::optional_attribute_error, nlri.error().offset,
                     "MP_UNREACH_NLRI: " + nlri.error().what);
    mp.withdrawn_routes = std::move(*nlri);
    out.mp_unreach = std::move(mp);
    return std::nullopt;
}

// ---- encoders ---------------------------------------------------------------------------------

template <typename T> bool has_items(const std::optional<std::vector<T>>& v)
{
    return v && !v->empty(); // RFC 7606 §4: an empty list would be a zero-length attribute
}

void write_address(const Address& a, Writer& w)
{
    w.bytes(ByteView(a.bytes.data(), a.size()));
}

// The descriptor table, one row per attribute we interpret, in type-code order. Row fields:
// type, name, required Optional/Transitive flags, RFC 7606 action for a malformed value and
// for conflicting flags (§3.c; MP attributes §5.3), dropped from external peers (§7.5/§7.9/
// §7.10) or between 4-octet speakers (RFC 6793 §4.1) when set, then decode, present, size,
// write. Actions follow RFC 7606 §7.x, RFC 6793 §6 (AS4_*: discard), RFC 8092 §6 and RFC 9234
// §5 (treat-as-withdraw).
constexpr auto tw = Rfc7606::treat_as_withdraw;
constexpr auto ad = Rfc7606::attribute_discard;
constexpr auto sr = Rfc7606::session_reset;

constexpr AttributeDescriptor known_attributes[] = {
    {.type = AttrType::origin,
     .name = "ORIGIN",
     .flags = wk,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_origin,
     .present = [](const PathAttributes& a, const CodecContext&) { return a.origin.has_value(); },
     .size = [](const PathAttributes&, const CodecContext&) -> std::size_t { return 1; },
     .write = [](const PathAttributes& a, Writer& w,
                 const CodecContext&) { w.u8(static_cast<std::uint8_t>(*a.origin)); }},
    {.type = AttrType::as_path,
     .name = "AS_PATH",
     .flags = wk,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_as_path_attr,
     .present = [](const PathAttributes& a, const CodecContext&) { return a.as_path.has_value(); },
     .size = [](const PathAttributes& a,
                const CodecContext& c) { return as_path_size(*a.as_path, as_width(c)); },
     .write = [](const PathAttributes& a, Writer& w,
                 const CodecContext& c) { encode_as_path(*a.as_path, w, as_width(c)); }},
    {.type = AttrType::next_hop,
     .name = "NEXT_HOP",
     .flags = wk,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_next_hop,
     .present = [](const PathAttributes& a, const CodecContext&) { return a.next_hop.has_value(); },
     .size = [](const PathAttributes&, const CodecContext&) { return u32_attribute_length; },
     .write = [](const PathAttributes& a, Writer& w, const CodecContext&) { w.u32(*a.next_hop); }},
    {.type = AttrType::multi_exit_disc,
     .name = "MULTI_EXIT_DISC",
     .flags = opt,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_med,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return a.multi_exit_disc.has_value(); },
     .size = [](const PathAttributes&, const CodecContext&) { return u32_attribute_length; },
     .write = [](const PathAttributes& a, Writer& w,
                 const CodecContext&) { w.u32(*a.multi_exit_disc); }},
    {.type = AttrType::local_pref,
     .name = "LOCAL_PREF",
     .flags = wk,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .internal_only = true,
     .decode = decode_local_pref,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return a.local_pref.has_value(); },
     .size = [](const PathAttributes&, const CodecContext&) { return u32_attribute_length; },
     .write = [](const PathAttributes& a, Writer& w,
                 const CodecContext&) { w.u32(*a.local_pref); }},
    {.type = AttrType::atomic_aggregate,
     .name = "ATOMIC_AGGREGATE",
     .flags = wk,
     .on_malformed = ad,
     .on_bad_flags = tw,
     .decode = decode_atomic,
     .present = [](const PathAttributes& a, const CodecContext&) { return a.atomic_aggregate; },
     .size = [](const PathAttributes&, const CodecContext&) -> std::size_t { return 0; },
     .write = [](const PathAttributes&, Writer&, const CodecContext&) {}},
    {.type = AttrType::aggregator,
     .name = "AGGREGATOR",
     .flags = opt_trans,
     .on_malformed = ad,
     .on_bad_flags = tw,
     .decode = decode_aggregator,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return a.aggregator.has_value(); },
     .size =
         [](const PathAttributes&, const CodecContext& c) {
             return c.four_octet_as ? aggregator4_length : aggregator2_length;
         },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext& c) {
             const Asn asn = a.aggregator->asn;
             if (c.four_octet_as)
                 w.u32(asn);
             else // RFC 6793 §4.2.2: AS_TRANS stands in for a non-mappable AS
                 w.u16(static_cast<std::uint16_t>(asn > max_two_octet_asn ? as_trans : asn));
             w.u32(a.aggregator->address);
         }},
    {.type = AttrType::communities,
     .name = "COMMUNITIES",
     .flags = opt_trans,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_communities,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return has_items(a.communities); },
     .size = [](const PathAttributes& a,
                const CodecContext&) { return a.communities->size() * community_size; },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext&) {
             for (auto c : *a.communities)
                 w.u32(c);
         }},
    {.type = AttrType::originator_id,
     .name = "ORIGINATOR_ID",
     .flags = opt,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .internal_only = true,
     .decode = decode_originator_id,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return a.originator_id.has_value(); },
     .size = [](const PathAttributes&, const CodecContext&) { return u32_attribute_length; },
     .write = [](const PathAttributes& a, Writer& w,
                 const CodecContext&) { w.u32(*a.originator_id); }},
    {.type = AttrType::cluster_list,
     .name = "CLUSTER_LIST",
     .flags = opt,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .internal_only = true,
     .decode = decode_cluster_list,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return has_items(a.cluster_list); },
     .size = [](const PathAttributes& a,
                const CodecContext&) { return a.cluster_list->size() * community_size; },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext&) {
             for (auto c : *a.cluster_list)
                 w.u32(c);
         }},
    {.type = AttrType::mp_reach_nlri,
     .name = "MP_REACH_NLRI",
     .flags = opt,
     .on_malformed = sr,
     .on_bad_flags = sr,
     .decode = decode_mp_reach,
     .present = [](const PathAttributes& a, const CodecContext&) { return a.mp_reach.has_value(); },
     .size =
         [](const PathAttributes& a, const CodecContext& c) {
             return mp_reach_head_size(*a.mp_reach) +
                    nlri_size(a.mp_reach->nlri, c.add_path(a.mp_reach->family.afi));
         },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext& c) {
             encode_mp_reach_head(*a.mp_reach, w);
             encode_nlri(a.mp_reach->nlri, w, c.add_path(a.mp_reach->family.afi));
         }},
    {.type = AttrType::mp_unreach_nlri,
     .name = "MP_UNREACH_NLRI",
     .flags = opt,
     .on_malformed = sr,
     .on_bad_flags = sr,
     .decode = decode_mp_unreach,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return a.mp_unreach.has_value(); },
     .size =
         [](const PathAttributes& a, const CodecContext& c) {
             return mp_unreach_min_length +
                    nlri_size(a.mp_unreach->withdrawn_routes, c.add_path(a.mp_unreach->family.afi));
         },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext& c) {
             w.u16(static_cast<std::uint16_t>(a.mp_unreach->family.afi));
             w.u8(static_cast<std::uint8_t>(a.mp_unreach->family.safi));
             encode_nlri(a.mp_unreach->withdrawn_routes, w, c.add_path(a.mp_unreach->family.afi));
         }},
    {.type = AttrType::extended_communities,
     .name = "EXTENDED_COMMUNITIES",
     .flags = opt_trans,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_ext_communities,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return has_items(a.extended_communities); },
     .size =
         [](const PathAttributes& a, const CodecContext&) {
             return a.extended_communities->size() * extended_community_size;
         },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext&) {
             for (const auto& c : *a.extended_communities)
                 w.bytes(c.value);
         }},
    // RFC 6793 §4.2.2: derived from AS_PATH / AGGREGATOR, only toward 2-octet peers.
    {.type = AttrType::as4_path,
     .name = "AS4_PATH",
     .flags = opt_trans,
     .on_malformed = ad,
     .on_bad_flags = tw,
     .two_octet_only = true,
     .decode = decode_as4_path,
     .present =
         [](const PathAttributes& a, const CodecContext& c) {
             return !c.four_octet_as && a.as_path && needs_as4_path(*a.as_path);
         },
     .size = [](const PathAttributes& a,
                const CodecContext&) { return as_path_size(*a.as_path, four_octet, true); },
     .write = [](const PathAttributes& a, Writer& w,
                 const CodecContext&) { encode_as_path(*a.as_path, w, four_octet, true); }},
    {.type = AttrType::as4_aggregator,
     .name = "AS4_AGGREGATOR",
     .flags = opt_trans,
     .on_malformed = ad,
     .on_bad_flags = tw,
     .two_octet_only = true,
     .decode = decode_as4_aggregator,
     .present =
         [](const PathAttributes& a, const CodecContext& c) {
             return !c.four_octet_as && a.aggregator && a.aggregator->asn > max_two_octet_asn;
         },
     .size = [](const PathAttributes&, const CodecContext&) { return aggregator4_length; },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext&) {
             w.u32(a.aggregator->asn);
             w.u32(a.aggregator->address);
         }},
    {.type = AttrType::large_communities,
     .name = "LARGE_COMMUNITIES",
     .flags = opt_trans,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_large_communities,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return has_items(a.large_communities); },
     .size = [](const PathAttributes& a,
                const CodecContext&) { return a.large_communities->size() * large_community_size; },
     .write =
         [](const PathAttributes& a, Writer& w, const CodecContext&) {
             for (const auto& c : *a.large_communities) {
                 w.u32(c.global_administrator);
                 w.u32(c.local_data_1);
                 w.u32(c.local_data_2);
             }
         }},
    {.type = AttrType::only_to_customer,
     .name = "ONLY_TO_CUSTOMER",
     .flags = opt_trans,
     .on_malformed = tw,
     .on_bad_flags = tw,
     .decode = decode_otc,
     .present = [](const PathAttributes& a,
                   const CodecContext&) { return a.only_to_customer.has_value(); },
     .size = [](const PathAttributes&, const CodecContext&) { return u32_attribute_length; },
     .write = [](const PathAttributes& a, Writer& w,
                 const CodecContext&) { w.u32(*a.only_to_customer); }},
};

/// The rows spread out by type code; types with no row are unknown (known() false).
constexpr std::array<AttributeDescriptor, 256> make_table()
{
    std::array<AttributeDescriptor, 256> t{};
    for (const AttributeDescriptor& d : known_attributes)
        t[static_cast<std::uint8_t>(d.type)] = d;
    return t;
}

constexpr std::array<AttributeDescriptor, 256> table = make_table();

/// Every row is found at its own type code: no type is listed twice, none is lost.
constexpr bool each_row_at_its_type()
{
    std::size_t known = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (!table[i].known())
            continue;
        ++known;
        if (static_cast<std::size_t>(table[i].type) != i || table[i].name.empty())
            return false;
    }
    return known == std::size(known_attributes);
}
static_assert(each_row_at_its_type(), "attribute rows: one per type code");

/// Known types in canonical order: RFC 7606 §5.1 puts the MP attributes first.
constexpr std::array<std::uint8_t, 17> canonical_known = {14, 15, 1,  2,  3,  4,  5,  6, 7,
                                                          8,  9,  10, 16, 17, 18, 32, 35};

bool is_mp(std::uint8_t type)
{
    return type == static_cast<std::uint8_t>(AttrType::mp_reach_nlri) ||
           type == static_cast<std::uint8_t>(AttrType::mp_unreach_nlri);
}

// Calls emit(flags, type, value_size, write_value) for each attribute to send, in wire order:
// first the received order (if any), then MP attributes, then ascending type code. Flags come
// from the table; a recorded Extended Length is kept (captures re-encode exactly), as is a
// recorded Partial on optional transitive attributes.
template <typename Emit>
void for_each_attribute(const PathAttributes& a, const CodecContext& ctx, bool include_mp,
                        Emit&& emit)
{
    std::bitset<256> done;
    const auto visit = [&](std::uint8_t type, std::uint8_t recorded) {
        if (done[type] || (!include_mp && is_mp(type)))
            return;
        const auto& d = table[type];
        if (d.known()) {
            if (!d.present(a, ctx))
                return;
            done.set(type);
            const std::size_t size = d.size(a, ctx);
            std::uint8_t flags = d.flags;
            if (d.flags == opt_trans) // keep a received Partial bit (RFC 4271 §5)
                flags |= recorded & attr_flag::partial;
            if (size > max_short_attribute_length || (recorded & attr_flag::extended_length))
                flags |= attr_flag::extended_length;
            emit(flags, type, size, [&](Writer& w) { d.write(a, w, ctx); });
            return;
        }
        for (const auto& u : a.unknown) {
            if (u.type != type)
                continue;
            done.set(type);
            auto flags = static_cast<std::uint8_t>(u.flags & ~attr_flag::extended_length);
            // RFC 4271 §5: an unrecognized transitive attribute is passed on with Partial set.
            if ((flags & opt_trans) == opt_trans)
                flags |= attr_flag::partial;
            if (u.value.size() > max_short_attribute_length ||
                (recorded & attr_flag::extended_length))
                flags |= attr_flag::extended_length;
            emit(flags, type, u.value.size(), [&](Writer& w) { w.bytes(u.value); });
            return;
        }
    };
    const bool have_flags = a.flags.size() == a.order.size();
    for (std::size_t i = 0; i < a.order.size(); ++i)
        visit(a.order[i], have_flags ? a.flags[i] : 0);
    std::vector<std::uint8_t> types(canonical_known.begin(), canonical_known.end());
    for (const auto& u : a.unknown)
        types.push_back(u.type);
    std::stable_sort(types.begin() + 2, types.end());
    for (auto t : types)
        visit(t, 0);
}

} // namespace

const AttributeDescriptor& attribute_descriptor(std::uint8_t type)
{
    return table[type];
}

std::string_view to_string(Origin origin)
{
    switch (origin) {
    case Origin::igp:
        return "igp";
    case Origin::egp:
        return "egp";
    case Origin::incomplete:
        return "incomplete";
    }
    return "unknown";
}

std::string attribute_name(std::uint8_t type)
{
    const auto& d = table[type];
    return d.known() ? std::string(d.name) : fmt::format("attribute {}", type);
}

void encode_path_attributes(const PathAttributes& a, Writer& w, const CodecContext& ctx,
                            bool include_mp)
{
    for_each_attribute(a, ctx, include_mp,
                       [&](std::uint8_t flags, std::uint8_t type, std::size_t size, auto&& value) {
                           w.u8(flags);
                           w.u8(type);
                           if (flags & attr_flag::extended_length)
                               w.u16(static_cast<std::uint16_t>(size));
                           else
                               w.u8(static_cast<std::uint8_t>(size));
                           value(w);
                       });
}

std::size_t path_attributes_size(const PathAttributes& a, const CodecContext& ctx, bool include_mp)
{
    std::size_t n = 0;
    for_each_attribute(a, ctx, include_mp,
                       [&](std::uint8_t flags, std::uint8_t, std::size_t size, auto&&) {
                           n += ((flags & attr_flag::extended_length) ? 4 : 3) + size;
                       });
    return n;
}

std::size_t mp_reach_head_size(const MpReach& mp)
{
    return mp_reach_min_length + mp.next_hop.size() + (mp.link_local_next_hop ? ipv6_size : 0);
}

void encode_mp_reach_head(const MpReach& mp, Writer& w)
{
    w.u16(static_cast<std::uint16_t>(mp.family.afi));
    w.u8(static_cast<std::uint8_t>(mp.family.safi));
    w.u8(static_cast<std::uint8_t>(mp.next_hop.size() + (mp.link_local_next_hop ? ipv6_size : 0)));
    write_address(mp.next_hop, w);
    if (mp.link_local_next_hop)
        write_address(*mp.link_local_next_hop, w);
    w.u8(0); // RFC 4760 §3: Reserved, MUST be 0
}

} // namespace vipd::bgp
