// Capability list codec (the value of OPEN optional parameter 2), one decode/encode pair per
// capability, plus names for display. Syntax only: whether a capability is acceptable or
// required is decided by negotiation, not here. Unknown codes are kept verbatim (RFC 5492 §4).
// RFC 5492, 4760 §8, 2918 §2, 7313 §3, 6793 §3, 4724 §3, 8538 §2, 8654 §3, 7911 §4, 8950 §3,
// 9234 §4.1, draft-walton-bgp-hostname-capability §3 (FQDN).
#include "bgp/capability.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vipd::bgp {
namespace {

/// RFC 4760 §8 and RFC 6793 §3: fixed value sizes.
constexpr std::size_t multiprotocol_value_size = 4;
constexpr std::size_t four_octet_as_value_size = 4;
/// RFC 4724 §3: 2 octets of flags + restart time, then 4 octets per AFI/SAFI.
constexpr std::size_t gr_header_size = 2;
constexpr std::size_t gr_family_size = 4;
/// RFC 7911 §4: 4 octets per AFI/SAFI; RFC 8950 §3: 6 octets per entry.
constexpr std::size_t add_path_family_size = 4;
constexpr std::size_t extended_next_hop_entry_size = 6;
/// RFC 9234 §4.1: the role is one octet.
constexpr std::size_t role_value_size = 1;

DecodeError malformed(std::size_t offset, std::string what)
{
    // RFC 4271 §6.2: a recognized optional parameter that is malformed → subcode 0 (Unspecific).
    return DecodeError{static_cast<std::uint8_t>(ErrorCode::open_message),
                       open_error::unspecific,
                       {},
                       offset,
                       Rfc7606::session_reset,
                       std::move(what)};
}

std::string_view code_name(std::uint8_t code)
{
    switch (static_cast<CapabilityCode>(code)) {
    case CapabilityCode::multiprotocol:
        return "multiprotocol";
    case CapabilityCode::route_refresh:
        return "route-refresh";
    case CapabilityCode::extended_next_hop:
        return "extended-next-hop";
    case CapabilityCode::extended_message:
        return "extended-message";
    case CapabilityCode::bgp_role:
        return "bgp-role";
    case CapabilityCode::graceful_restart:
        return "graceful-restart";
    case CapabilityCode::four_octet_as:
        return "four-octet-as";
    case CapabilityCode::add_path:
        return "add-path";
    case CapabilityCode::enhanced_route_refresh:
        return "enhanced-route-refresh";
    case CapabilityCode::fqdn:
        return "fqdn";
    }
    return {};
}

// RFC 5492 §4 leaves value sizes to each capability's RFC; `expected` names the rule broken.
bool length_ok(std::uint8_t code, std::size_t len, std::string_view& expected)
{
    switch (static_cast<CapabilityCode>(code)) {
    case CapabilityCode::multiprotocol: // RFC 4760 §8
        expected = "4";
        return len == multiprotocol_value_size;
    case CapabilityCode::route_refresh:          // RFC 2918 §2
    case CapabilityCode::enhanced_route_refresh: // RFC 7313 §3
    case CapabilityCode::extended_message:       // RFC 8654 §3
        expected = "0";
        return len == 0;
    case CapabilityCode::four_octet_as: // RFC 6793 §3
        expected = "4";
        return len == four_octet_as_value_size;
    case CapabilityCode::graceful_restart: // RFC 4724 §3
        expected = "2 + 4n";
        return len >= gr_header_size && (len - gr_header_size) % gr_family_size == 0;
    case CapabilityCode::add_path: // RFC 7911 §4
        expected = "a multiple of 4";
        return len % add_path_family_size == 0;
    case CapabilityCode::extended_next_hop: // RFC 8950 §3
        expected = "a multiple of 6";
        return len % extended_next_hop_entry_size == 0;
    case CapabilityCode::bgp_role: // RFC 9234 §4.1
        expected = "1";
        return len == role_value_size;
    case CapabilityCode::fqdn: // checked field by field in decode_fqdn
        return true;
    }
    return true;
}

AfiSafi family_of(std::uint16_t afi, std::uint8_t safi)
{
    return AfiSafi{static_cast<Afi>(afi), static_cast<Safi>(safi)};
}

GracefulRestartCap decode_graceful_restart(Reader& v)
{
    GracefulRestartCap gr;
    const std::uint16_t flags_time = *v.u16();
    gr.restart_state = (flags_time & gr_flag::restart_state) != 0;
    gr.notification = (flags_time & gr_flag::notification) != 0;
    gr.restart_time = static_cast<std::uint16_t>(flags_time & gr_flag::restart_time_mask);
    while (!v.empty()) {
        const std::uint16_t afi = *v.u16();
        const std::uint8_t safi = *v.u8();
        const std::uint8_t flags = *v.u8();
        gr.families.push_back({family_of(afi, safi), (flags & gr_flag::forwarding_state) != 0});
    }
    return gr;
}

tl::expected<FqdnCap, DecodeError> decode_fqdn(Reader& v)
{
    FqdnCap cap;
    for (std::string* field : {&cap.hostname, &cap.domain}) {
        const std::size_t at = v.offset();
        auto len = v.u8();
        if (!len)
            return tl::unexpected(malformed(at, "capability fqdn (73): missing name length"));
        auto text = v.bytes(*len);
        if (!text) {
            return tl::unexpected(malformed(
                at, fmt::format("capability fqdn (73): name length {} runs past the capability "
                                "({} octets left)",
                                *len, v.remaining())));
        }
        field->assign(text->begin(), text->end());
    }
    if (!v.empty()) {
        return tl::unexpected(malformed(
            v.offset(),
            fmt::format("capability fqdn (73): {} octets after the domain name", v.remaining())));
    }
    return cap;
}

// Decodes one capability value; `length_offset` is where its length octet sits.
tl::expected<Capability, DecodeError> decode_one(std::uint8_t code, Reader& v,
                                                 std::size_t length_offset)
{
    const std::size_t len = v.remaining();
    if (std::string_view expected; !length_ok(code, len, expected)) {
        return tl::unexpected(
            malformed(length_offset, fmt::format("capability {} ({}) length {}, expected {}",
                                                 code_name(code), code, len, expected)));
    }
    switch (static_cast<CapabilityCode>(code)) {
    case CapabilityCode::multiprotocol: {
        // RFC 4760 §8: AFI (2), Reserved (1), SAFI (1).
        MultiprotocolCap mp;
        const std::uint16_t afi = *v.u16();
        mp.reserved = *v.u8();
        mp.family = family_of(afi, *v.u8());
        return mp;
    }
    case CapabilityCode::route_refresh:
        return RouteRefreshCap{};
    case CapabilityCode::enhanced_route_refresh:
        return EnhancedRouteRefreshCap{};
    case CapabilityCode::extended_message:
        return ExtendedMessageCap{};
    case CapabilityCode::four_octet_as:
        return FourOctetAsCap{*v.u32()};
    case CapabilityCode::graceful_restart:
        return decode_graceful_restart(v);
    case CapabilityCode::add_path: {
        // RFC 7911 §4: a Send/Receive value other than 1-3 is kept as received; the RFC says
        // to ignore such a family, which negotiation does.
        AddPathCap ap;
        while (!v.empty()) {
            const std::uint16_t afi = *v.u16();
            const std::uint8_t safi = *v.u8();
            ap.families.push_back({family_of(afi, safi), *v.u8()});
        }
        return ap;
    }
    case CapabilityCode::extended_next_hop: {
        ExtendedNextHopCap nh;
        while (!v.empty()) {
            ExtendedNextHopCap::Entry e;
            e.nlri_afi = static_cast<Afi>(*v.u16());
            e.nlri_safi = *v.u16();
            e.nexthop_afi = static_cast<Afi>(*v.u16());
            nh.entries.push_back(e);
        }
        return nh;
    }
    case CapabilityCode::bgp_role:
        // RFC 9234 §4.2: an unknown role value is a negotiation matter, so it is kept.
        return BgpRoleCap{static_cast<Role>(*v.u8())};
    case CapabilityCode::fqdn: {
        auto fqdn = decode_fqdn(v);
        if (!fqdn)
            return tl::unexpected(std::move(fqdn.error()));
        return std::move(*fqdn);
    }
    }
    // RFC 5492 §4: an unrecognized capability is kept (and ignored by negotiation).
    auto value = v.bytes(len);
    return UnknownCap{code, Bytes(value->begin(), value->end())};
}

void encode_families_gr(const GracefulRestartCap& gr, Writer& w)
{
    auto flags_time = static_cast<std::uint16_t>(gr.restart_time & gr_flag::restart_time_mask);
    if (gr.restart_state)
        flags_time |= gr_flag::restart_state;
    if (gr.notification)
        flags_time |= gr_flag::notification;
    w.u16(flags_time);
    const std::size_t fit = (max_capability_value - gr_header_size) / gr_family_size;
    for (std::size_t i = 0; i < std::min(gr.families.size(), fit); ++i) {
        const auto& f = gr.families[i];
        w.u16(static_cast<std::uint16_t>(f.family.afi));
        w.u8(static_cast<std::uint8_t>(f.family.safi));
        w.u8(f.forwarding_state ? gr_flag::forwarding_state : 0);
    }
}

void encode_value(const Capability& c, Writer& w)
{
    std::visit(
        [&](const auto& cap) {
            using T = std::decay_t<decltype(cap)>;
            if constexpr (std::is_same_v<T, MultiprotocolCap>) {
                w.u16(static_cast<std::uint16_t>(cap.family.afi));
                w.u8(cap.reserved);
                w.u8(static_cast<std::uint8_t>(cap.family.safi));
            } else if constexpr (std::is_same_v<T, FourOctetAsCap>) {
                w.u32(cap.asn);
            } else if constexpr (std::is_same_v<T, GracefulRestartCap>) {
                encode_families_gr(cap, w);
            } else if constexpr (std::is_same_v<T, AddPathCap>) {
                const std::size_t fit = max_capability_value / add_path_family_size;
                for (std::size_t i = 0; i < std::min(cap.families.size(), fit); ++i) {
                    w.u16(static_cast<std::uint16_t>(cap.families[i].family.afi));
                    w.u8(static_cast<std::uint8_t>(cap.families[i].family.safi));
                    w.u8(cap.families[i].send_receive);
                }
            } else if constexpr (std::is_same_v<T, ExtendedNextHopCap>) {
                const std::size_t fit = max_capability_value / extended_next_hop_entry_size;
                for (std::size_t i = 0; i < std::min(cap.entries.size(), fit); ++i) {
                    w.u16(static_cast<std::uint16_t>(cap.entries[i].nlri_afi));
                    w.u16(cap.entries[i].nlri_safi);
                    w.u16(static_cast<std::uint16_t>(cap.entries[i].nexthop_afi));
                }
            } else if constexpr (std::is_same_v<T, BgpRoleCap>) {
                w.u8(static_cast<std::uint8_t>(cap.role));
            } else if constexpr (std::is_same_v<T, FqdnCap>) {
                // Two length octets plus both names must fit the 1-octet capability length.
                const std::size_t host = std::min(cap.hostname.size(), max_capability_value - 2);
                const std::size_t domain =
                    std::min(cap.domain.size(), max_capability_value - 2 - host);
                w.u8(static_cast<std::uint8_t>(host));
                w.bytes({reinterpret_cast<const std::uint8_t*>(cap.hostname.data()), host});
                w.u8(static_cast<std::uint8_t>(domain));
                w.bytes({reinterpret_cast<const std::uint8_t*>(cap.domain.data()), domain});
            } else if constexpr (std::is_same_v<T, UnknownCap>) {
                w.bytes(
                    ByteView(cap.value).first(std::min(cap.value.size(), max_capability_value)));
            }
            // RouteRefreshCap, EnhancedRouteRefreshCap, ExtendedMessageCap: no value.
        },
        c);
}

} // namespace

