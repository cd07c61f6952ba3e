// Base64 encoder, RFC 4648 §4: each 3 input octets become 4 characters of the 64-character
// alphabet; a final group of 1 or 2 octets is zero-filled and padded with "==" or "=".
#include "health/base64.hpp"

#include <cstdint>

namespace vipd::health {

namespace {

constexpr std::string_view alphabet = // RFC 4648 §4, Table 1
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char sextet(std::uint32_t group, int shift)
{
    return alphabet[(group >> shift) & 0x3f];
}

} // namespace

std::string base64_encode(std::string_view in)
{
    std::string out;
    out.reserve(4 * ((in.size() + 2) / 3));
    std::size_t i = 0;
    const auto octet = [&in](std::size_t at) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(in[at]));
    };
    for (; i + 3 <= in.size(); i += 3) {
        const std::uint32_t group = octet(i) << 16 | octet(i + 1) << 8 | octet(i + 2);
        out += {sextet(group, 18), sextet(group, 12), sextet(group, 6), sextet(group, 0)};
    }
    const std::size_t rest = in.size() - i;
    if (rest == 1) { // RFC 4648 §4 case (2): 8 bits -> two characters and "=="
        const std::uint32_t group = octet(i) << 16;
        out += {sextet(group, 18), sextet(group, 12), '=', '='};
    } else if (rest == 2) { // RFC 4648 §4 case (3): 16 bits -> three characters and "="
        const std::uint32_t group = octet(i) << 16 | octet(i + 1) << 8;
        out += {sextet(group, 18), sextet(group, 12), sextet(group, 6), '='};
    }
    return out;
}

} // namespace vipd::health
