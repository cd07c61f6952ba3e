// Hook decisions (see hook_plan.hpp): events, filters, environment, coalescing.
#include "cli/daemon/hook_plan.hpp"

#include <algorithm>
#include <array>

namespace vipd::cli {

namespace {

constexpr std::string_view established = "Established";

bool listed(const std::vector<std::string>& names, const std::string& name)
{
    return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<HookTrigger> vip_trigger(std::string_view state)
{
    constexpr std::array triggers{HookTrigger::announced, HookTrigger::degraded,
                                  HookTrigger::withdrawn, HookTrigger::held_down,
                                  HookTrigger::draining,  HookTrigger::drained};
    for (auto t : triggers)
        if (to_string(t) == state)
            return t;
    return std::nullopt;
}

} // namespace

std::optional<HookEvent> hook_event(const TransitionRecord& record,
                                    std::vector<std::string> prefixes)
{
    HookEvent e;
    e.subject = record.name;
    e.state = record.to;
    e.previous_state = record.from;
    e.reason = record.cause;
    e.time = format_utc(record.at);
    if (record.kind == "vip") {
        auto t = vip_trigger(record.to);
        if (!t)
            return std::nullopt;
        e.trigger = *t;
        e.prefixes = std::move(prefixes);
        return e;
    }
    if (record.kind == "neighbor" && (record.to == established) != (record.from == established)) {
        e.trigger =
            record.to == established ? HookTrigger::neighbor_up : HookTrigger::neighbor_down;
        return e;
    }
    return std::nullopt;
}

bool matches(const HookConfig& hook, const HookEvent& event)
{
    if (!hook.events.empty() &&
        std::find(hook.events.begin(), hook.events.end(), event.trigger) == hook.events.end())
        return false;
    return listed(event.is_neighbor() ? hook.neighbors : hook.vips, event.subject);
}

std::vector<std::string> hook_env(const HookConfig& hook, const HookRun& run)
{
    const HookEvent& e = run.event;
    std::vector<std::string> env = hook.env;
    std::string prefixes;
    for (const auto& p : e.prefixes)
        prefixes += (prefixes.empty() ? "" : " ") + p;
    env.push_back("VIPD_HOOK=" + hook.name);
    env.push_back("VIPD_EVENT=" + std::string(to_string(e.trigger)));
    env.push_back((e.is_neighbor() ? "VIPD_NEIGHBOR=" : "VIPD_VIP=") + e.subject);
    env.push_back("VIPD_STATE=" + e.state);
    env.push_back("VIPD_PREVIOUS_STATE=" + e.previous_state);
    env.push_back("VIPD_PREFIXES=" + prefixes);
    env.push_back("VIPD_REASON=" + e.reason);
    env.push_back("VIPD_TIME=" + e.time);
    env.push_back("VIPD_COALESCED=" + std::to_string(run.coalesced));
    return env;
}

std::optional<HookRun> HookQueue::offer(HookEvent event)
{
    if (!running_) {
        running_ = true;
        return HookRun{std::move(event), 0};
    }
    auto same = std::find_if(pending_.begin(), pending_.end(), [&](const HookRun& r) {
        return r.event.subject == event.subject && r.event.is_neighbor() == event.is_neighbor();
    });
    if (same != pending_.end()) {
        event.previous_state = std::move(same->event.previous_state);
        same->event = std::move(event);
        ++same->coalesced;
        return std::nullopt;
    }
    if (pending_.size() == max_pending) {
        pending_.pop_front();
        ++dropped_;
    }
    pending_.push_back({std::move(event), 0});
    return std::nullopt;
}

std::optional<HookRun> HookQueue::finished()
{
    if (pending_.empty()) {
        running_ = false;
        return std::nullopt;
    }
    HookRun next = std::move(pending_.front());
    pending_.pop_front();
    return next;
}

} // namespace vipd::cli
