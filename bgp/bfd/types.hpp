// What a BGP neighbor's BFD session is configured with (BfdConfig) and what it shows (BfdStatus):
// plain values shared by the speaker, the BFD service and the daemon's configuration and status.
// Must not: hold behaviour (fsm.hpp and service.hpp do).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "bgp/bfd/auth.hpp"
#include "bgp/bfd/fsm.hpp"
#include "bgp/bfd/packet.hpp"

namespace vipd::bgp::bfd {

/// `neighbors[].bfd` of the configuration.
struct BfdConfig
{
    bool enabled = false;
    SessionParams params;
    AuthConfig auth;
    /// The BGP session is not started while BFD is not Up (draft-ietf-idr-bgp-bfd-strict-mode
    /// behaviour, without its capability).
    bool strict = false;

    bool operator==(const BfdConfig&) const = default;
};

/// One BFD session as shown by `vipctl neighbors` and the metrics.
struct BfdStatus
{
    std::string peer;      ///< peer address
    bool multihop = false; ///< RFC 5883 (port 4784) instead of RFC 5881 (3784)
    SessionState state = SessionState::down;
    SessionState remote_state = SessionState::down;
    Diag local_diag = Diag::none;
    Diag remote_diag = Diag::none;
    std::uint32_t local_discriminator = 0;
    std::uint32_t remote_discriminator = 0;
    SessionParams params;     ///< configured
    Micros tx_interval{0};    ///< negotiated transmit interval (before jitter)
    Micros detection_time{0}; ///< §6.8.4; zero until a packet arrived
    std::uint8_t remote_detect_mult = 0;
    AuthType auth = AuthType::none;
    bool strict = false;
    SessionCounters counters;
    std::uint64_t dropped = 0; ///< packets for this session discarded (auth, TTL)
    std::string last_drop;     ///< why the last one was, e.g. "auth-failed: digest ..."
    std::optional<std::chrono::steady_clock::time_point> since; ///< last state change
};

} // namespace vipd::bgp::bfd
