// The daemon's answers to the control commands (docs/control-protocol.md) as a class over a
// read-only view of the daemon (DaemonView) and the actions the mutating commands ask for
// (DaemonActions). One handler per registry row (cli/control/registry.hpp), attached by name;
// the replies' JSON is built here. The daemon implements the two interfaces; tests give fakes.
// Must not: touch a socket, a timer or a clock (time comes in as ControlTime), or decide
// routes or check states (the Announcer and the Monitor do).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "announce/announcer.hpp"
#include "bgp/speaker.hpp"
#include "cli/config/config.hpp"
#include "cli/control/handler.hpp"
#include "health/monitor.hpp"

namespace vipd::cli {

/// The time of a request: the steady clock the daemon's parts use, and the wall clock that
/// replies show ("2026-11-21T12:04:05Z").
struct ControlTime
{
    std::chrono::steady_clock::time_point steady;
    std::chrono::system_clock::time_point wall;
};

/// Per neighbor name, "written" or why the UPDATE was not (bgp::Speaker::when_flushed).
using FlushResults = std::map<std::string, std::string>;

/// What the control commands read from the daemon.
class DaemonView
{
public:
    virtual ~DaemonView() = default;
    /// The configuration in force (neighbors' remote AS).
    [[nodiscard]] virtual const Config& config() const = 0;
    [[nodiscard]] virtual std::vector<bgp::NeighborStatus> neighbors() const = 0;
    [[nodiscard]] virtual std::vector<health::CheckSnapshot> checks() const = 0;
    [[nodiscard]] virtual std::optional<health::CheckSnapshot>
    check(std::string_view name) const = 0;
    [[nodiscard]] virtual std::vector<announce::VipStatus> vips(announce::TimePoint now) const = 0;
    /// The Announcer's explanation of one VIP; nullopt: no VIP of that name.
    [[nodiscard]] virtual std::optional<announce::VipStatus> vip(std::string_view name,
                                                                 announce::TimePoint now) const = 0;
    /// State files whose last read or write failed -> the error (a corrupt file at start-up,
    /// a read-only or full state directory).
    [[nodiscard]] virtual std::map<std::string, std::string> state_problems() const { return {}; }
    /// BFD packets that reached no session, per bgp::bfd::Drop reason.
    [[nodiscard]] virtual bgp::bfd::DropCounts bfd_unmatched_drops() const { return {}; }
    /// The VIPs' configurations as the Announcer holds them.
    [[nodiscard]] virtual std::vector<const announce::VipConfig*> vip_configs() const = 0;
    /// One VIP's configuration; nullptr: no VIP of that name.
    [[nodiscard]] virtual const announce::VipConfig* vip_config(std::string_view name) const = 0;
    /// The Adj-RIB-Out of `neighbor` with the wire attributes the speaker sends for each route
    /// (bgp::Speaker::for_each_exported).
    virtual void for_each_exported(
        const std::string& neighbor,
        const std::function<void(const bgp::Prefix&,
                                 const tl::expected<bgp::PathAttributes, std::string>&)>& f)
        const = 0;
};

/// What the mutating commands ask the daemon to do. Callbacks run later, on the daemon's loop.
class DaemonActions
{
public:
    virtual ~DaemonActions() = default;
    /// Manual routes (validated: no neighbor unknown, no VIP's prefix).
    virtual void announce(std::span<const bgp::Prefix> prefixes, const bgp::RouteSpec& spec) = 0;
    virtual void withdraw(std::span<const bgp::Prefix> prefixes) = 0;
    /// `done` once every change so far was written to every established neighbor.
    virtual void when_flushed(std::function<void(FlushResults)> done) = 0;
    /// Drain (`drain`) or undrain one VIP, or all when `vip` is absent; false: no such VIP.
    [[nodiscard]] virtual bool set_drained(const std::optional<std::string>& vip, bool drain,
                                           announce::TimePoint now) = 0;
    /// `done` once none of `vips` is draining any more (or the daemon stops).
    virtual void when_drained(std::vector<std::string> vips, std::function<void()> done) = 0;
    /// Operator disable/enable of a check, persisted.
    virtual void set_check_disabled(const std::string& name, bool disabled) = 0;
    /// Probe `name` now; `done` with its snapshot once the probe completed (nullopt: removed).
    virtual void check_now(const std::string& name,
                           std::function<void(std::optional<health::CheckSnapshot>)> done) = 0;
    /// Operator's hard reset of a neighbor (bgp::Speaker::reset_neighbor) with `message` as the
    /// Cease's RFC 9003 shutdown communication; false: no such one.
    [[nodiscard]] virtual bool reset_neighbor(const std::string& name,
                                              const std::string& message) = 0;
    /// Operator's disable (Cease/2 with `message`, RFC 9003) or enable of a neighbor, persisted
    /// (bgp::Speaker::disable_neighbor / enable_neighbor).
    virtual void set_neighbor_disabled(const std::string& name, bool disabled,
                                       const std::string& message) = 0;
    /// Re-send the neighbor's Adj-RIB-Out (bgp::Speaker::resend).
    virtual void refresh_neighbor(const std::string& name) = 0;
    /// Re-read the configuration file (Daemon::reload).
    [[nodiscard]] virtual tl::expected<ConfigDiff, std::string> reload() = 0;
};

/// "no neighbor named \"tor3\" (did you mean \"tor1\"?)", or the list of the neighbors' names
/// when none is close.
[[nodiscard]] std::string no_neighbor(const DaemonView& view, const std::string& name);

class ControlCommands
{
public:
    ControlCommands(const DaemonView& view, DaemonActions& actions) : view_(view), actions_(actions)
    {}

