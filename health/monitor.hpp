// The health Monitor: the Asio shell around the pure parts. It owns named checks and HAProxy
// instances, schedules probes (interval, fast interval while init/rising/falling, start-up jitter
// from a seeded RNG), bounds every probe with the same timeout mechanism (a timer that emits
// terminal cancellation into the probe), feeds RiseFall, and pushes each state change to the
// observers at once; an event-driven check (Check::watch) pushes a down target between probes and
// the Monitor applies it in the same event-loop turn. Built for thousands of checks: one timer
// serves them all (deadlines in per-tick buckets: next probe, probe timeout), an idle check is one
// entry in it (no coroutine frame; a probe runs one unless its kind needs none: Check::start), and
// deadlines are rounded up to a 10 ms tick so that checks due together share one wake-up of the
// loop. One io_context, one thread: not thread-safe, by design. No logging: errors reach observers
// too. Knows nothing of prefixes, MED or peers.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/container/small_vector.hpp>
#include <tl/expected.hpp>

#include "health/check_spec.hpp"
#include "health/haproxy_source.hpp"
#include "health/rise_fall.hpp"
#include "health/transition.hpp"

namespace vipd::health {

/// One probe result, delivered before any transition it causes; valid during the callback only.
struct Probe
{
    std::string_view check;
    std::string_view kind;
    const Outcome& outcome; ///< status, cause and latency
    bool timed_out = false;
    bool admin_disabled = false; ///< counted for metrics, ignored by rise/fall
    bool event = false; ///< reported by the check between probes (Check::watch), not probed
};

/// What the announce layer (and the CLI's status/log sink) implements. Called synchronously on
/// the event loop; callbacks may call back into the Monitor (e.g. remove a check).
class Observer
{
public:
    virtual ~Observer() = default;
    virtual void on_transition(const Transition& transition) = 0;
    /// Every probe (and every HAProxy reference per poll), for latency and failure metrics.
    virtual void on_probe(const Probe& /*probe*/) {}
    /// A probe or poll coroutine failed unexpectedly (a bug, not a down target).
    virtual void on_error(std::string_view /*check*/, std::string_view /*what*/) {}
};

/// Status of one check for `vipctl status`.
struct CheckSnapshot
{
    std::string name;
    std::string kind;
    State state = State::init;
    std::string cause; ///< of the last transition
    bool serving = false;
    bool admin_disabled = false;
    unsigned streak = 0; ///< successes rising / failures falling
    RiseFallConfig counts;
    std::optional<Outcome> last; ///< last probe result and its latency
    std::uint64_t probes = 0;
    std::uint64_t failures = 0; ///< probes not up (timeouts included)
    std::uint64_t timeouts = 0;
    std::uint64_t transitions = 0;
    std::chrono::steady_clock::time_point since; ///< when the current state was entered
};

struct MonitorOptions
{
    std::uint64_t seed = 0; ///< start-up jitter RNG seed (tests pin it; the daemon randomises)
};

class Monitor
{
public:
    explicit Monitor(boost::asio::any_io_executor executor, MonitorOptions options = {});
    ~Monitor(); ///< stop()s: cancels probes, kills exec children
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    void add_observer(Observer& observer);
    void remove_observer(Observer& observer);

    /// Poll `config` once per interval for the HAProxy references that name it.
    [[nodiscard]] tl::expected<void, std::string> add_haproxy(HaproxyInstanceConfig config);
    /// New settings for an instance; its references keep their state.
    [[nodiscard]] tl::expected<void, std::string> replace_haproxy(HaproxyInstanceConfig config);
    /// Error while a check still refers to it.
    [[nodiscard]] tl::expected<void, std::string> remove_haproxy(std::string_view name);

    /// Start a new check (state init). Errors: duplicate name, invalid config, unknown instance.
    [[nodiscard]] tl::expected<void, std::string> add(CheckSpec spec);
    /// Config reload: identical spec -> nothing; same probe, new timing -> state kept;
    /// new probe -> state back to init (published, cause "reconfigured"). Adds when absent.
    /// On error the old check keeps running.
    [[nodiscard]] tl::expected<void, std::string> replace(CheckSpec spec);
    /// Stop and forget a check (no transition is published). False when unknown.
    bool remove(std::string_view name);

    /// Probe now (a reference: poll its instance now). False when unknown.
    bool check_now(std::string_view name);
    /// Operator disable/enable: state `disabled` with `reason` / back to `init`. Probes go on.
    bool disable(std::string_view name, std::string reason = "disabled by operator");
    bool enable(std::string_view name, std::string reason = "enabled by operator");

    [[nodiscard]] std::optional<CheckSnapshot> snapshot(std::string_view name) const;
    [[nodiscard]] std::vector<CheckSnapshot> snapshot() const; ///< sorted by name
    [[nodiscard]] std::size_t size() const { return checks_.size(); }

    /// Stop every check and poll; the Monitor is empty afterwards.
    void stop();

    struct Runner;
    struct CheckEntry;
    struct InstanceEntry;
    struct Deadlines;

private:
    void schedule(const std::shared_ptr<CheckEntry>& entry, std::chrono::milliseconds delay,
                  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    /// Probe a sleeping check now (check_now, enable); a probing one probes again when done.
    void wake(const std::shared_ptr<CheckEntry>& entry);
    void launch(const std::shared_ptr<CheckEntry>& entry);
    /// The checks' deadlines that are due: probes started, probes past their timeout cancelled.
    void on_deadlines();
    void finish(const std::shared_ptr<CheckEntry>& entry, std::exception_ptr error,
                std::optional<Outcome> outcome, std::chrono::steady_clock::time_point start);
    boost::asio::awaitable<void> run_instance(std::shared_ptr<InstanceEntry> entry,
                                              std::chrono::milliseconds first_delay);
    void start(const std::shared_ptr<CheckEntry>& entry);
    void start(const std::shared_ptr<InstanceEntry>& entry);
    void record(CheckEntry& entry, Outcome outcome, bool timed_out, bool event = false);
    void on_report(const std::shared_ptr<CheckEntry>& entry, Outcome outcome);
    /// Calls f(Observer&) for each observer, over a copy of the list, skipping any that a
    /// callback removed meanwhile.
    template <typename F> void notify(F&& f)
    {
        const boost::container::small_vector<Observer*, 8> observers(observers_.begin(),
                                                                     observers_.end());
        for (auto* o : observers)
            if (std::find(observers_.begin(), observers_.end(), o) != observers_.end())
                f(*o);
    }
    void publish(CheckEntry& entry, const Change& change, std::chrono::microseconds took);
    void report_error(std::string_view name, std::string_view what);
    std::chrono::milliseconds draw_jitter(std::chrono::milliseconds bound);
    tl::expected<std::shared_ptr<CheckEntry>, std::string> build(CheckSpec spec);

    boost::asio::any_io_executor executor_;
    std::shared_ptr<Deadlines> deadlines_; ///< shared with its timer's handler
    std::mt19937_64 rng_;
    std::vector<Observer*> observers_;
    std::map<std::string, std::shared_ptr<CheckEntry>, std::less<>> checks_;
    std::map<std::string, std::shared_ptr<InstanceEntry>, std::less<>> instances_;
};

} // namespace vipd::health
