// Daemon lifecycle: start, events between the modules, reload, shutdown (see daemon.hpp).
#include "cli/daemon/daemon.hpp"

#include <fstream>
#include <system_error>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <malloc.h>

#include "announce/drained.hpp"
#include "cli/control/server.hpp"
#include "cli/daemon/systemd.hpp"

namespace vipd::cli {

namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds shutdown_limit{3000};

LogLevel level_of(bgp::EventLevel level)
{
    switch (level) {
    case bgp::EventLevel::error:
        return LogLevel::error;
    case bgp::EventLevel::warning:
        return LogLevel::warning;
    case bgp::EventLevel::debug:
        return LogLevel::debug;
    case bgp::EventLevel::info:
        break;
    }
    return LogLevel::info;
}

announce::AnnouncerOptions announcer_options(const Config& c)
{
    announce::AnnouncerOptions o;
    o.startup_grace = std::chrono::duration_cast<std::chrono::seconds>(c.global.startup_grace);
    return o;
}

} // namespace

void release_free_memory()
{
    // glibc keeps freed memory (a parsed configuration's JSON tree, the initial table's
    // buffers) in the heap; give it back so that RSS is what the daemon holds.
    ::malloc_trim(0);
}

announce::LeafStatus leaf_status(health::State state, bool serving, bool settled,
                                 std::string_view cause)
{
    using announce::LeafState;
    using health::State;
    LeafState s = serving ? LeafState::up : LeafState::down;
    switch (state) {
    case State::init:
    case State::rising:
    case State::falling:
        // Counting towards the first verdict is no verdict: the start-up gate keeps waiting,
        // so a healthy service is in the first table sent. A check configured initially up
        // counts as up meanwhile.
        if (!settled && !serving)
            s = LeafState::unknown;
        break;
    case State::up:
    case State::down:
        break;
    case State::disabled:
        s = LeafState::disabled;
        break;
    case State::maint:
        s = LeafState::maint;
        break;
    case State::drain:
        s = LeafState::drain;
        break;
    }
    return {s, std::string(cause)};
}

Daemon::Daemon(asio::io_context& io, std::filesystem::path config_path, Config config, Log& log)
    : io_(io), config_path_(std::move(config_path)), config_(std::move(config)), log_(log),
      speaker_(io, speaker_config(config_), *this),
      monitor_(io.get_executor(),
               health::MonitorOptions{static_cast<std::uint64_t>(
                   std::chrono::steady_clock::now().time_since_epoch().count())}),
      announcer_(*this, std::chrono::steady_clock::now(), announcer_options(config_),
                 [this](const announce::VipEvent& e) {
                     metrics_.on_vip_transition(e.vip, announce::to_string(e.from),
                                                announce::to_string(e.to), e.reason,
                                                std::chrono::system_clock::now());
                     log_.write(LogLevel::info, "vip",
                                {{"vip", e.vip},
                                 {"from", std::string(announce::to_string(e.from))},
                                 {"to", std::string(announce::to_string(e.to))},
                                 {"cause", e.reason},
                                 {"rule", e.rule}});
                 }),
      signals_(io, SIGHUP, SIGTERM, SIGINT), tick_timer_(io), watchdog_timer_(io), trim_timer_(io)
{
    monitor_.add_observer(*this);
}

Daemon::~Daemon()
{
    monitor_.remove_observer(*this);
    monitor_.stop();
}

tl::expected<void, std::string> Daemon::start()
{
    std::error_code ec;
    std::filesystem::create_directories(config_.global.state_dir, ec);
    if (ec)
        return tl::unexpected(
            fmt::format("state directory {}: {}", config_.global.state_dir.string(), ec.message()));
    for (const auto& n : config_.neighbors)
        if (auto r = speaker_.add_neighbor(n); !r)
            return tl::unexpected(r.error());
    for (const auto& h : config_.haproxy)
        if (auto r = monitor_.add_haproxy(h.instance); !r)
            return tl::unexpected(fmt::format("haproxy {}: {}", h.instance.name, r.error()));
    for (const auto& c : config_.checks)
        if (auto r = monitor_.add(c); !r)
            return tl::unexpected(fmt::format("check {}: {}", c.name, r.error()));
    for (const auto& c : config_.references)
        if (auto r = monitor_.add(c); !r)
            return tl::unexpected(fmt::format("check {}: {}", c.name, r.error()));
    if (config_.global.loopback.enabled)
        loopback_ = std::make_unique<LoopbackAddresses>(config_.global.loopback.interface);
    // The Announcer keeps the VIP list (prefixes are kept once); config_.vips stays empty.
    if (auto r = announcer_.reconfigure(std::exchange(config_.vips, {}), now()); !r)
        return tl::unexpected(announce::to_string(r.error()));
    restore();
    control_ = std::make_unique<ControlServer>(io_, config_.global.control_socket, *this);
    control_->set_log(&log_);
    if (auto r = control_->start(); !r)
        return tl::unexpected(r.error());
    if (config_.global.http_status) {
        http_ = std::make_unique<HttpStatusServer>(io_, *config_.global.http_status,
                                                   static_cast<StatusSource&>(*this));
        http_->set_log(&log_);
        if (auto r = http_->start(); !r)
            return tl::unexpected(r.error());
    }
    if (auto r = speaker_.start(); !r)
        return tl::unexpected(r.error());
    wait_signals();
    after_announcer_change();
    if (auto wd = sd_watchdog_interval())
        start_watchdog(*wd);
    log_.write(LogLevel::info, "daemon",
               {{"event", "started"},
                {"config", config_path_.string()},
                {"neighbors", std::to_string(config_.neighbors.size())},
                {"checks", std::to_string(config_.checks.size())},
                {"vips", std::to_string(announcer_.configs().size())}});
    sd_notify("READY=1\nSTATUS=running");
    return {};
}

