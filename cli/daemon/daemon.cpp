// Daemon lifecycle: start, events between the modules, shutdown (see daemon.hpp); reload is in
// daemon_reload.cpp, the control commands' side in daemon_control.cpp.
#include "cli/daemon/daemon.hpp"

#include <system_error>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <malloc.h>

#include "cli/control/server.hpp"
#include "cli/daemon/daemon_control.hpp"
#include "cli/daemon/systemd.hpp"

namespace vipd::cli {

namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds shutdown_limit{3000};

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

Daemon::Daemon(asio::io_context& io, std::filesystem::path config_path, Config config, Log& log)
    : io_(io), config_path_(std::move(config_path)), config_(std::move(config)), log_(log),
      speaker_(io, speaker_config(config_), *this),
      monitor_(io.get_executor(),
               health::MonitorOptions{static_cast<std::uint64_t>(
                   std::chrono::steady_clock::now().time_since_epoch().count())}),
      announcer_(*this, std::chrono::steady_clock::now(), announcer_options(config_),
                 [this](const announce::VipEvent& e) { events_.vip_transition(e); }),
      signals_(io, SIGHUP, SIGTERM, SIGINT), tick_timer_(io), watchdog_timer_(io), trim_timer_(io),
      commands_(std::make_unique<Control>(*this)), state_(config_.global.state_dir, log_)
{
    monitor_.add_observer(*this);
    events_.set_listener([this](const TransitionRecord& r) { on_transition_record(r); });
    hooks_.configure(config_.hooks);
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
    if (const auto& lo = config_.global.loopback; lo.enabled) {
        std::vector<const announce::VipConfig*> vips;
        for (const auto& v : config_.vips)
            vips.push_back(&v);
        loopback_ = std::make_unique<LoopbackAddresses>(
            lo.interface, lo.mode, vip_prefixes(vips),
            [this](const LoopbackEvent& e) { events_.loopback(e); });
        loopback_->start();
    }
    // The Announcer keeps the VIP list (prefixes are kept once); config_.vips stays empty.
    if (auto r = announcer_.reconfigure(std::exchange(config_.vips, {}), now()); !r)
        return tl::unexpected(announce::to_string(r.error()));
    restore();
    if (auto e = unmatched_handlers(); !e.empty())
        return tl::unexpected("control commands: " + e);
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
    hooks_.stop();
    if (control_)
        control_->stop();
    if (http_)
        http_->stop();
    if (loopback_)
        loopback_->stop();
    speaker_.shutdown(reason, shutdown_limit, [this] {
        log_.write(LogLevel::info, "daemon", {{"event", "stopped"}});
        io_.stop();
    });
}

// ---- events between the modules -----------------------------------------------------------

void Daemon::on_state_change(const std::string& neighbor, bgp::State from, bgp::State to,
                             const std::string& cause)
{
    if (to == bgp::State::established)
        trim_soon(); // the initial table goes out now; its buffers are freed once written
    events_.session_transition(neighbor, from, to, cause);
}

void Daemon::on_notification(const std::string& neighbor, bool sent, const bgp::Notification& n)
{
    events_.notification(neighbor, sent, n);
}

void Daemon::on_event(const std::string& neighbor, bgp::EventLevel level, const std::string& text)
{
    events_.bgp_event(neighbor, level, text);
}

void Daemon::on_transition(const health::Transition& t)
{
    events_.check_transition(t);
    announcer_.check_changed(t, now());
    after_announcer_change();
}

void Daemon::on_transition_record(const TransitionRecord& record)
{
    if (control_)
        control_->publish(to_json(record));
    std::vector<std::string> prefixes;
    if (record.kind == "vip")
        if (const auto* vip = announcer_.config(record.name))
            for (const auto& p : vip->prefixes)
                prefixes.push_back(p.to_string());
    if (auto event = hook_event(record, std::move(prefixes)))
        hooks_.on_event(*event);
}

void Daemon::on_probe(const health::Probe& p)
{
    events_.probe(p);
}

void Daemon::on_error(std::string_view check, std::string_view what)
{
    events_.check_error(check, what);
}

void Daemon::announce(const bgp::Prefix& prefix, const bgp::RouteSpec& spec)
{
    speaker_.announce(prefix, spec);
    if (loopback_)
        loopback_->announced(prefix);
}

void Daemon::withdraw(const bgp::Prefix& prefix)
{
    speaker_.withdraw(prefix);
    if (loopback_)
        loopback_->withdrawn(prefix);
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
    state_.save("drained", announcer_.drained());
    state_.save("disabled-checks",
                std::vector<std::string>(disabled_checks_.begin(), disabled_checks_.end()));
    state_.save_map("disabled-neighbors.json", speaker_.disabled_neighbors());
}

void Daemon::restore()
{
    const auto drained = state_.load("drained");
    for (const auto& unknown : announcer_.restore_drained(drained, now()))
        log_.write(LogLevel::warning, "state",
                   {{"drained_vip", unknown}, {"error", "no such VIP"}});
    for (const auto& name : drained)
        log_.write(LogLevel::info, "vip", {{"vip", name}, {"event", "restored drained"}});
    for (const auto& name : state_.load("disabled-checks"))
        if (monitor_.disable(name, "disabled by operator (persisted)"))
            disabled_checks_.insert(name);
    // Before speaker_.start(): a disabled neighbor is never started.
    for (const auto& [name, message] : state_.load_map("disabled-neighbors.json")) {
        (void)speaker_.disable_neighbor(name, message);
        log_.write(LogLevel::info, "bgp",
                   {{"peer", name}, {"event", "restored disabled"}, {"message", message}});
    }
}

} // namespace vipd::cli
