// The dns check's pure codec (health/dns_message.hpp): the query's exact octets, a response
// decoded field by field with every RDATA type it renders, and hostile responses — wrong ID,
// question mismatch, compression loops, pointer chains, truncation, oversized counts, bad OPT
// records, garbage — each an error with its typed Problem and offset, never a crash.
#include <initializer_list>
#include <random>

#include <catch2/catch.hpp>

#include "health/dns_message.hpp"

namespace dns = vipd::health::dns;
using dns::Bytes;
using dns::Problem;

namespace {

Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes with(Bytes m, std::size_t at, std::initializer_list<std::uint8_t> octets)
{
    for (auto o : octets)
        m.at(at++) = o;
    return m;
}

dns::Query query_for(std::string_view name, std::uint16_t type)
{
    return {0xbeef, dns::parse_name(name).value(), type, true, false, 1232};
}

const dns::Query www_a = query_for("www.example.test", dns::rr_type::a);

// The answer to www_a: one A record (owner compressed), the server's OPT.
const Bytes answer_a = {
    0xbe, 0xef,                                 // 0 ID
    0x85, 0x00,                                 // 2 QR, opcode 0, AA, RD; RCODE 0
    0x00, 0x01,                                 // 4 QDCOUNT 1
    0x00, 0x01,                                 // 6 ANCOUNT 1
    0x00, 0x00,                                 // 8 NSCOUNT 0
    0x00, 0x01,                                 // 10 ARCOUNT 1
    0x03, 'w',  'w',  'w',                      // 12 QNAME www
    0x07, 'e',  'x',  'a',  'm', 'p', 'l', 'e', // 16 example
    0x04, 't',  'e',  's',  't',                // 24 test
    0x00,                                       // 29 root
    0x00, 0x01,                                 // 30 QTYPE A
    0x00, 0x01,                                 // 32 QCLASS IN
    0xc0, 0x0c,                                 // 34 NAME: pointer to 12
    0x00, 0x01,                                 // 36 TYPE A
    0x00, 0x01,                                 // 38 CLASS IN
    0x00, 0x00, 0x01, 0x2c,                     // 40 TTL 300
    0x00, 0x04,                                 // 44 RDLENGTH 4
    192,  0,    2,    80,                       // 46 192.0.2.80
    0x00,                                       // 50 OPT owner: root
    0x00, 0x29,                                 // 51 TYPE OPT
    0x04, 0xd0,                                 // 53 UDP payload 1232
    0x00, 0x00, 0x00, 0x00,                     // 55 extended RCODE 0, version 0, flags
    0x00, 0x00,                                 // 59 RDLENGTH 0
};

// A header with ID 0xbeef and the given flags and counts.
Bytes header(std::uint16_t flags, std::uint8_t qd, std::uint8_t an, std::uint8_t ns,
             std::uint8_t ar)
{
    return {0xbe, 0xef, std::uint8_t(flags >> 8), std::uint8_t(flags & 0xff), 0, qd, 0, an, 0, ns,
            0,    ar};
}

// The question of www_a (offsets 12..33 behind a header).
const Bytes question_www_a = {
    0x03, 'w',  'w',  'w', 0x07, 'e', 'x', 'a',  'm',  'p',
    'l',  'e',  0x04, 't', 'e',  's', 't', 0x00, 0x00, 0x01, // QTYPE A
    0x00, 0x01,                                              // QCLASS IN
};

const Bytes opt_record = {
    0x00,                   // root
    0x00, 0x29,             // TYPE OPT
    0x04, 0xd0,             // UDP payload 1232
    0x00, 0x00, 0x00, 0x00, // extended RCODE, version, flags
    0x00, 0x00,             // RDLENGTH 0
};

Problem problem_of(const Bytes& m, const dns::Query& q = www_a)
{
    auto r = dns::decode_response(m, q);
    REQUIRE_FALSE(r);
    INFO(r.error().what);
    CHECK(r.error().offset <= m.size());
    CHECK(r.error().what.starts_with("byte "));
    return r.error().problem;
}

} // namespace

