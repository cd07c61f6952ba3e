// Neighbor settings of issue 12: the idle-hold back-off (RFC 4271 §8.1.1) with its bounds,
// and settings that would do nothing, rejected with their JSON path: local-address, multihop
// and connect-retry on a passive neighbor, a VIP's up.local-pref toward eBGP neighbors only.
#include <catch2/catch.hpp>

#include "cli/config/config.hpp"

using namespace std::chrono_literals;

namespace {

const std::string neighbor_test_global =
    R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001, "listen": ["192.0.2.1"]})J";

// A document with one neighbor of `fields` (after "address") and `rest` after "neighbors".
std::string one_neighbor(std::string_view fields, std::string_view rest = "")
{
    return neighbor_test_global + R"J(, "neighbors": [{"address": "192.0.2.2", )J" +
           std::string(fields) + "}]" + std::string(rest) + "}";
}

std::vector<std::string> neighbor_errors(const std::string& text)
{
    auto r = vipd::cli::parse_config(text, "vipd.json", ".");
    REQUIRE_FALSE(r);
    std::vector<std::string> out;
    for (const auto& e : r.error())
        out.push_back(to_string(e));
    return out;
}

vipd::cli::Config neighbor_ok(const std::string& text)
{
    auto r = vipd::cli::parse_config(text, "vipd.json", ".");
    if (!r)
        for (const auto& e : r.error())
            UNSCOPED_INFO(to_string(e));
    REQUIRE(r);
    return *r;
}

} // namespace

TEST_CASE("idle-hold-time and max-idle-hold-time: defaults, values, effective config", "[config]")
{
    auto c = neighbor_ok(one_neighbor(R"J("remote-as": 65000)J"));
    CHECK(c.neighbors.at(0).idle_hold_time == 1s);
    CHECK(c.neighbors.at(0).max_idle_hold_time == 120s);
    CHECK(vipd::cli::to_json(c)["neighbors"][0]["idle-hold-time"] == "1s");
    CHECK(vipd::cli::to_json(c)["neighbors"][0]["max-idle-hold-time"] == "2m");

    c = neighbor_ok(one_neighbor(
        R"J("remote-as": 65000, "idle-hold-time": "2s", "max-idle-hold-time": "30s")J"));
    CHECK(c.neighbors.at(0).idle_hold_time == 2s);
    CHECK(c.neighbors.at(0).max_idle_hold_time == 30s);

    // A first wait above the default cap raises the cap: no doubling.
    c = neighbor_ok(one_neighbor(R"J("remote-as": 65000, "idle-hold-time": "5m")J"));
    CHECK(c.neighbors.at(0).max_idle_hold_time == 5min);
}

TEST_CASE("idle-hold bounds are errors with their JSON path", "[config]")
{
    using Catch::Contains;
    auto e = neighbor_errors(one_neighbor(R"J("remote-as": 65000, "idle-hold-time": "500ms")J"));
    REQUIRE(e.size() == 1);
    CHECK_THAT(e[0], Contains("/neighbors/0/idle-hold-time: expected 1s..1h, got \"500ms\""));

    e = neighbor_errors(one_neighbor(R"J("remote-as": 65000, "max-idle-hold-time": "2h")J"));
    REQUIRE(e.size() == 1);
    CHECK_THAT(e[0], Contains("/neighbors/0/max-idle-hold-time: expected 1s..1h, got \"2h\""));

    e = neighbor_errors(one_neighbor(
        R"J("remote-as": 65000, "idle-hold-time": "10s", "max-idle-hold-time": "5s")J"));
    REQUIRE(e.size() == 1);
    CHECK_THAT(e[0], Contains("/neighbors/0/max-idle-hold-time: max-idle-hold-time 5s is "
                              "shorter than idle-hold-time 10s"));
}

TEST_CASE("settings of outgoing connections on a passive neighbor are errors", "[config]")
{
    using Catch::Contains;
    for (const std::string key : {"local-address", "multihop", "connect-retry"}) {
        CAPTURE(key);
        const std::string value = key == "local-address" ? "\"192.0.2.1\""
                                  : key == "multihop"    ? "2"
                                                         : "\"2s\"";
        auto e = neighbor_errors(
            one_neighbor(R"J("remote-as": 65000, "passive": true, ")J" + key + "\": " + value));
        REQUIRE(e.size() == 1);
        CHECK_THAT(e[0], Contains("/neighbors/0/" + key + ": " + key +
                                  " applies to connections vipd opens; a passive neighbor never "
                                  "opens one (remove it, or \"passive\")"));
    }
    // Without "passive" the same settings are used.
    auto c = neighbor_ok(one_neighbor(
        R"J("remote-as": 65000, "local-address": "192.0.2.1", "multihop": 2, "connect-retry": "2s")J"));
    CHECK(c.neighbors.at(0).multihop == 2);
}

TEST_CASE("a VIP's up.local-pref that reaches no iBGP neighbor is an error", "[config]")
{
    using Catch::Contains;
    const std::string vip =
        R"J(, "vips": [{"name": "web", "prefixes": ["198.51.100.1/32"], "rule": "always()",
                        "up": {"local-pref": 200}}])J";
    auto e = neighbor_errors(one_neighbor(R"J("name": "r1", "remote-as": 65000)J", vip));
    REQUIRE(e.size() == 1);
    CHECK_THAT(e[0], Contains("/vips/0/up/local-pref: local-pref is sent to iBGP neighbors only "
                              "(RFC 4271 §5.1.5); this VIP goes to eBGP neighbors only: r1 "
                              "(AS 65000)"));

    // An iBGP neighbor among the VIP's neighbors: accepted (sent to it, not to the eBGP one).
    const std::string two = neighbor_test_global + R"J(, "neighbors": [
        {"name": "r1", "address": "192.0.2.2", "remote-as": 65000},
        {"name": "rr", "address": "192.0.2.3", "remote-as": 65001}])J";
    (void)neighbor_ok(two + vip + "}");

    // ... unless the VIP is restricted to the eBGP one.
    e = neighbor_errors(two + R"J(, "vips": [{"name": "web", "prefixes": ["198.51.100.1/32"],
        "rule": "always()", "neighbors": ["r1"], "up": {"local-pref": 200}}]})J");
    REQUIRE(e.size() == 1);
    CHECK_THAT(e[0], Contains("/vips/0/up/local-pref: ") && Contains("r1 (AS 65000)"));
}
