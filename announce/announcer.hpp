// The Announcer keeps every VIP's route in line with its rule: it receives leaf state changes
// and clock ticks (time passed in), re-evaluates the VIPs that depend on a changed leaf,
// applies flap damping, operator drains and the start-up gate, and applies the resulting
// intents idempotently to a RouteSink (an unchanged route is never sent again). It tells its
// driver when it next needs a tick (next_deadline) and when the initial table is complete
// (ready: the speaker may then send it and End-of-RIB).
// A check's transition arrives as health reports it (check_changed): the Announcer finds the
// leaves named like the check and maps the check's state onto them (announce/leaf.hpp).
// Must not: read the clock, log (events go to an EventHandler), build BGP messages, or probe.
// STYLE §7.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "announce/damping.hpp"
#include "announce/evaluation.hpp"
#include "announce/policy.hpp"
#include "announce/vip.hpp"
#include "bgp/rib.hpp"
#include "bgp/types.hpp"
#include "health/transition.hpp"

namespace vipd::announce {

/// Where routes go (the BGP speaker's Loc-RIB in the daemon).
class RouteSink
{
public:
    virtual ~RouteSink() = default;
    /// Add `prefix`, or replace its attributes.
    virtual void announce(const bgp::Prefix& prefix, const bgp::RouteSpec& spec) = 0;
    /// Remove `prefix` (only called for a prefix that was announced).
    virtual void withdraw(const bgp::Prefix& prefix) = 0;
};

/// A VIP changed state, attributes or reason: one log line.
struct VipEvent
{
    std::string vip;
    VipState from = VipState::waiting;
    VipState to = VipState::waiting;
    std::string reason;
    std::string rule; ///< one-line evaluation, `all(web=up) -> up`
    TimePoint at{};
};

/// `vip=web withdrawn->announced cause="rule up" rule="all(web=up) -> up"`.
[[nodiscard]] std::string to_string(const VipEvent& e);

using EventHandler = std::function<void(const VipEvent&)>;

struct AnnouncerOptions
{
    /// Start-up: how long to wait for every leaf's first verdict before deciding anyway
    /// (leaves still unknown then count as down).
    std::chrono::seconds startup_grace{30};
};

/// What `vipctl status` / `vipctl explain` show for one VIP.
struct VipStatus
{
    std::string name;
    std::vector<bgp::Prefix> prefixes;
    VipState state = VipState::waiting;
    std::string reason;
    std::string rule;                               ///< canonical rule text
    Evaluation evaluation;                          ///< rule tree with each leaf's state and cause
    std::optional<bgp::RouteAttributes> attributes; ///< in effect (before per-family next hop)
    DampingStatus damping;
    bool drained = false;
    std::optional<TimePoint> drain_end;
    std::optional<TimePoint> last_change; ///< last state change
    std::vector<Reference> waiting_for;   ///< leaves without a verdict
    std::uint64_t evaluations = 0;        ///< times the rule was evaluated
};

class Announcer
{
public:
    /// `start` begins the start-up grace period. `sink` must outlive the Announcer.
    Announcer(RouteSink& sink, TimePoint start, AnnouncerOptions options = {},
              EventHandler on_event = {});
    Announcer(const Announcer&) = delete;
    Announcer& operator=(const Announcer&) = delete;

    /// Loads a new VIP list (the first call loads the initial one). Invalid lists change
    /// nothing. VIPs are matched by name: a kept VIP keeps its damping history and drain
    /// (with the drain end computed when it started); prefixes no VIP owns any more are
    /// withdrawn; routes whose spec is unchanged are not re-sent. Errors: see validate().
    [[nodiscard]] tl::expected<void, VipConfigError> reconfigure(std::vector<VipConfig> vips,
                                                                 TimePoint now);

    /// The VIP list in force, in configuration order (the Announcer owns it: a VIP may hold
    /// 100,000 prefixes, kept once).
    [[nodiscard]] std::vector<const VipConfig*> configs() const;
    [[nodiscard]] const VipConfig* config(std::string_view vip) const;
    /// Every leaf some VIP's rule uses, once each.
    [[nodiscard]] std::vector<Reference> references() const;

