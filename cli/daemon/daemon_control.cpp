// The daemon's side of the control commands (cli/control/commands.hpp): Daemon::Control shows
// the daemon's parts to ControlCommands as a read-only DaemonView and carries out its
// DaemonActions: routes through the speaker, drains through the Announcer, check admin through
// the Monitor, with the timers that wait for a drain or a probe to finish.
#include "cli/daemon/daemon_control.hpp"

#include <fmt/format.h>

#include "cli/control/protocol.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

/// Calls `step` every `period` until it returns true (the daemon's waits for drains and
/// probes; the loop ends with the io_context).
void poll_until(boost::asio::io_context& io, std::chrono::milliseconds period,
                std::function<bool()> step)
{
    auto timer = std::make_shared<boost::asio::steady_timer>(io);
    auto again = std::make_shared<std::function<void()>>();
    *again = [timer, again, period, step = std::move(step)]() {
        if (step()) {
            auto keep = std::move(*again);
            return;
        }
        timer->expires_after(period);
        timer->async_wait([again](boost::system::error_code ec) {
            if (!ec && *again)
                (*again)();
        });
    };
    (*again)();
}

} // namespace

bool Daemon::Control::set_drained(const std::optional<std::string>& vip, bool drain,
                                  announce::TimePoint now)
{
    auto& a = d_.announcer_;
    if (!vip)
        drain ? a.drain_all(now) : a.undrain_all(now);
    else if (!(drain ? a.drain(*vip, now) : a.undrain(*vip, now)))
        return false;
    d_.after_announcer_change();
    return true;
}

void Daemon::Control::when_drained(std::vector<std::string> vips, std::function<void()> done)
{
    poll_until(d_.io_, std::chrono::milliseconds(50), [this, vips, done]() {
        for (const auto& n : vips)
            if (auto st = d_.announcer_.status(n, d_.now());
                st && st->state == announce::VipState::draining && !d_.stopping_)
                return false;
        done();
        return true;
    });
}

void Daemon::Control::set_check_disabled(const std::string& name, bool disabled)
{
    if (disabled) {
        d_.monitor_.disable(name, "disabled by operator");
        d_.disabled_checks_.insert(name);
    } else {
        d_.monitor_.enable(name, "enabled by operator");
        d_.disabled_checks_.erase(name);
    }
    d_.persist();
}

void Daemon::Control::set_neighbor_disabled(const std::string& name, bool disabled,
                                            const std::string& message)
{
    if (disabled)
        (void)d_.speaker_.disable_neighbor(name, message);
    else
        (void)d_.speaker_.enable_neighbor(name);
    d_.log_.write(LogLevel::info, "control",
                  {{"command", disabled ? "neighbor disable" : "neighbor enable"},
                   {"peer", name},
                   {"message", message}});
    d_.persist();
}

void Daemon::Control::check_now(const std::string& name,
                                std::function<void(std::optional<health::CheckSnapshot>)> done)
{
    const auto before = d_.monitor_.snapshot(name);
    const std::uint64_t probes = before ? before->probes : 0;
    d_.monitor_.check_now(name);
    // Reply once the probe completed (bounded by the check's own timeout).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    poll_until(d_.io_, std::chrono::milliseconds(5), [this, name, probes, deadline, done]() {
        auto snap = d_.monitor_.snapshot(name);
        if (snap && snap->probes <= probes && std::chrono::steady_clock::now() <= deadline)
            return false;
        done(std::move(snap));
        return true;
    });
}

ControlTime Daemon::control_time()
{
    return {std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
}

void Daemon::handle(const std::string& command, const json& args, Respond respond)
{
    if (stopping_) {
        respond(error_reply("vipd is shutting down"));
        return;
    }
    commands_->commands.handle(command, args, std::move(respond), control_time());
}

json Daemon::status() const
{
    return commands_->commands.status(control_time());
}

std::string Daemon::metrics() const
{
    // The state directory's health (state_files.hpp), next to the families of render_metrics.
    return render_metrics(metrics_input(status(), &metrics_)) +
           fmt::format("# HELP vipd_state_file_errors State files whose last read or write "
                       "failed (vipctl status names them).\n"
                       "# TYPE vipd_state_file_errors gauge\n"
                       "vipd_state_file_errors {}\n"
                       "# HELP vipd_state_write_failures_total Failed writes of state files.\n"
                       "# TYPE vipd_state_write_failures_total counter\n"
                       "vipd_state_write_failures_total {}\n",
                       state_.problems().size(), state_.write_failures());
}

json Daemon::recent_transitions() const
{
    return metrics_.recent_transitions();
}

} // namespace vipd::cli
