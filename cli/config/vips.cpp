// Configuration section "vips" (announce::VipConfig: prefixes, rule, attributes when up, what
// to do when down, drain, damping, next hops, neighbor subset), VIPs from an ALOHA RHI file,
// and the cross-references: rule leaves must name defined checks and HAProxy instances.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>

#include "announce/leaf.hpp"
#include "announce/rhi.hpp"
#include "announce/rule.hpp"
#include "cli/config/sections.hpp"

namespace vipd::cli::detail {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::vector<std::string_view> vip_keys{
    "name",    "prefixes",  "rule",          "up",           "when-down", "degraded", "drain",
    "damping", "neighbors", "next-hop-ipv4", "next-hop-ipv6"};
const std::vector<std::string_view> delta_keys{
    "med", "local-pref", "prepend", "communities", "large-communities", "extended-communities"};

std::vector<std::string_view> with(std::vector<std::string_view> keys,
                                   std::initializer_list<std::string_view> more)
{
    keys.insert(keys.end(), more.begin(), more.end());
    return keys;
}

std::optional<seconds> as_whole_seconds(const Value& v, std::uint64_t min, std::uint64_t max)
{
    auto s = as_seconds(v, min, max);
    return s ? std::optional<seconds>(seconds(static_cast<seconds::rep>(*s))) : std::nullopt;
}

void read_up(const Object& vip, bgp::RouteAttributes& up)
{
    auto v = vip.get("up");
    if (!v)
        return;
    Object o(*v, with(delta_keys, {"origin"}));
    o.set("origin", up.origin, [](const Value& x) {
        using bgp::Origin;
        return as_enum<Origin>(x, {{bgp::to_string(Origin::igp), Origin::igp},
                                   {bgp::to_string(Origin::egp), Origin::egp},
                                   {bgp::to_string(Origin::incomplete), Origin::incomplete}});
    });
    o.set("med", up.med, uint_in<std::uint32_t>(0));
    o.set("local-pref", up.local_pref, uint_in<std::uint32_t>(0));
    o.set("prepend", up.prepend, uint_in<std::uint8_t>(0, max_prepend));
    read_communities(o, up.communities, up.large_communities, up.extended_communities);
}

void read_delta(const Object& o, announce::AttributeDelta& d)
{
    o.set("med", d.med, uint_in<std::uint32_t>(0));
    o.set("local-pref", d.local_pref, uint_in<std::uint32_t>(0));
    o.set("prepend", d.prepend, uint_in<std::uint8_t>(0, max_prepend));
    read_communities(o, d.communities, d.large_communities, d.extended_communities);
}

void read_down(const Object& vip, announce::VipConfig& c)
{
    vip.set("when-down", c.when_down, [](const Value& x) {
        return as_enum<announce::DownAction>(x, {{"withdraw", announce::DownAction::withdraw},
                                                 {"degrade", announce::DownAction::degrade}});
    });
    if (auto v = vip.get("degraded")) {
        Object o(*v, delta_keys);
        read_delta(o, c.degraded);
    }
    const bool degrade = c.when_down == announce::DownAction::degrade;
    // A setting that would be ignored is an error: the operator meant something by it.
    if (!degrade && vip.has("degraded"))
        vip.error("degraded", "\"degraded\" is used only with \"when-down\": \"degrade\"");
    if (degrade && c.degraded == announce::AttributeDelta{})
        vip.error("degraded", "\"when-down\": \"degrade\" needs \"degraded\" with med, "
                              "local-pref, prepend or communities (or the route would not change)");
    if (auto v = vip.get("drain")) {
        Object o(*v, with(delta_keys, {"time"}));
        o.set("time", c.drain.drain_time,
              [](const Value& x) { return as_whole_seconds(x, 0, 86400); });
        read_delta(o, c.drain.attributes);
    }
}

void read_damping(const Object& vip, announce::DampingConfig& d)
{
    auto v = vip.get("damping");
    if (!v)
        return;
    if (v->json->is_boolean()) {
        d.enabled = v->json->get<bool>();
        return;
    }
    Object o(*v, {"enabled", "threshold", "min-hold", "max-hold", "reset-after"});
    o.set("enabled", d.enabled, as_bool);
    o.set("threshold", d.threshold, uint_in<unsigned>(1, 1000));
    o.set("min-hold", d.min_hold, [](const Value& x) { return as_whole_seconds(x, 1, 86400); });
    o.set("max-hold", d.max_hold, [](const Value& x) { return as_whole_seconds(x, 1, 86400); });
    o.set("reset-after", d.reset_after,
          [](const Value& x) { return as_whole_seconds(x, 1, 7 * 86400); });
    if (d.max_hold < d.min_hold)
        o.error(o.has("max-hold") ? "max-hold" : "min-hold",
                fmt::format("max-hold {}s is below min-hold {}s", d.max_hold.count(),
                            d.min_hold.count()));
}

void read_prefixes(const Object& o, announce::VipConfig& c, VipOrigin& origin)
{
    if (!o.require("prefixes"))
        return;
    const Value v = *o.get("prefixes");
    std::vector<Value> items;
    if (v.json->is_string()) {
        items.push_back(v);
    } else if (auto list = as_array(v)) {
        items = std::move(*list);
        if (items.empty())
            v.expected("at least one prefix");
    }
    std::set<bgp::Prefix> seen; // a VIP may hold 100,000 prefixes: no linear search
    for (const auto& item : items) {
        auto text = as_string(item);
        if (!text)
            continue;
        auto p = bgp::Prefix::parse(*text, true); // a bare address is a /32 or /128
        if (!p) {
            item.error(p.error());
            continue;
        }
        if (!seen.insert(*p).second) {
            item.error(fmt::format("{} is listed twice", p->to_string()));
            continue;
        }
        c.prefixes.push_back(*p);
        origin.prefixes.push_back(Where{item.pointer, {}, {}});
    }
}

std::optional<bgp::Address> next_hop_v6(const Value& v)
{
    auto a = as_address(v);
    if (a && a->is_v4()) { // RFC 4760 §3: an IPv6 route needs an IPv6 next hop
        v.expected("an IPv6 address");
        return std::nullopt;
    }
    return a;
}

std::optional<std::string> as_vip_name(const Value& v)
{
    auto s = as_string(v);
    if (s && !announce::valid_vip_name(*s)) {
        v.expected("a VIP name of 1..64 letters, digits, '_', '-', '.'");
        return std::nullopt;
    }
    return s;
}

/// A rule's text; a syntax error is reported at its column inside the string.
std::optional<announce::Rule> as_rule(const Value& v)
{
    auto text = as_string(v);
    if (!text)
        return std::nullopt;
    auto rule = announce::parse_rule(*text);
    if (!rule) {
        const std::size_t column = std::max<std::size_t>(rule.error().column, 1);
        v.ctx->error_in_string(v.pointer, column - 1, rule.error().message);
        return std::nullopt;
    }
    return *rule;
}

void read_vip(const Value& v, std::vector<announce::VipConfig>& vips,
              std::vector<VipOrigin>& origins)
{
    Object o(v, vip_keys);
    if (!o.ok())
        return;
    const std::size_t errors_before = v.ctx->error_count();
    announce::VipConfig c;
    VipOrigin origin;
    origin.vip = Where{v.pointer, {}, {}};
    origin.name = Where{o.has("name") ? o.at("name") : v.pointer, {}, {}};
    origin.rule = Where{o.at("rule"), {}, {}};
    if (o.require("name"))
        o.set("name", c.name, as_vip_name);
    read_prefixes(o, c, origin);
    if (o.require("rule"))
        o.set("rule", c.rule, as_rule);
    read_up(o, c.up);
    read_down(o, c);
    read_damping(o, c.damping);
    o.set("next-hop-ipv4", c.next_hop_ipv4, as_address);
    o.set("next-hop-ipv6", c.next_hop_ipv6, next_hop_v6);
    if (auto n = o.get("neighbors")) {
        if (auto items = as_array(*n)) {
            for (const auto& item : *items) {
                if (auto s = as_non_empty_string(item))
                    c.neighbors.push_back(*s);
            }
        }
    }
    if (v.ctx->error_count() == errors_before) {
        // announce's own rules, with its snake_case field turned into our key path.
        if (auto ok = announce::validate(c, vips.size()); !ok) {
            std::string field = ok.error().field;
            std::replace(field.begin(), field.end(), '_', '-');
            if (field == "drain/drain-time")
                field = "drain/time";
            v.ctx->error(field.empty() ? v.pointer : child(v.pointer, "") + field,
                         ok.error().message);
        }
    }
    vips.push_back(std::move(c));
    origins.push_back(std::move(origin));
}

// One pass over a rule's leaves in order: resolves the default HAProxy instance and reports
// references to things that are not defined.
class LeafResolver
{
public:
    LeafResolver(Context& ctx, Config& config) : ctx_(ctx), config_(config)
    {
        for (const auto& c : config.checks)
            checks_.push_back(c.name);
        for (const auto& h : config.haproxy)
            instances_.push_back(h.instance.name);
    }

