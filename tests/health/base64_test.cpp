// Base64 encoding for HTTP basic authentication: RFC 4648 §10 test vectors, every octet value,
// and the Authorization value of RFC 7617 §2's example.
#include <string>

#include <catch2/catch.hpp>

#include "health/base64.hpp"

using vipd::health::base64_encode;

TEST_CASE("base64: RFC 4648 §10 test vectors", "[health]")
{
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64: RFC 7617 §2 basic credentials", "[health]")
{
    CHECK(base64_encode("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST_CASE("base64: octets above 0x7f, NUL, and the last two alphabet characters", "[health]")
{
    CHECK(base64_encode(std::string("\0", 1)) == "AA==");
    CHECK(base64_encode("\xff\xff\xff") == "////");
    CHECK(base64_encode("\xfb\xef\xbe") == "++++");
    CHECK(base64_encode("\xfb\xff") == "+/8=");
    CHECK(base64_encode("\xc3\xa9t\xc3\xa9") == "w6l0w6k="); // "été" in UTF-8
    std::string all;
    for (int c = 0; c < 256; ++c)
        all += static_cast<char>(c);
    const auto encoded = base64_encode(all);
    CHECK(encoded.size() == 4 * 86); // 256 octets: 85 whole groups and one of 1 octet
    CHECK(encoded.substr(0, 8) == "AAECAwQF");
    CHECK(encoded.substr(encoded.size() - 8) == "/P3+/w==");
}
