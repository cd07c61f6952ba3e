// BFD control packet codec (RFC 5880 §4.1-4.4) and the stateless reception checks (§6.8.6).
#include "bgp/bfd/packet.hpp"

#include <array>

namespace vipd::bgp::bfd {
namespace {

// RFC 5880 §4.1 flag bits of the second octet (after the 2-bit State).
constexpr std::uint8_t flag_poll = 0x20;
constexpr std::uint8_t flag_final = 0x10;
constexpr std::uint8_t flag_cpi = 0x08;
constexpr std::uint8_t flag_auth = 0x04;
constexpr std::uint8_t flag_demand = 0x02;
constexpr std::uint8_t flag_multipoint = 0x01;

// RFC 5880 §4.2: password 1-16 bytes after type, length and key id.
constexpr std::size_t password_max = 16;
constexpr std::size_t auth_header = 3;
// RFC 5880 §4.3/§4.4: type, length, key id, reserved, sequence, then the digest.
constexpr std::size_t digest_header = 8;
constexpr std::size_t md5_length = 16;
constexpr std::size_t sha1_length = 20;

/// The digest length of a keyed type, 0 for the others.
std::size_t digest_length(AuthType t)
{
    switch (t) {
    case AuthType::keyed_md5:
    case AuthType::meticulous_keyed_md5:
        return md5_length;
    case AuthType::keyed_sha1:
    case AuthType::meticulous_keyed_sha1:
        return sha1_length;
    default:
        return 0;
    }
}

tl::unexpected<DecodeFailure> fail(Drop r, std::size_t offset, std::string_view what)
{
    return tl::unexpected(DecodeFailure{r, offset, what});
}

/// The auth section at `r` (RFC 5880 §4.2-4.4), its length checked against the type.
tl::expected<AuthSection, DecodeFailure> decode_auth(Reader r)
{
    AuthSection a;
    auto type = r.u8();
    auto len = r.u8();
    auto key = r.u8();
    if (!type || !len || !key)
        return fail(Drop::bad_length, r.offset(), "authentication section truncated");
    a.type = static_cast<AuthType>(*type);
    a.key_id = *key;
    if (*len != r.remaining() + auth_header)
        return fail(Drop::bad_length, 25, "Auth Len does not match the packet Length");
    if (a.type == AuthType::simple_password) {
        // RFC 5880 §4.2: the password is 1 to 16 bytes.
        if (r.remaining() < 1 || r.remaining() > password_max)
            return fail(Drop::bad_length, 25, "Simple Password Auth Len outside 4-19");
        auto pw = r.bytes(r.remaining());
        a.data.assign(pw->begin(), pw->end());
        return a;
    }
    const auto digest = digest_length(a.type);
    if (digest == 0)
        return fail(Drop::auth_failed, 24, "unknown Auth Type");
    // RFC 5880 §4.3/§4.4: Auth Len is 24 (MD5) or 28 (SHA1).
    if (*len != digest_header + digest)
        return fail(Drop::bad_length, 25, "Auth Len wrong for the Auth Type");
    (void)r.skip(1); // reserved
    a.sequence = *r.u32();
    auto d = r.bytes(digest);
    a.data.assign(d->begin(), d->end());
    return a;
}

} // namespace

std::string_view to_string(SessionState s)
{
    switch (s) {
    case SessionState::admin_down:
        return "AdminDown";
    case SessionState::down:
        return "Down";
    case SessionState::init:
        return "Init";
    case SessionState::up:
        return "Up";
    }
    return "?";
}

std::string_view to_string(Diag d)
{
    static constexpr std::array<std::string_view, 9> text{
        "No Diagnostic",
        "Control Detection Time Expired",
        "Echo Function Failed",
        "Neighbor Signaled Session Down",
        "Forwarding Plane Reset",
        "Path Down",
        "Concatenated Path Down",
        "Administratively Down",
        "Reverse Concatenated Path Down",
    };
    const auto i = static_cast<std::size_t>(d);
    return i < text.size() ? text[i] : "Reserved Diag";
}

std::string_view to_string(AuthType t)
{
    switch (t) {
    case AuthType::none:
        return "none";
    case AuthType::simple_password:
        return "simple-password";
    case AuthType::keyed_md5:
        return "keyed-md5";
    case AuthType::meticulous_keyed_md5:
        return "meticulous-keyed-md5";
    case AuthType::keyed_sha1:
        return "keyed-sha1";
    case AuthType::meticulous_keyed_sha1:
        return "meticulous-keyed-sha1";
    }
    return "reserved";
}

std::optional<AuthType> auth_type_from(std::string_view name)
{
    for (auto t :
         {AuthType::none, AuthType::simple_password, AuthType::keyed_md5,
          AuthType::meticulous_keyed_md5, AuthType::keyed_sha1, AuthType::meticulous_keyed_sha1})
        if (to_string(t) == name)
            return t;
    return std::nullopt;
}

std::string_view to_string(Drop d)
{
    static constexpr std::array<std::string_view, drop_count> text{
        "bad-version",
        "bad-length",
        "zero-detect-mult",
        "multipoint",
        "zero-my-discriminator",
        "zero-your-discriminator",
        "poll-and-final",
        "unknown-discriminator",
        "no-session",
        "ttl",
        "auth-unexpected",
        "auth-missing",
        "auth-failed",
    };
    return text[static_cast<std::size_t>(d)];
}

tl::expected<ControlPacket, DecodeFailure> decode_control(ByteView payload)
{
    Reader r(payload);
    if (payload.size() < mandatory_length)
        return fail(Drop::bad_length, payload.size(), "shorter than 24 bytes");
    const std::uint8_t vers_diag = *r.u8();
    const std::uint8_t sta_flags = *r.u8();
    ControlPacket p;
    // RFC 5880 §6.8.6: "If the version number is not correct (1), the packet MUST be discarded."
    if ((vers_diag >> 5) != bfd_version)
        return fail(Drop::bad_version, 0, "version is not 1");
    p.diag = static_cast<Diag>(vers_diag & 0x1f);
    p.state = static_cast<SessionState>(sta_flags >> 6);
    p.poll = (sta_flags & flag_poll) != 0;
    p.final = (sta_flags & flag_final) != 0;
    p.control_plane_independent = (sta_flags & flag_cpi) != 0;
    const bool auth = (sta_flags & flag_auth) != 0;
    p.demand = (sta_flags & flag_demand) != 0;
    p.multipoint = (sta_flags & flag_multipoint) != 0;
    p.detect_mult = *r.u8();
    const std::size_t length = *r.u8();
    // RFC 5880 §6.8.6: Length under 24 (26 with the A bit) or over the payload: discard.
    if (length < mandatory_length + (auth ? 2 : 0))
        return fail(Drop::bad_length, 3, "Length under the minimum");
    if (length > payload.size())
        return fail(Drop::bad_length, 3, "Length beyond the UDP payload");
    // RFC 5880 §6.8.6: Detect Mult zero, Multipoint set: discard.
    if (p.detect_mult == 0)
        return fail(Drop::zero_detect_mult, 2, "Detect Mult is zero");
    if (p.multipoint)
        return fail(Drop::multipoint, 1, "Multipoint bit set");
    p.my_discriminator = *r.u32();
    p.your_discriminator = *r.u32();
    p.desired_min_tx_us = *r.u32();
    p.required_min_rx_us = *r.u32();
    p.required_min_echo_rx_us = *r.u32();
    // RFC 5880 §6.8.6: My Discriminator zero: discard.
    if (p.my_discriminator == 0)
        return fail(Drop::zero_my_discriminator, 4, "My Discriminator is zero");
    // RFC 5880 §6.8.6: Your Discriminator zero and State not Down or AdminDown: discard.
    if (p.your_discriminator == 0 && (p.state == SessionState::init || p.state == SessionState::up))
        return fail(Drop::zero_your_discriminator, 8, "Your Discriminator zero in Init/Up");
    // RFC 5880 §6.8.6 ("A Poll and Final bit set together ... MUST NOT"; §4.1): discard.
    if (p.poll && p.final)
        return fail(Drop::poll_and_final, 1, "Poll and Final both set");
    if (auth) {
        auto a = decode_auth(
            Reader(payload.subspan(mandatory_length, length - mandatory_length), mandatory_length));
        if (!a)
            return tl::unexpected(a.error());
        p.auth = std::move(*a);
    } else if (length != mandatory_length) {
        return fail(Drop::bad_length, 3, "Length over 24 without authentication");
    }
    return p;
}

Bytes encode_control(const ControlPacket& p)
{
    Bytes out;
    out.reserve(mandatory_length + digest_header + sha1_length);
    Writer w(out);
    w.u8(
        static_cast<std::uint8_t>((bfd_version << 5) | (static_cast<std::uint8_t>(p.diag) & 0x1f)));
    std::uint8_t flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.state) << 6);
    const auto bit = [&](bool on, std::uint8_t f) { flags = on ? flags | f : flags; };
    bit(p.poll, flag_poll);
    bit(p.final, flag_final);
    bit(p.control_plane_independent, flag_cpi);
    bit(p.auth.has_value(), flag_auth);
    bit(p.demand, flag_demand);
    bit(p.multipoint, flag_multipoint);
    w.u8(flags);
    w.u8(p.detect_mult);
    const auto len = w.mark8();
    w.u32(p.my_discriminator);
    w.u32(p.your_discriminator);
    w.u32(p.desired_min_tx_us);
    w.u32(p.required_min_rx_us);
    w.u32(p.required_min_echo_rx_us);
    if (p.auth) {
        const auto& a = *p.auth;
        w.u8(static_cast<std::uint8_t>(a.type));
        const auto alen = w.mark8();
        w.u8(a.key_id);
        if (a.type != AuthType::simple_password) {
            w.u8(0); // reserved
            w.u32(a.sequence);
        }
        w.bytes(a.data);
        out[alen] = static_cast<std::uint8_t>(out.size() - alen + 1);
    }
    out[len] = static_cast<std::uint8_t>(out.size());
    return out;
}

} // namespace vipd::bgp::bfd
