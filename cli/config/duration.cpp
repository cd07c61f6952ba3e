// Duration text parsing and formatting (see duration.hpp). Integer arithmetic only for text, so
// "0.1s" is exactly 100 ms.
#include "cli/config/duration.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace vipd::cli {

namespace {

struct Unit
{
    std::string_view name;
    std::int64_t ms;
};

// Longest names first so that "ms" is not read as "m" followed by garbage.
inline constexpr std::array<Unit, 4> units{{{"ms", 1}, {"h", 3600000}, {"m", 60000}, {"s", 1000}}};

// Rank of a unit by size, to enforce decreasing order: h=0, m=1, s=2, ms=3.
int rank(std::int64_t unit_ms)
{
    switch (unit_ms) {
    case 3600000:
        return 0;
    case 60000:
        return 1;
    case 1000:
        return 2;
    default:
        return 3;
    }
}

tl::unexpected<std::string> bad(std::string_view text, std::string_view why)
{
    return tl::unexpected(fmt::format("\"{}\": {}", text, why));
}

} // namespace

tl::expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text)
{
    if (text.empty())
        return tl::unexpected(std::string("empty duration"));
    std::int64_t total = 0;
    int last_rank = -1;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t whole = 0;
        std::int64_t frac = 0;
        std::int64_t frac_scale = 1;
        const std::size_t start = i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            whole = whole * 10 + (text[i] - '0');
            if (whole > max_duration.count())
                return bad(text, "too long");
        }
        if (i < text.size() && text[i] == '.') {
            ++i;
            for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
                if (frac_scale >= 1'000'000'000)
                    return bad(text, "too many decimals");
                frac = frac * 10 + (text[i] - '0');
                frac_scale *= 10;
            }
        }
        if (i == start || (i == start + 1 && text[start] == '.'))
            return bad(text, "expected a number");
        const Unit* unit = nullptr;
        for (const auto& u : units) {
            if (text.substr(i, u.name.size()) == u.name) {
                unit = &u;
                break;
            }
        }
        if (!unit)
            return bad(text, i == text.size() ? "missing unit (h, m, s or ms)"
                                              : "unknown unit (expected h, m, s or ms)");
        i += unit->name.size();
        if (rank(unit->ms) <= last_rank)
            return bad(text, "units must be in the order h, m, s, ms, each at most once");
        last_rank = rank(unit->ms);
        if ((frac * unit->ms) % frac_scale != 0)
            return bad(text, "finer than a millisecond");
        total += whole * unit->ms + frac * unit->ms / frac_scale;
        if (total > max_duration.count())
            return bad(text, "too long");
    }
    return std::chrono::milliseconds(total);
}

tl::expected<std::chrono::milliseconds, std::string> duration_from_seconds(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return tl::unexpected(fmt::format("{} seconds: must not be negative", seconds));
    const double ms = seconds * 1000.0;
    if (ms > static_cast<double>(max_duration.count()))
        return tl::unexpected(fmt::format("{} seconds: too long", seconds));
    const double rounded = std::round(ms);
    if (std::fabs(ms - rounded) > 1e-6)
        return tl::unexpected(fmt::format("{} seconds: finer than a millisecond", seconds));
    return std::chrono::milliseconds(static_cast<std::int64_t>(rounded));
}

std::string format_duration(std::chrono::milliseconds d)
{
    if (d.count() < 0)
        return fmt::format("-{}", format_duration(-d));
    std::int64_t left = d.count();
    if (left == 0)
        return "0s";
    std::string out;
    for (const Unit& u : {units[1], units[2], units[3], units[0]}) {
        if (left >= u.ms) {
            out += fmt::format("{}{}", left / u.ms, u.name);
            left %= u.ms;
        }
    }
    return out;
}

} // namespace vipd::cli
