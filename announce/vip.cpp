// VIP configuration validation (see vip.hpp). Pure.
#include "announce/vip.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

namespace vipd::announce {

namespace {

inline constexpr std::size_t max_vip_name = 64;

tl::unexpected<VipConfigError> fail(std::size_t index, std::string field, std::string message)
{
    return tl::unexpected(VipConfigError{index, std::move(field), std::move(message)});
}

tl::expected<void, VipConfigError> validate_damping(const DampingConfig& d, std::size_t index)
{
    using std::chrono::seconds;
    if (!d.enabled)
        return {};
    if (d.threshold == 0)
        return fail(index, "damping/threshold", "must be at least 1");
    if (d.min_hold <= seconds::zero())
        return fail(index, "damping/min_hold", "must be positive");
    if (d.max_hold < d.min_hold)
        return fail(
            index, "damping/max_hold",
            fmt::format("{}s is below min_hold {}s", d.max_hold.count(), d.min_hold.count()));
    // A shorter quiet period would forget the flaps before the back-off reaches max_hold.
    if (d.reset_after < d.max_hold)
        return fail(
            index, "damping/reset_after",
            fmt::format("{}s is below max_hold {}s", d.reset_after.count(), d.max_hold.count()));
    return {};
}

tl::expected<void, VipConfigError> validate_next_hops(const VipConfig& v, std::size_t index)
{
    bool has_v4 = false;
    bool has_v6 = false;
    for (const auto& p : v.prefixes) {
        has_v4 = has_v4 || p.afi() == bgp::Afi::ipv4;
        has_v6 = has_v6 || p.afi() == bgp::Afi::ipv6;
    }
    // RFC 4760 §3: an IPv6 route needs an IPv6 next hop (IPv4 may use IPv6, RFC 8950).
    if (v.next_hop_ipv6 && v.next_hop_ipv6->is_v4())
        return fail(index, "next_hop_ipv6",
                    fmt::format("{} is not an IPv6 address", v.next_hop_ipv6->to_string()));
    if (v.next_hop_ipv4 && !has_v4)
        return fail(index, "next_hop_ipv4", "the VIP has no IPv4 prefix");
    if (v.next_hop_ipv6 && !has_v6)
        return fail(index, "next_hop_ipv6", "the VIP has no IPv6 prefix");
    for (auto* nh : {&v.next_hop_ipv4, &v.next_hop_ipv6}) {
        if (*nh && (*nh)->is_unspecified())
            return fail(index, nh == &v.next_hop_ipv4 ? "next_hop_ipv4" : "next_hop_ipv6",
                        "the unspecified address is not a next hop");
    }
    return {};
}

} // namespace

std::string_view to_string(DownAction a)
{
    return a == DownAction::withdraw ? "withdraw" : "degrade";
}

bool valid_vip_name(std::string_view name)
{
    if (name.empty() || name.size() > max_vip_name)
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

std::string to_string(const VipConfigError& e)
{
    if (e.field.empty())
        return fmt::format("vips/{}: {}", e.vip, e.message);
    return fmt::format("vips/{}/{}: {}", e.vip, e.field, e.message);
}

tl::expected<void, VipConfigError> validate(const VipConfig& v, std::size_t index)
{
    if (!valid_vip_name(v.name))
        return fail(index, "name",
                    fmt::format("\"{}\" is not a VIP name (1 to {} letters, digits, '_', '-', "
                                "'.')",
                                v.name, max_vip_name));
    if (v.prefixes.empty())
        return fail(index, "prefixes", "at least one prefix is needed");
    std::set<bgp::Prefix> seen;
    for (std::size_t i = 0; i < v.prefixes.size(); ++i) {
        if (!seen.insert(v.prefixes[i]).second)
            return fail(index, fmt::format("prefixes/{}", i),
                        fmt::format("{} is listed twice", v.prefixes[i].to_string()));
    }
    if (auto nh = validate_next_hops(v, index); !nh)
        return nh;
    for (std::size_t i = 0; i < v.neighbors.size(); ++i) {
        if (v.neighbors[i].empty())
            return fail(index, fmt::format("neighbors/{}", i), "empty neighbor name");
    }
    if (v.drain.drain_time < std::chrono::seconds::zero())
        return fail(index, "drain/drain_time", "must not be negative");
    return validate_damping(v.damping, index);
}

tl::expected<void, VipConfigError> validate(const std::vector<VipConfig>& vips)
{
    std::map<std::string, std::size_t> names;
    std::map<bgp::Prefix, std::size_t> prefixes;
    for (std::size_t i = 0; i < vips.size(); ++i) {
        if (auto r = validate(vips[i], i); !r)
            return r;
        if (auto [it, fresh] = names.emplace(vips[i].name, i); !fresh)
            return fail(
                i, "name",
                fmt::format("\"{}\" is already the name of vips/{}", vips[i].name, it->second));
        for (std::size_t p = 0; p < vips[i].prefixes.size(); ++p) {
            const auto& prefix = vips[i].prefixes[p];
            if (auto [it, fresh] = prefixes.emplace(prefix, i); !fresh)
                return fail(i, fmt::format("prefixes/{}", p),
                            fmt::format("{} already belongs to VIP \"{}\"", prefix.to_string(),
                                        vips[it->second].name));
        }
    }
    return {};
}

} // namespace vipd::announce
