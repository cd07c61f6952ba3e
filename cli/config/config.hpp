// The vipd configuration: one JSON file (comments allowed) turned into one complete Config
// value — speaker settings, neighbors, health checks, HAProxy instances and VIPs — or a list of
// errors that each name the file, line:column, the JSON pointer and what was expected:
//   vipd.json:14:17: /neighbors/0/hold-time: expected 0 or 3..65535, got 2
// Parsing is pure with respect to daemon state (it only reads the files the configuration
// names: MD5 password files and an ALOHA RHI file), so a bad file on reload is rejected and
// the running configuration kept. Schema and defaults: docs/configuration.md.
// Must not: open sockets, start checks, or touch the running daemon.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "announce/vip.hpp"
#include "bgp/speaker.hpp"
#include "bgp/types.hpp"
#include "health/check_spec.hpp"
#include "health/haproxy_source.hpp"

namespace vipd::cli {

/// An address and port, written "192.0.2.1:179", "[2001:db8::1]:179".
struct Endpoint
{
    bgp::Address address;
    std::uint16_t port = 0;
    bool operator==(const Endpoint&) const = default;
};

/// "192.0.2.1:179" / "[2001:db8::1]:179".
[[nodiscard]] std::string to_string(const Endpoint& e);

enum class LogLevel : std::uint8_t { debug, info, warning, error };
enum class LogFormat : std::uint8_t { text, json };

[[nodiscard]] std::string_view to_string(LogLevel l);
[[nodiscard]] std::string_view to_string(LogFormat f);

/// When the VIP addresses are on the interface: `follow` while the VIP is announced (ExaBGP
/// healthcheck's --dynamic-ip-setup), `static_` from start to exit (its --ip-setup; "static"
/// in the file, a keyword in C++). Either way vipd removes only the addresses it added.
enum class LoopbackMode : std::uint8_t { follow, static_ };

/// "follow" / "static".
[[nodiscard]] std::string_view to_string(LoopbackMode m);

/// The control socket `vipctl` talks to.
struct ControlSocketConfig
{
    std::filesystem::path path = "/run/vipd/vipd.sock";
    std::uint32_t mode = 0660; ///< permission bits of the socket file
    std::string owner;         ///< user name; empty: the daemon's user
    std::string group;         ///< group name; empty: the daemon's group
    bool operator==(const ControlSocketConfig&) const = default;
};

/// Optional set-up of the VIP addresses on a local interface (DSR/anycast hosts).
struct LoopbackConfig
{
    bool enabled = false;
    std::string interface = "lo";
    LoopbackMode mode = LoopbackMode::follow;
    bool operator==(const LoopbackConfig&) const = default;
};

/// Settings of the daemon as a whole ("global").
struct GlobalConfig
{
    bgp::RouterId router_id;
    bgp::Asn local_as = 0;
    std::vector<Endpoint> listen; ///< empty: no listener (vipd only connects out)
    std::filesystem::path state_dir = "/var/lib/vipd";
    ControlSocketConfig control_socket;
    std::optional<Endpoint> http_status; ///< HTTP status/metrics endpoint; off by default
    LogLevel log_level = LogLevel::info;
    LogFormat log_format = LogFormat::text;
    /// At start, how long VIPs wait for every leaf of their rule to have a first verdict
    /// before the speaker sends its initial table and End-of-RIB (RFC 4724).
    std::chrono::milliseconds startup_grace{std::chrono::seconds(10)};
    LoopbackConfig loopback;
    std::string hostname;           ///< sent in the FQDN capability; empty: not sent
    std::filesystem::path rhi_file; ///< ALOHA RHI file the VIPs came from; empty: none
    bool operator==(const GlobalConfig&) const = default;
};

/// A named HAProxy instance and the rise/fall applied to every reference to it.
struct HaproxyConfig
{
    health::HaproxyInstanceConfig instance;
    unsigned rise = 1;
    unsigned fall = 1;
    bool operator==(const HaproxyConfig&) const = default;
};

/// What a hook runs on (docs/hooks.md): a VIP entering a state, or a BGP session of a
/// neighbor entering (up) or leaving (down) Established.
enum class HookTrigger : std::uint8_t {
    announced,
    degraded,
    withdrawn,
    held_down,
    draining,
    drained,
    neighbor_up,
    neighbor_down,
};

/// "announced", …, "held-down", "neighbor-up", "neighbor-down" (the config words, VIPD_EVENT).
[[nodiscard]] std::string_view to_string(HookTrigger t);

/// One entry of "hooks": a command run on matching events, one run at a time.
struct HookConfig
{
    std::string name;
    std::vector<std::string> argv;      ///< program and arguments; one command line when `shell`
    bool shell = false;                 ///< run argv[0] with /bin/sh -c
    std::vector<HookTrigger> events;    ///< empty: every event
    std::vector<std::string> vips;      ///< VIP events only of these VIPs (empty: all)
    std::vector<std::string> neighbors; ///< neighbor events only of these (empty: all)
    std::vector<std::string> env;       ///< extra NAME=value entries
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    std::size_t max_output = 4096; ///< output bytes kept and logged
    bool operator==(const HookConfig&) const = default;
};

/// A complete, validated configuration.
struct Config
{
    GlobalConfig global;
    std::vector<bgp::NeighborConfig> neighbors;
    std::vector<health::CheckSpec> checks; ///< in name order
    std::vector<HaproxyConfig> haproxy;    ///< in name order
    /// One spec per distinct HAProxy reference used by a rule (kind HaproxyRefConfig), named
    /// by the reference's canonical text with its instance ("lb%b:be_app"); derived.
    std::vector<health::CheckSpec> references;
    /// VIPs from the JSON file, then those of the RHI file. Rules are resolved: every HAProxy
    /// reference names its instance.
    std::vector<announce::VipConfig> vips;
    std::vector<HookConfig> hooks; ///< in name order
    bool operator==(const Config&) const = default;