    void resolve(announce::Rule& rule, const Where& where)
    {
        for (auto& arg : rule.args)
            resolve(arg, where);
        if (rule.op != announce::RuleOp::leaf)
            return;
        auto& ref = rule.ref;
        const std::size_t offset = rule.column > 0 ? rule.column - 1 : 0;
        if (ref.kind == announce::RefKind::check) {
            if (std::find(checks_.begin(), checks_.end(), ref.name) == checks_.end())
                report(ctx_, where,
                       fmt::format("unknown check \"{}\"{}", ref.name,
                                   checks_.empty() ? std::string(" (no checks are defined)")
                                                   : did_you_mean(ref.name, checks_)),
                       offset);
            return;
        }
        if (!ref.instance.empty()) {
            if (std::find(instances_.begin(), instances_.end(), ref.instance) == instances_.end())
                report(ctx_, where,
                       fmt::format("unknown HAProxy instance \"{}\"{}", ref.instance,
                                   did_you_mean(ref.instance, instances_)),
                       offset);
            else
                add_reference(ref);
            return;
        }
        if (instances_.size() == 1) {
            ref.instance = std::string(instances_.front());
            add_reference(ref);
            return;
        }
        report(ctx_, where,
               instances_.empty()
                   ? fmt::format("{} refers to HAProxy, but no instance is defined in /haproxy",
                                 announce::to_string(ref))
                   : fmt::format("{} must name its HAProxy instance, e.g. {}%{}: {} are defined",
                                 announce::to_string(ref), instances_.front(),
                                 announce::to_string(ref), instances_.size()),
               offset);
    }

private:
    void add_reference(const announce::Reference& ref)
    {
        const std::string name = announce::leaf_name(ref);
        for (const auto& r : config_.references) {
            if (r.name == name)
                return;
        }
        const auto h =
            std::find_if(config_.haproxy.begin(), config_.haproxy.end(),
                         [&](const HaproxyConfig& x) { return x.instance.name == ref.instance; });
        announce::Reference local = ref;
        local.instance.clear();
        health::CheckSpec spec;
        spec.name = name;
        spec.probe =
            health::HaproxyRefConfig{ref.instance, announce::to_string(local), h->rise, h->fall};
        config_.references.push_back(std::move(spec));
    }