    /// A leaf's state or cause changed. Re-evaluates only the VIPs that use it.
    void leaf_changed(const Reference& leaf, LeafStatus status, TimePoint now);
    /// A check changed state (the Monitor's transition, forwarded as is): every rule leaf named
    /// `transition.check` (leaf_name) takes leaf_status() of it. Leaves no VIP uses are ignored.
    void check_changed(const health::Transition& transition, TimePoint now);
    /// Time passed: ends damping holds, drains and the start-up grace period that are due.
    void tick(TimePoint now);
    /// The earliest time tick() has work to do, if any.
    [[nodiscard]] std::optional<TimePoint> next_deadline() const;
    /// True once the start-up gate opened: every route of the initial table was applied.
    [[nodiscard]] bool ready() const { return ready_; }

    /// Operator drain: announce with GRACEFUL_SHUTDOWN for the VIP's drain time, then
    /// withdraw; a VIP not announced at that moment is drained at once (it will not be
    /// announced until undrained). False if no VIP has that name. Draining a drained VIP
    /// changes nothing.
    bool drain(std::string_view vip, TimePoint now);
    bool undrain(std::string_view vip, TimePoint now);
    void drain_all(TimePoint now);
    void undrain_all(TimePoint now);
    /// Start-up: mark VIPs drained as persisted (already withdrawn, no drain period).
    /// Returns the names that match no VIP.
    std::vector<std::string> restore_drained(const std::vector<std::string>& names, TimePoint now);
    /// Names of the drained VIPs, sorted (what the daemon persists).
    [[nodiscard]] std::vector<std::string> drained() const;

    [[nodiscard]] std::vector<VipStatus> status(TimePoint now) const;
    [[nodiscard]] std::optional<VipStatus> status(std::string_view vip, TimePoint now) const;
    /// The last known status of a leaf (unknown if never reported).
    [[nodiscard]] LeafStatus leaf(const Reference& ref) const;
    /// What is at the sink now, per prefix (built on demand: for tests and diagnostics).
    [[nodiscard]] std::map<bgp::Prefix, bgp::RouteSpec> applied() const;

private:
    struct Vip
    {
        VipConfig config;
        std::vector<Reference> deps;
        Evaluation evaluation;
        Damper damper;
        std::optional<TimePoint> drain_end;
        RouteIntent intent;
        std::optional<TimePoint> last_change;
        std::uint64_t evaluations = 0;
        /// What every prefix of this VIP has at the sink, per family (0: IPv4, 1: IPv6); null:
        /// withdrawn. One spec for up to 100,000 prefixes, and an unchanged decision costs O(1).
        std::shared_ptr<const bgp::RouteSpec> applied[2];
        /// Index in config.prefixes of the first prefix of each family (size(): none).
        std::size_t first[2] = {0, 0};
    };
    using Applied = std::map<bgp::Prefix, std::shared_ptr<const bgp::RouteSpec>>;

    Vip* find(std::string_view name);
    [[nodiscard]] const Vip* find(std::string_view name) const;
    void evaluate(Vip& vip, TimePoint now);
    void update(Vip& vip, TimePoint now, const Applied* before = nullptr);
    void apply(Vip& vip, const Applied* before);
    /// What the sink has, per prefix, from the VIPs' per-family specs.
    [[nodiscard]] Applied applied_specs() const;
    void check_gate(TimePoint now);
    void emit(const Vip& vip, VipState from, TimePoint now);
    void rebuild_dependents();
    [[nodiscard]] VipStatus status_of(const Vip& vip, TimePoint now) const;

    RouteSink* sink_;
    AnnouncerOptions options_;
    EventHandler on_event_;
    TimePoint start_;
    bool configured_ = false; ///< reconfigure() succeeded once: the gate may open
    bool ready_ = false;
    std::vector<Vip> vips_;
    std::map<Reference, LeafStatus> leaves_;
    std::map<Reference, std::vector<std::size_t>> dependents_; ///< leaf -> indices in vips_
    std::map<std::string, std::vector<Reference>, std::less<>> by_name_; ///< leaf_name -> leaves
};

} // namespace vipd::announce
