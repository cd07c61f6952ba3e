// NOTIFICATION text table (`describe`), DecodeError formatting and conversion, and the RFC 9003
// shutdown communication carried by Cease / Administrative Shutdown and Reset.
// Must not: log, send, or decide what the session does with an error.
// RFC 4271 §4.5/§6, RFC 4486 §4, RFC 6608 §3, RFC 7313 §5, RFC 8538 §3, RFC 9003 §2, RFC 9234 §4.2,
// RFC 9384 §4 (BFD Down), IANA "BGP Error (Notification) Codes/Subcodes".
#include "bgp/notification.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>

namespace vipd::bgp {
namespace {

struct SubcodeText
{
    std::uint8_t subcode;
    std::string_view text;
};

// RFC 4271 §4.5: subcode 0 means "Unspecific" wherever no other meaning is defined.
constexpr std::array header_subcodes{
    SubcodeText{1, "Connection Not Synchronized"}, // RFC 4271 §6.1
    SubcodeText{2, "Bad Message Length"},
    SubcodeText{3, "Bad Message Type"},
};
constexpr std::array open_subcodes{
    SubcodeText{1, "Unsupported Version Number"}, // RFC 4271 §6.2
    SubcodeText{2, "Bad Peer AS"},
    SubcodeText{3, "Bad BGP Identifier"},
    SubcodeText{4, "Unsupported Optional Parameter"},
    SubcodeText{5, "Authentication Failure (deprecated)"},
    SubcodeText{6, "Unacceptable Hold Time"},
    SubcodeText{7, "Unsupported Capability"}, // RFC 5492 §5
    SubcodeText{8, "Deprecated (8)"},
    SubcodeText{9, "Deprecated (9)"},
    SubcodeText{10, "Deprecated (10)"},
    SubcodeText{11, "Role Mismatch"}, // RFC 9234 §4.2
};
constexpr std::array update_subcodes{
    SubcodeText{1, "Malformed Attribute List"}, // RFC 4271 §6.3
    SubcodeText{2, "Unrecognized Well-known Attribute"},
    SubcodeText{3, "Missing Well-known Attribute"},
    SubcodeText{4, "Attribute Flags Error"},
    SubcodeText{5, "Attribute Length Error"},
    SubcodeText{6, "Invalid ORIGIN Attribute"},
    SubcodeText{7, "AS Routing Loop (deprecated)"},
    SubcodeText{8, "Invalid NEXT_HOP Attribute"},
    SubcodeText{9, "Optional Attribute Error"},
    SubcodeText{10, "Invalid Network Field"},
    SubcodeText{11, "Malformed AS_PATH"},
};
constexpr std::array fsm_subcodes{
    SubcodeText{0, "Unspecified Error"}, // RFC 6608 §3
    SubcodeText{1, "Receive Unexpected Message in OpenSent State"},
    SubcodeText{2, "Receive Unexpected Message in OpenConfirm State"},
    SubcodeText{3, "Receive Unexpected Message in Established State"},
};
constexpr std::array cease_subcodes{
    SubcodeText{1, "Maximum Number of Prefixes Reached"}, // RFC 4486 §4
    SubcodeText{2, "Administrative Shutdown"},
    SubcodeText{3, "Peer De-configured"},
    SubcodeText{4, "Administrative Reset"},
    SubcodeText{5, "Connection Rejected"},
    SubcodeText{6, "Other Configuration Change"},
    SubcodeText{7, "Connection Collision Resolution"},
    SubcodeText{8, "Out of Resources"},
    SubcodeText{9, "Hard Reset"}, // RFC 8538 §3
    SubcodeText{10, "BFD Down"},  // RFC 9384 §4
};
constexpr std::array route_refresh_subcodes{
    SubcodeText{1, "Invalid Message Length"}, // RFC 7313 §5
};

struct CodeText
{
    std::uint8_t code;
    std::string_view text;
    std::span<const SubcodeText> subcodes;
};
constexpr std::array code_table{
    CodeText{1, "Message Header Error", header_subcodes},
    CodeText{2, "OPEN Message Error", open_subcodes},
    CodeText{3, "UPDATE Message Error", update_subcodes},
    CodeText{4, "Hold Timer Expired", {}},
    CodeText{5, "Finite State Machine Error", fsm_subcodes},
    CodeText{6, "Cease", cease_subcodes},
    CodeText{7, "ROUTE-REFRESH Message Error", route_refresh_subcodes},
};

// Where the error was found, for to_string(DecodeError); follows the code (RFC 4271 §4.5).
std::string_view error_context(std::uint8_t code)
{
    switch (code) {
    case 1:
        return "message header";
    case 2:
        return "OPEN";
    case 3:
        return "UPDATE";
    case 7:
        return "ROUTE-REFRESH";
    default:
        return "message";
    }
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid
// (RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i)
{
    auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
    const std::uint8_t b0 = byte(i);
    if (b0 < 0x80)
        return 1;
    std::size_t n = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        n = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        n = 3;
        lo = b0 == 0xe0 ? 0xa0 : 0x80;
        hi = b0 == 0xed ? 0x9f : 0xbf;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        n = 4;
        lo = b0 == 0xf0 ? 0x90 : 0x80;
        hi = b0 == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi)
        return 0;
    for (std::size_t k = 2; k < n; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xbf)
            return 0;
    }
    return n;
}

bool carries_shutdown_communication(std::uint8_t code, std::uint8_t subcode)
{
    // RFC 9003 §2: only Cease / Administrative Shutdown and Administrative Reset.
    return code == static_cast<std::uint8_t>(ErrorCode::cease) &&
           (subcode == cease::administrative_shutdown || subcode == cease::administrative_reset);
}

} // namespace

