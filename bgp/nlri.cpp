// NLRI runs (RFC 4271 §4.3 prefix encoding, RFC 7911 §3 path identifiers) for the Withdrawn
// Routes and NLRI fields and for MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §5).
// Must not: judge prefixes semantically (multicast, martians): that is policy, not syntax.
// The decoder walks the run twice: once to validate and count, once to fill a vector sized
// exactly, which keeps the per-prefix cost at a few loads and stores.
#include <cstring>

#include <fmt/format.h>

#include "bgp/update.hpp"

namespace vipd::bgp {

namespace {

/// RFC 7911 §3: the Path Identifier is 4 octets.
constexpr std::size_t path_id_size = 4;

constexpr unsigned max_bits(Afi afi)
{
    return afi == Afi::ipv4 ? 32u : 128u;
}

DecodeError nlri_error(std::size_t offset, std::string what)
{
    // RFC 7606 §5.3: a syntactically incorrect NLRI field means session reset; RFC 4271 §6.3
    // names the subcode Invalid Network Field (no data).
    return DecodeError{static_cast<std::uint8_t>(ErrorCode::update_message),
                       update_error::invalid_network_field,
                       {},
                       offset,
                       Rfc7606::session_reset,
                       std::move(what)};
}

} // namespace

tl::expected<std::vector<Nlri>, DecodeError> decode_nlri(Reader& r, Afi afi, bool add_path)
{
    const ByteView v = r.rest();
    const std::size_t base = r.offset();
    const unsigned limit = max_bits(afi);
    const std::size_t id = add_path ? path_id_size : 0;

    std::size_t count = 0;
    for (std::size_t i = 0; i < v.size();) {
        // RFC 7606 §5.3: the last NLRI must not run past the end of the field.
        if (v.size() - i < id + 1)
            return tl::unexpected(nlri_error(
                base + i, fmt::format("{} octet(s) left, too few for an {} NLRI{}", v.size() - i,
                                      to_string(afi), add_path ? " with path identifier" : "")));
        const unsigned bits = v[i + id];
        // RFC 7606 §5.3: a prefix length beyond the address size is syntactically incorrect.
        if (bits > limit)
            return tl::unexpected(
                nlri_error(base + i + id, fmt::format("{} prefix length {} exceeds {}",
                                                      to_string(afi), bits, limit)));
        const std::size_t octets = (bits + 7u) / 8u;
        if (v.size() - i - id - 1 < octets)
            return tl::unexpected(
                nlri_error(base + i + id, fmt::format("/{} prefix needs {} octets, {} left", bits,
                                                      octets, v.size() - i - id - 1)));
        i += id + 1 + octets;
        ++count;
    }

    std::vector<Nlri> out(count);
    std::size_t i = 0;
    for (auto& n : out) {
        if (add_path) {
            n.path_id = (std::uint32_t{v[i]} << 24) | (std::uint32_t{v[i + 1]} << 16) |
                        (std::uint32_t{v[i + 2]} << 8) | std::uint32_t{v[i + 3]};
            i += path_id_size;
        }
        const unsigned bits = v[i];
        const std::size_t octets = (bits + 7u) / 8u;
        n.prefix.addr.afi = afi;
        n.prefix.length = static_cast<std::uint8_t>(bits);
        std::memcpy(n.prefix.addr.bytes.data(), v.data() + i + 1, octets);
        // RFC 4271 §4.3: trailing bits are irrelevant; keep the Prefix invariant (host bits 0).
        if (bits % 8 != 0)
            n.prefix.addr.bytes[octets - 1] &= static_cast<std::uint8_t>(0xff << (8 - bits % 8));
        i += 1 + octets;
    }
    (void)r.skip(v.size());
    return out;
}

void encode_nlri(const std::vector<Nlri>& nlri, Writer& w, bool add_path)
{
    for (const auto& n : nlri) {
        if (add_path)
            w.u32(n.path_id);
        w.u8(n.prefix.length);
        w.bytes(ByteView(n.prefix.addr.bytes.data(), n.prefix.wire_octets()));
    }
}

std::size_t nlri_size(const std::vector<Nlri>& nlri, bool add_path)
{
    std::size_t n = 0;
    for (const auto& x : nlri)
        n += (add_path ? path_id_size : 0) + 1 + x.prefix.wire_octets();
    return n;
}

} // namespace vipd::bgp
