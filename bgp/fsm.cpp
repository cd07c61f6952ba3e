// RFC 4271 §8.2.2 state machine for one neighbor: one handler per state, every transition
// through enter(), timers tracked by name so that a late expiry of a stopped timer is ignored.
// Connections: `primary_` is the one the state refers to; `secondary_` is a later inbound
// connection tracked until the first OPEN on either decides the §6.8 collision
// (fsm_collision.cpp).
// Must not: read a clock, do I/O, or log (the Status and the Down/Send actions carry the news).
// RFC 4271 §6.8/§8/§10, RFC 6286 §2.3, RFC 6608 §4, RFC 9003, RFC 9687 §4, RFC 4724 §4.2.
#include "bgp/fsm.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace vipd::bgp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto cease_code = static_cast<std::uint8_t>(ErrorCode::cease);
// RFC 4271 §10: jitter multiplies a timer by a factor uniformly distributed in [0.75, 1].
constexpr double jitter_floor = 0.75;
constexpr double jitter_span = 0.25;
// RFC 9687 §6: default SendHoldTime is the greater of 8 minutes and 2 × HoldTime.
constexpr seconds default_send_hold_time{480};
constexpr int send_hold_per_hold_time = 2;

// splitmix64: a small, seedable, platform-independent generator (no global state).
std::uint64_t next_random(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

DecodeError local_error(std::uint8_t code, std::uint8_t subcode, std::string what)
{
    return DecodeError{code, subcode, {}, 0, Rfc7606::session_reset, std::move(what)};
}

std::string notification_text(const Notification& n)
{
    std::string text = fmt::format("{}/{} {}", n.code, n.subcode, describe(n.code, n.subcode));
    if (auto sc = shutdown_communication(n))
        text += fmt::format(" \"{}\"", *sc);
    return text;
}

// Build each action in place: a temporary Action variant trips GCC 12's
// -Wmaybe-uninitialized on the inactive alternatives.
template <class T> void emit(Actions& out, T action)
{
    out.emplace_back(std::in_place_type<T>, std::move(action));
}

std::optional<ConnId> conn_of(const Event& e)
{
    return std::visit(
        [](const auto& ev) -> std::optional<ConnId> {
            using T = std::decay_t<decltype(ev)>;
            if constexpr (std::is_same_v<T, TcpConnected>)
                return std::nullopt;
            else if constexpr (requires { ev.conn; })
                return ev.conn;
            else
                return std::nullopt;
        },
        e);
}

std::optional<TimerId> timer_of(const Event& e)
{
    if (std::holds_alternative<ConnectRetryTimerExpired>(e))
        return TimerId::connect_retry;
    if (std::holds_alternative<HoldTimerExpired>(e))
        return TimerId::hold;
    if (std::holds_alternative<KeepaliveTimerExpired>(e))
        return TimerId::keepalive;
    if (std::holds_alternative<DelayOpenTimerExpired>(e))
        return TimerId::delay_open;
    if (std::holds_alternative<IdleHoldTimerExpired>(e))
        return TimerId::idle_hold;
    if (std::holds_alternative<SendHoldTimerExpired>(e))
        return TimerId::send_hold;
    if (std::holds_alternative<IdleHoldResetTimerExpired>(e))
        return TimerId::idle_hold_reset;
    return std::nullopt;
}

// The timers each state may have running; entering a state stops all others.
bool uses(State s, TimerId t)
{
    switch (s) {
    case State::idle:
        return t == TimerId::idle_hold;
    case State::connect:
    case State::active:
        return t == TimerId::connect_retry || t == TimerId::delay_open;
    case State::open_sent:
        return t == TimerId::hold;
    case State::open_confirm:
        return t == TimerId::hold || t == TimerId::keepalive;
    case State::established:
        return t == TimerId::hold || t == TimerId::keepalive || t == TimerId::send_hold ||
               t == TimerId::idle_hold_reset;
    }
    return false;
}

} // namespace

std::string_view to_string(State s)
{
    switch (s) {
    case State::idle:
        return "Idle";
    case State::connect:
        return "Connect";
    case State::active:
        return "Active";
    case State::open_sent:
        return "OpenSent";
    case State::open_confirm:
        return "OpenConfirm";
    case State::established:
        return "Established";
    }
    return "?";
}

