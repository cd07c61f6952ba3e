// Monitor: scheduling, timeouts, rise/fall feeding and publication of transitions.
// Timeout mechanism, the same for every kind: each probe is started (Check::start: its coroutine
// spawned, or a bare connect's kernel wait) with a handler bound to the check's cancellation
// slot; a deadline armed for each probe emits terminal cancellation into whatever operation the
// probe awaits, the probe unwinds (closing sockets, killing children), and its completion is
// recorded as "timeout after N s". The checks' deadlines (next probe, probe
// timeout) live in per-tick buckets served by one timer (Deadlines); a HAProxy instance's poll loop
// uses its own timer.
#include "health/monitor.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>
#include <iterator>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

namespace vipd::health {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct Monitor::Runner
{
    explicit Runner(const asio::any_io_executor& executor) : timer(executor) {}

    asio::steady_timer timer; // sleeps between probes, and the timeout of the current probe
    asio::cancellation_signal signal;
    std::uint64_t seq = 0;
    bool probing = false;
    bool sleeping = false;
    bool wake = false;
    bool stopped = false;
    bool timed_out = false;

    void stop()
    {
        stopped = true;
        timer.cancel();
        if (probing) {
            signal.emit(asio::cancellation_type::terminal);
        }
    }
    void poke()
    {
        wake = true;
        if (sleeping) {
            timer.cancel();
        }
    }
};

struct Monitor::CheckEntry : Monitor::Runner
{
    using Runner::Runner;

    std::uint64_t wake_seq = 0; // names the pending "probe now" deadline; stale ones are skipped
    CheckSpec spec;
    std::string kind;
    std::unique_ptr<Check> check;  // null for a HAProxy reference
    std::optional<HaproxyRef> ref; // set for a HAProxy reference
    RiseFall rise_fall;
    std::optional<Outcome> last;
    std::uint64_t probes = 0;
    std::uint64_t failures = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t transitions = 0;
    Clock::time_point since = Clock::now();
};

struct Monitor::InstanceEntry : Monitor::Runner
{
    InstanceEntry(const asio::any_io_executor& executor, HaproxySource s)
        : Runner(executor), source(std::move(s))
    {}

    HaproxySource source;
    std::vector<std::shared_ptr<CheckEntry>> refs;
};

// Every check's deadlines (next probe, probe timeout), rounded up to the 10 ms tick, in one
// bucket per tick, served by one timer armed for the earliest tick: a deadline costs an append
// to its tick's vector (thousands of checks share a few hundred ticks), and the due ones are
// taken a whole tick at a time, in the order they were set. Entries are never removed early: a
// stale one (the check stopped, probed again or finished) is skipped when it comes due.
struct Monitor::Deadlines
{
    explicit Deadlines(const asio::any_io_executor& executor) : timer(executor) {}

    struct Item
    {
        std::uint64_t seq; // CheckEntry::wake_seq (a probe) or Runner::seq (its timeout)
        bool timeout;
        std::weak_ptr<CheckEntry> entry;
    };
    using Bucket = std::vector<Item>;

    asio::steady_timer timer;
    std::map<Clock::time_point, Bucket> ticks; // keys are on the tick (on_tick)
    std::vector<Bucket> spare;                 // emptied buckets, their capacity kept
    Monitor* monitor = nullptr; // null once the Monitor is gone (the handler holds this struct)
    std::optional<Clock::time_point> armed; // expiry of the pending wait
    bool serving = false;                   // inside on_deadlines: arm once, at the end

