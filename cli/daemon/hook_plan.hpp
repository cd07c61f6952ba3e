// The decisions of hooks (docs/hooks.md), pure: which transition is a hook event, which hooks
// it triggers (their event, VIP and neighbor filters), the environment a run gets, and per hook
// the one-run-at-a-time queue that coalesces events arriving while a run is in progress (at
// most one pending run per VIP or neighbor, carrying its latest state). No process, no clock:
// hooks.* runs the commands.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "cli/config/config.hpp"
#include "cli/status/metrics.hpp"

namespace vipd::cli {

/// One event a hook may run on.
struct HookEvent
{
    HookTrigger trigger = HookTrigger::announced;
    std::string subject;        ///< the VIP or neighbor name
    std::string state;          ///< VIP state word, or BGP state ("Established", "Idle", …)
    std::string previous_state; ///< before this event (before the first coalesced one)
    std::string reason;
    std::vector<std::string> prefixes; ///< the VIP's prefixes (empty for a neighbor)
    std::string time;                  ///< RFC 3339 UTC, of the latest event
    bool operator==(const HookEvent&) const = default;

    [[nodiscard]] bool is_neighbor() const
    {
        return trigger == HookTrigger::neighbor_up || trigger == HookTrigger::neighbor_down;
    }
};

/// The hook event of a transition record (metrics.hpp): a VIP entering announced, degraded,
/// withdrawn, held-down, draining or drained; a neighbor entering or leaving Established.
/// None for checks, for a VIP entering "waiting", and for other BGP state changes.
[[nodiscard]] std::optional<HookEvent> hook_event(const TransitionRecord& record,
                                                  std::vector<std::string> prefixes);

/// Whether `hook` runs on `event`: its "events" (empty: all) and, for VIP events its "vips",
/// for neighbor events its "neighbors" (empty: all).
[[nodiscard]] bool matches(const HookConfig& hook, const HookEvent& event);

/// A run to start: the event and how many later events of the same subject were folded in.
struct HookRun
{
    HookEvent event;
    std::size_t coalesced = 0;
    bool operator==(const HookRun&) const = default;
};

/// The environment entries (NAME=value) of a run, after the hook's own "env": VIPD_HOOK,
/// VIPD_EVENT, VIPD_VIP or VIPD_NEIGHBOR, VIPD_STATE, VIPD_PREVIOUS_STATE, VIPD_PREFIXES
/// (space-separated), VIPD_REASON, VIPD_TIME, VIPD_COALESCED.
[[nodiscard]] std::vector<std::string> hook_env(const HookConfig& hook, const HookRun& run);

/// One hook's runs: one at a time; events that arrive while one runs wait, one pending run per
/// subject (VIP or neighbor) in the order subjects first waited. A later event of a subject
/// that already waits replaces that run's state, reason, prefixes and time, keeps its previous
/// state and counts as coalesced. At most `max_pending` subjects wait; beyond, the oldest is
/// dropped (counted).
class HookQueue
{
public:
    static constexpr std::size_t max_pending = 1024;

    /// An event for this hook: the run to start now, or none (a run is in progress; queued).
    [[nodiscard]] std::optional<HookRun> offer(HookEvent event);
    /// The run in progress ended: the next run to start, if any waits.
    [[nodiscard]] std::optional<HookRun> finished();

    [[nodiscard]] bool running() const { return running_; }
    [[nodiscard]] std::size_t pending() const { return pending_.size(); }
    [[nodiscard]] std::size_t dropped() const { return dropped_; }

private:
    bool running_ = false;
    std::deque<HookRun> pending_;
    std::size_t dropped_ = 0;
};

} // namespace vipd::cli
