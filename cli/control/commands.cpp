// The control commands' answers (see commands.hpp): one handler per registry row, the JSON of
// neighbors, VIPs, checks and routes. Everything the daemon knows comes through DaemonView;
// everything it does through DaemonActions; the time through ControlTime.
#include "cli/control/commands.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "bgp/community_text.hpp"
#include "bgp/suggest.hpp"
#include "cli/control/protocol.hpp"
#include "cli/control/registry.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

json optional_time(const std::optional<std::chrono::steady_clock::time_point>& tp,
                   const ControlTime& now)
{
    return tp ? json(wall_time(*tp, now)) : json(nullptr);
}

std::string notification_text(const std::optional<bgp::Notification>& n)
{
    if (!n)
        return {};
    auto text = fmt::format("{}/{} {}", n->code, n->subcode, bgp::describe(n->code, n->subcode));
    if (auto comm = bgp::shutdown_communication(*n))
        text += fmt::format(" \"{}\"", *comm);
    return text;
}

json attributes_json(const bgp::RouteAttributes& a)
{
    json j;
    j["med"] = a.med ? json(*a.med) : json(nullptr);
    j["local_pref"] = a.local_pref ? json(*a.local_pref) : json(nullptr);
    j["prepend"] = a.prepend;
    j["communities"] = json::array();
    for (auto c : a.communities)
        j["communities"].push_back(bgp::format_community(c));
    j["large_communities"] = json::array();
    for (const auto& c : a.large_communities)
        j["large_communities"].push_back(bgp::format_large_community(c));
    j["next_hop"] = a.next_hop ? json(a.next_hop->to_string()) : json(nullptr);
    return j;
}

json tree_json(const announce::Evaluation& e)
{
    json j;
    j["op"] = e.op == announce::RuleOp::leaf ? "leaf" : std::string(announce::to_string(e.op));
    j["state"] = e.op == announce::RuleOp::leaf ? std::string(announce::to_string(e.leaf.state))
                                                : std::string(announce::to_string(e.result));
    j["detail"] = e.op == announce::RuleOp::leaf ? e.leaf.cause : "";
    if (e.op == announce::RuleOp::leaf)
        j["ref"] = announce::to_string(e.ref);
    j["children"] = json::array();
    for (const auto& c : e.args)
        j["children"].push_back(tree_json(c));
    return j;
}

/// The leaves whose state counts as down ({"ref", "state"}): why a VIP is not announced.
void collect_down_leaves(const announce::Evaluation& e, json& out)
{
    if (e.op != announce::RuleOp::leaf) {
        for (const auto& c : e.args)
            collect_down_leaves(c, out);
    } else if (announce::leaf_result(e.leaf.state) == announce::RuleResult::down) {
        out.push_back(json{{"ref", announce::to_string(e.ref)},
                           {"state", std::string(announce::to_string(e.leaf.state))}});
    }
}

/// "65001 65001", sets as "{65010 65011}" (RFC 4271 §4.3 AS_PATH segments).
std::string as_path_text(const std::optional<bgp::AsPath>& path)
{
    std::string out;
    if (!path)
        return out;
    for (const auto& seg : path->segments) {
        const bool set = seg.type != bgp::SegmentType::as_sequence;
        std::string asns;
        for (auto asn : seg.asns)
            asns += (asns.empty() ? "" : " ") + std::to_string(asn);
        out += (out.empty() ? "" : " ") + (set ? "{" + asns + "}" : asns);
    }
    return out;
}

json next_hop_json(const bgp::PathAttributes& a)
{
    if (a.next_hop)
        return bgp::Address::v4(*a.next_hop).to_string();
    if (a.mp_reach)
        return a.mp_reach->next_hop.to_string();
    return nullptr;
}

template <typename T, typename Format>
json texts(const std::optional<std::vector<T>>& values, Format format)
{
    json out = json::array();
    if (values)
        for (const auto& v : *values)
            out.push_back(format(v));
    return out;
}

