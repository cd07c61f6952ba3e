// OPEN negotiation for one neighbor: the OPEN we send (make_open), the semantic checks of the
// OPEN we receive (validate_open, RFC 4271 §6.2) and the facts both OPENs settle (Negotiated:
// hold time, families, codec context, peer capabilities).
// Must not: decode bytes (open.cpp does), keep state, or read a clock.
// RFC 4271 §4.2/§6.2, 5492 §5 (required capabilities), 6286 §2.2 (BGP Identifier), 6793 (AS4),
// 7607 (AS 0), 4760 (MP), 2918/7313 (route refresh), 4724 (GR), 8654 (extended message),
// 7911 (ADD-PATH), 8950 (extended next hop), 9234 (roles), hostname capability (code 73).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "bgp/capability.hpp"
#include "bgp/message.hpp"
#include "bgp/notification.hpp"
#include "bgp/types.hpp"

namespace vipd::bgp {

/// RFC 4724 §3: what we advertise in our Graceful Restart capability.
struct GracefulRestartConfig
{
    std::uint16_t restart_time = 120;      ///< seconds, 12 bits (at most 4095)
    bool restarting = false;               ///< R bit: we restarted and the peer should wait
    std::vector<AfiSafi> forwarding_state; ///< families whose F bit we set (state preserved)
};

/// What we are and what we want from one neighbor: the configuration OPEN negotiation reads.
/// The peer AS is one exact number: RFC 4271 §6.2 requires a configured peer AS, and vipd
/// peers with a short, known list of routers, so neither ranges nor "any" are offered.
struct LocalPeer
{
    Asn local_as = 0; ///< our AS, 4 octets (RFC 6793)
    RouterId bgp_identifier;
    Asn remote_as = 0; ///< the only AS accepted from the peer (0 never matches, RFC 7607)
    /// Hold Time we offer, seconds: 0 = no KEEPALIVEs and no hold timer; 1 and 2 are invalid
    /// (RFC 4271 §4.2).
    std::uint16_t hold_time = 90;
    /// KEEPALIVE interval, seconds; 0 = one third of the negotiated hold time (RFC 4271 §10).
    /// Never more than that third.
    std::uint16_t keepalive_time = 0;
    /// One multiprotocol capability each (RFC 4760 §8). (Count constructor: GCC 12 warns on an
    /// initializer list here.)
    std::vector<AfiSafi> families = std::vector<AfiSafi>(1, ipv4_unicast);
    bool four_octet_as = true;           ///< RFC 6793 §3
    bool route_refresh = true;           ///< RFC 2918 §2: we accept ROUTE-REFRESH
    bool enhanced_route_refresh = false; ///< RFC 7313 §3
    std::optional<GracefulRestartConfig> graceful_restart; ///< off: withdraw on our restart
    bool extended_message = false;                         ///< RFC 8654 §3
    /// Families for which we offer to send several paths (RFC 7911 §4, Send only; we never
    /// ask to receive them).
    std::vector<AfiSafi> add_path_send;
    /// RFC 8950 §3: we can carry IPv4 unicast NLRI with an IPv6 next hop.
    bool extended_next_hop = false;
    std::optional<Role> role; ///< RFC 9234: our role on this eBGP session (never sent on iBGP)
    bool strict_role = false; ///< RFC 9234 §4.2 strict mode: the peer must send its role
    std::string hostname;     ///< FQDN capability; empty = not sent
    std::string domain;
    /// RFC 5492 §5: capabilities the peer must advertise. For multiprotocol every family of
    /// `families` is required; for add_path the peer must accept (Receive) each family of
    /// `add_path_send`; other codes only need to be present.
    std::vector<CapabilityCode> required_capabilities;

    [[nodiscard]] bool internal() const { return local_as == remote_as; }
};

/// A configuration problem that makes LocalPeer unusable ("hold_time 2: RFC 4271 §4.2 allows
/// 0 or 3..65535"), or std::nullopt when it is fine.
[[nodiscard]] std::optional<std::string> check_local_peer(const LocalPeer& local);

/// What the two OPENs settled, from our point of view.
struct Negotiated
{
    Asn remote_as = 0; ///< from the 4-octet AS capability when present (RFC 6793 §4.1)
    RouterId remote_id;
    bool internal = false; ///< iBGP: remote_as == local_as
    /// RFC 4271 §4.2: the smaller of both Hold Times; zero when either is zero.
    std::chrono::seconds hold_time{0};
    /// Our KEEPALIVE interval: the configured one capped at hold_time / 3; zero with hold_time.
    std::chrono::seconds keepalive_time{0};
    /// How we encode what we send: ADD-PATH only for families where we offered Send and the
    /// peer offered Receive (RFC 7911 §4).
    EncodeContext encode;
    /// How we decode what we receive: never ADD-PATH (we do not offer Receive).
    DecodeContext decode;
    /// RFC 4760: families both sides advertised; IPv4 unicast alone (when configured) if the
    /// peer sent no multiprotocol capability at all.
    std::vector<AfiSafi> families;
    bool route_refresh = false;          ///< RFC 2918: both sides advertised it
    bool enhanced_route_refresh = false; ///< RFC 7313: both sides; wrap re-sends in BoRR/EoRR
    /// The peer's Graceful Restart capability, families limited to `families` (RFC 4724 §3).
    std::optional<GracefulRestartCap> peer_graceful_restart;
    /// RFC 8950: IPv4 unicast NLRI may carry an IPv6 next hop (both sides advertised it).
    bool extended_next_hop = false;
    std::optional<Role> peer_role; ///< RFC 9234: the role the peer announced
    std::optional<FqdnCap> peer_fqdn;
    /// Every capability of the peer vipd does not interpret (RFC 5492 §4), for status output.
    std::vector<UnknownCap> unknown_capabilities;

    [[nodiscard]] bool has_family(AfiSafi f) const;
};

/// Our OPEN for `local` (RFC 4271 §4.2): My AS is AS_TRANS when local_as needs 4 octets (the
/// real AS travels in the 4-octet AS capability, RFC 6793 §4.1); one multiprotocol capability
/// per family; the other capabilities as configured.
[[nodiscard]] Open make_open(const LocalPeer& local);

/// Check the peer's OPEN against `local` and negotiate (RFC 4271 §6.2 in this order):
/// version (2/1, data = 2-octet version 4), peer AS (2/2: mismatch, 0 (RFC 7607), AS_TRANS
/// without the 4-octet AS capability), hold time 1 or 2 (2/6), BGP Identifier zero or, on
/// iBGP, equal to ours (2/3, RFC 6286 §2.2), unsupported optional parameter (2/4), role
/// (2/11, RFC 9234 §4.2), required capabilities (2/7, data = the missing capabilities as we
/// advertise them, RFC 5492 §5). Every error is a session_reset DecodeError whose offset
/// names the OPEN field (capabilities: the start of the optional parameters).
[[nodiscard]] tl::expected<Negotiated, DecodeError> validate_open(const Open& remote,
                                                                  const LocalPeer& local);

} // namespace vipd::bgp
