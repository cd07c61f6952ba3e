// Flap damping: back-off sequence, cap, suppressed counters, reset after a quiet period.
#include <catch2/catch.hpp>

#include "announce/damping.hpp"

using namespace vipd::announce;
using namespace std::chrono_literals;

namespace {

const TimePoint t0{};

DampingConfig config()
{
    DampingConfig c;
    c.threshold = 3;
    c.min_hold = 10s;
    c.max_hold = 40s;
    c.reset_after = 60s;
    return c;
}

DampingDecision applied(bool up)
{
    return DampingDecision{up, std::nullopt};
}

DampingDecision held(TimePoint until)
{
    return DampingDecision{false, until};
}

} // namespace

TEST_CASE("damping: exponential back-off between min and max hold", "[announce]")
{
    Damper d(config());
    CHECK(d.feed(true, t0) == applied(true));         // first verdict: not a flap
    CHECK(d.feed(true, t0 + 500ms) == applied(true)); // no change: not a flap
    CHECK(d.feed(false, t0 + 1s) == applied(false));  // flap 1
    CHECK(d.feed(true, t0 + 2s) == applied(true));    // flap 2
    CHECK_FALSE(d.held_until().has_value());

    // Flap 3 reaches the threshold: going down is applied at once, but a hold starts.
    CHECK(d.feed(false, t0 + 3s) == applied(false));
    CHECK(d.held_until() == t0 + 13s);
    CHECK(d.status(t0 + 3s).hold == 10s);

    // Each further flap restarts the hold, twice as long, capped at 40s.
    CHECK(d.feed(true, t0 + 4s) == held(t0 + 24s));  // flap 4: 20s
    CHECK(d.feed(false, t0 + 5s) == applied(false)); // flap 5: 40s
    CHECK(d.held_until() == t0 + 45s);
    CHECK(d.feed(true, t0 + 6s) == held(t0 + 46s)); // flap 6: 80s capped to 40s
    CHECK(d.status(t0 + 6s).hold == 40s);

    CHECK_FALSE(d.tick(t0 + 45s));
    CHECK(d.decision() == held(t0 + 46s));
    CHECK(d.tick(t0 + 46s)); // hold over and still up: apply it
    CHECK(d.decision() == applied(true));
    CHECK_FALSE(d.held_until().has_value());

    const DampingStatus s = d.status(t0 + 46s);
    CHECK(s.flaps == 6);
    CHECK(s.total_flaps == 6);
    CHECK(s.suppressed == 2);
    CHECK_FALSE(s.held_until.has_value());
    CHECK(s.last_change == t0 + 6s);
}

TEST_CASE("damping: a quiet period forgets the flaps", "[announce]")
{
    Damper d(config());
    (void)d.feed(true, t0);
    (void)d.feed(false, t0 + 1s);
    (void)d.feed(true, t0 + 2s);
    (void)d.feed(false, t0 + 3s); // flap 3: hold until 13s
    CHECK(d.status(t0 + 62s).flaps == 3);
    CHECK(d.status(t0 + 63s).flaps == 0); // 60s after the last change
    CHECK(d.status(t0 + 63s).total_flaps == 3);

    CHECK(d.feed(true, t0 + 70s) == applied(true)); // flap 1 of a new window
    CHECK(d.feed(false, t0 + 71s) == applied(false));
    CHECK(d.feed(true, t0 + 72s) == held(t0 + 82s));  // flap 3 again: held 10s
    CHECK(d.feed(false, t0 + 73s) == applied(false)); // flap 4
    CHECK(d.held_until() == t0 + 93s);
    // Changes just under the quiet period keep the window open.
    CHECK(d.feed(true, t0 + 132s) == held(t0 + 172s));
    CHECK(d.status(t0 + 132s).flaps == 5);
}

TEST_CASE("damping: a hold that ends while down applies nothing", "[announce]")
{
    DampingConfig c = config();
    c.threshold = 1;
    Damper d(c);
    (void)d.feed(true, t0);
    CHECK(d.feed(false, t0 + 1s) == applied(false)); // flap 1 = threshold: hold 10s
    CHECK(d.feed(true, t0 + 2s) == held(t0 + 22s));  // flap 2: 20s
    CHECK(d.feed(false, t0 + 3s) == applied(false)); // flap 3: 40s
    CHECK_FALSE(d.tick(t0 + 43s));
    CHECK_FALSE(d.held_until().has_value());
    CHECK(d.decision() == applied(false));
    CHECK(d.status(t0 + 43s).suppressed == 1);
}

TEST_CASE("damping: disabled applies every change but counts flaps", "[announce]")
{
    DampingConfig c = config();
    c.enabled = false;
    Damper d(c);
    (void)d.feed(false, t0);
    for (int i = 1; i <= 10; ++i) {
        const bool up = i % 2 == 1;
        CHECK(d.feed(up, t0 + std::chrono::seconds(i)) == applied(up));
    }
    CHECK_FALSE(d.held_until().has_value());
    CHECK(d.status(t0 + 10s).total_flaps == 10);
    CHECK(d.status(t0 + 10s).suppressed == 0);
}

TEST_CASE("damping: disabling it by reconfiguration ends a hold", "[announce]")
{
    Damper d(config());
    (void)d.feed(false, t0);
    (void)d.feed(true, t0 + 1s);
    (void)d.feed(false, t0 + 2s);
    CHECK(d.feed(true, t0 + 3s) == held(t0 + 13s));
    DampingConfig off = config();
    off.enabled = false;
    d.reconfigure(off);
    CHECK(d.decision() == applied(true));
    CHECK_FALSE(d.held_until().has_value());
    CHECK(d.status(t0 + 3s).total_flaps == 3);
}
