// vipctl control subcommands (see commands.hpp): request, call, render, exit status.
#include "cli/vipctl/commands.hpp"

#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "bgp/suggest.hpp"
#include "cli/control/client.hpp"
#include "cli/control/registry.hpp"
#include "cli/control/render.hpp"
#include "cli/control/request.hpp"
#include "cli/control/table.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

/// The value of an option given as "--name VALUE" or "--name=VALUE" (or "-s VALUE").
/// Returns the words taken, 0 if `arg` is not this option.
std::size_t option_value(const std::vector<std::string>& args, std::size_t i,
                         std::string_view long_name, std::string_view short_name,
                         std::string& value, std::string& error)
{
    const std::string& a = args[i];
    if (a.starts_with(long_name) && a.size() > long_name.size() && a[long_name.size()] == '=') {
        value = a.substr(long_name.size() + 1);
        return 1;
    }
    if (a != long_name && (short_name.empty() || a != short_name))
        return 0;
    if (i + 1 >= args.size()) {
        error = a + " needs a value";
        return 0;
    }
    value = args[i + 1];
    return 2;
}

/// Daemon error text for the terminal: control characters escaped, line breaks kept.
std::string safe_lines(std::string_view text)
{
    std::string out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out += terminal_safe(text.substr(0, nl)) + "\n";
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return out;
}

/// After `watch` was accepted: one line per event until the daemon closes the connection.
/// Exit status 1 when the daemon dropped this watcher, 3 when the connection ends otherwise.
int follow_stream(ControlClient& client, const VipctlOptions& opts, const std::string& who,
                  std::ostream& out, std::ostream& err)
{
    for (;;) {
        auto event = client.read_reply(std::nullopt);
        if (!event) {
            err << who << ": " << event.error().message << '\n';
            return exit_unreachable;
        }
        const bool dropped = event->value("event", "") == "dropped";
        if (opts.json)
            out << event->dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
        else
            (dropped ? err : out) << render_event(*event) << std::endl;
        if (dropped)
            return exit_refused;
    }
}

} // namespace

std::string unknown_command(std::string_view name)
{
    std::vector<std::string_view> known{"decode", "help"};
    for (const auto& c : command_registry())
        known.push_back(c.name);
    return "unknown command '" + terminal_safe(name) + "'" + bgp::did_you_mean(name, known);
}

std::size_t take_global_option(const std::vector<std::string>& args, std::size_t i,
                               VipctlOptions& opts, std::string& error)
{
    if (args[i] == "--json") {
        opts.json = true;
        return 1;
    }
    std::string value;
    if (auto n = option_value(args, i, "--socket", "-s", value, error); n > 0) {
        if (value.empty()) {
            error = "the socket path is empty";
            return 0;
        }
        opts.socket = value;
        return n;
    }
    if (auto n = option_value(args, i, "--timeout", "", value, error); n > 0) {
        const auto seconds = parse_timeout(value);
        if (!seconds) {
            error = "--timeout: \"" + value + "\" is not a number of seconds 0..86400";
            return 0;
        }
        opts.timeout_seconds = seconds;
        return n;
    }
    return 0;
}

std::optional<std::string> take_global_options(std::vector<std::string>& args, VipctlOptions& opts)
{
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size();) {
        if (args[i] == "--") {
            rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        std::string error;
        const std::size_t taken = take_global_option(args, i, opts, error);
        if (!error.empty())
            return error;
        if (taken == 0)
            rest.push_back(args[i++]);
        else
            i += taken;
    }
    args = std::move(rest);
    return std::nullopt;
}

int run_control(const VipctlOptions& opts, std::string_view command,
                const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                std::ostream& err)
{
    const CommandSpec* spec = find_command(command);
    const std::string who = "vipctl " + std::string(command);
    if (!spec) {
        err << "vipctl: " << unknown_command(command) << '\n';
        return exit_usage;
    }
    for (const auto& a : args) {
        if (a == "--")
            break;
        if (a == "-h" || a == "--help") {
            out << spec->usage;
            return exit_ok;
        }
    }
    auto request = build_request(command, args, in);
    if (!request) {
        err << who << ": " << request.error() << "\nRun '" << who << " --help' for usage.\n";
        return exit_usage;
    }
    using Clock = std::chrono::steady_clock;
    const double seconds =
        opts.timeout_seconds.value_or(request->unbounded ? 0.0 : default_timeout_seconds);
    ControlClient::Deadline deadline;
    if (seconds > 0)
        deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(seconds));
    if (command == "version" && !opts.json)
        out << "vipctl " << VIPD_VERSION << std::endl;
    auto client = ControlClient::connect(opts.socket, deadline);
    if (!client) {
        err << who << ": " << client.error().message << '\n';
        return exit_unreachable;
    }
    auto reply = client->call(request->command, request->args, deadline);
    if (!reply) {
        err << who << ": " << reply.error().message << '\n';
        return exit_unreachable;
    }
    const bool ok = reply->value("ok", false);
    const Rendered rendered = !ok               ? Rendered{}
                              : request->render ? request->render(command, *reply)
                                                : render_reply(command, *reply);
    if (ok && spec->stream)
        return follow_stream(*client, opts, who, out, err);
    if (opts.json) {
        out << reply->dump(2, ' ', false, json::error_handler_t::replace) << '\n';
        return ok ? rendered.status : exit_refused;
    }
    if (!ok) {
        const auto e = reply->find("error");
        err << who << ": "
            << safe_lines(e != reply->end() && e->is_string()
                              ? e->get<std::string>()
                              : "the daemon refused without saying why");
        return exit_refused;
    }
    out << rendered.text;
    err << rendered.warning;
    return rendered.status;
}

} // namespace vipd::cli
