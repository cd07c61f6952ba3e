// OPEN negotiation: our OPEN from the configuration, the RFC 4271 §6.2 semantic checks of the
// peer's OPEN, and what the two settle. Pure: no state, no clock, no I/O.
// Must not: decode bytes or decide what the session does with an error (the FSM does).
// RFC 4271 §4.2/§6.2, 5492 §5, 6286 §2.2, 6793 §4.1, 7607, 4760 §8, 2918, 7313, 4724 §3,
// 8654 §3, 7911 §4, 8950 §3, 9234 §4.2.
#include "bgp/negotiate.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace vipd::bgp {
namespace {

// RFC 4271 §4.2: offsets of the OPEN fields from the start of the message (marker = 0).
constexpr std::size_t version_offset = header_size;
constexpr std::size_t my_as_offset = header_size + 1;
constexpr std::size_t hold_time_offset = header_size + 3;
constexpr std::size_t bgp_identifier_offset = header_size + 5;
constexpr std::size_t optional_parameters_offset = min_open_size;

// RFC 4271 §4.2: "Hold Time MUST be either zero or at least three seconds".
constexpr std::uint16_t min_nonzero_hold_time = 3;
// RFC 4271 §10: KeepaliveTime is one third of the Hold Time.
constexpr std::uint16_t keepalives_per_hold_time = 3;
// RFC 6793 §4.1: AS numbers above this need AS_TRANS in My Autonomous System.
constexpr Asn two_octet_as_limit = 0xffff;

DecodeError bad_open(std::uint8_t subcode, std::size_t offset, std::string what, Bytes data = {})
{
    return DecodeError{static_cast<std::uint8_t>(ErrorCode::open_message),
                       subcode,
                       std::move(data),
                       offset,
                       Rfc7606::session_reset,
                       std::move(what)};
}

template <class T> const T* find_cap(const std::vector<Capability>& caps)
{
    for (const auto& c : caps) {
        if (const auto* v = std::get_if<T>(&c))
            return v;
    }
    return nullptr;
}

template <class T> std::vector<const T*> all_caps(const std::vector<Capability>& caps)
{
    std::vector<const T*> out;
    for (const auto& c : caps) {
        if (const auto* v = std::get_if<T>(&c))
            out.push_back(v);
    }
    return out;
}

bool contains(const std::vector<AfiSafi>& v, AfiSafi f)
{
    return std::find(v.begin(), v.end(), f) != v.end();
}

bool has_code(const std::vector<Capability>& caps, std::uint8_t code)
{
    return std::any_of(caps.begin(), caps.end(),
                       [code](const Capability& c) { return capability_code(c) == code; });
}

// RFC 8950 §3: the tuple <AFI 1, SAFI 1, Next Hop AFI 2>.
constexpr ExtendedNextHopCap::Entry ipv4_over_ipv6{Afi::ipv4, 1, Afi::ipv6};

// RFC 7911 §4: the peer's Send/Receive value for a family (the last tuple wins), 0 if absent.
std::uint8_t add_path_mode(const std::vector<Capability>& caps, AfiSafi f)
{
    std::uint8_t mode = 0;
    for (const auto* ap : all_caps<AddPathCap>(caps)) {
        for (const auto& e : ap->families) {
            if (e.family == f)
                mode = e.send_receive;
        }
    }
    return mode;
}

// RFC 6793 §4.1 and RFC 7607: the peer's AS as its OPEN states it.
tl::expected<Asn, DecodeError> peer_as(const Open& remote, const std::vector<Capability>& caps)
{
    if (remote.my_as == 0) {
        // RFC 7607 §2: zero as the peer AS in an OPEN → Bad Peer AS.
        return tl::unexpected(bad_open(open_error::bad_peer_as, my_as_offset,
                                       "My Autonomous System is 0 (RFC 7607)"));
    }
    if (const auto* as4 = find_cap<FourOctetAsCap>(caps)) {
        if (as4->asn == 0) {
            // RFC 7607 §2: the same rule for the 4-octet AS capability.
            return tl::unexpected(bad_open(open_error::bad_peer_as, my_as_offset,
                                           "4-octet AS capability carries AS 0 (RFC 7607)"));
        }
        return as4->asn;
    }
    if (remote.my_as == as_trans) {
        // RFC 6793 §4.1: AS_TRANS only stands for an AS carried in the capability.
        return tl::unexpected(
            bad_open(open_error::bad_peer_as, my_as_offset,
                     "My Autonomous System is AS_TRANS (23456) without a 4-octet AS capability"));
    }
    return Asn{remote.my_as};
}

bool roles_match(Role ours, Role theirs)
{
    // RFC 9234 §4.2 table of allowed Role pairs.
    switch (ours) {
    case Role::provider:
        return theirs == Role::customer;
    case Role::customer:
        return theirs == Role::provider;
    case Role::route_server:
        return theirs == Role::rs_client;
    case Role::rs_client:
        return theirs == Role::route_server;
    case Role::peer:
        return theirs == Role::peer;
    }
    return false;
}

// RFC 9234 §4.2 (eBGP only): the peer's role, or the Role Mismatch error.
tl::expected<std::optional<Role>, DecodeError> check_role(const std::vector<Capability>& caps,
                                                          const LocalPeer& local)
{
    auto roles = all_caps<BgpRoleCap>(caps);
    if (local.internal() || (roles.empty() && !(local.role && local.strict_role)))
        return std::optional<Role>{};
    if (roles.empty()) {
        // RFC 9234 §4.2: in strict mode a missing BGP Role capability is a Role Mismatch.
        return tl::unexpected(bad_open(open_error::role_mismatch, optional_parameters_offset,
                                       "strict BGP Role: the peer sent no BGP Role capability"));
    }
    const Role theirs = roles.front()->role;
    for (const auto* r : roles) {
        if (r->role != theirs) {
            // RFC 9234 §4.2: several BGP Role capabilities with different values.
            return tl::unexpected(bad_open(open_error::role_mismatch, optional_parameters_offset,
                                           "the peer sent BGP Role capabilities that differ"));
        }
    }
    if (local.role && !roles_match(*local.role, theirs)) {
        // RFC 9234 §4.2: a Role pair outside the allowed table.
        return tl::unexpected(
            bad_open(open_error::role_mismatch, optional_parameters_offset,
                     fmt::format("BGP Role {} does not fit our role {}", static_cast<int>(theirs),
                                 static_cast<int>(*local.role))));
    }
    return std::optional<Role>{theirs};
}

// RFC 5492 §5: the required capabilities the peer lacks, encoded as we advertise them.
Bytes missing_capabilities(const std::vector<Capability>& theirs, const LocalPeer& local,
                           const std::vector<Capability>& ours)
{
    Bytes data;
    Writer w(data);
    for (const CapabilityCode required : local.required_capabilities) {
        const auto code = static_cast<std::uint8_t>(required);
        if (required == CapabilityCode::multiprotocol) {
            for (const AfiSafi f : local.families) {
                const auto mps = all_caps<MultiprotocolCap>(theirs);
                if (std::none_of(mps.begin(), mps.end(),
                                 [f](const MultiprotocolCap* mp) { return mp->family == f; }))
                    encode_capability(MultiprotocolCap{f}, w);
            }
            continue;
        }
        if (required == CapabilityCode::add_path) {
            for (const AfiSafi f : local.add_path_send) {
                if ((add_path_mode(theirs, f) & AddPathCap::receive) == 0)
                    encode_capability(AddPathCap{{{f, AddPathCap::send}}}, w);
            }
            continue;
        }
        if (has_code(theirs, code))
            continue;
        if (!has_code(ours, code)) {
            // Required but not advertised by us: name it with an empty value.
            w.u8(code);
            w.u8(0);
            continue;
        }
        for (const auto& c : ours) {
            if (capability_code(c) == code)
                encode_capability(c, w);
        }
    }
    return data;
}

std::vector<AfiSafi> usable_families(const std::vector<Capability>& theirs, const LocalPeer& local)
{
    std::vector<AfiSafi> peer_families;
    for (const auto* mp : all_caps<MultiprotocolCap>(theirs))
        peer_families.push_back(mp->family);
    // RFC 4760 §1/§8: a peer without multiprotocol capabilities speaks IPv4 unicast only.
    if (peer_families.empty())
        peer_families.push_back(ipv4_unicast);
    std::vector<AfiSafi> out;
    for (const AfiSafi f : local.families) {
        if (contains(peer_families, f) && !contains(out, f))
            out.push_back(f);
    }
    return out;
}

void negotiate_codec(Negotiated& n, const std::vector<Capability>& theirs, const LocalPeer& local)
{
    const bool as4 = local.four_octet_as && find_cap<FourOctetAsCap>(theirs) != nullptr;
    const bool ext = local.extended_message && find_cap<ExtendedMessageCap>(theirs) != nullptr;
    n.encode = CodecContext{as4, ext, false, false};
    n.decode = CodecContext{as4, ext, false, false};
    for (const AfiSafi f : local.add_path_send) {
        // RFC 7911 §4: we send path identifiers only where we offered Send and the peer
        // offered Receive.
        if (!n.has_family(f) || (add_path_mode(theirs, f) & AddPathCap::receive) == 0)
            continue;
        (f.afi == Afi::ipv4 ? n.encode.add_path_ipv4 : n.encode.add_path_ipv6) = true;
    }
}

Negotiated negotiate(const Open& remote, const std::vector<Capability>& theirs,
                     const LocalPeer& local, Asn remote_as, std::optional<Role> peer_role)
{
    Negotiated n;
    n.remote_as = remote_as;
    n.remote_id = RouterId{remote.bgp_identifier};
    n.internal = local.internal();
    // RFC 4271 §4.2: the smaller Hold Time wins; zero on either side means zero.
    const std::uint16_t hold = std::min(local.hold_time, remote.hold_time);
    n.hold_time = std::chrono::seconds{hold};
    const auto third = static_cast<std::uint16_t>(hold / keepalives_per_hold_time);
    const std::uint16_t keepalive =
        local.keepalive_time == 0 ? third : std::min(local.keepalive_time, third);
    n.keepalive_time = std::chrono::seconds{keepalive};
    n.families = usable_families(theirs, local);
    negotiate_codec(n, theirs, local);
    n.route_refresh = local.route_refresh && find_cap<RouteRefreshCap>(theirs) != nullptr;
    n.enhanced_route_refresh =
        local.enhanced_route_refresh && find_cap<EnhancedRouteRefreshCap>(theirs) != nullptr;
    if (const auto* gr = find_cap<GracefulRestartCap>(theirs)) {
        n.peer_graceful_restart = *gr;
        // RFC 4724 §3 with RFC 4760: a family not negotiated cannot be restarted.
        std::erase_if(n.peer_graceful_restart->families, [&n](const GracefulRestartCap::Family& f) {
            return !n.has_family(f.family);
        });
    }
    if (local.extended_next_hop && n.has_family(ipv4_unicast)) {
        for (const auto* enh : all_caps<ExtendedNextHopCap>(theirs)) {
            const auto& e = enh->entries;
            if (std::find(e.begin(), e.end(), ipv4_over_ipv6) != e.end())
                n.extended_next_hop = true;
        }
    }
    n.peer_role = peer_role;
    if (const auto* fqdn = find_cap<FqdnCap>(theirs))
        n.peer_fqdn = *fqdn;
    for (const auto* u : all_caps<UnknownCap>(theirs))
        n.unknown_capabilities.push_back(*u);
    return n;
}

} // namespace

