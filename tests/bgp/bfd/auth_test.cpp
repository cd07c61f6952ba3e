// BFD authentication (RFC 5880 §6.7): signed packets compared with digests computed
// independently (Python hashlib), and every way verification fails.
#include <catch2/catch.hpp>

#include "bfd_vectors.hpp"
#include "bgp/bfd/auth.hpp"

using namespace vipd::bgp;
using namespace vipd::bgp::bfd;
using namespace vipd::bgp::bfd::test;
using namespace std::chrono_literals;

namespace {

const Micros detect{900'000};

/// Sign with `tx`, decode, verify with `rx`.
auto roundtrip(AuthState& tx, AuthState& rx, Time now = t0)
{
    const auto wire = tx.sign(up_packet());
    auto p = decode_control(wire);
    REQUIRE(p);
    return rx.verify(*p, wire, now, detect);
}

} // namespace

TEST_CASE("bfd: keyed SHA1 and MD5 digests", "[wire]")
{
    // Key "secret", Key ID 1, sequence 5; digests from Python's hashlib over the packet with the
    // zero-padded key in the digest field.
    AuthState sha1({AuthType::keyed_sha1, 1, "secret"}, 5);
    CHECK(sha1.sign(up_packet()) == hex(R"(20c40334 11223344 55667788 000493e0 000493e0 00000000
                                   04 1c 01 00 00000005
                                   d3fa1c36e2a82b63271920bffc3e18256c6872ca)"));
    AuthState md5({AuthType::keyed_md5, 1, "secret"}, 5);
    CHECK(md5.sign(up_packet()) == hex(R"(20c40330 11223344 55667788 000493e0 000493e0 00000000
                                  02 18 01 00 00000005
                                  2aa4ba2fb54d238ffa45c97bde62eecb)"));
}

TEST_CASE("bfd: authentication verification", "[wire]")
{
    for (auto type :
         {AuthType::simple_password, AuthType::keyed_md5, AuthType::meticulous_keyed_md5,
          AuthType::keyed_sha1, AuthType::meticulous_keyed_sha1}) {
        CAPTURE(to_string(type));
        AuthState tx({type, 3, "s3cret"}, 100);
        AuthState rx({type, 3, "s3cret"}, 0);
        CHECK(roundtrip(tx, rx));
        CHECK(roundtrip(tx, rx));

        AuthState wrong_key({type, 3, "other"}, 0);
        auto r = roundtrip(tx, wrong_key);
        REQUIRE_FALSE(r);
        CHECK(r.error().first == Drop::auth_failed);
        CHECK(r.error().second.find("s3cret") == std::string::npos);

        AuthState wrong_id({type, 4, "s3cret"}, 0);
        r = roundtrip(tx, wrong_id);
        REQUIRE_FALSE(r);
        CHECK(r.error().second == "Auth Key ID 3 received, 4 configured");
    }
}

TEST_CASE("bfd: authentication presence and type", "[wire]")
{
    AuthState none({}, 0);
    AuthState sha1({AuthType::keyed_sha1, 1, "k"}, 0);
    AuthState md5({AuthType::keyed_md5, 1, "k"}, 0);
    auto r = roundtrip(sha1, none);
    REQUIRE_FALSE(r);
    CHECK(r.error().first == Drop::auth_unexpected);
    r = roundtrip(none, sha1);
    REQUIRE_FALSE(r);
    CHECK(r.error().first == Drop::auth_missing);
    CHECK(r.error().second == "packet without authentication, session uses keyed-sha1");
    r = roundtrip(md5, sha1);
    REQUIRE_FALSE(r);
    CHECK(r.error().second == "Auth Type keyed-md5 received, keyed-sha1 configured");
    CHECK(roundtrip(none, none));
}

TEST_CASE("bfd: authentication sequence numbers", "[wire]")
{
    SECTION("meticulous: a replayed packet is refused, the next one accepted")
    {
        AuthState tx({AuthType::meticulous_keyed_sha1, 1, "k"}, 0xfffffffe);
        AuthState rx({AuthType::meticulous_keyed_sha1, 1, "k"}, 0);
        const auto wire = tx.sign(up_packet());
        auto p = decode_control(wire);
        REQUIRE(p);
        CHECK(rx.verify(*p, wire, t0, detect));
        auto again = rx.verify(*p, wire, t0, detect);
        REQUIRE_FALSE(again);
        CHECK(again.error().second == "sequence number 4294967294 outside 4294967295..7");
        CHECK(roundtrip(tx, rx)); // 0xffffffff
        CHECK(roundtrip(tx, rx)); // wraps to 0
    }
    SECTION("keyed: the same number again is accepted, one too far ahead is not")
    {
        AuthState tx({AuthType::keyed_sha1, 1, "k"}, 10);
        AuthState rx({AuthType::keyed_sha1, 1, "k"}, 0);
        const auto wire = tx.sign(up_packet());
        auto p = decode_control(wire);
        REQUIRE(p);
        CHECK(rx.verify(*p, wire, t0, detect));
        CHECK(rx.verify(*p, wire, t0, detect));
        for (int i = 0; i < 9; ++i)
            (void)tx.sign(up_packet()); // 11..19 never arrive; 20 is 10 + 3 × 3 + 1
        CHECK_FALSE(roundtrip(tx, rx));
    }
    SECTION("after 2 × detection time of silence any sequence number is accepted")
    {
        AuthState tx({AuthType::meticulous_keyed_sha1, 1, "k"}, 10);
        AuthState rx({AuthType::meticulous_keyed_sha1, 1, "k"}, 0);
        CHECK(roundtrip(tx, rx));
        for (int i = 0; i < 50; ++i)
            (void)tx.sign(up_packet());
        CHECK_FALSE(roundtrip(tx, rx, t0 + 1s));
        CHECK(roundtrip(tx, rx, t0 + 1s + 2 * detect + 1us));
    }
    CHECK(max_secret_length(AuthType::keyed_sha1) == 20);
    CHECK(max_secret_length(AuthType::simple_password) == 16);
}
