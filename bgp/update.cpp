// UPDATE body decode and encode (RFC 4271 §4.3) with the error outcomes of RFC 7606: the
// attribute-list walk (framing, duplicates, flags, unknown types), the checks that span the
// whole message (missing well-known attributes, §5.2 escalation), and AS4 reconciliation.
// Must not: send anything, or stop looking for NLRI because an attribute is malformed.
// RFC 4271 §4.3/§5/§6.3, RFC 4760, RFC 6793 §4, RFC 7606 §3-§5, RFC 7911.
#include "bgp/update.hpp"

#include <bitset>

#include <fmt/format.h>

#include "bgp/as4.hpp"

namespace vipd::bgp {

namespace {

/// RFC 4271 §4.3: attribute header is flags(1) type(1) length(1, or 2 with Extended Length).
constexpr std::size_t short_header = 3;
constexpr std::size_t long_header = 4;

constexpr std::uint8_t update_code = static_cast<std::uint8_t>(ErrorCode::update_message);
constexpr std::uint8_t mp_reach_type = static_cast<std::uint8_t>(AttrType::mp_reach_nlri);
constexpr std::uint8_t mp_unreach_type = static_cast<std::uint8_t>(AttrType::mp_unreach_nlri);

DecodeError make_error(std::uint8_t subcode, std::size_t offset, Rfc7606 action, std::string what,
                       ByteView data = {})
{
    return DecodeError{update_code, subcode, Bytes(data.begin(), data.end()),
                       offset,      action,  std::move(what)};
}

/// What the attribute walk saw besides the attributes themselves.
struct AttributeScan
{
    std::bitset<256> seen;          ///< types present on the wire (first occurrence)
    bool foreign_reachable = false; ///< an MP_REACH_NLRI of a skipped family carried NLRI
    std::vector<AfiSafi> disabled;
};

// One attribute whose header and value are in bounds: duplicate, unknown, flag and value checks.
void decode_one(std::uint8_t flags, std::uint8_t type, std::size_t at, std::size_t len_at,
                ByteView tlv, Reader value, const DecodeContext& ctx, PeerKind peer,
                PathAttributes& out, AttributeScan& scan, std::vector<DecodeError>& errors)
{
    const auto name = [type] { return attribute_name(type); }; // error paths only
    if (scan.seen[type]) {
        // RFC 7606 §3.g: a second MP_REACH_NLRI / MP_UNREACH_NLRI resets the session ...
        if (type == mp_reach_type || type == mp_unreach_type)
            errors.push_back(make_error(update_error::malformed_attribute_list, at,
                                        Rfc7606::session_reset, "second " + name()));
        else // ... any other repeated attribute is discarded after the first.
            errors.push_back(make_error(update_error::malformed_attribute_list, at,
                                        Rfc7606::attribute_discard,
                                        "second " + name() + " discarded", tlv));
        return;
    }
    scan.seen.set(type);
    out.order.push_back(type);
    out.flags.push_back(flags);

    const auto& d = attribute_descriptor(type);
    if (!d.known()) {
        // RFC 4271 §6.3: an unrecognized well-known attribute is an error (3/2, data: it).
        if (!(flags & attr_flag::optional))
            errors.push_back(make_error(update_error::unrecognized_well_known_attribute, at,
                                        Rfc7606::session_reset, "unrecognized well-known " + name(),
                                        tlv));
        // RFC 4271 §5: unrecognized optional transitive attributes are passed on; optional
        // non-transitive ones are quietly ignored.
        else if (flags & attr_flag::transitive)
            out.unknown.push_back(
                UnknownAttribute{static_cast<std::uint8_t>(flags & ~attr_flag::extended_length),
                                 type, Bytes(value.rest().begin(), value.rest().end())});
        return;
    }
    // RFC 6793 §4.1: AS4_PATH / AS4_AGGREGATOR between 4-octet speakers are discarded.
    if (d.two_octet_only && ctx.four_octet_as) {
        errors.push_back(
            make_error(update_error::optional_attribute_error, at, Rfc7606::attribute_discard,
                       name() + " from a 4-octet AS peer discarded (RFC 6793 §4.1)", tlv));
        return;
    }
    // RFC 7606 §7.5/7.9/7.10: from an external peer these are discarded.
    if (d.internal_only && peer == PeerKind::external) {
        errors.push_back(make_error(update_error::optional_attribute_error, at,
                                    Rfc7606::attribute_discard,
                                    name() + " from an external peer discarded", tlv));
        return;
    }
    // RFC 7606 §3.c: Optional/Transitive bits that conflict with the type make it malformed
    // (RFC 4271 §6.3: Attribute Flags Error, data: the attribute).
    constexpr std::uint8_t ot = attr_flag::optional | attr_flag::transitive;
    if ((flags & ot) != d.flags) {
        errors.push_back(
            make_error(update_error::attribute_flags_error, at, d.on_bad_flags,
                       fmt::format("{} flags 0x{:02x}: Optional/Transitive must be {}{}", name(),
                                   flags, (d.flags & attr_flag::optional) ? "1" : "0",
                                   (d.flags & attr_flag::transitive) ? "1" : "0"),
                       tlv));
        return;
    }
    if (auto f = d.decode(value, out, ctx)) {
        const Rfc7606 action = f->action.value_or(d.on_malformed);
        if (action == Rfc7606::afisafi_disable && f->family) {
            scan.disabled.push_back(*f->family);
            scan.foreign_reachable = scan.foreign_reachable || f->reachable_nlri;
        }
        errors.push_back(
            make_error(f->subcode, f->offset.value_or(len_at), action, std::move(f->what), tlv));
    }
}

// The Path Attributes field: attribute after attribute until the field is used up.
PathAttributes decode_attributes(Reader& section, const DecodeContext& ctx, PeerKind peer,
                                 AttributeScan& scan, std::vector<DecodeError>& errors)
{
    PathAttributes out;
    while (!section.empty()) {
        const std::size_t at = section.offset();
        const ByteView rest = section.rest();
        const bool extended = (rest[0] & attr_flag::extended_length) != 0;
        const std::size_t header = extended ? long_header : short_header;
        // RFC 7606 §4: too few octets left for an attribute header → treat-as-withdraw.
        if (rest.size() < header) {
            errors.push_back(
                make_error(update_error::malformed_attribute_list, at, Rfc7606::treat_as_withdraw,
                           fmt::format("{} octet(s) left in the path attributes, too few for an "
                                       "attribute header",
                                       rest.size())));
            break;
        }
        const std::uint8_t flags = *section.u8();
        const std::uint8_t type = *section.u8();
        const std::size_t len_at = section.offset();
        const std::size_t len = extended ? std::size_t{*section.u16()} : std::size_t{*section.u8()};
        auto value = section.sub(len);
        // RFC 7606 §4: an attribute overrunning the Total Path Attribute Length → treat-as-
        // withdraw; that length still locates the NLRI.
        if (!value) {
            errors.push_back(make_error(
                update_error::malformed_attribute_list, len_at, Rfc7606::treat_as_withdraw,
                fmt::format("{} length {} overruns the path attributes ({} octet(s) left)",
                            attribute_name(type), len, section.remaining())));
            break;
        }
        decode_one(flags, type, at, len_at, rest.first(header + len), *value, ctx, peer, out, scan,
                   errors);
    }
    return out;
}

// RFC 4271 §6.3 / RFC 7606 §3.d: well-known mandatory attributes missing while NLRI are present.
void check_mandatory(const Update& u, const AttributeScan& scan, std::size_t tal_at,
                     std::vector<DecodeError>& errors)
{
    const auto& a = u.path_attributes;
    const bool classic = !u.nlri.empty();
    const bool mp = a.mp_reach && !a.mp_reach->nlri.empty();
    if (!classic && !mp)
        return;
    // RFC 4760 §3: NEXT_HOP is only required for routes in the NLRI field.
    for (AttrType t : {AttrType::origin, AttrType::as_path, AttrType::next_hop}) {
        const auto type = static_cast<std::uint8_t>(t);
        if (scan.seen[type] || (t == AttrType::next_hop && !classic))
            continue;
        const std::uint8_t data[] = {type};
        errors.push_back(make_error(update_error::missing_well_known_attribute, tal_at,
                                    Rfc7606::treat_as_withdraw,
                                    "missing well-known attribute " + attribute_name(type), data));
    }
}

void finish(UpdateOutcome& o)
{
    for (const auto& e : o.errors) {
        if (e.action == Rfc7606::treat_as_withdraw)
            o.treat_as_withdraw = true;
        if (!o.error || e.action > o.error->action)
            o.error = e;
    }
}

} // namespace

UpdateOutcome decode_update(Reader& body, const DecodeContext& ctx, PeerKind peer)
{
    UpdateOutcome o;
    Update& u = o.update;
    const auto fatal = [&](std::size_t at, std::string what) {
        o.errors.push_back(make_error(update_error::malformed_attribute_list, at,
                                      Rfc7606::session_reset, std::move(what)));
        (void)body.skip(body.remaining());
        finish(o);
        return std::move(o);
    };

    // RFC 4271 §6.3 / RFC 7606 §3.b: lengths that do not fit the message: Malformed Attribute
    // List, session reset (nothing after them can be located).
    const std::size_t wlen_at = body.offset();
    const auto wlen = body.u16();
    if (!wlen)
        return fatal(wlen_at, fmt::format("UPDATE body of {} octet(s) has no Withdrawn Routes "
                                          "Length",
                                          body.remaining()));
    auto withdrawn = body.sub(*wlen);
    if (!withdrawn)
        return fatal(wlen_at, fmt::format("Withdrawn Routes Length {} exceeds the {} octet(s) "
                                          "left",
                                          *wlen, body.remaining()));
    const std::size_t tal_at = body.offset();
    const auto tal = body.u16();
    if (!tal)
        return fatal(tal_at, fmt::format("{} octet(s) left, no Total Path Attribute Length",
                                         body.remaining()));
    auto section = body.sub(*tal);
    if (!section)
        return fatal(tal_at, fmt::format("Total Path Attribute Length {} exceeds the {} "
                                         "octet(s) left",
                                         *tal, body.remaining()));
    Reader nlri = *body.sub(body.remaining());
    const bool nlri_field = !nlri.empty();

    // RFC 7606 §3.i: Withdrawn Routes are checked like the NLRI field (§5.3).
    if (auto w = decode_nlri(*withdrawn, Afi::ipv4, ctx.add_path_ipv4))
        u.withdrawn_routes = std::move(*w);
    else
        o.errors.push_back(std::move(w.error()));

    AttributeScan scan;
    u.path_attributes = decode_attributes(*section, ctx, peer, scan, o.errors);

    if (auto n = decode_nlri(nlri, Afi::ipv4, ctx.add_path_ipv4))
        u.nlri = std::move(*n);
    else
        o.errors.push_back(std::move(n.error()));

    check_mandatory(u, scan, tal_at, o.errors);
    if (!ctx.four_octet_as)
        reconcile_as4(u.path_attributes); // RFC 6793 §4.2.3

    // RFC 7606 §5.2: with attributes other than MP_UNREACH_NLRI but no reachable NLRI we cannot
    // be sure the NLRI were parsed; any error beyond attribute discard then resets the session.
    auto others = scan.seen;
    others.reset(mp_unreach_type);
    const auto& mp = u.path_attributes.mp_reach;
    const bool reachable = nlri_field || (mp && !mp->nlri.empty()) || scan.foreign_reachable;
    if (others.any() && !reachable)
        for (auto& e : o.errors)
            if (e.action > Rfc7606::attribute_discard)
                e.action = Rfc7606::session_reset;

    o.disabled_families = std::move(scan.disabled);
    finish(o);
    return o;
}

void encode_update_body(const Update& u, Writer& w, const EncodeContext& ctx)
{
    const std::size_t wlen = w.mark16();
    encode_nlri(u.withdrawn_routes, w, ctx.add_path_ipv4);
    w.patch16(wlen);
    const std::size_t tal = w.mark16();
    encode_path_attributes(u.path_attributes, w, ctx);
    w.patch16(tal);
    encode_nlri(u.nlri, w, ctx.add_path_ipv4);
}

std::size_t update_body_size(const Update& u, const EncodeContext& ctx)
{
    return 2 + nlri_size(u.withdrawn_routes, ctx.add_path_ipv4) + 2 +
           path_attributes_size(u.path_attributes, ctx) + nlri_size(u.nlri, ctx.add_path_ipv4);
}

} // namespace vipd::bgp