    /// Answers one validated request (parse_request) through its row's handler; `respond` is
    /// called once, maybe later (announce, drain --wait, check-now).
    void handle(std::string_view command, const nlohmann::json& args, Respond respond,
                const ControlTime& now);

    /// The status reply: version, neighbors, VIPs, checks (also the HTTP status endpoint's).
    [[nodiscard]] nlohmann::json status(const ControlTime& now) const;

    /// A command's handler: the request's args, the reply callback, the time.
    using Handler = void (ControlCommands::*)(const nlohmann::json& args, Respond respond,
                                              const ControlTime& now);
    /// One handler per registry row, attached by name.
    struct HandlerRow
    {
        std::string_view command;
        Handler handler;
    };
    [[nodiscard]] static std::span<const HandlerRow> handlers();

private:
    [[nodiscard]] nlohmann::json neighbors_json(const ControlTime& now) const;
    [[nodiscard]] nlohmann::json neighbor_detail_json(const bgp::NeighborStatus& s,
                                                      const ControlTime& now) const;
    [[nodiscard]] nlohmann::json vips_json(const ControlTime& now) const;
    [[nodiscard]] nlohmann::json vip_json(const announce::VipStatus& v,
                                          const ControlTime& now) const;
    [[nodiscard]] nlohmann::json checks_json(const ControlTime& now) const;
    [[nodiscard]] nlohmann::json check_json(const health::CheckSnapshot& s,
                                            const ControlTime& now) const;
    [[nodiscard]] std::optional<std::string>
    vip_owning(std::span<const bgp::Prefix> prefixes) const;

    void cmd_version(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_status(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_neighbors(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_neighbor(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_checks(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_routes(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_announce(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_withdraw(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_drain(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_undrain(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_disable(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_enable(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_check_now(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_explain(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_reload(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void cmd_watch(const nlohmann::json& args, Respond respond, const ControlTime& now);
    void set_check(const nlohmann::json& args, Respond respond, const ControlTime& now,
                   bool disabled);
    void drain_or_undrain(const nlohmann::json& args, Respond respond, const ControlTime& now,
                          bool drain);

    const DaemonView& view_;
    DaemonActions& actions_;
};

/// Registry rows without a handler and handlers without a row, as one line of text; empty
/// when every command has exactly one handler (checked at start-up and in a unit test).
[[nodiscard]] std::string unmatched_handlers();

/// One route of a neighbor's Adj-RIB-Out as `vipctl routes` shows it: the wire attributes
/// (origin, AS path, next hop, MED, LOCAL_PREF, communities), or "error" when the route could
/// not be exported.
[[nodiscard]] nlohmann::json route_json(const std::string& neighbor, const bgp::Prefix& prefix,
                                        const tl::expected<bgp::PathAttributes, std::string>& wire);

/// Wall-clock text of a steady-clock time point at `now`: "2026-11-21T12:04:05Z".
[[nodiscard]] std::string wall_time(std::chrono::steady_clock::time_point tp,
                                    const ControlTime& now);

} // namespace vipd::cli
