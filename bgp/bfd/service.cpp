// BFD sessions on the event loop: sockets, demultiplexing, timers (see service.hpp).
#include "bgp/bfd/service.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/unicast.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace vipd::bgp::bfd {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

/// RFC 5881 §5: the TTL / hop limit single-hop packets are sent with and must arrive with.
constexpr int required_ttl = 255;
/// Source ports tried before giving up on a session's socket.
constexpr int port_attempts = 64;

asio::ip::address to_ip(const Address& a)
{
    if (a.is_v4())
        return asio::ip::address_v4(a.v4_value());
    return asio::ip::address_v6(a.bytes);
}

std::optional<Address> from_sockaddr(const sockaddr_storage& ss)
{
    if (ss.ss_family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, &ss, sizeof sin);
        return Address::v4(ntohl(sin.sin_addr.s_addr));
    }
    if (ss.ss_family == AF_INET6) {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, &ss, sizeof sin6);
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), &sin6.sin6_addr, 16);
        return Address::v6(b);
    }
    return std::nullopt;
}

/// The received TTL (IPv4) or hop limit (IPv6) from the ancillary data; -1 if absent.
int received_ttl(msghdr& msg)
{
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
            int ttl = -1;
            std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
            return ttl;
        }
    }
    return -1;
}

Time now()
{
    return std::chrono::steady_clock::now();
}

} // namespace

struct Service::Session
{
    explicit Session(asio::io_context& io) : socket(io), timer(io) {}
    PeerConfig config;
    std::optional<Fsm> fsm;
    std::optional<AuthState> auth;
    udp::socket socket; ///< transmit socket (source port 49152-65535)
    udp::endpoint destination;
    asio::steady_timer timer;
    std::optional<Time> armed; ///< the deadline the timer's pending wait is for
    std::optional<Time> since;
    std::uint64_t dropped = 0;
    std::string last_drop;           ///< the reason of the last drop, as logged
    std::optional<Time> drops_since; ///< first drop since the last accepted packet
    std::string send_error; ///< the last send's error; logged when it changes, not per packet
};

struct Service::Receiver
{
    explicit Receiver(asio::io_context& io) : socket(io) {}
    udp::socket socket;
    Afi afi = Afi::ipv4;
    bool multihop = false;
    std::array<std::uint8_t, 2048> buffer{};
};

Service::Service(asio::io_context& io, ServiceObserver& observer)
    : io_(io), observer_(observer), random_(std::random_device{}())
{}

Service::~Service() = default;

std::uint32_t Service::new_discriminator()
{
    for (;;) {
        const auto d = static_cast<std::uint32_t>(random_());
        if (d != 0 && !by_discriminator_.contains(d))
            return d;
    }
}

tl::expected<void, std::string> Service::open_receiver(Afi afi, bool multihop)
{
    for (const auto& r : receivers_)
        if (r->afi == afi && r->multihop == multihop)
            return {};
    auto r = std::make_unique<Receiver>(io_);
    r->afi = afi;
    r->multihop = multihop;
    const auto port = multihop ? multihop_port : single_hop_port;
    const udp::endpoint ep(afi == Afi::ipv4 ? udp::v4() : udp::v6(), port);
    boost::system::error_code ec;
    r->socket.open(ep.protocol(), ec);
    if (!ec && afi == Afi::ipv6)
        r->socket.set_option(asio::ip::v6_only(true), ec);
    if (!ec)
        r->socket.bind(ep, ec);
    if (!ec)
        r->socket.non_blocking(true, ec);
    const int on = 1;
    // RFC 5881 §5: the received TTL / hop limit is checked, so ask the kernel for it.
    const int rc = afi == Afi::ipv4 ? setsockopt(r->socket.native_handle(), IPPROTO_IP, IP_RECVTTL,
                                                 &on, sizeof on)
                                    : setsockopt(r->socket.native_handle(), IPPROTO_IPV6,
                                                 IPV6_RECVHOPLIMIT, &on, sizeof on);
    if (!ec && rc != 0)
        ec.assign(errno, boost::system::system_category());
    if (ec)
        return tl::unexpected(fmt::format("BFD: listen on UDP port {} ({}): {}", port,
                                          afi == Afi::ipv4 ? "IPv4" : "IPv6", ec.message()));
    receivers_.push_back(std::move(r));
    receive_loop(*receivers_.back());
    return {};
}

