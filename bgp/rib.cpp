// LocRib, SpecTable and the derived per-neighbor Adj-RIB-Out (see rib.hpp).
#include "bgp/rib.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace vipd::bgp {

namespace {

std::size_t hash_spec(const RouteSpec& s)
{
    const RouteAttributes& a = s.attributes;
    std::size_t h = static_cast<std::size_t>(a.origin) * 31u + a.prepend;
    auto mix = [&h](std::uint64_t v) { h = (h ^ static_cast<std::size_t>(v)) * 1099511628211ull; };
    mix(a.med.value_or(0xffffffffu) + (a.med ? 1u : 0u));
    mix(a.local_pref.value_or(0) + (a.local_pref ? 7u : 0u));
    for (auto c : a.communities)
        mix(c);
    for (const auto& c : a.large_communities)
        mix((std::uint64_t{c.global_administrator} << 32) ^ c.local_data_1 ^
            (std::uint64_t{c.local_data_2} << 16));
    for (const auto& c : a.extended_communities)
        for (auto b : c.value)
            mix(b);
    if (a.next_hop)
        mix(std::hash<Prefix>{}(Prefix{*a.next_hop, 0}));
    for (const auto& n : s.neighbors)
        mix(std::hash<std::string>{}(n));
    return h;
}

} // namespace

SpecId SpecTable::intern(const RouteSpec& spec)
{
    const std::size_t h = hash_spec(spec);
    auto [lo, hi] = by_hash_.equal_range(h);
    for (auto it = lo; it != hi; ++it) {
        if (entries_[it->second - 1].spec == spec) {
            retain(it->second);
            return it->second;
        }
    }
    SpecId id;
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
    } else {
        entries_.emplace_back();
        id = static_cast<SpecId>(entries_.size());
    }
    Entry& e = entries_[id - 1];
    e.spec = spec;
    std::sort(e.spec.neighbors.begin(), e.spec.neighbors.end());
    e.refs = 1;
    e.hash = h;
    by_hash_.emplace(h, id);
    ++live_;
    return id;
}

void SpecTable::retain(SpecId id)
{
    if (id != no_spec)
        ++entries_[id - 1].refs;
}

void SpecTable::release(SpecId id)
{
    if (id == no_spec)
        return;
    Entry& e = entries_[id - 1];
    assert(e.refs > 0);
    if (--e.refs > 0)
        return;
    auto [lo, hi] = by_hash_.equal_range(e.hash);
    for (auto it = lo; it != hi; ++it) {
        if (it->second == id) {
            by_hash_.erase(it);
            break;
        }
    }
    e.spec = RouteSpec{};
    free_.push_back(id);
    --live_;
}

bool SpecTable::applies(SpecId id, const std::string& name) const
{
    if (id == no_spec)
        return false;
    const auto& n = get(id).neighbors;
    return n.empty() || std::binary_search(n.begin(), n.end(), name);
}

std::size_t UpdatePlan::prefixes() const
{
    std::size_t n = 0;
    for (const auto& g : groups)
        n += g.nlri.size();
    return n;
}

bool LocRib::announce(const Prefix& p, const RouteSpec& spec)
{
    return announce(std::span<const Prefix>(&p, 1), spec) != 0;
}

std::size_t LocRib::announce(std::span<const Prefix> prefixes, const RouteSpec& spec)
{
    const SpecId id = specs_.intern(spec); // one reference held for the loop
    std::size_t changes = 0;
    for (const Prefix& p : prefixes) {
        SpecId* cur = routes_.find(p);
        if (cur != nullptr && *cur == id)
            continue;
        const SpecId old = cur != nullptr ? *cur : no_spec;
        specs_.retain(id);
        routes_.put(p, id);
        changed(p, old);
        specs_.release(old);
        ++changes;
    }
    specs_.release(id);
    return changes;
}

bool LocRib::withdraw(const Prefix& p)
{
    auto old = routes_.erase(p);
    if (!old)
        return false;
    changed(p, *old);
    specs_.release(*old);
    return true;
}

SpecId LocRib::find(const Prefix& p) const
{
    const SpecId* id = routes_.find(p);
    return id != nullptr ? *id : no_spec;
}

void LocRib::attach(AdjRibOut& out)
{
    outs_.push_back(&out);
}

void LocRib::detach(AdjRibOut& out)
{
    outs_.erase(std::remove(outs_.begin(), outs_.end(), &out), outs_.end());
}

void LocRib::changed(const Prefix& p, SpecId old_spec)
{
    for (AdjRibOut* out : outs_)
        out->note_change(p, old_spec);
}

