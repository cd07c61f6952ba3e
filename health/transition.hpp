// A state change of one check, as the Monitor reports it to its observers (health/monitor.hpp)
// and the announce layer turns it into a rule leaf. A plain view: no I/O, valid during the
// callback only. Knows nothing of prefixes or peers.
#pragma once

#include <chrono>
#include <string_view>

#include "health/rise_fall.hpp"

namespace vipd::health {

/// A state change of one check, valid during the callback only.
struct Transition
{
    std::string_view check; ///< check name
    std::string_view kind;  ///< "tcp", "http", "https", "exec", "file", "haproxy"
    State from = State::init;
    State to = State::init;
    std::string_view cause;         ///< "connect refused", "HTTP 503", "timeout after 2 s"
    std::chrono::microseconds took; ///< latency of the probe that caused it (0: admin action)
    bool serving = false;           ///< whether the check now counts as up (see health::serving)
    /// False until the check has reached a verdict (up, down, disabled, maint, drain) since it
    /// started or was re-enabled: "rising" from init is still "no verdict yet".
    bool settled = false;
};

} // namespace vipd::health
