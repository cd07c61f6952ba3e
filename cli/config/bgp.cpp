// Configuration sections "global" and "neighbors": speaker settings and one
// bgp::NeighborConfig (with its ExportPolicy) per neighbor. RFC 4271 §4.2 (hold time),
// RFC 2385 (MD5), RFC 5082 (GTSM), RFC 4724 §3 (restart time), RFC 9234 (roles).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "bgp/community_text.hpp"
#include "bgp/negotiate.hpp"
#include "bgp/session.hpp"
#include "cli/config/duration.hpp"
#include "cli/config/sections.hpp"

namespace vipd::cli::detail {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

inline constexpr std::size_t max_name = 64;
inline constexpr std::size_t md5_max_key = 80; // Linux TCP_MD5SIG_MAXKEYLEN (RFC 2385 keys)
inline constexpr std::uint64_t max_restart_time = 4095; // RFC 4724 §3: 12-bit field

const std::vector<std::string_view> global_keys{
    "router-id", "local-as",   "listen",        "state-dir", "control-socket", "http-status",
    "log-level", "log-format", "startup-grace", "loopback",  "hostname",       "rhi-file"};

const std::vector<std::string_view> neighbor_keys{"name",
                                                  "address",
                                                  "port",
                                                  "local-address",
                                                  "remote-as",
                                                  "local-as",
                                                  "passive",
                                                  "md5-password",
                                                  "md5-password-file",
                                                  "hold-time",
                                                  "keepalive",
                                                  "connect-retry",
                                                  "idle-hold-time",
                                                  "max-idle-hold-time",
                                                  "multihop",
                                                  "ttl-security",
                                                  "families",
                                                  "graceful-restart",
                                                  "restart-time",
                                                  "extended-message",
                                                  "four-octet-as",
                                                  "role",
                                                  "role-strict",
                                                  "max-prefixes",
                                                  "adj-rib-in-limit",
                                                  "export",
                                                  "bfd"};

const std::vector<std::string_view> export_keys{
    "next-hop-v4", "next-hop-v6",       "next-hop-v6-link-local", "med", "local-pref", "prepend",
    "communities", "large-communities", "extended-communities"};

template <class T, class Parse>
void read_list(const Object& o, std::string_view key, std::vector<T>& out, Parse parse)
{
    auto v = o.get(key);
    if (!v)
        return;
    auto items = as_array(*v);
    if (!items)
        return;
    out.clear();
    for (const auto& item : *items) {
        auto text = as_string(item);
        if (!text)
            continue;
        auto parsed = parse(*text);
        if (!parsed) {
            item.error(parsed.error());
            continue;
        }
        if (std::find(out.begin(), out.end(), *parsed) != out.end()) {
            item.error(fmt::format("{} is listed twice", *text));
            continue;
        }
        out.push_back(*parsed);
    }
}

std::optional<Endpoint> listen_endpoint(const Value& v)
{
    return as_endpoint(v, 179); // RFC 4271 §8.2.1: BGP listens on TCP port 179
}

/// Reader of a file or directory name, relative to the configuration file's directory.
auto path_in(const Object& o)
{
    return [&o](const Value& v) -> std::optional<std::filesystem::path> {
        auto s = as_non_empty_string(v);
        return s ? std::optional<std::filesystem::path>(o.ctx().resolve(*s)) : std::nullopt;
    };
}

void read_control_socket(const Object& g, ControlSocketConfig& out)
{
    auto v = g.get("control-socket");
    if (!v)
        return;
    Object o(*v, {"path", "mode", "owner", "group"});
    o.set("path", out.path, path_in(o));
    o.set("mode", out.mode, [](const Value& m) -> std::optional<std::uint32_t> {
        if (!m.json->is_string()) {
            m.expected("an octal mode in a string, such as \"0660\"");
            return std::nullopt;
        }
        const auto& s = m.json->get_ref<const std::string&>();
        std::uint32_t mode = 0;
        for (char c : s) {
            if (c < '0' || c > '7' || mode > 0777) {
                mode = 01000;
                break;
            }
            mode = mode * 8 + static_cast<std::uint32_t>(c - '0');
        }
        if (s.empty() || mode > 0777) {
            m.expected("an octal mode 0000..0777, such as \"0660\"");
            return std::nullopt;
        }
        return mode;
    });
    o.set("owner", out.owner, as_string);
    o.set("group", out.group, as_string);
}

void read_loopback(const Object& g, LoopbackConfig& out)
{
    auto v = g.get("loopback");
    if (!v)
        return;
    Object o(*v, {"enabled", "interface", "mode"});
    o.set("enabled", out.enabled, as_bool);
    o.set("mode", out.mode, [](const Value& m) {
        return as_enum<LoopbackMode>(
            m, {{"follow", LoopbackMode::follow}, {"static", LoopbackMode::static_}});
    });
    o.set("interface", out.interface, [](const Value& i) -> std::optional<std::string> {
        auto s = as_non_empty_string(i);
        if (s && (s->size() > 15 || s->find('/') != std::string::npos)) { // IFNAMSIZ - 1
            i.expected("an interface name of at most 15 characters");
            return std::nullopt;
        }
        return s;
    });
}

} // namespace