std::string_view to_string(TimerId t)
{
    switch (t) {
    case TimerId::connect_retry:
        return "ConnectRetryTimer";
    case TimerId::hold:
        return "HoldTimer";
    case TimerId::keepalive:
        return "KeepaliveTimer";
    case TimerId::delay_open:
        return "DelayOpenTimer";
    case TimerId::idle_hold:
        return "IdleHoldTimer";
    case TimerId::send_hold:
        return "SendHoldTimer";
    case TimerId::idle_hold_reset:
        return "IdleHoldResetTimer";
    }
    return "?";
}

Event timer_expired(TimerId t)
{
    switch (t) {
    case TimerId::connect_retry:
        return ConnectRetryTimerExpired{};
    case TimerId::hold:
        return HoldTimerExpired{};
    case TimerId::keepalive:
        return KeepaliveTimerExpired{};
    case TimerId::delay_open:
        return DelayOpenTimerExpired{};
    case TimerId::idle_hold:
        return IdleHoldTimerExpired{};
    case TimerId::send_hold:
        return SendHoldTimerExpired{};
    case TimerId::idle_hold_reset:
        return IdleHoldResetTimerExpired{};
    }
    return IdleHoldResetTimerExpired{};
}

std::string event_name(const Event& e, State state)
{
    return std::visit(
        [state](const auto& ev) -> std::string {
            using T = std::decay_t<decltype(ev)>;
            if constexpr (std::is_same_v<T, ManualStart>)
                return "ManualStart (1)";
            else if constexpr (std::is_same_v<T, ManualStop>)
                return "ManualStop (2)";
            else if constexpr (std::is_same_v<T, ManualReset>)
                return "ManualReset";
            else if constexpr (std::is_same_v<T, AutomaticStart>)
                return "AutomaticStart (3)";
            else if constexpr (std::is_same_v<T, AutomaticStop>)
                return "AutomaticStop (8)";
            else if constexpr (std::is_same_v<T, ConnectRetryTimerExpired>)
                return "ConnectRetryTimerExpired (9)";
            else if constexpr (std::is_same_v<T, HoldTimerExpired>)
                return "HoldTimerExpired (10)";
            else if constexpr (std::is_same_v<T, KeepaliveTimerExpired>)
                return "KeepaliveTimerExpired (11)";
            else if constexpr (std::is_same_v<T, DelayOpenTimerExpired>)
                return "DelayOpenTimerExpired (12)";
            else if constexpr (std::is_same_v<T, IdleHoldTimerExpired>)
                return "IdleHoldTimerExpired (13)";
            else if constexpr (std::is_same_v<T, SendHoldTimerExpired>)
                return "SendHoldTimerExpired (RFC 9687 29)";
            else if constexpr (std::is_same_v<T, IdleHoldResetTimerExpired>)
                return "IdleHoldResetTimerExpired";
            else if constexpr (std::is_same_v<T, TcpConnected>)
                return ev.inbound ? "TcpConnectionConfirmed (17)" : "Tcp_CR_Acked (16)";
            else if constexpr (std::is_same_v<T, ConnectFailed> ||
                               std::is_same_v<T, TcpConnectionFails>)
                return "TcpConnectionFails (18)";
            else if constexpr (std::is_same_v<T, OpenReceived>)
                return state == State::connect || state == State::active
                           ? "BGPOpen with DelayOpenTimer running (20)"
                           : "BGPOpen (19)";
            else if constexpr (std::is_same_v<T, MessageError>)
                return ev.error.code == 1   ? "BGPHeaderErr (21)"
                       : ev.error.code == 2 ? "BGPOpenMsgErr (22)"
                                            : "UpdateMsgErr (28)";
            else if constexpr (std::is_same_v<T, NotificationReceived>)
                return ev.notification.code == 2 && ev.notification.subcode == 1
                           ? "NotifMsgVerErr (24)"
                           : "NotifMsg (25)";
            else if constexpr (std::is_same_v<T, KeepaliveReceived>)
                return "KeepAliveMsg (26)";
            else if constexpr (std::is_same_v<T, UpdateReceived>)
                return "UpdateMsg (27)";
            else if constexpr (std::is_same_v<T, RouteRefreshReceived>)
                return "RouteRefreshMsg";
            else
                return "MessagesWritten";
        },
        e);
}

