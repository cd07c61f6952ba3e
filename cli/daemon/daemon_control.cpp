// The daemon's answers to control-socket commands (docs/control-protocol.md): status, routes,
// manual announce/withdraw, drain, check admin, explain, reload.
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "bgp/community_text.hpp"
#include "cli/control/protocol.hpp"
#include "cli/daemon/daemon.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

/// Wall-clock text of a steady-clock time point: "2026-11-21T12:04:05Z".
std::string wall_time(std::chrono::steady_clock::time_point tp)
{
    const auto sys = std::chrono::system_clock::now() +
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(
                         tp - std::chrono::steady_clock::now());
    const std::time_t t = std::chrono::system_clock::to_time_t(sys);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

json optional_time(const std::optional<std::chrono::steady_clock::time_point>& tp)
{
    return tp ? json(wall_time(*tp)) : json(nullptr);
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

} // namespace

json Daemon::neighbors_json() const
{
    json out = json::array();
    for (const auto& s : speaker_.status()) {
        const auto* cfg = config_.neighbor(s.name);
        json n;
        n["name"] = s.name;
        n["address"] = s.address;
        n["remote_as"] = cfg ? cfg->remote_as : 0;
        n["state"] = s.state;
        n["uptime_s"] = s.established_since
                            ? json(std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                                 *s.established_since)
                                       .count())
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
        n["last_notification_sent"] = s.last_notification_sent
                                          ? json(notification_text(s.last_notification_sent))
                                          : json(nullptr);
        n["last_notification_received"] =
            s.last_notification_received ? json(notification_text(s.last_notification_received))
                                         : json(nullptr);
        out.push_back(std::move(n));
    }
    return out;
}

json Daemon::vip_json(const announce::VipStatus& v) const
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
    j["attributes"] = v.attributes ? attributes_json(*v.attributes) : json(nullptr);
    j["neighbors"] = json::array();
    if (const auto* vc = announcer_.config(v.name))
        j["neighbors"] = vc->neighbors;
    j["damping"] = {{"flaps", v.damping.flaps},
                    {"suppressed", v.damping.suppressed},
                    {"held_until", optional_time(v.damping.held_until)}};
    j["drained"] = v.drained;
    j["drain_end"] = optional_time(v.drain_end);
    j["last_change"] = optional_time(v.last_change);
    j["waiting_for"] = json::array();
    for (const auto& r : v.waiting_for)
        j["waiting_for"].push_back(announce::to_string(r));
    return j;
}

json Daemon::vips_json() const
{
    json out = json::array();
    for (const auto& v : announcer_.status(now()))
        out.push_back(vip_json(v));
    return out;
}

json Daemon::check_json(const health::CheckSnapshot& s) const
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
    j["last_change"] = s.transitions > 0 ? json(wall_time(s.since)) : json(nullptr);
    return j;
}

json Daemon::checks_json() const
{
    json out = json::array();
    for (const auto& s : monitor_.snapshot())
        out.push_back(check_json(s));
    return out;
}

json Daemon::status() const
{
    return {{"ok", true},
            {"version", VIPD_VERSION},
            {"neighbors", neighbors_json()},
            {"vips", vips_json()},
            {"checks", checks_json()}};
}

std::string Daemon::metrics() const
{
    return render_metrics(metrics_input(status(), &metrics_));
}

json Daemon::recent_transitions() const
{
    return metrics_.recent_transitions();
}

