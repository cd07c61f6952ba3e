// Hook runs (see hooks.hpp): one coroutine per run, racing the command against its timeout.
#include "cli/daemon/hooks.hpp"

// GCC 12 false positive on coroutine frames of awaitable operators (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <sys/wait.h>

#include "cli/config/duration.hpp"
#include "health/process.hpp"

namespace vipd::cli {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

struct Hooks::Slot
{
    HookConfig config;
    HookQueue queue;
    bool retired = false; ///< replaced or removed by a reload: its queue is not continued
};

namespace {

/// How a run ended, for the log and the metric's `result` label.
struct RunEnd
{
    std::string result; ///< "ok", "failed", "timeout", "error"
    std::string detail; ///< "exit 0", "killed after the timeout of 2s", "spawn …: …"
    health::ProcessResult process;
};

asio::awaitable<RunEnd> run_command(HookConfig hook, HookRun run)
{
    health::ProcessSpec spec;
    spec.argv =
        hook.shell ? std::vector<std::string>{"/bin/sh", "-c", hook.argv.front()} : hook.argv;
    spec.env = hook_env(hook, run);
    spec.max_output = hook.max_output;
    spec.started = std::make_shared<pid_t>(0);
    auto started = spec.started;
    asio::steady_timer timer(co_await asio::this_coro::executor, hook.timeout);
    auto ended = co_await (health::run_process(std::move(spec)) ||
                           timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (ended.index() == 1) {
        RunEnd end{"timeout",
                   fmt::format("killed after the timeout of {} (its process group)",
                               format_duration(hook.timeout)),
                   {}};
        end.process.pid = *started;
        co_return end;
    }
    auto result = std::get<0>(std::move(ended));
    if (!result.spawned)
        co_return RunEnd{"error", result.error, std::move(result)};
    const int status = result.wait_status;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    co_return RunEnd{ok ? "ok" : "failed", health::describe_wait_status(status), std::move(result)};
}

} // namespace

Hooks::Hooks(asio::any_io_executor executor, Log& log, MetricsRecorder& metrics)
    : executor_(std::move(executor)), log_(log), metrics_(metrics),
      alive_(std::make_shared<bool>(true))
{}

Hooks::~Hooks()
{
    stop();
}

void Hooks::stop()
{
    *alive_ = false;
    for (auto& [name, slot] : slots_)
        slot->retired = true;
    slots_.clear();
}

void Hooks::configure(const std::vector<HookConfig>& hooks)
{
    std::map<std::string, std::shared_ptr<Slot>> next;
    for (const auto& h : hooks) {
        auto it = slots_.find(h.name);
        if (it != slots_.end() && it->second->config == h) {
            next.emplace(h.name, it->second);
            slots_.erase(it);
        } else {
            next.emplace(h.name, std::make_shared<Slot>(Slot{h, {}, false}));
        }
    }
    for (auto& [name, slot] : slots_)
        slot->retired = true;
    slots_ = std::move(next);
}

void Hooks::on_event(const HookEvent& event)
{
    if (!*alive_)
        return;
    for (auto& [name, slot] : slots_) {
        if (!matches(slot->config, event))
            continue;
        const std::size_t dropped = slot->queue.dropped();
        if (auto run = slot->queue.offer(event))
            start(slot, std::move(*run));
        else if (slot->queue.dropped() != dropped)
            log_.write(LogLevel::warning, "hook",
                       {{"hook", name},
                        {"event", "queue full, oldest waiting event dropped"},
                        {"waiting", std::to_string(slot->queue.pending())}});
    }
}

void Hooks::start(std::shared_ptr<Slot> slot, HookRun run)
{
    const auto started = std::chrono::steady_clock::now();
    auto done = [this, slot, run, started, alive = alive_](std::exception_ptr e, RunEnd end) {
        if (!*alive)
            return;
        if (e)
            end = RunEnd{"error", "internal error running the hook", {}};
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        metrics_.on_hook_run(slot->config.name, end.result);
        std::string output = end.process.output;
        if (end.process.output_bytes > output.size())
            output += fmt::format(" [{} bytes in all; the first {} kept]", end.process.output_bytes,
                                  output.size());
        log_.write(end.result == "ok" ? LogLevel::info : LogLevel::warning, "hook",
                   {{"hook", slot->config.name},
                    {"event", std::string(to_string(run.event.trigger))},
                    {run.event.is_neighbor() ? "neighbor" : "vip", run.event.subject},
                    {"result", end.result},
                    {"detail", end.detail},
                    {"pid", end.process.pid ? std::to_string(end.process.pid) : ""},
                    {"took_ms", std::to_string(took.count())},
                    {"output", output}});
        if (slot->retired)
            return;
        if (auto next = slot->queue.finished())
            start(slot, std::move(*next));
    };
    asio::co_spawn(executor_, run_command(slot->config, run), std::move(done));
}

} // namespace vipd::cli
