// UPDATE packing (see update_builder.hpp). Each message is written in one pass: header,
// fixed fields, then prefixes until the next one would not fit; lengths are patched at the end.
// Prefix copies are fixed-size (4 or 16 octets) and may run up to 16 octets past the last
// prefix; the buffer keeps that slack until the message is closed.
// RFC 4271 §4.1/§4.3, RFC 4760 §3/§4, RFC 7606 §5.1, RFC 7911 §3, RFC 8654, RFC 8950.
#include "bgp/update_builder.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace vipd::bgp {

namespace {

constexpr std::size_t slack = 16;           // widest fixed-size prefix copy
constexpr std::size_t path_id_size = 4;     // RFC 7911 §3
constexpr std::size_t length_field = 2;     // RFC 4271 §4.3 Withdrawn / Total Attribute Length
constexpr std::size_t long_attr_header = 4; // RFC 4271 §4.3 flags, type, 2-octet length
constexpr std::size_t afi_safi_size = 3;    // RFC 4760 §4 AFI + SAFI
/// RFC 4271 §4.3: header + Withdrawn Routes Length + Total Path Attribute Length.
constexpr std::size_t fixed_overhead = header_size + 2 * length_field;
constexpr std::uint8_t mp_flags = attr_flag::optional | attr_flag::extended_length;

void put16(std::uint8_t* p, std::size_t v)
{
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

void put_header(std::uint8_t* p)
{
    std::memset(p, 0xff, marker_size); // RFC 4271 §4.1: marker all ones
    p[marker_size + 2] = static_cast<std::uint8_t>(MessageType::update);
}

struct Packed
{
    std::size_t next = 0;   ///< index of the first prefix not packed
    std::size_t octets = 0; ///< octets written
    bool bad = false;       ///< nlri[next] is of the wrong family or too long
};

// Writes nlri[i..] at p while they fit in `room` octets. Filling each message before starting
// the next (next-fit) is optimal for an ordered list: no split of the same sequence into
// messages of this capacity can use fewer, so the message count is the minimum.
template <std::size_t AddrSize, bool AddPath>
Packed pack(std::span<const Nlri> nlri, std::size_t i, std::uint8_t* p, std::size_t room, Afi afi)
{
    constexpr unsigned max_bits = AddrSize * 8;
    std::uint8_t* const start = p;
    for (; i < nlri.size(); ++i) {
        const Nlri& n = nlri[i];
        const unsigned bits = n.prefix.length;
        if (n.prefix.addr.afi != afi || bits > max_bits)
            return {i, static_cast<std::size_t>(p - start), true};
        const std::size_t octets = (bits + 7u) / 8u;
        const std::size_t need = (AddPath ? path_id_size : 0) + 1 + octets;
        if (need > room)
            break;
        room -= need;
        if constexpr (AddPath) {
            p[0] = static_cast<std::uint8_t>(n.path_id >> 24);
            p[1] = static_cast<std::uint8_t>(n.path_id >> 16);
            p[2] = static_cast<std::uint8_t>(n.path_id >> 8);
            p[3] = static_cast<std::uint8_t>(n.path_id);
            p += path_id_size;
        }
        p[0] = static_cast<std::uint8_t>(bits);
        std::memcpy(p + 1, n.prefix.addr.bytes.data(), AddrSize);
        p += 1 + octets;
    }
    return {i, static_cast<std::size_t>(p - start), false};
}

Packed pack_any(std::span<const Nlri> nlri, std::size_t i, std::uint8_t* p, std::size_t room,
                Afi afi, bool add_path)
{
    if (afi == Afi::ipv4)
        return add_path ? pack<4, true>(nlri, i, p, room, afi)
                        : pack<4, false>(nlri, i, p, room, afi);
    return add_path ? pack<16, true>(nlri, i, p, room, afi)
                    : pack<16, false>(nlri, i, p, room, afi);
}

std::size_t max_item(Afi afi, bool add_path)
{
    return (add_path ? path_id_size : 0) + 1 + (afi == Afi::ipv4 ? 4 : 16);
}

std::string bad_prefix(const Nlri& n, AfiSafi family, std::size_t index)
{
    return fmt::format("prefix #{} ({}) does not belong to {}", index, n.prefix.to_string(),
                       to_string(family));
}

// Capacity for `more` octets: a whole table is one allocation instead of a chain of doublings
// (each of which copies and faults in fresh pages); small appends keep geometric growth.
void reserve_more(Bytes& out, std::size_t more)
{
    const std::size_t need = out.size() + more;
    if (need > out.capacity())
        out.reserve(std::max(need, 2 * out.capacity()));
}

// Grow `out` for one message of at most `limit` octets; returns where the message starts.
std::size_t open_message(Bytes& out, std::size_t limit)
{
    const std::size_t pos = out.size();
    out.resize(pos + limit + slack);
    put_header(out.data() + pos);
    return pos;
}

// Set the message length, trim the slack.
void close_message(Bytes& out, std::size_t pos, std::size_t size)
{
    put16(out.data() + pos + marker_size, size);
    out.resize(pos + size);
}

// An MP attribute was written with a 2-octet length; RFC 4271 §4.3 (and our canonical form)
// uses one octet when the value fits: shift the rest of the message down by one.
std::size_t shorten_mp_attribute(std::uint8_t* attr, std::size_t value_len, std::size_t tail_len)
{
    if (value_len > max_short_attribute_length)
        return 0;
    attr[0] = static_cast<std::uint8_t>(attr[0] & ~attr_flag::extended_length);
    attr[2] = static_cast<std::uint8_t>(value_len);
    std::memmove(attr + 3, attr + 4, tail_len);
    return 1;
}

} // namespace

tl::expected<EncodedAttributes, std::string>
EncodedAttributes::make(const PathAttributes& attrs, AfiSafi family, const EncodeContext& ctx)
{
    if (family != ipv4_unicast && family != ipv6_unicast)
        return tl::unexpected(fmt::format("cannot build UPDATEs for {}", to_string(family)));
    // RFC 4271 §5.1: ORIGIN and AS_PATH accompany every announcement.
    if (!attrs.origin || !attrs.as_path)
        return tl::unexpected(std::string("announcements need ORIGIN and AS_PATH"));
    EncodedAttributes e;
    e.family_ = family;
    e.add_path_ = ctx.add_path(family.afi);
    e.max_message_ = ctx.max_message();
    const bool mp = attrs.mp_reach && attrs.mp_reach->family == family;
    if (family == ipv6_unicast && !mp)
        return tl::unexpected(std::string("IPv6 announcements need an MP_REACH_NLRI next hop"));
    if (!mp && !attrs.next_hop) // RFC 4271 §5.1.3
        return tl::unexpected(std::string("IPv4 announcements need NEXT_HOP (or an RFC 8950 "
                                          "MP_REACH_NLRI next hop)"));
    if (mp) {
        Writer w(e.mp_head_);
        encode_mp_reach_head(*attrs.mp_reach, w);
    }
    Writer w(e.others_);
    encode_path_attributes(attrs, w, ctx, false);
    const std::size_t overhead =
        fixed_overhead + (mp ? long_attr_header : 0) + e.mp_head_.size() + e.others_.size();
    if (overhead + max_item(family.afi, e.add_path_) > e.max_message_)
        return tl::unexpected(fmt::format("path attributes take {} octets; no room for a prefix "
                                          "in a {}-octet UPDATE",
                                          e.mp_head_.size() + e.others_.size(), e.max_message_));
    return e;
}

tl::expected<std::size_t, std::string>
append_announcements(Bytes& out, const EncodedAttributes& attrs, std::span<const Nlri> nlri)
{
    const std::size_t original = out.size();
    const Afi afi = attrs.family().afi;
    const bool mp = attrs.multiprotocol();
    const ByteView head = attrs.mp_head();
    const ByteView others = attrs.others();
    const std::size_t fixed =
        fixed_overhead + (mp ? long_attr_header + head.size() : 0) + others.size();
    // Room for prefixes, reckoning MP_REACH_NLRI with a 2-octet length: a value short enough for
    // one octet is far from the limit, so the estimate never costs a message.
    const std::size_t room = attrs.max_message() - fixed;
    const std::size_t widest = max_item(afi, attrs.add_path());
    // NLRI field:  header | 0 | TAL | other attributes | NLRI
    // MP (IPv6, RFC 8950): header | 0 | TAL | MP_REACH_NLRI(head, NLRI) | other attributes
    const std::size_t prefix_octets = nlri.size() * widest;
    // One message more than the estimate: what follows a table (End-of-RIB) needs no copy.
    reserve_more(out, prefix_octets + (prefix_octets / (room - widest) + 1) * fixed + slack +
                          attrs.max_message());
    std::size_t messages = 0;
    for (std::size_t i = 0; i < nlri.size(); ++messages) {
        const std::size_t bound = std::min(room, (nlri.size() - i) * widest);
        const std::size_t pos = open_message(out, fixed + bound);
        std::uint8_t* const msg = out.data() + pos;
        std::uint8_t* const body = msg + header_size;
        body[0] = body[1] = 0; // Withdrawn Routes Length
        std::uint8_t* p = body + 2 * length_field;
        std::uint8_t* attr = p;
        if (mp) { // RFC 7606 §5.1: MP_REACH_NLRI first
            attr[0] = mp_flags;
            attr[1] = static_cast<std::uint8_t>(AttrType::mp_reach_nlri);
            p += long_attr_header;
            std::memcpy(p, head.data(), head.size());
            p += head.size();
        } else {
            std::memcpy(p, others.data(), others.size());
            p += others.size();
        }
        const Packed k = pack_any(nlri, i, p, bound, afi, attrs.add_path());
        if (k.bad) {
            out.resize(original);
            return tl::unexpected(bad_prefix(nlri[k.next], attrs.family(), k.next));
        }
        p += k.octets;
        i = k.next;
        std::size_t size = static_cast<std::size_t>(p - msg);
        if (mp) {
            std::memcpy(p, others.data(), others.size());
            size += others.size();
            const std::size_t value = head.size() + k.octets;
            put16(attr + 2, value);
            size -= shorten_mp_attribute(attr, value, value + others.size());
            put16(body + length_field, size - fixed_overhead); // all attributes, no NLRI field
        } else {
            put16(body + length_field, others.size());
        }
        close_message(out, pos, size);
    }
    return messages;
}

tl::expected<std::size_t, std::string>
append_withdrawals(Bytes& out, AfiSafi family, std::span<const Nlri> nlri, const EncodeContext& ctx)
{
    if (family != ipv4_unicast && family != ipv6_unicast)
        return tl::unexpected(fmt::format("cannot build UPDATEs for {}", to_string(family)));
    const std::size_t original = out.size();
    const bool add_path = ctx.add_path(family.afi);
    const bool mp = family.afi == Afi::ipv6;
    const std::size_t fixed = fixed_overhead + (mp ? long_attr_header + afi_safi_size : 0);
    const std::size_t room = ctx.max_message() - fixed;
    const std::size_t widest = max_item(family.afi, add_path);
    // IPv4: header | withdrawn length | withdrawn routes | TAL 0
    // IPv6: header | 0 | TAL | MP_UNREACH_NLRI(AFI, SAFI, withdrawn routes)
    std::size_t messages = 0;
    for (std::size_t i = 0; i < nlri.size(); ++messages) {
        const std::size_t bound = std::min(room, (nlri.size() - i) * widest);
        const std::size_t pos = open_message(out, fixed + bound);
        std::uint8_t* const msg = out.data() + pos;
        std::uint8_t* const body = msg + header_size;
        std::uint8_t* p = body + length_field;
        if (mp) { // Withdrawn Routes Length 0; RFC 4760 §4 MP_UNREACH_NLRI only
            p += length_field;
            p[0] = mp_flags;
            p[1] = static_cast<std::uint8_t>(AttrType::mp_unreach_nlri);
            p[4] = 0;
            p[5] = static_cast<std::uint8_t>(Afi::ipv6);
            p[6] = static_cast<std::uint8_t>(Safi::unicast);
            p += long_attr_header + afi_safi_size;
        }
        const Packed k = pack_any(nlri, i, p, bound, family.afi, add_path);
        if (k.bad) {
            out.resize(original);
            return tl::unexpected(bad_prefix(nlri[k.next], family, k.next));
        }
        i = k.next;
        std::size_t size = static_cast<std::size_t>(p + k.octets - msg);
        if (mp) {
            std::uint8_t* attr = body + 2 * length_field;
            const std::size_t value = afi_safi_size + k.octets;
            put16(attr + 2, value);
            size -= shorten_mp_attribute(attr, value, value);
            put16(body, 0);
            put16(body + length_field, size - fixed_overhead);
        } else {
            put16(body, k.octets);
            put16(body + length_field + k.octets, 0); // Total Path Attribute Length
        }
        close_message(out, pos, size + (mp ? 0 : length_field));
    }
    return messages;
}

tl::expected<std::size_t, std::string> build_updates(Bytes& out, const PathAttributes& attrs,
                                                     AfiSafi family, std::span<const Nlri> announce,
                                                     std::span<const Nlri> withdraw,
                                                     const EncodeContext& ctx)
{
    const std::size_t original = out.size();
    auto w = append_withdrawals(out, family, withdraw, ctx);
    if (!w)
        return w;
    if (announce.empty())
        return w;
    auto enc = EncodedAttributes::make(attrs, family, ctx);
    if (!enc) {
        out.resize(original);
        return tl::unexpected(enc.error());
    }
    auto a = append_announcements(out, *enc, announce);
    if (!a) {
        out.resize(original);
        return a;
    }
    return *w + *a;
}

} // namespace vipd::bgp
