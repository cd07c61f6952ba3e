// HTTP status list parsing and response matching (pure).
#include <catch2/catch.hpp>

#include "health/http_match.hpp"

using namespace vipd::health;

TEST_CASE("status ranges parse codes and ranges", "[health]")
{
    auto r = parse_status_ranges("200-299, 301,404");
    REQUIRE(r);
    CHECK(*r == std::vector<StatusRange>{{200, 299}, {301, 301}, {404, 404}});
    CHECK(to_string(*r) == "200-299,301,404");
}

TEST_CASE("status ranges reject bad items, naming them", "[health]")
{
    CHECK(parse_status_ranges("").error() == "bad HTTP status \"\" (want 100..599)");
    CHECK(parse_status_ranges("200,abc").error() == "bad HTTP status \"abc\" (want 100..599)");
    CHECK(parse_status_ranges("99").error() == "bad HTTP status \"99\" (want 100..599)");
    CHECK(parse_status_ranges("600").error() == "bad HTTP status \"600\" (want 100..599)");
    CHECK(parse_status_ranges("299-200").error() == "bad HTTP status range \"299-200\"");
    CHECK_FALSE(parse_status_ranges("200-"));
}

TEST_CASE("default expectation: 2xx is up, anything else down with the code", "[health]")
{
    auto m = ResponseMatcher::make({});
    REQUIRE(m);
    CHECK_FALSE(m->needs_body());
    auto r = m->match(200, "", false);
    CHECK(r.ok);
    CHECK(r.detail == "HTTP 200");
    CHECK(m->match(299, "", false).ok);
    r = m->match(503, "", false);
    CHECK_FALSE(r.ok);
    CHECK(r.detail == "HTTP 503");
    CHECK_FALSE(m->match(301, "", false).ok);
    CHECK_FALSE(m->match(199, "", false).ok);
}

TEST_CASE("explicit status list", "[health]")
{
    auto m = ResponseMatcher::make({{{200, 200}, {301, 302}}, "", ""});
    REQUIRE(m);
    CHECK(m->match(302, "", false).ok);
    CHECK_FALSE(m->match(204, "", false).ok);
}

TEST_CASE("body substring", "[health]")
{
    auto m = ResponseMatcher::make({{{200, 299}}, "\"status\":\"ok\"", ""});
    REQUIRE(m);
    CHECK(m->needs_body());
    CHECK(m->match(200, R"({"status":"ok","db":"up"})", false).ok);
    auto r = m->match(200, R"({"status":"degraded"})", false);
    CHECK_FALSE(r.ok);
    CHECK(r.detail == R"(HTTP 200, body lacks ""status":"ok"")");
    r = m->match(200, "xxxx", true);
    CHECK(r.detail == R"(HTTP 200, body lacks ""status":"ok"" in first 4 bytes)");
    CHECK(m->match(500, R"({"status":"ok"})", false).detail == "HTTP 500");
}

TEST_CASE("body regex", "[health]")
{
    auto m = ResponseMatcher::make({{{200, 299}}, "", "connections: [0-9]+"});
    REQUIRE(m);
    CHECK(m->match(200, "active\nconnections: 42\n", false).ok);
    auto r = m->match(200, "connections: none", false);
    CHECK_FALSE(r.ok);
    CHECK(r.detail == "HTTP 200, body does not match /connections: [0-9]+/");
}

TEST_CASE("invalid expectations are config errors", "[health]")
{
    CHECK(ResponseMatcher::make({{}, "", ""}).error() == "empty expected HTTP status list");
    CHECK(ResponseMatcher::make({{{300, 200}}, "", ""}).error() == "bad HTTP status range 300-200");
    auto bad = ResponseMatcher::make({{{200, 299}}, "", "(unclosed"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().rfind("bad body regex /(unclosed/: ", 0) == 0);
}
