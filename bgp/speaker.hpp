// The BGP speaker: many neighbors (eBGP and iBGP, IPv4 and IPv6 transport), one listener per
// listen address, the Loc-RIB and each neighbor's Adj-RIB-Out, and the narrow API the daemon
// uses (announce / withdraw / ready / shutdown) plus an observer for what the daemon logs.
// Asio shell: one io_context, one thread, no locks. Decisions live in the pure FSM, negotiation,
// RIB and codec; this layer only moves bytes and time. RFC 4271 §6.8 (collisions are resolved
// in the FSM), RFC 4724 (End-of-RIB after the initial table), RFC 9003 (shutdown text).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "bgp/bfd/service.hpp"
#include "bgp/bfd/types.hpp"
#include "bgp/capability.hpp"
#include "bgp/fsm.hpp"
#include "bgp/message.hpp"
#include "bgp/rib.hpp"
#include "bgp/route.hpp"
#include "bgp/types.hpp"

namespace vipd::bgp {

/// Everything configured for one neighbor. Defaults are what an operator expects.
struct NeighborConfig
{
    std::string name; ///< unique; defaults to the address text
    Address address;
    std::uint16_t port = 179;
    std::optional<Address> local_address; ///< bind address for outgoing connections
    Asn remote_as = 0;
    std::optional<Asn> local_as; ///< overrides the speaker's AS for this neighbor
    bool passive = false;        ///< wait for the router to connect
    std::string md5_password;    ///< RFC 2385; empty = none
    std::uint16_t hold_time = 90;
    std::optional<std::uint16_t> keepalive; ///< default hold/3
    std::chrono::milliseconds connect_retry{std::chrono::seconds(5)};
    /// RFC 4271 §8.1.1 IdleHoldTime after the first failure, doubled per further failure
    /// (DampPeerOscillations) up to max_idle_hold_time; equal values: no doubling.
    std::chrono::milliseconds idle_hold_time{std::chrono::seconds(1)};
    std::chrono::milliseconds max_idle_hold_time{std::chrono::seconds(120)};
    std::optional<std::uint8_t> ttl_security; ///< GTSM: accept only peers within N hops
    std::optional<std::uint8_t> multihop;     ///< outgoing TTL; eBGP default 1, iBGP 64
    bool ipv4_unicast = true;
    bool ipv6_unicast = true;
    bool graceful_restart = false;
    std::uint16_t restart_time = 120;
    bool extended_message = true;
    bool four_octet_as = true;
    std::optional<Role> role;
    bool role_strict = false;
    std::size_t max_prefixes = 0;     ///< 0 = no limit; Cease/1 when exceeded
    std::size_t adj_rib_in_limit = 0; ///< routes kept for display; 0 = keep none
    ExportPolicy export_policy;       ///< next hop, MED, prepend, communities, …
    bfd::BfdConfig bfd;               ///< RFC 5880/5882 liveness; multihop (RFC 5883) with multihop

