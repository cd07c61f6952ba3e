// `vipctl decode`: in-process through run_decode (options, hex parsing, every message type,
// ADD-PATH, RFC 7606 outcomes, errors with offsets) and end to end through the built vipctl
// program (VIPD_BINARY_DIR/vipctl: arguments, stdin hex and binary, exit status, --help).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/vipctl/decode.hpp"
#include "cli/vipctl/message_json.hpp"
#include "helpers/test_data.hpp"

using vipd::cli::Json;

namespace {

struct Result
{
    int status = -1;
    std::string out;
    std::string err;
};

Result decode(std::vector<std::string> args, const std::string& input = {})
{
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    Result r;
    r.status = vipd::cli::run_decode(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

Json parse(const Result& r)
{
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE_FALSE(r.out.empty());
    return Json::parse(r.out);
}

// Runs the built program with `args` (shell words) and `input` on stdin.
Result run_vipctl(const std::string& args, const std::string& input = {})
{
    const auto program = vipd::test::binary_path("vipctl");
    if (!std::filesystem::exists(program))
        FAIL(program.string() << " is not built: cmake --build <dir> --target vipctl");
    static int counter = 0;
    const auto dir =
        std::filesystem::temp_directory_path() /
        ("vipctl-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "in", std::ios::binary) << input;
    const std::string cmd = program.string() + " " + args + " < " + (dir / "in").string() + " > " +
                            (dir / "out").string() + " 2> " + (dir / "err").string();
    const int raw = std::system(cmd.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = vipd::test::read_text(dir / "out");
    r.err = vipd::test::read_text(dir / "err");
    std::filesystem::remove_all(dir);
    return r;
}

const std::string keepalive_hex = "ffffffffffffffffffffffffffffffff 0013 04";

const std::string open_hex = R"(
ffffffffffffffffffffffffffffffff   # marker
0039                               # length 57
01                                 # type OPEN
04                                 # version 4
fde9                               # my AS 65001
005a                               # hold time 90
c0000201                           # BGP identifier 192.0.2.1
1c                                 # optional parameters length 28
02 1a                              # capabilities, length 26
01 04 0001 00 01                   # multiprotocol IPv4 unicast
41 04 0000fde9                     # four-octet AS 65001
40 06 c078 0001 01 80              # graceful restart R N 120s, IPv4 unicast F
45 04 0001 01 03                   # ADD-PATH IPv4 unicast both
)";

} // namespace

TEST_CASE("decode: KEEPALIVE from an argument", "[cli]")
{
    Result r = decode({keepalive_hex});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    Json j = parse(r);
    REQUIRE(j.size() == 1);
    CHECK(j[0]["type"] == "KEEPALIVE");
    CHECK(j[0]["length"] == 19);
    CHECK(j[0]["marker"] == "ok");
    CHECK(j[0]["offset"] == 0);
}

TEST_CASE("decode: OPEN with capabilities by name", "[cli]")
{
    Result r = decode({}, open_hex);
    CHECK(r.status == 0);
    Json j = parse(r);
    REQUIRE(j.size() == 1);
    const Json& open = j[0]["open"];
    CHECK(open["version"] == 4);
    CHECK(open["my_as"] == 65001);
    CHECK(open["hold_time"] == 90);
    CHECK(open["bgp_identifier"] == "192.0.2.1");
    const Json& caps = open["optional_parameters"][0]["capabilities"];
    REQUIRE(caps.size() == 4);
    CHECK(caps[0]["name"] == "multiprotocol");
    CHECK(caps[0]["family"] == "ipv4-unicast");
    CHECK(caps[1]["name"] == "four-octet-as");
    CHECK(caps[1]["asn"] == 65001);
    CHECK(caps[2]["name"] == "graceful-restart");
    CHECK(caps[2]["restart_state"] == true);
    CHECK(caps[2]["notification"] == true);
    CHECK(caps[2]["restart_time"] == 120);
    CHECK(caps[2]["families"][0]["forwarding_state"] == true);
    CHECK(caps[3]["name"] == "add-path");
    CHECK(caps[3]["families"][0]["send_receive"] == "both");
}

TEST_CASE("decode: UPDATE attributes and NLRI", "[cli]")
{
    const std::string update = R"(
ffffffffffffffffffffffffffffffff 0037 02   # header, length 55
0000                                       # withdrawn routes length 0
001b                                       # total path attribute length 27
40 01 01 00                                # ORIGIN IGP
40 02 06 02 01 0000fde9                    # AS_PATH AS_SEQUENCE 65001
40 03 04 c0000201                          # NEXT_HOP 192.0.2.1
c0 08 04 ffff0000                          # COMMUNITIES 65535:0 (GRACEFUL_SHUTDOWN)
20 c633640a                                # NLRI 198.51.100.10/32
)";
    Result r = decode({}, update);
    CHECK(r.status == 0);
    Json j = parse(r);
    const Json& u = j[0]["update"];
    CHECK(u["withdrawn_routes"].empty());
    const Json& a = u["path_attributes"];
    CHECK(a["origin"] == "igp");
    CHECK(a["as_path"][0]["type"] == "as_sequence");
    CHECK(a["as_path"][0]["asns"][0] == 65001);
    CHECK(a["next_hop"] == "192.0.2.1");
    CHECK(a["communities"][0] == "65535:0");
    CHECK(a["order"] == Json::array({"ORIGIN", "AS_PATH", "NEXT_HOP", "COMMUNITIES"}));
    CHECK(u["nlri"] == Json::array({"198.51.100.10/32"}));
}

TEST_CASE("decode: --add-path shows path identifiers", "[cli]")
{
    const std::string withdraw = R"(
ffffffffffffffffffffffffffffffff 0020 02   # header, length 32
0009                                       # withdrawn routes length 9
00000007 20 c633640a                       # path id 7, 198.51.100.10/32
0000                                       # total path attribute length 0
)";
    Result with = decode({"--add-path", "ipv4"}, withdraw);
    CHECK(with.status == 0);
    Json j = parse(with);
    CHECK(j[0]["update"]["withdrawn_routes"][0]["prefix"] == "198.51.100.10/32");
    CHECK(j[0]["update"]["withdrawn_routes"][0]["path_id"] == 7);

    // Without ADD-PATH the same octets are a different (and here malformed) UPDATE.
    Result without = decode({}, withdraw);
    CHECK(without.status == 1);
}

TEST_CASE("decode: --two-octet-as reads 2-octet AS_PATH", "[cli]")
{
    const std::string two_octet = R"(
ffffffffffffffffffffffffffffffff 002d 02   # header, length 45
0000                                       # withdrawn routes length 0
0012                                       # total path attribute length 18
40 01 01 00                                # ORIGIN IGP
40 02 04 02 01 fde9                        # AS_PATH AS_SEQUENCE 65001 (2-octet)
40 03 04 c0000201                          # NEXT_HOP 192.0.2.1
18 c63364                                  # NLRI 198.51.100.0/24
)";
    Result r = decode({"--two-octet-as"}, two_octet);
    CHECK(r.status == 0);
    Json j = parse(r);
    CHECK(j[0]["update"]["path_attributes"]["as_path"][0]["asns"][0] == 65001);
    CHECK(j[0]["update"]["nlri"][0] == "198.51.100.0/24");
}

