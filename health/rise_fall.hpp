// Per-check state machine: rise/fall counting over probe outcomes, admin disable, and the cause
// of every transition. Pure: no clock, no I/O, no logging; the Monitor feeds it and publishes the
// changes it returns. Semantics follow HAProxy's and ExaBGP healthcheck's rise/fall counters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "health/outcome.hpp"

namespace vipd::health {

/// States operators know. `init`: no probe yet. `rising`/`falling`: counting successes while
/// down / failures while up. `disabled`: maintenance file or operator. `maint`/`drain`: the
/// target itself (HAProxy) says maintenance / draining; no counting applies to these three.
enum class State { init, rising, up, falling, down, disabled, maint, drain };

/// How `init` counts before the first transition: as down (must rise, the default) or as up.
enum class InitialState { down, up };

[[nodiscard]] std::string_view to_string(State state);

/// True when traffic may be sent: up, falling (still up until the fall count), drain (existing
/// traffic continues; the announce layer decides how to advertise it), and init if initially up.
[[nodiscard]] bool serving(State state, InitialState initial);

/// Rise/fall parameters. rise, fall >= 1.
struct RiseFallConfig
{
    unsigned rise = 2; ///< consecutive successes to go up
    unsigned fall = 3; ///< consecutive failures to go down
    InitialState initial = InitialState::down;
    bool operator==(const RiseFallConfig&) const = default;
};

/// One state change and its cause (the probe detail, with the count while rising/falling).
struct Change
{
    State from = State::init;
    State to = State::init;
    std::string cause;
    bool operator==(const Change&) const = default;
};

class RiseFall
{
public:
    explicit RiseFall(RiseFallConfig config = {});

    /// Feed one probe outcome; returns the change if the state changed. Ignored while
    /// admin-disabled (the state stays `disabled`).
    [[nodiscard]] std::optional<Change> observe(const Outcome& outcome);

    /// A failure the kernel reported (the watched process exited): not a maybe-transient probe
    /// result, so down at once whatever the fall count; rising starts again from zero.
    /// Ignored while admin-disabled, and for an outcome that is not down.
    [[nodiscard]] std::optional<Change> observe_gone(const Outcome& outcome);

    /// Operator disable: enter `disabled` with `cause` until enable().
    [[nodiscard]] std::optional<Change> disable(std::string cause);

    /// Operator enable: back to `init` (counting restarts as configured by `initial`).
    [[nodiscard]] std::optional<Change> enable(std::string cause);

    /// New counts on reload; the current state is kept, a partial count is clamped.
    void reconfigure(RiseFallConfig config);

    [[nodiscard]] State state() const { return state_; }
    [[nodiscard]] const std::string& cause() const { return cause_; }
    /// Consecutive successes while rising, failures while falling; 0 otherwise.
    [[nodiscard]] unsigned streak() const { return streak_; }
    [[nodiscard]] bool serving() const { return health::serving(state_, config_.initial); }
    [[nodiscard]] bool admin_disabled() const { return admin_disabled_; }
    /// True once a verdict (up, down, disabled, maint, drain) was reached since construction or
    /// the last enable(): `rising`/`falling` out of `init` are not verdicts yet.
    [[nodiscard]] bool settled() const { return settled_; }
    [[nodiscard]] const RiseFallConfig& config() const { return config_; }

private:
    std::optional<Change> on_success(const std::string& detail);
    std::optional<Change> on_failure(const std::string& detail);
    std::optional<Change> enter(State to, std::string cause);
    [[nodiscard]] bool counts_as_up() const;

    RiseFallConfig config_;
    State state_ = State::init;
    std::string cause_;
    unsigned streak_ = 0;
    bool admin_disabled_ = false;
    bool settled_ = false;
};

} // namespace vipd::health