bool Negotiated::has_family(AfiSafi f) const
{
    return contains(families, f);
}

std::optional<std::string> check_local_peer(const LocalPeer& local)
{
    if (local.local_as == 0 || local.remote_as == 0)
        return "AS 0 is reserved and cannot be used (RFC 7607)";
    if (local.bgp_identifier.value == 0)
        return "bgp_identifier 0.0.0.0: the BGP Identifier must be non-zero (RFC 6286 §2.1)";
    if (local.hold_time != 0 && local.hold_time < min_nonzero_hold_time)
        return fmt::format("hold_time {}: must be 0 or at least 3 seconds (RFC 4271 §4.2)",
                           local.hold_time);
    if (local.families.empty())
        return "no address family configured";
    if (local.local_as > two_octet_as_limit && !local.four_octet_as)
        return fmt::format("local_as {} needs the 4-octet AS capability (RFC 6793)",
                           local.local_as);
    if (local.graceful_restart && local.graceful_restart->restart_time > gr_flag::restart_time_mask)
        return fmt::format("graceful restart time {} exceeds 4095 seconds (RFC 4724 §3)",
                           local.graceful_restart->restart_time);
    for (const AfiSafi f : local.add_path_send) {
        if (!contains(local.families, f))
            return fmt::format("add-path family {} is not a configured family", to_string(f));
    }
    if (local.role && local.internal())
        return "a BGP Role is only used on eBGP sessions (RFC 9234 §4)";
    if (local.hostname.size() + local.domain.size() + 2 > max_capability_value)
        return "hostname and domain exceed the 255 octets of the FQDN capability";
    return std::nullopt;
}

