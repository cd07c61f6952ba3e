// Community text parsing and formatting (see config_community.hpp). Pure.
#include "bgp/community_text.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "bgp/types.hpp"

namespace vipd::bgp {

namespace {

struct WellKnown
{
    std::string_view name;
    Community value;
};

inline constexpr std::array<WellKnown, 6> well_known{{
    {"graceful-shutdown", bgp::community::graceful_shutdown},
    {"blackhole", bgp::community::blackhole},
    {"no-export", bgp::community::no_export},
    {"no-advertise", bgp::community::no_advertise},
    {"no-export-subconfed", bgp::community::no_export_subconfed},
    {"no-peer", bgp::community::no_peer},
}};

// RFC 4360 §3 type octets (transitive) and §4/§5 subtypes.
inline constexpr std::uint8_t type_as2 = 0x00;             // RFC 4360 §3.1 Two-Octet AS Specific
inline constexpr std::uint8_t type_ipv4 = 0x01;            // RFC 4360 §3.2 IPv4 Address Specific
inline constexpr std::uint8_t type_as4 = 0x02;             // RFC 5668 §2 Four-Octet AS Specific
inline constexpr std::uint8_t subtype_route_target = 0x02; // RFC 4360 §4
inline constexpr std::uint8_t subtype_route_origin = 0x03; // RFC 4360 §5

std::vector<std::string_view> split(std::string_view text, char sep)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto at = text.find(sep, start);
        out.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
        if (at == std::string_view::npos)
            return out;
        start = at + 1;
    }
}

std::optional<std::uint64_t> number(std::string_view text)
{
    if (text.empty() || text.size() > 10)
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

// A number within `max`, or an error naming it.
tl::expected<std::uint32_t, std::string> field(std::string_view text, std::string_view part,
                                               std::uint64_t max)
{
    auto n = number(part);
    if (!n)
        return tl::unexpected(fmt::format("{}: \"{}\" is not a number", text, part));
    if (*n > max)
        return tl::unexpected(fmt::format("{}: {} is more than {}", text, *n, max));
    return static_cast<std::uint32_t>(*n);
}

void put16(std::array<std::uint8_t, 8>& v, std::size_t at, std::uint32_t x)
{
    v[at] = static_cast<std::uint8_t>(x >> 8);
    v[at + 1] = static_cast<std::uint8_t>(x);
}

void put32(std::array<std::uint8_t, 8>& v, std::size_t at, std::uint32_t x)
{
    put16(v, at, x >> 16);
    put16(v, at + 2, x & 0xFFFF);
}

std::uint32_t get16(const std::array<std::uint8_t, 8>& v, std::size_t at)
{
    return (std::uint32_t{v[at]} << 8) | v[at + 1];
}

std::uint32_t get32(const std::array<std::uint8_t, 8>& v, std::size_t at)
{
    return (get16(v, at) << 16) | get16(v, at + 2);
}

tl::expected<ExtendedCommunity, std::string> parse_hex(std::string_view text)
{
    const auto digits = text.substr(2);
    if (digits.size() != 16)
        return tl::unexpected(fmt::format("{}: expected \"0x\" and 16 hex digits", text));
    ExtendedCommunity c;
    for (std::size_t i = 0; i < 16; ++i) {
        const char ch = digits[i];
        int d = -1;
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        if (d < 0)
            return tl::unexpected(fmt::format("{}: '{}' is not a hex digit", text, ch));
        c.value[i / 2] = static_cast<std::uint8_t>(c.value[i / 2] << 4 | d);
    }
    return c;
}

} // namespace

tl::expected<Community, std::string> parse_community(std::string_view text)
{
    for (const auto& w : well_known) {
        if (text == w.name)
            return w.value;
    }
    const auto parts = split(text, ':');
    if (parts.size() != 2)
        return tl::unexpected(
            fmt::format("{}: expected ASN:VALUE (each 0..65535) or a well-known name such as "
                        "\"graceful-shutdown\" or \"no-export\"",
                        text));
    auto high = field(text, parts[0], 0xFFFF);
    if (!high)
        return tl::unexpected(high.error());
    auto low = field(text, parts[1], 0xFFFF);
    if (!low)
        return tl::unexpected(low.error());
    return (*high << 16) | *low;
}