std::optional<std::string> read_secret_file(const Object& o, std::string_view member)
{
    auto v = o.get(member);
    if (!v)
        return std::nullopt;
    auto name = as_non_empty_string(*v);
    if (!name)
        return std::nullopt;
    const auto path = o.ctx().resolve(*name);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        v->error(fmt::format("cannot read \"{}\": {}", path.string(), std::strerror(errno)));
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string key = text.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
        key.pop_back();
    return key;
}

namespace {

void read_md5(const Object& o, bgp::NeighborConfig& n)
{
    if (o.has("md5-password") && o.has("md5-password-file")) {
        o.error("md5-password-file", "give md5-password or md5-password-file, not both");
        return;
    }
    std::optional<std::string> key;
    std::string where = "md5-password";
    if (o.has("md5-password")) {
        key = as_string(*o.get("md5-password"));
    } else {
        key = read_secret_file(o, "md5-password-file");
        where = "md5-password-file";
    }
    if (!key)
        return;
    // RFC 2385 §4.5: the key is a shared secret; Linux accepts 1..80 octets.
    if (key->empty() || key->size() > md5_max_key) {
        o.error(where, fmt::format("expected an MD5 key of 1..{} bytes, got {} bytes", md5_max_key,
                                   key->size()));
        return;
    }
    n.md5_password = std::move(*key);
}

void read_timers(const Object& o, bgp::NeighborConfig& n)
{
    // RFC 4271 §4.2: Hold Time MUST be either zero or at least three seconds.
    o.set("hold-time", n.hold_time, [](const Value& v) -> std::optional<std::uint16_t> {
        auto s = as_seconds(v, 0, 65535, "0 or 3..65535");
        if (s && (*s == 1 || *s == 2)) {
            v.expected("0 or 3..65535");
            return std::nullopt;
        }
        return s ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*s)) : std::nullopt;
    });
    const std::uint16_t hold = n.hold_time;
    o.set("keepalive", n.keepalive, [hold](const Value& v) -> std::optional<std::uint16_t> {
        // RFC 4271 §10: no KEEPALIVE without a hold time; it must be below the hold time.
        if (hold == 0) {
            v.error("keepalive needs a non-zero hold-time");
            return std::nullopt;
        }
        auto s = as_seconds(v, 1, hold - 1u,
                            fmt::format("1..{} seconds (less than hold-time {})", hold - 1, hold));
        return s ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*s)) : std::nullopt;
    });
    o.set("connect-retry", n.connect_retry, duration_in(seconds(1), std::chrono::hours(1)));
    // RFC 4271 §8.1.1 IdleHoldTime (DampPeerOscillations): first wait, then the cap.
    o.set("idle-hold-time", n.idle_hold_time, duration_in(seconds(1), std::chrono::hours(1)));
    n.max_idle_hold_time = std::max(n.max_idle_hold_time, n.idle_hold_time);
    o.set("max-idle-hold-time", n.max_idle_hold_time,
          duration_in(seconds(1), std::chrono::hours(1)));
    if (n.max_idle_hold_time < n.idle_hold_time)
        o.error("max-idle-hold-time",
                fmt::format("max-idle-hold-time {} is shorter than idle-hold-time {}",
                            format_duration(n.max_idle_hold_time),
                            format_duration(n.idle_hold_time)));
}

