// The control-socket protocol (docs/control-protocol.md): one JSON object per line each way.
// Request {"command": "...", "args": {...}, "id": any}; reply {"ok": true|false, "id": same,
// ...}. This file parses and validates request lines, builds error replies, and gives the daemon
// typed views of validated arguments. Pure: no sockets, no clock, no daemon state.
// Must not: decide anything about routes or checks (the daemon does), or do I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "bgp/attribute.hpp"
#include "bgp/types.hpp"

namespace vipd::cli {

/// Longest request line of every command but announce/withdraw (newline excluded).
inline constexpr std::size_t max_request_bytes = std::size_t{1} << 20; // 1 MiB
/// Longest announce/withdraw line: 100,000 IPv6 prefixes of 43 characters (the longest text
/// "ffff:…:ffff/128" written with quotes and a comma: 4.6 MB) fit three times over.
inline constexpr std::size_t max_bulk_request_bytes = std::size_t{16} << 20; // 16 MiB
/// Deepest nesting of arrays/objects in a request (the "id" is echoed, so it is bounded too).
inline constexpr std::size_t max_request_depth = 32;
/// Most copies of the local AS `announce` may prepend (the configuration's limit).
inline constexpr std::uint8_t max_prepend = 32;

/// Every command, in the order of the documentation.
[[nodiscard]] std::span<const std::string_view> command_names();

/// A validated request. `args` is an object whose members were checked against the command.
struct Request
{
    std::string command;
    nlohmann::json args = nlohmann::json::object();
    std::optional<nlohmann::json> id; ///< absent when the request had none
};

/// Why a line is not a valid request; `id` is known when the line was a JSON object with one.
struct RequestError
{
    std::string message;
    std::optional<nlohmann::json> id;
};

/// Parses and validates one request line (without its newline). Errors name the problem:
/// "request is 2000000 bytes; the limit is 1048576 bytes (16777216 for announce and withdraw)",
/// "malformed JSON: syntax error while parsing object key - …", "unknown command \"stats\"…",
/// "announce: argument \"med\" must be an integer 0..4294967295, got string".
[[nodiscard]] tl::expected<Request, RequestError> parse_request(std::string_view line);

/// Checks `args` (an object) against `command`; the text is the error message.
[[nodiscard]] tl::expected<void, std::string> validate_args(std::string_view command,
                                                            const nlohmann::json& args);

/// {"ok": false, "error": message}.
[[nodiscard]] nlohmann::json error_reply(std::string_view message);

/// The reply as sent: `reply` with "id" set when the request had one. A reply that is not an
/// object with a boolean "ok" (a handler bug) becomes an error reply saying so.
[[nodiscard]] nlohmann::json finish_reply(nlohmann::json reply,
                                          const std::optional<nlohmann::json>& id);

/// One line of the protocol: compact JSON and '\n'. Invalid UTF-8 in strings (check details
/// copied from remote servers) is replaced by U+FFFD rather than failing.
[[nodiscard]] std::string encode_line(const nlohmann::json& message);

/// announce/withdraw arguments, converted, for the daemon (the args it is handed passed
/// parse_request). Each prefix is parsed once; on arguments that are not valid the error is
/// the text validate_args gives.
struct AnnounceArgs
{
    std::vector<bgp::Prefix> prefixes;
    std::optional<std::uint32_t> med;
    std::vector<bgp::Community> communities;
    std::vector<bgp::LargeCommunity> large_communities;
    std::uint8_t prepend = 0;
    std::optional<bgp::Address> next_hop;
    std::vector<std::string> neighbors; ///< empty: every neighbor
};
[[nodiscard]] tl::expected<AnnounceArgs, std::string> announce_args(const nlohmann::json& args);
[[nodiscard]] tl::expected<std::vector<bgp::Prefix>, std::string>
withdraw_args(const nlohmann::json& args);

/// drain/undrain arguments: one VIP or all, and whether to reply only once it is done.
struct DrainArgs
{
    std::optional<std::string> vip; ///< absent: all VIPs
    bool wait = false;
};
[[nodiscard]] tl::expected<DrainArgs, std::string> drain_args(std::string_view command,
                                                              const nlohmann::json& args);

/// announce/withdraw results: "written", or the reason a neighbor was not written. A reason
/// starting with `not_established` means the session is down; the route waits in the
/// Adj-RIB-Out and is sent when it comes up, so it is not a failure of the command.
inline constexpr std::string_view result_written = "written";
inline constexpr std::string_view result_not_established = "not established";

/// True when the result says the UPDATE did not reach an established neighbor.
[[nodiscard]] bool result_is_failure(std::string_view result);

} // namespace vipd::cli
