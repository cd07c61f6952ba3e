// Internal to the configuration parser: one reader per top-level section, called in order by
// parse_config (config.cpp). Each reads what it can, reports every error to the Context, and
// returns its part with defaults where a value was wrong (the result is discarded then).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "announce/vip.hpp"
#include "bgp/attribute.hpp"
#include "cli/config/config.hpp"
#include "cli/config/reader.hpp"

namespace vipd::cli::detail {

/// The words of a neighbor's `role` (RFC 9234 §4.1 roles).
inline constexpr std::array<std::pair<std::string_view, bgp::Role>, 5> role_words{{
    {"provider", bgp::Role::provider},
    {"rs", bgp::Role::route_server},
    {"rs-client", bgp::Role::rs_client},
    {"customer", bgp::Role::customer},
    {"peer", bgp::Role::peer},
}};

/// Most AS-path prepends a VIP state or a neighbor export may ask for.
inline constexpr std::uint8_t max_prepend = 32;

/// Where something was written: a JSON pointer in the configuration, or a position in
/// another file (the RHI file) when `pointer` is empty.
struct Where
{
    std::string pointer;
    std::string file;
    TextPosition at;
};

/// Reports `message` at `where`; `offset`: a byte offset inside the string written there.
void report(Context& ctx, const Where& where, std::string message,
            std::optional<std::size_t> offset = std::nullopt);

/// Where each VIP's parts came from, parallel to Config::vips.
struct VipOrigin
{
    Where vip;
    Where name;
    Where rule;
    std::vector<Where> prefixes;
};

// "global"
[[nodiscard]] GlobalConfig read_global(const Object& root);
// "neighbors"
[[nodiscard]] std::vector<bgp::NeighborConfig> read_neighbors(const Object& root,
                                                              const GlobalConfig& global);
/// The secret in the file named by `key` (resolved like other paths; trailing newlines cut);
/// nullopt (error reported) when it cannot be read or the key is absent.
[[nodiscard]] std::optional<std::string> read_secret_file(const Object& o, std::string_view key);
/// A neighbor's "bfd" object (bfd.cpp).
void read_bfd(const Object& neighbor, bgp::NeighborConfig& n);
// "checks" and "haproxy"
[[nodiscard]] std::vector<health::CheckSpec> read_checks(const Object& root);
[[nodiscard]] std::vector<HaproxyConfig> read_haproxy(const Object& root);
// "vips" (appends to `vips` and `origins`)
void read_vips(const Object& root, std::vector<announce::VipConfig>& vips,
               std::vector<VipOrigin>& origins);
// The RHI file named by global "rhi-file" (appends VIPs named "rhi-LINE").
void read_rhi(Context& ctx, const GlobalConfig& global, std::vector<announce::VipConfig>& vips,
              std::vector<VipOrigin>& origins);
// "hooks" (after the VIPs and neighbors: its filters name them)
[[nodiscard]] std::vector<HookConfig> read_hooks(const Object& root, const Config& config);
/// The effective "hooks" object (env values redacted).
[[nodiscard]] nlohmann::ordered_json hooks_json(const std::vector<HookConfig>& hooks);
/// Cross-references: unique VIP names and prefixes, rule leaves naming defined checks and
/// HAProxy instances (filling in the default instance), VIP neighbor names. Fills
/// config.references.
void resolve(Context& ctx, Config& config, const std::vector<VipOrigin>& origins);

/// "communities", "large-communities", "extended-communities" of an object.
void read_communities(const Object& o, std::vector<bgp::Community>& communities,
                      std::vector<bgp::LargeCommunity>& large,
                      std::vector<bgp::ExtendedCommunity>& extended);

/// AS numbers: 1..4294967295 except AS_TRANS (RFC 6793 §9).
[[nodiscard]] std::optional<bgp::Asn> as_asn(const Value& v);

/// Names of neighbors, checks and HAProxy instances: 1..64 of [A-Za-z0-9_.-] (and ':' for
/// neighbors, whose default name is their address).
[[nodiscard]] bool valid_name(std::string_view name, bool allow_colon);

} // namespace vipd::cli::detail
