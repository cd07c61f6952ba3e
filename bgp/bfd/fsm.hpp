// The RFC 5880 §6.8 state machine of one asynchronous-mode BFD session, as a pure object: packets
// and expired deadlines go in with the current time, actions come out (packets to send, state
// changes to report). It keeps the §6.8.1 state variables, runs the Poll/Final sequence when its
// intervals change (§6.5, §6.8.3), computes the detection time (§6.8.4) and the jittered transmit
// schedule (§6.8.7, 1 s while not Up), and applies the stateful reception steps of §6.8.6.
// Must not: read a clock (time is passed in), draw random numbers itself (injected), touch a
// socket, log. Demand mode and the Echo function are not implemented (never requested).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgp/bfd/packet.hpp"

namespace vipd::bgp::bfd {

using Time = std::chrono::steady_clock::time_point;
using Micros = std::chrono::microseconds;

/// RFC 5880 §6.8.3: the transmit interval advertised while the session is not Up (at least 1 s).
inline constexpr Micros slow_tx_interval{1'000'000};

/// What the operator configures for one session.
struct SessionParams
{
    Micros desired_min_tx{300'000};  ///< bfd.DesiredMinTxInterval once Up
    Micros required_min_rx{300'000}; ///< bfd.RequiredMinRxInterval
    std::uint8_t detect_mult = 3;    ///< bfd.DetectMult

    bool operator==(const SessionParams&) const = default;
};

/// Send this packet now (the shell adds authentication and writes it).
struct Send
{
    ControlPacket packet;
};
/// bfd.SessionState changed; `diag` is bfd.LocalDiag after the change.
struct StateChanged
{
    SessionState from;
    SessionState to;
    Diag diag;
    std::string cause;
};
using Action = std::variant<Send, StateChanged>;
using Actions = std::vector<Action>;

/// Counters of one session (status and metrics).
struct SessionCounters
{
    std::uint64_t packets_received = 0; ///< accepted by the state machine
    std::uint64_t packets_sent = 0;
    std::uint64_t transitions = 0; ///< state changes
    std::uint64_t up_count = 0;    ///< times it reached Up
    std::uint64_t poll_sequences = 0;
};

class Fsm
{
public:
    /// Random source for the §6.8.7 jitter (any 32-bit value; tests pass fixed sequences).
    using Random = std::function<std::uint32_t()>;

    /// A session in Down with bfd.LocalDiscr `local_discriminator` (non-zero, unique); it starts
    /// transmitting at `now`.
    Fsm(std::uint32_t local_discriminator, SessionParams params, Random random, Time now);

    /// A packet that passed decode_control and the authentication check, from this session's
    /// peer (RFC 5880 §6.8.6, steps after demultiplexing).
    [[nodiscard]] Actions receive(const ControlPacket& p, Time now);
    /// Run whatever deadline has passed by `now`: periodic transmission (§6.8.7), detection
    /// time expiry (§6.8.4, Diag 1), forgetting the remote discriminator (§6.8.1). With `early`,
    /// a periodic packet due within `early` after `now` goes now if at least 75 % of the transmit
    /// interval has passed since the last one (§6.8.7's lower bound; the next is scheduled from
    /// now, so the upper bound holds too): the shell sends several sessions' packets per wakeup.
    [[nodiscard]] Actions expire(Time now, Micros early = Micros(0));
    /// New configured intervals: applied at once while not Up, else with a Poll sequence
    /// (§6.8.3: a longer transmit interval and a shorter receive interval wait for the Final).
    [[nodiscard]] Actions set_params(SessionParams params, Time now);
    /// Operator shutdown (§6.8.16): AdminDown with Diag 7, announced at once.
    [[nodiscard]] Actions admin_down(Time now);
    /// Leave AdminDown for Down.
    [[nodiscard]] Actions admin_up(Time now);

    /// The earliest time expire() has work to do.
    [[nodiscard]] std::optional<Time> next_deadline() const;
    /// When the detection time expires (§6.8.4) unless a packet arrives; empty when not running.
    [[nodiscard]] std::optional<Time> detection_deadline() const { return detect_deadline_; }

    [[nodiscard]] SessionState state() const { return state_; }
    [[nodiscard]] SessionState remote_state() const { return remote_state_; }
    [[nodiscard]] Diag local_diag() const { return local_diag_; }
    [[nodiscard]] Diag remote_diag() const { return remote_diag_; }
    [[nodiscard]] std::uint32_t local_discriminator() const { return local_discr_; }
    [[nodiscard]] std::uint32_t remote_discriminator() const { return remote_discr_; }
    [[nodiscard]] std::uint8_t remote_detect_mult() const { return remote_detect_mult_; }
    [[nodiscard]] const SessionParams& params() const { return params_; }
    /// The interval between periodic packets before jitter: max(our transmit interval in use,
    /// bfd.RemoteMinRxInterval) (§6.8.7); zero when the peer asked for none.
    [[nodiscard]] Micros tx_interval() const;
    /// §6.8.4: remote Detect Mult × max(our receive interval in use, the peer's last Desired
    /// Min TX); zero before a packet was received.
    [[nodiscard]] Micros detection_time() const;
    /// True while a Poll sequence we started waits for its Final.
    [[nodiscard]] bool poll_active() const { return poll_active_; }
    [[nodiscard]] const SessionCounters& counters() const { return counters_; }

private:
    [[nodiscard]] ControlPacket make_packet() const;
    void send(Actions& out, bool final = false);
    void enter(Actions& out, SessionState to, Diag diag, std::string cause, Time now);
    void update_intervals(Actions& out, Time now);
    void schedule_tx(Time from);
    [[nodiscard]] Micros advertised_tx() const;
    [[nodiscard]] Micros jittered(Micros interval);

    std::uint32_t local_discr_;
    std::uint32_t remote_discr_ = 0;
    SessionState state_ = SessionState::down;
    SessionState remote_state_ = SessionState::down;
    Diag local_diag_ = Diag::none;
    Diag remote_diag_ = Diag::none;
    SessionParams params_;
    Random random_;
    Micros tx_in_use_;            ///< our transmit interval as used for scheduling
    Micros rx_in_use_;            ///< our receive interval as used for the detection time
    Micros remote_min_rx_{1};     ///< bfd.RemoteMinRxInterval (§6.8.1: initially 1 µs)
    Micros remote_desired_tx_{0}; ///< the peer's last Desired Min TX Interval
    std::uint8_t remote_detect_mult_ = 0;
    bool poll_active_ = false;
    std::optional<Time> next_tx_;
    std::optional<Time> last_tx_; ///< the last periodic transmission (or state announcement)
    std::optional<Time> detect_deadline_;
    SessionCounters counters_;
};

/// §6.8.7 jitter: `interval` reduced by a random 0-25 % (75-90 % when `detect_mult` is 1),
/// from the random value `r`.
[[nodiscard]] Micros jitter(Micros interval, std::uint8_t detect_mult, std::uint32_t r);

} // namespace vipd::bgp::bfd
