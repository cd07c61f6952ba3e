// The Announcer (see announcer.hpp): per-VIP runtime state, start-up gate, idempotent apply.
#include "announce/announcer.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "announce/leaf.hpp"

namespace vipd::announce {

std::string to_string(const VipEvent& e)
{
    return fmt::format("vip={} {}->{} cause={} rule={}", e.vip, to_string(e.from), to_string(e.to),
                       quote(e.reason), e.rule);
}

Announcer::Announcer(RouteSink& sink, TimePoint start, AnnouncerOptions options,
                     EventHandler on_event)
    : sink_(&sink), options_(options), on_event_(std::move(on_event)), start_(start)
{}

Announcer::Vip* Announcer::find(std::string_view name)
{
    for (auto& v : vips_) {
        if (v.config.name == name)
            return &v;
    }
    return nullptr;
}

const Announcer::Vip* Announcer::find(std::string_view name) const
{
    for (const auto& v : vips_) {
        if (v.config.name == name)
            return &v;
    }
    return nullptr;
}

std::vector<const VipConfig*> Announcer::configs() const
{
    std::vector<const VipConfig*> out;
    out.reserve(vips_.size());
    for (const auto& v : vips_)
        out.push_back(&v.config);
    return out;
}

const VipConfig* Announcer::config(std::string_view vip) const
{
    const Vip* v = find(vip);
    return v ? &v->config : nullptr;
}

std::vector<Reference> Announcer::references() const
{
    std::vector<Reference> out;
    out.reserve(dependents_.size());
    for (const auto& [ref, vips] : dependents_)
        out.push_back(ref);
    return out;
}

LeafStatus Announcer::leaf(const Reference& ref) const
{
    const auto it = leaves_.find(ref);
    return it == leaves_.end() ? LeafStatus{} : it->second;
}

void Announcer::evaluate(Vip& vip, TimePoint now)
{
    vip.evaluation =
        announce::evaluate(vip.config.rule, [this](const Reference& r) { return leaf(r); });
    ++vip.evaluations;
    // Before the first verdict there is nothing to damp; after it, unknown is "not up" like
    // for the route itself, so every route change counts as a flap.
    if (vip.evaluation.result != RuleResult::unknown || vip.damper.has_verdict())
        (void)vip.damper.feed(vip.evaluation.result == RuleResult::up, now);
}

void Announcer::update(Vip& vip, TimePoint now, const Applied* before)
{
    AdminState admin;
    admin.now = now;
    admin.gate_open = ready_;
    admin.unknown_leaves = unknown_leaves(vip.evaluation);
    admin.drain_end = vip.drain_end;
    if (vip.evaluation.result == RuleResult::up) {
        if (const auto held = vip.damper.decision().held_until) {
            const auto d = vip.damper.status(now);
            admin.hold = Hold{*held, d.flaps, d.hold};
        }
    }
    RouteIntent intent = decide(vip.config, vip.evaluation.result, admin);
    if (intent != vip.intent) {
        const RouteIntent old = std::exchange(vip.intent, std::move(intent));
        const bool state_changed = old.state != vip.intent.state;
        if (state_changed)
            vip.last_change = now;
        // While waiting only the list of missing verdicts changes: not worth a log line.
        if (state_changed || old.attributes != vip.intent.attributes ||
            vip.intent.state != VipState::waiting)
            emit(vip, old.state, now);
    }
    if (ready_)
        apply(vip, before);
}

namespace {

std::size_t family_index(const bgp::Prefix& p)
{
    return p.afi() == bgp::Afi::ipv4 ? 0 : 1;
}

bool same_spec(const std::shared_ptr<const bgp::RouteSpec>& a,
               const std::shared_ptr<const bgp::RouteSpec>& b)
{
    return a == b || (a && b && *a == *b);
}

} // namespace

// Hands the sink what changed for `vip`, family by family. Normally the VIP's own applied specs
// say what its prefixes have; after a reconfiguration `before` says it per prefix (prefixes can
// move between VIPs, VIPs gain prefixes).
void Announcer::apply(Vip& vip, const Applied* before)
{
    for (std::size_t f = 0; f < 2; ++f) {
        if (vip.first[f] >= vip.config.prefixes.size()) {
            vip.applied[f].reset();
            continue;
        }
        // route_spec depends on the prefix only through its family's next hop.
        std::shared_ptr<const bgp::RouteSpec> want;
        if (vip.intent.attributes)
            want = std::make_shared<const bgp::RouteSpec>(
                route_spec(vip.config, *vip.intent.attributes, vip.config.prefixes[vip.first[f]]));
        if (!before && same_spec(want, vip.applied[f]))
            continue;
        for (const auto& prefix : vip.config.prefixes) {
            if (family_index(prefix) != f)
                continue;
            std::shared_ptr<const bgp::RouteSpec> had = vip.applied[f];
            if (before) {
                const auto it = before->find(prefix);
                had = it == before->end() ? nullptr : it->second;
            }
            if (same_spec(want, had))
                continue;
            if (want)
                sink_->announce(prefix, *want);
            else
                sink_->withdraw(prefix);
        }
        vip.applied[f] = std::move(want);
    }
}

Announcer::Applied Announcer::applied_specs() const
{
    Applied out;
    for (const auto& v : vips_)
        for (const auto& p : v.config.prefixes)
            if (const auto& spec = v.applied[family_index(p)])
                out.emplace(p, spec);
    return out;
}

std::map<bgp::Prefix, bgp::RouteSpec> Announcer::applied() const
{
    std::map<bgp::Prefix, bgp::RouteSpec> out;
    for (const auto& [p, spec] : applied_specs())
        out.emplace(p, *spec);
    return out;
}

void Announcer::check_gate(TimePoint now)
{
    if (ready_ || !configured_)
        return;
    const bool all_known = std::all_of(vips_.begin(), vips_.end(), [this](const Vip& v) {
        return std::all_of(v.deps.begin(), v.deps.end(), [this](const Reference& r) {
            return leaf(r).state != LeafState::unknown;
        });
    });
    if (!all_known && now < start_ + options_.startup_grace)
        return;
    ready_ = true;
    for (auto& v : vips_)
        update(v, now);
}

void Announcer::emit(const Vip& vip, VipState from, TimePoint now)
{
    if (on_event_)
        on_event_(VipEvent{vip.config.name, from, vip.intent.state, vip.intent.reason,
                           to_string(vip.evaluation), now});
}

void Announcer::rebuild_dependents()
{
    dependents_.clear();
    for (std::size_t i = 0; i < vips_.size(); ++i) {
        for (const auto& r : vips_[i].deps)
            dependents_[r].push_back(i);
    }
    by_name_.clear();
    for (const auto& [ref, vips] : dependents_)
        by_name_[leaf_name(ref)].push_back(ref);
}

tl::expected<void, VipConfigError> Announcer::reconfigure(std::vector<VipConfig> vips,
                                                          TimePoint now)
{
    if (auto ok = validate(vips); !ok)
        return tl::unexpected(ok.error());
    std::set<std::string> names;
    std::set<bgp::Prefix> owned;
    for (const auto& c : vips) {
        names.insert(c.name);
        owned.insert(c.prefixes.begin(), c.prefixes.end());
    }
    for (const auto& old : vips_) {
        if (names.count(old.config.name) == 0 && on_event_)
            on_event_(VipEvent{old.config.name, old.intent.state, VipState::withdrawn,
                               "removed from the configuration", to_string(old.evaluation), now});
    }
    // What the sink has now, per prefix; what no new VIP owns is withdrawn.
    Applied before = applied_specs();
    for (auto it = before.begin(); it != before.end();) {
        if (owned.count(it->first) != 0) {
            ++it;
            continue;
        }
        sink_->withdraw(it->first);
        it = before.erase(it);
    }
    std::vector<Vip> next;
    next.reserve(vips.size());
    for (auto& c : vips) {
        Vip v;
        if (Vip* old = find(c.name)) {
            v = std::move(*old);
            v.damper.reconfigure(c.damping);
        } else {
            v.damper = Damper(c.damping);
        }
        v.config = std::move(c);
        v.deps = leaves(v.config.rule);
        for (std::size_t f = 0; f < 2; ++f) {
            const auto& ps = v.config.prefixes;
            v.first[f] = static_cast<std::size_t>(
                std::find_if(ps.begin(), ps.end(),
                             [f](const bgp::Prefix& p) { return family_index(p) == f; }) -
                ps.begin());
        }
        next.push_back(std::move(v));
    }
    vips_ = std::move(next);
    configured_ = true;
    rebuild_dependents();
    for (auto& v : vips_) {
        evaluate(v, now);
        update(v, now, &before);
    }
    check_gate(now);
    return {};
}

void Announcer::leaf_changed(const Reference& ref, LeafStatus status, TimePoint now)
{
    const auto [slot, fresh] = leaves_.try_emplace(ref);
    if (!fresh && slot->second == status)
        return;
    slot->second = std::move(status);
    if (const auto deps = dependents_.find(ref); deps != dependents_.end()) {
        for (const std::size_t i : deps->second) {
            evaluate(vips_[i], now);
            update(vips_[i], now);
        }
    }
    check_gate(now);
}

void Announcer::check_changed(const health::Transition& t, TimePoint now)
{
    const auto leaves = by_name_.find(t.check);
    if (leaves == by_name_.end())
        return;
    const LeafStatus status = leaf_status(t.to, t.serving, t.settled, t.cause);
    for (const auto& ref : std::vector<Reference>(leaves->second))
        leaf_changed(ref, status, now);
}

void Announcer::tick(TimePoint now)
{
    check_gate(now);
    for (auto& v : vips_) {
        bool due = false;
        if (const auto held = v.damper.held_until(); held && now >= *held) {
            v.damper.tick(now);
            due = true;
        }
        if (v.intent.state == VipState::draining && v.drain_end && now >= *v.drain_end)
            due = true;
        if (due)
            update(v, now);
    }
}

std::optional<TimePoint> Announcer::next_deadline() const
{
    std::optional<TimePoint> best;
    const auto consider = [&best](TimePoint t) {
        if (!best || t < *best)
            best = t;
    };
    if (configured_ && !ready_)
        consider(start_ + options_.startup_grace);
    for (const auto& v : vips_) {
        if (const auto held = v.damper.held_until())
            consider(*held);
        if (v.intent.state == VipState::draining && v.drain_end)
            consider(*v.drain_end);
    }
    return best;
}

bool Announcer::drain(std::string_view name, TimePoint now)
{
    Vip* v = find(name);
    if (v == nullptr)
        return false;
    if (!v->drain_end) {
        // A VIP that is not announced has nothing to drain: it is drained at once.
        v->drain_end = v->intent.announce() ? now + v->config.drain.drain_time : now;
        update(*v, now);
    }
    return true;
}

bool Announcer::undrain(std::string_view name, TimePoint now)
{
    Vip* v = find(name);
    if (v == nullptr)
        return false;
    if (v->drain_end) {
        v->drain_end.reset();
        update(*v, now);
    }
    return true;
}

void Announcer::drain_all(TimePoint now)
{
    for (std::size_t i = 0; i < vips_.size(); ++i)
        drain(vips_[i].config.name, now);
}

void Announcer::undrain_all(TimePoint now)
{
    for (std::size_t i = 0; i < vips_.size(); ++i)
        undrain(vips_[i].config.name, now);
}

std::vector<std::string> Announcer::restore_drained(const std::vector<std::string>& names,
                                                    TimePoint now)
{
    std::vector<std::string> unknown;
    for (const auto& name : names) {
        Vip* v = find(name);
        if (v == nullptr) {
            unknown.push_back(name);
            continue;
        }
        v->drain_end = now;
        update(*v, now);
    }
    return unknown;
}

std::vector<std::string> Announcer::drained() const
{
    std::vector<std::string> out;
    for (const auto& v : vips_) {
        if (v.drain_end)
            out.push_back(v.config.name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

VipStatus Announcer::status_of(const Vip& v, TimePoint now) const
{
    VipStatus s;
    s.name = v.config.name;
    s.prefixes = v.config.prefixes;
    s.state = v.intent.state;
    s.reason = v.intent.reason;
    s.rule = to_string(v.config.rule);
    s.evaluation = v.evaluation;
    s.attributes = v.intent.attributes;
    s.damping = v.damper.status(now);
    s.drained = v.drain_end.has_value();
    s.drain_end = v.drain_end;
    s.last_change = v.last_change;
    s.waiting_for = unknown_leaves(v.evaluation);
    s.evaluations = v.evaluations;
    return s;
}

std::vector<VipStatus> Announcer::status(TimePoint now) const
{
    std::vector<VipStatus> out;
    out.reserve(vips_.size());
    for (const auto& v : vips_)
        out.push_back(status_of(v, now));
    return out;
}

std::optional<VipStatus> Announcer::status(std::string_view name, TimePoint now) const
{
    const Vip* v = find(name);
    if (v == nullptr)
        return std::nullopt;
    return status_of(*v, now);
}

} // namespace vipd::announce
