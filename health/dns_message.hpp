// DNS messages for the dns check: build a query, decode the response and check that it answers
// that query. Pure: no socket, no clock, no randomness (the caller supplies the ID).
// Strict bounds: every length is checked against the message, compression pointers must point
// strictly backwards (so they cannot loop) and names stay within 255 octets, section counts must
// fit the octets present. Every failure is a value: a typed Problem, the byte offset and a text.
// RFC 1035 (§2.3.4 limits, §3.3 RDATA, §4.1 format, §4.1.4 compression), RFC 3596 (AAAA),
// RFC 2782 (SRV), RFC 3597 §5 (unknown types), RFC 6891 (EDNS0: OPT, extended RCODE),
// RFC 4035 §3.2.3 / RFC 6840 §5.7 (AD), RFC 5452 §9.1 (matching a response to its query).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace vipd::health::dns {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

/// TYPE values named here (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891 §6.1.1).
namespace rr_type {
inline constexpr std::uint16_t a = 1;
inline constexpr std::uint16_t ns = 2;
inline constexpr std::uint16_t cname = 5;
inline constexpr std::uint16_t soa = 6;
inline constexpr std::uint16_t ptr = 12;
inline constexpr std::uint16_t mx = 15;
inline constexpr std::uint16_t txt = 16;
inline constexpr std::uint16_t aaaa = 28;
inline constexpr std::uint16_t srv = 33;
inline constexpr std::uint16_t opt = 41;
inline constexpr std::uint16_t any = 255;
} // namespace rr_type

inline constexpr std::uint16_t class_in = 1;         ///< RFC 1035 §3.2.4
inline constexpr std::size_t header_size = 12;       ///< RFC 1035 §4.1.1
inline constexpr std::size_t max_name_size = 255;    ///< RFC 1035 §2.3.4, wire octets
inline constexpr std::size_t max_label_size = 63;    ///< RFC 1035 §2.3.4
inline constexpr std::size_t classic_udp_size = 512; ///< RFC 1035 §4.2.1, without EDNS
inline constexpr std::uint16_t max_rcode = 4095;     ///< RFC 6891 §6.1.3: 12 bits with OPT

/// "A", "AAAA", "TXT", "SOA", "NS", "CNAME", "MX", "PTR", "SRV", "ANY", "TYPE99" (RFC 3597 §5)
/// or a number 1..65535, case-insensitive: the TYPE value. OPT (a pseudo-record) and 0: nullopt.
[[nodiscard]] std::optional<std::uint16_t> parse_type(std::string_view text);
/// "AAAA", or "TYPE99" for a type without a name here.
[[nodiscard]] std::string type_name(std::uint16_t type);

/// "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
/// "NXRRSET", "NOTAUTH", "NOTZONE", "BADVERS" (RFC 1035 §4.1.1, RFC 2136 §2.2, RFC 6891 §9) or a
/// number 0..4095, case-insensitive.
[[nodiscard]] std::optional<std::uint16_t> parse_rcode(std::string_view text);
/// "NXDOMAIN", or "RCODE42" for one without a name here.
[[nodiscard]] std::string rcode_name(std::uint16_t rcode);

/// A domain name in wire form: uncompressed labels ending with the root label.
struct Name
{
    Bytes wire;
    bool operator==(const Name&) const = default; ///< octet equality; see same_name()
};

/// "www.example.com" or "www.example.com." (or "." for the root). Labels of printable ASCII
/// without '\\'. Errors: an empty label, a label over 63 octets, a name over 255 (RFC 1035 §2.3.4).
[[nodiscard]] tl::expected<Name, std::string> parse_name(std::string_view text);
/// "www.example.com." ("." for the root); '.', '\\' and unprintable octets escaped ("\\.",
/// "\\032", RFC 1035 §5.1), so the text of a name parse_name() read reads back the same.
[[nodiscard]] std::string to_string(const Name& name);
/// Equal up to ASCII case (RFC 4343 §3).
[[nodiscard]] bool same_name(const Name& a, const Name& b);

struct Query
{
    std::uint16_t id = 0; ///< random per query (RFC 5452 §9.2); chosen by the caller
    Name name;
    std::uint16_t type = rr_type::a;
    bool recursion_desired = true; ///< RD
    /// AD in the query: a validating resolver then reports AD in its answer (RFC 6840 §5.7).
    bool authentic_data = false;
    /// The OPT record's UDP payload size (RFC 6891 §6.2.3); 0: no OPT record.
    std::uint16_t udp_payload_size = 1232;
};

/// The query's message (class IN, opcode QUERY, one question, the OPT record if asked).
[[nodiscard]] Bytes encode_query(const Query& query);

/// One resource record of the answer section.
struct Record
{
    Name name;
    std::uint16_t type = 0;
    std::uint16_t rr_class = 0;
    std::uint32_t ttl = 0;
    /// RDATA as text: presentation format for A, AAAA, NS, CNAME, PTR, MX, TXT, SOA, SRV
    /// ("192.0.2.1", "10 mx.example.", "\"v=spf1\" \"-all\""), RFC 3597 "\\# 3 0a0b0c" otherwise.
    std::string data;
    bool operator==(const Record&) const = default;
};

struct Response
{
    std::uint16_t id = 0;
    bool authoritative = false;       ///< AA
    bool truncated = false;           ///< TC: the sections after the question are not decoded
    bool recursion_available = false; ///< RA
    bool authentic_data = false;      ///< AD
    std::uint16_t rcode = 0;          ///< 12 bits: the header's 4 and the OPT's 8 (RFC 6891)
    std::vector<Record> answers;
    std::optional<std::uint16_t> udp_payload_size; ///< the server's OPT, if any
    std::uint16_t authority_count = 0;
    std::uint16_t additional_count = 0;
    bool operator==(const Response&) const = default;
};

/// Why a message was rejected.
enum class Problem : std::uint8_t {
    short_message,  ///< ends inside a field (header, question, record, RDATA)
    not_a_response, ///< QR clear
    wrong_id,       ///< RFC 5452 §9.1: not our ID
    wrong_opcode,   ///< not QUERY
    wrong_question, ///< question count, name, type or class differ from the query's
    bad_count,      ///< a section count cannot fit in the octets left
    bad_label,      ///< reserved label type (RFC 6891 §5), name over 255 octets
    bad_pointer,    ///< compression pointer not strictly backwards, or too many of them
    bad_rdata,      ///< RDLENGTH disagrees with the type's layout
    bad_opt,        ///< OPT misplaced, owned by a non-root name, or twice (RFC 6891 §6.1.1)
    trailing_data,  ///< octets after the last record
};

/// "short message", "not a response", "wrong ID", ...
[[nodiscard]] std::string_view to_string(Problem problem);

/// True for a well-formed message that does not answer our query (not a response, wrong ID,
/// opcode or question); false for a malformed one.
[[nodiscard]] bool is_mismatch(Problem problem);

struct DecodeError
{
    Problem problem = Problem::short_message;
    std::size_t offset = 0; ///< octet of the message where the problem is
    std::string what;       ///< "byte 40: compression pointer to 52 does not point backwards"
    bool operator==(const DecodeError&) const = default;
};

/// Decodes `message` as the response to `query`: header, the question echoed (RFC 5452 §9.1;
/// a response without question is accepted only with a non-zero RCODE), then, unless TC is set,
/// the answer, authority and additional sections, of which the answers are kept and the OPT
/// record read (extended RCODE, payload size).
[[nodiscard]] tl::expected<Response, DecodeError> decode_response(ByteView message,
                                                                  const Query& query);

} // namespace vipd::health::dns
