// The daemon's one log sink (STYLE §9): one line per event on stderr, `level component key=value`
// (values with spaces or quotes are quoted), or one JSON object per line with --log-format json.
// What a text line carries depends on where stderr goes: under systemd (its journal), an
// sd-daemon(3) priority prefix ("<3>" err, "<4>" warning, "<6>" info, "<7>" debug) so that
// `journalctl -p err` filters, and no time (journald adds it); in the foreground, an RFC 3339
// UTC timestamp with milliseconds first. JSON lines carry "ts" (RFC 3339 UTC, microseconds).
// The formatting is pure: `format` takes the time; only `write` reads the clock.
// Not thread-safe (one event loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "cli/config/config.hpp"

namespace vipd::cli {

/// Where stderr goes, which decides what a text line carries.
enum class LogStream : std::uint8_t {
    terminal, ///< foreground, a file or a pipe: RFC 3339 timestamp with milliseconds first
    journal,  ///< systemd's journal: sd-daemon(3) priority prefix, no time
};

/// Whether stderr is the journal: $JOURNAL_STREAM ("DEVICE:INODE", systemd.exec(5)) names the
/// device and inode of stderr's file. Empty or malformed: no.
[[nodiscard]] bool stderr_is_journal(std::string_view journal_stream, std::uint64_t device,
                                     std::uint64_t inode);

/// The syslog priority journald reads from a "<N>" prefix (sd-daemon(3)): 3 err, 4 warning,
/// 6 info, 7 debug.
[[nodiscard]] int journal_priority(LogLevel level);

/// "2026-12-07T12:34:56.789Z": RFC 3339, UTC, with `fraction_digits` (3 or 6) digits of
/// fraction.
[[nodiscard]] std::string rfc3339(std::chrono::system_clock::time_point t, int fraction_digits);

class Log
{
public:
    using Field = std::pair<std::string_view, std::string>;

    Log(LogLevel level = LogLevel::info, LogFormat format = LogFormat::text,
        LogStream stream = LogStream::terminal)
        : level_(level), format_(format), stream_(stream)
    {}
    void configure(LogLevel level, LogFormat format)
    {
        level_ = level;
        format_ = format;
    }
    [[nodiscard]] bool enabled(LogLevel l) const { return l >= level_; }

    /// One event: `component` (e.g. "bgp", "health", "vip", "config", "control") and fields.
    void write(LogLevel level, std::string_view component, std::initializer_list<Field> fields);

    /// The line `write` would print at time `now` (without the newline).
    [[nodiscard]] std::string format(LogLevel level, std::string_view component,
                                     std::initializer_list<Field> fields,
                                     std::chrono::system_clock::time_point now) const;

private:
    LogLevel level_;
    LogFormat format_;
    LogStream stream_;
};

} // namespace vipd::cli
