// "Did you mean" (bgp/suggest.hpp), shared by the configuration and vipctl: the distance
// limits, and its use for vipctl's unknown commands and options.
#include <sstream>

#include <catch2/catch.hpp>

#include "bgp/suggest.hpp"
#include "cli/control/request.hpp"
#include "cli/vipctl/commands.hpp"

using vipd::bgp::did_you_mean;

TEST_CASE("did you mean: the closest name within a small distance", "[cli]")
{
    const std::vector<std::string_view> keys{"interval", "timeout", "rise", "fall"};
    CHECK(did_you_mean("intervall", keys) == " (did you mean \"interval\"?)");
    CHECK(did_you_mean("itnerval", keys) == " (did you mean \"interval\"?)"); // transposition
    CHECK(did_you_mean("Time_Out", keys) == " (did you mean \"timeout\"?)");  // case, '_'
    CHECK(did_you_mean("rse", keys) == " (did you mean \"rise\"?)");
    CHECK(did_you_mean("rsx", keys).empty()); // two edits on a short word
    CHECK(did_you_mean("x", keys).empty());
    CHECK(did_you_mean("", keys).empty());
    CHECK(did_you_mean("web", std::vector<std::string>{"web1", "api"}) ==
          " (did you mean \"web1\"?)");
    CHECK(did_you_mean("web", std::vector<std::string>{}).empty());
}

TEST_CASE("did you mean: vipctl commands and options", "[cli][vipctl]")
{
    using vipd::cli::unknown_command;
    CHECK(unknown_command("statsu") == "unknown command 'statsu' (did you mean \"status\"?)");
    CHECK(unknown_command("decod") == "unknown command 'decod' (did you mean \"decode\"?)");
    CHECK(unknown_command("neighbour") ==
          "unknown command 'neighbour' (did you mean \"neighbor\"?)");
    CHECK(unknown_command("frobnicate") == "unknown command 'frobnicate'");
    std::istringstream in;
    auto r = vipd::cli::build_request("status", {"--chek"}, in);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "unknown option --chek (did you mean \"--check\"?)");
    auto j = vipd::cli::build_request("checks", {"--jsn"}, in);
    REQUIRE_FALSE(j);
    CHECK(j.error() == "unknown option --jsn (did you mean \"--json\"?)");
}
