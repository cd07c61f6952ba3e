// vipctl's control subcommands end to end: build the request from the command line, send it
// over the control socket, print the reply as tables (or raw with --json) and choose the exit
// status. Takes its streams, so the program's main is only option parsing and dispatch.
// Must not: exit the process or read the environment (main passes the socket path).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::cli {

/// vipctl exit statuses (docs/vipctl.md).
inline constexpr int exit_ok = 0;
inline constexpr int exit_refused = 1;     ///< the daemon said no, or a neighbor was not written
inline constexpr int exit_usage = 2;       ///< bad command line or input file
inline constexpr int exit_unreachable = 3; ///< no connection, connection lost, or timeout

/// Socket used without -s and $VIPD_SOCKET.
inline constexpr std::string_view default_socket = "/run/vipd/vipd.sock";
/// Seconds vipctl waits for a reply without --timeout (drain --wait: no limit).
inline constexpr double default_timeout_seconds = 30;

/// Global options of vipctl.
struct VipctlOptions
{
    std::filesystem::path socket{std::string(default_socket)};
    bool json = false;
    std::optional<double> timeout_seconds; ///< as given; 0: no limit
};

/// If args[i] is a global option (-s/--socket, --json, --timeout), applies it to `opts` and
/// returns how many words it took (1 or 2); 0 when it is not one, or on error (then `error`
/// says what is wrong).
[[nodiscard]] std::size_t take_global_option(const std::vector<std::string>& args, std::size_t i,
                                             VipctlOptions& opts, std::string& error);

/// Removes the global options (-s/--socket, --json, --timeout) from a subcommand's arguments
/// (up to a "--") into `opts`. Error text for a bad --timeout or a missing value.
[[nodiscard]] std::optional<std::string> take_global_options(std::vector<std::string>& args,
                                                             VipctlOptions& opts);

/// "unknown command 'statsu' (did you mean \"status\"?)": the suggestion is the closest of
/// the registry's commands, decode and help.
[[nodiscard]] std::string unknown_command(std::string_view name);

/// Runs `vipctl [options] COMMAND ARGS…` for a control command; returns the exit status.
int run_control(const VipctlOptions& opts, std::string_view command,
                const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                std::ostream& err);

} // namespace vipd::cli