    Context& ctx_;
    Config& config_;
    std::vector<std::string_view> checks_;
    std::vector<std::string_view> instances_;
};

std::string describe_origin(const VipOrigin& o, std::size_t index)
{
    if (!o.vip.pointer.empty())
        return o.vip.pointer;
    return fmt::format("line {} of the RHI file (VIP {})", o.vip.at.line, index);
}

} // namespace

void report(Context& ctx, const Where& where, std::string message,
            std::optional<std::size_t> offset)
{
    if (!where.pointer.empty()) {
        if (offset)
            ctx.error_in_string(where.pointer, *offset, std::move(message));
        else
            ctx.error(where.pointer, std::move(message));
        return;
    }
    TextPosition at = where.at;
    at.column += offset.value_or(0);
    ctx.error_in_file(where.file, at, std::move(message));
}

void read_vips(const Object& root, std::vector<announce::VipConfig>& vips,
               std::vector<VipOrigin>& origins)
{
    auto v = root.get("vips");
    if (!v)
        return;
    if (auto items = as_array(*v)) {
        for (const auto& item : *items)
            read_vip(item, vips, origins);
    }
}

void read_rhi(Context& ctx, const GlobalConfig& global, std::vector<announce::VipConfig>& vips,
              std::vector<VipOrigin>& origins)
{
    if (global.rhi_file.empty())
        return;
    const std::string file = global.rhi_file.string();
    std::ifstream in(global.rhi_file, std::ios::binary);
    if (!in) {
        ctx.error("/global/rhi-file",
                  fmt::format("cannot read \"{}\": {}", file, std::strerror(errno)));
        return;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    auto entries = announce::parse_rhi(text);
    if (!entries) {
        for (const auto& e : entries.error())
            ctx.error_in_file(file, {e.line, e.column}, e.message);
        return;
    }
    for (auto& e : *entries) {
        announce::VipConfig c;
        VipOrigin origin;
        c.name = fmt::format("rhi-{}", e.line);
        origin.vip = origin.name = Where{{}, file, {e.line, 1}};
        origin.rule = Where{{}, file, {e.line, 1}}; // rule columns count from the line start
        for (const auto& n : e.networks) {
            c.prefixes.push_back(n.prefix);
            origin.prefixes.push_back(Where{{}, file, {e.line, n.column}});
        }
        c.rule = std::move(e.rule);
        vips.push_back(std::move(c));
        origins.push_back(std::move(origin));
    }
}

// RFC 4271 §5.1.5: LOCAL_PREF goes to iBGP neighbors only. A VIP's up.local-pref that reaches
// none of them would do nothing: an error naming the eBGP neighbors it goes to.
void check_local_pref(Context& ctx, const Config& config, const announce::VipConfig& vip,
                      const Where& where)
{
    if (!vip.up.local_pref || where.pointer.empty())
        return;
    std::vector<std::string> ebgp;
    for (const auto& n : config.neighbors) {
        const bool to_vip =
            vip.neighbors.empty() ||
            std::find(vip.neighbors.begin(), vip.neighbors.end(), n.name) != vip.neighbors.end();
        if (!to_vip)
            continue;
        if (n.export_policy.ibgp)
            return;
        ebgp.push_back(fmt::format("{} (AS {})", n.name, n.remote_as));
    }
    if (ebgp.empty())
        return;
    ctx.error(child(child(where.pointer, "up"), "local-pref"),
              fmt::format("local-pref is sent to iBGP neighbors only (RFC 4271 §5.1.5); this VIP "
                          "goes to eBGP neighbors only: {}",
                          fmt::join(ebgp, ", ")));
}

void resolve(Context& ctx, Config& config, const std::vector<VipOrigin>& origins)
{
    std::map<std::string, std::size_t> names;
    std::map<bgp::Prefix, std::size_t> prefixes;
    std::vector<std::string_view> neighbors;
    for (const auto& n : config.neighbors)
        neighbors.push_back(n.name);
    LeafResolver leaves(ctx, config);
    for (std::size_t i = 0; i < config.vips.size() && i < origins.size(); ++i) {
        auto& vip = config.vips[i];
        const auto& origin = origins[i];
        if (auto [it, fresh] = names.emplace(vip.name, i); !fresh && !vip.name.empty())
            report(ctx, origin.name,
                   fmt::format("VIP name \"{}\" is already used by {}", vip.name,
                               describe_origin(origins[it->second], it->second)));
        for (std::size_t p = 0; p < vip.prefixes.size() && p < origin.prefixes.size(); ++p) {
            if (auto [it, fresh] = prefixes.emplace(vip.prefixes[p], i); !fresh)
                report(ctx, origin.prefixes[p],
                       fmt::format("{} already belongs to VIP \"{}\" ({})",
                                   vip.prefixes[p].to_string(), config.vips[it->second].name,
                                   describe_origin(origins[it->second], it->second)));
        }
        leaves.resolve(vip.rule, origin.rule);
        check_local_pref(ctx, config, vip, origin.vip);
        for (std::size_t n = 0; n < vip.neighbors.size(); ++n) {
            const auto& name = vip.neighbors[n];
            if (std::find(neighbors.begin(), neighbors.end(), name) == neighbors.end())
                ctx.error(
                    child(child(origin.vip.pointer, "neighbors"), n),
                    fmt::format("unknown neighbor \"{}\"{}", name, did_you_mean(name, neighbors)));
        }
    }
    std::sort(
        config.references.begin(), config.references.end(),
        [](const health::CheckSpec& a, const health::CheckSpec& b) { return a.name < b.name; });
}

} // namespace vipd::cli::detail
