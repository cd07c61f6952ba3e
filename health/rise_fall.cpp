// Rise/fall counting. A success while counted as up resets the failure streak; a failure while
// counted as down resets the success streak (as HAProxy and ExaBGP healthcheck do).
#include "health/rise_fall.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vipd::health {

std::string_view to_string(State state)
{
    switch (state) {
    case State::init:
        return "init";
    case State::rising:
        return "rising";
    case State::up:
        return "up";
    case State::falling:
        return "falling";
    case State::down:
        return "down";
    case State::disabled:
        return "disabled";
    case State::maint:
        return "maint";
    case State::drain:
        return "drain";
    }
    return "?";
}

bool serving(State state, InitialState initial)
{
    switch (state) {
    case State::up:
    case State::falling:
    case State::drain:
        return true;
    case State::init:
        return initial == InitialState::up;
    case State::rising:
    case State::down:
    case State::disabled:
    case State::maint:
        return false;
    }
    return false;
}

RiseFall::RiseFall(RiseFallConfig config) : config_(config)
{
    config_.rise = std::max(config_.rise, 1U);
    config_.fall = std::max(config_.fall, 1U);
}

std::optional<Change> RiseFall::observe(const Outcome& outcome)
{
    if (admin_disabled_) {
        return std::nullopt;
    }
    switch (outcome.status) {
    case Status::unknown: // not a probe result: nothing observed
        return std::nullopt;
    case Status::up:
        return on_success(outcome.detail);
    case Status::down:
        return on_failure(outcome.detail);
    case Status::disabled:
        streak_ = 0;
        return enter(State::disabled, outcome.detail);
    case Status::maint:
        streak_ = 0;
        return enter(State::maint, outcome.detail);
    case Status::drain:
        streak_ = 0;
        return enter(State::drain, outcome.detail);
    }
    return std::nullopt;
}

std::optional<Change> RiseFall::observe_gone(const Outcome& outcome)
{
    if (admin_disabled_ || outcome.status != Status::down) {
        return std::nullopt;
    }
    streak_ = 0;
    return enter(State::down, outcome.detail);
}

std::optional<Change> RiseFall::disable(std::string cause)
{
    admin_disabled_ = true;
    streak_ = 0;
    return enter(State::disabled, std::move(cause));
}

std::optional<Change> RiseFall::enable(std::string cause)
{
    if (!admin_disabled_) {
        return std::nullopt;
    }
    admin_disabled_ = false;
    streak_ = 0;
    return enter(State::init, std::move(cause));
}

void RiseFall::reconfigure(RiseFallConfig config)
{
    config_ = config;
    config_.rise = std::max(config_.rise, 1U);
    config_.fall = std::max(config_.fall, 1U);
    if (state_ == State::rising) {
        streak_ = std::min(streak_, config_.rise - 1);
    } else if (state_ == State::falling) {
        streak_ = std::min(streak_, config_.fall - 1);
    }
}

bool RiseFall::counts_as_up() const
{
    return state_ == State::up || state_ == State::falling || state_ == State::drain ||
           (state_ == State::init && config_.initial == InitialState::up);
}

std::optional<Change> RiseFall::on_success(const std::string& detail)
{
    if (counts_as_up()) {
        streak_ = 0;
        return enter(State::up, detail);
    }
    streak_ = state_ == State::rising ? streak_ + 1 : 1;
    if (streak_ >= config_.rise) {
        streak_ = 0;
        return enter(State::up, detail);
    }
    if (state_ == State::rising) {
        return std::nullopt;
    }
    return enter(State::rising, fmt::format("{} ({}/{})", detail, streak_, config_.rise));
}

std::optional<Change> RiseFall::on_failure(const std::string& detail)
{
    if (!counts_as_up()) {
        streak_ = 0;
        return enter(State::down, detail);
    }
    streak_ = state_ == State::falling ? streak_ + 1 : 1;
    if (streak_ >= config_.fall) {
        streak_ = 0;
        return enter(State::down, detail);
    }
    if (state_ == State::falling) {
        return std::nullopt;
    }
    return enter(State::falling, fmt::format("{} ({}/{})", detail, streak_, config_.fall));
}

std::optional<Change> RiseFall::enter(State to, std::string cause)
{
    if (to == state_) {
        return std::nullopt;
    }
    Change change{state_, to, cause};
    state_ = to;
    settled_ =
        to == State::init ? false : settled_ || (to != State::rising && to != State::falling);
    cause_ = std::move(cause);
    return change;
}

} // namespace vipd::health