tl::expected<std::vector<Capability>, DecodeError> decode_capabilities(Reader& value)
{
    std::vector<Capability> caps;
    while (!value.empty()) {
        const std::size_t at = value.offset();
        // RFC 5492 §4: each capability is <code (1), length (1), value (length)>.
        if (value.remaining() < 2) {
            return tl::unexpected(malformed(
                at, fmt::format("capability header needs 2 octets, {} left in the parameter",
                                value.remaining())));
        }
        const std::uint8_t code = *value.u8();
        const std::size_t length_offset = value.offset();
        const std::uint8_t len = *value.u8();
        auto body = value.sub(len);
        if (!body) {
            return tl::unexpected(malformed(
                length_offset,
                fmt::format("capability {} length {} runs past the optional parameter ({} "
                            "octets left)",
                            code, len, value.remaining())));
        }
        auto cap = decode_one(code, *body, length_offset);
        if (!cap)
            return tl::unexpected(std::move(cap.error()));
        caps.push_back(std::move(*cap));
    }
    return caps;
}

void encode_capability(const Capability& c, Writer& w)
{
    w.u8(capability_code(c));
    const std::size_t len = w.mark8();
    encode_value(c, w);
    w.patch8(len);
}

void encode_capabilities(const std::vector<Capability>& caps, Writer& w)
{
    for (const auto& c : caps)
        encode_capability(c, w);
}

