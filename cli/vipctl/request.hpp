// vipctl's command lines turned into control requests (docs/vipctl.md): subcommand options,
// prefix files, and client-side validation of prefixes, communities and numbers, so mistakes
// are reported (exit status 2) before the daemon is asked.
// Must not: connect to the daemon or print anything.
#pragma once

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace vipd::cli {

/// A control subcommand of vipctl: name, one-line summary and full --help text.
struct VipctlCommand
{
    std::string_view name;
    std::string_view summary;
    std::string_view usage;
};

/// The control subcommands (decode is separate), in the order of the documentation.
[[nodiscard]] std::span<const VipctlCommand> vipctl_commands();
[[nodiscard]] const VipctlCommand* find_vipctl_command(std::string_view name);

/// A request ready to send.
struct ControlRequest
{
    std::string command;
    nlohmann::json args = nlohmann::json::object();
    /// The reply may take as long as the operation (drain --wait): no default timeout.
    bool unbounded = false;
};

/// Builds the request of `vipctl COMMAND ARGS…` (global options already removed). `in` is
/// read for `--file -`. The error text is printed after "vipctl COMMAND: ".
[[nodiscard]] tl::expected<ControlRequest, std::string>
build_request(std::string_view command, const std::vector<std::string>& args, std::istream& in);

/// Prefixes of a prefix-list text: one per line, '#' starts a comment, blank lines are
/// skipped; returned in canonical form ("192.0.2.10" becomes "192.0.2.10/32"). Errors name
/// the source and line: "prefixes.txt:17: \"10.0.0.1/33\": prefix length 33 exceeds 32".
[[nodiscard]] tl::expected<std::vector<std::string>, std::string>
parse_prefix_list(std::string_view text, std::string_view source);

/// Seconds as given to --timeout ("10", "0.5"; 0 means no limit); nullopt if not a number
/// of seconds 0..86400.
[[nodiscard]] std::optional<double> parse_timeout(std::string_view text);

} // namespace vipd::cli