Notification max_prefix_cease(AfiSafi family, std::uint32_t limit)
{
    Notification n{cease_code, cease::maximum_prefixes_reached, {}};
    Writer w(n.data);
    // RFC 4486 §4: AFI (2 octets), SAFI (1 octet), prefix upper bound (4 octets).
    w.u16(static_cast<std::uint16_t>(family.afi));
    w.u8(static_cast<std::uint8_t>(family.safi));
    w.u32(limit);
    return n;
}

Fsm::Fsm(LocalPeer local, FsmConfig config)
    : local_(std::move(local)), config_(config), local_open_(make_open(local_)),
      rng_(config_.jitter_seed)
{}

Actions Fsm::handle(const Event& e)
{
    Actions out;
    if (is_stale(e))
        return out;
    if (auto t = timer_of(e))
        running_[static_cast<std::size_t>(*t)] = false;
    event_ = event_name(e, status_.state);
    if (is_secondary(e)) {
        on_secondary(e, out);
        return out;
    }
    switch (status_.state) {
    case State::idle:
        on_idle(e, out);
        break;
    case State::connect:
        on_connect(e, out);
        break;
    case State::active:
        on_active(e, out);
        break;
    case State::open_sent:
        on_open_sent(e, out);
        break;
    case State::open_confirm:
        on_open_confirm(e, out);
        break;
    case State::established:
        on_established(e, out);
        break;
    }
    return out;
}

// An expiry of a timer we stopped, an attempt we abandoned, or news about a connection we
// closed: the driver may deliver these after our action crossed them in its queue.
bool Fsm::is_stale(const Event& e) const
{
    if (auto t = timer_of(e))
        return !timer_running(*t);
    if (std::holds_alternative<ConnectFailed>(e))
        return !connect_pending_;
    if (auto c = conn_of(e))
        return !(primary_ && primary_->id == *c) && !(secondary_ && secondary_->id == *c);
    return false;
}

bool Fsm::is_secondary(const Event& e) const
{
    auto c = conn_of(e);
    return c && secondary_ && secondary_->id == *c;
}

// ---- Per-state handlers (RFC 4271 §8.2.2) -------------------------------------------------

void Fsm::on_idle(const Event& e, Actions& out)
{
    if (std::holds_alternative<ManualStart>(e)) {
        status_.enabled = true;
        start_session("manual start", out);
    } else if (std::holds_alternative<AutomaticStart>(e)) {
        // §8.1.1: while the IdleHoldTimer runs, automatic starts are damped (events 6/7).
        if (!config_.allow_automatic_start || timer_running(TimerId::idle_hold))
            return;
        status_.enabled = true;
        start_session("automatic start", out);
    } else if (const auto* reset = std::get_if<ManualReset>(&e)) {
        status_.enabled = true;
        status_.failures = 0;
        stop_timer(TimerId::idle_hold, out);
        start_session(reset->reason.empty() ? std::string("operator reset")
                                            : fmt::format("operator reset: \"{}\"", reset->reason),
                      out);
    } else if (std::holds_alternative<IdleHoldTimerExpired>(e)) {
        start_session(fmt::format("automatic restart after {:g} s idle hold",
                                  std::chrono::duration<double>(status_.idle_hold_time).count()),
                      out);
    } else if (std::holds_alternative<ManualStop>(e)) {
        status_.enabled = false;
        stop_timer(TimerId::idle_hold, out);
    } else if (const auto* tcp = std::get_if<TcpConnected>(&e)) {
        // §8.2.2 Idle: "refuses all incoming BGP connections"; RFC 4486 §4: Cease/5.
        if (tcp->inbound)
            send_notification(tcp->conn, make_cease(cease::connection_rejected), out);
        close(tcp->conn, out);
    } else {
        // §8.2.2 Idle: any other event does not change the Idle state.
    }
}

