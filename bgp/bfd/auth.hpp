// BFD authentication (RFC 5880 §6.7): Simple Password (§6.7.2), Keyed MD5 and Meticulous Keyed
// MD5 (§6.7.3), Keyed SHA1 and Meticulous Keyed SHA1 (§6.7.4). AuthState signs outgoing packets
// (bfd.XmitAuthSeq) and checks received ones (bfd.RcvAuthSeq, bfd.AuthSeqKnown) for one session.
// Pure: digests come from OpenSSL's libcrypto; no socket, no clock (time is passed in), no log.
// Must not: put the secret in any error text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "bgp/bfd/fsm.hpp"
#include "bgp/bfd/packet.hpp"

namespace vipd::bgp::bfd {

/// RFC 5880 §4.2-4.4: longest secret per type (password 16, MD5 key 16, SHA1 key 20 bytes).
[[nodiscard]] std::size_t max_secret_length(AuthType t);

/// The authentication configured for one session; type none = no authentication.
struct AuthConfig
{
    AuthType type = AuthType::none;
    std::uint8_t key_id = 0;
    std::string secret; ///< never logged or shown

    bool operator==(const AuthConfig&) const = default;
};

class AuthState
{
public:
    /// `initial_sequence` seeds bfd.XmitAuthSeq (RFC 5880 §6.8.1: a random value).
    AuthState(AuthConfig config, std::uint32_t initial_sequence);

    [[nodiscard]] const AuthConfig& config() const { return config_; }
    [[nodiscard]] bool enabled() const { return config_.type != AuthType::none; }

    /// The wire bytes of `p`, with the authentication section when enabled (the sequence
    /// number advances with every packet, which both keyed variants allow).
    [[nodiscard]] Bytes sign(ControlPacket p);

    /// RFC 5880 §6.8.6 steps on the A bit and §6.7: checks the decoded packet `p` (whose wire
    /// bytes are `wire`) received at `now`; `detection_time` is the session's, used to forget
    /// the sequence number after 2 × detection time of silence (§6.8.1 bfd.AuthSeqKnown).
    /// Error: the drop reason and what did not match (no secret in it).
    [[nodiscard]] tl::expected<void, std::pair<Drop, std::string>>
    verify(const ControlPacket& p, ByteView wire, Time now, Micros detection_time);

private:
    AuthConfig config_;
    std::uint32_t xmit_seq_;
    std::uint32_t rcv_seq_ = 0;
    bool seq_known_ = false;
    std::optional<Time> last_rx_;
};

} // namespace vipd::bgp::bfd
