// Optional loopback VIP setup (like ExaBGP healthcheck's --ip-setup): the VIP addresses are put
// on a local interface (default "lo") over rtnetlink, while announced (mode follow) or from start
// to exit (mode static); LoopbackPlan decides, this shell runs the requests and reports results.
// Must not remove an address vipd did not add (issue 12). Needs CAP_NET_ADMIN; off by default.
// Blocking netlink calls on a private socket: each is one request/ack on the local kernel.
#pragma once

#include <functional>
#include <set>
#include <string>

#include <tl/expected.hpp>

#include "bgp/types.hpp"
#include "cli/daemon/loopback_plan.hpp"

namespace vipd::cli {

/// What happened to one address, for the log.
struct LoopbackEvent
{
    enum class Kind : std::uint8_t {
        added,          ///< vipd added it
        removed,        ///< vipd removed an address it had added
        present_before, ///< it was there before vipd: left in place (reported once)
        error,          ///< the request failed: `error` says why
    };
    Kind kind;
    bgp::Prefix prefix;
    std::string interface;
    std::string error;
};

/// The VIP addresses on one interface: asks LoopbackPlan what to do at each event, makes the
/// netlink request, tells the plan how it ended and reports every result through `Report`.
class LoopbackAddresses
{
public:
    using Report = std::function<void(const LoopbackEvent&)>;

    /// `configured`: every VIP prefix. Nothing is requested before start().
    LoopbackAddresses(std::string interface, LoopbackMode mode, std::set<bgp::Prefix> configured,
                      Report report);
    ~LoopbackAddresses(); ///< removes, without reports, what vipd added and still owns
    LoopbackAddresses(const LoopbackAddresses&) = delete;
    LoopbackAddresses& operator=(const LoopbackAddresses&) = delete;

    /// Put the wanted addresses on the interface (mode static: every configured one).
    void start();
    /// A VIP prefix was announced / withdrawn (mode follow: its address is added / removed).
    void announced(const bgp::Prefix& p);
    void withdrawn(const bgp::Prefix& p);
    /// A reload: the mode and VIP prefixes from now on (the interface stays).
    void reconfigure(LoopbackMode mode, std::set<bgp::Prefix> configured);
    /// Remove every address vipd added; the others stay.
    void stop();

    [[nodiscard]] const std::string& interface() const { return interface_; }
    [[nodiscard]] const LoopbackPlan& plan() const { return plan_; }

private:
    void run(const LoopbackSteps& steps);
    /// The kernel's answer to one RTM_NEWADDR (exclusive create) / RTM_DELADDR: 0 or -errno;
    /// error text when the request could not be made.
    [[nodiscard]] tl::expected<int, std::string> request(bool add, const bgp::Prefix& p) const;

    std::string interface_;
    LoopbackPlan plan_;
    Report report_;
};

} // namespace vipd::cli