void Fsm::on_connect(const Event& e, Actions& out)
{
    if (on_common(e, out))
        return;
    if (primary_) {
        on_pre_open(e, out);
    } else if (std::holds_alternative<ConnectRetryTimerExpired>(e)) {
        // §8.2.2 Connect, event 9: drop the attempt, restart the timer, try again.
        emit<Connect>(out, {});
        connect_pending_ = true;
        start_connect_retry(out);
    } else if (const auto* f = std::get_if<ConnectFailed>(&e)) {
        // §8.2.2 Connect, event 18 goes to Idle without DelayOpen; vipd keeps listening and
        // retries on the ConnectRetryTimer (Active) so that a refused connect is not damped.
        connect_pending_ = false;
        start_connect_retry(out);
        enter(State::active, fmt::format("connect failed: {}", f->reason), out);
    } else {
        unexpected(e, out);
    }
}

void Fsm::on_active(const Event& e, Actions& out)
{
    if (on_common(e, out))
        return;
    if (primary_) {
        on_pre_open(e, out);
    } else if (std::holds_alternative<ConnectRetryTimerExpired>(e)) {
        // §8.2.2 Active, event 9: initiate a connection and go to Connect.
        emit<Connect>(out, {});
        connect_pending_ = true;
        start_connect_retry(out);
        enter(State::connect, "connect retry timer expired", out);
    } else {
        unexpected(e, out);
    }
}

void Fsm::on_open_sent(const Event& e, Actions& out)
{
    if (on_common(e, out))
        return;
    if (const auto* open = std::get_if<OpenReceived>(&e)) {
        on_open(*open, out);
    } else if (std::holds_alternative<HoldTimerExpired>(e)) {
        on_hold_expired(out);
    } else if (const auto* fail = std::get_if<TcpConnectionFails>(&e)) {
        // §8.2.2 OpenSent, event 18: close, restart ConnectRetryTimer, listen (Active).
        lose_primary(fmt::format("TCP connection failed: {}", fail->reason), State::active,
                     Restart::wait, out);
    } else if (const auto* err = std::get_if<MessageError>(&e)) {
        on_message_error(*err, out);
    } else if (const auto* n = std::get_if<NotificationReceived>(&e)) {
        on_notification(*n, out);
    } else {
        // RFC 6608 §4: KEEPALIVE, UPDATE or ROUTE-REFRESH in OpenSent → 5/1.
        unexpected(e, out);
    }
}

void Fsm::on_open_confirm(const Event& e, Actions& out)
{
    if (on_common(e, out) || on_connected(e, out))
        return;
    if (std::holds_alternative<KeepaliveReceived>(e)) {
        // §8.2.2 OpenConfirm, event 26: restart the HoldTimer, go Established.
        if (negotiated_->hold_time.count() > 0)
            start_timer(TimerId::hold, negotiated_->hold_time, out);
        enter(State::established, "KEEPALIVE received", out);
    } else {
        // RFC 6608 §4: OPEN (on this connection), UPDATE or ROUTE-REFRESH → 5/2.
        unexpected(e, out);
    }
}

void Fsm::on_established(const Event& e, Actions& out)
{
    if (std::holds_alternative<MessagesWritten>(e)) {
        // RFC 4271 §8.2.2: sending KEEPALIVE or UPDATE restarts the KeepaliveTimer;
        // RFC 9687 §4.3: sending any message restarts the SendHoldTimer.
        if (negotiated_->hold_time.count() > 0)
            start_keepalive(out);
        if (send_hold_time().count() > 0)
            start_timer(TimerId::send_hold, send_hold_time(), out);
        return;
    }
    if (on_common(e, out) || on_connected(e, out))
        return;
    if (std::holds_alternative<KeepaliveReceived>(e) || std::holds_alternative<UpdateReceived>(e)) {
        // §8.2.2 Established, events 26/27: restart the HoldTimer (unless it is zero).
        if (negotiated_->hold_time.count() > 0)
            start_timer(TimerId::hold, negotiated_->hold_time, out);
    } else if (std::holds_alternative<RouteRefreshReceived>(e)) {
        // RFC 2918 §4: answered by the driver from the Adj-RIB-Out; no state change.
    } else if (std::holds_alternative<SendHoldTimerExpired>(e)) {
        // RFC 9687 §4.3: the peer has not read for SendHoldTime; a NOTIFICATION would sit
        // behind the unread data, so none is sent: record the error, drop the connection.
        status_.last_error = local_error(send_hold_timer_expired_code, 0,
                                         "send hold timer expired: the peer stopped reading");
        lose_primary("send hold timer expired (RFC 9687): connection dropped", State::idle,
                     Restart::back_off, out, true);
    } else if (std::holds_alternative<IdleHoldResetTimerExpired>(e)) {
        // Stable: forget earlier failures (§8.1.1 damping); a TCP close now restarts at once.
        status_.stable = true;
        status_.failures = 0;
    } else {
        // RFC 6608 §4: an OPEN on the established connection → 5/3.
        unexpected(e, out);
    }
}

