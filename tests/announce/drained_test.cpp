// Drained-VIP state file: format, parse, round trip, errors naming the line.
#include <catch2/catch.hpp>

#include "announce/drained.hpp"

using namespace vipd::announce;

TEST_CASE("drained: format is sorted, one name per line, with a header", "[announce]")
{
    CHECK(format_drained({"web", "api", "web"}) ==
          "# vipd: VIPs drained by the operator, one per line (vipctl undrain)\n"
          "api\n"
          "web\n");
    CHECK(format_drained({}) ==
          "# vipd: VIPs drained by the operator, one per line (vipctl undrain)\n");
}

TEST_CASE("drained: parse and round trip", "[announce]")
{
    const std::vector<std::string> names = {"api", "dns.v6", "web-1"};
    auto back = parse_drained(format_drained(names));
    REQUIRE(back.has_value());
    CHECK(*back == names);

    auto loose = parse_drained("\n  web  \r\n# comment\napi # trailing comment\n\tweb\n");
    REQUIRE(loose.has_value());
    CHECK(*loose == std::vector<std::string>{"api", "web"});
    CHECK(parse_drained("")->empty());
}

TEST_CASE("drained: a bad line is named", "[announce]")
{
    auto r = parse_drained("web\n\nnot a name\n");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == DrainedError{3, "\"not a name\" is not a VIP name (1 to 64 letters, "
                                       "digits, '_', '-', '.')"});
    CHECK(to_string(r.error()).rfind("line 3: ", 0) == 0);
    CHECK(parse_drained(std::string(65, 'a')).error().line == 1);
}
