// The `vipd` command line: options (-c FILE, --check-config [FILE] [--print], --help, --version)
// and the
// --check-config action, kept out of vipd_main.cpp so that they are tested as functions.
// Must not: start the daemon (vipd_main.cpp does, through the daemon module).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace vipd::cli {

/// Where the daemon looks for its configuration when -c is not given.
inline constexpr std::string_view default_config_path = "/etc/vipd/vipd.json";

struct VipdOptions
{
    enum class Mode { run, help, version, check_config };
    Mode mode = Mode::run;
    std::filesystem::path config{std::string(default_config_path)};
    bool print = false; ///< --print: --check-config prints the effective configuration
    bool operator==(const VipdOptions&) const = default;
};

/// Parses the arguments after the program name. Errors: unknown option, missing FILE.
[[nodiscard]] tl::expected<VipdOptions, std::string>
parse_vipd_options(const std::vector<std::string_view>& args);

/// The --help text.
[[nodiscard]] std::string vipd_usage();

/// --check-config: on success one line on `out` ("FILE: OK: 2 neighbors, 3 checks, 2 VIPs"),
/// or with `print` (--print) the effective configuration as JSON, exit status 0; otherwise one
/// line per error on `err` ("FILE:LINE:COLUMN: /POINTER: message"), status 1.
[[nodiscard]] int check_config(const std::filesystem::path& path, std::ostream& out,
                               std::ostream& err, bool print = false);

} // namespace vipd::cli
