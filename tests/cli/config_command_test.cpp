// `vipd` options and --check-config output and exit status.
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/config/command.hpp"
#include "helpers/test_data.hpp"

using vipd::cli::parse_vipd_options;
using vipd::cli::VipdOptions;

TEST_CASE("vipd options", "[config]")
{
    CHECK(parse_vipd_options({})->mode == VipdOptions::Mode::run);
    CHECK(parse_vipd_options({})->config == "/etc/vipd/vipd.json");
    CHECK(parse_vipd_options({"-c", "x.json"})->config == "x.json");
    CHECK(parse_vipd_options({"--config=y.json"})->config == "y.json");
    CHECK(*parse_vipd_options({"--check-config", "z.json"}) ==
          VipdOptions{VipdOptions::Mode::check_config, "z.json", false});
    CHECK(*parse_vipd_options({"-c", "a.json", "--check-config"}) ==
          VipdOptions{VipdOptions::Mode::check_config, "a.json", false});
    CHECK(*parse_vipd_options({"--check-config", "z.json", "--print"}) ==
          VipdOptions{VipdOptions::Mode::check_config, "z.json", true});
    CHECK(*parse_vipd_options({"--print", "--check-config"}) ==
          VipdOptions{VipdOptions::Mode::check_config, "/etc/vipd/vipd.json", true});
    CHECK(parse_vipd_options({"--print"}).error() == "--print goes with --check-config");
    CHECK(parse_vipd_options({"--help"})->mode == VipdOptions::Mode::help);
    CHECK(parse_vipd_options({"-V"})->mode == VipdOptions::Mode::version);
    CHECK(parse_vipd_options({"-c"}).error() == "-c needs a FILE");
    CHECK(parse_vipd_options({"--chek-config"}).error() == "unknown option \"--chek-config\"");
    CHECK(vipd::cli::vipd_usage().find("--check-config") != std::string::npos);
    // Points at the installed documentation (package_test.sh checks the files are there).
    CHECK(vipd::cli::vipd_usage().find("/share/doc/vipd/ (configuration.md") != std::string::npos);
    CHECK(vipd::cli::vipd_usage().find("vipd(8) and vipctl(1)") != std::string::npos);
}

TEST_CASE("check-config prints one line", "[config]")
{
    std::ostringstream out;
    std::ostringstream err;
    const auto path = std::filesystem::path(VIPD_SOURCE_DIR) / "examples" / "two-routers.json";
    CHECK(vipd::cli::check_config(path, out, err) == 0);
    CHECK(err.str().empty());
    CHECK(out.str() == path.string() + ": OK: 2 neighbors, 2 checks, 1 VIP\n");
}

TEST_CASE("check-config --print prints the effective configuration", "[config]")
{
    std::ostringstream out;
    std::ostringstream err;
    const auto path = std::filesystem::path(VIPD_SOURCE_DIR) / "examples" / "two-routers.json";
    CHECK(vipd::cli::check_config(path, out, err, true) == 0);
    CHECK(err.str().empty());
    const auto printed = nlohmann::json::parse(out.str());
    CHECK(printed["global"]["state-dir"] == "/var/lib/vipd");       // a default, filled in
    CHECK(printed["neighbors"][0]["md5-password"] == "<redacted>"); // never printed
    CHECK(printed["neighbors"][0]["connect-retry"] == "5s");
    CHECK(printed["vips"][0]["rule"] == "all(api, maintenance)");
}

TEST_CASE("check-config never prints a secret", "[config]")
{
    std::ostringstream out;
    std::ostringstream err;
    CHECK(vipd::cli::check_config(vipd::test::data_path("config/secrets.json"), out, err, true) ==
          0);
    const std::string text = out.str();
    for (const char* secret :
         {"md5-secret", "basic-secret", "header-secret", "key-secret", "env-secret"}) {
        CAPTURE(secret);
        CHECK(text.find(secret) == std::string::npos);
    }
    const auto printed = nlohmann::json::parse(text);
    CHECK(printed["neighbors"][0]["md5-password"] == "<redacted>");
    CHECK(printed["checks"]["api"]["password"] == "<redacted>");
    CHECK(printed["checks"]["api"]["username"] == "probe"); // not a secret
    CHECK(printed["checks"]["api"]["headers"] ==
          nlohmann::json{{"Authorization", "<redacted>"}, {"X-Api-Key", "<redacted>"}});
    CHECK(printed["checks"]["script"]["env"] == nlohmann::json{{"DB_PASSWORD", "<redacted>"}});
}

TEST_CASE("check-config reports every error and exits 1", "[config]")
{
    std::ostringstream out;
    std::ostringstream err;
    const auto path = vipd::test::data_path("config/invalid/typo-and-range.json");
    CHECK(vipd::cli::check_config(path, out, err) == 1);
    CHECK(out.str().empty());
    CHECK(err.str() == path.string() +
                           ":11:26: /neighbors/0/hold-time: expected 0 or 3..65535, got 2\n" +
                           path.string() +
                           ":15:67: /checks/web: unknown key \"intervall\" (did you mean "
                           "\"interval\"?)\n");
    std::ostringstream none;
    CHECK(vipd::cli::check_config("/nonexistent/vipd.json", out, none) == 1);
    CHECK(none.str() == "/nonexistent/vipd.json: cannot read: No such file or directory\n");
}
