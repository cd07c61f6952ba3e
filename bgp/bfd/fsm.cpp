// RFC 5880 §6.8 asynchronous-mode session state machine (see fsm.hpp).
#include "bgp/bfd/fsm.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vipd::bgp::bfd {
namespace {

std::uint32_t to_wire(Micros m)
{
    return static_cast<std::uint32_t>(std::clamp<Micros::rep>(m.count(), 0, UINT32_MAX));
}

} // namespace

Micros jitter(Micros interval, std::uint8_t detect_mult, std::uint32_t r)
{
    // RFC 5880 §6.8.7: 75-100 % of the interval; 75-90 % when bfd.DetectMult is 1.
    const std::uint32_t span = detect_mult == 1 ? 151 : 251;
    const auto permille = 750 + static_cast<Micros::rep>(r % span);
    return Micros(interval.count() * permille / 1000);
}

Fsm::Fsm(std::uint32_t local_discriminator, SessionParams params, Random random, Time now)
    : local_discr_(local_discriminator), params_(params), random_(std::move(random)),
      tx_in_use_(advertised_tx()), rx_in_use_(params.required_min_rx)
{
    next_tx_ = now;
}

Micros Fsm::advertised_tx() const
{
    // RFC 5880 §6.8.3: at least one second while the session is not Up.
    return state_ == SessionState::up ? params_.desired_min_tx
                                      : std::max(params_.desired_min_tx, slow_tx_interval);
}

Micros Fsm::tx_interval() const
{
    // RFC 5880 §6.8.7: no periodic packets when bfd.RemoteMinRxInterval is zero.
    if (remote_min_rx_.count() == 0)
        return Micros(0);
    return std::max(tx_in_use_, remote_min_rx_);
}

Micros Fsm::detection_time() const
{
    // RFC 5880 §6.8.4 (asynchronous mode).
    return remote_detect_mult_ * std::max(rx_in_use_, remote_desired_tx_);
}

Micros Fsm::jittered(Micros interval)
{
    return jitter(interval, params_.detect_mult, random_ ? random_() : 0);
}

void Fsm::schedule_tx(Time from)
{
    const auto interval = tx_interval();
    if (interval.count() == 0)
        next_tx_.reset();
    else
        next_tx_ = from + jittered(interval);
}

ControlPacket Fsm::make_packet() const
{
    // RFC 5880 §6.8.7: the contents of a transmitted control packet.
    ControlPacket p;
    p.diag = local_diag_;
    p.state = state_;
    p.poll = poll_active_;
    p.detect_mult = params_.detect_mult;
    p.my_discriminator = local_discr_;
    p.your_discriminator = remote_discr_;
    p.desired_min_tx_us = to_wire(advertised_tx());
    p.required_min_rx_us = to_wire(params_.required_min_rx);
    p.required_min_echo_rx_us = 0; // no Echo function
    return p;
}

void Fsm::send(Actions& out, bool final)
{
    auto p = make_packet();
    if (final) {
        // RFC 5880 §6.8.6: answer a Poll with Final; P and F never together.
        p.final = true;
        p.poll = false;
    }
    ++counters_.packets_sent;
    out.emplace_back(Send{std::move(p)});
}

void Fsm::enter(Actions& out, SessionState to, Diag diag, std::string cause, Time now)
{
    const auto from = state_;
    state_ = to;
    local_diag_ = diag;
    ++counters_.transitions;
    if (to == SessionState::up)
        ++counters_.up_count;
    if (to != SessionState::up && to != SessionState::init)
        detect_deadline_.reset();
    out.emplace_back(StateChanged{from, to, diag, std::move(cause)});
    update_intervals(out, now);
    // Announce the new state at once rather than after up to a second of the slow rate.
    send(out);
    last_tx_ = now;
    schedule_tx(now);
}

void Fsm::update_intervals(Actions& /*out*/, Time now)
{
    const auto tx = advertised_tx();
    const auto rx = params_.required_min_rx;
    if (tx == tx_in_use_ && rx == rx_in_use_ && !poll_active_)
        return;
    if (state_ != SessionState::up) {
        tx_in_use_ = tx;
        rx_in_use_ = rx;
        poll_active_ = false;
        return;
    }
    // RFC 5880 §6.8.3: while Up, a change starts a Poll sequence; a longer transmit interval
    // and a shorter receive interval take effect only when the Final arrives.
    tx_in_use_ = std::min(tx_in_use_, tx);
    rx_in_use_ = std::max(rx_in_use_, rx);
    if (!poll_active_)
        ++counters_.poll_sequences;
    poll_active_ = true;
    if (next_tx_ && *next_tx_ > now + jittered(tx_interval()))
        schedule_tx(now);
}

