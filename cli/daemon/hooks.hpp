// Runs the configured hooks (docs/hooks.md) on the daemon's io_context: each run is the hook's
// command (health/process.hpp: own process group, output capped, exit awaited on a pidfd) with
// the event in its environment, bounded by the hook's timeout (the process group is killed).
// What runs when is decided by hook_plan.*; this file only runs, logs (component "hook") and
// counts (MetricsRecorder::on_hook_run). Reload replaces the hooks: a run in progress finishes
// (and is logged), its hook's waiting events are dropped unless the hook is unchanged.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "cli/config/config.hpp"
#include "cli/daemon/hook_plan.hpp"
#include "cli/daemon/log.hpp"
#include "cli/status/metrics.hpp"

namespace vipd::cli {

class Hooks
{
public:
    Hooks(boost::asio::any_io_executor executor, Log& log, MetricsRecorder& metrics);
    ~Hooks();
    Hooks(const Hooks&) = delete;
    Hooks& operator=(const Hooks&) = delete;

    /// Sets the hooks (start and reload). A hook whose configuration is unchanged keeps its
    /// run and queue; others start afresh, a run of a replaced or removed hook finishes.
    void configure(const std::vector<HookConfig>& hooks);
    /// Starts or queues the runs of every hook that `event` matches. Never blocks.
    void on_event(const HookEvent& event);
    /// No new runs (shutdown); runs in progress end with the daemon (their groups are killed).
    void stop();

    struct Slot; ///< one hook: its configuration and queue (shared with its runs)

private:
    void start(std::shared_ptr<Slot> slot, HookRun run);

    boost::asio::any_io_executor executor_;
    Log& log_;
    MetricsRecorder& metrics_;
    std::map<std::string, std::shared_ptr<Slot>> slots_;
    std::shared_ptr<bool> alive_; ///< false once stopped or destroyed: runs do not continue
};

} // namespace vipd::cli