// ---- Shared handlers ----------------------------------------------------------------------

// An error found in a message on the primary connection: NOTIFICATION, then Idle with damping
// (§8.2.2, events 21-25 and 28 in every state that reads messages).
void Fsm::on_message_error(const MessageError& err, Actions& out)
{
    send_error(primary_->id, err.error, out);
    lose_primary(fmt::format("sent NOTIFICATION: {}", to_string(err.error)), State::idle,
                 Restart::back_off, out);
}

// Events handled alike in OpenConfirm and Established (§8.2.2): the KeepaliveTimer, the
// HoldTimer, a failed connection (event 18), an error found in a message, a NOTIFICATION.
// Returns true when `e` was one of them.
bool Fsm::on_connected(const Event& e, Actions& out)
{
    if (std::holds_alternative<KeepaliveTimerExpired>(e)) {
        emit<Send>(out, {primary_->id, Keepalive{}});
        start_keepalive(out);
    } else if (std::holds_alternative<HoldTimerExpired>(e)) {
        on_hold_expired(out);
    } else if (const auto* fail = std::get_if<TcpConnectionFails>(&e)) {
        // A stable session closed by the peer (a router restart): no sign of a flap.
        lose_primary(fmt::format("TCP connection failed: {}", fail->reason), State::idle,
                     status_.stable ? Restart::stable_close : Restart::back_off, out);
    } else if (const auto* err = std::get_if<MessageError>(&e)) {
        on_message_error(*err, out);
    } else if (const auto* n = std::get_if<NotificationReceived>(&e)) {
        on_notification(*n, out);
    } else {
        return false;
    }
    return true;
}

// Events handled alike in every state but Idle. Returns true when `e` was one of them.
bool Fsm::on_common(const Event& e, Actions& out)
{
    if (std::holds_alternative<ManualStart>(e) || std::holds_alternative<AutomaticStart>(e))
        return true; // §8.2.2: start events are ignored outside Idle
    if (const auto* stop = std::get_if<ManualStop>(&e)) {
        status_.enabled = false;
        if (stop->cease) {
            stop_session(*stop->cease, fmt::format("stopped: {}", notification_text(*stop->cease)),
                         Restart::wait, out);
            return true;
        }
        stop_session(make_cease(cease::administrative_shutdown, stop->reason),
                     stop->reason.empty()
                         ? std::string("administrative shutdown")
                         : fmt::format("administrative shutdown: \"{}\"", stop->reason),
                     Restart::wait, out);
        return true;
    }
    if (const auto* reset = std::get_if<ManualReset>(&e)) {
        status_.enabled = true;
        stop_session(make_cease(cease::administrative_reset, reset->reason),
                     reset->reason.empty() ? std::string("operator reset")
                                           : fmt::format("operator reset: \"{}\"", reset->reason),
                     Restart::operator_reset, out);
        return true;
    }
    if (const auto* stop = std::get_if<AutomaticStop>(&e)) {
        // A stable session whose path failed (BFD Down) is no sign of a flapping peer.
        const Restart restart =
            stop->path_down && status_.stable ? Restart::path_down : Restart::back_off;
        stop_session(stop->cease, fmt::format("automatic stop: {}", notification_text(stop->cease)),
                     restart, out);
        return true;
    }
    if (const auto* tcp = std::get_if<TcpConnected>(&e)) {
        on_tcp_connected(*tcp, out);
        return true;
    }
    // Writes matter only in Established (on_established handles them first).
    return std::holds_alternative<MessagesWritten>(e);
}