// A passive neighbor never opens a connection: the settings of outgoing connections would be
// ignored. Binding the listener is /global/listen's job.
void check_passive(const Object& o, const bgp::NeighborConfig& n)
{
    if (!n.passive)
        return;
    for (const auto* key : {"local-address", "multihop", "connect-retry"})
        if (o.has(key))
            o.error(key, fmt::format("{} applies to connections vipd opens; a passive neighbor "
                                     "never opens one (remove it, or \"passive\")",
                                     key));
}

void read_transport(const Object& o, bgp::NeighborConfig& n)
{
    o.set("multihop", n.multihop, uint_in<std::uint8_t>(1, 255));
    o.set("ttl-security", n.ttl_security, uint_in<std::uint8_t>(1, 254));
    // RFC 5082 §3: GTSM sends TTL 255, which overrides any multihop TTL.
    if (n.multihop && n.ttl_security)
        o.error("ttl-security", "ttl-security and multihop exclude each other (GTSM always "
                                "sends TTL 255, RFC 5082)");
    o.set("passive", n.passive, as_bool);
    if (auto v = o.get("families")) {
        if (auto items = as_array(*v)) {
            n.ipv4_unicast = n.ipv6_unicast = false;
            for (const auto& item : *items) {
                auto f = as_enum<bgp::Afi>(item, {{"ipv4", bgp::Afi::ipv4},
                                                  {"ipv6", bgp::Afi::ipv6},
                                                  {"ipv4-unicast", bgp::Afi::ipv4},
                                                  {"ipv6-unicast", bgp::Afi::ipv6}});
                if (!f)
                    continue;
                bool& on = *f == bgp::Afi::ipv4 ? n.ipv4_unicast : n.ipv6_unicast;
                if (on)
                    item.error(fmt::format("{} is listed twice", show(*item.json)));
                on = true;
            }
            if (items->empty())
                v->expected("at least one of \"ipv4\", \"ipv6\"");
        }
    }
}

void read_capabilities(const Object& o, bgp::NeighborConfig& n)
{
    o.set("graceful-restart", n.graceful_restart, as_bool);
    o.set("restart-time", n.restart_time, [](const Value& v) -> std::optional<std::uint16_t> {
        auto s = as_seconds(v, 1, max_restart_time);
        return s ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*s)) : std::nullopt;
    });
    o.set("extended-message", n.extended_message, as_bool);
    o.set("four-octet-as", n.four_octet_as, as_bool);
    // RFC 6793 §4.2.2: a 4-octet AS is only representable with the capability.
    if (!n.four_octet_as && n.remote_as > 0xFFFF)
        o.error("four-octet-as", fmt::format("remote-as {} needs four-octet-as", n.remote_as));
    o.set("role", n.role, [](const Value& v) { return as_enum<bgp::Role>(v, role_words); });
    o.set("role-strict", n.role_strict, as_bool);
    // RFC 9234 §4.2: strict mode refuses peers without the Role capability: needs our role.
    if (n.role_strict && !n.role)
        o.error("role-strict", "role-strict needs a role");
    o.set("max-prefixes", n.max_prefixes, uint_in<std::size_t>(0, 0xFFFFFFFFu));
    o.set("adj-rib-in-limit", n.adj_rib_in_limit, uint_in<std::size_t>(0, 0xFFFFFFFFu));
}

