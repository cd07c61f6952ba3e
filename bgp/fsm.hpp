// The RFC 4271 §8 BGP finite state machine for one neighbor, as a pure function of events:
// `Fsm::handle(Event)` returns the actions the driver (session.cpp) executes in order. It owns
// the connections of the neighbor (an outbound and an inbound one may coexist; §6.8 collision
// resolution is decided here), the timers by name, and the status shown to operators.
// Must not: read a clock, touch a socket, log, or decode UPDATEs (the driver does and reports).
// RFC 4271 §6.8/§8/§10, RFC 6286 §2.3, RFC 6608, RFC 9003, RFC 9687, RFC 4724 §4.2, RFC 4486.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bgp/message.hpp"
#include "bgp/negotiate.hpp"
#include "bgp/notification.hpp"

namespace vipd::bgp {

/// Identifies one TCP connection (inbound or outbound). Assigned by the driver, never reused.
using ConnId = std::uint64_t;

/// RFC 9687 §3.2/§8: NOTIFICATION error code "Send Hold Timer Expired" (not sent by vipd, only
/// recorded as the last error: the peer is not reading, RFC 9687 §4.3 makes sending optional).
inline constexpr std::uint8_t send_hold_timer_expired_code = 8;

/// RFC 4271 §8.2.2 states.
enum class State : std::uint8_t { idle, connect, active, open_sent, open_confirm, established };
/// "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established".
[[nodiscard]] std::string_view to_string(State s);

/// The timers the FSM starts and stops; the driver owns one steady_timer per id.
enum class TimerId : std::uint8_t {
    connect_retry,   ///< RFC 4271 §8.1.3 ConnectRetryTimer
    hold,            ///< HoldTimer
    keepalive,       ///< KeepaliveTimer
    delay_open,      ///< DelayOpenTimer (§8.1.1 DelayOpen)
    idle_hold,       ///< IdleHoldTimer (§8.1.1 DampPeerOscillations): wait before restarting
    send_hold,       ///< RFC 9687 SendHoldTimer
    idle_hold_reset, ///< time in Established after which the session is stable (stable_time)
};
inline constexpr std::size_t timer_count = 7;
[[nodiscard]] std::string_view to_string(TimerId t);

// ---- Events (RFC 4271 §8.1 numbers in comments) -------------------------------------------

/// 1 (4 in passive mode): operator start; starts at once even while back-off is running.
struct ManualStart
{
};
/// 2: operator stop; sends Cease / Administrative Shutdown (6/2) with `reason` as the RFC 9003
/// shutdown communication on every open connection, or `cease` when given (6/3 Peer
/// De-configured for a neighbor removed). No automatic restart until a start event.
struct ManualStop
{
    std::string reason;
    std::optional<Notification> cease = std::nullopt;
};
/// 3 (5 in passive mode): the application starts the session; ignored while the IdleHoldTimer
/// runs (oscillation damping, events 6/7) or when automatic start is not allowed.
struct AutomaticStart
{
};
/// The operator's hard reset (`vipctl neighbor NAME reset`; not an RFC 4271 event): Cease /
/// Administrative Reset (RFC 4486 6/4) with `reason` (RFC 9003) on every open connection, the
/// back-off cleared, and the session restarted at once (also from Idle or stopped).
struct ManualReset
{
    std::string reason;
};
/// 8: the local system stops the session with `cease` on every open connection, e.g.
/// max_prefix_cease() or make_cease(administrative_reset, text). Restarts after IdleHoldTime.
struct AutomaticStop
{
    Notification cease;
    /// The path under the session failed (BFD Down, RFC 5882 §4.2), not the session: a stable
    /// Established session restarts at once (the connect retries wait for the path), one that
    /// was not yet stable counts a failure as any other stop.
    bool path_down = false;
};
struct ConnectRetryTimerExpired ///< 9
{
};
struct HoldTimerExpired ///< 10
{
};
struct KeepaliveTimerExpired ///< 11
{
};
struct DelayOpenTimerExpired ///< 12
{
};
struct IdleHoldTimerExpired ///< 13
{
};
/// RFC 9687 event 29 (SendHoldTimer_Expires).
struct SendHoldTimerExpired
{
};
/// The session has been Established for stable_time(): it is stable. The back-off is forgotten
/// and a later TCP close restarts at once (§8.1.1 DampPeerOscillations, method left to
/// implementations).
struct IdleHoldResetTimerExpired
{
};
/// 16 (Tcp_CR_Acked: our Connect succeeded, inbound = false) / 17 (TcpConnectionConfirmed:
/// the peer connected to us, inbound = true). The driver has checked the peer address (14/15).
struct TcpConnected
{
    ConnId conn = 0;
    bool inbound = false;
};
/// 18 for the outbound attempt started by a Connect action (refused, unreachable, timed out).
struct ConnectFailed
{
    std::string reason;
};
/// 18 for a connection that was up: closed by the peer, reset, or a read/write error.
struct TcpConnectionFails
{
    ConnId conn = 0;
    std::string reason;
};
/// 19 (20 while the DelayOpenTimer runs): a decoded OPEN; validate_open runs in the FSM.
struct OpenReceived
{
    ConnId conn = 0;
    Open open;
};
/// 21/22/28 (BGPHeaderErr, BGPOpenMsgErr, UpdateMsgErr): a decode error whose action is
/// session_reset. The FSM sends to_notification(error) and closes the connection.
struct MessageError
{
    ConnId conn = 0;
    DecodeError error;
};
/// 24 (NotifMsgVerErr, when it is 2/1) / 25 (NotifMsg).
struct NotificationReceived
{
    ConnId conn = 0;
    Notification notification;
};
struct KeepaliveReceived ///< 26
{
    ConnId conn = 0;
};
/// 27: an UPDATE that decode_update accepted (possibly with a weaker RFC 7606 outcome the
/// driver already applied). Restarts the HoldTimer.
struct UpdateReceived
{
    ConnId conn = 0;
};
/// RFC 2918: a ROUTE-REFRESH arrived (the driver re-sends the Adj-RIB-Out in Established).
struct RouteRefreshReceived
{
    ConnId conn = 0;
};
/// The driver finished writing one or more queued messages to the socket ("sends a message"
/// in RFC 9687 §4.3 and RFC 4271 §8.2.2). Restarts the SendHoldTimer and the KeepaliveTimer
/// in Established. While the peer does not read, writes do not complete, no such event
/// arrives and the SendHoldTimer expires.
struct MessagesWritten
{
    ConnId conn = 0;
};

using Event =
    std::variant<ManualStart, ManualStop, ManualReset, AutomaticStart, AutomaticStop,
                 ConnectRetryTimerExpired, HoldTimerExpired, KeepaliveTimerExpired,
                 DelayOpenTimerExpired, IdleHoldTimerExpired, SendHoldTimerExpired,
                 IdleHoldResetTimerExpired, TcpConnected, ConnectFailed, TcpConnectionFails,
                 OpenReceived, MessageError, NotificationReceived, KeepaliveReceived,
                 UpdateReceived, RouteRefreshReceived, MessagesWritten>;

/// The expiry event of a timer, for the driver.
[[nodiscard]] Event timer_expired(TimerId t);
/// RFC name and number of an event, e.g. "HoldTimerExpired (10)", "OpenReceived (20)".
[[nodiscard]] std::string event_name(const Event& e, State state);

/// RFC 4486 §4: Cease / Maximum Number of Prefixes Reached with data AFI (2), SAFI (1) and
/// the prefix upper bound (4).
[[nodiscard]] Notification max_prefix_cease(AfiSafi family, std::uint32_t limit);

// ---- Actions ------------------------------------------------------------------------------

/// Start an outbound TCP connection attempt. Any attempt still in flight is abandoned first.
/// Its result comes back as TcpConnected{inbound = false} or ConnectFailed.
struct Connect
{
    bool operator==(const Connect&) const = default;
};
/// Abandon the outbound attempt in flight; no event may be delivered for it afterwards.
struct CancelConnect
{
    bool operator==(const CancelConnect&) const = default;
};
/// Queue a message on a connection (encode with Negotiated::encode once Established).
struct Send
{
    ConnId conn = 0;
    Message message;
    bool operator==(const Send&) const = default;
};
/// Close a connection after the messages queued before this action are written (bounded by
/// the driver). `abort`: close at once and drop unwritten data (RFC 9687: the peer does not
/// read). No event is expected for a closed connection; late ones are ignored.
struct CloseConnection
{
    ConnId conn = 0;
    bool abort = false;
    bool operator==(const CloseConnection&) const = default;
};
/// (Re)arm a timer; its expiry is posted as timer_expired(timer). A timer restarted or
/// stopped before its expiry event was handled must not deliver that event (the FSM also
/// ignores expiries of timers it considers stopped).
struct StartTimer
{
    TimerId timer = TimerId::connect_retry;
    std::chrono::milliseconds duration{0};
    bool operator==(const StartTimer&) const = default;
};
struct StopTimer
{
    TimerId timer = TimerId::connect_retry;
    bool operator==(const StopTimer&) const = default;
};
/// The session reached Established on `conn`: the driver sends the whole Adj-RIB-Out.
struct Established
{
    ConnId conn = 0;
    Negotiated negotiated;
};
/// The session went to Idle from another state, or left Established. `was_established`: it
/// had been Established (the Adj-RIB-Out must be sent again on the next Established).
struct Down
{
    std::string cause;
    bool was_established = false;
    bool operator==(const Down&) const = default;
};

using Action = std::variant<Connect, CancelConnect, Send, CloseConnection, StartTimer, StopTimer,
                            Established, Down>;
using Actions = std::vector<Action>;

// ---- Configuration and status -------------------------------------------------------------

/// Timers and optional session attributes (RFC 4271 §8.1.1, §10; RFC 9687 §4.4).
struct FsmConfig
{
    /// ConnectRetryTime. RFC 4271 §10 suggests 120 s; vipd retries fast so that a router that
    /// comes back sees us within seconds.
    std::chrono::seconds connect_retry_time{5};
    /// RFC 4271 §8.2.2: the HoldTimer "large value" used until the peer's OPEN (4 minutes).
    std::chrono::seconds open_hold_time{240};
    std::chrono::seconds delay_open_time{0}; ///< DelayOpen when non-zero (§8.1.1)
    bool passive = false;                    ///< never initiate; wait for the peer
    bool allow_automatic_start = true;       ///< restart by itself after failures
    /// DampPeerOscillations: each failure (an error, or a session that ends before it is
    /// stable) doubles the IdleHoldTime, from idle_hold_time up to max_idle_hold_time; a stable
    /// session forgets the failures. When false the wait stays at idle_hold_time.
    bool damp_peer_oscillations = true;
    std::chrono::milliseconds idle_hold_time{std::chrono::seconds(1)};
    std::chrono::milliseconds max_idle_hold_time{std::chrono::seconds(120)};
    /// Upper bound of the time in Established after which the session is stable; the
    /// negotiated HoldTime, when shorter and not zero, is used instead (stable_time()).
    std::chrono::seconds idle_hold_reset_time{60};
    /// RFC 9687 SendHoldTime: nullopt = the RFC 9687 §6 default max(8 min, 2 × hold time);
    /// 0 = off; any other value is raised to at least hold time + 1 s (RFC 9687 §4.4).
    std::optional<std::chrono::seconds> send_hold_time;
    /// RFC 4271 §10: ConnectRetry and Keepalive times are multiplied by a factor uniform in
    /// [0.75, 1), drawn from a generator seeded with jitter_seed (no global or clock source).
    bool jitter = true;
    std::uint64_t jitter_seed = 0;
};

/// What operators see (`vipctl status`): the last transition and why, errors, counters.
struct Status
{
    State state = State::idle;
    State previous = State::idle; ///< the state before the last transition
    std::string last_event;       ///< event of the last transition, e.g. "HoldTimerExpired (10)"
    std::string cause;            ///< readable cause of the last transition
    /// The last error we detected (we sent its NOTIFICATION), or RFC 9687 Send Hold Timer
    /// Expired (code 8, not sent).
    std::optional<DecodeError> last_error;
    std::optional<Notification> last_notification_sent;
    std::optional<Notification> last_notification_received;
    std::optional<std::string> shutdown_communication_sent;     ///< RFC 9003 text
    std::optional<std::string> shutdown_communication_received; ///< RFC 9003 text
    std::uint32_t established_count = 0;                        ///< transitions to Established
    std::uint32_t flaps = 0;                                    ///< transitions out of it
    /// IdleHoldTime of the last automatic restart armed in Idle (0: at once).
    std::chrono::milliseconds idle_hold_time{0};
    /// Why that wait: "back-off after 4 failures", "no back-off: the session was stable".
    std::string idle_hold_reason;
    std::uint32_t failures = 0; ///< failures counted for the back-off since the last stable session
    bool stable = false;        ///< Established for stable_time() (reset on leaving Established)
    bool enabled = false;       ///< started and not administratively stopped
};

/// How a transition to Idle arms the automatic restart (RFC 4271 §8.1.1 IdleHoldTimer).
enum class Restart : std::uint8_t {
    back_off,       ///< a failure: counted, IdleHoldTime doubled per earlier failure
    wait,           ///< not counted: the IdleHoldTime of the failures so far (event 24)
    peer_reset,     ///< Cease 2/4/6 (RFC 4486) received in Established: at once
    stable_close,   ///< TCP closed after the session was stable: at once
    path_down,      ///< BFD Down after the session was stable: at once
    operator_reset, ///< ManualReset: failures forgotten, at once
};

/// The IdleHoldTime after `failures` counted failures: idle_hold_time, doubled for each
/// failure after the first, at most max_idle_hold_time (constant without damping).
[[nodiscard]] std::chrono::milliseconds idle_hold_after(const FsmConfig& c, std::uint32_t failures);

/// How a NOTIFICATION from the peer ends a session (RFC 4486 Cease subcodes).
enum class PeerCease : std::uint8_t {
    failure,        ///< anything else: a failure, backed off
    administrative, ///< 6/2 Administrative Shutdown, 6/4 Administrative Reset, 6/6 Other
                    ///< Configuration Change, or RFC 8538 6/9 Hard Reset wrapping one of them
    refused,        ///< 6/5 Connection Rejected, 6/7 Connection Collision Resolution
};
[[nodiscard]] PeerCease classify_cease(const Notification& n);

/// "next attempt in 8 s: back-off after 4 failures" for the last wait armed in Idle.
[[nodiscard]] std::string describe_idle_hold(const Status& s);

/// One neighbor's state machine. Not thread-safe; one instance per neighbor, fed one event at
/// a time.
///
/// Driver contract: execute the actions in order; post TcpConnected / ConnectFailed /
/// TcpConnectionFails, every decoded message (OpenReceived, KeepaliveReceived, UpdateReceived,
/// RouteRefreshReceived, NotificationReceived, MessageError for session_reset outcomes),
/// MessagesWritten after writes complete, and timer_expired(id) when a timer fires. Events for
/// closed connections, stopped timers or abandoned attempts are ignored, so races between an
/// action and an event already queued are harmless.
///
/// Decisions beyond the RFC text:
/// - A TCP failure before any OPEN is exchanged goes to Active (listen, retry on the
///   ConnectRetryTimer), never to Idle: an unreachable router is retried every
///   connect_retry_time and accepted as soon as it connects, without oscillation back-off.
/// - Passive mode never initiates a connection (as BIRD and OpenBGPD do; RFC 4271's
///   PassiveTcpEstablishment only delays the first attempt).
/// - NOTIFICATIONs may precede our OPEN (SendNOTIFICATIONwithoutOPEN is TRUE): Cease/5 for
///   connections refused in Idle, 5/0 for a message before any OPEN.
/// - Two connections: a later inbound connection gets our OPEN at once and is tracked; the
///   first acceptable OPEN on either decides (resolve_collision). The loser gets Cease/7. A
///   failure of the first connection hands the session to the second instead of going Idle.
/// - In Established a new connection loses, unless its OPEN carries the Graceful Restart R bit
///   (RFC 4724 §4.2: the peer restarted, the old session is dead): it then replaces the old.
/// - Cease/7 received without a second connection goes to Active without back-off: the peer
///   kept a connection of its own that is about to reach us. So do Cease/5, and Cease 2/4/6
///   before Established: the peer refuses this attempt; we listen and retry on the
///   ConnectRetryTimer (a peer that refuses at once cannot make us loop faster than that).
/// - Restart from Idle (§8.1.1 DampPeerOscillations): errors, and sessions that end before
///   they are stable, count as failures and wait IdleHoldTime doubled per failure. A Cease
///   2/4/6 received in Established (the router was restarted, reset or reconfigured by its
///   operator), a TCP close and a BFD Down (AutomaticStop with path_down) of a stable session
///   restart at once, uncounted. A session is stable after stable_time() in Established: the
///   negotiated HoldTime (both sides kept it alive for a whole hold period), at most
///   idle_hold_reset_time; it forgets the failures.
/// - RFC 9687 expiry drops the connection without a NOTIFICATION (it would queue behind the
///   data the peer does not read) and records error code 8 in Status::last_error.
class Fsm
{
public:
    /// `local` gives our OPEN (make_open) and the checks applied to the peer's (validate_open).
    Fsm(LocalPeer local, FsmConfig config);