// Connect/Active with a connection whose OPEN we delay (§8.1.1 DelayOpen).
void Fsm::on_pre_open(const Event& e, Actions& out)
{
    if (std::holds_alternative<DelayOpenTimerExpired>(e)) {
        // §8.2.2 Connect/Active, event 12: send OPEN, large HoldTimer, OpenSent.
        send_open(*primary_, out);
        start_timer(TimerId::hold, config_.open_hold_time, out);
        enter(State::open_sent, "delay open timer expired", out);
    } else if (const auto* open = std::get_if<OpenReceived>(&e)) {
        on_open(*open, out);
    } else if (const auto* fail = std::get_if<TcpConnectionFails>(&e)) {
        // §8.2.2 Connect/Active, event 18 with DelayOpenTimer running: back to Active.
        lose_primary(fmt::format("TCP connection failed before OPEN: {}", fail->reason),
                     State::active, Restart::wait, out);
    } else if (const auto* err = std::get_if<MessageError>(&e)) {
        on_message_error(*err, out);
    } else if (const auto* n = std::get_if<NotificationReceived>(&e)) {
        on_notification(*n, out);
    } else {
        // §8.2.2 Connect/Active "any other event"; RFC 6608 has no subcode here → 5/0.
        unexpected(e, out);
    }
}

// The first connection of Connect/Active (§8.2.2 events 16/17).
void Fsm::adopt(const TcpConnected& ev, Actions& out)
{
    if (ev.inbound && connect_pending_) {
        emit<CancelConnect>(out, {});
        connect_pending_ = false;
    }
    primary_ = Connection{ev.conn, ev.inbound, false};
    stop_timer(TimerId::connect_retry, out);
    if (config_.delay_open_time.count() > 0) {
        start_timer(TimerId::delay_open, config_.delay_open_time, out);
        return;
    }
    send_open(*primary_, out);
    start_timer(TimerId::hold, config_.open_hold_time, out);
    enter(State::open_sent,
          fmt::format("{} connection {} established", ev.inbound ? "inbound" : "outbound", ev.conn),
          out);
}

// An OPEN on the primary connection (events 19/20).
void Fsm::on_open(const OpenReceived& ev, Actions& out)
{
    auto n = validate_open(ev.open, local_);
    if (!n) {
        send_error(primary_->id, n.error(), out);
        lose_primary(fmt::format("sent NOTIFICATION: {}", to_string(n.error())), State::idle,
                     Restart::back_off, out);
        return;
    }
    if (secondary_) {
        resolve_collision(ev.conn, std::move(*n), out);
        return;
    }
    std::string cause =
        fmt::format("OPEN received from AS {} id {}", n->remote_as, n->remote_id.to_string());
    accept_open(std::move(*n), std::move(cause), out);
}

// §8.2.2 OpenSent event 19 / Connect-Active event 20: the peer's OPEN is acceptable.
void Fsm::accept_open(Negotiated n, std::string cause, Actions& out)
{
    if (!primary_->open_sent)
        send_open(*primary_, out); // DelayOpen: our OPEN goes now (event 20)
    emit<Send>(out, {primary_->id, Keepalive{}});
    negotiated_ = std::move(n);
    if (negotiated_->hold_time.count() > 0) {
        start_timer(TimerId::hold, negotiated_->hold_time, out);
        start_keepalive(out);
    } else {
        stop_timer(TimerId::hold, out); // §4.2: a zero Hold Time runs no timers
    }
    enter(State::open_confirm, std::move(cause), out);
}