void Daemon::wait_signals()
{
    signals_.async_wait([this](boost::system::error_code ec, int sig) {
        if (ec)
            return;
        if (sig == SIGHUP) {
            log_.write(LogLevel::info, "config",
                       {{"event", "reload requested"}, {"signal", "HUP"}});
            (void)reload();
            wait_signals();
            return;
        }
        shutdown(fmt::format("vipd stopping (signal {})", sig == SIGINT ? "INT" : "TERM"));
    });
}

void Daemon::start_watchdog(std::chrono::microseconds interval)
{
    watchdog_timer_.expires_after(interval / 2);
    watchdog_timer_.async_wait([this, interval](boost::system::error_code ec) {
        if (ec || stopping_)
            return;
        sd_notify("WATCHDOG=1");
        start_watchdog(interval);
    });
}

void Daemon::shutdown(const std::string& reason)
{
    if (stopping_)
        return;
    stopping_ = true;
    sd_notify("STOPPING=1");
    log_.write(LogLevel::info, "daemon", {{"event", "stopping"}, {"reason", reason}});
    signals_.cancel();
    tick_timer_.cancel();
    watchdog_timer_.cancel();
    trim_timer_.cancel();
    monitor_.stop();
    if (control_)
        control_->stop();
    if (http_)
        http_->stop();
    if (loopback_)
        loopback_->remove_all();
    speaker_.shutdown(reason, shutdown_limit, [this] {
        log_.write(LogLevel::info, "daemon", {{"event", "stopped"}});
        io_.stop();
    });
}

// ---- events between the modules -----------------------------------------------------------

void Daemon::on_state_change(const std::string& neighbor, bgp::State from, bgp::State to,
                             const std::string& cause)
{
    using bgp::State;
    metrics_.on_session_transition(neighbor, from, to, cause, std::chrono::system_clock::now());
    if (to == State::established)
        trim_soon(); // the initial table goes out now; its buffers are freed once written
    log_.write(to == State::established || from == State::established ? LogLevel::info
                                                                      : LogLevel::debug,
               "bgp",
               {{"peer", neighbor},
                {"from", std::string(bgp::to_string(from))},
                {"to", std::string(bgp::to_string(to))},
                {"cause", cause}});
}

void Daemon::on_notification(const std::string& neighbor, bool sent, const bgp::Notification& n)
{
    metrics_.on_notification(neighbor, sent, n.code, n.subcode);
    auto text = bgp::shutdown_communication(n);
    log_.write(LogLevel::warning, "bgp",
               {{"peer", neighbor},
                {"notification", sent ? "sent" : "received"},
                {"code", fmt::format("{}/{}", n.code, n.subcode)},
                {"text", bgp::describe(n.code, n.subcode)},
                {"shutdown_communication", text.value_or("")}});
}

void Daemon::on_event(const std::string& neighbor, bgp::EventLevel level, const std::string& text)
{
    log_.write(level_of(level), "bgp", {{"peer", neighbor}, {"event", text}});
}

void Daemon::on_transition(const health::Transition& t)
{
    log_.write(LogLevel::info, "health",
               {{"check", std::string(t.check)},
                {"kind", std::string(t.kind)},
                {"from", std::string(health::to_string(t.from))},
                {"to", std::string(health::to_string(t.to))},
                {"cause", std::string(t.cause)},
                {"took_ms", fmt::format("{:.3f}", static_cast<double>(t.took.count()) / 1000.0)}});
    metrics_.on_check_transition(t.check, health::to_string(t.from), health::to_string(t.to),
                                 t.cause, std::chrono::system_clock::now());
    // The Monitor names checks as the config does; rule leaves map onto those names.
    const announce::LeafStatus status = leaf_status(t.to, t.serving, t.settled, t.cause);
    for (const auto& ref : announcer_.references())
        if (leaf_name(ref) == t.check)
            announcer_.leaf_changed(ref, status, now());
    after_announcer_change();
}