TEST_CASE("decode: RFC 7606 outcome of a malformed UPDATE", "[cli]")
{
    const std::string update = R"(
ffffffffffffffffffffffffffffffff 002f 02   # header, length 47
0000                                       # withdrawn routes length 0
0014                                       # total path attribute length 20
40 01 01 07                                # ORIGIN 7 (invalid: RFC 7606 §7.1)
40 02 06 02 01 0000fde9                    # AS_PATH AS_SEQUENCE 65001
40 03 04 c0000201                          # NEXT_HOP 192.0.2.1
18 c63364                                  # NLRI 198.51.100.0/24
)";
    Result r = decode({}, update);
    CHECK(r.status == 1);
    Json j = parse(r);
    const Json& o = j[0]["rfc7606"];
    CHECK(o["action"] == "treat-as-withdraw");
    CHECK(o["code"] == 3);
    CHECK(o["subcode"] == 6);
    CHECK(o["offset"] == 26);
    CHECK(o["treat_as_withdraw"] == true);
    CHECK_FALSE(o["what"].get<std::string>().empty());
    // The routes are still shown: the session must withdraw them (RFC 7606 §2).
    CHECK(j[0]["update"]["nlri"][0] == "198.51.100.0/24");
    CHECK(r.err.find("input byte 26") != std::string::npos);
}

TEST_CASE("decode: NOTIFICATION with RFC 9003 text and ROUTE-REFRESH", "[cli]")
{
    const std::string input = R"(
ffffffffffffffffffffffffffffffff 001a 03 06 02 04 62796521   # Cease/Admin Shutdown "bye!"
ffffffffffffffffffffffffffffffff 0017 05 0002 01 01          # ROUTE-REFRESH IPv6 BoRR
)";
    Result r = decode({}, input);
    CHECK(r.status == 0);
    Json j = parse(r);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["notification"]["description"] == "Cease / Administrative Shutdown");
    CHECK(j[0]["notification"]["shutdown_communication"] == "bye!");
    CHECK(j[1]["offset"] == 26);
    CHECK(j[1]["route_refresh"]["family"] == "ipv6-unicast");
    CHECK(j[1]["route_refresh"]["subtype"] == "borr");
}

TEST_CASE("decode: a header error stops the stream with its offset", "[cli]")
{
    Result r = decode({keepalive_hex, "ffffffffffffffffffffffffffffffff 0012 04"});
    CHECK(r.status == 1);
    Json j = parse(r);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["type"] == "KEEPALIVE");
    CHECK(j[1]["offset"] == 19);
    CHECK(j[1]["error"]["code"] == 1);
    CHECK(j[1]["error"]["subcode"] == 2);
    CHECK(j[1]["error"]["data"] == "0012");
    CHECK(j[1]["error"]["offset"] == 16);
    CHECK(r.err.find("message 2 at input byte 19") != std::string::npos);
    CHECK(r.err.find("input byte 35") != std::string::npos);
}