void Fsm::on_notification(const NotificationReceived& ev, Actions& out)
{
    const Notification& n = ev.notification;
    status_.last_notification_received = n;
    status_.shutdown_communication_received = shutdown_communication(n);
    std::string cause = fmt::format("received NOTIFICATION {}", notification_text(n));
    const PeerCease kind = classify_cease(n);
    if (kind == PeerCease::administrative && status_.state == State::established) {
        // RFC 4486: the router's operator restarted or reset it; re-peer without back-off.
        lose_primary(std::move(cause), State::idle, Restart::peer_reset, out);
        return;
    }
    if (kind != PeerCease::failure) {
        // §6.8 (Cease/7): the peer kept another connection; Cease/5, or 2/4/6 before
        // Established: it refuses this one. Listen and retry instead of backing off.
        lose_primary(std::move(cause), State::active, Restart::wait, out);
        return;
    }
    // §8.2.2: NotifMsgVerErr (24) goes to Idle without damping, NotifMsg (25) with it.
    const bool version_error = n.code == static_cast<std::uint8_t>(ErrorCode::open_message) &&
                               n.subcode == open_error::unsupported_version_number;
    lose_primary(std::move(cause), State::idle, version_error ? Restart::wait : Restart::back_off,
                 out);
}

void Fsm::on_hold_expired(Actions& out)
{
    // §8.2.2 event 10 in OpenSent/OpenConfirm/Established: NOTIFICATION 4/0, Idle.
    send_error(primary_->id,
               local_error(static_cast<std::uint8_t>(ErrorCode::hold_timer_expired), 0,
                           "hold timer expired"),
               out);
    lose_primary("hold timer expired: sent NOTIFICATION 4/0", State::idle, Restart::back_off, out);
}

// The explicit "any other event" branch of every state but Idle (RFC 6608 §4 subcodes).
void Fsm::unexpected(const Event& e, Actions& out)
{
    std::uint8_t subcode = fsm_error::unspecified;
    if (status_.state == State::open_sent)
        subcode = fsm_error::unexpected_in_open_sent;
    else if (status_.state == State::open_confirm)
        subcode = fsm_error::unexpected_in_open_confirm;
    else if (status_.state == State::established)
        subcode = fsm_error::unexpected_in_established;
    const std::string what =
        fmt::format("unexpected {} in {}", event_name(e, status_.state), to_string(status_.state));
    if (!primary_) {
        enter(State::idle, what, out);
        return;
    }
    send_error(primary_->id, local_error(static_cast<std::uint8_t>(ErrorCode::fsm), subcode, what),
               out);
    lose_primary(fmt::format("{}: sent NOTIFICATION 5/{}", what, subcode), State::idle,
                 Restart::back_off, out);
}

// ---- Transitions --------------------------------------------------------------------------

void Fsm::start_session(std::string cause, Actions& out)
{
    if (config_.passive) {
        enter(State::active, std::move(cause), out); // wait for the peer, never connect
        return;
    }
    start_connect_retry(out);
    emit<Connect>(out, {});
    connect_pending_ = true;
    enter(State::connect, std::move(cause), out);
}

// ManualStop / AutomaticStop: the NOTIFICATION on every open connection, then Idle.
void Fsm::stop_session(const Notification& n, std::string cause, Restart restart, Actions& out)
{
    if (primary_)
        send_notification(primary_->id, n, out);
    if (secondary_)
        send_notification(secondary_->id, n, out);
    enter(State::idle, std::move(cause), out, restart);
}

void Fsm::send_open(Connection& c, Actions& out)
{
    emit<Send>(out, {c.id, local_open_});
    c.open_sent = true;
}

// The primary connection is finished (any NOTIFICATION already queued). A second connection
// carries on in OpenSent; otherwise go to `fallback` (Active or Idle).
void Fsm::lose_primary(std::string cause, State fallback, Restart restart, Actions& out, bool abort)
{
    close(primary_->id, out, abort);
    stop_timer(TimerId::delay_open, out); // it was timing the connection just lost
    if (secondary_) {
        promote_secondary(std::move(cause), out);
        return;
    }
    if (fallback == State::active) {
        if (!config_.passive)
            start_connect_retry(out);
        enter(State::active, std::move(cause), out, restart);
        return;
    }
    enter(State::idle, std::move(cause), out, restart);
}

void Fsm::promote_secondary(std::string cause, Actions& out)
{
    primary_ = secondary_;
    secondary_.reset();
    start_timer(TimerId::hold, config_.open_hold_time, out);
    enter(State::open_sent, fmt::format("{}; continuing on connection {}", cause, primary_->id),
          out);
}

