// `vipd` options and --check-config (see config_command.hpp).
#include "cli/config/command.hpp"

#include <ostream>

#include <fmt/format.h>

#include "cli/config/config.hpp"

namespace vipd::cli {

tl::expected<VipdOptions, std::string> parse_vipd_options(const std::vector<std::string_view>& args)
{
    VipdOptions o;
    bool check = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        const bool has_next = i + 1 < args.size();
        if (a == "-h" || a == "--help") {
            o.mode = VipdOptions::Mode::help;
            return o;
        }
        if (a == "-V" || a == "--version") {
            o.mode = VipdOptions::Mode::version;
            return o;
        }
        if (a == "-c" || a == "--config") {
            if (!has_next)
                return tl::unexpected(fmt::format("{} needs a FILE", a));
            o.config = std::string(args[++i]);
        } else if (a.starts_with("--config=")) {
            o.config = std::string(a.substr(9));
        } else if (a == "--print") {
            o.print = true;
        } else if (a == "--check-config") {
            check = true;
            if (has_next && !args[i + 1].starts_with("-"))
                o.config = std::string(args[++i]);
        } else {
            return tl::unexpected(fmt::format("unknown option \"{}\"", a));
        }
    }
    if (o.config.empty())
        return tl::unexpected(std::string("empty configuration file name"));
    if (o.print && !check)
        return tl::unexpected(std::string("--print goes with --check-config"));
    o.mode = check ? VipdOptions::Mode::check_config : VipdOptions::Mode::run;
    return o;
}

std::string vipd_usage()
{
    return fmt::format(
        "Usage: vipd [-c FILE]\n"
        "       vipd --check-config [FILE] [--print]\n"
        "\n"
        "vipd announces service VIPs over BGP while their health checks pass.\n"
        "\n"
        "  -c, --config FILE      configuration file (default {})\n"
        "      --check-config [FILE]\n"
        "                         validate the configuration: one line \"FILE: OK: ...\" and\n"
        "                         exit 0 when valid, 1 with the errors on stderr\n"
        "      --print            with --check-config: print the configuration with every\n"
        "                         default filled in (JSON) instead of the line\n"
        "  -h, --help             this text\n"
        "  -V, --version          print the version\n"
        "\n"
        "Documentation: {}/ (configuration.md: every setting;\n"
        "getting-started.md, operations.md, troubleshooting.md; examples/), and the\n"
        "manual pages vipd(8) and vipctl(1).\n",
        default_config_path, VIPD_DOCDIR);
}

int check_config(const std::filesystem::path& path, std::ostream& out, std::ostream& err,
                 bool print)
{
    auto config = load_config(path);
    if (!config) {
        for (const auto& e : config.error())
            err << to_string(e) << '\n';
        if (config.error().size() >= max_config_errors)
            err << path.string() << ": too many errors, stopped after " << max_config_errors
                << '\n';
        return 1;
    }
    if (!print) {
        const auto count = [](std::size_t n, std::string_view word) {
            return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
        };
        out << fmt::format(
            "{}: OK: {}, {}, {}\n", path.string(), count(config->neighbors.size(), "neighbor"),
            count(config->checks.size(), "check"), count(config->vips.size(), "VIP"));
        return 0;
    }
    out << to_json(*config).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << '\n';
    return 0;
}

} // namespace vipd::cli