std::uint8_t capability_code(const Capability& c)
{
    return std::visit(
        [](const auto& cap) -> std::uint8_t {
            using T = std::decay_t<decltype(cap)>;
            auto code = [](CapabilityCode k) { return static_cast<std::uint8_t>(k); };
            if constexpr (std::is_same_v<T, MultiprotocolCap>)
                return code(CapabilityCode::multiprotocol);
            else if constexpr (std::is_same_v<T, RouteRefreshCap>)
                return code(CapabilityCode::route_refresh);
            else if constexpr (std::is_same_v<T, EnhancedRouteRefreshCap>)
                return code(CapabilityCode::enhanced_route_refresh);
            else if constexpr (std::is_same_v<T, FourOctetAsCap>)
                return code(CapabilityCode::four_octet_as);
            else if constexpr (std::is_same_v<T, GracefulRestartCap>)
                return code(CapabilityCode::graceful_restart);
            else if constexpr (std::is_same_v<T, ExtendedMessageCap>)
                return code(CapabilityCode::extended_message);
            else if constexpr (std::is_same_v<T, AddPathCap>)
                return code(CapabilityCode::add_path);
            else if constexpr (std::is_same_v<T, ExtendedNextHopCap>)
                return code(CapabilityCode::extended_next_hop);
            else if constexpr (std::is_same_v<T, BgpRoleCap>)
                return code(CapabilityCode::bgp_role);
            else if constexpr (std::is_same_v<T, FqdnCap>)
                return code(CapabilityCode::fqdn);
            else
                return cap.code;
        },
        c);
}

std::string capability_name(const Capability& c)
{
    const std::uint8_t code = capability_code(c);
    // An UnknownCap that carries a known code (built by hand) is still shown as unknown.
    if (std::holds_alternative<UnknownCap>(c) || code_name(code).empty())
        return fmt::format("unknown-{}", code);
    return std::string(code_name(code));
}

} // namespace vipd::bgp
