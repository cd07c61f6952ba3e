// Hook decisions without a process (cli/daemon/hook_plan.hpp): which transitions are hook
// events, the filters, the environment of a run, and the per-hook queue (one run at a time,
// one pending run per subject carrying its latest state).
#include <algorithm>

#include <catch2/catch.hpp>

#include "cli/daemon/hook_plan.hpp"

using vipd::cli::HookConfig;
using vipd::cli::HookEvent;
using vipd::cli::HookQueue;
using vipd::cli::HookRun;
using vipd::cli::HookTrigger;
using vipd::cli::TransitionRecord;

namespace {

TransitionRecord record(std::string kind, std::string name, std::string from, std::string to)
{
    return {std::chrono::system_clock::time_point(std::chrono::seconds(1'765'116'000)),
            std::move(kind),
            std::move(name),
            std::move(from),
            std::move(to),
            "rule up"};
}

HookEvent vip_event(std::string vip, std::string from, std::string to)
{
    auto e = vipd::cli::hook_event(record("vip", std::move(vip), std::move(from), std::move(to)),
                                   {"198.51.100.1/32"});
    REQUIRE(e);
    return *e;
}

bool has(const std::vector<std::string>& env, const std::string& entry)
{
    return std::find(env.begin(), env.end(), entry) != env.end();
}

} // namespace

TEST_CASE("hook events: VIP states and neighbors entering or leaving Established", "[hooks]")
{
    using vipd::cli::hook_event;
    auto announced = hook_event(record("vip", "web", "withdrawn", "announced"), {"192.0.2.1/32"});
    REQUIRE(announced);
    CHECK(announced->trigger == HookTrigger::announced);
    CHECK(announced->subject == "web");
    CHECK(announced->previous_state == "withdrawn");
    CHECK(announced->prefixes == std::vector<std::string>{"192.0.2.1/32"});
    CHECK(announced->time == "2025-12-07T14:00:00.000Z");
    CHECK(hook_event(record("vip", "web", "announced", "held-down"), {})->trigger ==
          HookTrigger::held_down);
    CHECK(hook_event(record("vip", "web", "announced", "draining"), {})->trigger ==
          HookTrigger::draining);
    CHECK_FALSE(hook_event(record("vip", "web", "announced", "waiting"), {}));

    auto up = hook_event(record("neighbor", "tor1", "OpenConfirm", "Established"), {"x"});
    REQUIRE(up);
    CHECK(up->trigger == HookTrigger::neighbor_up);
    CHECK(up->prefixes.empty());
    CHECK(hook_event(record("neighbor", "tor1", "Established", "Idle"), {})->trigger ==
          HookTrigger::neighbor_down);
    CHECK_FALSE(hook_event(record("neighbor", "tor1", "Connect", "Active"), {}));
    CHECK_FALSE(hook_event(record("check", "web", "up", "down"), {}));
}

TEST_CASE("hook filters: events, VIPs and neighbors", "[hooks]")
{
    HookConfig all;
    CHECK(matches(all, vip_event("web", "withdrawn", "announced")));

    HookConfig h;
    h.events = {HookTrigger::withdrawn, HookTrigger::neighbor_down};
    h.vips = {"dns"};
    CHECK_FALSE(matches(h, vip_event("dns", "withdrawn", "announced"))); // not its event
    CHECK_FALSE(matches(h, vip_event("web", "announced", "withdrawn"))); // not its VIP
    CHECK(matches(h, vip_event("dns", "announced", "withdrawn")));
    // "vips" does not filter neighbor events, "neighbors" (empty) lets every neighbor in.
    auto down = vipd::cli::hook_event(record("neighbor", "tor1", "Established", "Idle"), {});
    CHECK(matches(h, *down));
    h.neighbors = {"tor2"};
    CHECK_FALSE(matches(h, *down));
}

TEST_CASE("hook environment", "[hooks]")
{
    HookConfig h;
    h.name = "notify";
    h.env = {"TOKEN=abc"};
    const auto env = hook_env(h, {vip_event("web", "announced", "withdrawn"), 2});
    CHECK(env.front() == "TOKEN=abc");
    for (const char* e :
         {"VIPD_HOOK=notify", "VIPD_EVENT=withdrawn", "VIPD_VIP=web", "VIPD_STATE=withdrawn",
          "VIPD_PREVIOUS_STATE=announced", "VIPD_PREFIXES=198.51.100.1/32", "VIPD_REASON=rule up",
          "VIPD_TIME=2025-12-07T14:00:00.000Z", "VIPD_COALESCED=2"})
        CHECK(has(env, e));
    CHECK(std::none_of(env.begin(), env.end(),
                       [](const std::string& e) { return e.starts_with("VIPD_NEIGHBOR="); }));

    auto up = vipd::cli::hook_event(record("neighbor", "tor1", "OpenConfirm", "Established"), {});
    const auto nenv = hook_env(h, {*up, 0});
    CHECK(has(nenv, "VIPD_NEIGHBOR=tor1"));
    CHECK(has(nenv, "VIPD_EVENT=neighbor-up"));
    CHECK(has(nenv, "VIPD_PREFIXES="));
}

TEST_CASE("hook queue: one run at a time, latest state per subject", "[hooks]")
{
    HookQueue q;
    auto first = q.offer(vip_event("web", "withdrawn", "announced"));
    REQUIRE(first);
    CHECK(first->coalesced == 0);
    CHECK(q.running());

    // While it runs: web flaps twice, dns changes once.
    CHECK_FALSE(q.offer(vip_event("web", "announced", "withdrawn")));
    CHECK_FALSE(q.offer(vip_event("dns", "withdrawn", "announced")));
    CHECK_FALSE(q.offer(vip_event("web", "withdrawn", "degraded")));
    CHECK(q.pending() == 2);

    // web waited first: one run with its latest state and the state before its first change.
    auto second = q.finished();
    REQUIRE(second);
    CHECK(second->event.subject == "web");
    CHECK(second->event.state == "degraded");
    CHECK(second->event.previous_state == "announced");
    CHECK(second->event.trigger == HookTrigger::degraded);
    CHECK(second->coalesced == 1);
    auto third = q.finished();
    REQUIRE(third);
    CHECK(third->event.subject == "dns");
    CHECK(third->coalesced == 0);
    CHECK_FALSE(q.finished());
    CHECK_FALSE(q.running());
    // Idle again: the next event starts at once.
    CHECK(q.offer(vip_event("web", "degraded", "announced")));
}

TEST_CASE("hook queue: a VIP and a neighbor of the same name wait apart", "[hooks]")
{
    HookQueue q;
    REQUIRE(q.offer(vip_event("a", "withdrawn", "announced")));
    CHECK_FALSE(q.offer(vip_event("a", "announced", "withdrawn")));
    CHECK_FALSE(
        q.offer(*vipd::cli::hook_event(record("neighbor", "a", "Idle", "Established"), {})));
    CHECK(q.pending() == 2);
}

TEST_CASE("hook queue: at most max_pending subjects wait, the oldest is dropped", "[hooks]")
{
    HookQueue q;
    REQUIRE(q.offer(vip_event("running", "withdrawn", "announced")));
    for (std::size_t i = 0; i <= HookQueue::max_pending; ++i)
        CHECK_FALSE(q.offer(vip_event("v" + std::to_string(i), "withdrawn", "announced")));
    CHECK(q.pending() == HookQueue::max_pending);
    CHECK(q.dropped() == 1);
    CHECK(q.finished()->event.subject == "v1");
}
