// `vipctl status --check`: one verdict over the status reply, for monitoring (Nagios-style
// exit status, one line on stdout). What is expected (docs/vipctl.md, "status --check"):
//   - a neighbor is Established, unless the daemon reports it disabled by the operator;
//   - a VIP is announced, unless the operator drained it (draining, drained) or its rule is
//     never() (withdrawn or degraded by configuration); waiting, withdrawn, degraded and
//     held-down are problems.
// Health checks are judged through the VIPs that use them.
// Must not: do I/O; it reads the reply only (tolerant of missing fields, like render).
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "cli/control/render.hpp"
#include "cli/control/request.hpp"

namespace vipd::cli {

/// Exit status of `status --check` when something is not as expected (Nagios CRITICAL; the
/// same number as a usage error, told apart by the "CRITICAL:" line on stdout).
inline constexpr int status_check_critical = 2;

/// The verdict: `ok`, and the line that says why ("OK: 2 neighbors Established, 3 VIPs as
/// expected" or "CRITICAL: neighbor r1 is Active; VIP web is withdrawn (api down)").
struct StatusVerdict
{
    bool ok = true;
    std::string line;
};

/// Judges a status reply (docs/control-protocol.md, "status").
[[nodiscard]] StatusVerdict check_status(const nlohmann::json& reply);

/// The builder of the status row (registry.hpp, BuildFn): no positional word; --check selects
/// render_status_check (nothing is sent for it: the daemon's reply is the same).
[[nodiscard]] tl::expected<void, std::string> build_status(const Words& w, std::istream& in,
                                                           ControlRequest& req);

/// The renderer of `status --check` (registry.hpp, RenderFn): the verdict's line; status 0 or
/// status_check_critical.
[[nodiscard]] Rendered render_status_check(std::string_view command, const nlohmann::json& reply);

} // namespace vipd::cli
