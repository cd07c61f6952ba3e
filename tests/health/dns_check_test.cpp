// The dns check (health/dns_check.hpp): the pure verdict judge(), config errors, and probes
// against a scripted DNS responder on 127.0.0.1 (UDP and TCP on one port) that answers, truncates,
// answers with a wrong ID, garbage, too much, or not at all. The real server (NSD) is in
// tests/integration/dns_check_test.sh. No timing assertions.
#include <array>
#include <functional>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "health/dns_check.hpp"

using namespace vipd::health;
using namespace vipd::test;
using asio::ip::udp;
using dns::Bytes;

namespace {

// The response to the query `q`: its ID and question, `flags`, `an` answer records, its OPT
// record echoed when it had one.
Bytes respond(const Bytes& q, std::uint16_t flags, std::uint8_t an, const Bytes& records)
{
    std::size_t end = dns::header_size;
    while (q.at(end) != 0)
        end += 1 + q[end];
    end += 1 + 4; // root, QTYPE, QCLASS
    const bool opt = q.size() > end;
    Bytes r(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(end));
    r[2] = static_cast<std::uint8_t>(flags >> 8);
    r[3] = static_cast<std::uint8_t>(flags & 0xff);
    r[7] = an;
    r[11] = opt ? 1 : 0;
    r.insert(r.end(), records.begin(), records.end());
    if (opt)
        r.insert(r.end(), q.begin() + static_cast<std::ptrdiff_t>(end), q.end());
    return r;
}

constexpr std::uint16_t qr_aa = 0x8400;
constexpr std::uint16_t qr_aa_tc = 0x8600;

const Bytes a_record = {
    0xc0, 0x0c,             // owner: the question's name
    0x00, 0x01,             // TYPE A
    0x00, 0x01,             // CLASS IN
    0x00, 0x00, 0x01, 0x2c, // TTL 300
    0x00, 0x04,             // RDLENGTH
    192,  0,    2,    80,   // 192.0.2.80
};

using Script = std::function<std::optional<Bytes>(const Bytes& query, bool tcp)>;

// A DNS responder on 127.0.0.1: UDP and TCP on the same port, each query answered by the script
// (nullopt: no answer; over TCP the connection is then closed).
class ScriptedDns
{
public:
    ScriptedDns(asio::io_context& io, Script script)
        : udp_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          acceptor_(
              io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), udp_.local_endpoint().port())),
          script_(std::move(script))
    {
        asio::co_spawn(io, udp_loop(), asio::detached);
        asio::co_spawn(io, accept_loop(), asio::detached);
    }
    ~ScriptedDns()
    {
        boost::system::error_code ignored;
        udp_.close(ignored);
        acceptor_.close(ignored);
    }
    std::uint16_t port() const { return udp_.local_endpoint().port(); }
    std::size_t udp_queries() const { return udp_queries_; }
    std::size_t tcp_queries() const { return *tcp_queries_; }

private:
    asio::awaitable<void> udp_loop()
    {
        for (;;) {
            Bytes buf(65535);
            udp::endpoint from;
            auto [ec, n] = co_await udp_.async_receive_from(asio::buffer(buf), from,
                                                            asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            buf.resize(n);
            ++udp_queries_;
            if (auto r = script_(buf, false))
                co_await udp_.async_send_to(asio::buffer(*r), from,
                                            asio::as_tuple(asio::use_awaitable));
        }
    }
    asio::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            asio::co_spawn(acceptor_.get_executor(),
                           serve(std::move(socket), script_, tcp_queries_), asio::detached);
        }
    }
    static asio::awaitable<void> serve(tcp::socket s, Script script,
                                       std::shared_ptr<std::size_t> count)
    {
        for (;;) {
            std::array<std::uint8_t, 2> len{};
            auto [ec, n] = co_await asio::async_read(s, asio::buffer(len),
                                                     asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            Bytes q(std::size_t{len[0]} << 8 | len[1]);
            auto [qec, qn] =
                co_await asio::async_read(s, asio::buffer(q), asio::as_tuple(asio::use_awaitable));
            if (qec)
                co_return;
            ++*count;
            auto r = script(q, true);
            if (!r)
                co_return;
            Bytes framed = {static_cast<std::uint8_t>(r->size() >> 8),
                            static_cast<std::uint8_t>(r->size() & 0xff)};
            framed.insert(framed.end(), r->begin(), r->end());
            co_await asio::async_write(s, asio::buffer(framed),
                                       asio::as_tuple(asio::use_awaitable));
        }
    }

    udp::socket udp_;
    tcp::acceptor acceptor_;
    Script script_;
    std::size_t udp_queries_ = 0;
    std::shared_ptr<std::size_t> tcp_queries_ = std::make_shared<std::size_t>(0);
};

