// The vipd daemon: wires the configuration to the BGP speaker, the health Monitor and the
// Announcer on one io_context, and runs them: health transitions become leaf states, VIP
// intents become routes, the speaker's and monitor's events become log lines. Handles reload
// (SIGHUP: parse, validate, diff, apply; a bad file keeps the running configuration),
// shutdown (SIGTERM/SIGINT: Cease with an RFC 9003 text to every router, bounded), drain and
// disabled-check persistence in the state directory, systemd readiness and watchdog, and the
// control socket's commands. Decisions stay in the pure modules; this file only connects them.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "announce/announcer.hpp"
#include "bgp/speaker.hpp"
#include "cli/config/config.hpp"
#include "cli/control/commands.hpp"
#include "cli/control/handler.hpp"
#include "cli/daemon/event_log.hpp"
#include "cli/daemon/hooks.hpp"
#include "cli/daemon/log.hpp"
#include "cli/daemon/loopback.hpp"
#include "cli/daemon/state_files.hpp"
#include "cli/status/http_status.hpp"
#include "cli/status/metrics.hpp"
#include "health/monitor.hpp"

namespace vipd::cli {

class ControlServer;

class Daemon : private bgp::SpeakerObserver,
               private health::Observer,
               private announce::RouteSink,
               private StatusSource,
               public ControlHandler
{
public:
    Daemon(boost::asio::io_context& io, std::filesystem::path config_path, Config config, Log& log);
    ~Daemon() override;
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Start everything; error text if a listener, the state dir or the control socket fails.
    [[nodiscard]] tl::expected<void, std::string> start();
    /// Re-read the configuration file and apply the difference, all or nothing. Error: the file
    /// was rejected (the text names file, line:column and JSON path), or a step failed while
    /// applying and the old configuration was applied again; either way it stays in force.
    [[nodiscard]] tl::expected<ConfigDiff, std::string> reload();
    /// Cease every session with `reason`, stop checks, then stop the io_context (bounded).
    void shutdown(const std::string& reason);
    [[nodiscard]] bool stopping() const { return stopping_; }

    // ControlHandler
    void handle(const std::string& command, const nlohmann::json& args, Respond respond) override;

private:
    // bgp::SpeakerObserver
    void on_state_change(const std::string& neighbor, bgp::State from, bgp::State to,
                         const std::string& cause) override;
    void on_notification(const std::string& neighbor, bool sent,
                         const bgp::Notification& n) override;
    void on_event(const std::string& neighbor, bgp::EventLevel level,
                  const std::string& text) override;
    // health::Observer
    void on_transition(const health::Transition& t) override;
    void on_probe(const health::Probe& p) override;
    void on_error(std::string_view check, std::string_view what) override;
    // announce::RouteSink
    void announce(const bgp::Prefix& prefix, const bgp::RouteSpec& spec) override;
    void withdraw(const bgp::Prefix& prefix) override;
    // StatusSource (the HTTP status endpoint, http_status.hpp)
    nlohmann::json status() const override;
    std::string metrics() const override;
    nlohmann::json recent_transitions() const override;

    /// A transition from the EventLog: to the hooks and to `vipctl watch` clients.
    void on_transition_record(const TransitionRecord& record);
    /// Applies `to` over `from` (their diff `d`); stops at the first step that fails (reload
    /// then applies `from` again). daemon_reload.cpp.
    [[nodiscard]] tl::expected<void, std::string> apply(const Config& from, const Config& to,
                                                        const ConfigDiff& d);
    [[nodiscard]] tl::expected<void, std::string>
    apply_checks(const Config& before, const Config& after, const ConfigDiff& d);
    [[nodiscard]] bool loopback_live(const Config& next) const;
    void warn_restart_keys(const ConfigDiff& d, const Config& next);
    void after_announcer_change();
    /// Return freed heap to the system a moment from now (after big tables were written).
    void trim_soon();
    void schedule_tick();
    void start_watchdog(std::chrono::microseconds interval);
    void wait_signals();
    void persist();
    void restore();
    [[nodiscard]] announce::TimePoint now() const { return std::chrono::steady_clock::now(); }

    // control commands (daemon_control.cpp)
    class Control;
    [[nodiscard]] static ControlTime control_time();

    boost::asio::io_context& io_;
    std::filesystem::path config_path_;
    Config config_; ///< in force; its vips are moved into the Announcer, which keeps them
    Log& log_;
    bgp::Speaker speaker_;
    health::Monitor monitor_;
    MetricsRecorder metrics_; ///< event counters for /metrics and the status page
    EventLog events_{log_, metrics_};
    Hooks hooks_{io_.get_executor(), log_, metrics_};
    announce::Announcer announcer_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer tick_timer_;
    boost::asio::steady_timer watchdog_timer_;
    boost::asio::steady_timer trim_timer_;
    bool trim_armed_ = false;
    std::optional<announce::TimePoint> tick_at_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<Control> commands_;           ///< the control commands over this daemon
    std::unique_ptr<HttpStatusServer> http_;      ///< only with "http-status" configured
    std::unique_ptr<LoopbackAddresses> loopback_; ///< when global.loopback is enabled
    std::set<std::string> disabled_checks_;       ///< persisted operator disables
    StateFiles state_;                            ///< drained VIPs, disabled checks
    bool stopping_ = false;
    bool ready_sent_ = false;
};

/// Return the heap's free memory to the system (after start-up, a reload, the initial table).
void release_free_memory();

} // namespace vipd::cli

namespace vipd::cli {

/// `vipd -c FILE`: load the configuration, run the daemon until SIGTERM/SIGINT. Returns the
/// process exit status (1 with the error on stderr when the configuration or start-up fails).
int run_daemon(const std::filesystem::path& config_path);

} // namespace vipd::cli