void Service::receive_loop(Receiver& r)
{
    r.socket.async_wait(udp::socket::wait_read, [this, &r](boost::system::error_code ec) {
        if (ec)
            return;
        for (;;) {
            sockaddr_storage from{};
            iovec iov{r.buffer.data(), r.buffer.size()};
            alignas(cmsghdr) std::array<char, 256> control{};
            msghdr msg{};
            msg.msg_name = &from;
            msg.msg_namelen = sizeof from;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.data();
            msg.msg_controllen = control.size();
            const auto n = ::recvmsg(r.socket.native_handle(), &msg, MSG_DONTWAIT);
            if (n < 0)
                break;
            const auto addr = from_sockaddr(from);
            if (addr)
                on_datagram(r, ByteView(r.buffer.data(), static_cast<std::size_t>(n)), *addr,
                            received_ttl(msg));
        }
        receive_loop(r);
    });
}

void Service::drop(Session* s, Drop reason, const std::string& what)
{
    if (s == nullptr) {
        // A malformed packet, or one of no session: counted per reason, logged (as from "bfd")
        // once per new reason and sender.
        ++unmatched_drops_[static_cast<std::size_t>(reason)];
        auto text = fmt::format("{}: {}", to_string(reason), what);
        if (text != last_unmatched_drop_)
            observer_.on_bfd_event("bfd", true, "packet of no session dropped: " + text);
        last_unmatched_drop_ = std::move(text);
        return;
    }
    ++s->dropped;
    if (!s->drops_since)
        s->drops_since = now();
    auto text = fmt::format("{}: {}", to_string(reason), what);
    if (text != s->last_drop) // one line per new reason, not one per packet
        observer_.on_bfd_event(s->config.name, true, "packet dropped: " + text);
    s->last_drop = std::move(text);
}

void Service::on_datagram(Receiver& r, ByteView payload, const Address& from, int ttl)
{
    auto p = decode_control(payload);
    if (!p) {
        drop(nullptr, p.error().reason,
             fmt::format("from {}: {}", from.to_string(), p.error().what));
        return;
    }
    // RFC 5880 §6.8.6 / §6.3: demultiplex by Your Discriminator, else by source address.
    Session* s = nullptr;
    if (p->your_discriminator != 0) {
        if (const auto it = by_discriminator_.find(p->your_discriminator);
            it != by_discriminator_.end())
            s = it->second;
    } else {
        for (auto& [name, candidate] : sessions_)
            if (candidate->config.peer == from && candidate->config.multihop == r.multihop)
                s = candidate.get();
    }
    if (s == nullptr) {
        drop(nullptr, p->your_discriminator != 0 ? Drop::unknown_discriminator : Drop::no_session,
             from.to_string());
        return;
    }
    if (s->config.peer != from || s->config.multihop != r.multihop) {
        drop(s, Drop::no_session,
             fmt::format("from {} (a discriminator of another peer)", from.to_string()));
        return;
    }
    // RFC 5881 §5: single-hop packets must arrive with TTL / hop limit 255 (GTSM).
    if (!r.multihop && ttl != required_ttl) {
        drop(s, Drop::ttl,
             fmt::format("{} {} (255 required)", r.afi == Afi::ipv4 ? "TTL" : "hop limit", ttl));
        return;
    }
    const auto t = now();
    auto v = s->auth->verify(*p, payload.first(payload[3]), t, s->fsm->detection_time());
    if (!v) {
        drop(s, v.error().first, v.error().second);
        return;
    }
    if (s->drops_since) {
        // Drops that let nothing through for a detection time (at least the 1 s of a session
        // not Up) starved the session: say it recovered, and log the next drop again. Drops
        // between good packets (a stray or hostile sender) are counted, logged once per reason.
        if (t - *s->drops_since >= std::max(s->fsm->detection_time(), slow_tx_interval)) {
            observer_.on_bfd_event(s->config.name, false, "packets accepted again");
            s->last_drop.clear();
        }
        s->drops_since.reset();
    }
    run(*s, s->fsm->receive(*p, t));
}

void Service::run(Session& s, Actions actions)
{
    for (auto& a : actions) {
        if (auto* send = std::get_if<Send>(&a)) {
            const auto bytes = s.auth->sign(std::move(send->packet));
            boost::system::error_code ec;
            s.socket.send_to(asio::buffer(bytes), s.destination, 0, ec);
            const std::string error = ec && ec != asio::error::would_block ? ec.message() : "";
            if (error != s.send_error) // one line per new error and one when sends work again
                observer_.on_bfd_event(s.config.name, !error.empty(),
                                       error.empty() ? "sending again" : "send: " + error);
            s.send_error = error;
        } else if (auto* change = std::get_if<StateChanged>(&a)) {
            s.since = now();
            observer_.on_bfd_state(s.config.name, *change, s.fsm->remote_state());
        }
    }
    arm(s);
}

