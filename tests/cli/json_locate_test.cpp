// JSON position index: pointers to line:column through comments, escapes and UTF-8.
#include <catch2/catch.hpp>

#include "cli/config/json_locate.hpp"

using vipd::cli::JsonLocator;
using vipd::cli::TextPosition;

TEST_CASE("position_at counts lines and UTF-8 characters", "[config]")
{
    using vipd::cli::position_at;
    const std::string text = "ab\n\xc3\xa9x\n"; // line 2: "éx" (é is two bytes)
    CHECK(position_at(text, 0) == TextPosition{1, 1});
    CHECK(position_at(text, 1) == TextPosition{1, 2});
    CHECK(position_at(text, 3) == TextPosition{2, 1});
    CHECK(position_at(text, 5) == TextPosition{2, 2}); // 'x' after the two-byte é
    CHECK(position_at(text, 7) == TextPosition{3, 1}); // just past the end
    CHECK(position_at(text, 100) == TextPosition{3, 1});
}

TEST_CASE("pointer tokens are escaped per RFC 6901", "[config]")
{
    CHECK(vipd::cli::escape_pointer_token("a/b~c") == "a~1b~0c");
    CHECK(vipd::cli::escape_pointer_token("plain") == "plain");
}

TEST_CASE("values and keys are located through comments", "[config]")
{
    const JsonLocator loc(R"J({
  // a comment with "quotes" and { braces
  "global": { "local-as": 65001, /* inline */ "listen": ["0.0.0.0:179", "[::]:179"] },
  "a/b": { "x~y": true },
  "vips": [ {"name": "web"}, 42 ]
})J");
    CHECK(loc.value("") == TextPosition{1, 1});
    CHECK(loc.value("/global") == TextPosition{3, 13});
    CHECK(loc.key("/global") == TextPosition{3, 3});
    CHECK(loc.value("/global/local-as") == TextPosition{3, 27});
    CHECK(loc.value("/global/listen/1") == TextPosition{3, 73});
    CHECK(loc.value("/a~1b/x~0y") == TextPosition{4, 19});
    CHECK(loc.value("/vips/0/name") == TextPosition{5, 22});
    CHECK(loc.value("/vips/1") == TextPosition{5, 30});
    CHECK_FALSE(loc.value("/vips/2"));
    CHECK_FALSE(loc.key("/vips/0")); // array elements have no key
    CHECK(loc.duplicates().empty());
}

TEST_CASE("nearest falls back to the closest written ancestor", "[config]")
{
    const JsonLocator loc("{\n  \"neighbors\": [\n    { \"address\": \"192.0.2.1\" }\n  ]\n}");
    CHECK(loc.nearest("/neighbors/0/hold-time") == TextPosition{3, 5});
    CHECK(loc.nearest("/neighbors/0/export/med") == TextPosition{3, 5});
    CHECK(loc.nearest("/checks/web") == TextPosition{1, 1});
}

TEST_CASE("in_string maps decoded offsets past escapes", "[config]")
{
    // Decoded: all(web, webb) -- \u0077 is 'w', \" is one character.
    const JsonLocator loc(R"J({"rule": "all(\u0077eb, webb)", "s": "a\"bc"})J");
    // The string starts at column 10 (its quote); characters start at column 11.
    CHECK(loc.in_string("/rule", 0) == TextPosition{1, 11});
    CHECK(loc.in_string("/rule", 4) == TextPosition{1, 15}); // the escape itself
    CHECK(loc.in_string("/rule", 9) == TextPosition{1, 25}); // "webb" after the 6-byte escape
    CHECK(loc.in_string("/s", 3) == TextPosition{1, 43});    // 'c' after \"
    CHECK(loc.in_string("/missing", 3) == TextPosition{1, 1});
}

TEST_CASE("surrogate pairs decode to one four-byte character", "[config]")
{
    const JsonLocator loc(R"J({"k\ud83d\ude00": "x\ud83d\ude00y"})J");
    CHECK(loc.value("/k\xf0\x9f\x98\x80") == TextPosition{1, 19});
    CHECK(loc.in_string("/k\xf0\x9f\x98\x80", 5) == TextPosition{1, 33}); // 'y'
}

TEST_CASE("duplicate keys are reported with both positions", "[config]")
{
    const JsonLocator loc("{\n \"checks\": {\n  \"web\": {},\n  \"web\": {}\n }\n}");
    REQUIRE(loc.duplicates().size() == 1);
    CHECK(loc.duplicates()[0].pointer == "/checks/web");
    CHECK(loc.duplicates()[0].first == TextPosition{3, 3});
    CHECK(loc.duplicates()[0].second == TextPosition{4, 3});
}

TEST_CASE("malformed or hostile text does not break the index", "[config]")
{
    const JsonLocator unterminated(R"J({"a": {"b": "never closed)J");
    CHECK(unterminated.value("/a") == TextPosition{1, 7});
    const JsonLocator comment("{\"a\": 1 /* open");
    CHECK(comment.value("/a") == TextPosition{1, 7});
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const JsonLocator deep_loc(deep);
    auto pointer = [](int depth) {
        std::string p;
        for (int i = 0; i < depth; ++i)
            p += "/0";
        return p;
    };
    CHECK(deep_loc.value("") == TextPosition{1, 1});
    CHECK(deep_loc.value(pointer(10)) == TextPosition{1, 11});
    CHECK_FALSE(deep_loc.value(pointer(300))); // beyond the indexed depth
}
