// Rounding to the nearest integer, halfway cases away from zero: std::round's result computed
// inline (a truncating conversion and a compare), because std::round and std::llround are calls
// into libm, the only thing vipd would load libm for. Pure, header-only. Lives in bgp/, the
// lowest module, so that the FSM (timer jitter) and cli/ (durations, metrics) share it.
#pragma once

#include <cstdint>

namespace vipd::bgp {

/// std::round(x) exactly, for every double: NaN, infinities and integral values (all doubles
/// of magnitude 2^52 or more) unchanged, the sign of a zero result kept (-0.4 -> -0.0).
[[nodiscard]] constexpr double round_half_away(double x)
{
    constexpr double integral_from = 0x1p52; // no double this large has a fractional part
    if (!(x > -integral_from && x < integral_from))
        return x;
    const auto whole = static_cast<double>(static_cast<std::int64_t>(x)); // toward zero, exact
    const double fraction = x - whole;                                    // exact, same sign as x
    double r = whole;
    if (fraction >= 0.5)
        r = whole + 1.0;
    else if (fraction <= -0.5)
        r = whole - 1.0;
    return r == 0.0 ? x * 0.0 : r; // x * 0.0: a zero with x's sign
}

} // namespace vipd::bgp