TEST_CASE("dns: a query with EDNS0, octet for octet", "[health][wire]")
{
    const Bytes expected = {
        0xbe, 0xef,                                 // ID
        0x01, 0x00,                                 // RD
        0x00, 0x01,                                 // QDCOUNT 1
        0x00, 0x00,                                 // ANCOUNT 0
        0x00, 0x00,                                 // NSCOUNT 0
        0x00, 0x01,                                 // ARCOUNT 1: OPT
        0x03, 'w',  'w',  'w',                      // QNAME
        0x07, 'e',  'x',  'a',  'm', 'p', 'l', 'e', //
        0x04, 't',  'e',  's',  't',                //
        0x00,                                       // root
        0x00, 0x01,                                 // QTYPE A
        0x00, 0x01,                                 // QCLASS IN
        0x00,                                       // OPT owner: root
        0x00, 0x29,                                 // TYPE OPT
        0x04, 0xd0,                                 // UDP payload 1232
        0x00, 0x00, 0x00, 0x00,                     // extended RCODE 0, version 0, DO clear
        0x00, 0x00,                                 // RDLENGTH 0
    };
    CHECK(dns::encode_query(www_a) == expected);
}

TEST_CASE("dns: a query without EDNS, AD set, RD clear", "[health][wire]")
{
    dns::Query q = query_for("example.test.", dns::rr_type::soa);
    q.id = 0x0102;
    q.recursion_desired = false;
    q.authentic_data = true;
    q.udp_payload_size = 0;
    const Bytes expected = {
        0x01, 0x02,                               // ID
        0x00, 0x20,                               // AD (RFC 6840 §5.7)
        0x00, 0x01,                               // QDCOUNT 1
        0x00, 0x00,                               // ANCOUNT 0
        0x00, 0x00,                               // NSCOUNT 0
        0x00, 0x00,                               // ARCOUNT 0: no OPT
        0x07, 'e',  'x', 'a', 'm', 'p', 'l', 'e', // QNAME
        0x04, 't',  'e', 's', 't',                //
        0x00,                                     // root
        0x00, 0x06,                               // QTYPE SOA
        0x00, 0x01,                               // QCLASS IN
    };
    CHECK(dns::encode_query(q) == expected);
}

TEST_CASE("dns: names, types and RCODEs as operators write them", "[health]")
{
    CHECK(dns::parse_name(".")->wire == Bytes{0});
    CHECK(dns::parse_name("a.b")->wire == Bytes{1, 'a', 1, 'b', 0});
    CHECK(dns::parse_name("a.b.") == dns::parse_name("a.b"));
    CHECK(dns::to_string(*dns::parse_name("www.Example.test")) == "www.Example.test.");
    CHECK(dns::to_string(*dns::parse_name(".")) == ".");
    CHECK(
        dns::same_name(*dns::parse_name("WWW.example.TEST"), *dns::parse_name("www.example.test")));
    CHECK_FALSE(dns::same_name(*dns::parse_name("a.test"), *dns::parse_name("b.test")));
    CHECK(dns::parse_name("").error() == "empty name");
    CHECK(dns::parse_name("a..b").error() == "empty label");
    CHECK(dns::parse_name(".a").error() == "empty label");
    CHECK(dns::parse_name(std::string(64, 'x')).error().ends_with("longer than 63 octets"));
    CHECK(dns::parse_name(std::string(63, 'x')));
    std::string long_name;
    for (int i = 0; i < 4; ++i)
        long_name += std::string(63, 'x') + ".";
    CHECK(dns::parse_name(long_name).error() == "name of 257 octets, at most 255");
    CHECK(dns::parse_name("a b.test").error().find("printable ASCII") != std::string::npos);
    CHECK_FALSE(dns::parse_name("a\\.b"));

    CHECK(dns::parse_type("aaaa") == dns::rr_type::aaaa);
    CHECK(dns::parse_type("TXT") == dns::rr_type::txt);
    CHECK(dns::parse_type("type99") == 99);
    CHECK(dns::parse_type("65535") == 65535);
    CHECK_FALSE(dns::parse_type("65536"));
    CHECK_FALSE(dns::parse_type("0"));
    CHECK_FALSE(dns::parse_type("OPT"));
    CHECK_FALSE(dns::parse_type("TYPE"));
    CHECK_FALSE(dns::parse_type("AAA"));
    CHECK(dns::type_name(dns::rr_type::mx) == "MX");
    CHECK(dns::type_name(99) == "TYPE99");

    CHECK(dns::parse_rcode("nxdomain") == 3);
    CHECK(dns::parse_rcode("SERVFAIL") == 2);
    CHECK(dns::parse_rcode("BADVERS") == 16);
    CHECK(dns::parse_rcode("4095") == 4095);
    CHECK(dns::parse_rcode("rcode42") == 42);
    CHECK_FALSE(dns::parse_rcode("4096"));
    CHECK_FALSE(dns::parse_rcode("NOPE"));
    CHECK(dns::rcode_name(5) == "REFUSED");
    CHECK(dns::rcode_name(42) == "RCODE42");
}

