// Durations as operators write them in the configuration: "2s", "500ms", "1m30s", "1h", "1.5s",
// or a plain JSON number of seconds (0.25 = 250 ms). Millisecond resolution, never negative.
// Pure text <-> std::chrono conversion; no knowledge of which setting a duration belongs to.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace vipd::cli {

/// Longest duration accepted anywhere (one year): keeps arithmetic far from overflow.
inline constexpr std::chrono::milliseconds max_duration{365LL * 24 * 3600 * 1000};

/// Parses one or more <number><unit> parts, units h, m, s, ms in decreasing order, each at
/// most once, no spaces: "1h", "1m30s", "1s500ms", "1.5s". A part may have a decimal
/// fraction as long as the total is a whole number of milliseconds.
/// Errors: empty text, a missing or unknown unit, units out of order or repeated, a value
/// finer than 1 ms, more than max_duration.
[[nodiscard]] tl::expected<std::chrono::milliseconds, std::string>
parse_duration(std::string_view text);

/// A plain number of seconds (JSON number). Errors: negative, finer than 1 ms, too long.
[[nodiscard]] tl::expected<std::chrono::milliseconds, std::string>
duration_from_seconds(double seconds);

/// Canonical text, the inverse of parse_duration: "0s", "500ms", "2s", "1m30s", "1h0m5s"
/// is written "1h5s" (zero parts are left out).
[[nodiscard]] std::string format_duration(std::chrono::milliseconds d);

} // namespace vipd::cli
