// One neighbor: drives the pure Fsm with events from its TCP connections and timers and
// executes the actions it returns (connect, send, close, timers), decodes incoming messages
// (RFC 7606 outcomes applied here, session resets handed to the FSM), and writes the
// Adj-RIB-Out as UPDATEs. Events are handled one at a time from a small queue, so an action
// that causes another event (a close, say) never re-enters the FSM.
// Must not: decide protocol behaviour (the FSM, negotiation, the RIBs and AdjRibIn do), or
// block. Reaches its speaker only through SessionHost.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bgp/adj_rib_in.hpp"
#include "bgp/fsm.hpp"
#include "bgp/rib.hpp"
#include "bgp/speaker.hpp"
#include "bgp/transport.hpp"

namespace vipd::bgp {

class Session : public ConnectionHandler, public std::enable_shared_from_this<Session>
{
public:
    Session(SessionHost& host, NeighborConfig config);
    ~Session() override;

    [[nodiscard]] const std::string& name() const { return config_.name; }
    [[nodiscard]] const NeighborConfig& config() const { return config_; }
    [[nodiscard]] bool established() const { return fsm_.state() == State::established; }

    /// Administrative start (RFC 4271 event 1).
    void start();
    /// Administrative stop with an RFC 9003 reason (event 2); the FSM sends Cease/2.
    void stop(const std::string& reason);
    /// Operator's hard reset: Cease/4 with `reason` (RFC 9003), back-off cleared, restart now.
    void reset(const std::string& reason);
    /// BFD declared the neighbor down (RFC 5882 §4.3): Cease / BFD Down (RFC 9384), closed at
    /// once, restarted through the FSM (AutomaticStop, event 8): at once when the session was
    /// stable, after the back-off's IdleHoldTime when it was not.
    void bfd_down();
    /// Stop with a specific Cease (e.g. 6/3 peer de-configured): ManualStop, no restart.
    void stop_with(const Notification& cease);
    /// An inbound TCP connection from this neighbor's address.
    void accept(boost::asio::ip::tcp::socket socket);
    /// The idle-hold back-off changed (no session reset): used from the next wait.
    void set_idle_hold(std::chrono::milliseconds idle_hold, std::chrono::milliseconds max);
    /// The export policy changed (no session reset): re-send the whole table.
    void set_export_policy(const ExportPolicy& policy);

    /// Write pending Adj-RIB-Out changes (speaker flush).
    void flush_routes();
    /// The application became ready: send the initial table and End-of-RIB if established.
    void on_ready();
    /// Call `done` with "written" once everything queued is written, or with the reason not.
    void when_written(std::function<void(std::string)> done);
    /// True when no connection of this session is open or closing.
    [[nodiscard]] bool closed() const;

    [[nodiscard]] NeighborStatus status() const;
    [[nodiscard]] const AdjRibOut& adj_rib_out() const { return adj_out_; }
    /// The session's local addresses (next-hop-self); empty unless established.
    [[nodiscard]] SessionAddresses session_addresses() const;
    /// The wire attributes this session sends for `spec` in family `afi`: export_attributes with
    /// the neighbor's export policy, `addrs` and the negotiated RFC 8950 next hop. The only
    /// export path: UPDATEs and the routes view (Speaker::for_each_exported) both use it.
    [[nodiscard]] tl::expected<PathAttributes, std::string>
    exported(const RouteSpec& spec, Afi afi, const SessionAddresses& addrs) const;

    // ConnectionHandler
    void on_message(ConnectionId id, ByteView message) override;
    void on_stream_error(ConnectionId id, const DecodeError& error) override;
    void on_closed(ConnectionId id, const std::string& reason) override;
    void on_drained(ConnectionId id) override;

private:
    void dispatch(Event e);
    void execute(Action& a);
    void do_connect();
    static boost::asio::awaitable<void> connect_attempt(std::shared_ptr<Session> self,
                                                        std::uint64_t attempt);
    void adopt(boost::asio::ip::tcp::socket socket, bool inbound);
    void start_timer(TimerId t, std::chrono::milliseconds d);
    void stop_timer(TimerId t);
    void on_established(const Established& e);
    void on_down(const Down& d);
    void on_update(ConnectionId id, ByteView message);
    void send_full_table(bool route_refresh);
    std::size_t encode_plan(const UpdatePlan& plan, Bytes& out);
    void write(Bytes&& bytes);
    void fail_waiters(const std::string& reason);
    [[nodiscard]] std::shared_ptr<Connection> established_connection() const;
    void note(EventLevel level, const std::string& text);

    SessionHost& host_;
    NeighborConfig config_;
    LocalPeer local_;
    Fsm fsm_;
    std::deque<Event> queue_;
    bool dispatching_ = false;
    std::map<ConnectionId, std::shared_ptr<Connection>> conns_;
    std::vector<std::weak_ptr<Connection>> closing_;
    ConnectionId next_conn_id_ = 1;
    std::uint64_t attempt_ = 0;
    std::shared_ptr<boost::asio::ip::tcp::socket> pending_connect_;
    std::array<std::unique_ptr<boost::asio::steady_timer>, timer_count> timers_;
    std::array<std::uint64_t, timer_count> timer_gen_{};
    AdjRibOut adj_out_;
    std::optional<ConnectionId> established_conn_;
    std::optional<std::chrono::steady_clock::time_point> established_since_;
    std::chrono::steady_clock::time_point idle_hold_since_; ///< when the IdleHoldTimer started
    AdjRibIn adj_in_;
    std::vector<std::function<void(std::string)>> write_waiters_;
    std::uint64_t messages_sent_ = 0, messages_received_ = 0;
    std::uint64_t updates_sent_ = 0, updates_received_ = 0;
};

/// The FSM's view of a neighbor's configuration (split out for tests of the mapping).
[[nodiscard]] LocalPeer make_local_peer(const NeighborConfig& n, const SpeakerConfig& s);
[[nodiscard]] FsmConfig make_fsm_config(const NeighborConfig& n);

} // namespace vipd::bgp
