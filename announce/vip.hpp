// The configuration of one VIP as the announce core sees it: prefixes, rule, attributes when
// up, what to do when down, drain and flap-damping settings. Plain aggregates with documented
// defaults, plus validation whose errors name the VIP and the field (the caller turns
// `vip`/`field` into "config FILE /vips/2/damping/min_hold: ...").
// Must not: parse JSON (cli/ does) or resolve rule names against checks (cli/ does).
// RFC 8326 (GRACEFUL_SHUTDOWN), RFC 4760 §3 / RFC 8950 (next hop families).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "announce/rule.hpp"
#include "bgp/attribute.hpp"
#include "bgp/route.hpp"
#include "bgp/types.hpp"

namespace vipd::announce {

/// Changes applied on top of the up attributes when a VIP is down (`degrade`) or draining.
/// A delta never makes a route more preferred: MED becomes max(current, med) (a missing MED
/// counts as 0, RFC 4271 §9.1.2.2 c), LOCAL_PREF becomes min(current, local_pref) (set when
/// the route had none; LOCAL_PREF only reaches iBGP neighbors), prepends add up and
/// communities are appended when not already present.
struct AttributeDelta
{
    std::optional<std::uint32_t> med;
    std::optional<std::uint32_t> local_pref;
    std::uint8_t prepend = 0; ///< extra copies of the local AS
    std::vector<bgp::Community> communities;
    std::vector<bgp::LargeCommunity> large_communities;
    std::vector<bgp::ExtendedCommunity> extended_communities;
    bool operator==(const AttributeDelta&) const = default;
};

/// What a VIP whose rule is not up does.
enum class DownAction : std::uint8_t {
    withdraw, ///< default: remove the route
    degrade,  ///< keep announcing with `VipConfig::degraded` applied (active/passive pairs)
};

[[nodiscard]] std::string_view to_string(DownAction a);

/// Draining (operator `vipctl drain`): announce with GRACEFUL_SHUTDOWN (65535:0, RFC 8326 §3,
/// always added) plus `attributes` for `drain_time`, then withdraw.
struct DrainConfig
{
    std::chrono::seconds drain_time{30};
    /// Default LOCAL_PREF 0, as RFC 8326 §4 asks receivers to set (only reaches iBGP).
    AttributeDelta attributes{std::nullopt, 0, 0, {}, {}, {}};
    bool operator==(const DrainConfig&) const = default;
};

/// Flap damping (see damping.hpp). A VIP whose rule changed `threshold` times with no quiet
/// gap of `reset_after` between changes is held down: an up is applied only after a hold of
/// min_hold, doubled at each further change, at most max_hold. Going down is never delayed.
struct DampingConfig
{
    bool enabled = true;
    unsigned threshold = 3;
    std::chrono::seconds min_hold{10};
    std::chrono::seconds max_hold{300};
    std::chrono::seconds reset_after{600};
    bool operator==(const DampingConfig&) const = default;
};

/// One VIP.
struct VipConfig
{
    std::string name;                  ///< unique; see valid_vip_name
    std::vector<bgp::Prefix> prefixes; ///< at least one; a prefix belongs to one VIP only
    Rule rule;                         ///< up when true
    bgp::RouteAttributes up;           ///< attributes when up (default: ORIGIN IGP only)
    DownAction when_down = DownAction::withdraw;
    AttributeDelta degraded; ///< used when when_down == degrade
    DrainConfig drain;
    DampingConfig damping;
    /// Next hop for the VIP's IPv4 prefixes (IPv4, or IPv6 per RFC 8950); default: the
    /// speaker's per-neighbor choice (or `up.next_hop` when set).
    std::optional<bgp::Address> next_hop_ipv4;
    /// Next hop for the VIP's IPv6 prefixes (must be IPv6, RFC 4760 §3).
    std::optional<bgp::Address> next_hop_ipv6;
    std::vector<std::string> neighbors; ///< empty = every neighbor
    bool operator==(const VipConfig&) const = default;
};

/// VIP names: 1..64 of [A-Za-z0-9_.-] (they appear one per line in the drained-state file
/// and as key=value in logs).
[[nodiscard]] bool valid_vip_name(std::string_view name);

/// A configuration error: `vip` is the index in the list, `field` a JSON-pointer-like path
/// relative to that VIP ("damping/min_hold", "prefixes/1"), empty for the VIP as a whole.
struct VipConfigError
{
    std::size_t vip = 0;
    std::string field;
    std::string message;
    bool operator==(const VipConfigError&) const = default;
};

/// "vips/2/damping/min_hold: must be positive".
[[nodiscard]] std::string to_string(const VipConfigError& e);

/// Checks one VIP on its own (index `index` is copied into the error).
[[nodiscard]] tl::expected<void, VipConfigError> validate(const VipConfig& vip,
                                                          std::size_t index = 0);

/// Checks every VIP, then that names and prefixes are unique across the list.
[[nodiscard]] tl::expected<void, VipConfigError> validate(const std::vector<VipConfig>& vips);

} // namespace vipd::announce
