// vipctl: the command-line tool for vipd (docs/vipctl.md). Global options, then one
// subcommand: `decode` (offline, cli/vipctl/decode.cpp) or a control command sent to the
// running daemon over its socket (cli/vipctl/commands.cpp; the commands are the rows of
// cli/control/registry.cpp).
// Must not: hold logic of its own beyond option parsing, dispatch, help and version.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/control/registry.hpp"
#include "cli/control/request.hpp"
#include "cli/vipctl/commands.hpp"
#include "cli/vipctl/completion.hpp"
#include "cli/vipctl/decode.hpp"

namespace {

using namespace vipd::cli;

void usage(std::ostream& out)
{
    out << "Usage: vipctl [-s SOCKET] [--json] [--timeout SECONDS] <command> [options]\n\n"
           "Commands:\n";
    constexpr std::size_t name_width = 11;
    for (const auto& c : command_registry())
        out << "  " << c.name << std::string(name_width - c.name.size(), ' ') << c.summary << '\n';
    out << "  decode" << std::string(name_width - 6, ' ') << decode_summary << '\n';
    out << "  completion " << completion_summary << '\n';
    out << R"(
Options:
  -s, --socket PATH    control socket (default $VIPD_SOCKET, else /run/vipd/vipd.sock)
  --json               print the daemon's reply as JSON instead of tables
  --timeout SECONDS    give up waiting for a reply after SECONDS (default 30; 0: none;
                       drain --wait has no default limit)
  -h, --help           this help; 'vipctl <command> --help' for a command's options
  --version            print vipctl's version

Exit status: 0 success; 1 the daemon refused (or announce/withdraw missed an established
neighbor); 2 usage error; 3 cannot reach the daemon (connect, lost connection, timeout).

Examples:
  vipctl status
  vipctl explain web
  vipctl drain web --wait
  vipctl -s /tmp/vipd.sock --json checks
  vipctl announce --file prefixes.txt --community 65000:100
  vipctl decode ffffffffffffffffffffffffffffffff 0013 04     # a KEEPALIVE
  vipctl decode --add-path ipv4,ipv6 < update.hex             # hex text on stdin
)";
}

int run_decode_safely(const std::vector<std::string>& args)
{
    try {
        return run_decode(args, std::cin, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "vipctl decode: " << e.what() << '\n';
        return exit_refused;
    }
}

/// `vipctl help [COMMAND]`: the command's usage, or the whole usage.
int run_help(const std::vector<std::string>& args)
{
    const auto* c = args.empty() ? nullptr : find_command(args.front());
    if (!args.empty() && args.front() == "decode")
        std::cout << decode_usage();
    else if (!args.empty() && args.front() == "completion")
        std::cout << completion_usage();
    else if (c)
        std::cout << c->usage;
    else
        usage(std::cout);
    return exit_ok;
}

} // namespace

int main(int argc, char** argv)
{
    std::ios::sync_with_stdio(false);
    const std::vector<std::string> all(argv + 1, argv + argc);
    VipctlOptions opts;
    if (const char* env = std::getenv("VIPD_SOCKET"); env && *env)
        opts.socket = env;
    std::size_t i = 0;
    while (i < all.size() && all[i].size() > 1 && all[i][0] == '-') {
        const std::string& a = all[i];
        if (a == "-h" || a == "--help") {
            usage(std::cout);
            return exit_ok;
        }
        if (a == "--version") {
            std::cout << "vipctl " << VIPD_VERSION << '\n';
            return exit_ok;
        }
        std::string error;
        const std::size_t taken = take_global_option(all, i, opts, error);
        if (taken == 0) {
            std::cerr << "vipctl: " << (error.empty() ? "unknown option " + a : error)
                      << "\nRun 'vipctl --help' for usage.\n";
            return exit_usage;
        }
        i += taken;
    }
    if (i == all.size()) {
        usage(std::cerr);
        return exit_usage;
    }
    const std::string& name = all[i];
    std::vector<std::string> args(all.begin() + static_cast<std::ptrdiff_t>(i) + 1, all.end());
    if (name == "help")
        return run_help(args);
    if (name == "decode")
        return run_decode_safely(args);
    if (name == "completion")
        return run_completion(args, std::cout, std::cerr);
    if (find_command(name)) {
        if (auto error = take_global_options(args, opts)) {
            std::cerr << "vipctl " << name << ": " << *error << '\n';
            return exit_usage;
        }
        try {
            return run_control(opts, name, args, std::cin, std::cout, std::cerr);
        } catch (const std::exception& e) {
            std::cerr << "vipctl " << name << ": " << e.what() << '\n';
            return exit_refused;
        }
    }
    std::cerr << "vipctl: " << unknown_command(name) << "\n\n";
    usage(std::cerr);
    return exit_usage;
}
