// UPDATE body codec (RFC 4271 §4.3), attribute-list decoding with RFC 7606 outcomes, NLRI with
// and without ADD-PATH (RFC 7911), and the UPDATE checks of RFC 4271 §6.3 / RFC 7606 §3-§7.
// Must not: send anything, or drop NLRI when an attribute is malformed (RFC 7606 §5).
//
// Error offsets count from the first marker octet (the Withdrawn Routes Length is byte 19).
// Errors about a whole attribute (flags, duplicates, unknown well-known, missing attribute
// list space) point at its Flags octet, length errors at its Attribute Length field, errors
// inside a value at the offending field, NLRI errors at the prefix's length octet, and a
// missing well-known attribute at the Total Path Attribute Length field.
//
// Decisions (RFC 7606 leaves a choice): a malformed MP_REACH_NLRI / MP_UNREACH_NLRI of IPv4 or
// IPv6 unicast resets the session (§7.11 allows "AFI/SAFI disable"; vipd carries two families
// and a silently disabled one would leave VIPs unannounced on a healthy-looking session). An
// MP attribute of any other AFI/SAFI, which vipd never negotiates, gets "AFI/SAFI disable"
// (RFC 4760 §7, 3/9): the family is named in disabled_families and its routes are ignored.
#pragma once

#include <optional>
#include <vector>

#include <tl/expected.hpp>

#include "bgp/message.hpp"

namespace vipd::bgp {

/// Whether the peer is in our AS; RFC 7606 §7.5/7.9/7.10 treat LOCAL_PREF, ORIGINATOR_ID and
/// CLUSTER_LIST from external peers by "attribute discard".
enum class PeerKind : std::uint8_t { internal, external };

/// The result of decoding an UPDATE the RFC 7606 way: the routes that could be parsed plus the
/// errors found. When `treat_as_withdraw` is set the caller must treat every NLRI (classic and
/// MP_REACH) of `update` as withdrawn; attribute_discard errors mean the offending attributes
/// were already dropped from `update`; a session_reset error means send
/// to_notification(*error) and close.
struct UpdateOutcome
{
    Update update;
    /// The strongest error (RFC 7606 §3.h; the first one found among equals).
    std::optional<DecodeError> error;
    /// Every error found, in wire order, for the RFC 7606 §6 log.
    std::vector<DecodeError> errors;
    /// Some error asks for treat-as-withdraw (RFC 7606 §2). Meaningless after session_reset.
    bool treat_as_withdraw = false;
    /// RFC 4760 §7: families whose routes this session must ignore from now on.
    std::vector<AfiSafi> disabled_families;
};

/// Decode an UPDATE body; `body` starts right after the 19-octet header (offset 19) and is
/// consumed entirely. Never fails outright: errors are in the outcome (see UpdateOutcome).
/// With !ctx.four_octet_as, AS4_PATH / AS4_AGGREGATOR are folded in by reconcile_as4.
[[nodiscard]] UpdateOutcome decode_update(Reader& body, const DecodeContext& ctx,
                                          PeerKind peer = PeerKind::internal);

/// Append the UPDATE body (no header) to `w`. Does not check the message size limit.
void encode_update_body(const Update& u, Writer& w, const EncodeContext& ctx);
/// Octets encode_update_body would append.
[[nodiscard]] std::size_t update_body_size(const Update& u, const EncodeContext& ctx);

/// Decode a run of NLRI of one family (RFC 4271 §4.3 / RFC 7911 §3) until `r` is exhausted.
/// Error (3/10, session_reset, RFC 7606 §5.3): a prefix length beyond 32/128 or a prefix that
/// overruns the run; the offset names the prefix's length octet. Trailing host bits are cleared.
[[nodiscard]] tl::expected<std::vector<Nlri>, DecodeError> decode_nlri(Reader& r, Afi afi,
                                                                       bool add_path);
/// Append NLRI entries (path identifier first when add_path).
void encode_nlri(const std::vector<Nlri>& nlri, Writer& w, bool add_path);
/// Octets encode_nlri would append.
[[nodiscard]] std::size_t nlri_size(const std::vector<Nlri>& nlri, bool add_path);

} // namespace vipd::bgp