void Daemon::on_probe(const health::Probe& p)
{
    // Counted like the Monitor's failures: any result but up (maintenance has its own cause).
    metrics_.on_probe(p.check, p.outcome.took, p.outcome.up(), p.outcome.detail);
}

void Daemon::on_error(std::string_view check, std::string_view what)
{
    log_.write(LogLevel::error, "health",
               {{"check", std::string(check)}, {"error", std::string(what)}});
}

void Daemon::announce(const bgp::Prefix& prefix, const bgp::RouteSpec& spec)
{
    speaker_.announce(prefix, spec);
    if (loopback_)
        if (auto r = loopback_->add(prefix); !r)
            log_.write(LogLevel::error, "loopback",
                       {{"prefix", prefix.to_string()}, {"error", r.error()}});
}

void Daemon::withdraw(const bgp::Prefix& prefix)
{
    speaker_.withdraw(prefix);
    if (loopback_)
        if (auto r = loopback_->remove(prefix); !r)
            log_.write(LogLevel::error, "loopback",
                       {{"prefix", prefix.to_string()}, {"error", r.error()}});
}

void Daemon::after_announcer_change()
{
    if (announcer_.ready() && !speaker_.ready()) {
        log_.write(LogLevel::info, "daemon", {{"event", "initial table ready"}});
        speaker_.set_ready();
        trim_soon();
    }
    schedule_tick();
    persist();
}

void Daemon::trim_soon()
{
    // One trim for a burst of events, once the writes they caused are done (a table of 100,000
    // routes leaves megabytes of freed buffers behind).
    if (trim_armed_ || stopping_)
        return;
    trim_armed_ = true;
    trim_timer_.expires_after(std::chrono::milliseconds(500));
    trim_timer_.async_wait([this](boost::system::error_code ec) {
        trim_armed_ = false;
        if (!ec)
            release_free_memory();
    });
}

void Daemon::schedule_tick()
{
    auto next = announcer_.next_deadline();
    if (!next || stopping_) {
        if (tick_at_)
            tick_timer_.cancel();
        tick_at_.reset();
        return;
    }
    if (tick_at_ && *tick_at_ == *next)
        return;
    tick_at_ = *next;
    tick_timer_.expires_at(*next);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        tick_at_.reset();
        announcer_.tick(now());
        after_announcer_change();
    });
}

// ---- persistence -----------------------------------------------------------------------------

void Daemon::persist()
{
    auto write_atomic = [this](const char* name, const std::string& text) {
        const auto path = config_.global.state_dir / name;
        const auto tmp = config_.global.state_dir / (std::string(name) + ".tmp");
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << text;
            if (!out) {
                log_.write(LogLevel::error, "state",
                           {{"file", tmp.string()}, {"error", "write failed"}});
                return;
            }
        }
        std::error_code ec;
        std::filesystem::rename(tmp, path, ec);
        if (ec)
            log_.write(LogLevel::error, "state",
                       {{"file", path.string()}, {"error", ec.message()}});
    };
    const std::string drained = announce::format_drained(announcer_.drained());
    if (drained != persisted_drained_) {
        write_atomic("drained", drained);
        persisted_drained_ = drained;
    }
    const std::string disabled = announce::format_drained(
        std::vector<std::string>(disabled_checks_.begin(), disabled_checks_.end()));
    if (disabled != persisted_disabled_) {
        write_atomic("disabled-checks", disabled);
        persisted_disabled_ = disabled;
    }
}

void Daemon::restore()
{
    auto read = [this](const char* name) -> std::vector<std::string> {
        const auto path = config_.global.state_dir / name;
        std::ifstream in(path);
        if (!in)
            return {};
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto parsed = announce::parse_drained(text);
        if (!parsed) {
            log_.write(LogLevel::error, "state",
                       {{"file", path.string()}, {"error", announce::to_string(parsed.error())}});
            return {};
        }
        return *parsed;
    };
    const auto drained = read("drained");
    for (const auto& unknown : announcer_.restore_drained(drained, now()))
        log_.write(LogLevel::warning, "state",
                   {{"drained_vip", unknown}, {"error", "no such VIP"}});
    for (const auto& name : drained)
        log_.write(LogLevel::info, "vip", {{"vip", name}, {"event", "restored drained"}});
    for (const auto& name : read("disabled-checks"))
        if (monitor_.disable(name, "disabled by operator (persisted)"))
            disabled_checks_.insert(name);
}

// ---- reload ----------------------------------------------------------------------------------

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
    // Applied live: log-level and log-format (below), rhi-file (its rules are part of the VIPs);
    // startup-grace only matters at start-up. The rest is bound at start.
    std::string keys;
    for (const auto& k : d.global)
        if (k != "log-level" && k != "log-format" && k != "rhi-file" && k != "startup-grace")
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
