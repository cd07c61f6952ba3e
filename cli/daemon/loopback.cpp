// rtnetlink RTM_NEWADDR / RTM_DELADDR for the optional loopback VIP setup (see loopback.hpp).
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

LoopbackAddresses::~LoopbackAddresses()
{
    remove_all();
}

tl::expected<void, std::string> LoopbackAddresses::add(const bgp::Prefix& p)
{
    auto r = request(true, p);
    if (r)
        added_.insert(p);
    return r;
}

tl::expected<void, std::string> LoopbackAddresses::remove(const bgp::Prefix& p)
{
    if (added_.erase(p) == 0)
        return {};
    return request(false, p);
}

void LoopbackAddresses::remove_all()
{
    for (const auto& p : added_)
        (void)request(false, p);
    added_.clear();
}

tl::expected<void, std::string> LoopbackAddresses::request(bool add, const bgp::Prefix& p)
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
                                                         (add ? NLM_F_CREATE | NLM_F_REPLACE : 0));
    req.header.nlmsg_seq = 1;
    req.ifa.ifa_family = static_cast<unsigned char>(p.addr.is_v4() ? AF_INET : AF_INET6);
    req.ifa.ifa_prefixlen = p.length;
    req.ifa.ifa_scope = RT_SCOPE_HOST;
    req.ifa.ifa_index = index;
    add_attr(req, IFA_LOCAL, p.addr.bytes.data(), p.addr.size());
    add_attr(req, IFA_ADDRESS, p.addr.bytes.data(), p.addr.size());
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    std::string error;
    if (::sendto(fd, &req, req.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0) {
        error = fmt::format("netlink send: {}", std::strerror(errno));
    } else {
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        const auto* h = reinterpret_cast<const nlmsghdr*>(buf);
        if (n < 0) {
            error = fmt::format("netlink receive: {}", std::strerror(errno));
        } else if (NLMSG_OK(h, static_cast<unsigned>(n)) && h->nlmsg_type == NLMSG_ERROR) {
            const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
            // Adding an address that exists, or removing one that is gone, is not an error.
            if (e->error != 0 && !(add && e->error == -EEXIST) &&
                !(!add && e->error == -EADDRNOTAVAIL))
                error = std::strerror(-e->error);
        }
    }
    ::close(fd);
    if (!error.empty())
        return tl::unexpected(fmt::format("{} {} {} {}: {}", add ? "add" : "remove", p.to_string(),
                                          add ? "to" : "from", interface_, error));
    return {};
}

} // namespace vipd::cli
