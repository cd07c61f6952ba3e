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

/// Renders the reply of `command` whose "ok" is true with its registry row's renderer; the
/// reply as JSON for a command no row names.
[[nodiscard]] Rendered render_reply(std::string_view command, const nlohmann::json& reply);

// The registry rows' renderers (registry.hpp, RenderFn), one per reply shape.

/// status: version, then the neighbors, VIPs and checks tables.
[[nodiscard]] Rendered render_status(std::string_view command, const nlohmann::json& reply);
/// neighbors: the detailed table and each neighbor's last error and NOTIFICATIONs.
[[nodiscard]] Rendered render_neighbors(std::string_view command, const nlohmann::json& reply);
/// neighbor NAME reset: one line naming the neighbor and what was done.
[[nodiscard]] Rendered render_neighbor(std::string_view command, const nlohmann::json& reply);
/// checks: the checks table.
[[nodiscard]] Rendered render_checks(std::string_view command, const nlohmann::json& reply);
/// routes: one row per route and neighbor.
[[nodiscard]] Rendered render_routes(std::string_view command, const nlohmann::json& reply);
/// announce/withdraw: one line per neighbor; status 1 when an established one was missed.
[[nodiscard]] Rendered render_results(std::string_view command, const nlohmann::json& reply);
/// drain/undrain: the VIPs, and with --wait the per-neighbor results.
[[nodiscard]] Rendered render_drain(std::string_view command, const nlohmann::json& reply);
/// disable/enable/check-now: the check as a one-row table.
[[nodiscard]] Rendered render_check(std::string_view command, const nlohmann::json& reply);
/// explain: the rule tree, decision, attributes and damping.
[[nodiscard]] Rendered render_explain(std::string_view command, const nlohmann::json& reply);
/// reload: the configuration's changes.
[[nodiscard]] Rendered render_reload(std::string_view command, const nlohmann::json& reply);
/// version: the daemon's version.
[[nodiscard]] Rendered render_version(std::string_view command, const nlohmann::json& reply);

/// watch: the reply that starts the stream (nothing to show).
[[nodiscard]] Rendered render_watch(std::string_view command, const nlohmann::json& reply);
/// One event line of `watch`: "2026-12-07T14:30:01.123Z vip web withdrawn -> announced (rule
/// up)", or for {"event":"dropped"} the reason; never ends in a newline.
[[nodiscard]] std::string render_event(const nlohmann::json& event);

/// "3d04h", "4h05m", "5m03s", "42s" for a number of seconds; "-" for null.
[[nodiscard]] std::string format_uptime(const nlohmann::json& seconds);

} // namespace vipd::cli
