// The table of check kinds (cli/config/check_kinds.hpp): every row is complete, its example
// reads into a probe of that kind, its JSON view shows exactly the row's keys and reads back
// into the same check, and every probe alternative of health::ProbeConfig has a row.
#include <algorithm>
#include <set>
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "cli/config/check_kinds.hpp"
#include "cli/config/config.hpp"

using vipd::cli::detail::check_kinds;
using vipd::cli::detail::check_timing_keys;
using vipd::cli::detail::CheckKind;
using vipd::cli::detail::find_check_kind;

namespace {

// A configuration with one check "c" of `kind`, from its example; `check` replaces it if given.
std::string document(const CheckKind& kind, nlohmann::json check = nullptr)
{
    if (check.is_null()) {
        check = nlohmann::json::parse(kind.example);
        check["kind"] = kind.name;
    }
    nlohmann::json doc = {{"global", {{"router-id", "192.0.2.1"}, {"local-as", 65001}}},
                          {"checks", {{"c", check}}}};
    return doc.dump();
}

vipd::cli::Config parse_ok(const std::string& text)
{
    auto r = vipd::cli::parse_config(text, "vipd.json", ".");
    if (!r) {
        for (const auto& e : r.error())
            UNSCOPED_INFO(to_string(e));
    }
    REQUIRE(r);
    return *r;
}

bool is_timing_key(std::string_view key)
{
    const auto timing = check_timing_keys();
    return std::find(timing.begin(), timing.end(), key) != timing.end();
}

} // namespace

TEST_CASE("check kinds: every row is complete and named once", "[config]")
{
    std::set<std::string_view> names;
    for (const auto& kind : check_kinds()) {
        INFO(kind.name);
        CHECK_FALSE(kind.name.empty());
        CHECK(names.insert(kind.name).second);
        CHECK_FALSE(kind.keys.empty());
        CHECK(kind.read != nullptr);
        CHECK(kind.write != nullptr);
        CHECK_FALSE(kind.example.empty());
        for (auto key : kind.keys)
            CHECK_FALSE(is_timing_key(key));
        CHECK(find_check_kind(kind.name) == &kind);
    }
    CHECK(find_check_kind("haproxy") == nullptr);
}

TEST_CASE("check kinds: each example reads, shows its keys and reads back the same", "[config]")
{
    std::set<std::size_t> alternatives;
    for (const auto& kind : check_kinds()) {
        INFO(kind.name);
        const auto config = parse_ok(document(kind));
        REQUIRE(config.checks.size() == 1);
        const auto& spec = config.checks.front();
        CHECK(vipd::health::kind_of(spec.probe) == kind.name);
        alternatives.insert(spec.probe.index());

        const auto view = vipd::cli::to_json(config)["checks"]["c"];
        std::set<std::string_view> shown;
        for (const auto& [key, value] : view.items()) {
            INFO(key);
            if (!is_timing_key(key))
                CHECK(std::find(kind.keys.begin(), kind.keys.end(), key) != kind.keys.end());
            shown.insert(key);
        }
        for (auto key : kind.keys)
            CHECK(shown.count(key) == 1);

        const auto again = parse_ok(document(kind, nlohmann::json::parse(view.dump())));
        CHECK(again.checks == config.checks);
    }
    // Every probe kind but the HAProxy reference (a rule leaf, not a "checks" entry) has a row.
    CHECK(alternatives.size() == std::variant_size_v<vipd::health::ProbeConfig> - 1);
}

TEST_CASE("check kinds: an unknown kind names the table's kinds", "[config]")
{
    auto r = vipd::cli::parse_config(
        R"({"global": {"router-id": "192.0.2.1", "local-as": 65001},
            "checks": {"c": {"kind": "tpc", "address": "127.0.0.1", "port": 80}}})",
        "vipd.json", ".");
    REQUIRE_FALSE(r);
    REQUIRE(r.error().size() == 1);
    CHECK(to_string(r.error().front())
              .find(R"(expected one of "tcp", "http", "https", "exec", )"
                    R"("file", "process", "listen", got "tpc" (did you mean "tcp"?))") !=
          std::string::npos);
}