// Every state change: record it, stop the timers the new state does not use, run the entry
// actions (Idle releases all resources and arms the automatic restart).
void Fsm::enter(State next, std::string cause, Actions& out, Restart restart)
{
    const State prev = status_.state;
    status_.previous = prev;
    status_.state = next;
    status_.last_event = event_;
    status_.cause = cause;
    for (std::size_t i = 0; i < timer_count; ++i) {
        const auto t = static_cast<TimerId>(i);
        if (running_[i] && !uses(next, t))
            stop_timer(t, out);
    }
    if (next != State::established)
        status_.stable = false;
    if (next != State::open_confirm && next != State::established)
        negotiated_.reset();
    if (next == State::idle) {
        if (secondary_)
            close(secondary_->id, out);
        if (primary_)
            close(primary_->id, out);
        if (connect_pending_) {
            emit<CancelConnect>(out, {});
            connect_pending_ = false;
        }
    }
    if (prev == State::established && next != State::established) {
        ++status_.flaps;
        emit<Down>(out, {cause, true});
    } else if (next == State::idle && prev != State::idle) {
        emit<Down>(out, {cause, false});
    }
    if (next == State::established) {
        ++status_.established_count;
        emit<Established>(out, {primary_->id, *negotiated_});
        if (send_hold_time().count() > 0)
            start_timer(TimerId::send_hold, send_hold_time(), out);
        if (config_.damp_peer_oscillations)
            start_timer(TimerId::idle_hold_reset, stable_time(), out);
    }
    if (next == State::idle && status_.enabled && config_.allow_automatic_start)
        arm_restart(restart, out);
}

// ---- Small helpers ------------------------------------------------------------------------

void Fsm::send_error(ConnId conn, DecodeError e, Actions& out)
{
    Notification n = to_notification(e);
    status_.last_error = std::move(e);
    send_notification(conn, std::move(n), out);
}

void Fsm::send_notification(ConnId conn, Notification n, Actions& out)
{
    status_.shutdown_communication_sent = shutdown_communication(n);
    status_.last_notification_sent = n;
    emit<Send>(out, {conn, std::move(n)});
}

void Fsm::close(ConnId conn, Actions& out, bool abort)
{
    emit<CloseConnection>(out, {conn, abort});
    if (primary_ && primary_->id == conn)
        primary_.reset();
    if (secondary_ && secondary_->id == conn)
        secondary_.reset();
}

void Fsm::start_timer(TimerId t, milliseconds d, Actions& out)
{
    running_[static_cast<std::size_t>(t)] = true;
    emit<StartTimer>(out, {t, d});
}

void Fsm::stop_timer(TimerId t, Actions& out)
{
    if (!timer_running(t))
        return;
    running_[static_cast<std::size_t>(t)] = false;
    emit<StopTimer>(out, {t});
}

void Fsm::start_connect_retry(Actions& out)
{
    start_timer(TimerId::connect_retry, jittered(config_.connect_retry_time), out);
}

void Fsm::start_keepalive(Actions& out)
{
    start_timer(TimerId::keepalive, jittered(negotiated_->keepalive_time), out);
}

milliseconds Fsm::jittered(milliseconds base)
{
    if (!config_.jitter)
        return base;
    // 53 random bits → a double uniform in [0, 1).
    const double u = static_cast<double>(next_random(rng_) >> 11) * 0x1.0p-53;
    const double factor = jitter_floor + jitter_span * u;
    return milliseconds{
        static_cast<milliseconds::rep>(std::llround(static_cast<double>(base.count()) * factor))};
}

milliseconds Fsm::send_hold_time() const
{
    if (!negotiated_ || negotiated_->hold_time.count() == 0)
        return milliseconds{0}; // RFC 9687 §4.3: no SendHoldTimer with a zero HoldTime
    const seconds hold = negotiated_->hold_time;
    if (!config_.send_hold_time)
        return std::max(default_send_hold_time, hold * send_hold_per_hold_time);
    if (config_.send_hold_time->count() == 0)
        return milliseconds{0};
    // RFC 9687 §4.4: SendHoldTime must be greater than the HoldTime.
    return std::max<milliseconds>(*config_.send_hold_time, hold + seconds{1});
}

} // namespace vipd::bgp