    /// The neighbor named `name`, or null.
    [[nodiscard]] const bgp::NeighborConfig* neighbor(std::string_view name) const;
};

/// The speaker settings of a configuration.
[[nodiscard]] bgp::SpeakerConfig speaker_config(const Config& config);
[[nodiscard]] bgp::SpeakerConfig speaker_config(const GlobalConfig& global);

/// One configuration error. `file` is the name as given (the JSON file or the RHI file);
/// `pointer` is a JSON pointer into the JSON file, empty for errors inside the RHI file.
struct ConfigError
{
    std::string file;
    std::size_t line = 0;
    std::size_t column = 0;
    std::string pointer;
    std::string message;
    bool operator==(const ConfigError&) const = default;
};

/// "vipd.json:14:17: /neighbors/0/hold-time: expected 0 or 3..65535, got 2". The pointer part
/// is left out when empty (syntax errors, the document as a whole, the RHI file), and
/// line:column when unknown (a file that cannot be read).
[[nodiscard]] std::string to_string(const ConfigError& e);

/// Errors sorted by file position; parsing stops after this many.
inline constexpr std::size_t max_config_errors = 50;
using ConfigErrors = std::vector<ConfigError>;

/// Parses configuration text. `file` names it in errors; relative paths inside it (password
/// files, the RHI file) are resolved against `base_dir`.
[[nodiscard]] tl::expected<Config, ConfigErrors>
parse_config(std::string_view text, std::string file, const std::filesystem::path& base_dir);

/// Reads and parses a configuration file (errors name it as given).
[[nodiscard]] tl::expected<Config, ConfigErrors> load_config(const std::filesystem::path& path);

/// The effective configuration as JSON in the input schema, every default filled in,
/// durations in canonical text, secrets replaced by "<redacted>", RHI VIPs listed with the
/// others (so the output no longer names the RHI file).
[[nodiscard]] nlohmann::ordered_json to_json(const Config& config);

/// What a reload changes, by name.
struct NameDiff
{
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> changed;
    [[nodiscard]] bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
    bool operator==(const NameDiff&) const = default;
};

struct ConfigDiff
{
    std::vector<std::string> global; ///< changed global keys, e.g. "router-id", "listen"
    NameDiff neighbors;
    NameDiff checks;
    NameDiff haproxy;
    NameDiff references;
    NameDiff vips;
    NameDiff hooks;
    [[nodiscard]] bool empty() const
    {
        return global.empty() && neighbors.empty() && checks.empty() && haproxy.empty() &&
               references.empty() && vips.empty() && hooks.empty();
    }
    bool operator==(const ConfigDiff&) const = default;
};

/// Differences from `before` to `after`; names in each list sorted.
[[nodiscard]] ConfigDiff diff(const Config& before, const Config& after);

/// One line per non-empty part: "neighbors: added r3; removed r1; changed r2".
[[nodiscard]] std::string to_string(const ConfigDiff& d);

} // namespace vipd::cli
