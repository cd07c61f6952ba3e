// RFC 5880 §6.7 authentication of BFD control packets (see auth.hpp).
#include "bgp/bfd/auth.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace vipd::bgp::bfd {
namespace {

bool is_md5(AuthType t)
{
    return t == AuthType::keyed_md5 || t == AuthType::meticulous_keyed_md5;
}
bool is_meticulous(AuthType t)
{
    return t == AuthType::meticulous_keyed_md5 || t == AuthType::meticulous_keyed_sha1;
}
std::size_t digest_size(AuthType t)
{
    return is_md5(t) ? 16 : 20;
}

/// The secret as the digest field's stand-in: zero-padded to the digest length (§6.7.3/§6.7.4).
Bytes padded_key(const std::string& secret, std::size_t n)
{
    Bytes k(n, 0);
    std::copy_n(secret.begin(), std::min(n, secret.size()), k.begin());
    return k;
}

/// MD5 or SHA1 of `data`.
Bytes digest(AuthType t, ByteView data)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md.data(), &len, is_md5(t) ? EVP_md5() : EVP_sha1(),
               nullptr);
    return Bytes(md.begin(), md.begin() + len);
}

/// Offset of the digest in a packet with a keyed auth section (RFC 5880 §4.3/§4.4).
constexpr std::size_t digest_offset = mandatory_length + 8;

std::pair<Drop, std::string> failed(std::string what)
{
    return {Drop::auth_failed, std::move(what)};
}

} // namespace

std::size_t max_secret_length(AuthType t)
{
    switch (t) {
    case AuthType::none:
        return 0;
    case AuthType::simple_password:
    case AuthType::keyed_md5:
    case AuthType::meticulous_keyed_md5:
        return 16;
    default:
        return 20;
    }
}

AuthState::AuthState(AuthConfig config, std::uint32_t initial_sequence)
    : config_(std::move(config)), xmit_seq_(initial_sequence)
{}

Bytes AuthState::sign(ControlPacket p)
{
    if (!enabled()) {
        p.auth.reset();
        return encode_control(p);
    }
    AuthSection a;
    a.type = config_.type;
    a.key_id = config_.key_id;
    if (config_.type == AuthType::simple_password) {
        a.data.assign(config_.secret.begin(), config_.secret.end());
        p.auth = std::move(a);
        return encode_control(p);
    }
    a.sequence = xmit_seq_++;
    a.data = padded_key(config_.secret, digest_size(config_.type));
    p.auth = std::move(a);
    auto wire = encode_control(p);
    // RFC 5880 §6.7.3/§6.7.4: the digest over the packet with the key in the digest field.
    const auto d = digest(config_.type, wire);
    std::copy(d.begin(), d.end(), wire.begin() + digest_offset);
    return wire;
}

tl::expected<void, std::pair<Drop, std::string>>
AuthState::verify(const ControlPacket& p, ByteView wire, Time now, Micros detection_time)
{
    // RFC 5880 §6.8.6: the A bit must match whether the session uses authentication.
    if (p.auth && !enabled())
        return tl::unexpected(
            std::pair{Drop::auth_unexpected, std::string("packet authenticated, session is not")});
    if (!p.auth && enabled())
        return tl::unexpected(
            std::pair{Drop::auth_missing, fmt::format("packet without authentication, session "
                                                      "uses {}",
                                                      to_string(config_.type))});
    if (!enabled())
        return {};
    const auto& a = *p.auth;
    if (a.type != config_.type)
        return tl::unexpected(failed(fmt::format("Auth Type {} received, {} configured",
                                                 to_string(a.type), to_string(config_.type))));
    if (a.key_id != config_.key_id)
        return tl::unexpected(failed(
            fmt::format("Auth Key ID {} received, {} configured", a.key_id, config_.key_id)));
    if (config_.type == AuthType::simple_password) {
        // RFC 5880 §6.7.2: the password must match exactly.
        if (a.data.size() != config_.secret.size() ||
            !std::equal(a.data.begin(), a.data.end(), config_.secret.begin()))
            return tl::unexpected(failed("password does not match"));
        return {};
    }
    // §6.8.1: bfd.AuthSeqKnown is cleared after 2 × Detection Time without a packet.
    if (last_rx_ && now - *last_rx_ > 2 * detection_time)
        seq_known_ = false;
    if (seq_known_) {
        // §6.7.3/§6.7.4: the sequence number within RcvAuthSeq(+1 when meticulous) to
        // RcvAuthSeq + 3 × Detect Mult, in circular 32-bit space.
        const std::uint32_t ahead = a.sequence - rcv_seq_;
        const std::uint32_t low = is_meticulous(a.type) ? 1 : 0;
        if (ahead < low || ahead > 3u * p.detect_mult)
            return tl::unexpected(
                failed(fmt::format("sequence number {} outside {}..{}", a.sequence, rcv_seq_ + low,
                                   rcv_seq_ + 3u * p.detect_mult)));
    }
    if (wire.size() < digest_offset + a.data.size())
        return tl::unexpected(std::pair{Drop::bad_length, std::string("digest truncated")});
    Bytes copy(wire.begin(), wire.end());
    const auto key = padded_key(config_.secret, a.data.size());
    std::copy(key.begin(), key.end(), copy.begin() + digest_offset);
    const auto d = digest(a.type, copy);
    if (d.size() != a.data.size() || CRYPTO_memcmp(d.data(), a.data.data(), d.size()) != 0)
        return tl::unexpected(failed("digest does not match"));
    seq_known_ = true;
    rcv_seq_ = a.sequence;
    last_rx_ = now;
    return {};
}

} // namespace vipd::bgp::bfd