DnsCheckConfig config_for(std::uint16_t port)
{
    DnsCheckConfig c;
    c.address = "127.0.0.1";
    c.port = port;
    c.name = "www.example.test";
    return c;
}

Outcome probe_once(asio::io_context& io, DnsCheckConfig c)
{
    auto made = DnsCheck::make(std::move(c));
    REQUIRE(made);
    return run_probe(io, **made);
}

dns::Response response_with(std::uint16_t rcode, std::vector<dns::Record> answers)
{
    dns::Response r;
    r.rcode = rcode;
    r.answers = std::move(answers);
    return r;
}

dns::Record record(std::uint16_t type, std::string data)
{
    return {*dns::parse_name("www.example.test"), type, dns::class_in, 300, std::move(data)};
}

} // namespace

TEST_CASE("dns judge: RCODE, then the answer text, then AA and AD", "[health]")
{
    DnsCheckConfig c = config_for(53);
    const auto two = response_with(0, {record(dns::rr_type::cname, "web.example.test."),
                                       record(dns::rr_type::a, "192.0.2.80")});
    CHECK(judge(c, two, "UDP") == Outcome{Status::up, "NOERROR over UDP, 1 A answer", {}});
    CHECK(judge(c, response_with(3, {}), "UDP") ==
          Outcome{Status::down, "NXDOMAIN over UDP, expected NOERROR", {}, Reason::dns_rcode});
    c.rcode = 3;
    CHECK(judge(c, response_with(3, {}), "TCP").up());

    c = config_for(53);
    c.contains = "192.0.2.80";
    CHECK(judge(c, two, "UDP").detail == "NOERROR over UDP, 1 A answer with \"192.0.2.80\"");
    c.contains = "web.example"; // in the CNAME only: not an A answer
    CHECK(judge(c, two, "UDP") ==
          Outcome{Status::down,
                  "NOERROR over UDP: no A answer contains \"web.example\" (1: 192.0.2.80)",
                  {},
                  Reason::dns_answer});
    c.type = dns::rr_type::any;
    CHECK(judge(c, two, "UDP").up());
    c = config_for(53);
    c.contains = "x";
    CHECK(judge(c, response_with(0, {}), "UDP").detail ==
          "NOERROR over UDP: no A answer contains \"x\" (none)");

    c = config_for(53);
    c.authoritative = true;
    CHECK(judge(c, two, "UDP") == Outcome{Status::down,
                                          "NOERROR over UDP: AA clear, the answer is not "
                                          "authoritative",
                                          {},
                                          Reason::dns_answer});
    auto aa = two;
    aa.authoritative = true;
    CHECK(judge(c, aa, "UDP").detail == "NOERROR over UDP, 1 A answer, AA");
    c = config_for(53);
    c.authentic_data = true;
    CHECK(judge(c, aa, "UDP").reason == Reason::dns_answer);
    aa.authentic_data = true;
    CHECK(judge(c, aa, "UDP").detail == "NOERROR over UDP, 1 A answer, AA, AD");

    auto tc = two;
    tc.truncated = true;
    CHECK(judge(config_for(53), tc, "TCP") ==
          Outcome{
              Status::down, "NOERROR over TCP: truncated (TC) anyway", {}, Reason::dns_truncated});
}

TEST_CASE("dns check: config errors", "[health]")
{
    const auto error = [](DnsCheckConfig c) {
        auto made = DnsCheck::make(std::move(c));
        REQUIRE_FALSE(made);
        return made.error();
    };
    auto c = config_for(53);
    c.address = "ns1.example";
    CHECK(error(c) == "address \"ns1.example\" is not a numeric IPv4/IPv6 address");
    c = config_for(0);
    CHECK(error(c) == "port 0");
    c = config_for(53);
    c.name = "a..b";
    CHECK(error(c) == "name \"a..b\": empty label");
    c = config_for(53);
    c.source_address = "::1";
    CHECK(error(c) == "source and server address families differ");
    c = config_for(53);
    c.edns_buffer = 100;
    CHECK(error(c) == "EDNS buffer size 100: 0 or 512..65535");
    c = config_for(53);
    c.max_reply = 100;
    CHECK(error(c) == "max reply 100: 512..65535");
    c = config_for(53);
    c.rcode = 16;
    c.edns_buffer = 0;
    CHECK(error(c) == "an extended RCODE (above 15) needs EDNS (a non-zero EDNS buffer size)");
    c = config_for(53);
    c.type = dns::rr_type::opt;
    CHECK(error(c) == "type 41 cannot be queried");
    CHECK(DnsCheck::make(config_for(53)));
}

