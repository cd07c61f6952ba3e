// Duration text: the forms operators write, the errors they get, the canonical form printed.
#include <catch2/catch.hpp>

#include "cli/config/duration.hpp"

using namespace std::chrono_literals;
using vipd::cli::duration_from_seconds;
using vipd::cli::format_duration;
using vipd::cli::parse_duration;

TEST_CASE("durations parse in every documented form", "[config]")
{
    CHECK(parse_duration("2s") == 2000ms);
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("1m30s") == 90000ms);
    CHECK(parse_duration("1h") == 3600000ms);
    CHECK(parse_duration("1h2m3s4ms") == 3723004ms);
    CHECK(parse_duration("1.5s") == 1500ms);
    CHECK(parse_duration("0.1s") == 100ms);
    CHECK(parse_duration("0.5m") == 30000ms);
    CHECK(parse_duration("0s") == 0ms);
    CHECK(parse_duration("1s500ms") == 1500ms);
}

TEST_CASE("bad durations say what is wrong", "[config]")
{
    CHECK(parse_duration("").error() == "empty duration");
    CHECK(parse_duration("30").error() == "\"30\": missing unit (h, m, s or ms)");
    CHECK(parse_duration("2 sec").error() == "\"2 sec\": unknown unit (expected h, m, s or ms)");
    CHECK(parse_duration("2d").error() == "\"2d\": unknown unit (expected h, m, s or ms)");
    CHECK(parse_duration("30s1m").error() ==
          "\"30s1m\": units must be in the order h, m, s, ms, each at most once");
    CHECK(parse_duration("1s1s").error() ==
          "\"1s1s\": units must be in the order h, m, s, ms, each at most once");
    CHECK(parse_duration("0.0005s").error() == "\"0.0005s\": finer than a millisecond");
    CHECK(parse_duration("-1s").error() == "\"-1s\": expected a number");
    CHECK(parse_duration("ms").error() == "\"ms\": expected a number");
    CHECK(parse_duration("9000h").error() == "\"9000h\": too long");
}

TEST_CASE("plain numbers are seconds", "[config]")
{
    CHECK(duration_from_seconds(2) == 2000ms);
    CHECK(duration_from_seconds(0.25) == 250ms);
    CHECK(duration_from_seconds(0.1) == 100ms);
    CHECK(duration_from_seconds(-1).error() == "-1 seconds: must not be negative");
    CHECK(duration_from_seconds(0.0001).error() == "0.0001 seconds: finer than a millisecond");
    CHECK_FALSE(duration_from_seconds(1e12));
}

TEST_CASE("format_duration is canonical and parses back", "[config]")
{
    CHECK(format_duration(0ms) == "0s");
    CHECK(format_duration(500ms) == "500ms");
    CHECK(format_duration(90000ms) == "1m30s");
    CHECK(format_duration(3605000ms) == "1h5s");
    CHECK(format_duration(1500ms) == "1s500ms");
    for (auto d : {1ms, 999ms, 1000ms, 61001ms, 3600000ms, 86400000ms, 3723004ms})
        CHECK(parse_duration(format_duration(d)) == d);
}
