// sock_diag reply parsing over dumps captured from Linux 6.1 (a Python script asking
// NETLINK_SOCK_DIAG for TCP_LISTEN sockets while it listened on 127.0.0.1:47001 and on [::1]:47002
// with IPV6_V6ONLY; other sockets of the machine were cut out), every truncation of them, hostile
// lengths, and the address-matching rule. Pure: no sockets.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <netinet/in.h>

#include "health/sock_diag.hpp"

using namespace vipd::health;

namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex)
{
    std::vector<std::uint8_t> out;
    std::string digits;
    for (char c : hex)
        if (c != ' ' && c != '\n')
            digits += c;
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    return out;
}

// One AF_INET listener and the end of the dump (sequence 7), as the kernel sent them.
const std::string ipv4_dump = "7c000000"                         // nlmsg_len 124
                              "1400"                             // SOCK_DIAG_BY_FAMILY (20)
                              "0200"                             // NLM_F_MULTI
                              "07000000"                         // seq 7
                              "49750000"                         // port id
                              "02"                               // idiag_family AF_INET
                              "0a"                               // idiag_state TCP_LISTEN
                              "0000"                             // timer, retrans
                              "b799"                             // sport 47001 (big endian)
                              "0000"                             // dport
                              "7f000001000000000000000000000000" // src 127.0.0.1
                              "00000000000000000000000000000000" // dst
                              "00000000"                         // if
                              "0410000000000000"                 // cookie
                              "00000000000000008000000000000000" // expires rqueue wqueue uid
                              "434a1b00"                         // inode
                              "0500080000000000"                 // INET_DIAG_SHUTDOWN 0, pad
                              "08000f0000000000"                 // attribute 15
                              "0c0015000100000000000000"         // attribute 21
                              "0600160052000000"                 // attribute 22, pad
                              "14000000030002000700000049750000" // NLMSG_DONE, seq 7
                              "00000000";                        // its error field: 0

// One AF_INET6 listener on ::1 with IPV6_V6ONLY (attribute 11 = 1), then NLMSG_DONE.
const std::string ipv6_dump = "840000001400020007000000b9760000"          // header, 132 bytes
                              "0a0a0000"                                  // AF_INET6, LISTEN
                              "b79a0000"                                  // sport 47002, dport
                              "00000000000000000000000000000001"          // src ::1
                              "00000000000000000000000000000000"          // dst
                              "000000000710000000000000"                  // if, cookie
                              "000000000000000080000000"                  // expires, rqueue, wqueue
                              "00000000c6581b00"                          // uid, inode
                              "0500080000000000"                          // INET_DIAG_SHUTDOWN
                              "05000b0001000000"                          // INET_DIAG_SKV6ONLY 1
                              "08000f0000000000"                          // attribute 15
                              "0c0015000100000000000000"                  // attribute 21
                              "0600160012000000"                          // attribute 22
                              "140000000300020007000000b976000000000000"; // NLMSG_DONE

boost::asio::ip::address addr(const char* text)
{
    return boost::asio::ip::make_address(text);
}

} // namespace

TEST_CASE("sock_diag: a captured IPv4 dump gives its listener and the end", "[health]")
{
    std::vector<DiagSocket> out;
    const auto bytes = from_hex(ipv4_dump);
    REQUIRE(bytes.size() == 144);
    auto done = parse_diag_reply(bytes, 7, out);
    REQUIRE(done);
    CHECK(*done);
    REQUIRE(out.size() == 1);
    CHECK(out[0].family == AF_INET);
    CHECK(out[0].state == 10);
    CHECK(out[0].port == 47001);
    CHECK(out[0].address[0] == 127);
    CHECK(out[0].address[3] == 1);
    CHECK_FALSE(out[0].v6only);
    CHECK(serves(out[0], addr("127.0.0.1"), 47001));
    CHECK_FALSE(serves(out[0], addr("127.0.0.2"), 47001));
    CHECK_FALSE(serves(out[0], addr("127.0.0.1"), 47002));
    CHECK_FALSE(serves(out[0], addr("::1"), 47001));
}

TEST_CASE("sock_diag: a captured IPv6 dump carries IPV6_V6ONLY", "[health]")
{
    std::vector<DiagSocket> out;
    auto done = parse_diag_reply(from_hex(ipv6_dump), 7, out);
    REQUIRE(done);
    CHECK(*done);
    REQUIRE(out.size() == 1);
    CHECK(out[0].family == AF_INET6);
    CHECK(out[0].port == 47002);
    CHECK(out[0].address[15] == 1);
    CHECK(out[0].v6only);
    CHECK(serves(out[0], addr("::1"), 47002));
    CHECK_FALSE(serves(out[0], addr("127.0.0.1"), 47002));
}

