// Parsing and formatting of the basic value types (see types.hpp).
#include "bgp/types.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

namespace vipd::bgp {

std::string_view to_string(Afi afi)
{
    switch (afi) {
    case Afi::ipv4:
        return "ipv4";
    case Afi::ipv6:
        return "ipv6";
    }
    return "afi-unknown";
}

std::string to_string(AfiSafi f)
{
    if ((f.afi == Afi::ipv4 || f.afi == Afi::ipv6) && f.safi == Safi::unicast)
        return fmt::format("{}-unicast", to_string(f.afi));
    return fmt::format("afi-{}-safi-{}", static_cast<unsigned>(f.afi),
                       static_cast<unsigned>(f.safi));
}

Address Address::v4(std::uint32_t host_order)
{
    Address a;
    a.afi = Afi::ipv4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

Address Address::v6(const std::array<std::uint8_t, 16>& b)
{
    Address a;
    a.afi = Afi::ipv6;
    a.bytes = b;
    return a;
}

std::optional<Address> Address::parse(std::string_view text)
{
    std::string s(text);
    Address a;
    if (s.find(':') == std::string::npos) {
        a.afi = Afi::ipv4;
        if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1)
            return a;
        return std::nullopt;
    }
    a.afi = Afi::ipv6;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1)
        return a;
    return std::nullopt;
}

std::uint32_t Address::v4_value() const
{
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
           (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

bool Address::is_v6_link_local() const
{
    return afi == Afi::ipv6 && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

bool Address::is_unspecified() const
{
    for (std::size_t i = 0; i < size(); ++i)
        if (bytes[i] != 0)
            return false;
    return true;
}

std::string Address::to_string() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

Prefix Prefix::masked(const Address& a, std::uint8_t length)
{
    Prefix p;
    p.addr = a;
    p.length = length;
    const std::size_t n = a.size();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t bit = i * 8;
        if (bit >= length)
            p.addr.bytes[i] = 0;
        else if (bit + 8 > length)
            p.addr.bytes[i] &= static_cast<std::uint8_t>(0xff << (8 - (length - bit)));
    }
    return p;
}

tl::expected<Prefix, std::string> Prefix::parse(std::string_view text, bool bare_is_host)
{
    auto slash = text.find('/');
    auto addr_text = text.substr(0, slash);
    auto addr = Address::parse(addr_text);
    if (!addr)
        return tl::unexpected(fmt::format("\"{}\" is not an IPv4 or IPv6 address", addr_text));
    const unsigned max = addr->is_v4() ? 32 : 128;
    unsigned length = max;
    if (slash == std::string_view::npos) {
        if (!bare_is_host)
            return tl::unexpected(fmt::format("\"{}\" has no prefix length", text));
    } else {
        auto len_text = text.substr(slash + 1);
        if (len_text.empty() || len_text.size() > 3)
            return tl::unexpected(fmt::format("\"{}\": bad prefix length", text));
        length = 0;
        for (char c : len_text) {
            if (c < '0' || c > '9')
                return tl::unexpected(fmt::format("\"{}\": bad prefix length", text));
            length = length * 10 + static_cast<unsigned>(c - '0');
        }
        if (length > max)
            return tl::unexpected(
                fmt::format("\"{}\": prefix length {} exceeds {}", text, length, max));
    }
    Prefix p = masked(*addr, static_cast<std::uint8_t>(length));
    if (p.addr != *addr)
        return tl::unexpected(
            fmt::format("\"{}\": host bits set (did you mean {}?)", text, p.to_string()));
    return p;
}

std::string Prefix::to_string() const
{
    return fmt::format("{}/{}", addr.to_string(), length);
}

} // namespace vipd::bgp
