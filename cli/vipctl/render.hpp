// vipctl's readable output: control replies (docs/control-protocol.md) rendered as tables,
// the explain tree and one-line summaries. Tolerant of missing or extra fields (an older or
// newer daemon): a missing value prints as "-".
// Must not: do I/O or decide anything the exit status does not need.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vipd::cli {

/// Output of one successful reply and the exit status it implies.
struct Rendered
{
    std::string text;    ///< for stdout
    std::string warning; ///< for stderr; empty if none
    int status = 0;      ///< 0, or 1 when announce/withdraw missed an established neighbor
};

/// Renders the reply of `command` whose "ok" is true.
[[nodiscard]] Rendered render_reply(std::string_view command, const nlohmann::json& reply);

/// "3d04h", "4h05m", "5m03s", "42s" for a number of seconds; "-" for null.
[[nodiscard]] std::string format_uptime(const nlohmann::json& seconds);

} // namespace vipd::cli
