// BFD sessions on the event loop: sockets, demultiplexing, timers (see service.hpp).
#include "bgp/bfd/service.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/unicast.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace vipd::bgp::bfd {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

/// RFC 5881 §5: the TTL / hop limit single-hop packets are sent with and must arrive with.
constexpr int required_ttl = 255;
/// Source ports tried before giving up on a session's socket.
constexpr int port_attempts = 64;
/// Datagrams read per recvmmsg call.
constexpr std::size_t receive_batch = 32;
/// Room for one datagram: a control packet is at most 255 bytes (its Length field).
constexpr std::size_t datagram_room = 512;
/// Room for the TTL / hop limit ancillary data of one datagram.
constexpr std::size_t control_room = 64;

/// How long before its time a session's periodic packet may go in a wakeup that sends others
/// (Fsm::expire keeps it within RFC 5880 §6.8.7's 75-100 % of the interval): fewer wakeups.
constexpr Micros send_early{500};

/// Min-heap order of the deadlines.
constexpr auto later = [](const auto& a, const auto& b) { return a.at > b.at; };

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
    explicit Session(asio::io_context& io) : socket(io) {}
    PeerConfig config;
    std::optional<Fsm> fsm;
    std::optional<AuthState> auth;
    udp::socket socket; ///< transmit socket (source port 49152-65535)
    udp::endpoint destination;
    bool connected = false;    ///< `socket` is connected to `destination` (plain send())
    std::optional<Time> armed; ///< the deadline of this session's live entry in the heap
    std::optional<Time> since;
    std::uint64_t dropped = 0;
    std::string last_drop;           ///< the reason of the last drop, as logged
    std::optional<Time> drops_since; ///< first drop since the last accepted packet
    std::string send_error; ///< the last send's error; logged when it changes, not per packet
};

struct Service::Receiver
{
    explicit Receiver(asio::io_context& io) : socket(io)
    {
        for (std::size_t i = 0; i < receive_batch; ++i) {
            iov[i] = {buffers[i].data(), datagram_room};
            auto& h = messages[i].msg_hdr;
            h.msg_name = &from[i];
            h.msg_iov = &iov[i];
            h.msg_iovlen = 1;
            h.msg_control = control[i].data();
        }
    }
    udp::socket socket;
    Afi afi = Afi::ipv4;
    bool multihop = false;
    // One recvmmsg batch: the headers point into these arrays once; the lengths the kernel
    // overwrites are reset before each call.
    std::array<mmsghdr, receive_batch> messages{};
    std::array<iovec, receive_batch> iov{};
    std::array<sockaddr_storage, receive_batch> from{};
    struct alignas(cmsghdr) Control : std::array<char, control_room>
    {
    };
    std::array<Control, receive_batch> control{};
    std::array<std::array<std::uint8_t, datagram_room>, receive_batch> buffers{};
};

Service::Service(asio::io_context& io, ServiceObserver& observer)
    : io_(io), observer_(observer), random_(std::random_device{}()), timer_(io)
{
    // CLOCK_MONOTONIC is steady_clock's clock.
    const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
        throw std::system_error(errno, std::system_category(), "BFD: timerfd_create");
    timer_.assign(fd);
}

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
        batching_ = true;
        receive(r);
        run_due();
        receive_loop(r);
    });
}

void Service::receive(Receiver& r)
{
    // Read until the queue is empty (the socket's readiness is edge-triggered): a batch shorter
    // than asked for is recvmmsg stopping at EAGAIN.
    for (;;) {
        for (auto& m : r.messages) {
            m.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            m.msg_hdr.msg_controllen = control_room;
        }
        const int n = ::recvmmsg(r.socket.native_handle(), r.messages.data(), receive_batch,
                                 MSG_DONTWAIT, nullptr);
        if (n <= 0)
            break;
        const auto t = now(); // one clock read for the datagrams queued before it
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
            auto& m = r.messages[i];
            if (const auto addr = from_sockaddr(r.from[i]))
                on_datagram(
                    r,
                    ByteView(r.buffers[i].data(), std::min<std::size_t>(m.msg_len, datagram_room)),
                    *addr, received_ttl(m.msg_hdr), t);
        }
        if (static_cast<std::size_t>(n) < receive_batch)
            break;
    }
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

void Service::on_datagram(Receiver& r, ByteView payload, const Address& from, int ttl, Time t)
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
            const auto error = transmit(s, bytes);
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

