// NOTIFICATION codes and subcodes (RFC 4271 §4.5, §6; RFC 4486; RFC 6608; RFC 7313; RFC 8203/9003;
// RFC 9234), their text (`describe`), the NOTIFICATION message, and DecodeError: the one error
// value of the codec, which already says what the session must do (RFC 7606 action) and carries
// the NOTIFICATION to send. Must not: send anything or change session state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bgp/wire.hpp"

namespace vipd::bgp {

/// RFC 4271 §4.5 error codes.
enum class ErrorCode : std::uint8_t {
    message_header = 1,
    open_message = 2,
    update_message = 3,
    hold_timer_expired = 4,
    fsm = 5,
    cease = 6,
    route_refresh = 7, // RFC 7313 §5
};

/// RFC 4271 §6.1 Message Header Error subcodes.
namespace header_error {
inline constexpr std::uint8_t connection_not_synchronized = 1;
inline constexpr std::uint8_t bad_message_length = 2;
inline constexpr std::uint8_t bad_message_type = 3;
} // namespace header_error

/// RFC 4271 §6.2 OPEN Message Error subcodes (+ RFC 5492 §5, RFC 9234 §4.2).
namespace open_error {
inline constexpr std::uint8_t unspecific = 0;
inline constexpr std::uint8_t unsupported_version_number = 1;
inline constexpr std::uint8_t bad_peer_as = 2;
inline constexpr std::uint8_t bad_bgp_identifier = 3;
inline constexpr std::uint8_t unsupported_optional_parameter = 4;
inline constexpr std::uint8_t unacceptable_hold_time = 6;
inline constexpr std::uint8_t unsupported_capability = 7;
inline constexpr std::uint8_t role_mismatch = 11;
} // namespace open_error

/// RFC 4271 §6.3 UPDATE Message Error subcodes.
namespace update_error {
inline constexpr std::uint8_t malformed_attribute_list = 1;
inline constexpr std::uint8_t unrecognized_well_known_attribute = 2;
inline constexpr std::uint8_t missing_well_known_attribute = 3;
inline constexpr std::uint8_t attribute_flags_error = 4;
inline constexpr std::uint8_t attribute_length_error = 5;
inline constexpr std::uint8_t invalid_origin_attribute = 6;
inline constexpr std::uint8_t invalid_next_hop_attribute = 8;
inline constexpr std::uint8_t optional_attribute_error = 9;
inline constexpr std::uint8_t invalid_network_field = 10;
inline constexpr std::uint8_t malformed_as_path = 11;
} // namespace update_error

/// RFC 6608 §3 Finite State Machine Error subcodes.
namespace fsm_error {
inline constexpr std::uint8_t unspecified = 0;
inline constexpr std::uint8_t unexpected_in_open_sent = 1;
inline constexpr std::uint8_t unexpected_in_open_confirm = 2;
inline constexpr std::uint8_t unexpected_in_established = 3;
} // namespace fsm_error

/// RFC 4486 §4 Cease subcodes (+ RFC 8538 hard reset, RFC 9384 BFD Down).
namespace cease {
inline constexpr std::uint8_t maximum_prefixes_reached = 1;
inline constexpr std::uint8_t administrative_shutdown = 2;
inline constexpr std::uint8_t peer_deconfigured = 3;
inline constexpr std::uint8_t administrative_reset = 4;
inline constexpr std::uint8_t connection_rejected = 5;
inline constexpr std::uint8_t other_configuration_change = 6;
inline constexpr std::uint8_t connection_collision_resolution = 7;
inline constexpr std::uint8_t out_of_resources = 8;
inline constexpr std::uint8_t hard_reset = 9;
inline constexpr std::uint8_t bfd_down = 10; ///< RFC 9384 §4
} // namespace cease

/// RFC 7313 §5 ROUTE-REFRESH Message Error subcodes.
namespace route_refresh_error {
inline constexpr std::uint8_t invalid_message_length = 1;
} // namespace route_refresh_error

/// Human text for a code/subcode pair, e.g. "Cease / Administrative Shutdown".
[[nodiscard]] std::string describe(std::uint8_t code, std::uint8_t subcode);

/// RFC 7606 §2 error-handling approaches, ordered by severity (the strongest one found wins).
enum class Rfc7606 : std::uint8_t {
    none = 0,          ///< no error
    attribute_discard, ///< drop the attribute, keep the UPDATE
    treat_as_withdraw, ///< treat the UPDATE's NLRI as withdrawn
    afisafi_disable,   ///< disable the AFI/SAFI (RFC 4760 §7)
    session_reset,     ///< send the NOTIFICATION and close
};
[[nodiscard]] std::string_view to_string(Rfc7606 action);

/// The codec's single error type: what went wrong, where, and what the session must do.
struct DecodeError
{
    std::uint8_t code = 0;    ///< NOTIFICATION error code (meaningful for session_reset)
    std::uint8_t subcode = 0; ///< NOTIFICATION error subcode
    Bytes data;               ///< NOTIFICATION data (RFC 4271 §6 says what each error carries)
    std::size_t offset = 0;   ///< byte offset from the start of the message (marker = 0)
    Rfc7606 action = Rfc7606::session_reset;
    std::string what; ///< readable reason, e.g. "ORIGIN value 7 is not IGP/EGP/INCOMPLETE"

    bool operator==(const DecodeError&) const = default;
};

/// "UPDATE byte 37: second MP_REACH_NLRI (3/1 session-reset)".
[[nodiscard]] std::string to_string(const DecodeError& e);

/// RFC 4271 §4.5 NOTIFICATION message.
struct Notification
{
    std::uint8_t code = 0;
    std::uint8_t subcode = 0;
    Bytes data;
    bool operator==(const Notification&) const = default;
};

/// RFC 9003 §2: maximum length of the shutdown communication text, in octets.
inline constexpr std::size_t max_shutdown_communication = 255;

/// Cease with subcode 2 or 4 and an RFC 9003 shutdown communication (UTF-8, truncated to 255
/// octets at a character boundary; input that is not valid UTF-8 is cut before the first bad
/// sequence). Empty text, or any other subcode, gives a Cease without data.
[[nodiscard]] Notification make_cease(std::uint8_t subcode, std::string_view text = {});
/// The RFC 9003 shutdown communication of a Cease 2/4 NOTIFICATION, if it carries a valid one
/// (a length octet that overruns the data, or text that is not UTF-8, gives std::nullopt).
[[nodiscard]] std::optional<std::string> shutdown_communication(const Notification& n);

/// Notification that carries a DecodeError to the peer.
[[nodiscard]] Notification to_notification(const DecodeError& e);

} // namespace vipd::bgp