TEST_CASE("dns: a response decodes field by field", "[health][wire]")
{
    auto r = dns::decode_response(answer_a, www_a);
    REQUIRE(r);
    dns::Response expected;
    expected.id = 0xbeef;
    expected.authoritative = true;
    expected.rcode = 0;
    expected.answers = {
        {*dns::parse_name("www.example.test"), dns::rr_type::a, dns::class_in, 300, "192.0.2.80"}};
    expected.udp_payload_size = 1232;
    expected.additional_count = 1;
    CHECK(*r == expected);

    // RFC 4343: the question echoed in another case is ours.
    CHECK(dns::decode_response(with(answer_a, 13, {'W', 'W', 'W'}), www_a));
    // RFC 6891 §6.1.3: the OPT's upper RCODE bits (1 << 4 = 16, BADVERS).
    CHECK(dns::decode_response(with(answer_a, 55, {0x01}), www_a)->rcode == 16);
    // A server that could not parse the query may answer FORMERR without the question.
    auto formerr = dns::decode_response(header(0x8001, 0, 0, 0, 0), www_a);
    REQUIRE(formerr);
    CHECK(formerr->rcode == 1);
}

TEST_CASE("dns: every RDATA type rendered as text", "[health][wire]")
{
    const Bytes m = cat({
        header(0x8580, 1, 9, 0, 0),
        {0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x04, 't', 'e', 's', 't', 0x00, // 12 QNAME
         0x00, 0xff,                                                              // QTYPE ANY
         0x00, 0x01},                                                             // QCLASS IN
        {0xc0, 0x0c, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x06,  // NS, RDLENGTH 6
         0x03, 'n', 's', '1', 0xc0, 0x0c},                                        // ns1 + pointer
        {0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x07,  // MX, 7
         0x00, 0x0a,                                                              // preference 10
         0x02, 'm', 'x', 0xc0, 0x0c},                                             // mx + pointer
        {0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x0e,  // TXT, 14
         0x06, 'v',  '=',  's',  'p',  'f',  '1',                                 // "v=spf1"
         0x06, 'a',  '"',  'b',  '\\', 'c',  0x01},                               // a"b\c\001
        {0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10,  // AAAA, 16
         0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0,    0,    0,    0,
         0,    0,    0,    0x80},                                                // 2001:db8::80
        {0xc0, 0x0c, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x27, // SOA, 39
         0x03, 'n',  's',  '1',  0xc0, 0x0c,                                     // MNAME
         0x0a, 'h',  'o',  's',  't',  'm',  'a',  's',  't',  'e',  'r',  0xc0, 0x0c, // RNAME
         0x00, 0x00, 0x00, 0x01,                                                       // SERIAL 1
         0x00, 0x00, 0x0e, 0x10,                                                 // REFRESH 3600
         0x00, 0x00, 0x02, 0x58,                                                 // RETRY 600
         0x00, 0x01, 0x51, 0x80,                                                 // EXPIRE 86400
         0x00, 0x00, 0x01, 0x2c},                                                // MINIMUM 300
        {0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x0c, // SRV, 12
         0x00, 0x0a, 0x00, 0x14, 0x00, 0x35,                                     // 10 20 53
         0x03, 'd',  'n',  's',  0xc0, 0x0c},                                    // dns + pointer
        {0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x06, // CNAME, 6
         0x03, 'w', 'w', 'w', 0xc0, 0x0c},                                       //
        {0xc0, 0x0c, 0x00, 0x63, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x03, // TYPE99, 3
         0x0a, 0x0b, 0x0c},                                                      //
        {0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, // A, 4
         198, 51, 100, 7},                                                       //
    });
    auto r = dns::decode_response(m, query_for("example.test", dns::rr_type::any));
    REQUIRE(r);
    CHECK(r->recursion_available);
    std::vector<std::string> texts;
    for (const auto& a : r->answers)
        texts.push_back(a.data);
    CHECK(texts == std::vector<std::string>{
                       "ns1.example.test.",
                       "10 mx.example.test.",
                       R"("v=spf1" "a\"b\\c\001")",
                       "2001:db8::80",
                       "ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300",
                       "10 20 53 dns.example.test.",
                       "www.example.test.",
                       "\\# 3 0a0b0c",
                       "198.51.100.7",
                   });
}