std::string no_vip(const DaemonView& view, const std::string& name)
{
    std::vector<std::string> names;
    for (const auto* v : view.vip_configs())
        names.push_back(v->name);
    return fmt::format("no VIP named \"{}\"{}", name, bgp::did_you_mean(name, names));
}

std::string no_check(const DaemonView& view, const std::string& name)
{
    std::vector<std::string> names;
    for (const auto& c : view.checks())
        names.push_back(c.name);
    return fmt::format("no check named \"{}\"{}", name, bgp::did_you_mean(name, names));
}

} // namespace

std::string no_neighbor(const DaemonView& view, const std::string& name)
{
    std::vector<std::string> names;
    for (const auto& n : view.neighbors())
        names.push_back(n.name);
    if (names.empty())
        return fmt::format("no neighbor named \"{}\" (no neighbors configured)", name);
    if (auto hint = bgp::did_you_mean(name, names); !hint.empty())
        return fmt::format("no neighbor named \"{}\"{}", name, hint);
    return fmt::format("no neighbor named \"{}\"; neighbors are {}", name, fmt::join(names, ", "));
}

std::string wall_time(std::chrono::steady_clock::time_point tp, const ControlTime& now)
{
    const auto sys =
        now.wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(tp - now.steady);
    const std::time_t t = std::chrono::system_clock::to_time_t(sys);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

json route_json(const std::string& neighbor, const bgp::Prefix& prefix,
                const tl::expected<bgp::PathAttributes, std::string>& wire)
{
    json r{{"neighbor", neighbor}, {"prefix", prefix.to_string()}};
    if (!wire) {
        r["error"] = wire.error();
        return r;
    }
    const bgp::PathAttributes& a = *wire;
    r["origin"] = a.origin ? json(bgp::to_string(*a.origin)) : json(nullptr);
    r["as_path"] = as_path_text(a.as_path);
    r["next_hop"] = next_hop_json(a);
    r["med"] = a.multi_exit_disc ? json(*a.multi_exit_disc) : json(nullptr);
    r["local_pref"] = a.local_pref ? json(*a.local_pref) : json(nullptr);
    r["communities"] = texts(a.communities, bgp::format_community);
    r["large_communities"] = texts(a.large_communities, [](const bgp::LargeCommunity& c) {
        return bgp::format_large_community(c);
    });
    r["extended_communities"] = texts(a.extended_communities, [](const bgp::ExtendedCommunity& c) {
        return bgp::format_extended_community(c);
    });
    return r;
}

std::span<const ControlCommands::HandlerRow> ControlCommands::handlers()
{
    using C = ControlCommands;
    static constexpr std::array rows{
        HandlerRow{"status", &C::cmd_status},       HandlerRow{"neighbors", &C::cmd_neighbors},
        HandlerRow{"checks", &C::cmd_checks},       HandlerRow{"routes", &C::cmd_routes},
        HandlerRow{"announce", &C::cmd_announce},   HandlerRow{"withdraw", &C::cmd_withdraw},
        HandlerRow{"drain", &C::cmd_drain},         HandlerRow{"undrain", &C::cmd_undrain},
        HandlerRow{"disable", &C::cmd_disable},     HandlerRow{"enable", &C::cmd_enable},
        HandlerRow{"check-now", &C::cmd_check_now}, HandlerRow{"explain", &C::cmd_explain},
        HandlerRow{"reload", &C::cmd_reload},       HandlerRow{"version", &C::cmd_version},
        HandlerRow{"neighbor", &C::cmd_neighbor},   HandlerRow{"watch", &C::cmd_watch},
    };
    return rows;
}

std::string unmatched_handlers()
{
    std::vector<std::string> problems;
    const auto handlers = ControlCommands::handlers();
    for (const auto& c : command_registry())
        if (std::count_if(handlers.begin(), handlers.end(),
                          [&](const auto& h) { return h.command == c.name; }) != 1)
            problems.push_back(fmt::format("command \"{}\" has no single handler", c.name));
    for (const auto& h : handlers)
        if (!find_command(h.command))
            problems.push_back(fmt::format("handler \"{}\" has no registry row", h.command));
    return fmt::format("{}", fmt::join(problems, "; "));
}

void ControlCommands::handle(std::string_view command, const json& args, Respond respond,
                             const ControlTime& now)
{
    for (const auto& h : handlers())
        if (h.command == command) {
            (this->*h.handler)(args, std::move(respond), now);
            return;
        }
    respond(error_reply(fmt::format("unknown command \"{}\"", command)));
}

namespace {

/// A neighbor's BFD session (RFC 5880 §6.8.1 variables, negotiated intervals, counters); null
/// when BFD is off for it. No secret: the authentication type only.
json bfd_json(const std::optional<bgp::bfd::BfdStatus>& b, const ControlTime& now)
{
    if (!b)
        return nullptr;
    const auto ms = [](bgp::bfd::Micros m) { return static_cast<double>(m.count()) / 1000.0; };
    return {
        {"peer", b->peer},
        {"multihop", b->multihop},
        {"state", bgp::bfd::to_string(b->state)},
        {"remote_state", bgp::bfd::to_string(b->remote_state)},
        {"local_diag", bgp::bfd::to_string(b->local_diag)},
        {"remote_diag", bgp::bfd::to_string(b->remote_diag)},
        {"local_discriminator", b->local_discriminator},
        {"remote_discriminator", b->remote_discriminator},
        {"min_tx_ms", ms(b->params.desired_min_tx)},
        {"min_rx_ms", ms(b->params.required_min_rx)},
        {"multiplier", b->params.detect_mult},
        {"remote_multiplier", b->remote_detect_mult},
        {"tx_interval_ms", ms(b->tx_interval)},
        {"detection_time_ms", ms(b->detection_time)},
        {"authentication", bgp::bfd::to_string(b->auth)},
        {"strict", b->strict},
        {"packets_sent", b->counters.packets_sent},
        {"packets_received", b->counters.packets_received},
        {"packets_dropped", b->dropped},
        {"last_drop", b->last_drop},
        {"transitions", b->counters.transitions},
        {"up_count", b->counters.up_count},
        {"poll_sequences", b->counters.poll_sequences},
        {"since_s", b->since ? json(std::chrono::duration<double>(now.steady - *b->since).count())
                             : json(nullptr)},
    };
}

/// Reason ("bad-version", ...) -> count, every reason (RFC 5880 §6.8.6 checks, demultiplexing).
json bfd_drops_json(const bgp::bfd::DropCounts& drops)
{
    json out = json::object();
    for (std::size_t i = 0; i < drops.size(); ++i)
        out[std::string(bgp::bfd::to_string(static_cast<bgp::bfd::Drop>(i)))] = drops[i];
    return out;
}

} // namespace

json ControlCommands::neighbors_json(const ControlTime& now) const
{
    json out = json::array();
    for (const auto& s : view_.neighbors()) {
        const auto* cfg = view_.config().neighbor(s.name);
        json n;
        n["name"] = s.name;
        n["address"] = s.address;
        n["remote_as"] = cfg ? cfg->remote_as : 0;
        n["state"] = s.state;
        n["disabled"] = s.disabled;
        n["disabled_message"] = s.disabled ? json(s.disabled_message) : json(nullptr);
        n["uptime_s"] =
            s.established_since
                ? json(std::chrono::duration<double>(now.steady - *s.established_since).count())
                : json(nullptr);
        n["last_error"] = s.last_error;
        n["last_transition"] = s.last_transition;
        n["messages_sent"] = s.messages_sent;
        n["messages_received"] = s.messages_received;
        n["updates_sent"] = s.updates_sent;
        n["updates_received"] = s.updates_received;
        n["prefixes_announced"] = s.prefixes_announced;
        n["prefixes_received"] = s.prefixes_received;
        n["families"] = s.families;
        n["established_count"] = s.established_count;
        // RFC 4271 §8.1.1 IdleHoldTimer: the back-off and, while it runs, the next attempt.
        n["failures"] = s.failures;
        n["idle_hold_s"] = std::chrono::duration<double>(s.idle_hold_time).count();
        n["idle_hold_reason"] = s.idle_hold_reason;
        n["next_attempt_in_s"] =
            s.next_attempt
                ? json(std::max(
                      0.0, std::chrono::duration<double>(*s.next_attempt - now.steady).count()))
                : json(nullptr);
        n["last_notification_sent"] = s.last_notification_sent
                                          ? json(notification_text(s.last_notification_sent))
                                          : json(nullptr);
        n["last_notification_received"] =
            s.last_notification_received ? json(notification_text(s.last_notification_received))
                                         : json(nullptr);
        n["bfd"] = bfd_json(s.bfd, now);
        n["waiting_for_bfd"] = s.waiting_for_bfd;
        out.push_back(std::move(n));
    }
    return out;
}

json ControlCommands::vip_json(const announce::VipStatus& v, const ControlTime& now) const
{
    json j;
    j["name"] = v.name;
    j["prefixes"] = json::array();
    for (const auto& p : v.prefixes)
        j["prefixes"].push_back(p.to_string());
    j["state"] = std::string(announce::to_string(v.state));
    j["rule"] = v.rule;
    j["evaluation"] = announce::to_string(v.evaluation);
    j["reason"] = v.reason;
    j["down_leaves"] = json::array();
    collect_down_leaves(v.evaluation, j["down_leaves"]);
    j["attributes"] = v.attributes ? attributes_json(*v.attributes) : json(nullptr);
    j["neighbors"] = json::array();
    if (const auto* vc = view_.vip_config(v.name))
        j["neighbors"] = vc->neighbors;
    j["damping"] = {{"flaps", v.damping.flaps},
                    {"suppressed", v.damping.suppressed},
                    {"held_until", optional_time(v.damping.held_until, now)}};
    j["drained"] = v.drained;
    j["drain_end"] = optional_time(v.drain_end, now);
    j["last_change"] = optional_time(v.last_change, now);
    j["waiting_for"] = json::array();
    for (const auto& r : v.waiting_for)
        j["waiting_for"].push_back(announce::to_string(r));
    return j;
}

json ControlCommands::vips_json(const ControlTime& now) const
{
    json out = json::array();
    for (const auto& v : view_.vips(now.steady))
        out.push_back(vip_json(v, now));
    return out;
}

json ControlCommands::check_json(const health::CheckSnapshot& s, const ControlTime& now) const
{
    json j;
    j["name"] = s.name;
    j["kind"] = s.kind;
    j["state"] = std::string(health::to_string(s.state));
    j["detail"] = s.last ? s.last->detail : s.cause;
    j["cause"] = s.cause;
    j["latency_ms"] =
        s.last ? json(static_cast<double>(s.last->took.count()) / 1000.0) : json(nullptr);
    j["transitions"] = s.transitions;
    j["probes"] = s.probes;
    j["failures"] = s.failures;
    j["serving"] = s.serving;
    j["admin_disabled"] = s.admin_disabled;
    j["last_change"] = s.transitions > 0 ? json(wall_time(s.since, now)) : json(nullptr);
    return j;
}

json ControlCommands::checks_json(const ControlTime& now) const
{
    json out = json::array();
    for (const auto& s : view_.checks())
        out.push_back(check_json(s, now));
    return out;
}

json ControlCommands::status(const ControlTime& now) const
{
    return {{"ok", true},
            {"version", VIPD_VERSION},
            {"neighbors", neighbors_json(now)},
            {"vips", vips_json(now)},
            {"checks", checks_json(now)},
            {"bfd_dropped_no_session", bfd_drops_json(view_.bfd_unmatched_drops())},
            {"state_errors", view_.state_problems()}};
}

void ControlCommands::cmd_version(const json&, Respond respond, const ControlTime&)
{
    respond({{"ok", true}, {"version", VIPD_VERSION}});
}

void ControlCommands::cmd_watch(const json&, Respond respond, const ControlTime&)
{
    // The server turns the connection into a stream of event lines after this reply.
    respond({{"ok", true}, {"watching", {"check", "vip", "neighbor"}}});
}

void ControlCommands::cmd_status(const json&, Respond respond, const ControlTime& now)
{
    respond(status(now));
}

void ControlCommands::cmd_checks(const json&, Respond respond, const ControlTime& now)
{
    respond({{"ok", true}, {"checks", checks_json(now)}});
}

void ControlCommands::cmd_routes(const json& args, Respond respond, const ControlTime&)
{
    json routes = json::array();
    const std::string only = args.value("neighbor", std::string());
    bool found = only.empty();
    for (const auto& n : view_.neighbors()) {
        if (!only.empty() && n.name != only)
            continue;
        found = true;
        view_.for_each_exported(
            n.name,
            [&](const bgp::Prefix& p, const tl::expected<bgp::PathAttributes, std::string>& wire) {
                routes.push_back(route_json(n.name, p, wire));
            });
    }
    if (!found) {
        respond(error_reply(no_neighbor(view_, only)));
        return;
    }
    respond({{"ok", true}, {"routes", routes}});
}

std::optional<std::string> ControlCommands::vip_owning(std::span<const bgp::Prefix> prefixes) const
{
    // One pass over the VIPs' prefixes (a file of 100,000 prefixes against a VIP of 100,000
    // must not be quadratic).
    const auto vips = view_.vip_configs();
    if (vips.empty())
        return std::nullopt;
    const std::set<bgp::Prefix> asked(prefixes.begin(), prefixes.end());
    for (const auto* v : vips)
        for (const auto& q : v->prefixes)
            if (asked.count(q) != 0)
                return fmt::format("{} belongs to VIP \"{}\" (use drain/undrain)", q.to_string(),
                                   v->name);
    return std::nullopt;
}

void ControlCommands::cmd_announce(const json& args, Respond respond, const ControlTime&)
{
    // The arguments were validated by parse_request; each prefix is parsed once, here.
    auto a = announce_args(args);
    if (!a) {
        respond(error_reply(a.error()));
        return;
    }
    const auto neighbors = view_.neighbors();
    for (const auto& name : a->neighbors)
        if (std::none_of(neighbors.begin(), neighbors.end(),
                         [&](const auto& n) { return n.name == name; })) {
            respond(error_reply(no_neighbor(view_, name)));
            return;
        }
    if (auto owner = vip_owning(a->prefixes)) {
        respond(error_reply(*owner));
        return;
    }
    bgp::RouteSpec spec;
    spec.attributes.med = a->med;
    spec.attributes.prepend = a->prepend;
    spec.attributes.communities = std::move(a->communities);
    spec.attributes.large_communities = std::move(a->large_communities);
    spec.attributes.next_hop = a->next_hop;
    spec.neighbors = std::move(a->neighbors);
    actions_.announce(a->prefixes, spec);
    actions_.when_flushed([respond](FlushResults results) {
        respond({{"ok", true}, {"results", results}});
    });
}

void ControlCommands::cmd_withdraw(const json& args, Respond respond, const ControlTime&)
{
    auto prefixes = withdraw_args(args);
    if (!prefixes) {
        respond(error_reply(prefixes.error()));
        return;
    }
    if (auto owner = vip_owning(*prefixes)) {
        respond(error_reply(*owner));
        return;
    }
    actions_.withdraw(*prefixes);
    actions_.when_flushed([respond](FlushResults results) {
        respond({{"ok", true}, {"results", results}});
    });
}

void ControlCommands::drain_or_undrain(const json& args, Respond respond, const ControlTime& now,
                                       bool drain)
{
    std::vector<std::string> names;
    std::optional<std::string> vip;
    if (args.value("all", false)) {
        for (const auto* v : view_.vip_configs())
            names.push_back(v->name);
    } else {
        vip = args.at("vip").get<std::string>();
        names.push_back(*vip);
    }
    if (!actions_.set_drained(vip, drain, now.steady)) {
        respond(error_reply(no_vip(view_, vip.value_or(""))));
        return;
    }
    if (!drain || !args.value("wait", false)) {
        respond({{"ok", true}, {"vips", names}});
        return;
    }
    // --wait: reply once every named VIP has finished draining (withdrawn).
    actions_.when_drained(names, [this, respond, names]() {
        actions_.when_flushed([respond, names](FlushResults results) {
            respond({{"ok", true}, {"vips", names}, {"results", results}});
        });
    });
}

void ControlCommands::cmd_drain(const json& args, Respond respond, const ControlTime& now)
{
    drain_or_undrain(args, std::move(respond), now, true);
}

void ControlCommands::cmd_undrain(const json& args, Respond respond, const ControlTime& now)
{
    drain_or_undrain(args, std::move(respond), now, false);
}

void ControlCommands::set_check(const json& args, Respond respond, const ControlTime& now,
                                bool disabled)
{
    const std::string name = args.at("check").get<std::string>();
    if (!view_.check(name)) {
        respond(error_reply(no_check(view_, name)));
        return;
    }
    actions_.set_check_disabled(name, disabled);
    respond({{"ok", true}, {"check", check_json(*view_.check(name), now)}});
}

void ControlCommands::cmd_disable(const json& args, Respond respond, const ControlTime& now)
{
    set_check(args, std::move(respond), now, true);
}

void ControlCommands::cmd_enable(const json& args, Respond respond, const ControlTime& now)
{
    set_check(args, std::move(respond), now, false);
}

void ControlCommands::cmd_check_now(const json& args, Respond respond, const ControlTime& now)
{
    const std::string name = args.at("check").get<std::string>();
    if (!view_.check(name)) {
        respond(error_reply(no_check(view_, name)));
        return;
    }
    // The reply's times are those of the request: the probe is bounded by its own timeout.
    actions_.check_now(name, [this, respond, name, now](std::optional<health::CheckSnapshot> s) {
        if (s)
            respond({{"ok", true}, {"check", check_json(*s, now)}});
        else
            respond(error_reply(fmt::format("check \"{}\" was removed", name)));
    });
}

void ControlCommands::cmd_explain(const json& args, Respond respond, const ControlTime& now)
{
    const std::string vip = args.at("vip").get<std::string>();
    auto st = view_.vip(vip, now.steady);
    if (!st) {
        respond(error_reply(no_vip(view_, vip)));
        return;
    }
    respond({{"ok", true}, {"vip", vip_json(*st, now)}, {"tree", tree_json(st->evaluation)}});
}

void ControlCommands::cmd_reload(const json&, Respond respond, const ControlTime&)
{
    auto r = actions_.reload();
    if (!r) {
        respond(error_reply("configuration rejected, running configuration kept: " + r.error()));
        return;
    }
    json changes = {
        {"added", json::array()}, {"removed", json::array()}, {"changed", json::array()}};
    auto add = [&](const char* kind, const NameDiff& d) {
        for (const auto& n : d.added)
            changes["added"].push_back(fmt::format("{} {}", kind, n));
        for (const auto& n : d.removed)
            changes["removed"].push_back(fmt::format("{} {}", kind, n));
        for (const auto& n : d.changed)
            changes["changed"].push_back(fmt::format("{} {}", kind, n));
    };
    add("neighbor", r->neighbors);
    add("check", r->checks);
    add("haproxy", r->haproxy);
    add("vip", r->vips);
    for (const auto& g : r->global)
        changes["changed"].push_back("global " + g);
    respond({{"ok", true}, {"changes", changes}});
}

} // namespace vipd::cli