AdjRibOut::AdjRibOut(LocRib& rib, std::string neighbor) : rib_(rib), neighbor_(std::move(neighbor))
{
    rib_.attach(*this);
}

AdjRibOut::~AdjRibOut()
{
    reset();
    rib_.detach(*this);
}

SpecId AdjRibOut::effective(SpecId spec) const
{
    return rib_.specs().applies(spec, neighbor_) ? spec : no_spec;
}

void AdjRibOut::note_change(const Prefix& p, SpecId old_spec)
{
    if (!synced_ || pending_.find(p) != nullptr)
        return;
    const SpecId was = effective(old_spec);
    rib_.specs_.retain(was);
    pending_.put(p, was);
}

void AdjRibOut::reset()
{
    pending_.for_each([this](const Prefix&, SpecId old) { rib_.specs_.release(old); });
    pending_.clear();
    synced_ = false;
}

void AdjRibOut::mark_synced()
{
    synced_ = true;
}

namespace {

// Group (afi, spec) -> prefixes; withdrawals (spec 0) sort first.
struct Grouper
{
    std::map<std::pair<SpecId, Afi>, std::vector<Nlri>> groups;
    void add(const Prefix& p, SpecId spec) { groups[{spec, p.afi()}].push_back(Nlri{p, 0}); }
    UpdatePlan plan()
    {
        UpdatePlan out;
        for (auto& [key, nlri] : groups)
            out.groups.push_back(UpdateGroup{key.second, key.first, std::move(nlri)});
        return out;
    }
};

// Groups of a full table, counted before they are filled: each group's prefixes are written
// once into storage of the exact size. Growing vectors by doubling touched twice the memory and
// copied it, and fresh pages are what the initial table costs (about 25 us a page fault on a
// paravirtualized VM: 100,000 prefixes are 2.4 MB of Nlri).
struct FullTable
{
    struct Group
    {
        SpecId spec;
        Afi afi;
        std::size_t count = 0;
        std::vector<Nlri> nlri;
    };
    std::vector<Group> groups;   ///< sorted by (spec, afi): withdrawals never occur here
    std::vector<std::int8_t> to; ///< per spec id: 1 goes to the neighbor, 0 not, -1 not asked
    std::size_t last = 0;

    Group& group(SpecId spec, Afi afi)
    {
        if (last < groups.size() && groups[last].spec == spec && groups[last].afi == afi)
            return groups[last];
        auto it = std::lower_bound(groups.begin(), groups.end(), std::pair{spec, afi},
                                   [](const Group& g, const std::pair<SpecId, Afi>& k) {
                                       return std::pair{g.spec, g.afi} < k;
                                   });
        if (it == groups.end() || it->spec != spec || it->afi != afi)
            it = groups.insert(it, Group{spec, afi, 0, {}});
        last = static_cast<std::size_t>(it - groups.begin());
        return *it;
    }
};

} // namespace

UpdatePlan AdjRibOut::full_table() const
{
    FullTable t;
    auto applies = [&](SpecId id) {
        if (id >= t.to.size())
            t.to.resize(id + 1, -1);
        if (t.to[id] < 0)
            t.to[id] = effective(id) != no_spec ? 1 : 0;
        return t.to[id] == 1;
    };
    rib_.for_each([&](const Prefix& p, SpecId id) {
        if (applies(id))
            ++t.group(id, p.afi()).count;
    });
    for (auto& g : t.groups)
        g.nlri.reserve(g.count);
    rib_.for_each([&](const Prefix& p, SpecId id) {
        if (t.to[id] == 1)
            t.group(id, p.afi()).nlri.push_back(Nlri{p, 0});
    });
    UpdatePlan out;
    out.groups.reserve(t.groups.size());
    for (auto& g : t.groups)
        out.groups.push_back(UpdateGroup{g.afi, g.spec, std::move(g.nlri)});
    return out;
}

UpdatePlan AdjRibOut::take_changes()
{
    Grouper g;
    auto& specs = rib_.specs_;
    pending_.for_each([&](const Prefix& p, SpecId was) {
        const SpecId now = effective(rib_.find(p));
        if (now != was) {
            // Same attributes under another neighbor subset are still "no change" for us.
            const bool same_attrs = now != no_spec && was != no_spec &&
                                    specs.get(now).attributes == specs.get(was).attributes;
            if (!same_attrs)
                g.add(p, now);
        }
        specs.release(was);
    });
    pending_.clear();
    return g.plan();
}

SpecId AdjRibOut::sent(const Prefix& p) const
{
    if (!synced_)
        return no_spec;
    if (const SpecId* was = pending_.find(p))
        return *was;
    return effective(rib_.find(p));
}

} // namespace vipd::bgp
