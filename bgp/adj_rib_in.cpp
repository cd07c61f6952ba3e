// AdjRibIn: prefix counting and the RFC 4486 maximum-prefix decision (see adj_rib_in.hpp).
#include "bgp/adj_rib_in.hpp"

#include "bgp/fsm.hpp"

namespace vipd::bgp {

namespace {

std::size_t family_index(Afi afi)
{
    return afi == Afi::ipv4 ? 0 : 1;
}

} // namespace

AdjRibIn::AdjRibIn(AdjRibInLimits limits)
    : limits_(limits), tracking_(limits.max_prefixes > 0 || limits.keep_limit > 0)
{}

AdjRibInDecision AdjRibIn::apply(const Update& update, bool treat_as_withdraw)
{
    const PathAttributes& pa = update.path_attributes;
    withdraw(update.withdrawn_routes);
    if (pa.mp_unreach)
        withdraw(pa.mp_unreach->withdrawn_routes);
    announce(update.nlri, treat_as_withdraw);
    if (pa.mp_reach)
        announce(pa.mp_reach->nlri, treat_as_withdraw);
    AdjRibInDecision d;
    d.prefixes = held_.size();
    // RFC 4486 §4: more prefixes than allowed ends the session with Cease/1.
    if (limits_.max_prefixes > 0 && held_.size() > limits_.max_prefixes) {
        const AfiSafi family = pa.mp_reach ? pa.mp_reach->family : ipv4_unicast;
        d.cease = max_prefix_cease(family, static_cast<std::uint32_t>(limits_.max_prefixes));
    }
    return d;
}

void AdjRibIn::announce(const std::vector<Nlri>& nlri, bool treat_as_withdraw)
{
    announced_total_ += nlri.size();
    if (!tracking_)
        return;
    for (const Nlri& x : nlri) {
        if (treat_as_withdraw)
            erase(x.prefix);
        else if (limits_.max_prefixes > 0 || held_.size() < limits_.keep_limit ||
                 held_.find(x.prefix) != nullptr)
            if (held_.put(x.prefix, 1))
                ++per_family_[family_index(x.prefix.afi())];
    }
}

void AdjRibIn::withdraw(const std::vector<Nlri>& nlri)
{
    if (tracking_)
        for (const Nlri& x : nlri)
            erase(x.prefix);
}

void AdjRibIn::erase(const Prefix& p)
{
    if (held_.erase(p))
        --per_family_[family_index(p.afi())];
}

void AdjRibIn::clear()
{
    held_.clear();
    per_family_ = {};
}

std::uint64_t AdjRibIn::prefixes() const
{
    return tracking_ ? held_.size() : announced_total_;
}

std::size_t AdjRibIn::prefixes(Afi afi) const
{
    return per_family_[family_index(afi)];
}

} // namespace vipd::bgp
