// Base64 encoding (RFC 4648 §4, standard alphabet, '=' padding) for HTTP basic authentication
// (RFC 7617 §2). Pure: no I/O, no OpenSSL, so a plain http check with credentials never loads
// libcrypto. Encoding only: vipd never decodes base64.
#pragma once

#include <string>
#include <string_view>

namespace vipd::health {

/// `in` as base64 (RFC 4648 §4), padded to a multiple of 4 characters; "" for "".
[[nodiscard]] std::string base64_encode(std::string_view in);

} // namespace vipd::health
