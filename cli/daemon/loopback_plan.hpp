// Which VIP addresses vipd puts on its loopback interface and takes off again, and which of them
// it owns. Pure: no netlink, no logger, no clock; LoopbackAddresses (loopback.hpp) runs the steps
// and reports each result back. The rule (issue 12): vipd removes only addresses it added itself.
// An address that was on the interface before vipd added it (the kernel answered EEXIST) is left
// in place when its VIP is withdrawn and at exit, and that is reported once per address.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "announce/vip.hpp"
#include "bgp/types.hpp"
#include "cli/config/config.hpp"

namespace vipd::cli {

/// One request to the kernel that the plan asks for.
struct LoopbackStep
{
    enum class Op : std::uint8_t { add, remove };
    Op op;
    bgp::Prefix prefix;
    bool operator==(const LoopbackStep&) const = default;
};
using LoopbackSteps = std::vector<LoopbackStep>;

/// How an add request ended: vipd created the address, it was there already, or an error.
enum class AddResult : std::uint8_t { created, existed, failed };

/// The wanted addresses (`follow`: the announced VIP prefixes; `static_`: every configured one)
/// against the held ones (owned: vipd added them; foreign: present before vipd, never removed).
class LoopbackPlan
{
public:
    /// `configured`: every prefix of every VIP (what `static_` puts on the interface).
    LoopbackPlan(LoopbackMode mode, std::set<bgp::Prefix> configured);

    /// Every step that brings the interface to the wanted set (at start).
    [[nodiscard]] LoopbackSteps sync();
    /// A VIP prefix is announced (again: no step) / withdrawn.
    [[nodiscard]] LoopbackSteps announced(const bgp::Prefix& p);
    [[nodiscard]] LoopbackSteps withdrawn(const bgp::Prefix& p);
    /// After a reload: the mode and VIP prefixes in force from now on.
    [[nodiscard]] LoopbackSteps reconfigure(LoopbackMode mode, std::set<bgp::Prefix> configured);
    /// At exit: remove every address vipd added and still owns, nothing else; later events
    /// ask for nothing.
    [[nodiscard]] LoopbackSteps stop();

    /// Record how an add ended. True only the first time `p` turns out to have been present
    /// before vipd: the caller says so once.
    [[nodiscard]] bool added(const bgp::Prefix& p, AddResult r);
    /// Record a remove; a failed one stays owned (tried again at exit).
    void removed(const bgp::Prefix& p, bool ok);

    [[nodiscard]] LoopbackMode mode() const { return mode_; }
    [[nodiscard]] const std::set<bgp::Prefix>& owned() const { return owned_; }
    [[nodiscard]] const std::set<bgp::Prefix>& foreign() const { return foreign_; }

private:
    [[nodiscard]] bool wanted(const bgp::Prefix& p) const;
    void step(const bgp::Prefix& p, LoopbackSteps& out);

    LoopbackMode mode_;
    bool stopped_ = false;
    std::set<bgp::Prefix> configured_;
    std::set<bgp::Prefix> announced_;
    std::set<bgp::Prefix> owned_;   ///< added by vipd: removed when no longer wanted
    std::set<bgp::Prefix> foreign_; ///< present before vipd and wanted: left alone
    std::set<bgp::Prefix> noticed_; ///< foreign addresses already reported
};

/// Every prefix of `vips` (the `configured` set of LoopbackPlan).
[[nodiscard]] std::set<bgp::Prefix>
vip_prefixes(const std::vector<const announce::VipConfig*>& vips);

} // namespace vipd::cli