std::string Service::transmit(Session& s, ByteView bytes)
{
    // A connected socket: the kernel keeps the route and source address instead of looking them
    // up for every packet. Not connected (no route when it was tried, or the last send failed):
    // connect again first, else send to the address.
    const int fd = s.socket.native_handle();
    if (!s.connected)
        s.connected =
            ::connect(fd, s.destination.data(), static_cast<socklen_t>(s.destination.size())) == 0;
    const auto n =
        s.connected ? ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT)
                    : ::sendto(fd, bytes.data(), bytes.size(), MSG_DONTWAIT, s.destination.data(),
                               static_cast<socklen_t>(s.destination.size()));
    // A full buffer loses this packet only. ECONNREFUSED is the ICMP port unreachable of an
    // earlier packet, which a connected socket reports on the next send (an unconnected one never
    // does): the peer does not listen, as when its BFD is off; not an error of this send.
    if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
        return {};
    const int err = errno;
    if (s.connected) {
        // Disconnect, so that the next connect picks the route and source address afresh.
        sockaddr unspec{};
        unspec.sa_family = AF_UNSPEC;
        (void)::connect(fd, &unspec, sizeof unspec);
        s.connected = false;
    }
    return boost::system::error_code(err, boost::system::system_category()).message();
}

void Service::arm(Session& s)
{
    const auto deadline = s.fsm->next_deadline();
    if (!deadline) {
        s.armed.reset(); // its entry, if any, is stale now
        return;
    }
    // Most packets received move only the detection deadline, behind the next transmission:
    // the entry stays. A later deadline keeps the earlier entry too, which re-arms when it comes.
    if (s.armed && *s.armed <= *deadline)
        return;
    s.armed = deadline;
    due_.push_back({*deadline, s.fsm->local_discriminator()});
    std::push_heap(due_.begin(), due_.end(), later);
    schedule();
}

Service::Session* Service::find(std::uint32_t discriminator) const
{
    const auto it = by_discriminator_.find(discriminator);
    return it == by_discriminator_.end() ? nullptr : it->second;
}

void Service::schedule()
{
    if (batching_)
        return;
    while (!due_.empty()) {
        const auto* s = find(due_.front().discriminator);
        if (s != nullptr && s->armed == due_.front().at)
            break;
        std::pop_heap(due_.begin(), due_.end(), later);
        due_.pop_back();
    }
    // A pending wait for an earlier time stays: it finds nothing due and arms again.
    if (due_.empty() || (timer_at_ && *timer_at_ <= due_.front().at))
        return;
    timer_at_ = due_.front().at;
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(timer_at_->time_since_epoch()).count();
    itimerspec at{};
    at.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    at.it_value.tv_nsec = std::max<long>(static_cast<long>(ns % 1'000'000'000), 1); // 0 disarms
    if (::timerfd_settime(timer_.native_handle(), TFD_TIMER_ABSTIME, &at, nullptr) != 0)
        throw std::system_error(errno, std::system_category(), "BFD: timerfd_settime");
    if (timer_waiting_)
        return;
    timer_waiting_ = true;
    timer_.async_wait(asio::posix::stream_descriptor::wait_read,
                      [this](boost::system::error_code ec) {
                          if (ec)
                              return; // the service is gone
                          timer_waiting_ = false;
                          std::uint64_t expirations = 0; // clears the readiness
                          (void)::read(timer_.native_handle(), &expirations, sizeof expirations);
                          timer_at_.reset();
                          run_due();
                      });
}

void Service::run_due()
{
    // In a wakeup that has a deadline passed (or packets received): every deadline passed, and
    // the periodic packets due within send_early that Fsm::expire lets go now; then again while
    // deadlines pass meanwhile (sending takes time). A clock read is cheaper than a wakeup.
    batching_ = true;
    bool received = false;
    auto t = now();
    for (auto horizon = t + send_early; !due_.empty() && due_.front().at <= horizon;
         t = now(), horizon = t) {
        // Taken out first: an entry pushed again (a deadline not due yet) waits for the timer.
        ready_.clear();
        while (!due_.empty() && due_.front().at <= t + send_early) {
            ready_.push_back(due_.front());
            std::pop_heap(due_.begin(), due_.end(), later);
            due_.pop_back();
        }
        for (const auto& e : ready_) {
            auto* s = find(e.discriminator);
            if (s == nullptr || s->armed != e.at)
                continue; // stale
            // A detection time to expire: first read what the peers sent meanwhile (the timer
            // may be handled before the sockets' readiness after the process was not scheduled
            // for a while); a packet queued in time keeps the session Up.
            if (const auto d = s->fsm->detection_deadline(); !received && d && *d <= t) {
                received = true;
                for (auto& r : receivers_)
                    receive(*r);
                if (s->armed != e.at)
                    continue;
            }
            s->armed.reset();
            run(*s, s->fsm->expire(t, send_early));
        }
    }
    batching_ = false;
    schedule();
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
    s->armed.reset();
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
    due_.clear(); // the timer may still fire once, with nothing due
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
