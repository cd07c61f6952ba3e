// libFuzzer target for the dns check's response decoder (health/dns_message.hpp). Input: one
// mode octet, then bytes. Mode even: the bytes are a response to a query whose ID is the
// response's own and whose question is the one the response carries at offset 12 when it is
// written plainly (otherwise www.example.test A), so the fuzzer gets past the ID and question
// checks at once and spends its time on the records. Mode odd: the bytes
// are a name's text; one that parses is encoded as a query, which, with QR set, must decode
// back as the answer to itself with no records. Any violation aborts, so libFuzzer reports it.
// A crash input becomes a vector in tests/health/dns_message_test.cpp.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "health/dns_message.hpp"

namespace dns = vipd::health::dns;

namespace {

[[noreturn]] void violation(const char* what, const std::string& detail = {})
{
    std::fprintf(stderr, "dns_fuzzer: %s %s\n", what, detail.c_str());
    std::abort();
}

// The question written without compression at offset 12, if any: the query it answers.
dns::Query query_echoed(dns::ByteView m)
{
    dns::Query query;
    query.id = m.size() >= 2 ? static_cast<std::uint16_t>(m[0] << 8 | m[1]) : 0;
    query.name = dns::parse_name("www.example.test").value();
    dns::Name name;
    std::size_t at = dns::header_size;
    while (at < m.size() && m[at] != 0 && m[at] <= dns::max_label_size &&
           name.wire.size() + 1 + m[at] < dns::max_name_size && at + 1 + m[at] < m.size()) {
        name.wire.insert(name.wire.end(), m.begin() + static_cast<std::ptrdiff_t>(at),
                         m.begin() + static_cast<std::ptrdiff_t>(at + 1 + m[at]));
        at += 1 + m[at];
    }
    if (at + 2 < m.size() && m[at] == 0) {
        name.wire.push_back(0);
        query.name = name;
        const auto type = static_cast<std::uint16_t>(m[at + 1] << 8 | m[at + 2]);
        if (type != 0 && type != dns::rr_type::opt)
            query.type = type;
    }
    return query;
}

void decode_as_response(dns::ByteView bytes)
{
    const dns::Query query = query_echoed(bytes);
    auto r = dns::decode_response(bytes, query);
    if (!r) {
        if (r.error().offset > bytes.size())
            violation("error offset past the message:", r.error().what);
        if (r.error().what.empty() || dns::to_string(r.error().problem).empty())
            violation("error without text");
        return;
    }
    if (r->rcode > dns::max_rcode)
        violation("RCODE above 4095");
    if (r->truncated && !r->answers.empty())
        violation("answers kept from a truncated message");
    for (const auto& a : r->answers) {
        if (a.name.wire.empty() || a.name.wire.size() > dns::max_name_size)
            violation("answer name of impossible size");
        if (dns::to_string(a.name).empty() || a.data.empty())
            violation("answer without text");
    }
}

void round_trip_query(std::uint8_t mode, dns::ByteView bytes)
{
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto name = dns::parse_name(text);
    if (!name)
        return;
    if (!dns::parse_name(dns::to_string(*name)) ||
        !dns::same_name(*dns::parse_name(dns::to_string(*name)), *name))
        violation("name text does not read back:", dns::to_string(*name));
    dns::Query query;
    query.id = static_cast<std::uint16_t>(mode * 257u);
    query.name = *name;
    query.type = dns::rr_type::txt;
    query.udp_payload_size = (mode & 0x02) != 0 ? 0 : 1232;
    dns::Bytes wire = dns::encode_query(query);
    wire[2] |= 0x80; // QR
    auto r = dns::decode_response(wire, query);
    if (!r)
        violation("a query with QR set does not decode as its answer:", r.error().what);
    if (!r->answers.empty() || r->rcode != 0 ||
        r->udp_payload_size.has_value() != (query.udp_payload_size != 0))
        violation("the query's own answer differs");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const dns::ByteView bytes(data + 1, size - 1);
    if ((data[0] & 1) == 0)
        decode_as_response(bytes);
    else
        round_trip_query(data[0], bytes);
    return 0;
}
