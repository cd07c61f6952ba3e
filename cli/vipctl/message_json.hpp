// BGP messages as JSON for `vipctl decode` and logs: every field of every message type,
// capabilities by name, path attributes, NLRI as prefix strings (objects with path_id under
// ADD-PATH), NOTIFICATION text (describe + RFC 9003), and RFC 7606 outcomes of UPDATEs.
// Must not: decide anything about a message; it only shows what the codec produced.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bgp/message.hpp"
#include "bgp/update.hpp"

namespace vipd::cli {

/// JSON objects keep their keys in insertion order (type first), for people reading them.
using Json = nlohmann::ordered_json;

/// Octets as lower-case hex without separators ("" for none).
[[nodiscard]] std::string to_hex(bgp::ByteView bytes);

[[nodiscard]] Json to_json(const bgp::Capability& c);
[[nodiscard]] Json to_json(const bgp::Open& m);
[[nodiscard]] Json to_json(const bgp::PathAttributes& a, const bgp::CodecContext& ctx);
[[nodiscard]] Json to_json(const bgp::Update& m, const bgp::CodecContext& ctx);
[[nodiscard]] Json to_json(const bgp::Notification& m);
[[nodiscard]] Json to_json(const bgp::RouteRefresh& m);
/// {"code", "subcode", "description", "data", "offset", "action", "what", "text"}.
[[nodiscard]] Json to_json(const bgp::DecodeError& e);
/// The RFC 7606 outcome of an UPDATE: strongest action, every error, disabled families.
[[nodiscard]] Json outcome_json(const bgp::UpdateOutcome& o);
/// {"type": "...", "<type>": {fields}}; the key is open/update/notification/keepalive/
/// route_refresh.
[[nodiscard]] Json to_json(const bgp::Message& m, const bgp::CodecContext& ctx);

/// The JSON of a byte stream holding one or more whole messages back to back.
struct StreamJson
{
    Json messages = Json::array(); ///< one object per message seen
    /// The first error, already formatted with message index and input offset; set when any
    /// message was malformed (including RFC 7606 outcomes weaker than session reset).
    std::optional<std::string> error;
};

/// Decode `input` message by message. UPDATEs go through decode_update so that the routes and
/// the RFC 7606 outcome are both shown; decoding stops at the first error that resets a
/// session (the rest of the stream cannot be trusted) and continues after weaker ones.
[[nodiscard]] StreamJson decode_stream(bgp::ByteView input, const bgp::CodecContext& ctx);

} // namespace vipd::cli
