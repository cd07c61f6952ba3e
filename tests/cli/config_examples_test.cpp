// Every shipped example parses, and the effective configuration printed by --check-config
// parses back to the same configuration (secrets and the RHI file name aside).
#include <catch2/catch.hpp>

#include "cli/config/config.hpp"
#include "helpers/test_data.hpp"

namespace {

const std::filesystem::path examples = std::filesystem::path(VIPD_SOURCE_DIR) / "examples";

vipd::cli::Config load(const std::filesystem::path& path)
{
    auto r = vipd::cli::load_config(path);
    if (!r) {
        for (const auto& e : r.error())
            UNSCOPED_INFO(to_string(e));
    }
    REQUIRE(r);
    return *r;
}

} // namespace

TEST_CASE("every example configuration is valid and round-trips", "[config]")
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(examples)) {
        if (entry.path().extension() == ".json")
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    CHECK(files.size() == 10);
    for (const auto& file : files) {
        CAPTURE(file.filename().string());
        vipd::cli::Config c = load(file);
        const std::string printed = vipd::cli::to_json(c).dump(2);
        auto again = vipd::cli::parse_config(printed, "printed.json", examples);
        if (!again) {
            for (const auto& e : again.error())
                UNSCOPED_INFO(to_string(e));
        }
        REQUIRE(again);
        for (auto& n : c.neighbors) {
            if (!n.md5_password.empty())
                n.md5_password = "<redacted>";
        }
        for (auto& check : c.checks) {
            if (auto* http = std::get_if<vipd::health::HttpCheckConfig>(&check.probe)) {
                for (auto& h : http->target.headers)
                    h.value = "<redacted>";
            }
        }
        for (auto& hook : c.hooks) {
            for (auto& entry : hook.env)
                entry = entry.substr(0, entry.find('=')) + "=<redacted>";
        }
        c.global.rhi_file.clear();
        CHECK(*again == c);
    }
}

TEST_CASE("the demo peers with BIRD on loopback and follows one HTTP check", "[config]")
{
    const auto c = load(examples / "demo.json");
    REQUIRE(c.neighbors.size() == 1);
    CHECK(c.neighbors[0].address.to_string() == "127.0.0.1");
    CHECK(c.neighbors[0].port == 17917);
    CHECK(c.neighbors[0].local_address->to_string() == "127.0.0.2");
    REQUIRE(c.checks.size() == 1);
    const auto& http = std::get<vipd::health::HttpCheckConfig>(c.checks[0].probe);
    CHECK(http.target.address == "127.0.0.1");
    CHECK(http.target.port == 8080);
    REQUIRE(c.vips.size() == 1);
    CHECK(c.vips[0].prefixes[0].to_string() == "192.0.2.10/32");
    CHECK(vipd::announce::to_string(c.vips[0].rule) == "web");
}

TEST_CASE("the active/active example brings its ALOHA RHI rules along", "[config]")
{
    const auto c = load(examples / "active-active.json");
    REQUIRE(c.vips.size() == 3);
    CHECK(vipd::announce::to_string(c.vips[0].rule) == "all(lb%b:be_static, lb%b:be_app)");
    CHECK(c.vips[1].name.starts_with("rhi-"));
    CHECK(c.vips[2].prefixes.size() == 2);
    CHECK(c.references.size() == 4);
}

TEST_CASE("the active/passive pair differs in MED and in what happens when down", "[config]")
{
    const auto primary = load(examples / "active-passive-primary.json");
    const auto backup = load(examples / "active-passive-backup.json");
    CHECK(primary.vips[0].up.med == 300u);
    CHECK(backup.vips[0].up.med == 400u);
    CHECK(primary.vips[0].when_down == vipd::announce::DownAction::degrade);
    CHECK(primary.vips[0].degraded.med > *backup.vips[0].up.med);
    CHECK(backup.vips[0].when_down == vipd::announce::DownAction::withdraw);
    CHECK(primary.vips[0].prefixes == backup.vips[0].prefixes);
}
