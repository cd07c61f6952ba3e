// The drained-VIP set as the daemon persists it in its state directory, so that a drain
// survives a restart: one VIP name per line, '#' comments, blank lines ignored.
// Must not: touch files (the daemon reads and writes them atomically).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace vipd::announce {

/// Where and why a drained-state file is wrong.
struct DrainedError
{
    std::size_t line = 0; ///< 1-based
    std::string message;
    bool operator==(const DrainedError&) const = default;
};

/// "line 3: ..." (the caller prefixes the file name).
[[nodiscard]] std::string to_string(const DrainedError& e);

/// File text: a comment header, then the names sorted, one per line. Names must be valid
/// VIP names (valid_vip_name); the Announcer only produces those.
[[nodiscard]] std::string format_drained(std::vector<std::string> names);

/// The names in the text, sorted and without duplicates. Errors: a line that is not a valid
/// VIP name (after trimming spaces), naming the line.
[[nodiscard]] tl::expected<std::vector<std::string>, DrainedError>
parse_drained(std::string_view text);

} // namespace vipd::announce
