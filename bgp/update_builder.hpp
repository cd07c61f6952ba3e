// Packs many prefixes that share path attributes into complete UPDATE messages (header
// included), back to back in a caller-provided buffer, using as few messages as the size limit
// allows. The attributes are encoded once (EncodedAttributes); per prefix the packer does a
// bounds check and a few stores. Must not: allocate per prefix, or send anything.
// RFC 4271 §4.1/§4.3, RFC 4760 §3/§4 (IPv6 in MP_REACH_NLRI / MP_UNREACH_NLRI), RFC 7911
// (path identifiers), RFC 8654 (65535-octet messages), RFC 8950 (IPv4 with an IPv6 next hop).
//
// RFC 7606 §5.1 shapes every message: MP_REACH_NLRI / MP_UNREACH_NLRI is the first attribute,
// and one UPDATE carries only one of Withdrawn Routes, NLRI, MP_REACH_NLRI, MP_UNREACH_NLRI
// ("MUST NOT contain more than one"), so withdrawals never share a message with announcements.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <tl/expected.hpp>

#include "bgp/attribute.hpp"
#include "bgp/message.hpp"

namespace vipd::bgp {

/// Path attributes of one family, encoded once for one session's EncodeContext.
class EncodedAttributes
{
public:
    /// IPv4 routes use the NLRI field unless `attrs.mp_reach` holds an IPv4-unicast next hop
    /// (RFC 8950); IPv6 routes need `attrs.mp_reach` for their next hop. NLRI inside
    /// attrs.mp_reach / attrs.mp_unreach are ignored. Errors: family not IPv4/IPv6 unicast,
    /// ORIGIN / AS_PATH / next hop missing (RFC 4271 §5.1), or attributes so large that no
    /// prefix fits in ctx.max_message().
    [[nodiscard]] static tl::expected<EncodedAttributes, std::string>
    make(const PathAttributes& attrs, AfiSafi family, const EncodeContext& ctx);

    [[nodiscard]] AfiSafi family() const { return family_; }
    /// The prefixes travel in MP_REACH_NLRI rather than the NLRI field.
    [[nodiscard]] bool multiprotocol() const { return !mp_head_.empty(); }
    [[nodiscard]] bool add_path() const { return add_path_; }
    [[nodiscard]] std::size_t max_message() const { return max_message_; }
    /// MP_REACH_NLRI value before the NLRI (empty for the NLRI field).
    [[nodiscard]] ByteView mp_head() const { return mp_head_; }
    /// Every other attribute, as full TLVs.
    [[nodiscard]] ByteView others() const { return others_; }

private:
    AfiSafi family_;
    bool add_path_ = false;
    std::size_t max_message_ = max_message_size;
    Bytes mp_head_;
    Bytes others_;
};

/// Append UPDATEs announcing `nlri` with `attrs`, as few as fit ctx.max_message(); returns the
/// number of messages (0 for no prefixes). Error: a prefix of another family or with a length
/// beyond the address size; `out` is then left as it was.
[[nodiscard]] tl::expected<std::size_t, std::string>
append_announcements(Bytes& out, const EncodedAttributes& attrs, std::span<const Nlri> nlri);

/// Append UPDATEs withdrawing `nlri` (IPv4: Withdrawn Routes field; IPv6: MP_UNREACH_NLRI, with
/// no other attribute, RFC 4760 §4). Returns the number of messages; errors as above.
[[nodiscard]] tl::expected<std::size_t, std::string> append_withdrawals(Bytes& out, AfiSafi family,
                                                                        std::span<const Nlri> nlri,
                                                                        const EncodeContext& ctx);

/// Withdrawals first, then announcements (so a prefix in both ends up announced), each packed
/// as above. Returns the total number of messages.
[[nodiscard]] tl::expected<std::size_t, std::string>
build_updates(Bytes& out, const PathAttributes& attrs, AfiSafi family,
              std::span<const Nlri> announce, std::span<const Nlri> withdraw,
              const EncodeContext& ctx);

/// One UPDATE announcing one prefix: the speaker's cheap path for single route changes.
[[nodiscard]] inline tl::expected<std::size_t, std::string>
append_announcement(Bytes& out, const EncodedAttributes& attrs, const Nlri& nlri)
{
    return append_announcements(out, attrs, std::span<const Nlri>(&nlri, 1));
}

/// One UPDATE withdrawing one prefix.
[[nodiscard]] inline tl::expected<std::size_t, std::string>
append_withdrawal(Bytes& out, AfiSafi family, const Nlri& nlri, const EncodeContext& ctx)
{
    return append_withdrawals(out, family, std::span<const Nlri>(&nlri, 1), ctx);
}

} // namespace vipd::bgp
