// Flap damping with exponential back-off (see damping.hpp). Pure.
#include "announce/damping.hpp"

namespace vipd::announce {

std::chrono::seconds Damper::hold_for(unsigned flaps) const
{
    std::chrono::seconds hold = config_.min_hold;
    for (unsigned i = config_.threshold; i < flaps && hold < config_.max_hold; ++i)
        hold *= 2;
    return hold < config_.max_hold ? hold : config_.max_hold;
}

DampingDecision Damper::decision() const
{
    DampingDecision d;
    d.up = applied_;
    if (raw_.value_or(false) && !applied_)
        d.held_until = held_until_;
    return d;
}

DampingDecision Damper::feed(bool up, TimePoint now)
{
    if (!raw_) {
        raw_ = up;
        applied_ = up;
        return decision();
    }
    if (*raw_ == up)
        return decision();
    if (last_change_ && now - *last_change_ >= config_.reset_after)
        flaps_ = 0;
    raw_ = up;
    last_change_ = now;
    ++flaps_;
    ++total_flaps_;
    if (!config_.enabled) {
        applied_ = up;
        return decision();
    }
    if (flaps_ >= config_.threshold) {
        hold_ = hold_for(flaps_);
        held_until_ = now + hold_;
    }
    if (held_until_ && now < *held_until_) {
        if (up)
            ++suppressed_;
        applied_ = false;
    } else {
        applied_ = up;
    }
    return decision();
}

bool Damper::tick(TimePoint now)
{
    if (!held_until_ || now < *held_until_)
        return false;
    held_until_.reset();
    if (raw_.value_or(false) && !applied_) {
        applied_ = true;
        return true;
    }
    return false;
}

void Damper::reconfigure(const DampingConfig& config)
{
    config_ = config;
    if (!config_.enabled) {
        held_until_.reset();
        applied_ = raw_.value_or(false);
    }
}

DampingStatus Damper::status(TimePoint now) const
{
    DampingStatus s;
    const bool quiet = !last_change_ || now - *last_change_ >= config_.reset_after;
    s.flaps = quiet ? 0 : flaps_;
    s.total_flaps = total_flaps_;
    s.suppressed = suppressed_;
    if (held_until_ && now < *held_until_)
        s.held_until = held_until_;
    s.hold = hold_;
    s.last_change = last_change_;
    return s;
}

} // namespace vipd::announce
