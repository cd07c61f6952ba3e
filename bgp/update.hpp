// UPDATE body codec (RFC 4271 §4.3), attribute decoding with RFC 7606 outcomes, NLRI with and
// without ADD-PATH (RFC 7911), and semantic validation (RFC 4271 §6.3, RFC 7606 §7).
// Must not: send anything, or drop NLRI when an attribute is malformed (RFC 7606 §5).
#pragma once

#include <optional>

#include <tl/expected.hpp>

#include "bgp/message.hpp"

namespace vipd::bgp {

/// The result of decoding an UPDATE the RFC 7606 way: the routes that could be parsed plus the
/// strongest error found. When error->action is treat_as_withdraw the caller must treat every
/// NLRI (classic and MP_REACH) of `update` as withdrawn; attribute_discard means the offending
/// attributes were already dropped from `update`; session_reset means send
/// to_notification(*error) and close.
struct UpdateOutcome
{
    Update update;
    std::optional<DecodeError> error;
};

/// Decode an UPDATE body; `body` starts right after the 19-octet header (offset 19).
[[nodiscard]] UpdateOutcome decode_update(Reader& body, const DecodeContext& ctx);

/// Append the UPDATE body (no header) to `w`.
void encode_update_body(const Update& u, Writer& w, const EncodeContext& ctx);

/// Decode a run of NLRI of one family (RFC 4271 §4.3 / RFC 7911 §3) until `r` is exhausted.
[[nodiscard]] tl::expected<std::vector<Nlri>, DecodeError> decode_nlri(Reader& r, Afi afi,
                                                                        bool add_path);
/// Append NLRI entries (path identifier first when add_path).
void encode_nlri(const std::vector<Nlri>& nlri, Writer& w, bool add_path);

}  // namespace vipd::bgp
