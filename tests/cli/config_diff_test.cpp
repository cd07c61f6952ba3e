// The reload diff: which neighbors, checks, HAProxy instances, references and VIPs changed.
#include <catch2/catch.hpp>

#include "cli/config/config.hpp"

namespace {

vipd::cli::Config parse(std::string_view text)
{
    auto r = vipd::cli::parse_config(text, "vipd.json", "");
    REQUIRE(r);
    return *r;
}

} // namespace

TEST_CASE("diff names what a reload adds, removes and changes", "[config]")
{
    const auto before = parse(R"J({
        "global": {"router-id": "192.0.2.1", "local-as": 65001},
        "neighbors": [{"name": "r1", "address": "192.0.2.2", "remote-as": 1},
                      {"name": "r2", "address": "192.0.2.3", "remote-as": 1}],
        "haproxy": {"lb": {"socket": "/a"}},
        "checks": {"web": {"kind": "tcp", "address": "127.0.0.1", "port": 80},
                   "old": {"kind": "file", "path": "/x"}},
        "vips": [{"name": "a", "prefixes": ["192.0.2.10"], "rule": "web"},
                 {"name": "b", "prefixes": ["192.0.2.11"], "rule": "b:be"}]})J");
    const auto after = parse(R"J({
        "global": {"router-id": "192.0.2.9", "local-as": 65001, "log-level": "debug"},
        "neighbors": [{"name": "r1", "address": "192.0.2.2", "remote-as": 1, "hold-time": 30},
                      {"name": "r3", "address": "192.0.2.4", "remote-as": 1}],
        "haproxy": {"lb": {"socket": "/a", "interval": "1s"}},
        "checks": {"web": {"kind": "tcp", "address": "127.0.0.1", "port": 80},
                   "new": {"kind": "file", "path": "/y"}},
        "vips": [{"name": "a", "prefixes": ["192.0.2.10"], "rule": "all(web, new)"},
                 {"name": "b", "prefixes": ["192.0.2.11"], "rule": "b:be"},
                 {"name": "c", "prefixes": ["192.0.2.12"], "rule": "b:be2"}]})J");
    const auto d = vipd::cli::diff(before, after);
    CHECK(d.global == std::vector<std::string>{"router-id", "log-level"});
    CHECK(d.neighbors == vipd::cli::NameDiff{{"r3"}, {"r2"}, {"r1"}});
    CHECK(d.checks == vipd::cli::NameDiff{{"new"}, {"old"}, {}});
    CHECK(d.haproxy == vipd::cli::NameDiff{{}, {}, {"lb"}});
    CHECK(d.references == vipd::cli::NameDiff{{"lb%b:be2"}, {}, {}});
    CHECK(d.vips == vipd::cli::NameDiff{{"c"}, {}, {"a"}});
    CHECK(vipd::cli::to_string(d) == "global: changed router-id log-level\n"
                                     "neighbors: added r3; removed r2; changed r1\n"
                                     "checks: added new; removed old\n"
                                     "haproxy: changed lb\n"
                                     "references: added lb%b:be2\n"
                                     "vips: added c; changed a");
    CHECK(vipd::cli::diff(after, after).empty());
    CHECK(vipd::cli::to_string(vipd::cli::diff(after, after)).empty());
}

TEST_CASE("comments and formatting do not count as changes", "[config]")
{
    const auto a = parse(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001},
        "vips": [{"name": "a", "prefixes": "192.0.2.10", "rule": "always()"}]})J");
    const auto b = parse(R"J(// reformatted
        {"global": {"local-as": 65001, "router-id": "192.0.2.1"},
         "vips": [{"rule": "always( )", "prefixes": ["192.0.2.10/32"], "name": "a",
                   "damping": {"threshold": 3}}]})J");
    CHECK(vipd::cli::diff(a, b).empty());
}

TEST_CASE("a loopback mode change is a change of the loopback setting", "[config]")
{
    const auto follow = parse(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "loopback": {"enabled": true}}})J");
    const auto fixed = parse(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001,
        "loopback": {"enabled": true, "mode": "static"}}})J");
    CHECK(vipd::cli::diff(follow, fixed).global == std::vector<std::string>{"loopback"});
}

TEST_CASE("hooks: the reload diff names hooks added, removed and changed", "[config]")
{
    const auto before = parse(R"J({
        "global": {"router-id": "192.0.2.1", "local-as": 65001},
        "hooks": {"keep": {"command": ["/bin/true"]},
                  "edit": {"command": ["/bin/true"], "timeout": "5s"},
                  "gone": {"command": "true", "shell": true}}})J");
    const auto after = parse(R"J({
        "global": {"router-id": "192.0.2.1", "local-as": 65001},
        "hooks": {"keep": {"command": ["/bin/true"]},
                  "edit": {"command": ["/bin/true"], "timeout": "6s"},
                  "new": {"command": ["/bin/true"], "events": ["neighbor-down"]}}})J");
    const auto d = vipd::cli::diff(before, after);
    CHECK(d.hooks == vipd::cli::NameDiff{{"new"}, {"gone"}, {"edit"}});
    CHECK(to_string(d) == "hooks: added new; removed gone; changed edit");
    CHECK(after.hooks.at(1).name == "keep");
    CHECK(after.hooks.at(0).timeout == std::chrono::seconds(6));
    CHECK(after.hooks.at(2).events == std::vector{vipd::cli::HookTrigger::neighbor_down});
}