std::string format_community(Community c)
{
    for (const auto& w : well_known) {
        if (c == w.value)
            return std::string(w.name);
    }
    return fmt::format("{}:{}", c >> 16, c & 0xFFFF);
}

tl::expected<LargeCommunity, std::string> parse_large_community(std::string_view text)
{
    const auto parts = split(text, ':');
    if (parts.size() != 3)
        return tl::unexpected(
            fmt::format("{}: expected GLOBAL:LOCAL1:LOCAL2 (each 0..4294967295)", text));
    std::array<std::uint32_t, 3> v{};
    for (std::size_t i = 0; i < 3; ++i) {
        auto f = field(text, parts[i], 0xFFFFFFFFu);
        if (!f)
            return tl::unexpected(f.error());
        v[i] = *f;
    }
    return LargeCommunity{v[0], v[1], v[2]};
}

std::string format_large_community(const LargeCommunity& c)
{
    return fmt::format("{}:{}:{}", c.global_administrator, c.local_data_1, c.local_data_2);
}

tl::expected<ExtendedCommunity, std::string> parse_extended_community(std::string_view text)
{
    if (text.starts_with("0x") || text.starts_with("0X"))
        return parse_hex(text);
    const auto parts = split(text, ':');
    if (parts.size() != 3 || (parts[0] != "rt" && parts[0] != "soo"))
        return tl::unexpected(fmt::format(
            "{}: expected rt:ASN:VALUE, soo:ASN:VALUE, rt:IPV4:VALUE or 0x and 16 hex digits",
            text));
    ExtendedCommunity c;
    c.value[1] = parts[0] == "rt" ? subtype_route_target : subtype_route_origin;
    if (parts[1].find('.') != std::string_view::npos) {
        auto addr = bgp::Address::parse(parts[1]);
        if (!addr || !addr->is_v4())
            return tl::unexpected(fmt::format("{}: \"{}\" is not an IPv4 address", text, parts[1]));
        auto local = field(text, parts[2], 0xFFFF);
        if (!local)
            return tl::unexpected(local.error());
        c.value[0] = type_ipv4;
        put32(c.value, 2, addr->v4_value());
        put16(c.value, 6, *local);
        return c;
    }
    auto asn = field(text, parts[1], 0xFFFFFFFFu);
    if (!asn)
        return tl::unexpected(asn.error());
    if (*asn <= 0xFFFF) {
        auto local = field(text, parts[2], 0xFFFFFFFFu);
        if (!local)
            return tl::unexpected(local.error());
        c.value[0] = type_as2;
        put16(c.value, 2, *asn);
        put32(c.value, 4, *local);
        return c;
    }
    // RFC 5668 §2: a 4-octet AS leaves 2 octets for the local value.
    auto local = field(text, parts[2], 0xFFFF);
    if (!local)
        return tl::unexpected(local.error());
    c.value[0] = type_as4;
    put32(c.value, 2, *asn);
    put16(c.value, 6, *local);
    return c;
}

std::string format_extended_community(const ExtendedCommunity& c)
{
    const auto& v = c.value;
    const bool known_subtype = v[1] == subtype_route_target || v[1] == subtype_route_origin;
    const std::string_view kind = v[1] == subtype_route_target ? "rt" : "soo";
    if (known_subtype && v[0] == type_as2)
        return fmt::format("{}:{}:{}", kind, get16(v, 2), get32(v, 4));
    if (known_subtype && v[0] == type_ipv4)
        return fmt::format("{}:{}:{}", kind, bgp::Address::v4(get32(v, 2)).to_string(),
                           get16(v, 6));
    // A 4-octet AS that fits in 2 octets would read back as type 0x00: keep it as hex.
    if (known_subtype && v[0] == type_as4 && get32(v, 2) > 0xFFFF)
        return fmt::format("{}:{}:{}", kind, get32(v, 2), get16(v, 6));
    std::string out = "0x";
    for (auto b : v)
        out += fmt::format("{:02x}", b);
    return out;
}

} // namespace vipd::bgp
