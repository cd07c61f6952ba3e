// Result of one probe and the vocabulary shared by every health check kind.
// Pure values: no I/O, no clock. A target that is down is an Outcome, never an exception.
// Knows nothing of BGP, prefixes or peers.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace vipd::health {

/// What a probe saw. `disabled`: local maintenance (file, operator); `maint` and `drain`: the
/// target itself reports maintenance / draining (HAProxy MAINT, DRAIN/NOLB), distinct from down.
enum class Status { up, down, disabled, maint, drain };

/// One probe result: status, a short human cause ("connect refused", "HTTP 503") and latency.
struct Outcome
{
    Status status = Status::down;
    std::string detail;
    std::chrono::microseconds took{0}; ///< probe latency (the poll's, for HAProxy references)

    [[nodiscard]] bool up() const { return status == Status::up; }
    bool operator==(const Outcome&) const = default;
};

[[nodiscard]] std::string_view to_string(Status status);

/// "2 s", "1.5 s", "250 ms": durations as operators read them in causes and logs.
[[nodiscard]] std::string format_duration(std::chrono::milliseconds duration);

} // namespace vipd::health