void read_export(const Object& n_obj, bgp::NeighborConfig& n)
{
    bgp::ExportPolicy& e = n.export_policy;
    e.local_as = n.local_as.value_or(e.local_as);
    e.ibgp = n.remote_as == e.local_as;
    if (auto v = n_obj.get("export")) {
        Object o(*v, export_keys);
        o.set("next-hop-v4", e.next_hop_v4, [](const Value& a) -> std::optional<bgp::Address> {
            auto addr = as_address(a);
            if (addr && !addr->is_v4()) {
                a.expected("an IPv4 address");
                return std::nullopt;
            }
            return addr;
        });
        o.set("next-hop-v6", e.next_hop_v6, [](const Value& a) -> std::optional<bgp::Address> {
            auto addr = as_address(a);
            if (addr && (addr->is_v4() || addr->is_v6_link_local())) {
                a.expected("a global IPv6 address (the link-local one is next-hop-v6-link-local)");
                return std::nullopt;
            }
            return addr;
        });
        o.set("next-hop-v6-link-local", e.next_hop_v6_link_local,
              [](const Value& a) -> std::optional<bgp::Address> {
                  auto addr = as_address(a);
                  if (addr && !addr->is_v6_link_local()) { // RFC 2545 §3: fe80::/10
                      a.expected("an IPv6 link-local address (fe80::/10)");
                      return std::nullopt;
                  }
                  return addr;
              });
        o.set("med", e.med, uint_in<std::uint32_t>(0));
        o.set("local-pref", e.default_local_pref, uint_in<std::uint32_t>(0));
        o.set("prepend", e.prepend, uint_in<std::uint8_t>(0, max_prepend));
        read_communities(o, e.communities, e.large_communities, e.extended_communities);
        // RFC 4271 §5.1.5: LOCAL_PREF is never sent to external peers.
        if (o.has("local-pref") && !e.ibgp)
            o.error("local-pref", fmt::format("local-pref is sent to iBGP neighbors only "
                                              "(remote-as {} is not local-as {})",
                                              n.remote_as, e.local_as));
    }
}

bgp::NeighborConfig read_neighbor(const Value& v, const GlobalConfig& global)
{
    Object o(v, neighbor_keys);
    bgp::NeighborConfig n;
    n.export_policy.local_as = global.local_as;
    if (!o.ok())
        return n;
    o.require("address");
    o.require("remote-as");
    o.set("address", n.address, [](const Value& a) -> std::optional<bgp::Address> {
        auto addr = as_address(a);
        if (addr && addr->is_unspecified()) {
            a.expected("a neighbor address");
            return std::nullopt;
        }
        return addr;
    });
    n.name = o.has("address") ? n.address.to_string() : std::string();
    o.set("name", n.name, [](const Value& s) -> std::optional<std::string> {
        auto name = as_string(s);
        if (name && !valid_name(*name, true)) {
            s.expected(
                fmt::format("a name of 1..{} letters, digits, '_', '-', '.', ':'", max_name));
            return std::nullopt;
        }
        return name;
    });
    o.set("port", n.port, uint_in<std::uint16_t>(1));
    o.set("remote-as", n.remote_as, as_asn);
    o.set("local-as", n.local_as, as_asn);
    o.set("local-address", n.local_address, as_address);
    if (n.local_address && n.local_address->afi != n.address.afi)
        o.error("local-address", fmt::format("{} is not of the family of address {}",
                                             n.local_address->to_string(), n.address.to_string()));
    read_md5(o, n);
    read_timers(o, n);
    read_transport(o, n);
    check_passive(o, n);
    read_capabilities(o, n);
    read_export(o, n);
    read_bfd(o, n);
    return n;
}

} // namespace

bool valid_name(std::string_view name, bool allow_colon)
{
    if (name.empty() || name.size() > max_name)
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
                        (allow_colon && c == ':');
        if (!ok)
            return false;
    }
    return true;
}

std::optional<bgp::Asn> as_asn(const Value& v)
{
    auto n = as_uint(v, 1, 0xFFFFFFFFu);
    if (n && *n == bgp::as_trans) { // RFC 6793 §9: AS_TRANS is not an AS of its own
        v.error("AS 23456 (AS_TRANS) is not a usable AS number");
        return std::nullopt;
    }
    return n ? std::optional<bgp::Asn>(static_cast<bgp::Asn>(*n)) : std::nullopt;
}

void read_communities(const Object& o, std::vector<bgp::Community>& communities,
                      std::vector<bgp::LargeCommunity>& large,
                      std::vector<bgp::ExtendedCommunity>& extended)
{
    read_list(o, "communities", communities, bgp::parse_community);
    read_list(o, "large-communities", large, bgp::parse_large_community);
    read_list(o, "extended-communities", extended, bgp::parse_extended_community);
}

std::optional<bgp::RouterId> as_router_id(const Value& v)
{
    auto a = as_address(v);
    // RFC 6286 §2.1: a non-zero 4-octet identifier; we take it in dotted-quad form.
    if (a && (!a->is_v4() || a->v4_value() == 0)) {
        v.expected("a non-zero IPv4 address (the BGP Identifier)");
        return std::nullopt;
    }
    return a ? std::optional<bgp::RouterId>(bgp::RouterId{a->v4_value()}) : std::nullopt;
}

