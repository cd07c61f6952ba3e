// LoopbackPlan: the wanted VIP addresses against the held ones (see loopback_plan.hpp).
#include "cli/daemon/loopback_plan.hpp"

namespace vipd::cli {

LoopbackPlan::LoopbackPlan(LoopbackMode mode, std::set<bgp::Prefix> configured)
    : mode_(mode), configured_(std::move(configured))
{}

bool LoopbackPlan::wanted(const bgp::Prefix& p) const
{
    if (stopped_)
        return false;
    return mode_ == LoopbackMode::static_ ? configured_.contains(p) : announced_.contains(p);
}

void LoopbackPlan::step(const bgp::Prefix& p, LoopbackSteps& out)
{
    const bool want = wanted(p);
    if (want && !owned_.contains(p) && !foreign_.contains(p))
        out.push_back({LoopbackStep::Op::add, p});
    else if (!want && owned_.contains(p))
        out.push_back({LoopbackStep::Op::remove, p});
    else if (!want)
        foreign_.erase(p); // not ours: forgotten, never removed; a later add asks the kernel again
}

LoopbackSteps LoopbackPlan::sync()
{
    std::set<bgp::Prefix> all = configured_;
    all.insert(announced_.begin(), announced_.end());
    all.insert(owned_.begin(), owned_.end());
    all.insert(foreign_.begin(), foreign_.end());
    LoopbackSteps out;
    for (const auto& p : all)
        step(p, out);
    return out;
}

LoopbackSteps LoopbackPlan::announced(const bgp::Prefix& p)
{
    announced_.insert(p);
    LoopbackSteps out;
    step(p, out);
    return out;
}

LoopbackSteps LoopbackPlan::withdrawn(const bgp::Prefix& p)
{
    announced_.erase(p);
    LoopbackSteps out;
    step(p, out);
    return out;
}

LoopbackSteps LoopbackPlan::reconfigure(LoopbackMode mode, std::set<bgp::Prefix> configured)
{
    mode_ = mode;
    configured_ = std::move(configured);
    return sync();
}

LoopbackSteps LoopbackPlan::stop()
{
    stopped_ = true;
    return sync();
}

bool LoopbackPlan::added(const bgp::Prefix& p, AddResult r)
{
    if (r == AddResult::created)
        owned_.insert(p);
    if (r != AddResult::existed)
        return false;
    foreign_.insert(p);
    return noticed_.insert(p).second;
}

void LoopbackPlan::removed(const bgp::Prefix& p, bool ok)
{
    if (ok)
        owned_.erase(p);
}

std::set<bgp::Prefix> vip_prefixes(const std::vector<const announce::VipConfig*>& vips)
{
    std::set<bgp::Prefix> out;
    for (const auto* v : vips)
        out.insert(v->prefixes.begin(), v->prefixes.end());
    return out;
}

} // namespace vipd::cli
