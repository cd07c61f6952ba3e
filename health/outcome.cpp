// Text forms of probe results.
#include "health/outcome.hpp"

#include <fmt/format.h>

namespace vipd::health {

std::string_view to_string(Status status)
{
    switch (status) {
    case Status::up:
        return "up";
    case Status::down:
        return "down";
    case Status::disabled:
        return "disabled";
    case Status::maint:
        return "maint";
    case Status::drain:
        return "drain";
    }
    return "?";
}

std::string format_duration(std::chrono::milliseconds duration)
{
    const auto ms = duration.count();
    if (ms < 1000) {
        return fmt::format("{} ms", ms);
    }
    if (ms % 1000 == 0) {
        return fmt::format("{} s", ms / 1000);
    }
    return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
}

} // namespace vipd::health
