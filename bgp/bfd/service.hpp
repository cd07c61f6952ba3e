// The BFD sessions of the speaker on the daemon's io_context (no thread per session): UDP
// sockets, demultiplexing and timers around the pure Fsm, AuthState and codec. One receive socket
// per family and port kind, read in batches (recvmmsg); one connected transmit socket per session;
// one timer for every session's deadlines (a heap of them, the earliest armed on a timerfd).
// Single-hop per
// RFC 5881 (port 3784, source port 49152-65535, TTL / hop limit 255 sent and required on receipt
// via IP_RECVTTL / IPV6_RECVHOPLIMIT), multihop per RFC 5883 (port 4784), IPv4 and IPv6.
// Received packets are matched by Your Discriminator, else by source address and port kind
// (RFC 5880 §6.3). Must not: decide protocol behaviour (fsm.hpp) or know about BGP.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <tl/expected.hpp>

#include "bgp/bfd/types.hpp"
#include "bgp/types.hpp"

namespace vipd::bgp::bfd {

/// One session to create: the neighbor's name (the key), addresses and configuration.
struct PeerConfig
{
    std::string name;
    Address peer;
    std::optional<Address> local; ///< source address; empty = chosen by the kernel
    bool multihop = false;
    BfdConfig config;

    bool operator==(const PeerConfig&) const = default;
};

/// What the service reports (the speaker couples it to BGP and logs it).
class ServiceObserver
{
public:
    virtual ~ServiceObserver() = default;
    /// A session changed state; `remote` is the peer's last state (AdminDown matters, RFC 5882
    /// §3.2: the peer turned BFD off, not a failure).
    virtual void on_bfd_state(const std::string& name, const StateChanged& change,
                              SessionState remote) = 0;
    /// A notable event without a state change (authentication mismatch, socket error).
    virtual void on_bfd_event(const std::string& name, bool error, const std::string& text) = 0;
};

class Service
{
public:
    Service(boost::asio::io_context& io, ServiceObserver& observer);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Create, change or keep the session named `p.name`: an unchanged configuration leaves it
    /// alone, new intervals go through a Poll sequence, new addresses, mode or authentication
    /// make a new session. Error: a socket could not be opened (the session is not created).
    [[nodiscard]] tl::expected<void, std::string> apply(const PeerConfig& p);
    /// Remove the session (AdminDown is sent first).
    void remove(const std::string& name);
    /// Every session AdminDown (Diag 7), written at once: vipd is stopping (RFC 5882 §3.2).
    void shutdown();

    [[nodiscard]] bool has(const std::string& name) const;
    /// True when any session exists.
    [[nodiscard]] bool any() const { return !sessions_.empty(); }
    [[nodiscard]] std::optional<BfdStatus> status(const std::string& name) const;
    /// Packets that reached no session (malformed, or of no configured peer or discriminator),
    /// per Drop reason since start. A session's own drops are in its BfdStatus.
    [[nodiscard]] const DropCounts& unmatched_drops() const { return unmatched_drops_; }

private:
    struct Session;
    struct Receiver;
    /// A session's deadline in the heap; stale once the session's `armed` differs (or it is gone).
    struct Due
    {
        Time at;
        std::uint32_t discriminator;
    };
    void receive_loop(Receiver& r);
    void receive(Receiver& r);
    void on_datagram(Receiver& r, ByteView payload, const Address& from, int ttl, Time t);
    void run(Session& s, Actions actions);
    [[nodiscard]] std::string transmit(Session& s, ByteView bytes);
    void arm(Session& s);
    void schedule();
    void run_due();
    [[nodiscard]] Session* find(std::uint32_t discriminator) const;
    [[nodiscard]] tl::expected<void, std::string> open_receiver(Afi afi, bool multihop);
    [[nodiscard]] std::uint32_t new_discriminator();
    void drop(Session* s, Drop reason, const std::string& what);

    boost::asio::io_context& io_;
    ServiceObserver& observer_;
    std::mt19937 random_;
    std::map<std::string, std::shared_ptr<Session>> sessions_;
    /// The sessions by bfd.LocalDiscr: most packets are matched by Your Discriminator.
    std::unordered_map<std::uint32_t, Session*> by_discriminator_;
    std::vector<std::unique_ptr<Receiver>> receivers_;
    /// Every session's next deadline (min-heap on `at`, stale entries skipped when they surface),
    /// and the one timer waiting for the earliest.
    std::vector<Due> due_;
    std::vector<Due> ready_; ///< the entries one round of run_due takes out
    /// A timerfd of its own rather than an Asio timer: one timerfd_settime per wakeup instead of
    /// Asio's two (it re-arms its shared timerfd after it fired, and again for the next wait).
    boost::asio::posix::stream_descriptor timer_;
    std::optional<Time> timer_at_; ///< when the timerfd is set to expire
    bool timer_waiting_ = false;   ///< a wait for the timerfd is pending
    bool batching_ = false;        ///< inside a batch: the timer is armed once at its end
    DropCounts unmatched_drops_{};
    std::string last_unmatched_drop_; ///< the last drop of a packet of no session, as logged
};

} // namespace vipd::bgp::bfd
