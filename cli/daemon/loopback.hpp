// Optional loopback VIP setup (like ExaBGP healthcheck's --ip-setup): while a VIP is announced
// its addresses are added to a local interface (default "lo") over rtnetlink, and removed when
// it is withdrawn and when the daemon exits. Needs CAP_NET_ADMIN; off by default.
// Blocking netlink calls on a private socket: each is one request/ack on the local kernel.
#pragma once

#include <set>
#include <string>

#include <tl/expected.hpp>

#include "bgp/types.hpp"

namespace vipd::cli {

class LoopbackAddresses
{
public:
    explicit LoopbackAddresses(std::string interface) : interface_(std::move(interface)) {}
    ~LoopbackAddresses(); ///< removes every address it added
    LoopbackAddresses(const LoopbackAddresses&) = delete;
    LoopbackAddresses& operator=(const LoopbackAddresses&) = delete;

    /// Add `p` (as a host address with its prefix length) to the interface; an address that
    /// already exists counts as added. Error: interface unknown, permission, netlink error.
    [[nodiscard]] tl::expected<void, std::string> add(const bgp::Prefix& p);
    /// Remove an address this object added; error text as above.
    [[nodiscard]] tl::expected<void, std::string> remove(const bgp::Prefix& p);
    void remove_all();
    [[nodiscard]] const std::set<bgp::Prefix>& added() const { return added_; }

private:
    [[nodiscard]] tl::expected<void, std::string> request(bool add, const bgp::Prefix& p);
    std::string interface_;
    std::set<bgp::Prefix> added_;
};

} // namespace vipd::cli
