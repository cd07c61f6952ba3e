// A neighbor's "bfd" object (cli/config/bfd.cpp): defaults, every key's bounds and types, the
// authentication object (RFC 5880 §6.7: type, key id, secret inline or from a file, its length
// per type) and strict mode; every error names its JSON path. The secret never reaches the
// effective configuration.
#include <catch2/catch.hpp>

#include "cli/config/config.hpp"
#include "helpers/test_data.hpp"

using namespace std::chrono_literals;
using vipd::bgp::bfd::AuthType;
using vipd::bgp::bfd::Micros;

namespace {

const std::filesystem::path bfd_data_dir = vipd::test::data_path("config");

// A document with one neighbor whose "bfd" member is `bfd` (JSON text).
std::string bfd_doc(std::string_view bfd)
{
    return std::string(R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001},
"neighbors": [{"address": "192.0.2.2", "remote-as": 65000, "bfd": )J") +
           std::string(bfd) + "}]}";
}

vipd::bgp::bfd::BfdConfig bfd_ok(std::string_view bfd)
{
    auto r = vipd::cli::parse_config(bfd_doc(bfd), "vipd.json", bfd_data_dir);
    if (!r)
        for (const auto& e : r.error())
            UNSCOPED_INFO(to_string(e));
    REQUIRE(r);
    return r->neighbors.at(0).bfd;
}

// "pointer: message" of each error (the file position is checked once, below); an unknown
// key is reported at its object.
std::vector<std::string> bfd_errors(std::string_view bfd,
                                    const std::filesystem::path& base = bfd_data_dir)
{
    auto r = vipd::cli::parse_config(bfd_doc(bfd), "vipd.json", base);
    REQUIRE_FALSE(r);
    std::vector<std::string> out;
    for (const auto& e : r.error())
        out.push_back(e.pointer + ": " + e.message);
    return out;
}

using BfdErrors = std::vector<std::string>;

// `auth` as the "authentication" object of an otherwise default bfd object.
std::string with_auth(std::string_view auth)
{
    return R"J({"authentication": )J" + std::string(auth) + "}";
}

} // namespace

TEST_CASE("bfd: off by default, true for every default, an object enables it", "[config]")
{
    auto r = vipd::cli::parse_config(
        R"J({"global": {"router-id": "192.0.2.1", "local-as": 65001},
             "neighbors": [{"address": "192.0.2.2", "remote-as": 65000}]})J",
        "vipd.json", bfd_data_dir);
    REQUIRE(r);
    CHECK_FALSE(r->neighbors.at(0).bfd.enabled);

    auto b = bfd_ok("true");
    CHECK(b.enabled);
    CHECK(b.params.desired_min_tx == Micros(300'000));
    CHECK(b.params.required_min_rx == Micros(300'000));
    CHECK(b.params.detect_mult == 3);
    CHECK(b.auth.type == AuthType::none);
    CHECK_FALSE(b.strict);
    CHECK_FALSE(bfd_ok("false").enabled);
    CHECK(bfd_ok("{}").enabled);
    CHECK_FALSE(bfd_ok(R"J({"enabled": false, "min-tx": 50})J").enabled);

    b = bfd_ok(R"J({"min-tx": 10, "min-rx": 60000, "multiplier": 255, "strict": true})J");
    CHECK(b.params.desired_min_tx == Micros(10'000));
    CHECK(b.params.required_min_rx == Micros(60'000'000));
    CHECK(b.params.detect_mult == 255);
    CHECK(b.strict);
    CHECK(bfd_ok(R"J({"multiplier": 1})J").params.detect_mult == 1);
}

TEST_CASE("bfd: every key's bounds and type are errors with the JSON path", "[config]")
{
    const std::string at = "/neighbors/0/bfd";
    CHECK(bfd_errors(R"J("yes")J") ==
          BfdErrors{"/neighbors/0/bfd: expected true, false or an object, got \"yes\""});
    CHECK(bfd_errors(R"J({"enabled": 1})J") ==
          BfdErrors{at + "/enabled: expected true or false, got 1"});
    CHECK(bfd_errors(R"J({"min-tx": 9})J") ==
          BfdErrors{at + "/min-tx: expected 10..60000 milliseconds, got 9"});
    CHECK(bfd_errors(R"J({"min-tx": 60001})J") ==
          BfdErrors{at + "/min-tx: expected 10..60000 milliseconds, got 60001"});
    CHECK(bfd_errors(R"J({"min-rx": 0})J") ==
          BfdErrors{at + "/min-rx: expected 10..60000 milliseconds, got 0"});
    CHECK(bfd_errors(R"J({"min-rx": "300ms"})J") ==
          BfdErrors{at + "/min-rx: expected an integer 10..60000 milliseconds, got \"300ms\""});
    CHECK(bfd_errors(R"J({"min-tx": -100})J") ==
          BfdErrors{at + "/min-tx: expected 10..60000 milliseconds, got -100"});
    // RFC 5880 §4.1: Detect Mult is non-zero and one octet.
    CHECK(bfd_errors(R"J({"multiplier": 0})J") ==
          BfdErrors{at + "/multiplier: expected 1..255, got 0"});
    CHECK(bfd_errors(R"J({"multiplier": 256})J") ==
          BfdErrors{at + "/multiplier: expected 1..255, got 256"});
    CHECK(bfd_errors(R"J({"multiplier": 2.5})J") ==
          BfdErrors{at + "/multiplier: expected an integer 1..255, got 2.5"});
    CHECK(bfd_errors(R"J({"strict": "yes"})J") ==
          BfdErrors{at + "/strict: expected true or false, got \"yes\""});
    CHECK(bfd_errors(R"J({"interval": 100})J") == BfdErrors{at + ": unknown key \"interval\""});
    CHECK(bfd_errors(R"J({"multiplyer": 3})J") ==
          BfdErrors{at + ": unknown key \"multiplyer\" (did you mean \"multiplier\"?)"});
    // Several at once, each at its own path.
    CHECK(bfd_errors(R"J({"min-tx": 1, "min-rx": 1, "multiplier": 0})J").size() == 3);
}

TEST_CASE("bfd: an error's position in the file is the offending value", "[config]")
{
    auto r = vipd::cli::parse_config(bfd_doc(R"J({"multiplier": 0})J"), "vipd.json", bfd_data_dir);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().size() == 1);
    CHECK(to_string(r.error()[0]) ==
          "vipd.json:2:82: /neighbors/0/bfd/multiplier: expected 1..255, got 0");
}

TEST_CASE("bfd authentication: types, key id, secrets inline or from a file", "[config]")
{
    auto b = bfd_ok(with_auth(R"J({"type": "keyed-sha1", "key-id": 7, "password": "k"})J"));
    CHECK(b.auth.type == AuthType::keyed_sha1);
    CHECK(b.auth.key_id == 7);
    CHECK(b.auth.secret == "k");
    CHECK(bfd_ok(with_auth(R"J(null)J")).auth.type == AuthType::none);
    for (const auto& [name, type] : std::vector<std::pair<std::string, AuthType>>{
             {"simple-password", AuthType::simple_password},
             {"keyed-md5", AuthType::keyed_md5},
             {"meticulous-keyed-md5", AuthType::meticulous_keyed_md5},
             {"keyed-sha1", AuthType::keyed_sha1},
             {"meticulous-keyed-sha1", AuthType::meticulous_keyed_sha1}}) {
        CAPTURE(name);
        b = bfd_ok(with_auth(R"J({"type": ")J" + name + R"J(", "password": "p"})J"));
        CHECK(b.auth.type == type);
        CHECK(b.auth.key_id == 0);
    }
    // tests/data/config/r1.key holds "s3cret" and a newline, which is not part of the secret.
    b = bfd_ok(with_auth(R"J({"type": "meticulous-keyed-sha1", "key-id": 255,
                              "password-file": "r1.key"})J"));
    CHECK(b.auth.secret == "s3cret");
    CHECK(b.auth.key_id == 255);
    // RFC 5880 §4.2-4.4: the longest secrets of each type.
    CHECK(bfd_ok(with_auth(R"J({"type": "simple-password", "password": "0123456789abcdef"})J"))
              .auth.secret.size() == 16);
    CHECK(bfd_ok(with_auth(R"J({"type": "keyed-md5", "password": "0123456789abcdef"})J"))
              .auth.secret.size() == 16);
    CHECK(bfd_ok(with_auth(R"J({"type": "keyed-sha1", "password": "0123456789abcdefghij"})J"))
              .auth.secret.size() == 20);
}

TEST_CASE("bfd authentication: every key's errors name the JSON path", "[config]")
{
    const std::string at = "/neighbors/0/bfd/authentication";
    const std::string types = "simple-password, keyed-md5, meticulous-keyed-md5, keyed-sha1 or "
                              "meticulous-keyed-sha1";
    CHECK(bfd_errors(with_auth(R"J("sha1")J")) ==
          BfdErrors{at + ": expected an object, got \"sha1\""});
    CHECK(bfd_errors(with_auth(R"J({"password": "p"})J")) ==
          BfdErrors{at + ": missing key \"type\""});
    CHECK(bfd_errors(with_auth(R"J({"type": "sha1", "password": "p"})J")) ==
          BfdErrors{at + "/type: expected " + types + ", got \"sha1\""});
    CHECK(bfd_errors(with_auth(R"J({"type": "none", "password": "p"})J")) ==
          BfdErrors{at + "/type: expected " + types + ", got \"none\""});
    CHECK(bfd_errors(with_auth(R"J({"type": 4, "password": "p"})J")) ==
          BfdErrors{at + "/type: expected a string, got 4"});
    CHECK(bfd_errors(with_auth(R"J({"type": "keyed-md5", "key-id": 256, "password": "p"})J")) ==
          BfdErrors{at + "/key-id: expected 0..255, got 256"});
    CHECK(bfd_errors(with_auth(R"J({"type": "keyed-md5", "key-id": -1, "password": "p"})J")) ==
          BfdErrors{at + "/key-id: expected 0..255, got -1"});
    CHECK(bfd_errors(with_auth(R"J({"type": "keyed-md5"})J")) ==
          BfdErrors{at + ": give password or password-file (one of them)"});
    CHECK(bfd_errors(with_auth(
              R"J({"type": "keyed-md5", "password": "p", "password-file": "r1.key"})J")) ==
          BfdErrors{at + "/password: give password or password-file (one of them)"});
    CHECK(bfd_errors(with_auth(R"J({"type": "keyed-md5", "password": 7})J")) ==
          BfdErrors{at + "/password: expected a string, got 7"});
    CHECK(bfd_errors(with_auth(R"J({"type": "keyed-md5", "pasword": "p"})J")) ==
          BfdErrors{at + ": give password or password-file (one of them)",
                    at + ": unknown key \"pasword\" (did you mean \"password\"?)"});
    // RFC 5880 §4.2-4.4: 1..16 bytes (password, MD5), 1..20 bytes (SHA1).
    CHECK(bfd_errors(with_auth(R"J({"type": "simple-password", "password": ""})J")) ==
          BfdErrors{at + "/password: expected a simple-password secret of 1..16 bytes, got 0 "
                         "bytes"});
    CHECK(bfd_errors(
              with_auth(R"J({"type": "simple-password", "password": "0123456789abcdefg"})J")) ==
          BfdErrors{at + "/password: expected a simple-password secret of 1..16 bytes, got 17 "
                         "bytes"});
    CHECK(bfd_errors(with_auth(
              R"J({"type": "meticulous-keyed-md5", "password": "0123456789abcdefg"})J")) ==
          BfdErrors{at + "/password: expected a meticulous-keyed-md5 secret of 1..16 bytes, got "
                         "17 bytes"});
    CHECK(
        bfd_errors(with_auth(R"J({"type": "keyed-sha1", "password": "0123456789abcdefghijk"})J")) ==
        BfdErrors{at + "/password: expected a keyed-sha1 secret of 1..20 bytes, got 21 bytes"});
    // tests/data/config/bfd-21-bytes.key: 21 bytes and a newline.
    CHECK(
        bfd_errors(with_auth(R"J({"type": "keyed-sha1", "password-file": "bfd-21-bytes.key"})J")) ==
        BfdErrors{at + "/password-file: expected a keyed-sha1 secret of 1..20 bytes, got 21 "
                       "bytes"});
    CHECK(bfd_errors(with_auth(R"J({"type": "keyed-sha1", "password-file": "r1.key"})J"),
                     "/nonexistent-vipd") ==
          BfdErrors{at + "/password-file: cannot read \"/nonexistent-vipd/r1.key\": No such file "
                         "or directory"});
    CHECK(bfd_errors(with_auth(R"J({"type": "keyed-sha1", "password-file": ""})J")) ==
          BfdErrors{at + "/password-file: expected a non-empty string, got \"\""});
}

TEST_CASE("bfd: the effective configuration shows the settings, never the secret", "[config]")
{
    auto r = vipd::cli::parse_config(
        bfd_doc(R"J({"min-tx": 100, "min-rx": 200, "multiplier": 5, "strict": true,
                    "authentication": {"type": "keyed-sha1", "key-id": 3,
                                       "password": "top-secret"}})J"),
        "vipd.json", bfd_data_dir);
    REQUIRE(r);
    const auto j = vipd::cli::to_json(*r)["neighbors"][0]["bfd"];
    CHECK(j["enabled"] == true);
    CHECK(j["min-tx"] == 100);
    CHECK(j["min-rx"] == 200);
    CHECK(j["multiplier"] == 5);
    CHECK(j["strict"] == true);
    CHECK(j["authentication"]["type"] == "keyed-sha1");
    CHECK(j["authentication"]["key-id"] == 3);
    CHECK(j["authentication"]["password"] == "<redacted>");
    CHECK(j.dump().find("top-secret") == std::string::npos);
    // What the effective configuration prints parses back to the same settings (but the secret).
    auto again = vipd::cli::parse_config(bfd_doc(R"J({"min-tx": 100, "min-rx": 200,
        "multiplier": 5, "strict": true, "authentication": null})J"),
                                         "vipd.json", bfd_data_dir);
    REQUIRE(again);
    CHECK(again->neighbors[0].bfd.params == r->neighbors[0].bfd.params);
}
