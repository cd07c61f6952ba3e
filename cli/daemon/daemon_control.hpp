// Daemon::Control (daemon_control.cpp): the daemon's parts seen by the control commands
// (cli/control/commands.hpp) as a read-only DaemonView, and the DaemonActions carried out on
// them. Private to the daemon: only daemon.cpp and daemon_control.cpp include it.
#pragma once

#include "cli/control/commands.hpp"
#include "cli/daemon/daemon.hpp"

namespace vipd::cli {

class Daemon::Control final : public DaemonView, public DaemonActions
{
public:
    explicit Control(Daemon& d) : d_(d) {}

    /// The command handlers over this view.
    ControlCommands commands{*this, *this};

    // DaemonView
    const Config& config() const override { return d_.config_; }
    std::vector<bgp::NeighborStatus> neighbors() const override { return d_.speaker_.status(); }
    std::vector<health::CheckSnapshot> checks() const override { return d_.monitor_.snapshot(); }
    std::optional<health::CheckSnapshot> check(std::string_view name) const override
    {
        return d_.monitor_.snapshot(name);
    }
    std::vector<announce::VipStatus> vips(announce::TimePoint now) const override
    {
        return d_.announcer_.status(now);
    }
    std::optional<announce::VipStatus> vip(std::string_view name,
                                           announce::TimePoint now) const override
    {
        return d_.announcer_.status(name, now);
    }
    std::map<std::string, std::string> state_problems() const override
    {
        return d_.state_.problems();
    }
    bgp::bfd::DropCounts bfd_unmatched_drops() const override
    {
        return d_.speaker_.bfd_unmatched_drops();
    }
    std::vector<const announce::VipConfig*> vip_configs() const override
    {
        return d_.announcer_.configs();
    }
    const announce::VipConfig* vip_config(std::string_view name) const override
    {
        return d_.announcer_.config(name);
    }
    void for_each_exported(
        const std::string& neighbor,
        const std::function<void(const bgp::Prefix&,
                                 const tl::expected<bgp::PathAttributes, std::string>&)>& f)
        const override
    {
        d_.speaker_.for_each_exported(neighbor, f);
    }

    // DaemonActions
    void announce(std::span<const bgp::Prefix> prefixes, const bgp::RouteSpec& spec) override
    {
        d_.speaker_.announce(prefixes, spec);
        log("announce", prefixes);
    }
    void withdraw(std::span<const bgp::Prefix> prefixes) override
    {
        for (const auto& p : prefixes)
            d_.speaker_.withdraw(p);
        log("withdraw", prefixes);
    }
    void when_flushed(std::function<void(FlushResults)> done) override
    {
        d_.speaker_.when_flushed([this, done = std::move(done)](FlushResults results) {
            done(std::move(results));
            d_.trim_soon();
        });
    }
    bool set_drained(const std::optional<std::string>& vip, bool drain,
                     announce::TimePoint now) override;
    void when_drained(std::vector<std::string> vips, std::function<void()> done) override;
    void set_check_disabled(const std::string& name, bool disabled) override;
    void check_now(const std::string& name,
                   std::function<void(std::optional<health::CheckSnapshot>)> done) override;
    bool reset_neighbor(const std::string& name, const std::string& message) override
    {
        if (!d_.speaker_.reset_neighbor(name, message))
            return false;
        d_.log_.write(LogLevel::info, "control",
                      {{"command", "neighbor reset"}, {"peer", name}, {"message", message}});
        return true;
    }
    void set_neighbor_disabled(const std::string& name, bool disabled,
                               const std::string& message) override;
    void refresh_neighbor(const std::string& name) override
    {
        d_.speaker_.resend(name);
        d_.log_.write(LogLevel::info, "control", {{"command", "neighbor refresh"}, {"peer", name}});
    }
    tl::expected<ConfigDiff, std::string> reload() override { return d_.reload(); }

private:
    void log(const char* command, std::span<const bgp::Prefix> prefixes)
    {
        d_.log_.write(LogLevel::info, "control",
                      {{"command", command},
                       {"prefixes", std::to_string(prefixes.size())},
                       {"first", prefixes.empty() ? "" : prefixes.front().to_string()}});
    }

    Daemon& d_;
};

} // namespace vipd::cli
