// `vipctl status --check` (cli/control/status_check.hpp): the verdict over status replies,
// what counts as expected, the one line and the exit status; `--check` selects the renderer.
#include <sstream>

#include <catch2/catch.hpp>

#include "cli/control/request.hpp"
#include "cli/control/status_check.hpp"

using nlohmann::json;
using vipd::cli::check_status;

namespace {

json status_neighbor(std::string name, std::string state)
{
    return {{"name", std::move(name)}, {"state", std::move(state)}};
}

json status_vip(std::string name, std::string state, std::string rule = "web")
{
    return {{"name", std::move(name)},
            {"state", std::move(state)},
            {"rule", std::move(rule)},
            {"reason", "rule down"},
            {"down_leaves", json::array()}};
}

json status_reply(json neighbors, json vips)
{
    return {{"ok", true},
            {"neighbors", std::move(neighbors)},
            {"vips", std::move(vips)},
            {"checks", json::array()}};
}

} // namespace

TEST_CASE("status --check: everything as expected", "[cli][vipctl]")
{
    const auto reply =
        status_reply({status_neighbor("r1", "Established"), status_neighbor("r2", "Established")},
                     {status_vip("web", "announced"), status_vip("api", "drained"),
                      status_vip("old", "withdrawn", "never()")});
    const auto v = check_status(reply);
    CHECK(v.ok);
    CHECK(v.line == "OK: 2 neighbors Established, 3 VIPs as expected");
    const auto r = vipd::cli::render_status_check("status", reply);
    CHECK(r.status == 0);
    CHECK(r.text == v.line + "\n");
}

TEST_CASE("status --check: a neighbor down and a VIP withdrawn", "[cli][vipctl]")
{
    auto api = status_vip("api", "withdrawn");
    api["down_leaves"] = {{{"ref", "api-http"}, {"state", "down"}},
                          {{"ref", "b:be_api"}, {"state", "maint"}}};
    const auto reply =
        status_reply({status_neighbor("r1", "Active"), status_neighbor("r2", "Established")},
                     {status_vip("web", "announced"), api, status_vip("dns", "waiting")});
    const auto v = check_status(reply);
    CHECK_FALSE(v.ok);
    CHECK(v.line == "CRITICAL: neighbor r1 is Active; VIP api is withdrawn (api-http down, "
                    "b:be_api maint); VIP dns is waiting (rule down)");
    CHECK(vipd::cli::render_status_check("status", reply).status ==
          vipd::cli::status_check_critical);
}

TEST_CASE("status --check: what is expected", "[cli][vipctl]")
{
    struct Row
    {
        std::string state;
        std::string rule;
        bool ok;
    };
    const Row rows[] = {
        {"announced", "web", true},
        {"draining", "web", true},
        {"drained", "web", true},
        {"withdrawn", "never()", true},
        {"degraded", "never()", true},
        {"withdrawn", "web", false},
        {"degraded", "web", false},
        {"held-down", "web", false},
        {"waiting", "web", false},
        {"announced", "never()", true},
        {"", "web", false},
    };
    for (const auto& row : rows) {
        INFO(row.state << " " << row.rule);
        CHECK(
            check_status(status_reply(json::array(), {status_vip("v", row.state, row.rule)})).ok ==
            row.ok);
    }
}

TEST_CASE("status --check: disabled neighbors, empty and partial replies", "[cli][vipctl]")
{
    auto off = status_neighbor("r2", "Idle");
    off["disabled"] = true;
    CHECK(check_status(status_reply({status_neighbor("r1", "Established"), off}, json::array()))
              .line == "OK: 1 neighbor Established (1 disabled), 0 VIPs as expected");
    CHECK(check_status(json::object()).line == "OK: 0 neighbors Established, 0 VIPs as expected");
    // A field missing from an older daemon prints as "-".
    const auto v = check_status(status_reply({json{{"name", "r1"}}}, {json{{"name", "web"}}}));
    CHECK(v.line == "CRITICAL: neighbor r1 is -; VIP web is - (-)");
}

TEST_CASE("status --check: the option selects the one-line renderer", "[cli][vipctl]")
{
    std::istringstream in;
    auto plain = vipd::cli::build_request("status", {}, in);
    REQUIRE(plain);
    CHECK(plain->render == nullptr);
    auto checked = vipd::cli::build_request("status", {"--check"}, in);
    REQUIRE(checked);
    CHECK(checked->render == &vipd::cli::render_status_check);
    CHECK(checked->args == json::object());
    CHECK_FALSE(vipd::cli::build_request("status", {"--chek"}, in));
}