TEST_CASE("dns: a truncated response keeps its question, its sections are not read", "[health]")
{
    // TC set, ANCOUNT 1 but the message stops after the question (as NSD sends it).
    const Bytes m = cat({header(0x8700, 1, 1, 0, 0), question_www_a});
    auto r = dns::decode_response(m, www_a);
    REQUIRE(r);
    CHECK(r->truncated);
    CHECK(r->answers.empty());
    // ...but it must still be the answer to our query.
    CHECK(problem_of(with(m, 0, {0x12})) == Problem::wrong_id);
}

TEST_CASE("dns: replies that are not the answer to our query", "[health][wire]")
{
    CHECK(problem_of(with(answer_a, 0, {0x12})) == Problem::wrong_id); // ID 0x12ef
    auto wrong = dns::decode_response(with(answer_a, 0, {0x12}), www_a);
    CHECK(wrong.error() ==
          dns::DecodeError{Problem::wrong_id, 0, "byte 0: ID 0x12ef, expected 0xbeef"});
    CHECK(problem_of(with(answer_a, 2, {0x05})) == Problem::not_a_response);  // QR clear
    CHECK(problem_of(with(answer_a, 2, {0x95})) == Problem::wrong_opcode);    // opcode 2
    CHECK(problem_of(with(answer_a, 13, {'x'})) == Problem::wrong_question);  // "xww"
    CHECK(problem_of(with(answer_a, 31, {0x1c})) == Problem::wrong_question); // QTYPE AAAA
    CHECK(problem_of(with(answer_a, 33, {0x03})) == Problem::wrong_question); // QCLASS CH
    CHECK(problem_of(with(answer_a, 5, {0x02})) == Problem::wrong_question);  // QDCOUNT 2
    // No question with RCODE 0: not ours.
    CHECK(problem_of(header(0x8000, 0, 0, 0, 0)) == Problem::wrong_question);
    for (auto p : {Problem::not_a_response, Problem::wrong_id, Problem::wrong_opcode,
                   Problem::wrong_question})
        CHECK(dns::is_mismatch(p));
    for (auto p :
         {Problem::short_message, Problem::bad_count, Problem::bad_label, Problem::bad_pointer,
          Problem::bad_rdata, Problem::bad_opt, Problem::trailing_data})
        CHECK_FALSE(dns::is_mismatch(p));
}

