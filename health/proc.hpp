// Pure parsers for what the process check reads from the kernel and the service: a pidfile's
// text, /proc/PID/cmdline (NUL-separated arguments) and /proc/PID/stat. No I/O, no clock: the
// process check (process_check.cpp) reads the files and hands their bytes here.
// proc(5) documents the formats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace vipd::health {

/// Largest pid Linux hands out (PID_MAX_LIMIT, 2^22 on 64-bit kernels).
inline constexpr long pid_max_limit = 4194304;

/// The pid a pidfile names: decimal digits with optional surrounding white space (the usual
/// trailing newline), 1..pid_max_limit. Errors: "is empty", "does not hold a pid (\"x\")".
[[nodiscard]] tl::expected<int, std::string> parse_pidfile(std::string_view text);

/// The words of a "cmdline" pattern, split on spaces and tabs (runs collapse). Empty: no words.
[[nodiscard]] std::vector<std::string> cmdline_words(std::string_view pattern);

/// The arguments of /proc/PID/cmdline bytes: split on NUL (a trailing NUL ends the last one).
/// A process that rewrote its command line into one argument with spaces ("nginx: master
/// process /usr/sbin/nginx") is split on its spaces instead. Empty (kernel thread, zombie): none.
[[nodiscard]] std::vector<std::string_view> cmdline_args(std::string_view raw);

/// Whether a process runs the pattern: its first argument equals the first word or has it as
/// its file name after the last '/' ("haproxy" matches "/usr/sbin/haproxy"), and each further
/// word equals the argument at the same position. Fewer arguments than words: no match.
/// No words: no match.
[[nodiscard]] bool cmdline_matches(const std::vector<std::string>& words, std::string_view raw);

/// The start time (field 22, clock ticks since boot) in /proc/PID/stat text; fields are
/// counted after the last ')' since the command name (field 2) may hold spaces and parentheses.
[[nodiscard]] std::optional<std::uint64_t> parse_start_time(std::string_view stat);

} // namespace vipd::health
