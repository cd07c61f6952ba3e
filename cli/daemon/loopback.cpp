// rtnetlink RTM_NEWADDR / RTM_DELADDR for the optional loopback VIP setup (see loopback.hpp):
// runs the steps of LoopbackPlan and reports each result.
#include "cli/daemon/loopback.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vipd::cli {

namespace {

struct AddrRequest
{
    nlmsghdr header;
    ifaddrmsg ifa;
    char attrs[64];
};

void add_attr(AddrRequest& r, unsigned short type, const void* data, std::size_t len)
{
    auto* rta =
        reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&r) + NLMSG_ALIGN(r.header.nlmsg_len));
    rta->rta_type = type;
    rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    std::memcpy(RTA_DATA(rta), data, len);
    r.header.nlmsg_len =
        static_cast<std::uint32_t>(NLMSG_ALIGN(r.header.nlmsg_len) + RTA_ALIGN(rta->rta_len));
}

} // namespace

LoopbackAddresses::LoopbackAddresses(std::string interface, LoopbackMode mode,
                                     std::set<bgp::Prefix> configured, Report report)
    : interface_(std::move(interface)), plan_(mode, std::move(configured)),
      report_(std::move(report))
{}

LoopbackAddresses::~LoopbackAddresses()
{
    for (const auto& s : plan_.stop())
        (void)request(false, s.prefix);
}

void LoopbackAddresses::start()
{
    run(plan_.sync());
}

void LoopbackAddresses::announced(const bgp::Prefix& p)
{
    run(plan_.announced(p));
}

void LoopbackAddresses::withdrawn(const bgp::Prefix& p)
{
    run(plan_.withdrawn(p));
}

void LoopbackAddresses::reconfigure(LoopbackMode mode, std::set<bgp::Prefix> configured)
{
    run(plan_.reconfigure(mode, std::move(configured)));
}

void LoopbackAddresses::stop()
{
    run(plan_.stop());
}

void LoopbackAddresses::run(const LoopbackSteps& steps)
{
    using Kind = LoopbackEvent::Kind;
    for (const auto& s : steps) {
        const bool add = s.op == LoopbackStep::Op::add;
        auto r = request(add, s.prefix);
        // The create is exclusive, so EEXIST means the address was there before vipd; removing
        // one that is gone already (EADDRNOTAVAIL) is not an error.
        if (r && *r != 0 && !(add && *r == -EEXIST) && !(!add && *r == -EADDRNOTAVAIL))
            r = tl::unexpected(std::string(std::strerror(-*r)));
        if (!r) {
            if (add)
                (void)plan_.added(s.prefix, AddResult::failed);
            else
                plan_.removed(s.prefix, false);
            report_({Kind::error, s.prefix, interface_,
                     fmt::format("{} {} {} {}: {}", add ? "add" : "remove", s.prefix.to_string(),
                                 add ? "to" : "from", interface_, r.error())});
        } else if (!add) {
            plan_.removed(s.prefix, true);
            report_({Kind::removed, s.prefix, interface_, {}});
        } else if (*r == 0) {
            (void)plan_.added(s.prefix, AddResult::created);
            report_({Kind::added, s.prefix, interface_, {}});
        } else if (plan_.added(s.prefix, AddResult::existed)) {
            report_({Kind::present_before, s.prefix, interface_, {}});
        }
    }
}

tl::expected<int, std::string> LoopbackAddresses::request(bool add, const bgp::Prefix& p) const
{
    const unsigned index = if_nametoindex(interface_.c_str());
    if (index == 0)
        return tl::unexpected(fmt::format("interface {}: {}", interface_, std::strerror(errno)));
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return tl::unexpected(fmt::format("netlink socket: {}", std::strerror(errno)));
    AddrRequest req{};
    req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
    req.header.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
    req.header.nlmsg_flags = static_cast<unsigned short>(NLM_F_REQUEST | NLM_F_ACK |
                                                         (add ? NLM_F_CREATE | NLM_F_EXCL : 0));
    req.header.nlmsg_seq = 1;
    req.ifa.ifa_family = static_cast<unsigned char>(p.addr.is_v4() ? AF_INET : AF_INET6);
    req.ifa.ifa_prefixlen = p.length;
    req.ifa.ifa_scope = RT_SCOPE_HOST;
    req.ifa.ifa_index = index;
    add_attr(req, IFA_LOCAL, p.addr.bytes.data(), p.addr.size());
    add_attr(req, IFA_ADDRESS, p.addr.bytes.data(), p.addr.size());
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    tl::expected<int, std::string> result = 0;
    if (::sendto(fd, &req, req.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0) {
        result = tl::unexpected(fmt::format("netlink send: {}", std::strerror(errno)));
    } else {
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        const auto* h = reinterpret_cast<const nlmsghdr*>(buf);
        if (n < 0)
            result = tl::unexpected(fmt::format("netlink receive: {}", std::strerror(errno)));
        else if (NLMSG_OK(h, static_cast<unsigned>(n)) && h->nlmsg_type == NLMSG_ERROR)
            result = static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
    }
    ::close(fd);
    return result;
}

} // namespace vipd::cli
