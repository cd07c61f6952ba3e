// BFD control packet codec (RFC 5880 §4.1-4.4): byte vectors with one commented field per line,
// and each stateless reception check of §6.8.6 on a packet that breaks only that rule.
#include <catch2/catch.hpp>

#include "bfd_vectors.hpp"
#include "bgp/bfd/packet.hpp"

using namespace vipd::bgp;
using namespace vipd::bgp::bfd;
using namespace vipd::bgp::bfd::test;

namespace {

// State Up, no flags, Detect Mult 3, 300 ms intervals, no Echo.
const std::string up_bytes = R"(
    20             # version 1, Diag 0
    c0             # State Up (3), no flags
    03             # Detect Mult
    18             # Length 24
    11 22 33 44    # My Discriminator
    55 66 77 88    # Your Discriminator
    00 04 93 e0    # Desired Min TX 300000 us
    00 04 93 e0    # Required Min RX 300000 us
    00 00 00 00    # Required Min Echo RX 0
)";

Drop drop_of(const Bytes& b)
{
    auto r = decode_control(b);
    REQUIRE_FALSE(r);
    return r.error().reason;
}

} // namespace

TEST_CASE("bfd: control packet encode and decode", "[wire]")
{
    CHECK(encode_control(up_packet()) == hex(up_bytes));
    auto d = decode_control(hex(up_bytes));
    REQUIRE(d);
    CHECK(*d == up_packet());

    SECTION("every flag and the diagnostic survive a round trip")
    {
        auto p = up_packet();
        p.diag = Diag::control_detection_time_expired;
        p.state = SessionState::down;
        p.your_discriminator = 0;
        p.poll = true;
        p.control_plane_independent = true;
        p.demand = true;
        const auto b = encode_control(p);
        CHECK(b[0] == 0x21);
        CHECK(b[1] == (0x40 | 0x20 | 0x08 | 0x02));
        CHECK(decode_control(b) == p);
    }
    SECTION("simple password section")
    {
        auto p = up_packet();
        p.auth = AuthSection{AuthType::simple_password, 7, 0, Bytes{'a', 'b', 'c'}};
        const auto b = encode_control(p);
        CHECK(b == hex(R"(20 c4 03 1e  11223344 55667788 000493e0 000493e0 00000000
                          01      # Auth Type Simple Password
                          06      # Auth Len 3 + 3
                          07      # Auth Key ID
                          616263  # "abc")"));
        CHECK(decode_control(b) == p);
    }
    SECTION("keyed SHA1 section")
    {
        auto p = up_packet();
        p.auth = AuthSection{AuthType::keyed_sha1, 1, 5, Bytes(20, 0xaa)};
        const auto b = encode_control(p);
        CHECK(b.size() == 52);
        CHECK(b[3] == 52);
        CHECK(b[24] == 4);  // Auth Type
        CHECK(b[25] == 28); // Auth Len
        CHECK(decode_control(b) == p);
    }
    SECTION("bytes after Length in the UDP payload are ignored")
    {
        auto b = hex(up_bytes);
        b.push_back(0xff);
        CHECK(decode_control(b) == up_packet());
    }
}

TEST_CASE("bfd: reception checks of RFC 5880 §6.8.6", "[wire]")
{
    const auto good = hex(up_bytes);
    auto b = good;
    SECTION("version not 1")
    {
        b[0] = 0x40;
        CHECK(drop_of(b) == Drop::bad_version);
    }
    SECTION("Length under 24")
    {
        b[3] = 23;
        CHECK(drop_of(b) == Drop::bad_length);
    }
    SECTION("payload under 24 bytes")
    {
        b.resize(20);
        CHECK(drop_of(b) == Drop::bad_length);
        CHECK(drop_of(Bytes{}) == Drop::bad_length);
    }
    SECTION("Length beyond the payload")
    {
        b[3] = 25;
        CHECK(drop_of(b) == Drop::bad_length);
    }
    SECTION("Length over 24 without the A bit")
    {
        b[3] = 28;
        b.resize(28, 0);
        CHECK(drop_of(b) == Drop::bad_length);
    }
    SECTION("A bit with Length under 26")
    {
        b[1] |= 0x04;
        CHECK(drop_of(b) == Drop::bad_length);
    }
    SECTION("Auth Len disagreeing with Length")
    {
        b[1] |= 0x04;
        b[3] = 28;
        b.insert(b.end(), {1, 5, 1, 'x'}); // says 5, has 4
        CHECK(drop_of(b) == Drop::bad_length);
    }
    SECTION("keyed SHA1 with a short Auth Len")
    {
        b[1] |= 0x04;
        b[3] = 24 + 24;
        b.insert(b.end(), {4, 24, 1, 0, 0, 0, 0, 1});
        b.resize(48, 0);
        CHECK(drop_of(b) == Drop::bad_length);
    }
    SECTION("password over 16 bytes")
    {
        b[1] |= 0x04;
        b[3] = 24 + 20;
        b.insert(b.end(), {1, 20, 1});
        b.resize(44, 'p');
        CHECK(drop_of(b) == Drop::bad_length);
    }
    SECTION("unknown Auth Type")
    {
        b[1] |= 0x04;
        b[3] = 24 + 4;
        b.insert(b.end(), {9, 4, 1, 'x'});
        CHECK(drop_of(b) == Drop::auth_failed);
    }
    SECTION("Detect Mult zero")
    {
        b[2] = 0;
        CHECK(drop_of(b) == Drop::zero_detect_mult);
    }
    SECTION("Multipoint set")
    {
        b[1] |= 0x01;
        CHECK(drop_of(b) == Drop::multipoint);
    }
    SECTION("My Discriminator zero")
    {
        std::fill(b.begin() + 4, b.begin() + 8, 0);
        CHECK(drop_of(b) == Drop::zero_my_discriminator);
    }
    SECTION("Your Discriminator zero in Up and Init, allowed in Down and AdminDown")
    {
        std::fill(b.begin() + 8, b.begin() + 12, 0);
        CHECK(drop_of(b) == Drop::zero_your_discriminator);
        b[1] = 0x80; // Init
        CHECK(drop_of(b) == Drop::zero_your_discriminator);
        b[1] = 0x40; // Down
        CHECK(decode_control(b));
        b[1] = 0x00; // AdminDown
        CHECK(decode_control(b));
    }
    SECTION("Poll and Final together")
    {
        b[1] |= 0x30;
        CHECK(drop_of(b) == Drop::poll_and_final);
    }
    SECTION("every drop reason has a name")
    {
        for (std::size_t i = 0; i < drop_count; ++i)
            CHECK_FALSE(to_string(static_cast<Drop>(i)).empty());
        CHECK(to_string(Drop::ttl) == "ttl");
    }
}

TEST_CASE("bfd: names of states, diagnostics and auth types", "[wire]")
{
    CHECK(to_string(SessionState::admin_down) == "AdminDown");
    CHECK(to_string(Diag::control_detection_time_expired) == "Control Detection Time Expired");
    CHECK(to_string(static_cast<Diag>(31)) == "Reserved Diag");
    CHECK(auth_type_from("meticulous-keyed-sha1") == AuthType::meticulous_keyed_sha1);
    CHECK(auth_type_from("keyed-md5") == AuthType::keyed_md5);
    CHECK_FALSE(auth_type_from("sha256"));
}
