// The effective configuration as JSON (vipd --check-config): the input schema with every
// default written out, so that parsing the output gives the same Config (secrets aside).
// null stands for "not set" where a setting has no fixed default (keepalive: hold-time / 3).
#include <fmt/format.h>

#include "announce/rule.hpp"
#include "bgp/community_text.hpp"
#include "cli/config/check_kinds.hpp"
#include "cli/config/config.hpp"
#include "cli/config/duration.hpp"
#include "cli/config/sections.hpp"

namespace vipd::cli {

namespace {

using Out = nlohmann::ordered_json;

using detail::put_http_target;
using detail::redacted;
using detail::role_words;
using detail::word_of;

template <class T> Out optional(const std::optional<T>& v)
{
    return v ? Out(*v) : Out(nullptr);
}

Out optional_address(const std::optional<bgp::Address>& a)
{
    return a ? Out(a->to_string()) : Out(nullptr);
}

void put_communities(Out& o, const std::vector<bgp::Community>& c,
                     const std::vector<bgp::LargeCommunity>& large,
                     const std::vector<bgp::ExtendedCommunity>& extended)
{
    Out list = Out::array();
    for (auto x : c)
        list.push_back(bgp::format_community(x));
    o["communities"] = list;
    list = Out::array();
    for (const auto& x : large)
        list.push_back(bgp::format_large_community(x));
    o["large-communities"] = list;
    list = Out::array();
    for (const auto& x : extended)
        list.push_back(bgp::format_extended_community(x));
    o["extended-communities"] = list;
}

Out global_json(const GlobalConfig& g)
{
    Out o;
    o["router-id"] = g.router_id.to_string();
    o["local-as"] = g.local_as;
    Out listen = Out::array();
    for (const auto& e : g.listen)
        listen.push_back(to_string(e));
    o["listen"] = listen;
    o["state-dir"] = g.state_dir.string();
    o["control-socket"] = {{"path", g.control_socket.path.string()},
                           {"mode", fmt::format("{:04o}", g.control_socket.mode)},
                           {"owner", g.control_socket.owner},
                           {"group", g.control_socket.group}};
    o["http-status"] = g.http_status ? Out(to_string(*g.http_status)) : Out(nullptr);
    o["log-level"] = to_string(g.log_level);
    o["log-format"] = to_string(g.log_format);
    o["startup-grace"] = format_duration(g.startup_grace);
    o["loopback"] = {{"enabled", g.loopback.enabled},
                     {"interface", g.loopback.interface},
                     {"mode", to_string(g.loopback.mode)}};
    o["hostname"] = g.hostname;
    return o;
}

Out bfd_json(const bgp::bfd::BfdConfig& b)
{
    Out o;
    o["enabled"] = b.enabled;
    o["min-tx"] = b.params.desired_min_tx.count() / 1000;
    o["min-rx"] = b.params.required_min_rx.count() / 1000;
    o["multiplier"] = b.params.detect_mult;
    o["strict"] = b.strict;
    if (b.auth.type == bgp::bfd::AuthType::none)
        o["authentication"] = nullptr;
    else
        o["authentication"] = {
            {"type", to_string(b.auth.type)}, {"key-id", b.auth.key_id}, {"password", redacted}};
    return o;
}

Out neighbor_json(const bgp::NeighborConfig& n)
{
    Out o;
    o["name"] = n.name;
    o["address"] = n.address.to_string();
    o["port"] = n.port;
    o["local-address"] = optional_address(n.local_address);
    o["remote-as"] = n.remote_as;
    o["local-as"] = optional(n.local_as);
    o["passive"] = n.passive;
    if (!n.md5_password.empty())
        o["md5-password"] = redacted;
    o["hold-time"] = n.hold_time;
    o["keepalive"] = optional(n.keepalive);
    o["connect-retry"] = format_duration(n.connect_retry);
    o["idle-hold-time"] = format_duration(n.idle_hold_time);
    o["max-idle-hold-time"] = format_duration(n.max_idle_hold_time);
    o["multihop"] = optional(n.multihop);
    o["ttl-security"] = optional(n.ttl_security);
    Out families = Out::array();
    if (n.ipv4_unicast)
        families.push_back("ipv4");
    if (n.ipv6_unicast)
        families.push_back("ipv6");
    o["families"] = families;
    o["graceful-restart"] = n.graceful_restart;
    o["restart-time"] = n.restart_time;
    o["extended-message"] = n.extended_message;
    o["four-octet-as"] = n.four_octet_as;
    o["role"] = n.role ? Out(word_of<bgp::Role>(role_words, *n.role)) : Out(nullptr);
    o["role-strict"] = n.role_strict;
    o["max-prefixes"] = n.max_prefixes;
    o["adj-rib-in-limit"] = n.adj_rib_in_limit;
    const auto& e = n.export_policy;
    Out x;
    x["next-hop-v4"] = optional_address(e.next_hop_v4);
    x["next-hop-v6"] = optional_address(e.next_hop_v6);
    x["next-hop-v6-link-local"] = optional_address(e.next_hop_v6_link_local);
    x["med"] = optional(e.med);
    if (e.ibgp) // RFC 4271 §5.1.5: LOCAL_PREF only toward iBGP neighbors
        x["local-pref"] = e.default_local_pref;
    x["prepend"] = e.prepend;
    put_communities(x, e.communities, e.large_communities, e.extended_communities);
    o["export"] = x;
    o["bfd"] = bfd_json(n.bfd);
    return o;
}

Out probe_json(const health::ProbeConfig& probe)
{
    Out o;
    o["kind"] = health::kind_of(probe);
    if (const auto* kind = detail::find_check_kind(health::kind_of(probe)))
        kind->write(probe, o);
    return o;
}

Out check_json(const health::CheckSpec& c)
{
    Out o = probe_json(c.probe);
    o["interval"] = format_duration(c.timing.interval);
    o["fast-interval"] = format_duration(c.timing.fast_interval);
    o["timeout"] = format_duration(c.timing.timeout);
    o["rise"] = c.timing.rise;
    o["fall"] = c.timing.fall;
    o["jitter"] = c.timing.jitter ? Out(format_duration(*c.timing.jitter)) : Out(nullptr);
    o["initial"] = c.timing.initial == health::InitialState::up ? "up" : "down";
    return o;
}

Out haproxy_json(const HaproxyConfig& h)
{
    Out o;
    const auto& i = h.instance;
    switch (i.transport) {
    case health::HaproxyTransport::unix_socket:
        o["socket"] = i.socket_path;
        break;
    case health::HaproxyTransport::tcp_socket: {
        auto a = bgp::Address::parse(i.address).value_or(bgp::Address{});
        o["address"] = to_string(Endpoint{a, i.port});
        break;
    }
    case health::HaproxyTransport::stats_page:
        put_http_target(o, i.page);
        break;
    }
    o["interval"] = format_duration(i.interval);
    o["timeout"] = format_duration(i.timeout);
    o["jitter"] = format_duration(i.jitter);
    o["max-bytes"] = i.max_bytes;
    o["rise"] = h.rise;
    o["fall"] = h.fall;
    return o;
}

Out delta_json(const announce::AttributeDelta& d)
{
    Out o;
    o["med"] = optional(d.med);
    o["local-pref"] = optional(d.local_pref);
    o["prepend"] = d.prepend;
    put_communities(o, d.communities, d.large_communities, d.extended_communities);
    return o;
}

Out vip_json(const announce::VipConfig& v)
{
    Out o;
    o["name"] = v.name;
    Out prefixes = Out::array();
    for (const auto& p : v.prefixes)
        prefixes.push_back(p.to_string());
    o["prefixes"] = prefixes;
    o["rule"] = announce::to_string(v.rule);
    Out up;
    up["origin"] = bgp::to_string(v.up.origin);
    up["med"] = optional(v.up.med);
    up["local-pref"] = optional(v.up.local_pref);
    up["prepend"] = v.up.prepend;
    put_communities(up, v.up.communities, v.up.large_communities, v.up.extended_communities);
    o["up"] = up;
    o["when-down"] = announce::to_string(v.when_down);
    if (v.when_down == announce::DownAction::degrade)
        o["degraded"] = delta_json(v.degraded);
    Out drain;
    drain["time"] = format_duration(v.drain.drain_time);
    drain.update(delta_json(v.drain.attributes));
    o["drain"] = drain;
    o["damping"] = {{"enabled", v.damping.enabled},
                    {"threshold", v.damping.threshold},
                    {"min-hold", format_duration(v.damping.min_hold)},
                    {"max-hold", format_duration(v.damping.max_hold)},
                    {"reset-after", format_duration(v.damping.reset_after)}};
    o["next-hop-ipv4"] = optional_address(v.next_hop_ipv4);
    o["next-hop-ipv6"] = optional_address(v.next_hop_ipv6);
    o["neighbors"] = v.neighbors;
    return o;
}

} // namespace

nlohmann::ordered_json to_json(const Config& config)
{
    Out out;
    out["global"] = global_json(config.global);
    Out neighbors = Out::array();
    for (const auto& n : config.neighbors)
        neighbors.push_back(neighbor_json(n));
    out["neighbors"] = neighbors;
    Out checks = Out::object();
    for (const auto& c : config.checks)
        checks[c.name] = check_json(c);
    out["checks"] = checks;
    Out haproxy = Out::object();
    for (const auto& h : config.haproxy)
        haproxy[h.instance.name] = haproxy_json(h);
    out["haproxy"] = haproxy;
    Out vips = Out::array();
    for (const auto& v : config.vips)
        vips.push_back(vip_json(v));
    out["vips"] = vips;
    out["hooks"] = detail::hooks_json(config.hooks);
    return out;
}

} // namespace vipd::cli