TEST_CASE("decode: a truncated message is a length error", "[cli]")
{
    Result r = decode({"ffffffffffffffffffffffffffffffff 0017 05 0001 00"});
    CHECK(r.status == 1);
    Json j = parse(r);
    CHECK(j[0]["error"]["code"] == 1);
    CHECK(j[0]["error"]["subcode"] == 2);
}

TEST_CASE("decode: output layouts", "[cli]")
{
    const std::vector<std::string> two{keepalive_hex, keepalive_hex};
    std::vector<std::string> args = two;
    args.insert(args.begin(), "--compact");
    Result compact = decode(args);
    CHECK(std::count(compact.out.begin(), compact.out.end(), '\n') == 1);
    CHECK(Json::parse(compact.out).size() == 2);

    args[0] = "--lines";
    Result lines = decode(args);
    CHECK(std::count(lines.out.begin(), lines.out.end(), '\n') == 2);
    std::istringstream in(lines.out);
    std::string line;
    while (std::getline(in, line))
        CHECK(Json::parse(line)["type"] == "KEEPALIVE");

    Result pretty = decode(two);
    CHECK(std::count(pretty.out.begin(), pretty.out.end(), '\n') > 4);
}

TEST_CASE("decode: hex parsing", "[cli]")
{
    std::string error;
    auto ok = vipd::cli::parse_hex("0xff:FF, aa-bb # comment\n--- name\n0c", error);
    REQUIRE(ok);
    CHECK(*ok == std::vector<std::uint8_t>{0xff, 0xff, 0xaa, 0xbb, 0x0c});

    CHECK_FALSE(vipd::cli::parse_hex("ff\nfg", error));
    CHECK(error == "line 2 column 2: not hex: 'g'");
    CHECK_FALSE(vipd::cli::parse_hex("fff", error));
    CHECK(error == "odd number of hex digits");

    Result r = decode({"ffzz"});
    CHECK(r.status == 1);
    CHECK(r.err.find("not hex: 'z'") != std::string::npos);
}

TEST_CASE("decode: usage errors", "[cli]")
{
    CHECK(decode({"--bogus"}).status == 2);
    CHECK(decode({"--add-path", "ipv5", keepalive_hex}).status == 2);
    CHECK(decode({"--add-path"}).status == 2);
    CHECK(decode({}, "").status == 2);
    Result help = decode({"--help"});
    CHECK(help.status == 0);
    CHECK(help.out.find("Examples:") != std::string::npos);
}

TEST_CASE("decode: the vipctl program with hex arguments", "[cli]")
{
    Result r = run_vipctl("decode " + keepalive_hex);
    CHECK(r.status == 0);
    Json j = Json::parse(r.out);
    CHECK(j[0]["type"] == "KEEPALIVE");
}

TEST_CASE("decode: the vipctl program with binary and hex on stdin", "[cli]")
{
    std::string binary(16, '\xff');
    binary += std::string("\x00\x13\x04", 3); // KEEPALIVE
    binary += std::string(16, '\xff');
    binary += std::string("\x00\x15\x03\x04\x00", 5); // NOTIFICATION Hold Timer Expired
    Result b = run_vipctl("decode --compact", binary);
    CHECK(b.status == 0);
    Json j = Json::parse(b.out);
    REQUIRE(j.size() == 2);
    CHECK(j[1]["notification"]["description"] == "Hold Timer Expired");

    Result h = run_vipctl("decode --add-path ipv4,ipv6", open_hex);
    CHECK(h.status == 0);
    CHECK(Json::parse(h.out)[0]["open"]["my_as"] == 65001);
}

TEST_CASE("decode: the vipctl program reports malformed input and exits 1", "[cli]")
{
    Result r = run_vipctl("decode ffffffffffffffffffffffffffffff00 0013 04");
    CHECK(r.status == 1);
    CHECK(r.err.find("marker octet 15") != std::string::npos);
    CHECK(r.err.find("(1/1 session-reset)") != std::string::npos);
    CHECK(Json::parse(r.out)[0]["error"]["offset"] == 15);
}

TEST_CASE("decode: vipctl --help, --version and unknown commands", "[cli]")
{
    Result help = run_vipctl("--help");
    CHECK(help.status == 0);
    CHECK(help.out.find("decode") != std::string::npos);
    CHECK(help.out.find("Examples:") != std::string::npos);
    Result decode_help = run_vipctl("decode --help");
    CHECK(decode_help.status == 0);
    CHECK(decode_help.out.find("--add-path") != std::string::npos);
    Result version = run_vipctl("--version");
    CHECK(version.status == 0);
    CHECK(version.out == std::string("vipctl ") + VIPD_VERSION + "\n");
    CHECK(run_vipctl("frobnicate").status == 2);
    CHECK(run_vipctl("").status == 2);
}
