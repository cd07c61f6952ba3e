// The state directory's name -> message files (cli/daemon/state_files.hpp): the disabled
// neighbors and their RFC 9003 messages round-trip; a damaged file is an error, not a guess.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "cli/daemon/state_files.hpp"

TEST_CASE("state files: disabled neighbors round-trip with their messages", "[cli][config]")
{
    const std::map<std::string, std::string> disabled{
        {"tor1", "maintenance CHG-1234"},
        {"tor2", "quote \" and newline\n and \xc3\xa9"},
    };
    const std::string text = vipd::cli::format_name_map(disabled);
    CHECK(text.ends_with("\n"));
    auto parsed = vipd::cli::parse_name_map(text);
    REQUIRE(parsed);
    CHECK(*parsed == disabled);
    CHECK(vipd::cli::parse_name_map("{}\n").value().empty());
    CHECK_FALSE(vipd::cli::parse_name_map("tor1\n"));
    CHECK_FALSE(vipd::cli::parse_name_map("[\"tor1\"]"));
    CHECK(vipd::cli::parse_name_map(R"({"tor1": 3})").error() ==
          "member \"tor1\": expected a non-empty name and a string");
}