Open make_open(const LocalPeer& local)
{
    std::vector<Capability> caps;
    for (const AfiSafi f : local.families)
        caps.emplace_back(MultiprotocolCap{f});
    if (local.route_refresh)
        caps.emplace_back(RouteRefreshCap{});
    if (local.enhanced_route_refresh)
        caps.emplace_back(EnhancedRouteRefreshCap{});
    if (local.extended_next_hop && contains(local.families, ipv4_unicast))
        caps.emplace_back(ExtendedNextHopCap{{ipv4_over_ipv6}});
    if (local.extended_message)
        caps.emplace_back(ExtendedMessageCap{});
    if (local.role && !local.internal())
        caps.emplace_back(BgpRoleCap{*local.role});
    if (local.graceful_restart) {
        const auto& gr = *local.graceful_restart;
        GracefulRestartCap cap;
        cap.restart_state = gr.restarting;
        cap.restart_time = static_cast<std::uint16_t>(gr.restart_time & gr_flag::restart_time_mask);
        for (const AfiSafi f : local.families)
            cap.families.push_back({f, contains(gr.forwarding_state, f)});
        caps.emplace_back(std::move(cap));
    }
    if (local.four_octet_as)
        caps.emplace_back(FourOctetAsCap{local.local_as});
    AddPathCap add_path;
    for (const AfiSafi f : local.add_path_send) {
        if (contains(local.families, f))
            add_path.families.push_back({f, AddPathCap::send});
    }
    if (!add_path.families.empty())
        caps.emplace_back(std::move(add_path));
    if (!local.hostname.empty())
        caps.emplace_back(FqdnCap{local.hostname, local.domain});

    Open open;
    open.version = bgp_version;
    // RFC 6793 §4.1: AS_TRANS stands in for an AS that does not fit in two octets.
    open.my_as = local.local_as > two_octet_as_limit ? static_cast<std::uint16_t>(as_trans)
                                                     : static_cast<std::uint16_t>(local.local_as);
    open.hold_time = local.hold_time;
    open.bgp_identifier = local.bgp_identifier.value;
    open.optional_parameters.emplace_back(CapabilitiesParameter{std::move(caps)});
    return open;
}

