// The daemon's log lines and metric counts for module events (event_log.hpp).
#include "cli/daemon/event_log.hpp"

#include <chrono>

#include <fmt/format.h>

#include "bgp/notification.hpp"

namespace vipd::cli {

namespace {

LogLevel level_of(bgp::EventLevel level)
{
    switch (level) {
    case bgp::EventLevel::error:
        return LogLevel::error;
    case bgp::EventLevel::warning:
        return LogLevel::warning;
    case bgp::EventLevel::debug:
        return LogLevel::debug;
    case bgp::EventLevel::info:
        break;
    }
    return LogLevel::info;
}

} // namespace

void EventLog::session_transition(const std::string& neighbor, bgp::State from, bgp::State to,
                                  const std::string& cause)
{
    using bgp::State;
    const auto at = std::chrono::system_clock::now();
    metrics_.on_session_transition(neighbor, from, to, cause, at);
    log_.write(to == State::established || from == State::established ? LogLevel::info
                                                                      : LogLevel::debug,
               "bgp",
               {{"peer", neighbor},
                {"from", std::string(bgp::to_string(from))},
                {"to", std::string(bgp::to_string(to))},
                {"cause", cause}});
    if (listener_ && (from == State::established) != (to == State::established))
        listener_({at, "neighbor", neighbor, std::string(bgp::to_string(from)),
                   std::string(bgp::to_string(to)), cause});
}

void EventLog::notification(const std::string& neighbor, bool sent, const bgp::Notification& n)
{
    metrics_.on_notification(neighbor, sent, n.code, n.subcode);
    auto text = bgp::shutdown_communication(n);
    log_.write(LogLevel::warning, "bgp",
               {{"peer", neighbor},
                {"notification", sent ? "sent" : "received"},
                {"code", fmt::format("{}/{}", n.code, n.subcode)},
                {"text", bgp::describe(n.code, n.subcode)},
                {"shutdown_communication", text.value_or("")}});
}

void EventLog::bgp_event(const std::string& neighbor, bgp::EventLevel level,
                         const std::string& text)
{
    log_.write(level_of(level), "bgp", {{"peer", neighbor}, {"event", text}});
}

void EventLog::check_transition(const health::Transition& t)
{
    log_.write(LogLevel::info, "health",
               {{"check", std::string(t.check)},
                {"kind", std::string(t.kind)},
                {"from", std::string(health::to_string(t.from))},
                {"to", std::string(health::to_string(t.to))},
                {"cause", std::string(t.cause)},
                {"took_ms", fmt::format("{:.3f}", static_cast<double>(t.took.count()) / 1000.0)}});
    const auto at = std::chrono::system_clock::now();
    metrics_.on_check_transition(t.check, health::to_string(t.from), health::to_string(t.to),
                                 t.cause, at);
    if (listener_)
        listener_({at, "check", std::string(t.check), std::string(health::to_string(t.from)),
                   std::string(health::to_string(t.to)), std::string(t.cause)});
}

void EventLog::vip_transition(const announce::VipEvent& e)
{
    const auto at = std::chrono::system_clock::now();
    const std::string from(announce::to_string(e.from));
    const std::string to(announce::to_string(e.to));
    metrics_.on_vip_transition(e.vip, from, to, e.reason, at);
    log_.write(LogLevel::info, "vip",
               {{"vip", e.vip}, {"from", from}, {"to", to}, {"cause", e.reason}, {"rule", e.rule}});
    if (listener_)
        listener_({at, "vip", e.vip, from, to, e.reason});
}

void EventLog::probe(const health::Probe& p)
{
    // Counted like the Monitor's failures: any result but up (maintenance has its own cause).
    if (p.event)
        metrics_.on_check_event(p.check, p.outcome.reason);
    else
        metrics_.on_probe(p.check, p.outcome.took, p.outcome.up(), p.outcome.reason);
}

void EventLog::check_error(std::string_view check, std::string_view what)
{
    log_.write(LogLevel::error, "health",
               {{"check", std::string(check)}, {"error", std::string(what)}});
}

void EventLog::loopback(const LoopbackEvent& e)
{
    using Kind = LoopbackEvent::Kind;
    const std::string prefix = e.prefix.to_string();
    switch (e.kind) {
    case Kind::added:
    case Kind::removed:
        log_.write(LogLevel::info, "loopback",
                   {{"event", e.kind == Kind::added ? "added" : "removed"},
                    {"prefix", prefix},
                    {"interface", e.interface}});
        return;
    case Kind::present_before:
        log_.write(LogLevel::warning, "loopback",
                   {{"event", fmt::format("{} on {} was present before vipd; it is left in place",
                                          prefix, e.interface)},
                    {"prefix", prefix},
                    {"interface", e.interface}});
        return;
    case Kind::error:
        log_.write(LogLevel::error, "loopback", {{"prefix", prefix}, {"error", e.error}});
        return;
    }
}

} // namespace vipd::cli
