// Flap damping for one VIP: a VIP whose rule keeps changing is held down with exponential
// back-off so that routers do not see it flap. Going down is always applied at once (never
// keep a broken service announced); going up is delayed while a hold is active.
// A change counts as a flap; `threshold` flaps with no quiet gap of `reset_after` between
// them start a hold of min_hold, each further flap restarts the hold with twice the length,
// up to max_hold. A quiet gap of `reset_after` forgets the flaps.
// Pure: time is passed in; the caller asks for a tick at held_until().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "announce/vip.hpp"

namespace vipd::announce {

using TimePoint = std::chrono::steady_clock::time_point;

/// Counters for `vipctl status`.
struct DampingStatus
{
    unsigned flaps = 0;                  ///< flaps in the current window (0 after a quiet gap)
    std::uint64_t total_flaps = 0;       ///< since start
    std::uint64_t suppressed = 0;        ///< up changes that were not applied when they happened
    std::optional<TimePoint> held_until; ///< while a hold is active
    std::chrono::seconds hold{0};        ///< length of the active (or last) hold
    std::optional<TimePoint> last_change;
    bool operator==(const DampingStatus&) const = default;
};

/// The outcome of feeding a verdict.
struct DampingDecision
{
    bool up = false;                     ///< the state to act on now
    std::optional<TimePoint> held_until; ///< set when an up is being held back until then
    bool operator==(const DampingDecision&) const = default;
};

class Damper
{
public:
    explicit Damper(DampingConfig config = {}) : config_(config) {}

    /// Feed the rule's verdict (true = up) at `now`. The first verdict is taken as is; every
    /// later change is a flap.
    [[nodiscard]] DampingDecision feed(bool up, TimePoint now);
    /// Ends a hold whose time has come; returns true when the applied state changed to up.
    bool tick(TimePoint now);
    /// New settings keep the counters; disabling damping ends any hold at once.
    void reconfigure(const DampingConfig& config);

    /// True once a verdict was fed.
    [[nodiscard]] bool has_verdict() const { return raw_.has_value(); }
    /// The state to act on (false before the first verdict).
    [[nodiscard]] bool applied() const { return applied_; }
    /// The current decision (as the last feed or tick left it).
    [[nodiscard]] DampingDecision decision() const;
    /// When the caller must tick next, if a hold is active.
    [[nodiscard]] std::optional<TimePoint> held_until() const { return held_until_; }
    [[nodiscard]] DampingStatus status(TimePoint now) const;

private:
    [[nodiscard]] std::chrono::seconds hold_for(unsigned flaps) const;

    DampingConfig config_;
    std::optional<bool> raw_;
    bool applied_ = false;
    unsigned flaps_ = 0;
    std::uint64_t total_flaps_ = 0;
    std::uint64_t suppressed_ = 0;
    std::optional<TimePoint> last_change_;
    std::optional<TimePoint> held_until_;
    std::chrono::seconds hold_{0};
};

} // namespace vipd::announce