tl::expected<Negotiated, DecodeError> validate_open(const Open& remote, const LocalPeer& local)
{
    if (remote.version != bgp_version) {
        // RFC 4271 §6.2: data = the 2-octet version we support (4 is our only one).
        return tl::unexpected(bad_open(
            open_error::unsupported_version_number, version_offset,
            fmt::format("version {}, only 4 is supported", remote.version), Bytes{0, bgp_version}));
    }
    const std::vector<Capability> theirs = remote.capabilities();
    auto as = peer_as(remote, theirs);
    if (!as)
        return tl::unexpected(std::move(as.error()));
    if (*as != local.remote_as) {
        // RFC 4271 §6.2: an unacceptable Autonomous System → Bad Peer AS.
        return tl::unexpected(
            bad_open(open_error::bad_peer_as, my_as_offset,
                     fmt::format("peer AS {}, expected {}", *as, local.remote_as)));
    }
    if (remote.hold_time != 0 && remote.hold_time < min_nonzero_hold_time) {
        // RFC 4271 §6.2: "MUST reject Hold Time values of one or two seconds".
        return tl::unexpected(
            bad_open(open_error::unacceptable_hold_time, hold_time_offset,
                     fmt::format("hold time {} s (must be 0 or at least 3)", remote.hold_time)));
    }
    if (remote.bgp_identifier == 0) {
        // RFC 6286 §2.2: the BGP Identifier must be non-zero.
        return tl::unexpected(bad_open(open_error::bad_bgp_identifier, bgp_identifier_offset,
                                       "BGP Identifier 0.0.0.0"));
    }
    if (local.internal() && remote.bgp_identifier == local.bgp_identifier.value) {
        // RFC 6286 §2.2: an internal peer must not use our BGP Identifier.
        return tl::unexpected(bad_open(
            open_error::bad_bgp_identifier, bgp_identifier_offset,
            fmt::format("iBGP peer uses our BGP Identifier {}", local.bgp_identifier.to_string())));
    }
    for (const auto& p : remote.optional_parameters) {
        if (const auto* u = std::get_if<UnknownParameter>(&p)) {
            // RFC 4271 §6.2: an unrecognized Optional Parameter.
            return tl::unexpected(
                bad_open(open_error::unsupported_optional_parameter, optional_parameters_offset,
                         fmt::format("unsupported optional parameter type {}", u->type)));
        }
    }
    auto role = check_role(theirs, local);
    if (!role)
        return tl::unexpected(std::move(role.error()));
    Bytes missing = missing_capabilities(theirs, local, make_open(local).capabilities());
    if (!missing.empty()) {
        // RFC 5492 §5: Unsupported Capability; data = the capabilities we require.
        return tl::unexpected(bad_open(open_error::unsupported_capability,
                                       optional_parameters_offset,
                                       "the peer lacks a required capability", std::move(missing)));
    }
    return negotiate(remote, theirs, local, *as, *role);
}

} // namespace vipd::bgp
