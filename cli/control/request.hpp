// vipctl's command lines turned into control requests (docs/vipctl.md): subcommand options,
// prefix files, and client-side validation of prefixes, communities and numbers, so mistakes
// are reported (exit status 2) before the daemon is asked.
// Must not: connect to the daemon or print anything.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "cli/control/registry.hpp"

namespace vipd::cli {

/// vipctl's words after option scanning: positional words and options (flags map to "").
struct Words
{
    std::vector<std::string> positional;
    std::multimap<std::string, std::string> options;

    [[nodiscard]] bool has(const std::string& name) const { return options.contains(name); }
    /// Every value of option `name`, in command-line order.
    [[nodiscard]] std::vector<std::string> all(const std::string& name) const;
};

/// A request ready to send.
struct ControlRequest
{
    std::string command;
    nlohmann::json args = nlohmann::json::object();
    /// The reply may take as long as the operation (drain --wait): no default timeout.
    bool unbounded = false;
    /// Renders the reply instead of the row's renderer (a vipctl-side option such as
    /// `status --check`); null: the row's.
    RenderFn render = nullptr;
};

/// Builds the request of `vipctl COMMAND ARGS…` (global options already removed) with the
/// command's registry row: its options, then its builder. `in` is read for `--file -`. The
/// error text is printed after "vipctl COMMAND: ".
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

// The registry rows' builders (registry.hpp, BuildFn). Each checks the positional words its
// command takes and converts the options into request arguments.

/// Commands without arguments: no positional word.
[[nodiscard]] tl::expected<void, std::string> build_no_args(const Words& w, std::istream& in,
                                                            ControlRequest& req);
/// watch: no positional word; no default timeout (the stream lasts until interrupted).
[[nodiscard]] tl::expected<void, std::string> build_watch(const Words& w, std::istream& in,
                                                          ControlRequest& req);
/// routes [--neighbor NAME].
[[nodiscard]] tl::expected<void, std::string> build_routes(const Words& w, std::istream& in,
                                                           ControlRequest& req);
/// announce PREFIX… | --file FILE, with the attribute options.
[[nodiscard]] tl::expected<void, std::string> build_announce(const Words& w, std::istream& in,
                                                             ControlRequest& req);
/// withdraw PREFIX… | --file FILE.
[[nodiscard]] tl::expected<void, std::string> build_withdraw(const Words& w, std::istream& in,
                                                             ControlRequest& req);
/// drain|undrain VIP | --all [--wait].
[[nodiscard]] tl::expected<void, std::string> build_drain(const Words& w, std::istream& in,
                                                          ControlRequest& req);
/// disable|enable|check-now CHECK.
[[nodiscard]] tl::expected<void, std::string> build_check(const Words& w, std::istream& in,
                                                          ControlRequest& req);
/// neighbors [NAME].
[[nodiscard]] tl::expected<void, std::string> build_neighbors(const Words& w, std::istream& in,
                                                              ControlRequest& req);
/// neighbor NAME reset|disable [--message TEXT]|enable|refresh.
[[nodiscard]] tl::expected<void, std::string> build_neighbor(const Words& w, std::istream& in,
                                                             ControlRequest& req);
/// explain VIP.
[[nodiscard]] tl::expected<void, std::string> build_explain(const Words& w, std::istream& in,
                                                            ControlRequest& req);

} // namespace vipd::cli
