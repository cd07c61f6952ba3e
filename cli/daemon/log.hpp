// The daemon's one log sink (STYLE §9): one line per event on stderr, `level component key=value`
// (values with spaces or quotes are quoted), or one JSON object per line with --log-format json.
// journald adds the time; the text form carries none. Not thread-safe (one event loop).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "cli/config/config.hpp"

namespace vipd::cli {

class Log
{
public:
    using Field = std::pair<std::string_view, std::string>;

    Log(LogLevel level = LogLevel::info, LogFormat format = LogFormat::text)
        : level_(level), format_(format)
    {}
    void configure(LogLevel level, LogFormat format)
    {
        level_ = level;
        format_ = format;
    }
    [[nodiscard]] bool enabled(LogLevel l) const { return l >= level_; }

    /// One event: `component` (e.g. "bgp", "health", "vip", "config", "control") and fields.
    void write(LogLevel level, std::string_view component, std::initializer_list<Field> fields);

    /// The line `write` would print (without the newline), for tests.
    [[nodiscard]] std::string format(LogLevel level, std::string_view component,
                                     std::initializer_list<Field> fields) const;

private:
    LogLevel level_;
    LogFormat format_;
};

} // namespace vipd::cli
