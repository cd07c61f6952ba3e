// Daemon::reload (SIGHUP and `vipctl reload`): parse, validate, diff against the configuration
// in force, apply the difference to the speaker, the Monitor and the Announcer. Split from
// daemon.cpp (wiring). All or nothing (docs/operations.md, "Reload"): everything that can be
// known to fail is checked before anything changes (the file by load_config, which also runs
// the speaker's, the checks' and the VIPs' own validation; the host by check_host), and a step
// that still fails while applying makes the old configuration be applied again.
#include <algorithm>

#include <fmt/format.h>
#include <net/if.h>

#include "cli/daemon/daemon.hpp"

namespace vipd::cli {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

/// What the file cannot say about this host: the loopback interface must exist.
tl::expected<void, std::string> check_host(const Config& next)
{
    const auto& lo = next.global.loopback;
    if (lo.enabled && if_nametoindex(lo.interface.c_str()) == 0)
        return tl::unexpected(fmt::format(
            "/global/loopback/interface: no interface \"{}\" on this host", lo.interface));
    return {};
}

} // namespace

tl::expected<ConfigDiff, std::string> Daemon::reload()
{
    auto loaded = load_config(config_path_);
    std::string text;
    if (!loaded)
        for (const auto& e : loaded.error())
            text += (text.empty() ? "" : "\n") + to_string(e);
    else if (auto ok = check_host(*loaded); !ok)
        text = config_path_.string() + ": " + ok.error();
    if (!text.empty()) {
        log_.write(LogLevel::error, "config",
                   {{"event", "reload rejected, running configuration kept"}, {"error", text}});
        return tl::unexpected(text);
    }
    Config next = std::move(*loaded);
    Config current = config_;
    for (const auto* v : announcer_.configs())
        current.vips.push_back(*v);
    ConfigDiff d = diff(current, next);
    if (auto r = apply(current, next, d); !r) {
        // Back to the configuration in force: what was applied of the new one is undone.
        if (auto back = apply(next, current, diff(next, current)); !back)
            log_.write(
                LogLevel::error, "config",
                {{"event", "restoring the running configuration failed"}, {"error", back.error()}});
        log_.write(LogLevel::error, "config",
                   {{"event", "reload failed while applying, running configuration restored"},
                    {"error", r.error()}});
        after_announcer_change();
        return tl::unexpected("applying it failed: " + r.error());
    }
    warn_restart_keys(d, next);
    next.vips.clear(); // the Announcer keeps them
    config_ = std::move(next);
    log_.write(LogLevel::info, "config", {{"event", "reloaded"}, {"changes", to_string(d)}});
    after_announcer_change();
    trim_soon();
    return d;
}

bool Daemon::loopback_live(const Config& next) const
{
    // Loopback mode applies while enabled and interface stay; the rest is bound at start.
    const auto& lo = next.global.loopback;
    return loopback_ ? lo.enabled && lo.interface == loopback_->interface() : !lo.enabled;
}

void Daemon::warn_restart_keys(const ConfigDiff& d, const Config& next)
{
    // Applied live: log-level and log-format, rhi-file (its rules are part of the VIPs),
    // loopback mode (loopback_live); startup-grace only matters at start-up.
    std::string keys;
    for (const auto& k : d.global)
        if (k != "log-level" && k != "log-format" && k != "rhi-file" && k != "startup-grace" &&
            !(k == "loopback" && loopback_live(next)))
            keys += (keys.empty() ? "" : ",") + k;
    if (!keys.empty())
        log_.write(LogLevel::warning, "config",
                   {{"event", "global settings need a restart to take effect"}, {"keys", keys}});
}

tl::expected<void, std::string> Daemon::apply(const Config& from, const Config& to,
                                              const ConfigDiff& d)
{
    log_.configure(to.global.log_level, to.global.log_format);
    // Neighbors: sessions whose parameters did not change are left alone.
    for (const auto& name : d.neighbors.removed)
        speaker_.remove_neighbor(name);
    for (const auto& n : to.neighbors)
        if (contains(d.neighbors.added, n.name) || contains(d.neighbors.changed, n.name))
            if (auto r = speaker_.reconfigure_neighbor(n); !r)
                return tl::unexpected(r.error());
    if (auto r = apply_checks(from, to, d); !r)
        return r;
    if (auto r = announcer_.reconfigure(to.vips, now()); !r)
        return tl::unexpected(announce::to_string(r.error()));
    // Mode static puts the addresses of new VIPs on the interface and removes (only) vipd's
    // addresses of VIPs gone; a mode change moves to the other wanted set at once.
    if (loopback_)
        loopback_->reconfigure(loopback_live(to) ? to.global.loopback.mode
                                                 : loopback_->plan().mode(),
                               vip_prefixes(announcer_.configs()));
    hooks_.configure(to.hooks); // a run in progress finishes (hooks.hpp)
    return {};
}

tl::expected<void, std::string> Daemon::apply_checks(const Config& before, const Config& after,
                                                     const ConfigDiff& d)
{
    for (const auto& name : d.checks.removed)
        monitor_.remove(name);
    for (const auto& name : d.references.removed)
        monitor_.remove(name);
    for (const auto& h : after.haproxy) {
        tl::expected<void, std::string> r;
        if (contains(d.haproxy.added, h.instance.name))
            r = monitor_.add_haproxy(h.instance);
        else if (contains(d.haproxy.changed, h.instance.name))
            r = monitor_.replace_haproxy(h.instance);
        if (!r)
            return r;
    }
    for (const auto* list : {&after.checks, &after.references})
        for (const auto& c : *list)
            if (contains(d.checks.added, c.name) || contains(d.checks.changed, c.name) ||
                contains(d.references.added, c.name) || contains(d.references.changed, c.name))
                if (auto r = monitor_.replace(c); !r)
                    return r;
    for (const auto& name : d.haproxy.removed)
        if (auto r = monitor_.remove_haproxy(name); !r)
            return r;
    (void)before;
    return {};
}

} // namespace vipd::cli