Actions Fsm::receive(const ControlPacket& p, Time now)
{
    Actions out;
    ++counters_.packets_received;
    // RFC 5880 §6.8.6, after the checks of decode_control and authentication:
    remote_discr_ = p.my_discriminator;
    remote_state_ = p.state;
    remote_diag_ = p.diag;
    remote_detect_mult_ = p.detect_mult;
    remote_desired_tx_ = Micros(p.desired_min_tx_us);
    const auto old_interval = tx_interval();
    remote_min_rx_ = Micros(p.required_min_rx_us);
    // "If the Final (F) bit is set and the local system has sent a Poll, terminate it."
    if (p.final && poll_active_) {
        poll_active_ = false;
        tx_in_use_ = advertised_tx();
        rx_in_use_ = params_.required_min_rx;
    }
    // "Update the transmit interval": a shorter one is used from now on.
    const auto interval = tx_interval();
    if (interval != old_interval && (!next_tx_ || *next_tx_ > now + interval))
        schedule_tx(now);
    // "Update the Detection Time" (also drives forgetting bfd.RemoteDiscr while Down).
    detect_deadline_ = now + detection_time();

    // "If bfd.SessionState is AdminDown, discard the packet."
    if (state_ == SessionState::admin_down)
        return out;
    if (p.state == SessionState::admin_down) {
        if (state_ != SessionState::down)
            enter(out, SessionState::down, Diag::neighbor_signaled_session_down,
                  "peer signalled AdminDown", now);
    } else if (state_ == SessionState::down) {
        if (p.state == SessionState::down)
            enter(out, SessionState::init, Diag::none, "peer is Down", now);
        else if (p.state == SessionState::init)
            enter(out, SessionState::up, Diag::none, "peer is Init", now);
    } else if (state_ == SessionState::init) {
        if (p.state == SessionState::init || p.state == SessionState::up)
            enter(out, SessionState::up, Diag::none, fmt::format("peer is {}", to_string(p.state)),
                  now);
    } else if (p.state == SessionState::down) { // local Up
        enter(out, SessionState::down, Diag::neighbor_signaled_session_down,
              fmt::format("peer signalled Down ({})", to_string(p.diag)), now);
    }
    // "If the packet was received with the Poll (P) bit set, ... transmit a BFD Control packet
    // with the Final (F) bit set as soon as practicable."
    if (p.poll)
        send(out, true);
    return out;
}

Actions Fsm::expire(Time now, Micros early)
{
    Actions out;
    if (detect_deadline_ && now >= *detect_deadline_) {
        detect_deadline_.reset();
        if (state_ == SessionState::init || state_ == SessionState::up) {
            enter(
                out, SessionState::down, Diag::control_detection_time_expired,
                fmt::format("no packet for {} ms (detection time)",
                            std::chrono::duration_cast<std::chrono::milliseconds>(detection_time())
                                .count()),
                now);
        }
        // RFC 5880 §6.8.1: bfd.RemoteDiscr is reset once nothing arrived for a detection time.
        remote_discr_ = 0;
        remote_state_ = SessionState::down;
    }
    // §6.8.7: 75-100 % of the interval between periodic packets, so one due soon may go now
    // once 75 % has passed.
    const bool due = next_tx_ && (now >= *next_tx_ || (now + early >= *next_tx_ && last_tx_ &&
                                                       (now - *last_tx_) * 4 >= tx_interval() * 3));
    if (due) {
        send(out);
        last_tx_ = now;
        schedule_tx(now);
    }
    return out;
}

Actions Fsm::set_params(SessionParams params, Time now)
{
    Actions out;
    params_ = params;
    update_intervals(out, now);
    if (poll_active_)
        send(out); // start the Poll sequence now; periodic packets repeat it until the Final
    return out;
}

Actions Fsm::admin_down(Time now)
{
    Actions out;
    if (state_ != SessionState::admin_down)
        enter(out, SessionState::admin_down, Diag::administratively_down, "administratively down",
              now);
    return out;
}

Actions Fsm::admin_up(Time now)
{
    Actions out;
    if (state_ == SessionState::admin_down)
        enter(out, SessionState::down, Diag::none, "administratively up", now);
    return out;
}

std::optional<Time> Fsm::next_deadline() const
{
    if (next_tx_ && detect_deadline_)
        return std::min(*next_tx_, *detect_deadline_);
    return next_tx_ ? next_tx_ : detect_deadline_;
}

} // namespace vipd::bgp::bfd