void Service::arm(Session& s)
{
    const auto deadline = s.fsm->next_deadline();
    // Most packets received move only the detection deadline, behind the next transmission:
    // the pending wait stays (re-arming costs a cancelled handler and a timer queue update).
    if (deadline == s.armed)
        return;
    s.armed.reset();
    if (!deadline) {
        s.timer.cancel();
        return;
    }
    s.timer.expires_at(*deadline);
    const auto it = sessions_.find(s.config.name);
    if (it == sessions_.end())
        return;
    s.armed = deadline;
    s.timer.async_wait(
        [this, weak = std::weak_ptr<Session>(it->second)](boost::system::error_code ec) {
            auto session = weak.lock();
            if (ec || !session)
                return;
            session->armed.reset();
            run(*session, session->fsm->expire(now()));
        });
}

tl::expected<void, std::string> Service::apply(const PeerConfig& p)
{
    if (const auto it = sessions_.find(p.name); it != sessions_.end()) {
        auto& s = *it->second;
        if (s.config == p)
            return {};
        PeerConfig a = s.config;
        PeerConfig b = p;
        a.config.params = b.config.params = {};
        a.config.strict = b.config.strict = false;
        if (a == b) {
            s.config = p;
            run(s, s.fsm->set_params(p.config.params, now()));
            return {};
        }
        remove(p.name);
    }
    if (!p.config.enabled)
        return {};
    if (auto r = open_receiver(p.peer.afi, p.multihop); !r)
        return r;
    auto s = std::make_shared<Session>(io_);
    s->config = p;
    s->destination = udp::endpoint(to_ip(p.peer), p.multihop ? multihop_port : single_hop_port);
    boost::system::error_code ec;
    s->socket.open(s->destination.protocol(), ec);
    // RFC 5881 §5 / RFC 5883 §5: sent with TTL / hop limit 255.
    if (!ec)
        s->socket.set_option(asio::ip::unicast::hops(required_ttl), ec);
    if (!ec)
        s->socket.non_blocking(true, ec);
    boost::system::error_code bind_ec = asio::error::address_in_use;
    for (int i = 0; !ec && bind_ec == asio::error::address_in_use && i < port_attempts; ++i) {
        // RFC 5881 §4: source port in 49152-65535.
        const auto port = static_cast<std::uint16_t>(
            source_port_min + random_() % (source_port_max - source_port_min + 1));
        const auto local = p.local          ? to_ip(*p.local)
                           : p.peer.is_v4() ? asio::ip::address(asio::ip::address_v4::any())
                                            : asio::ip::address(asio::ip::address_v6::any());
        bind_ec = {};
        s->socket.bind(udp::endpoint(local, port), bind_ec);
    }
    if (ec || bind_ec)
        return tl::unexpected(fmt::format("BFD: socket for {}: {}", p.peer.to_string(),
                                          (ec ? ec : bind_ec).message()));
    s->fsm.emplace(
        new_discriminator(), p.config.params,
        [this] { return static_cast<std::uint32_t>(random_()); }, now());
    s->auth.emplace(p.config.auth, static_cast<std::uint32_t>(random_()));
    sessions_[p.name] = s;
    by_discriminator_[s->fsm->local_discriminator()] = s.get();
    arm(*s);
    return {};
}

void Service::remove(const std::string& name)
{
    const auto it = sessions_.find(name);
    if (it == sessions_.end())
        return;
    auto s = it->second;
    run(*s, s->fsm->admin_down(now()));
    s->timer.cancel();
    boost::system::error_code ec;
    s->socket.close(ec);
    by_discriminator_.erase(s->fsm->local_discriminator());
    sessions_.erase(it);
}

void Service::shutdown()
{
    while (!sessions_.empty())
        remove(sessions_.begin()->first);
    for (auto& r : receivers_) {
        boost::system::error_code ec;
        r->socket.close(ec);
    }
}

bool Service::has(const std::string& name) const
{
    return sessions_.contains(name);
}

std::optional<BfdStatus> Service::status(const std::string& name) const
{
    const auto it = sessions_.find(name);
    if (it == sessions_.end())
        return std::nullopt;
    const auto& s = *it->second;
    const auto& f = *s.fsm;
    BfdStatus st;
    st.peer = s.config.peer.to_string();
    st.multihop = s.config.multihop;
    st.state = f.state();
    st.remote_state = f.remote_state();
    st.local_diag = f.local_diag();
    st.remote_diag = f.remote_diag();
    st.local_discriminator = f.local_discriminator();
    st.remote_discriminator = f.remote_discriminator();
    st.params = f.params();
    st.tx_interval = f.tx_interval();
    st.detection_time = f.detection_time();
    st.remote_detect_mult = f.remote_detect_mult();
    st.auth = s.config.config.auth.type;
    st.strict = s.config.config.strict;
    st.counters = f.counters();
    st.dropped = s.dropped;
    st.last_drop = s.last_drop;
    st.since = s.since;
    return st;
}

} // namespace vipd::bgp::bfd