TEST_CASE("dns: compression pointers that loop, point forwards or chain too far", "[health][wire]")
{
    // The answer's owner points at itself.
    CHECK(problem_of(with(answer_a, 34, {0xc0, 0x22})) == Problem::bad_pointer);
    // ...forwards, to the OPT at 50.
    CHECK(problem_of(with(answer_a, 34, {0xc0, 0x32})) == Problem::bad_pointer);
    // A label then a pointer back to that label: a loop a "pointer < its own offset" rule misses.
    const Bytes loop = cat({header(0x8400, 1, 1, 0, 0),
                            question_www_a,
                            {0x01, 'x',              // 34 label "x"
                             0xc0, 0x22,             // 36 pointer to 34
                             0x00, 0x01, 0x00, 0x01, // TYPE A, CLASS IN
                             0x00, 0x00, 0x00, 0x00, // TTL
                             0x00, 0x04, 1, 2, 3, 4}});
    auto r = dns::decode_response(loop, www_a);
    REQUIRE_FALSE(r);
    CHECK(r.error() == dns::DecodeError{Problem::bad_pointer, 36,
                                        "byte 36: compression pointer to 34 does not point "
                                        "before 34"});

    // A ladder of 130 pointers, each to the one before (inside an unknown record's RDATA),
    // then an answer owned by the last one.
    Bytes ladder = {0x00}; // 46: root
    for (std::size_t k = 0; k < 130; ++k) {
        const std::size_t target = k == 0 ? 46 : 47 + 2 * (k - 1);
        ladder.push_back(static_cast<std::uint8_t>(0xc0 | (target >> 8)));
        ladder.push_back(static_cast<std::uint8_t>(target & 0xff));
    }
    const std::size_t last = 47 + 2 * 129;
    const Bytes chain = cat({header(0x8400, 1, 2, 0, 0),
                             question_www_a,
                             {0xc0, 0x0c, 0x00, 0x63, 0x00, 0x01, 0, 0, 0, 0, // TYPE99
                              static_cast<std::uint8_t>(ladder.size() >> 8),
                              static_cast<std::uint8_t>(ladder.size() & 0xff)},
                             ladder,
                             {static_cast<std::uint8_t>(0xc0 | (last >> 8)),
                              static_cast<std::uint8_t>(last & 0xff), // owner: the ladder's top
                              0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x04, 1, 2, 3, 4}});
    auto c = dns::decode_response(chain, www_a);
    REQUIRE_FALSE(c);
    CHECK(c.error().problem == Problem::bad_pointer);
    CHECK(c.error().what.ends_with("more than 127 compression pointers"));
}

TEST_CASE("dns: names over 255 octets and reserved label types", "[health][wire]")
{
    // Runs of a 63-octet label and a pointer to the previous run: 5 x 64 octets.
    Bytes runs = {0x00}; // 46: root
    std::size_t previous = 46;
    for (int k = 0; k < 5; ++k) {
        const std::size_t here = 46 + runs.size();
        runs.push_back(63);
        runs.insert(runs.end(), 63, 'x');
        runs.push_back(static_cast<std::uint8_t>(0xc0 | (previous >> 8)));
        runs.push_back(static_cast<std::uint8_t>(previous & 0xff));
        previous = here;
    }
    const Bytes m = cat({header(0x8400, 1, 2, 0, 0),
                         question_www_a,
                         {0xc0, 0x0c, 0x00, 0x63, 0x00, 0x01, 0, 0, 0, 0,
                          static_cast<std::uint8_t>(runs.size() >> 8),
                          static_cast<std::uint8_t>(runs.size() & 0xff)},
                         runs,
                         {static_cast<std::uint8_t>(0xc0 | (previous >> 8)),
                          static_cast<std::uint8_t>(previous & 0xff), 0x00, 0x01, 0x00, 0x01, 0, 0,
                          0, 0, 0x00, 0x04, 1, 2, 3, 4}});
    CHECK(problem_of(m) == Problem::bad_label);
    CHECK(problem_of(with(answer_a, 34, {0x40})) == Problem::bad_label); // RFC 6891 §5
    CHECK(problem_of(with(answer_a, 34, {0x80})) == Problem::bad_label);
}