TEST_CASE("dns check: an answer over UDP, a truncated one retried over TCP", "[health]")
{
    asio::io_context io;
    ScriptedDns server(io, [](const Bytes& q, bool tcp) -> std::optional<Bytes> {
        if (q.at(13) == 'b' && !tcp) // "big": truncated over UDP
            return respond(q, qr_aa_tc, 0, {});
        return respond(q, qr_aa, 1, a_record);
    });
    auto c = config_for(server.port());
    c.contains = "192.0.2.80";
    c.authoritative = true;
    CHECK(probe_once(io, c) ==
          Outcome{Status::up, "NOERROR over UDP, 1 A answer with \"192.0.2.80\", AA", {}});
    CHECK(server.udp_queries() == 1);
    CHECK(server.tcp_queries() == 0);

    c.name = "big.example.test";
    CHECK(probe_once(io, c).detail ==
          "NOERROR over TCP after UDP truncation, 1 A answer with \"192.0.2.80\", AA");
    CHECK(server.udp_queries() == 2);
    CHECK(server.tcp_queries() == 1);

    c.transport = DnsTransport::tcp;
    c.name = "www.example.test";
    CHECK(probe_once(io, c).detail == "NOERROR over TCP, 1 A answer with \"192.0.2.80\", AA");
    CHECK(server.udp_queries() == 2);
    CHECK(server.tcp_queries() == 2);
}

TEST_CASE("dns check: hostile replies are rejected with their reason", "[health]")
{
    asio::io_context io;
    std::string mode;
    ScriptedDns server(io, [&mode](const Bytes& q, bool tcp) -> std::optional<Bytes> {
        Bytes r = respond(q, qr_aa, 1, a_record);
        if (mode == "wrong-id")
            r[0] ^= 0xff;
        else if (mode == "garbage")
            r = respond(q, qr_aa, 3, Bytes(40, 0xc0)); // ID and question right, then junk
        else if (mode == "oversized")
            r.resize(1300); // more than the 1232 octets offered
        else if (mode == "tc-over-tcp" && tcp)
            r[2] |= 0x02;
        else if (mode == "tc-over-tcp")
            r = respond(q, qr_aa_tc, 0, {});
        else if (mode == "nxdomain")
            r[3] = 0x03;
        return r;
    });
    const auto c = config_for(server.port());
    const auto outcome = [&](std::string m) {
        mode = std::move(m);
        return probe_once(io, c);
    };
    auto o = outcome("wrong-id");
    CHECK(o.reason == Reason::dns_mismatch);
    CHECK(o.detail.starts_with("UDP reply byte 0: ID 0x"));
    o = outcome("garbage");
    CHECK(o.reason == Reason::dns_malformed);
    CHECK(o.detail.starts_with("UDP reply byte "));
    CHECK(outcome("oversized") == Outcome{Status::down,
                                          "UDP reply larger than the 1232 octets offered",
                                          {},
                                          Reason::dns_malformed});
    CHECK(outcome("tc-over-tcp") == Outcome{Status::down,
                                            "NOERROR over TCP after UDP truncation: truncated "
                                            "(TC) anyway",
                                            {},
                                            Reason::dns_truncated});
    CHECK(outcome("nxdomain") ==
          Outcome{Status::down, "NXDOMAIN over UDP, expected NOERROR", {}, Reason::dns_rcode});

    // TCP: a length prefix above max-reply is refused before reading.
    mode = "oversized";
    auto t = c;
    t.transport = DnsTransport::tcp;
    t.max_reply = 1024;
    CHECK(probe_once(io, t) == Outcome{Status::down,
                                       "TCP reply of 1300 octets, expected 12..1024",
                                       {},
                                       Reason::dns_malformed});
}

TEST_CASE("dns check: a closed port is refused over UDP (ICMP) and TCP", "[health]")
{
    asio::io_context io;
    auto c = config_for(closed_port());
    CHECK(probe_once(io, c) ==
          Outcome{Status::down, "UDP: port unreachable (ICMP)", {}, Reason::refused});
    c.transport = DnsTransport::tcp;
    CHECK(probe_once(io, c) == Outcome{Status::down, "TCP: connect refused", {}, Reason::refused});
}