    void push(Clock::time_point at, Item item)
    {
        // Deadlines mostly come in time order (now + interval, now + timeout): the last tick,
        // or a new one after it, found without a walk down the tree.
        auto it = ticks.end();
        if (ticks.empty() || std::prev(it)->first < at) {
            it = ticks.emplace_hint(it, at, spare_bucket());
        } else if (std::prev(it)->first == at) {
            --it;
        } else {
            auto [found, fresh] = ticks.try_emplace(at);
            if (fresh) {
                found->second = spare_bucket();
            }
            it = found;
        }
        it->second.push_back(std::move(item));
    }
    Bucket spare_bucket()
    {
        if (spare.empty()) {
            return {};
        }
        auto bucket = std::move(spare.back());
        spare.pop_back();
        return bucket;
    }
    // The earliest tick's items if it is due by `now` (its bucket then leaves the map).
    std::optional<Bucket> take_due(Clock::time_point now)
    {
        if (ticks.empty() || ticks.begin()->first > now) {
            return std::nullopt;
        }
        return std::move(ticks.extract(ticks.begin()).mapped());
    }
    void recycle(Bucket bucket)
    {
        bucket.clear();
        if (spare.size() < max_spare) {
            spare.push_back(std::move(bucket));
        }
    }
    // Arm the timer for the earliest deadline unless it already is.
    static void arm(const std::shared_ptr<Deadlines>& d)
    {
        if (d->ticks.empty() || d->serving || (d->armed && *d->armed <= d->ticks.begin()->first)) {
            return;
        }
        d->armed = d->ticks.begin()->first;
        d->timer.expires_at(*d->armed);
        d->timer.async_wait([d](boost::system::error_code ec) {
            if (!ec && d->monitor != nullptr) {
                d->monitor->on_deadlines();
            }
        });
    }

