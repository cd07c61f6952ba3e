// `dns` check: one query for a name and type to a DNS server, over UDP from an ephemeral port
// with a random ID (RFC 5452 §9.2), retried over TCP when the answer is truncated (RFC 7766 §5),
// or over TCP only; up when the RCODE is the expected one (NOERROR by default) and, if asked,
// an answer record contains a text, AA or AD is set. Reads are bounded: the UDP buffer is the
// EDNS0 size offered (RFC 6891 §6.2.5; 512 without EDNS), a TCP length prefix above max_reply
// is refused. A reply that is malformed or does not answer our query (wrong ID, question) fails
// the probe at once, as dnsdist's health checks do: the socket is connected, so it came from the
// server's address and port. Every failure has its typed Reason. No timeout of its own: the
// Monitor bounds the probe. Messages are built and parsed by the pure dns_message.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

#include "health/check.hpp"
#include "health/dns_message.hpp"

namespace vipd::health {

enum class DnsTransport : std::uint8_t {
    udp, ///< UDP, then TCP when the answer is truncated (TC)
    tcp, ///< TCP only (RFC 7766)
};

struct DnsCheckConfig
{
    std::string address;     ///< numeric IPv4/IPv6 address of the server (required)
    std::uint16_t port = 53; ///< RFC 1035 §4.2
    std::string name;        ///< the name queried (required; dns::parse_name)
    std::uint16_t type = dns::rr_type::a;
    std::uint16_t rcode = 0; ///< expected RCODE: NOERROR
    /// An answer record of `type` (any type for ANY) must contain this in its text form
    /// (dns::Record::data); empty: no answer check.
    std::string contains;
    bool authoritative = false;  ///< require AA
    bool authentic_data = false; ///< require AD (the query then sets AD, RFC 6840 §5.7)
    bool recursion_desired = true;
    DnsTransport transport = DnsTransport::udp;
    std::uint16_t edns_buffer = 1232; ///< EDNS0 UDP payload size offered; 0: no EDNS
    std::size_t max_reply = 65535;    ///< TCP: a reply longer than this is refused
    std::string source_address;       ///< local address to bind; empty: kernel's choice
    bool operator==(const DnsCheckConfig&) const = default;
};

inline constexpr std::uint16_t min_edns_buffer = 512; ///< RFC 6891 §6.2.5
inline constexpr std::size_t min_dns_reply = 512;     ///< RFC 1035 §4.2.1
inline constexpr std::size_t max_dns_reply = 65535;   ///< RFC 1035 §4.2.2: 16-bit length prefix

/// The verdict on a response that answers our query: RCODE, then `contains`, AA, AD. Pure.
/// `over` ("UDP", "TCP", "TCP after truncation") goes into the detail.
[[nodiscard]] Outcome judge(const DnsCheckConfig& config, const dns::Response& response,
                            std::string_view over);

/// The Reason of a rejected message: dns_mismatch (not an answer to our query) or dns_malformed.
[[nodiscard]] Failure rejected(const dns::DecodeError& error, std::string_view over);

class DnsCheck final : public Check
{
public:
    /// Validates the config: numeric addresses of one family, port, name, EDNS buffer 0 or
    /// 512..65535, max_reply 512..65535.
    [[nodiscard]] static tl::expected<std::unique_ptr<DnsCheck>, std::string>
    make(DnsCheckConfig config);

    /// Outcome detail: "NOERROR over UDP, 1 answer, AA", "NXDOMAIN over UDP, expected
    /// NOERROR", "UDP: byte 0: ID 0x1234, expected 0x5678"...
    boost::asio::awaitable<Outcome> probe() override;
    [[nodiscard]] std::string_view kind() const override { return "dns"; }

private:
    DnsCheck() = default;

    boost::asio::awaitable<tl::expected<dns::Response, Failure>> over_udp(dns::Query query);
    boost::asio::awaitable<tl::expected<dns::Response, Failure>> over_tcp(dns::Query query);

    DnsCheckConfig config_;
    dns::Name name_;
    boost::asio::ip::address target_;
    std::optional<boost::asio::ip::address> source_;
};

} // namespace vipd::health
