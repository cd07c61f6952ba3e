// What the application announces (RouteAttributes: the VIP's MED, communities, prepends, …) and
// how one neighbor's export settings turn it into wire path attributes (export_attributes).
// Pure: no sockets, no clock. RFC 4271 §5.1 (mandatory attributes, NEXT_HOP, AS_PATH on eBGP
// vs iBGP), RFC 4760 §3 (MP next hops), RFC 2545 §3 (IPv6 link-local next hop), RFC 8326.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/attribute.hpp"
#include "bgp/types.hpp"

namespace vipd::bgp {

/// Attributes of a locally originated route, before per-neighbor export.
struct RouteAttributes
{
    Origin origin = Origin::igp;
    std::optional<std::uint32_t> med;
    std::optional<std::uint32_t> local_pref; ///< iBGP only; default from the neighbor
    std::uint8_t prepend = 0;                ///< extra copies of the local AS
    std::vector<Community> communities;
    std::vector<LargeCommunity> large_communities;
    std::vector<ExtendedCommunity> extended_communities;
    std::optional<Address> next_hop; ///< overrides the neighbor's next hop for this route

    bool operator==(const RouteAttributes&) const = default;
};

/// Per-neighbor export settings (RFC 4271 §5.1.3 next hop, §5.1.2 AS_PATH).
struct ExportPolicy
{
    Asn local_as = 0;
    bool ibgp = false;
    std::optional<Address> next_hop_v4;            ///< default: the session's local IPv4 address
    std::optional<Address> next_hop_v6;            ///< default: the session's local IPv6 address
    std::optional<Address> next_hop_v6_link_local; ///< RFC 2545 §3 second next hop
    std::optional<std::uint32_t> med;              ///< overrides the route's MED when set
    std::uint32_t default_local_pref = 100;        ///< iBGP LOCAL_PREF when the route has none
    std::uint8_t prepend = 0;                      ///< added to the route's own prepends
    std::vector<Community> communities;            ///< added to the route's
    std::vector<LargeCommunity> large_communities;
    std::vector<ExtendedCommunity> extended_communities;

    bool operator==(const ExportPolicy&) const = default;
};

/// The session's own addresses, used for next-hop-self.
struct SessionAddresses
{
    std::optional<Address> local_v4;
    std::optional<Address> local_v6;
};

/// Wire attributes for announcing a route of family `afi` to one neighbor. MP_REACH (for IPv6,
/// or IPv4 with an IPv6 next hop per RFC 8950) carries the next hop but no NLRI: the UPDATE
/// builder adds those. Error: no usable next hop for the family (text names what is missing).
[[nodiscard]] tl::expected<PathAttributes, std::string>
export_attributes(const RouteAttributes& route, const ExportPolicy& policy, Afi afi,
                  const SessionAddresses& session, bool extended_next_hop = false);

} // namespace vipd::bgp
