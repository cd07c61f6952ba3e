// `vipd`: the daemon's entry point. Options and actions live in config_command.cpp; this file
// only dispatches on the mode.
#include <iostream>
#include <string_view>
#include <vector>

#include "cli/config/command.hpp"
#include "cli/config/config.hpp"
#include "cli/daemon/daemon.hpp"

int main(int argc, char** argv)
{
    using vipd::cli::VipdOptions;
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto options = vipd::cli::parse_vipd_options(args);
    if (!options) {
        std::cerr << "vipd: " << options.error() << "\nTry 'vipd --help'.\n";
        return 2;
    }
    switch (options->mode) {
    case VipdOptions::Mode::help:
        std::cout << vipd::cli::vipd_usage();
        return 0;
    case VipdOptions::Mode::version:
        std::cout << "vipd " << VIPD_VERSION << '\n';
        return 0;
    case VipdOptions::Mode::check_config:
        return vipd::cli::check_config(options->config, std::cout, std::cerr, options->print);
    case VipdOptions::Mode::run:
        break;
    }
    return vipd::cli::run_daemon(options->config);
}