    bool operator==(const NeighborConfig&) const = default;
};

/// Settings of the speaker as a whole.
struct SpeakerConfig
{
    RouterId router_id;
    Asn local_as = 0;
    std::vector<std::pair<Address, std::uint16_t>> listen; ///< empty = no listener
    std::string hostname;                                  ///< FQDN capability; empty = not sent
};

/// Counters and state of one neighbor, for status output and metrics.
struct NeighborStatus
{
    std::string name;
    std::string address;
    std::string state;           ///< "Idle" … "Established"
    std::string last_transition; ///< "OpenConfirm->Established cause=KEEPALIVE received"
    std::string last_error;
    std::optional<Notification> last_notification_sent;
    std::optional<Notification> last_notification_received;
    std::optional<std::chrono::steady_clock::time_point> established_since;
    std::uint64_t established_count = 0;
    std::uint32_t failures = 0;                  ///< counted for the idle-hold back-off
    std::chrono::milliseconds idle_hold_time{0}; ///< the last IdleHoldTime armed (0: at once)
    std::string idle_hold_reason;                ///< "back-off after 4 failures", …
    /// While the IdleHoldTimer runs: when the automatic restart happens.
    std::optional<std::chrono::steady_clock::time_point> next_attempt;
    std::uint64_t messages_sent = 0, messages_received = 0;
    std::uint64_t updates_sent = 0, updates_received = 0;
    std::uint64_t prefixes_announced = 0; ///< in the Adj-RIB-Out as sent
    std::uint64_t prefixes_received = 0;
    std::vector<std::string> peer_capabilities;
    std::vector<std::string> families;
    std::uint16_t negotiated_hold_time = 0;
    std::uint16_t negotiated_keepalive_time = 0;
    /// The received prefixes are held (adj-rib-in-limit or max-prefixes set), so
    /// prefixes_received is exact; otherwise it counts every announcement (a running total).
    bool adj_rib_in_kept = false;
    /// Held down by the operator (Speaker::disable_neighbor) with this RFC 9003 text.
    bool disabled = false;
    std::string disabled_message;
    /// The neighbor's BFD session, when BFD is enabled for it.
    std::optional<bfd::BfdStatus> bfd;
    /// BFD strict mode holds the BGP session down until BFD is Up.
    bool waiting_for_bfd = false;
};

/// How much an observer event matters, for the application's log level.
enum class EventLevel : std::uint8_t { debug, info, warning, error };
/// "debug", "info", "warning", "error".
[[nodiscard]] std::string_view to_string(EventLevel level);

/// What the speaker tells the application (corebgp lesson: nothing else leaks out).
class SpeakerObserver
{
public:
    virtual ~SpeakerObserver() = default;
    /// Every FSM transition, with its cause (text for logs from to_string(State)).
    virtual void on_state_change(const std::string& neighbor, State from, State to,
                                 const std::string& cause) = 0;
    /// A NOTIFICATION we sent (sent=true) or received.
    virtual void on_notification(const std::string& neighbor, bool sent, const Notification& n) = 0;
    /// Anything else worth a log line: RFC 7606 outcomes, rejected connections, socket errors.
    virtual void on_event(const std::string& neighbor, EventLevel level,
                          const std::string& text) = 0;
};

/// What a Session needs from the speaker that owns it (a narrow seam instead of friendship).
class SessionHost
{
public:
    /// The event loop every connection and timer of the session runs on.
    virtual boost::asio::io_context& io() = 0;
    /// Router id, AS and hostname shared by all neighbors.
    [[nodiscard]] virtual const SpeakerConfig& speaker_config() const = 0;
    /// The Loc-RIB the session's Adj-RIB-Out is derived from.
    virtual LocRib& loc_rib() = 0;
    /// True once the application has its first verdicts (initial tables may go out).
    [[nodiscard]] virtual bool tables_ready() const = 0;
    /// Where state changes, NOTIFICATIONs and events are reported.
    virtual SpeakerObserver& observer() = 0;

protected:
    ~SessionHost() = default;
};

class Session;

class Speaker : private SessionHost, private bfd::ServiceObserver
{
public:
    Speaker(boost::asio::io_context& io, SpeakerConfig config, SpeakerObserver& observer);
    ~Speaker();
    Speaker(const Speaker&) = delete;
    Speaker& operator=(const Speaker&) = delete;

    /// Open listeners and start every neighbor. Error: a listener could not be opened.
    [[nodiscard]] tl::expected<void, std::string> start();

    /// Add a neighbor (started at once when the speaker runs). Error: duplicate name/address.
    [[nodiscard]] tl::expected<void, std::string> add_neighbor(const NeighborConfig& config);
    /// Remove a neighbor: Cease/3 (peer de-configured) and close.
    void remove_neighbor(const std::string& name);
    /// Apply a changed configuration: the session is reset only when a session parameter
    /// changed; an export-only change re-sends the neighbor's table without a reset.
    [[nodiscard]] tl::expected<void, std::string>
    reconfigure_neighbor(const NeighborConfig& config);
    [[nodiscard]] std::vector<std::string> neighbor_names() const;

    /// Announce (or change) a route; written to every established neighbor as soon as the
    /// event loop runs, bursts coalesced. Returns false when nothing changed.
    bool announce(const Prefix& prefix, const RouteSpec& spec);
    /// Many routes with one spec (`vipctl announce --file`); returns how many changed.
    std::size_t announce(std::span<const Prefix> prefixes, const RouteSpec& spec);
    /// Withdraw a route; returns false when it was not announced.
    bool withdraw(const Prefix& prefix);
    [[nodiscard]] const LocRib& rib() const { return rib_; }

