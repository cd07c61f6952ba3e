// The speaker's route tables. LocRib holds every locally originated route (prefix -> interned
// RouteSpec: attributes + optional neighbor subset). Each neighbor's Adj-RIB-Out is derived from
// it: what a neighbor was sent is the LocRib entry that applies to it, except for prefixes
// changed since its last flush, whose previously-sent spec AdjRibOut remembers. So 100,000
// routes cost one table, and a flush sends exactly the net changes (a burst that ends where it
// started sends nothing). Pure: no sockets, no clock, no encoding (see update plans).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "bgp/prefix_map.hpp"
#include "bgp/route.hpp"
#include "bgp/types.hpp"

namespace vipd::bgp {

/// Interned route specification; 0 means "no route".
using SpecId = std::uint32_t;
inline constexpr SpecId no_spec = 0;

/// A route's attributes and the neighbors it goes to (empty = every neighbor).
struct RouteSpec
{
    RouteAttributes attributes;
    std::vector<std::string> neighbors;
    bool operator==(const RouteSpec&) const = default;
};

/// Reference-counted interning of RouteSpecs (a VIP daemon has few distinct ones).
class SpecTable
{
public:
    /// The id of `spec`, adding one reference.
    SpecId intern(const RouteSpec& spec);
    void retain(SpecId id);
    void release(SpecId id);
    [[nodiscard]] const RouteSpec& get(SpecId id) const { return entries_[id - 1].spec; }
    /// Does spec `id` go to neighbor `name`?
    [[nodiscard]] bool applies(SpecId id, const std::string& name) const;
    [[nodiscard]] std::size_t live() const { return live_; }

private:
    struct Entry
    {
        RouteSpec spec;
        std::uint32_t refs = 0;
        std::size_t hash = 0;
    };
    std::vector<Entry> entries_;
    std::vector<SpecId> free_;
    std::unordered_multimap<std::size_t, SpecId> by_hash_;
    std::size_t live_ = 0;
};

/// Routes of one family and one spec (or withdrawals when spec == no_spec), ready to encode.
struct UpdateGroup
{
    Afi afi = Afi::ipv4;
    SpecId spec = no_spec;
    std::vector<Nlri> nlri;
};

/// What one neighbor must be sent now.
struct UpdatePlan
{
    std::vector<UpdateGroup> groups; ///< withdrawals first, then announcements by spec
    [[nodiscard]] bool empty() const { return groups.empty(); }
    [[nodiscard]] std::size_t prefixes() const;
};

class AdjRibOut;

/// All locally originated routes, and the neighbors' Adj-RIB-Out state.
class LocRib
{
public:
    /// Add or change a route; returns false when nothing changed (no neighbor is touched).
    bool announce(const Prefix& p, const RouteSpec& spec);
    /// The same for many prefixes with one spec (interned once); returns how many changed.
    std::size_t announce(std::span<const Prefix> prefixes, const RouteSpec& spec);
    /// Remove a route; returns false when it was not there.
    bool withdraw(const Prefix& p);
    [[nodiscard]] SpecId find(const Prefix& p) const;
    [[nodiscard]] std::size_t size() const { return routes_.size(); }
    [[nodiscard]] const SpecTable& specs() const { return specs_; }

    /// Register a neighbor's Adj-RIB-Out so route changes reach it (it unregisters itself).
    void attach(AdjRibOut& out);
    void detach(AdjRibOut& out);

    /// Calls f(prefix, spec id) for every route.
    template <typename F> void for_each(F&& f) const
    {
        routes_.for_each([&](const Prefix& p, SpecId id) { f(p, id); });
    }

private:
    friend class AdjRibOut;
    void changed(const Prefix& p, SpecId old_spec);

    PrefixMap<SpecId> routes_;
    SpecTable specs_;
    std::vector<AdjRibOut*> outs_;
};

/// One neighbor's Adj-RIB-Out (RFC 4271 §3.2), stored as the LocRib plus pending changes.
class AdjRibOut
{
public:
    AdjRibOut(LocRib& rib, std::string neighbor);
    ~AdjRibOut();
    AdjRibOut(const AdjRibOut&) = delete;
    AdjRibOut& operator=(const AdjRibOut&) = delete;

    [[nodiscard]] const std::string& neighbor() const { return neighbor_; }
    /// True once the full table was planned (session up and application ready).
    [[nodiscard]] bool synced() const { return synced_; }
    [[nodiscard]] bool has_pending() const { return !pending_.empty(); }

    /// The session went down: nothing is at the neighbor any more.
    void reset();
    /// Everything that applies to this neighbor (initial table, route refresh); marks synced.
    [[nodiscard]] UpdatePlan full_table() const;
    void mark_synced();
    /// Net changes since the last plan; clears them.
    [[nodiscard]] UpdatePlan take_changes();

    /// The spec currently at the neighbor for `p` (no_spec if none or not synced).
    [[nodiscard]] SpecId sent(const Prefix& p) const;
    /// Calls f(prefix, spec id) for every route the neighbor holds (the Adj-RIB-Out as sent).
    template <typename F> void for_each_sent(F&& f) const;

private:
    friend class LocRib;
    void note_change(const Prefix& p, SpecId old_spec);
    [[nodiscard]] SpecId effective(SpecId spec) const;

    LocRib& rib_;
    std::string neighbor_;
    bool synced_ = false;
    PrefixMap<SpecId> pending_; ///< prefix -> spec the neighbor had before the change
};

template <typename F> void AdjRibOut::for_each_sent(F&& f) const
{
    if (!synced_)
        return;
    rib_.for_each([&](const Prefix& p, SpecId id) {
        if (pending_.find(p) == nullptr && effective(id) != no_spec)
            f(p, id);
    });
    pending_.for_each([&](const Prefix& p, SpecId old) {
        if (old != no_spec)
            f(p, old);
    });
}

} // namespace vipd::bgp