std::string describe(std::uint8_t code, std::uint8_t subcode)
{
    for (const auto& c : code_table) {
        if (c.code != code)
            continue;
        for (const auto& s : c.subcodes) {
            if (s.subcode == subcode)
                return fmt::format("{} / {}", c.text, s.text);
        }
        if (subcode == 0)
            return c.subcodes.empty() ? std::string(c.text)
                                      : fmt::format("{} / Unspecific", c.text);
        return fmt::format("{} / unknown subcode {}", c.text, subcode);
    }
    return fmt::format("unknown error code {} / subcode {}", code, subcode);
}

std::string_view to_string(Rfc7606 action)
{
    switch (action) {
    case Rfc7606::none:
        return "none";
    case Rfc7606::attribute_discard:
        return "attribute-discard";
    case Rfc7606::treat_as_withdraw:
        return "treat-as-withdraw";
    case Rfc7606::afisafi_disable:
        return "afisafi-disable";
    case Rfc7606::session_reset:
        return "session-reset";
    }
    return "unknown";
}

std::string to_string(const DecodeError& e)
{
    return fmt::format("{} byte {}: {} ({}/{} {})", error_context(e.code), e.offset, e.what, e.code,
                       e.subcode, to_string(e.action));
}

Notification make_cease(std::uint8_t subcode, std::string_view text)
{
    Notification n{static_cast<std::uint8_t>(ErrorCode::cease), subcode, {}};
    if (text.empty() || !carries_shutdown_communication(n.code, subcode))
        return n;
    // RFC 9003 §2: at most 255 octets of UTF-8; cut at a character boundary, and stop at the
    // first invalid sequence so that what we send is always valid UTF-8.
    std::size_t keep = 0;
    while (keep < text.size()) {
        std::size_t len = utf8_sequence(text, keep);
        if (len == 0 || keep + len > max_shutdown_communication)
            break;
        keep += len;
    }
    if (keep == 0)
        return n;
    n.data.resize(keep + 1);
    n.data[0] = static_cast<std::uint8_t>(keep);
    std::copy_n(text.begin(), keep, n.data.begin() + 1);
    return n;
}

std::optional<std::string> shutdown_communication(const Notification& n)
{
    if (!carries_shutdown_communication(n.code, n.subcode) || n.data.empty())
        return std::nullopt;
    const std::size_t len = n.data[0];
    // RFC 9003 §2: a length of zero means no Shutdown Communication follows.
    if (len == 0)
        return std::nullopt;
    // RFC 9003 §2: a length that runs past the data makes the communication invalid.
    if (len > n.data.size() - 1)
        return std::nullopt;
    std::string text(n.data.begin() + 1, n.data.begin() + 1 + static_cast<std::ptrdiff_t>(len));
    // RFC 9003 §2: the text is UTF-8; anything else is not a valid communication.
    for (std::size_t i = 0; i < text.size();) {
        std::size_t step = utf8_sequence(text, i);
        if (step == 0)
            return std::nullopt;
        i += step;
    }
    return text;
}

Notification to_notification(const DecodeError& e)
{
    return Notification{e.code, e.subcode, e.data};
}

} // namespace vipd::bgp