void Daemon::handle(const std::string& command, const json& args, Respond respond)
{
    if (stopping_) {
        respond(error_reply("vipd is shutting down"));
        return;
    }
    if (command == "version") {
        respond({{"ok", true}, {"version", VIPD_VERSION}});
    } else if (command == "status") {
        respond(status());
    } else if (command == "neighbors") {
        respond({{"ok", true}, {"neighbors", neighbors_json()}});
    } else if (command == "checks") {
        respond({{"ok", true}, {"checks", checks_json()}});
    } else if (command == "routes") {
        cmd_routes(args, std::move(respond));
    } else if (command == "announce" || command == "withdraw") {
        cmd_announce(args, std::move(respond), command == "withdraw");
    } else if (command == "drain" || command == "undrain") {
        cmd_drain(args, std::move(respond), command == "drain");
    } else if (command == "disable" || command == "enable" || command == "check-now") {
        cmd_check(command, args, std::move(respond));
    } else if (command == "explain") {
        cmd_explain(args, std::move(respond));
    } else if (command == "reload") {
        auto r = reload();
        if (!r) {
            respond(
                error_reply("configuration rejected, running configuration kept: " + r.error()));
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
    } else {
        respond(error_reply(fmt::format("unknown command \"{}\"", command)));
    }
}

void Daemon::cmd_routes(const json& args, Respond respond)
{
    json routes = json::array();
    const std::string only = args.value("neighbor", std::string());
    bool found = only.empty();
    for (const auto& name : speaker_.neighbor_names()) {
        if (!only.empty() && name != only)
            continue;
        found = true;
        const auto* cfg = config_.neighbor(name);
        speaker_.for_each_sent(name, [&](const bgp::Prefix& p, const bgp::RouteSpec& spec) {
            json r = attributes_json(spec.attributes);
            r["neighbor"] = name;
            r["prefix"] = p.to_string();
            r["origin"] = spec.attributes.origin == bgp::Origin::igp   ? "igp"
                          : spec.attributes.origin == bgp::Origin::egp ? "egp"
                                                                       : "incomplete";
            if (cfg) {
                const bgp::ExportPolicy& pol = cfg->export_policy;
                const bool ibgp = cfg->remote_as == cfg->local_as.value_or(config_.global.local_as);
                const std::size_t copies = (ibgp ? 0u : 1u) + spec.attributes.prepend + pol.prepend;
                std::string path;
                for (std::size_t i = 0; i < copies; ++i)
                    path += (i ? " " : "") +
                            std::to_string(cfg->local_as.value_or(config_.global.local_as));
                r["as_path"] = path;
                if (pol.med)
                    r["med"] = *pol.med;
            }
            routes.push_back(std::move(r));
        });
    }
    if (!found) {
        respond(error_reply(fmt::format("no neighbor named \"{}\"", only)));
        return;
    }
    respond({{"ok", true}, {"routes", routes}});
}

void Daemon::cmd_announce(const json& args, Respond respond, bool withdraw_routes)
{
    // The arguments were validated by parse_request; each prefix is parsed once, here.
    std::vector<bgp::Prefix> prefixes;
    bgp::RouteSpec spec;
    if (withdraw_routes) {
        auto w = withdraw_args(args);
        if (!w) {
            respond(error_reply(w.error()));
            return;
        }
        prefixes = std::move(*w);
    } else {
        auto a = announce_args(args);
        if (!a) {
            respond(error_reply(a.error()));
            return;
        }
        const auto names = speaker_.neighbor_names();
        for (const auto& name : a->neighbors)
            if (std::find(names.begin(), names.end(), name) == names.end()) {
                respond(error_reply(fmt::format("no neighbor named \"{}\"", name)));
                return;
            }
        prefixes = std::move(a->prefixes);
        auto& attrs = spec.attributes;
        attrs.med = a->med;
        attrs.prepend = a->prepend;
        attrs.communities = std::move(a->communities);
        attrs.large_communities = std::move(a->large_communities);
        attrs.next_hop = a->next_hop;
        spec.neighbors = std::move(a->neighbors);
    }
    // Rule-driven prefixes are not for manual routes. One pass over the VIPs' prefixes (a
    // file of 100,000 prefixes against a VIP of 100,000 must not be quadratic).
    if (const auto vips = announcer_.configs(); !vips.empty()) {
        const std::set<bgp::Prefix> asked(prefixes.begin(), prefixes.end());
        for (const auto* v : vips)
            for (const auto& q : v->prefixes)
                if (asked.count(q) != 0) {
                    respond(error_reply(fmt::format("{} belongs to VIP \"{}\" (use drain/undrain)",
                                                    q.to_string(), v->name)));
                    return;
                }
    }
    if (withdraw_routes) {
        for (const auto& p : prefixes)
            speaker_.withdraw(p);
    } else {
        speaker_.announce(std::span<const bgp::Prefix>(prefixes), spec);
    }
    log_.write(LogLevel::info, "control",
               {{"command", withdraw_routes ? "withdraw" : "announce"},
                {"prefixes", std::to_string(prefixes.size())},
                {"first", prefixes.empty() ? "" : prefixes.front().to_string()}});
    speaker_.when_flushed([this, respond](std::map<std::string, std::string> results) {
        respond({{"ok", true}, {"results", results}});
        trim_soon();
    });
}

void Daemon::cmd_drain(const json& args, Respond respond, bool drain)
{
    std::vector<std::string> names;
    if (args.value("all", false)) {
        for (const auto* v : announcer_.configs())
            names.push_back(v->name);
        drain ? announcer_.drain_all(now()) : announcer_.undrain_all(now());
    } else {
        const std::string vip = args.at("vip").get<std::string>();
        const bool ok = drain ? announcer_.drain(vip, now()) : announcer_.undrain(vip, now());
        if (!ok) {
            respond(error_reply(fmt::format("no VIP named \"{}\"", vip)));
            return;
        }
        names.push_back(vip);
    }
    after_announcer_change();
    if (!drain || !args.value("wait", false)) {
        respond({{"ok", true}, {"vips", names}});
        return;
    }
    // --wait: reply once every named VIP has finished draining (withdrawn).
    auto poll = std::make_shared<boost::asio::steady_timer>(io_);
    auto check = std::make_shared<std::function<void()>>();
    *check = [this, poll, check, names, respond]() {
        bool done = true;
        for (const auto& n : names)
            if (auto st = announcer_.status(n, now());
                st && st->state == announce::VipState::draining)
                done = false;
        if (done || stopping_) {
            auto keep = std::move(*check);
            speaker_.when_flushed([respond, names](std::map<std::string, std::string> results) {
                respond({{"ok", true}, {"vips", names}, {"results", results}});
            });
            return;
        }
        poll->expires_after(std::chrono::milliseconds(50));
        poll->async_wait([check](boost::system::error_code ec) {
            if (!ec && *check)
                (*check)();
        });
    };
    (*check)();
}

void Daemon::cmd_check(const std::string& command, const json& args, Respond respond)
{
    const std::string name = args.at("check").get<std::string>();
    if (!monitor_.snapshot(name)) {
        respond(error_reply(fmt::format("no check named \"{}\"", name)));
        return;
    }
    if (command == "disable") {
        monitor_.disable(name, "disabled by operator");
        disabled_checks_.insert(name);
    } else if (command == "enable") {
        monitor_.enable(name, "enabled by operator");
        disabled_checks_.erase(name);
    } else {
        const std::uint64_t probes = monitor_.snapshot(name)->probes;
        monitor_.check_now(name);
        // Reply once the probe completed (bounded by the check's own timeout).
        auto poll = std::make_shared<boost::asio::steady_timer>(io_);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        auto check = std::make_shared<std::function<void()>>();
        *check = [this, poll, check, name, probes, deadline, respond]() {
            auto snap = monitor_.snapshot(name);
            if (!snap || snap->probes > probes || std::chrono::steady_clock::now() > deadline) {
                auto keep = std::move(*check);
                if (snap)
                    respond({{"ok", true}, {"check", check_json(*snap)}});
                else
                    respond(error_reply(fmt::format("check \"{}\" was removed", name)));
                return;
            }
            poll->expires_after(std::chrono::milliseconds(5));
            poll->async_wait([check](boost::system::error_code ec) {
                if (!ec && *check)
                    (*check)();
            });
        };
        (*check)();
        return;
    }
    persist();
    respond({{"ok", true}, {"check", check_json(*monitor_.snapshot(name))}});
}

void Daemon::cmd_explain(const json& args, Respond respond)
{
    const std::string vip = args.at("vip").get<std::string>();
    auto st = announcer_.status(vip, now());
    if (!st) {
        respond(error_reply(fmt::format("no VIP named \"{}\"", vip)));
        return;
    }
    respond({{"ok", true}, {"vip", vip_json(*st)}, {"tree", tree_json(st->evaluation)}});
}

} // namespace vipd::cli