TEST_CASE("sock_diag: a part of a dump without NLMSG_DONE is not the end", "[health]")
{
    auto bytes = from_hex(ipv4_dump);
    bytes.resize(124);
    std::vector<DiagSocket> out;
    auto done = parse_diag_reply(bytes, 7, out);
    REQUIRE(done);
    CHECK_FALSE(*done);
    CHECK(out.size() == 1);
}

TEST_CASE("sock_diag: every truncation is an error or a shorter dump, never a crash", "[health]")
{
    for (const auto* dump : {&ipv4_dump, &ipv6_dump}) {
        const auto whole = from_hex(*dump);
        for (std::size_t n = 1; n < whole.size(); ++n) {
            std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + static_cast<long>(n));
            std::vector<DiagSocket> out;
            auto done = parse_diag_reply(cut, 7, out);
            if (done) {
                CHECK_FALSE(*done); // only whole messages are accepted
                INFO(n);
                CHECK(n % 4 == 0);
            } else {
                CHECK_FALSE(done.error().empty());
            }
        }
    }
}

TEST_CASE("sock_diag: hostile lengths and foreign sequences are errors naming the byte", "[health]")
{
    std::vector<DiagSocket> out;
    auto bytes = from_hex(ipv4_dump);
    bytes[0] = 0xff; // nlmsg_len 255 > 144 bytes
    auto r = parse_diag_reply(bytes, 7, out);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "byte 0: message length 255 out of bounds (144 left)");

    bytes = from_hex(ipv4_dump);
    bytes[0] = 0x08; // shorter than a header
    CHECK_FALSE(parse_diag_reply(bytes, 7, out));

    bytes = from_hex(ipv4_dump);
    bytes[0] = 0x20; // a diag message of 16 bytes: no room for inet_diag_msg
    r = parse_diag_reply(bytes, 7, out);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "byte 16: inet_diag_msg needs 72 bytes, has 16");

    bytes = from_hex(ipv4_dump);
    bytes[88] = 0xf0; // first attribute's length 240 > the message
    r = parse_diag_reply(bytes, 7, out);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "byte 88: attribute length 240 out of bounds");

    r = parse_diag_reply(from_hex(ipv4_dump), 8, out);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "byte 0: sequence 7, expected 8");

    // NLMSG_ERROR with -EINVAL (-22)
    r = parse_diag_reply(from_hex("14000000020000000700000000000000eaffffff"), 7, out);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "kernel error: Invalid argument");
}

TEST_CASE("sock_diag: wildcards, v4-mapped and dual-stack sockets serve IPv4", "[health]")
{
    DiagSocket any4{AF_INET, 10, {}, 80, false};
    CHECK(serves(any4, addr("192.0.2.1"), 80));
    CHECK_FALSE(serves(any4, addr("::1"), 80));
    DiagSocket any6{AF_INET6, 10, {}, 80, false};
    CHECK(serves(any6, addr("127.0.0.1"), 80));
    CHECK(serves(any6, addr("::1"), 80));
    any6.v6only = true;
    CHECK_FALSE(serves(any6, addr("127.0.0.1"), 80));
    CHECK(serves(any6, addr("2001:db8::1"), 80));
    DiagSocket mapped{AF_INET6, 10, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}, 80};
    CHECK(serves(mapped, addr("127.0.0.1"), 80));
    CHECK_FALSE(serves(mapped, addr("127.0.0.2"), 80));
}

TEST_CASE("sock_diag: the request is nlmsghdr + inet_diag_req_v2 for a dump", "[health]")
{
    const auto r = diag_request(AF_INET6, SocketProtocol::udp, 1U << 7, 9);
    CHECK(r == from_hex("48000000" // nlmsg_len 72
                        "1400"     // SOCK_DIAG_BY_FAMILY
                        "0103"     // NLM_F_REQUEST | NLM_F_DUMP
                        "09000000" // seq 9
                        "00000000" // port id: the kernel's
                        "0a110000" // AF_INET6, IPPROTO_UDP, ext, pad
                        "80000000" // states: TCPF_CLOSE
                        "0000000000000000000000000000000000000000000000000000000000000000"
                        "00000000000000000000000000000000")); // inet_diag_sockid: any
}
