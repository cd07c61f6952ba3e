// Pure parser for HAProxy's CSV statistics (`show stat` on the stats socket, or the stats page
// with ";csv") and evaluation of references to it: `b:BACKEND`, `f:FRONTEND`, `s:BACKEND/SERVER`.
// Columns are located by the "# pxname,svname,..." header, so field order changes between HAProxy
// versions do not matter (HAProxy management guide §9.1). No I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "health/outcome.hpp"

namespace vipd::health {

/// Column "type": 0 frontend, 1 backend, 2 server, 3 listener.
enum class ProxyType { frontend, backend, server, listener };

/// One CSV line, reduced to the fields health checks use.
struct StatRow
{
    std::string proxy; ///< pxname
    std::string name;  ///< svname: FRONTEND, BACKEND or the server name
    ProxyType type = ProxyType::server;
    std::string status; ///< "UP", "DOWN 1/2", "MAINT", "DRAIN", "no check", "OPEN", ...
    unsigned weight = 0;
    unsigned active = 0;      ///< backend: active servers usable; server: 1 if active
    unsigned backup = 0;      ///< backend: backup servers usable; server: 1 if backup
    std::string check_status; ///< "L4CON", "L7OK", ... (without the "* " of a running check)
    std::string last_check;   ///< last_chk: "Connection refused", ...
    bool operator==(const StatRow&) const = default;
};

using StatTable = std::vector<StatRow>;

/// Parse CSV stats. Errors: missing header (e.g. "Permission denied" from a socket without
/// the right level), a required column missing, a line with too few fields (names the line).
[[nodiscard]] tl::expected<StatTable, std::string> parse_stat_csv(std::string_view text);

/// Map a server "status" column to a probe status: UP* / "no check" -> up, MAINT* -> maint,
/// DRAIN* / NOLB* -> drain, anything else (DOWN*, unknown) -> down.
[[nodiscard]] Status server_status(std::string_view status);

/// A reference to HAProxy's view of one proxy or server.
struct HaproxyRef
{
    enum class Kind { backend, frontend, server };
    Kind kind = Kind::backend;
    std::string proxy;
    std::string server; ///< only for Kind::server
    bool operator==(const HaproxyRef&) const = default;
};

/// Parse "b:NAME", "f:NAME" or "s:BACKEND/SERVER".
[[nodiscard]] tl::expected<HaproxyRef, std::string> parse_ref(std::string_view text);

/// "b:NAME" etc. (inverse of parse_ref).
[[nodiscard]] std::string to_string(const HaproxyRef& ref);

/// HAProxy's verdict on `ref` as an Outcome (took = 0):
///   backend UP -> up, otherwise down: "backend be_app DOWN (0/3 servers up)";
///   frontend OPEN/FULL -> up, PAUSED -> maint, STOP -> down;
///   server per server_status(): "server be_app/web1 DOWN (L4CON Connection refused)";
///   absent -> down: "no backend \"be_x\"".
[[nodiscard]] Outcome evaluate(const StatTable& table, const HaproxyRef& ref);

} // namespace vipd::health
