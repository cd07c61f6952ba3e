// Export of locally originated routes to one neighbor (see route.hpp).
#include "bgp/route.hpp"

#include <algorithm>

namespace vipd::bgp {

namespace {

template <typename T> std::vector<T> merged(std::vector<T> a, const std::vector<T>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    return a;
}

std::optional<Address> pick_next_hop(const RouteAttributes& route, const ExportPolicy& policy,
                                     Afi family, const SessionAddresses& session)
{
    if (route.next_hop && route.next_hop->afi == family)
        return route.next_hop;
    if (family == Afi::ipv4)
        return policy.next_hop_v4 ? policy.next_hop_v4 : session.local_v4;
    return policy.next_hop_v6 ? policy.next_hop_v6 : session.local_v6;
}

} // namespace

tl::expected<PathAttributes, std::string> export_attributes(const RouteAttributes& route,
                                                            const ExportPolicy& policy, Afi afi,
                                                            const SessionAddresses& session,
                                                            bool extended_next_hop)
{
    PathAttributes a;
    a.origin = route.origin;

    // RFC 4271 §5.1.2: eBGP prepends our AS; iBGP originates an empty AS_PATH.
    AsPath path;
    const std::size_t copies =
        (policy.ibgp ? 0u : 1u) + std::size_t{route.prepend} + std::size_t{policy.prepend};
    if (copies > 0)
        path.segments.push_back(
            {SegmentType::as_sequence, std::vector<Asn>(copies, policy.local_as)});
    a.as_path = std::move(path);

    if (policy.med)
        a.multi_exit_disc = policy.med;
    else if (route.med)
        a.multi_exit_disc = route.med;
    // RFC 4271 §5.1.5: LOCAL_PREF only toward internal peers.
    if (policy.ibgp)
        a.local_pref = route.local_pref.value_or(policy.default_local_pref);

    if (auto c = merged(route.communities, policy.communities); !c.empty())
        a.communities = std::move(c);
    if (auto c = merged(route.large_communities, policy.large_communities); !c.empty())
        a.large_communities = std::move(c);
    if (auto c = merged(route.extended_communities, policy.extended_communities); !c.empty())
        a.extended_communities = std::move(c);

    if (afi == Afi::ipv4) {
        if (auto nh = pick_next_hop(route, policy, Afi::ipv4, session)) {
            a.next_hop = nh->v4_value(); // RFC 4271 §5.1.3
            return a;
        }
        // RFC 8950: IPv4 NLRI with an IPv6 next hop, when negotiated.
        auto nh6 = pick_next_hop(route, policy, Afi::ipv6, session);
        if (!extended_next_hop || !nh6)
            return tl::unexpected(std::string(
                "no IPv4 next hop: set next-hop-v4 (the session has no local IPv4 address)"));
        a.mp_reach = MpReach{ipv4_unicast, *nh6, std::nullopt, {}};
        return a;
    }

    auto nh = pick_next_hop(route, policy, Afi::ipv6, session);
    if (!nh)
        return tl::unexpected(std::string(
            "no IPv6 next hop: set next-hop-v6 (the session has no local IPv6 address)"));
    MpReach mp{ipv6_unicast, *nh, std::nullopt, {}};
    if (policy.next_hop_v6_link_local)
        mp.link_local_next_hop = policy.next_hop_v6_link_local; // RFC 2545 §3
    a.mp_reach = std::move(mp);
    return a;
}

} // namespace vipd::bgp