    /// Process one event; the returned actions must be executed in order.
    [[nodiscard]] Actions handle(const Event& e);
    /// New IdleHoldTime bounds (a configuration reload), used from the next wait on.
    void set_idle_hold(std::chrono::milliseconds idle_hold, std::chrono::milliseconds max)
    {
        config_.idle_hold_time = idle_hold;
        config_.max_idle_hold_time = max;
    }

    [[nodiscard]] State state() const { return status_.state; }
    [[nodiscard]] const Status& status() const { return status_; }
    [[nodiscard]] const Open& local_open() const { return local_open_; }
    /// The negotiated parameters from OpenConfirm on; nullptr before.
    [[nodiscard]] const Negotiated* negotiated() const
    {
        return negotiated_ ? &*negotiated_ : nullptr;
    }
    /// The connection the session state refers to, if any.
    [[nodiscard]] std::optional<ConnId> connection() const
    {
        return primary_ ? std::optional<ConnId>{primary_->id} : std::nullopt;
    }
    /// Is a timer running in the FSM's view?
    [[nodiscard]] bool timer_running(TimerId t) const
    {
        return running_[static_cast<std::size_t>(t)];
    }

private:
    struct Connection
    {
        ConnId id = 0;
        bool inbound = false;
        bool open_sent = false;
    };
    void on_idle(const Event& e, Actions& out);
    void on_connect(const Event& e, Actions& out);
    void on_active(const Event& e, Actions& out);
    void on_open_sent(const Event& e, Actions& out);
    void on_open_confirm(const Event& e, Actions& out);
    void on_established(const Event& e, Actions& out);