TEST_CASE("dns: counts, lengths and RDATA that do not fit", "[health][wire]")
{
    CHECK(problem_of(with(answer_a, 6, {0xff, 0xff})) == Problem::bad_count);      // ANCOUNT 65535
    CHECK(problem_of(with(answer_a, 8, {0x00, 0x05})) == Problem::bad_count);      // NSCOUNT 5
    CHECK(problem_of(with(answer_a, 44, {0x00, 0xff})) == Problem::short_message); // RDLENGTH 255
    CHECK(problem_of(with(answer_a, 45, {0x05})) == Problem::bad_rdata);           // A of 5 octets
    CHECK(problem_of(Bytes(answer_a.begin(), answer_a.begin() + 5)) == Problem::short_message);
    for (std::size_t n = 0; n < answer_a.size(); ++n) {
        INFO("prefix of " << n << " octets");
        CHECK_FALSE(dns::decode_response(dns::ByteView(answer_a.data(), n), www_a));
    }
    Bytes trailing = answer_a;
    trailing.push_back(0);
    auto t = dns::decode_response(trailing, www_a);
    REQUIRE_FALSE(t);
    CHECK(t.error() == dns::DecodeError{Problem::trailing_data, 61,
                                        "byte 61: 1 trailing octet(s) after the last record"});

    const auto rr = [](std::uint16_t type, Bytes rdata) {
        Bytes r = {0xc0,
                   0x0c,
                   std::uint8_t(type >> 8),
                   std::uint8_t(type & 0xff),
                   0x00,
                   0x01,
                   0,
                   0,
                   0,
                   0,
                   std::uint8_t(rdata.size() >> 8),
                   std::uint8_t(rdata.size() & 0xff)};
        r.insert(r.end(), rdata.begin(), rdata.end());
        return cat({header(0x8400, 1, 1, 0, 0), question_www_a, r});
    };
    CHECK(problem_of(rr(dns::rr_type::txt, {})) == Problem::bad_rdata);               // no string
    CHECK(problem_of(rr(dns::rr_type::txt, {0x05, 'a', 'b'})) == Problem::bad_rdata); // past end
    CHECK(problem_of(rr(dns::rr_type::mx, {0x00, 0x0a, 0x02, 'm', 'x', 0x00, 0x00})) ==
          Problem::bad_rdata); // an octet after the name
    CHECK(problem_of(rr(dns::rr_type::mx, {0x00})) == Problem::bad_rdata); // preference cut
    CHECK(problem_of(rr(dns::rr_type::ns, {0x03, 'n', 's', '1', 0x00, 0x01})) ==
          Problem::bad_rdata);
    CHECK(problem_of(rr(dns::rr_type::cname, {0x05, 'a'})) == Problem::bad_rdata);
    CHECK(problem_of(rr(dns::rr_type::aaaa, {1, 2, 3, 4})) == Problem::bad_rdata);
    CHECK(problem_of(rr(dns::rr_type::soa, {0x00, 0x00, 0, 0, 0, 1})) == Problem::bad_rdata);
}

TEST_CASE("dns: OPT records out of place", "[health][wire]")
{
    // In the answer section.
    CHECK(problem_of(cat({header(0x8400, 1, 1, 0, 0), question_www_a, opt_record})) ==
          Problem::bad_opt);
    // Twice.
    CHECK(problem_of(cat({header(0x8400, 1, 0, 0, 2), question_www_a, opt_record, opt_record})) ==
          Problem::bad_opt);
    // Owned by a name.
    Bytes named = cat({header(0x8400, 1, 0, 0, 1), question_www_a, {0xc0, 0x0c}, opt_record});
    named.erase(named.begin() + 36); // drop the root owner that followed the pointer
    CHECK(problem_of(named) == Problem::bad_opt);
}

TEST_CASE("dns: garbage never crashes the decoder", "[health][wire]")
{
    std::mt19937 rng(20261207);
    std::uniform_int_distribution<int> octet(0, 255);
    std::size_t decoded = 0;
    for (int i = 0; i < 5000; ++i) {
        // Half random from the first octet, half behind a valid header and question (so the
        // record parser sees the garbage), with random counts.
        Bytes m;
        const std::size_t size = static_cast<std::size_t>(octet(rng)) * 2;
        if (i % 2 == 1) {
            m = cat({header(0x8400, 1, 0, 0, 0), question_www_a});
            m[7] = static_cast<std::uint8_t>(octet(rng) % 8);  // ANCOUNT
            m[9] = static_cast<std::uint8_t>(octet(rng) % 4);  // NSCOUNT
            m[11] = static_cast<std::uint8_t>(octet(rng) % 4); // ARCOUNT
        }
        for (std::size_t k = 0; k < size; ++k)
            m.push_back(static_cast<std::uint8_t>(octet(rng)));
        auto r = dns::decode_response(m, www_a);
        if (r) {
            ++decoded;
            continue;
        }
        CHECK(r.error().offset <= m.size());
        CHECK_FALSE(r.error().what.empty());
        CHECK_FALSE(dns::to_string(r.error().problem).empty());
    }
    CHECK(decoded < 5000);
}
