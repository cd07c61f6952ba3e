// The command registry (cli/control/registry.hpp): every row is complete, names are unique,
// and the protocol, vipctl's builder and its renderer all find each row.
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "cli/control/protocol.hpp"
#include "cli/control/registry.hpp"
#include "cli/control/render.hpp"
#include "cli/control/request.hpp"

TEST_CASE("registry: every row is complete", "[cli][control]")
{
    std::set<std::string_view> names;
    for (const auto& c : vipd::cli::command_registry()) {
        INFO(c.name);
        CHECK_FALSE(c.name.empty());
        CHECK(names.insert(c.name).second);
        CHECK_FALSE(c.summary.empty());
        CHECK(c.usage.starts_with("Usage: vipctl " + std::string(c.name)));
        CHECK(c.usage.find("Example") != std::string_view::npos);
        CHECK(c.build != nullptr);
        CHECK(c.render != nullptr);
        CHECK(vipd::cli::find_command(c.name) == &c);
        for (const auto& a : c.args)
            CHECK_FALSE(a.name.empty());
        for (const auto& o : c.options)
            CHECK(o.name.starts_with("--"));
    }
    CHECK(vipd::cli::command_names().size() == vipd::cli::command_registry().size());
    CHECK(vipd::cli::find_command("decode") == nullptr);
}

TEST_CASE("registry: a row's request passes the row's validation", "[cli][control]")
{
    // The minimal words of each command, as vipctl's help shows them.
    const std::map<std::string_view, std::vector<std::string>> words = {
        {"announce", {"192.0.2.0/24"}},
        {"withdraw", {"192.0.2.0/24"}},
        {"drain", {"web"}},
        {"undrain", {"--all"}},
        {"disable", {"c"}},
        {"enable", {"c"}},
        {"check-now", {"c"}},
        {"explain", {"web"}},
        {"neighbor", {"tor1", "reset"}},
    };
    for (const auto& c : vipd::cli::command_registry()) {
        INFO(c.name);
        std::istringstream in;
        const auto it = words.find(c.name);
        auto req = vipd::cli::build_request(
            c.name, it == words.end() ? std::vector<std::string>{} : it->second, in);
        REQUIRE(req);
        CHECK(vipd::cli::validate_args(c.name, req->args));
        CHECK(vipd::cli::render_reply(c.name, {{"ok", true}}).status == 0);
    }
}
