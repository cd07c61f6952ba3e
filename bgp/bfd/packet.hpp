// BFD control packets (RFC 5880 §4.1 and §4.2-4.4): the types, the encoder and the decoder with
// the reception checks of RFC 5880 §6.8.6 that need no session (version, lengths, detect
// multiplier, multipoint, discriminators, Poll with Final). Authentication digests are computed
// and checked in auth.hpp; the session checks (demultiplexing, auth in use) in fsm.hpp.
// Must not: touch a socket, read a clock, log.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <tl/expected.hpp>

#include "bgp/wire.hpp"

namespace vipd::bgp::bfd {

/// RFC 5880 §4.1: the protocol version this codec speaks.
inline constexpr std::uint8_t bfd_version = 1;
/// RFC 5880 §4.1: length of the mandatory section.
inline constexpr std::size_t mandatory_length = 24;
/// RFC 5881 §4 / RFC 5883 §5: destination ports of single-hop and multihop control packets.
inline constexpr std::uint16_t single_hop_port = 3784;
inline constexpr std::uint16_t multihop_port = 4784;
/// RFC 5881 §4: source port range of single-hop control packets (used for multihop as well).
inline constexpr std::uint16_t source_port_min = 49152;
inline constexpr std::uint16_t source_port_max = 65535;

/// RFC 5880 §4.1 "Sta" and §6.8.1 bfd.SessionState.
enum class SessionState : std::uint8_t { admin_down = 0, down = 1, init = 2, up = 3 };
/// "AdminDown", "Down", "Init", "Up".
[[nodiscard]] std::string_view to_string(SessionState s);

/// RFC 5880 §4.1 "Diag".
enum class Diag : std::uint8_t {
    none = 0,
    control_detection_time_expired = 1,
    echo_function_failed = 2,
    neighbor_signaled_session_down = 3,
    forwarding_plane_reset = 4,
    path_down = 5,
    concatenated_path_down = 6,
    administratively_down = 7,
    reverse_concatenated_path_down = 8,
};
/// The RFC 5880 §4.1 text ("Control Detection Time Expired", …; "Diag N" past the table).
[[nodiscard]] std::string_view to_string(Diag d);

/// RFC 5880 §4.1 "Auth Type".
enum class AuthType : std::uint8_t {
    none = 0,
    simple_password = 1,
    keyed_md5 = 2,
    meticulous_keyed_md5 = 3,
    keyed_sha1 = 4,
    meticulous_keyed_sha1 = 5,
};
/// "none", "simple-password", "keyed-md5", "meticulous-keyed-md5", "keyed-sha1",
/// "meticulous-keyed-sha1" (the configuration spelling).
[[nodiscard]] std::string_view to_string(AuthType t);
/// The inverse of to_string(AuthType); nullopt for an unknown name.
[[nodiscard]] std::optional<AuthType> auth_type_from(std::string_view name);

/// RFC 5880 §4.2-4.4: the authentication section. `data` is the password (Simple Password,
/// 1-16 bytes) or the digest (16 bytes MD5, 20 bytes SHA1); `sequence` is unused for passwords.
struct AuthSection
{
    AuthType type = AuthType::none;
    std::uint8_t key_id = 0;
    std::uint32_t sequence = 0;
    Bytes data;

    bool operator==(const AuthSection&) const = default;
};

/// RFC 5880 §4.1: one control packet, fields in wire order; intervals in microseconds.
struct ControlPacket
{
    Diag diag = Diag::none;
    SessionState state = SessionState::down;
    bool poll = false;
    bool final = false;
    bool control_plane_independent = false;
    bool demand = false;
    bool multipoint = false;
    std::uint8_t detect_mult = 3;
    std::uint32_t my_discriminator = 0;
    std::uint32_t your_discriminator = 0;
    std::uint32_t desired_min_tx_us = 1'000'000;
    std::uint32_t required_min_rx_us = 1'000'000;
    std::uint32_t required_min_echo_rx_us = 0;
    std::optional<AuthSection> auth; ///< present = the A bit

    bool operator==(const ControlPacket&) const = default;
};

/// Why a received packet was discarded (RFC 5880 §6.8.6, the order of its checks). Counted per
/// reason by the shell; never a reply.
enum class Drop : std::uint8_t {
    bad_version,             ///< version is not 1
    bad_length,              ///< Length under 24 (26 with A), over the payload, or auth length
    zero_detect_mult,        ///< Detect Mult is zero
    multipoint,              ///< the M bit is set
    zero_my_discriminator,   ///< My Discriminator is zero
    zero_your_discriminator, ///< Your Discriminator zero while State is Init or Up
    poll_and_final,          ///< P and F both set (RFC 5880 §6.8.6, "MUST be discarded")
    unknown_discriminator,   ///< Your Discriminator names no session
    no_session,              ///< no session configured for the source address / interface
    ttl,                     ///< RFC 5881 §5: received TTL / hop limit not 255 (single-hop)
    auth_unexpected,         ///< A bit set, but the session uses no authentication
    auth_missing,            ///< A bit clear, but the session uses authentication
    auth_failed,             ///< wrong type, key id, password, digest or sequence number
};
inline constexpr std::size_t drop_count = 13;
/// A count per Drop reason, indexed by the enumerator.
using DropCounts = std::array<std::uint64_t, drop_count>;
/// "bad-version", "bad-length", … (metric labels and log text).
[[nodiscard]] std::string_view to_string(Drop d);

/// A packet dropped at decoding, with the byte offset the reason refers to.
struct DecodeFailure
{
    Drop reason;
    std::size_t offset;
    std::string_view what;
};

/// Decode one control packet (one UDP payload) with the stateless RFC 5880 §6.8.6 checks.
[[nodiscard]] tl::expected<ControlPacket, DecodeFailure> decode_control(ByteView payload);
/// Encode a control packet; the auth section (if any) is written as given (see auth.hpp for
/// filling in the digest).
[[nodiscard]] Bytes encode_control(const ControlPacket& p);

} // namespace vipd::bgp::bfd