    /// The application has its first verdicts: send initial tables, then End-of-RIB.
    void set_ready();
    [[nodiscard]] bool ready() const { return ready_; }

    /// Called once every change made so far has been written to (or failed on) every
    /// established neighbor: per neighbor name, "written" or the reason it was not.
    void when_flushed(std::function<void(std::map<std::string, std::string>)> done);

    /// Administrative shutdown: Cease/2 with `reason` (RFC 9003) to every neighbor, close, and
    /// call `done` once all sessions are closed or `limit` passed.
    void shutdown(const std::string& reason, std::chrono::milliseconds limit,
                  std::function<void()> done);

    /// Operator's hard reset of one neighbor (Session::reset); false: no such neighbor.
    bool reset_neighbor(const std::string& name, const std::string& reason);

    /// Operator's disable (`vipctl neighbor NAME disable`): Cease/2 Administrative Shutdown with
    /// `message` (RFC 9003) and no restart, inbound connections refused (Cease/5), until
    /// enable_neighbor; kept across remove/add (a reload). Allowed before start() and for a
    /// name not (yet) configured. False: it was already disabled (the message is updated).
    bool disable_neighbor(const std::string& name, const std::string& message);
    /// Ends a disable and starts the session (ManualStart); false: it was not disabled.
    bool enable_neighbor(const std::string& name);
    /// Every disabled neighbor name -> its message (what the daemon persists).
    [[nodiscard]] const std::map<std::string, std::string>& disabled_neighbors() const
    {
        return disabled_;
    }

    /// Route refresh toward our neighbors is answered inside the sessions; this re-sends the
    /// table to one neighbor on the operator's request (e.g. after an export change).
    void resend(const std::string& name);

    [[nodiscard]] std::vector<NeighborStatus> status() const;
    /// BFD packets that reached no session, per bfd::Drop reason (bfd::Service::unmatched_drops).
    [[nodiscard]] const bfd::DropCounts& bfd_unmatched_drops() const
    {
        return bfd_.unmatched_drops();
    }
    /// The Adj-RIB-Out of one neighbor as sent: prefix -> exported attributes.
    void for_each_sent(const std::string& name,
                       const std::function<void(const Prefix&, const RouteSpec&)>& f) const;
    /// The Adj-RIB-Out of one neighbor with the wire attributes its session sends for each
    /// route (Session::exported), or why the route cannot be exported (no next hop).
    void for_each_exported(
        const std::string& name,
        const std::function<void(const Prefix&, const tl::expected<PathAttributes, std::string>&)>&
            f) const;

private:
    // SessionHost
    boost::asio::io_context& io() override { return io_; }
    [[nodiscard]] const SpeakerConfig& speaker_config() const override { return config_; }
    LocRib& loc_rib() override { return rib_; }
    [[nodiscard]] bool tables_ready() const override { return ready_; }
    SpeakerObserver& observer() override { return observer_; }

    // bfd::ServiceObserver: RFC 5882 coupling of BFD to the BGP sessions.
    void on_bfd_state(const std::string& name, const bfd::StateChanged& change,
                      bfd::SessionState remote) override;
    void on_bfd_event(const std::string& name, bool error, const std::string& text) override;
    /// Create, change or remove the neighbor's BFD session to match its configuration.
    void apply_bfd(const NeighborConfig& c);
    /// May the session start: not disabled, and BFD Up when BFD is strict for it.
    [[nodiscard]] bool may_start(const NeighborConfig& c) const;
    /// Start the session when it may; otherwise log that BFD strict mode holds it.
    void start_or_hold(Session& s);
    void remove_session(const std::string& name);

    void schedule_flush();
    void flush();
    void accept_loop(std::size_t index);

    boost::asio::io_context& io_;
    SpeakerConfig config_;
    SpeakerObserver& observer_;
    LocRib rib_;
    std::vector<std::shared_ptr<Session>> sessions_;
    struct Listener;
    std::vector<std::unique_ptr<Listener>> listeners_;
    bool ready_ = false;
    bool flush_scheduled_ = false;
    bool running_ = false;
    std::vector<std::function<void(std::map<std::string, std::string>)>> flush_waiters_;
    std::map<std::string, std::string> disabled_; ///< operator-disabled neighbor -> message
    bfd::Service bfd_;
};

} // namespace vipd::bgp