GlobalConfig read_global(const Object& root)
{
    GlobalConfig g;
    if (!root.require("global"))
        return g;
    Object o(*root.get("global"), global_keys);
    if (!o.ok())
        return g;
    o.require("router-id");
    o.require("local-as");
    o.set("router-id", g.router_id, as_router_id);
    o.set("local-as", g.local_as, as_asn);
    if (auto v = o.get("listen")) {
        if (auto items = as_array(*v)) {
            for (const auto& item : *items) {
                auto e = listen_endpoint(item);
                if (e && std::find(g.listen.begin(), g.listen.end(), *e) != g.listen.end())
                    item.error(fmt::format("{} is listed twice", to_string(*e)));
                else if (e)
                    g.listen.push_back(*e);
            }
        }
    }
    o.set("state-dir", g.state_dir, path_in(o));
    read_control_socket(o, g.control_socket);
    o.set("http-status", g.http_status, [](const Value& v) { return as_endpoint(v, 0); });
    o.set("log-level", g.log_level, [](const Value& v) {
        return as_enum<LogLevel>(v, {{"debug", LogLevel::debug},
                                     {"info", LogLevel::info},
                                     {"warning", LogLevel::warning},
                                     {"error", LogLevel::error}});
    });
    o.set("log-format", g.log_format, [](const Value& v) {
        return as_enum<LogFormat>(v, {{"text", LogFormat::text}, {"json", LogFormat::json}});
    });
    o.set("startup-grace", g.startup_grace, duration_in(milliseconds(0), std::chrono::hours(1)));
    read_loopback(o, g.loopback);
    // The FQDN capability carries the name in a one-octet length field.
    o.set("hostname", g.hostname, [](const Value& v) -> std::optional<std::string> {
        auto s = as_string(v);
        if (s && s->size() > 255) {
            v.expected("a host name of at most 255 bytes");
            return std::nullopt;
        }
        return s;
    });
    o.set("rhi-file", g.rhi_file, path_in(o));
    return g;
}

std::vector<bgp::NeighborConfig> read_neighbors(const Object& root, const GlobalConfig& global)
{
    std::vector<bgp::NeighborConfig> out;
    auto v = root.get("neighbors");
    if (!v)
        return out;
    auto items = as_array(*v);
    if (!items)
        return out;
    std::map<std::string, std::size_t> names;
    std::map<bgp::Address, std::size_t> addresses;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const Value& item = (*items)[i];
        const std::size_t errors_before = item.ctx->error_count();
        bgp::NeighborConfig n = read_neighbor(item, global);
        const bool has_name = item.json->is_object() && item.json->contains("name");
        const std::string name_ptr = has_name ? child(item.pointer, "name") : item.pointer;
        if (!n.name.empty()) {
            if (auto [it, fresh] = names.emplace(n.name, i); !fresh)
                item.ctx->error(name_ptr, fmt::format("neighbor name \"{}\" is already used by "
                                                      "/neighbors/{}",
                                                      n.name, it->second));
        }
        if (item.json->is_object() && item.json->contains("address")) {
            if (auto [it, fresh] = addresses.emplace(n.address, i); !fresh)
                item.ctx->error(child(item.pointer, "address"),
                                fmt::format("{} is already the address of /neighbors/{}",
                                            n.address.to_string(), it->second));
        }
        // A passive neighbor only ever connects to us: we need a listener.
        if (n.passive && global.listen.empty())
            item.ctx->error(child(item.pointer, "passive"),
                            "a passive neighbor needs a listener: set /global/listen");
        // What the speaker would refuse (RFC rules across keys, e.g. a role on an iBGP session)
        // is an error here, so that --check-config and a reload catch it, not the start or the
        // apply step of a reload.
        if (item.ctx->error_count() == errors_before)
            if (auto problem =
                    bgp::check_local_peer(bgp::make_local_peer(n, speaker_config(global))))
                item.ctx->error(item.pointer, *problem);
        out.push_back(std::move(n));
    }
    return out;
}

} // namespace vipd::cli::detail
