// Daemon::reload (SIGHUP and `vipctl reload`): parse, validate, diff against the configuration
// in force, apply the difference to the speaker, the Monitor and the Announcer. A file with
// errors is rejected and the running configuration kept. Split from daemon.cpp (wiring).
#include <algorithm>

#include "cli/daemon/daemon.hpp"

namespace vipd::cli {

tl::expected<ConfigDiff, std::string> Daemon::reload()
{
    auto loaded = load_config(config_path_);
    if (!loaded) {
        std::string text;
        for (const auto& e : loaded.error())
            text += (text.empty() ? "" : "\n") + to_string(e);
        log_.write(LogLevel::error, "config",
                   {{"event", "reload rejected, running configuration kept"}, {"error", text}});
        return tl::unexpected(text);
    }
    Config next = std::move(*loaded);
    Config current = config_;
    for (const auto* v : announcer_.configs())
        current.vips.push_back(*v);
    ConfigDiff d = diff(current, next);
    // Applied live: log-level and log-format (below), rhi-file (its rules are part of the VIPs),
    // loopback mode while enabled and interface stay (below); startup-grace only matters at
    // start-up. The rest is bound at start.
    const auto& lo = next.global.loopback;
    const bool loopback_live =
        loopback_ ? lo.enabled && lo.interface == loopback_->interface() : !lo.enabled;
    std::string keys;
    for (const auto& k : d.global)
        if (k != "log-level" && k != "log-format" && k != "rhi-file" && k != "startup-grace" &&
            !(k == "loopback" && loopback_live))
            keys += (keys.empty() ? "" : ",") + k;
    if (!keys.empty())
        log_.write(LogLevel::warning, "config",
                   {{"event", "global settings need a restart to take effect"}, {"keys", keys}});
    log_.configure(next.global.log_level, next.global.log_format);
    // Neighbors: sessions whose parameters did not change are left alone.
    for (const auto& name : d.neighbors.removed)
        speaker_.remove_neighbor(name);
    for (const auto& n : next.neighbors)
        if (std::find(d.neighbors.added.begin(), d.neighbors.added.end(), n.name) !=
                d.neighbors.added.end() ||
            std::find(d.neighbors.changed.begin(), d.neighbors.changed.end(), n.name) !=
                d.neighbors.changed.end())
            if (auto r = speaker_.reconfigure_neighbor(n); !r)
                log_.write(LogLevel::error, "config", {{"neighbor", n.name}, {"error", r.error()}});
    apply_checks(config_, next, d);
    if (auto r = announcer_.reconfigure(std::exchange(next.vips, {}), now()); !r)
        log_.write(LogLevel::error, "config", {{"error", announce::to_string(r.error())}});
    // Mode static puts the addresses of new VIPs on the interface and removes (only) vipd's
    // addresses of VIPs gone; a mode change moves to the other wanted set at once.
    if (loopback_)
        loopback_->reconfigure(loopback_live ? lo.mode : loopback_->plan().mode(),
                               vip_prefixes(announcer_.configs()));
    hooks_.configure(next.hooks); // a run in progress finishes (hooks.hpp)
    config_ = std::move(next);
    log_.write(LogLevel::info, "config", {{"event", "reloaded"}, {"changes", to_string(d)}});
    after_announcer_change();
    trim_soon();
    return d;
}

void Daemon::apply_checks(const Config& before, const Config& after, const ConfigDiff& d)
{
    auto contains = [](const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    };
    for (const auto& name : d.checks.removed)
        monitor_.remove(name);
    for (const auto& name : d.references.removed)
        monitor_.remove(name);
    for (const auto& h : after.haproxy) {
        if (contains(d.haproxy.added, h.instance.name))
            (void)monitor_.add_haproxy(h.instance);
        else if (contains(d.haproxy.changed, h.instance.name))
            (void)monitor_.replace_haproxy(h.instance);
    }
    for (const auto* list : {&after.checks, &after.references})
        for (const auto& c : *list)
            if (contains(d.checks.added, c.name) || contains(d.checks.changed, c.name) ||
                contains(d.references.added, c.name) || contains(d.references.changed, c.name))
                if (auto r = monitor_.replace(c); !r)
                    log_.write(LogLevel::error, "config",
                               {{"check", c.name}, {"error", r.error()}});
    for (const auto& name : d.haproxy.removed)
        (void)monitor_.remove_haproxy(name);
    (void)before;
}

} // namespace vipd::cli