    static constexpr std::size_t max_spare = 64;
};

namespace {

using Runner = Monitor::Runner;
using Deadlines = Monitor::Deadlines;

constexpr auto tick = std::chrono::duration_cast<Clock::duration>(milliseconds{10});

// Round a deadline up to the 10 ms tick: checks due within the same tick share one wake-up.
Clock::time_point on_tick(Clock::time_point t)
{
    const auto rem = t.time_since_epoch() % tick;
    return rem == Clock::duration::zero() ? t : t + (tick - rem);
}

// Sleep `delay` unless poked (check_now) or stopped.
asio::awaitable<void> sleep(Runner& r, milliseconds delay)
{
    if (r.wake || r.stopped) {
        r.wake = false;
        co_return;
    }
    r.sleeping = true;
    r.timer.expires_at(on_tick(Clock::now() + delay));
    co_await r.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    r.sleeping = false;
    r.wake = false;
}

// The timeout of the runner's next probe (a check's deadline, or bounded()'s timer): sequence
// number of that probe.
std::uint64_t next_probe(Runner& r)
{
    r.timed_out = false;
    return ++r.seq;
}

// Cancel the probe `seq` if it is still running: what a timeout does.
void expire(Runner& r, std::uint64_t seq)
{
    if (r.probing && r.seq == seq) {
        r.timed_out = true;
        r.signal.emit(asio::cancellation_type::terminal);
    }
}

// Await `op` (a HAProxy instance's poll), cancelled when `timeout` expires on the runner's own
// timer; nullopt on timeout or stop. Other exceptions are rethrown after the cancellation state
// is clean again.
template <class T>
asio::awaitable<std::optional<T>> bounded(std::shared_ptr<Runner> r, asio::awaitable<T> op,
                                          milliseconds timeout)
{
    const auto seq = next_probe(*r);
    r->timer.expires_at(on_tick(Clock::now() + timeout));
    r->timer.async_wait([weak = std::weak_ptr<Runner>(r), seq](boost::system::error_code ec) {
        if (auto runner = weak.lock(); !ec && runner) {
            expire(*runner, seq);
        }
    });
    r->probing = true;
    std::optional<T> result;
    std::exception_ptr failure;
    try {
        result.emplace(co_await std::move(op));
    } catch (...) {
        failure = std::current_exception();
    }
    r->probing = false;
    r->timer.cancel();
    co_await asio::this_coro::reset_cancellation_state();
    if (r->timed_out || r->stopped) {
        co_return std::nullopt;
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return result;
}

std::string what(const std::exception_ptr& ep)
{
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

milliseconds elapsed_since(Clock::time_point start)
{
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

std::chrono::microseconds latency_since(Clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

} // namespace

Monitor::Monitor(asio::any_io_executor executor, MonitorOptions options)
    : executor_(std::move(executor)), deadlines_(std::make_shared<Deadlines>(executor_)),
      rng_(options.seed)
{
    deadlines_->monitor = this;
}

Monitor::~Monitor()
{
    stop();
    deadlines_->monitor = nullptr;
    deadlines_->timer.cancel();
}

void Monitor::add_observer(Observer& observer)
{
    observers_.push_back(&observer);
}

void Monitor::remove_observer(Observer& observer)
{
    observers_.erase(std::remove(observers_.begin(), observers_.end(), &observer),
                     observers_.end());
}

milliseconds Monitor::draw_jitter(milliseconds bound)
{
    if (bound.count() <= 0) {
        return milliseconds{0};
    }
    std::uniform_int_distribution<milliseconds::rep> pick(0, bound.count() - 1);
    return milliseconds{pick(rng_)};
}

void Monitor::report_error(std::string_view name, std::string_view text)
{
    notify([&](Observer& o) { o.on_error(name, text); });
}

void Monitor::publish(CheckEntry& entry, const Change& change, std::chrono::microseconds took)
{
    ++entry.transitions;
    entry.since = Clock::now();
    const Transition t{entry.spec.name,
                       entry.kind,
                       change.from,
                       change.to,
                       change.cause,
                       took,
                       entry.rise_fall.serving(),
                       entry.rise_fall.settled()};
    notify([&](Observer& o) { o.on_transition(t); });
}

void Monitor::record(CheckEntry& entry, Outcome outcome, bool timed_out, bool event)
{
    ++entry.probes;
    entry.failures += outcome.up() ? 0 : 1;
    entry.timeouts += timed_out ? 1 : 0;
    const auto took = outcome.took;
    auto change = event ? entry.rise_fall.observe_gone(outcome) : entry.rise_fall.observe(outcome);
    const Probe probe{
        entry.spec.name, entry.kind, outcome, timed_out, entry.rise_fall.admin_disabled(), event};
    notify([&](Observer& o) { o.on_probe(probe); });
    entry.last = std::move(outcome);
    if (change) {
        publish(entry, *change, took);
    }
}

// What an event-driven check reported between probes: applied now, not at the next probe.
void Monitor::on_report(const std::shared_ptr<CheckEntry>& e, Outcome outcome)
{
    outcome.took = std::chrono::microseconds{0};
    record(*e, std::move(outcome), false, true);
}

// Callbacks and runners touch the Monitor only while their entry is not stopped (~Monitor
// stops them all first).
void Monitor::schedule(const std::shared_ptr<CheckEntry>& e, milliseconds delay,
                       Clock::time_point now)
{
    if (e->stopped) {
        return;
    }
    if (e->wake) {
        delay = milliseconds{0};
        e->wake = false;
    }
    e->sleeping = true;
    deadlines_->push(on_tick(now + delay), {++e->wake_seq, false, e});
    Deadlines::arm(deadlines_);
}

void Monitor::wake(const std::shared_ptr<CheckEntry>& e)
{
    e->wake = true;
    if (!e->sleeping) {
        return; // probing: schedule() sees `wake` when it ends
    }
    ++e->wake_seq; // the pending deadline is stale now
    e->sleeping = false;
    asio::post(executor_, [this, weak = std::weak_ptr<CheckEntry>(e)] {
        const auto entry = weak.lock();
        if (entry && !entry->stopped) {
            entry->wake = false;
            launch(entry);
        }
    });
}

void Monitor::on_deadlines()
{
    auto& d = *deadlines_;
    d.armed.reset();
    d.serving = true;
    const auto now = Clock::now();
    while (auto due = d.take_due(now)) {
        for (const auto& item : *due) {
            const auto e = item.entry.lock();
            if (!e || e->stopped) {
                continue;
            }
            if (item.timeout) {
                expire(*e, item.seq);
            } else if (e->sleeping && e->wake_seq == item.seq) {
                e->sleeping = false;
                e->wake = false;
                launch(e);
            }
        }
        d.recycle(std::move(*due));
    }
    d.serving = false;
    Deadlines::arm(deadlines_);
}

void Monitor::launch(const std::shared_ptr<CheckEntry>& e)
{
    const auto start = Clock::now();
    deadlines_->push(on_tick(start + e->spec.timing.timeout), {next_probe(*e), true, e});
    Deadlines::arm(deadlines_);
    e->probing = true;
    e->check->start(
        executor_,
        asio::bind_cancellation_slot(
            e->signal.slot(), [this, e, start](std::exception_ptr error, Outcome outcome) {
                e->probing = false;
                if (e->stopped) {
                    return;
                }
                if (e->timed_out) { // the outcome of the cancellation, not a verdict
                    finish(e, nullptr, std::nullopt, start);
                } else if (error) {
                    finish(e, std::move(error), std::nullopt, start);
                } else {
                    finish(e, nullptr, std::move(outcome), start);
                }
            }));
}

void Monitor::finish(const std::shared_ptr<CheckEntry>& e, std::exception_ptr error,
                     std::optional<Outcome> outcome, Clock::time_point start)
{
    const auto& timing = e->spec.timing;
    bool timed_out = false;
    if (error) {
        const auto text = what(error);
        report_error(e->spec.name, text);
        outcome = down({Reason::other, fmt::format("probe failed: {}", text)});
    } else if (!outcome) {
        timed_out = true;
        outcome = down(
            {Reason::timeout, fmt::format("timeout after {}", readable_duration(timing.timeout))});
    }
    const auto now = Clock::now();
    outcome->took = std::chrono::duration_cast<std::chrono::microseconds>(now - start);
    record(*e, std::move(*outcome), timed_out);
    const auto state = e->rise_fall.state();
    const bool fast = state == State::init || state == State::rising || state == State::falling;
    // Intervals run from probe start to probe start (a slow probe does not stretch the period).
    const auto period = fast ? timing.fast_interval : timing.interval;
    schedule(
        e,
        std::max(milliseconds{0}, period - std::chrono::duration_cast<milliseconds>(now - start)),
        now);
}

asio::awaitable<void> Monitor::run_instance(std::shared_ptr<InstanceEntry> e,
                                            milliseconds first_delay)
{
    const auto& config = e->source.config();
    co_await sleep(*e, first_delay);
    while (!e->stopped) {
        const auto start = Clock::now();
        std::optional<tl::expected<StatTable, std::string>> polled;
        try {
            polled = co_await bounded<tl::expected<StatTable, std::string>>(e, e->source.poll(),
                                                                            config.timeout);
        } catch (...) {
            const auto text = what(std::current_exception());
            report_error(config.name, text);
            polled = tl::unexpected(fmt::format("poll failed: {}", text));
        }
        if (e->stopped) {
            break;
        }
        const auto took = latency_since(start);
        const auto refs = e->refs; // observers may remove checks while we publish
        for (const auto& ref : refs) {
            if (ref->stopped || e->stopped) {
                continue;
            }
            Outcome outcome;
            if (!polled) {
                outcome =
                    down({Reason::timeout, fmt::format("haproxy {}: timeout after {}", config.name,
                                                       readable_duration(config.timeout))});
            } else if (!*polled) {
                outcome = down(
                    {Reason::haproxy, fmt::format("haproxy {}: {}", config.name, polled->error())});
            } else {
                outcome = evaluate(**polled, *ref->ref);
            }
            outcome.took = took;
            record(*ref, std::move(outcome), !polled);
        }
        co_await sleep(*e, std::max(milliseconds{0}, config.interval - elapsed_since(start)));
    }
}

void Monitor::start(const std::shared_ptr<CheckEntry>& entry)
{
    if (!entry->check) {
        return; // a HAProxy reference: its instance drives it
    }
    entry->check->watch([this, weak = std::weak_ptr<CheckEntry>(entry)](Outcome outcome) {
        const auto e = weak.lock();
        if (e && !e->stopped) {
            on_report(e, std::move(outcome));
        }
    });
    const auto& timing = entry->spec.timing;
    schedule(entry, draw_jitter(timing.jitter.value_or(timing.interval)));
}

void Monitor::start(const std::shared_ptr<InstanceEntry>& entry)
{
    const auto first_delay = draw_jitter(entry->source.config().jitter);
    asio::co_spawn(executor_, run_instance(entry, first_delay),
                   asio::bind_cancellation_slot(
                       entry->signal.slot(), [this, entry](const std::exception_ptr& ep) {
                           if (ep && !entry->stopped) {
                               report_error(entry->source.config().name, what(ep));
                           }
                       }));
}

tl::expected<void, std::string> Monitor::add_haproxy(HaproxyInstanceConfig config)
{
    if (instances_.count(config.name) != 0) {
        return tl::unexpected(fmt::format("haproxy instance \"{}\" exists", config.name));
    }
    auto source = HaproxySource::make(std::move(config));
    if (!source) {
        return tl::unexpected(source.error());
    }
    auto entry = std::make_shared<InstanceEntry>(executor_, std::move(*source));
    instances_.emplace(entry->source.config().name, entry);
    start(entry);
    return {};
}

tl::expected<void, std::string> Monitor::replace_haproxy(HaproxyInstanceConfig config)
{
    const auto it = instances_.find(config.name);
    if (it == instances_.end()) {
        return add_haproxy(std::move(config));
    }
    if (it->second->source.config() == config) {
        return {};
    }
    auto source = HaproxySource::make(std::move(config));
    if (!source) {
        return tl::unexpected(source.error());
    }
    auto entry = std::make_shared<InstanceEntry>(executor_, std::move(*source));
    entry->refs = std::move(it->second->refs);
    it->second->stop();
    it->second = entry;
    start(entry);
    return {};
}

tl::expected<void, std::string> Monitor::remove_haproxy(std::string_view name)
{
    const auto it = instances_.find(name);
    if (it == instances_.end()) {
        return tl::unexpected(fmt::format("no haproxy instance \"{}\"", name));
    }
    if (!it->second->refs.empty()) {
        return tl::unexpected(fmt::format("haproxy instance \"{}\" is used by check \"{}\"", name,
                                          it->second->refs.front()->spec.name));
    }
    it->second->stop();
    instances_.erase(it);
    return {};
}

tl::expected<std::shared_ptr<Monitor::CheckEntry>, std::string> Monitor::build(CheckSpec spec)
{
    const auto fail = [&spec](const std::string& why) {
        return tl::unexpected(fmt::format("check \"{}\": {}", spec.name, why));
    };
    if (spec.name.empty()) {
        return fail("empty name");
    }
    if (auto ok = validate(spec.timing); !ok) {
        return fail(ok.error());
    }
    auto entry = std::make_shared<CheckEntry>(executor_);
    if (const auto* r = std::get_if<HaproxyRefConfig>(&spec.probe)) {
        auto ref = parse_ref(r->ref);
        if (!ref) {
            return fail(ref.error());
        }
        if (instances_.count(r->instance) == 0) {
            return fail(fmt::format("unknown haproxy instance \"{}\"", r->instance));
        }
        if (r->rise == 0 || r->fall == 0) {
            return fail("rise and fall must be >= 1");
        }
        entry->ref = std::move(*ref);
        entry->rise_fall = RiseFall({r->rise, r->fall, spec.timing.initial});
    } else {
        auto check = make_check(spec.probe);
        if (!check) {
            return fail(check.error());
        }
        entry->check = std::move(*check);
        entry->rise_fall = RiseFall({spec.timing.rise, spec.timing.fall, spec.timing.initial});
    }
    entry->kind = std::string(kind_of(spec.probe));
    entry->spec = std::move(spec);
    return entry;
}

tl::expected<void, std::string> Monitor::add(CheckSpec spec)
{
    if (checks_.count(spec.name) != 0) {
        return tl::unexpected(fmt::format("check \"{}\" exists", spec.name));
    }
    auto entry = build(std::move(spec));
    if (!entry) {
        return tl::unexpected(entry.error());
    }
    const auto& e = *entry;
    checks_.emplace(e->spec.name, e);
    if (e->ref) {
        instances_.at(std::get<HaproxyRefConfig>(e->spec.probe).instance)->refs.push_back(e);
    }
    start(e);
    return {};
}

tl::expected<void, std::string> Monitor::replace(CheckSpec spec)
{
    const auto it = checks_.find(spec.name);
    if (it == checks_.end()) {
        return add(std::move(spec));
    }
    const auto old = it->second;
    if (old->spec == spec) {
        return {};
    }
    auto built = build(std::move(spec));
    if (!built) {
        return tl::unexpected(built.error());
    }
    const auto& fresh = *built;
    const bool same_probe = old->spec.probe == fresh->spec.probe;
    if (same_probe) {
        const auto counts = fresh->rise_fall.config();
        fresh->rise_fall = old->rise_fall;
        fresh->rise_fall.reconfigure(counts);
        fresh->last = old->last;
        fresh->probes = old->probes;
        fresh->failures = old->failures;
        fresh->timeouts = old->timeouts;
        fresh->transitions = old->transitions;
        fresh->since = old->since;
    } else if (old->rise_fall.admin_disabled()) {
        (void)fresh->rise_fall.disable(old->rise_fall.cause());
    }
    remove(old->spec.name);
    checks_.emplace(fresh->spec.name, fresh);
    if (fresh->ref) {
        instances_.at(std::get<HaproxyRefConfig>(fresh->spec.probe).instance)
            ->refs.push_back(fresh);
    }
    if (!same_probe && old->rise_fall.state() != fresh->rise_fall.state()) {
        publish(*fresh, Change{old->rise_fall.state(), fresh->rise_fall.state(), "reconfigured"},
                milliseconds{0});
    }
    start(fresh);
    return {};
}

bool Monitor::remove(std::string_view name)
{
    const auto it = checks_.find(name);
    if (it == checks_.end()) {
        return false;
    }
    const auto entry = it->second;
    entry->stop();
    if (entry->ref) {
        auto& refs = instances_.at(std::get<HaproxyRefConfig>(entry->spec.probe).instance)->refs;
        refs.erase(std::remove(refs.begin(), refs.end(), entry), refs.end());
    }
    checks_.erase(it);
    return true;
}

bool Monitor::check_now(std::string_view name)
{
    const auto it = checks_.find(name);
    if (it == checks_.end()) {
        return false;
    }
    if (it->second->ref) {
        instances_.at(std::get<HaproxyRefConfig>(it->second->spec.probe).instance)->poke();
    } else {
        wake(it->second);
    }
    return true;
}

bool Monitor::disable(std::string_view name, std::string reason)
{
    const auto it = checks_.find(name);
    if (it == checks_.end()) {
        return false;
    }
    const auto entry = it->second;
    if (auto change = entry->rise_fall.disable(std::move(reason))) {
        publish(*entry, *change, milliseconds{0});
    }
    return true;
}

bool Monitor::enable(std::string_view name, std::string reason)
{
    const auto it = checks_.find(name);
    if (it == checks_.end()) {
        return false;
    }
    const auto entry = it->second;
    if (auto change = entry->rise_fall.enable(std::move(reason))) {
        publish(*entry, *change, milliseconds{0});
        check_now(name);
    }
    return true;
}

std::optional<CheckSnapshot> Monitor::snapshot(std::string_view name) const
{
    const auto it = checks_.find(name);
    if (it == checks_.end()) {
        return std::nullopt;
    }
    const auto& e = *it->second;
    return CheckSnapshot{e.spec.name,
                         e.kind,
                         e.rise_fall.state(),
                         e.rise_fall.cause(),
                         e.rise_fall.serving(),
                         e.rise_fall.admin_disabled(),
                         e.rise_fall.streak(),
                         e.rise_fall.config(),
                         e.last,
                         e.probes,
                         e.failures,
                         e.timeouts,
                         e.transitions,
                         e.since};
}

std::vector<CheckSnapshot> Monitor::snapshot() const
{
    std::vector<CheckSnapshot> all;
    all.reserve(checks_.size());
    for (const auto& [name, entry] : checks_) {
        all.push_back(*snapshot(name));
    }
    return all;
}

void Monitor::stop()
{
    for (auto& [name, entry] : checks_) {
        entry->stop();
    }
    for (auto& [name, entry] : instances_) {
        entry->stop();
    }
    checks_.clear();
    instances_.clear();
    deadlines_->ticks.clear();
}

} // namespace vipd::health