    // Shared pieces of the per-state handlers.
    bool on_common(const Event& e, Actions& out);
    bool on_connected(const Event& e, Actions& out);
    void on_message_error(const MessageError& err, Actions& out);
    void on_secondary(const Event& e, Actions& out);
    void on_pre_open(const Event& e, Actions& out);
    void on_open(const OpenReceived& ev, Actions& out);
    void on_tcp_connected(const TcpConnected& ev, Actions& out);
    void on_notification(const NotificationReceived& ev, Actions& out);
    void on_hold_expired(Actions& out);
    void unexpected(const Event& e, Actions& out);

    void start_session(std::string cause, Actions& out);
    void stop_session(const Notification& n, std::string cause, Restart restart, Actions& out);
    void adopt(const TcpConnected& ev, Actions& out);
    void send_open(Connection& c, Actions& out);
    void accept_open(Negotiated n, std::string cause, Actions& out);
    void resolve_collision(ConnId with_open, Negotiated n, Actions& out);
    void lose_primary(std::string cause, State fallback, Restart restart, Actions& out,
                      bool abort = false);
    void promote_secondary(std::string cause, Actions& out);
    void enter(State next, std::string cause, Actions& out, Restart restart = Restart::back_off);

    void send_error(ConnId conn, DecodeError e, Actions& out);
    void send_notification(ConnId conn, Notification n, Actions& out);
    void close(ConnId conn, Actions& out, bool abort = false);
    void start_timer(TimerId t, std::chrono::milliseconds d, Actions& out);
    void stop_timer(TimerId t, Actions& out);
    void start_connect_retry(Actions& out);
    void start_keepalive(Actions& out);
    [[nodiscard]] std::chrono::milliseconds jittered(std::chrono::milliseconds base);
    [[nodiscard]] std::chrono::milliseconds send_hold_time() const;
    [[nodiscard]] std::chrono::milliseconds stable_time() const;
    void arm_restart(Restart restart, Actions& out);
    [[nodiscard]] bool is_stale(const Event& e) const;
    [[nodiscard]] bool is_secondary(const Event& e) const;

    LocalPeer local_;
    FsmConfig config_;
    Open local_open_;
    Status status_;
    std::string event_;                   ///< name of the event being handled, for enter()
    std::optional<Connection> primary_;   ///< the connection the state refers to
    std::optional<Connection> secondary_; ///< a second, inbound connection (§6.8 collision)
    bool connect_pending_ = false;        ///< an outbound attempt is in flight
    std::optional<Negotiated> negotiated_;
    std::array<bool, timer_count> running_{};
    std::uint64_t rng_;
};

} // namespace vipd::bgp
