// RFC 4271 §6.8 connection collision handling of the Fsm: a second connection to the same
// neighbor is tracked (it sends our OPEN and waits for the peer's), and the first acceptable
// OPEN on either connection decides which one survives; the other gets Cease / Connection
// Collision Resolution (6/7). RFC 6286 §2.3 (equal identifiers), RFC 4724 §4.2 (a peer that
// restarted replaces an Established session), RFC 6608 §4 (unexpected events on the second).
// Must not: read a clock, do I/O, or log; part of the pure Fsm (see fsm.hpp).
#include <fmt/format.h>

#include "bgp/fsm.hpp"

namespace vipd::bgp {

void Fsm::on_tcp_connected(const TcpConnected& ev, Actions& out)
{
    if (!ev.inbound) {
        if (!connect_pending_ || primary_) {
            close(ev.conn, out); // an attempt we abandoned completed anyway
            return;
        }
        connect_pending_ = false;
    }
    if (!primary_) {
        adopt(ev, out);
        return;
    }
    // §6.8, §8.2.2: a second connection is tracked until an OPEN decides the collision. A
    // third one means the peer gave up on the previous second one.
    if (secondary_) {
        send_notification(secondary_->id, make_cease(cease::connection_collision_resolution), out);
        close(secondary_->id, out);
    }
    secondary_ = Connection{ev.conn, true, false};
    send_open(*secondary_, out);
}

// Events on the second connection: it is in OpenSent from its own point of view.
void Fsm::on_secondary(const Event& e, Actions& out)
{
    const ConnId id = secondary_->id;
    if (const auto* open = std::get_if<OpenReceived>(&e)) {
        auto n = validate_open(open->open, local_);
        if (!n) {
            send_error(id, n.error(), out);
            close(id, out);
            return;
        }
        resolve_collision(id, std::move(*n), out);
    } else if (const auto* err = std::get_if<MessageError>(&e)) {
        send_error(id, err->error, out);
        close(id, out);
    } else if (const auto* n = std::get_if<NotificationReceived>(&e)) {
        status_.last_notification_received = n->notification;
        status_.shutdown_communication_received = shutdown_communication(n->notification);
        close(id, out);
    } else if (std::holds_alternative<TcpConnectionFails>(e)) {
        close(id, out);
    } else if (std::holds_alternative<MessagesWritten>(e)) {
        // Nothing is timed on the second connection.
    } else {
        // RFC 6608 §4: the second connection is in OpenSent → 5/1.
        send_error(id,
                   DecodeError{static_cast<std::uint8_t>(ErrorCode::fsm),
                               fsm_error::unexpected_in_open_sent,
                               {},
                               0,
                               Rfc7606::session_reset,
                               fmt::format("{} before OPEN on connection {}", event_, id)},
                   out);
        close(id, out);
    }
}

// RFC 4271 §6.8: an acceptable OPEN arrived on `with_open` while another connection exists.
// The connection initiated by the speaker with the higher BGP Identifier survives (RFC 6286
// §2.3: on equal identifiers, the one with the larger AS). Two connections in the same
// direction: the newer survives (the peer abandoned the older). Against an Established
// session the new connection loses (§6.8) unless the peer says it restarted: an OPEN with the
// Graceful Restart Restart State bit (RFC 4724 §4.2) replaces the dead session.
void Fsm::resolve_collision(ConnId with_open, Negotiated n, Actions& out)
{
    const bool on_secondary = secondary_->id == with_open;
    const Connection x = on_secondary ? *secondary_ : *primary_;
    const Connection y = on_secondary ? *primary_ : *secondary_;
    bool keep_x = false;
    if (status_.state == State::established) {
        keep_x = n.peer_graceful_restart && n.peer_graceful_restart->restart_state;
    } else if (x.inbound != y.inbound) {
        const std::uint32_t ours = local_.bgp_identifier.value;
        const std::uint32_t theirs = n.remote_id.value;
        const bool keep_inbound =
            ours < theirs || (ours == theirs && local_.local_as < n.remote_as);
        keep_x = x.inbound == keep_inbound;
    } else {
        keep_x = on_secondary;
    }
    const Connection& winner = keep_x ? x : y;
    const Connection& loser = keep_x ? y : x;
    std::string cause = fmt::format(
        "connection collision: kept connection {}, closed {}{}", winner.id, loser.id,
        status_.state == State::established && keep_x ? " (peer restarted, RFC 4724 §4.2)" : "");
    send_notification(loser.id, make_cease(cease::connection_collision_resolution), out);
    close(loser.id, out);
    if (!keep_x) {
        if (!on_secondary)
            promote_secondary(std::move(cause), out); // the primary lost
        return;
    }
    if (on_secondary) {
        primary_ = secondary_;
        secondary_.reset();
    }
    accept_open(std::move(n), std::move(cause), out);
}

} // namespace vipd::bgp
