// round_half_away against std::round: halfway cases, the neighbours of 0.5, negative values and
// zeros, the 2^52 boundary, non-finite values, and a sweep over the ranges vipd rounds.
#include <cmath>
#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "bgp/rounding.hpp"

using vipd::bgp::round_half_away;

namespace {

// Same value and same sign bit (so -0.0 != +0.0); NaN equals NaN.
bool same(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return a == b && std::signbit(a) == std::signbit(b);
}

} // namespace

TEST_CASE("round_half_away: halfway cases go away from zero", "[fsm]")
{
    CHECK(same(round_half_away(0.5), 1.0));
    CHECK(same(round_half_away(1.5), 2.0));
    CHECK(same(round_half_away(2.5), 3.0)); // not to even
    CHECK(same(round_half_away(-0.5), -1.0));
    CHECK(same(round_half_away(-2.5), -3.0));
    CHECK(same(round_half_away(86.4999), 86.0));
    CHECK(same(round_half_away(86.5), 87.0));
}

TEST_CASE("round_half_away: equals std::round on edge values", "[fsm]")
{
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double below_half = std::nextafter(0.5, 0.0); // 0.49999999999999994: x + 0.5 rounds up
    const double values[] = {
        0.0,
        -0.0,
        0.3,
        -0.3,
        below_half,
        -below_half,
        std::nextafter(0.5, 1.0),
        std::nextafter(1.5, 0.0),
        1e-300,
        -1e-300,
        0x1p52 - 0.5,
        -(0x1p52 - 0.5),
        0x1p52 - 1.0,
        0x1p52,
        0x1p52 + 1.0,
        -0x1p52,
        0x1p53 + 2.0,
        1e300,
        -1e300,
        4503599627370495.5,
        9.2e18,
        inf,
        -inf,
        std::numeric_limits<double>::denorm_min(),
        std::numeric_limits<double>::quiet_NaN(),
    };
    for (double x : values) {
        INFO("x = " << x);
        CHECK(same(round_half_away(x), std::round(x)));
    }
}

TEST_CASE("round_half_away: equals std::round over jitter, duration and latency ranges", "[fsm]")
{
    // FSM jitter: milliseconds (up to 65535 s) times a factor in [0.75, 1); durations: seconds
    // times 1000; latencies: milliseconds times 1000 (microseconds).
    std::uint64_t state = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 200000; ++i) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        const double u = static_cast<double>(state >> 11) * 0x1.0p-53;
        const double x = (i % 2 == 0) ? 65535000.0 * u : (u - 0.5) * 1e7;
        INFO("x = " << x);
        REQUIRE(same(round_half_away(x), std::round(x)));
        const double halfway = std::floor(x) + 0.5;
        REQUIRE(same(round_half_away(halfway), std::round(halfway)));
    }
    static_assert(round_half_away(2.5) == 3.0); // usable in constant expressions
}
