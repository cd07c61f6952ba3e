// The commands on one BGP neighbor (see commands.hpp): `neighbors NAME` in detail and
// `neighbor NAME reset|disable|enable|refresh`. The decisions are here, over DaemonView: an
// unknown name, a disable's RFC 9003 text (at most 255 octets), a reset refused while disabled,
// a refresh only of an Established session; DaemonActions carries them out.
// Must not: touch the speaker (bgp::Speaker::disable_neighbor etc. are the daemon's to call).
#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <tl/expected.hpp>

#include "cli/control/commands.hpp"
#include "cli/control/protocol.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

/// A NOTIFICATION as an object: code, subcode, their description and the RFC 9003 text.
json notification_json(const std::optional<bgp::Notification>& n)
{
    if (!n)
        return nullptr;
    const auto comm = bgp::shutdown_communication(*n);
    return {{"code", n->code},
            {"subcode", n->subcode},
            {"description", bgp::describe(n->code, n->subcode)},
            {"shutdown_communication", comm ? json(*comm) : json(nullptr)}};
}

/// Default RFC 9003 shutdown communications of `vipctl neighbor NAME disable` and `reset`.
constexpr std::string_view default_disable_message = "disabled by the operator (vipctl)";
constexpr std::string_view default_reset_message = "reset by the operator (vipctl)";

/// The request's "message" or `fallback`; an error text when over RFC 9003 §2's 255 octets of
/// UTF-8 (the request's JSON is valid UTF-8).
tl::expected<std::string, std::string> shutdown_message(const json& args, std::string_view fallback)
{
    std::string message = args.value("message", std::string(fallback));
    if (message.size() > bgp::max_shutdown_communication)
        return tl::make_unexpected(
            fmt::format("message is {} octets; RFC 9003 allows at most {} octets of UTF-8",
                        message.size(), bgp::max_shutdown_communication));
    return message;
}

/// disable, enable or refresh of the existing neighbor `n`: the reply, or an error reply.
json neighbor_act(DaemonActions& actions, const bgp::NeighborStatus& n, const std::string& action,
                  const json& args)
{
    json reply{{"ok", true}, {"neighbor", n.name}, {"action", action}};
    if (action == "disable") {
        const auto checked = shutdown_message(args, default_disable_message);
        if (!checked)
            return error_reply(checked.error());
        const std::string& message = *checked;
        actions.set_neighbor_disabled(n.name, true, message);
        reply["message"] = message;
        reply["changed"] = !n.disabled || n.disabled_message != message;
    } else if (action == "enable") {
        if (n.disabled)
            actions.set_neighbor_disabled(n.name, false, "");
        reply["changed"] = n.disabled;
    } else {
        // RFC 2918 §4 answered unasked: only an Established session has a table to re-send.
        if (n.state != "Established")
            return error_reply(fmt::format(
                "neighbor \"{}\" is {}, not Established: nothing to refresh", n.name, n.state));
        actions.refresh_neighbor(n.name);
    }
    return reply;
}

} // namespace

json ControlCommands::neighbor_detail_json(const bgp::NeighborStatus& s,
                                           const ControlTime& now) const
{
    json n;
    for (auto& e : neighbors_json(now))
        if (e["name"] == s.name)
            n = std::move(e);
    n["capabilities"] = s.peer_capabilities;
    n["notification_sent"] = notification_json(s.last_notification_sent);
    n["notification_received"] = notification_json(s.last_notification_received);
    const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
    json timers;
    if (const auto* cfg = view_.config().neighbor(s.name)) {
        timers["hold_time_s"] = cfg->hold_time;
        timers["keepalive_s"] = cfg->keepalive ? *cfg->keepalive : cfg->hold_time / 3;
        timers["connect_retry_s"] = seconds(cfg->connect_retry);
        timers["idle_hold_s"] = seconds(cfg->idle_hold_time);
        timers["max_idle_hold_s"] = seconds(cfg->max_idle_hold_time);
        n["adj_rib_in_limit"] = cfg->adj_rib_in_limit;
        n["max_prefixes"] = cfg->max_prefixes;
    }
    // RFC 4271 §4.2: the Hold Time in force; zero before OpenConfirm.
    timers["negotiated_hold_time_s"] = s.negotiated_hold_time;
    timers["negotiated_keepalive_s"] = s.negotiated_keepalive_time;
    timers["current_idle_hold_s"] = seconds(s.idle_hold_time);
    n["timers"] = timers;
    // AdjRibIn holds prefixes (not their attributes) only with a limit configured; without
    // one prefixes_received is a running total of announcements.
    n["received_prefixes_kept"] = s.adj_rib_in_kept;
    return n;
}

void ControlCommands::cmd_neighbors(const json& args, Respond respond, const ControlTime& now)
{
    if (!args.contains("neighbor")) {
        respond({{"ok", true}, {"neighbors", neighbors_json(now)}});
        return;
    }
    const std::string name = args.at("neighbor").get<std::string>();
    const auto all = view_.neighbors();
    for (const auto& s : all)
        if (s.name == name) {
            respond({{"ok", true}, {"neighbor", neighbor_detail_json(s, now)}});
            return;
        }
    respond(error_reply(no_neighbor(view_, name)));
}

void ControlCommands::cmd_neighbor(const json& args, Respond respond, const ControlTime&)
{
    const std::string name = args.at("neighbor").get<std::string>();
    const std::string action = args.at("action").get<std::string>();
    const auto all = view_.neighbors();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const auto& n) { return n.name == name; });
    if (action != "reset" && action != "disable" && action != "enable" && action != "refresh") {
        respond(error_reply(fmt::format(
            "unknown neighbor action \"{}\" (expected reset, disable, enable or refresh)",
            action)));
        return;
    }
    if (args.contains("message") && action != "disable" && action != "reset") {
        respond(error_reply("\"message\" goes with the disable and reset actions only"));
        return;
    }
    if (action == "reset") {
        // A reset restarts the session; a disabled one stays down until enabled.
        if (it != all.end() && it->disabled) {
            respond(error_reply(
                fmt::format("neighbor \"{}\" is disabled; enable it to start it", name)));
            return;
        }
        const auto message = shutdown_message(args, default_reset_message);
        if (!message) {
            respond(error_reply(message.error()));
            return;
        }
        if (!actions_.reset_neighbor(name, *message)) {
            respond(error_reply(no_neighbor(view_, name)));
            return;
        }
        respond({{"ok", true}, {"neighbor", name}, {"action", action}, {"message", *message}});
        return;
    }
    if (it == all.end()) {
        respond(error_reply(no_neighbor(view_, name)));
        return;
    }
    respond(neighbor_act(actions_, *it, action, args));
}

} // namespace vipd::cli
