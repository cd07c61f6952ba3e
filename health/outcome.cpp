// Text forms of probe results.
#include "health/outcome.hpp"

#include <fmt/format.h>

namespace vipd::health {

std::string_view to_string(Status status)
{
    switch (status) {
    case Status::unknown:
        return "unknown";
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

std::string_view to_string(Reason reason)
{
    switch (reason) {
    case Reason::none:
        return "none";
    case Reason::timeout:
        return "timeout";
    case Reason::refused:
        return "refused";
    case Reason::reset:
        return "reset";
    case Reason::unreachable:
        return "unreachable";
    case Reason::http_status:
        return "http_status";
    case Reason::body_mismatch:
        return "http_body";
    case Reason::tls:
        return "tls";
    case Reason::exit_status:
        return "exit";
    case Reason::haproxy:
        return "haproxy";
    case Reason::maintenance:
        return "maintenance";
    case Reason::dns_rcode:
        return "dns_rcode";
    case Reason::dns_answer:
        return "dns_answer";
    case Reason::dns_mismatch:
        return "dns_mismatch";
    case Reason::dns_malformed:
        return "dns_malformed";
    case Reason::dns_truncated:
        return "dns_truncated";
    case Reason::no_process:
        return "no_process";
    case Reason::process_exited:
        return "process_exited";
    case Reason::not_listening:
        return "not_listening";
    case Reason::other:
        return "other";
    }
    return "other";
}

Outcome down(Failure failure)
{
    return Outcome{Status::down, std::move(failure.detail), {}, failure.reason};
}

std::string readable_duration(std::chrono::milliseconds duration)
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
