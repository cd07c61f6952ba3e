// vipctl command lines to requests, in process: option forms, prefix lists, validation
// messages, global options after the command, --timeout values. Every request vipctl builds
// must pass the daemon's validation (parse_request).
#include <sstream>

#include <catch2/catch.hpp>

#include "cli/control/protocol.hpp"
#include "cli/control/request.hpp"
#include "cli/vipctl/commands.hpp"

using nlohmann::json;

namespace {

json args_of(const std::string& command, std::vector<std::string> words,
             const std::string& input = {})
{
    std::istringstream in(input);
    auto r = vipd::cli::build_request(command, words, in);
    if (!r)
        FAIL(r.error());
    // The daemon accepts what vipctl sends.
    const json line = {{"command", r->command}, {"args", r->args}};
    auto parsed = vipd::cli::parse_request(line.dump());
    if (!parsed)
        FAIL(parsed.error().message);
    return r->args;
}

std::string error_of(const std::string& command, std::vector<std::string> words)
{
    std::istringstream in;
    auto r = vipd::cli::build_request(command, words, in);
    REQUIRE_FALSE(r);
    return r.error();
}

} // namespace

TEST_CASE("vipctl request: arguments of each command", "[cli][vipctl]")
{
    CHECK(args_of("status", {}) == json::object());
    CHECK(args_of("routes", {"--neighbor=tor1"}) == json{{"neighbor", "tor1"}});
    CHECK(args_of("announce", {"192.0.2.10", "--med", "0", "--", "2001:db8::/32"}) ==
          json{{"prefixes", {"192.0.2.10/32", "2001:db8::/32"}}, {"med", 0}});
    CHECK(args_of("withdraw", {"192.0.2.0/24"}) == json{{"prefixes", {"192.0.2.0/24"}}});
    CHECK(args_of("drain", {"web", "--wait"}) == json{{"vip", "web"}, {"wait", true}});
    CHECK(args_of("undrain", {"--all"}) == json{{"all", true}});
    CHECK(args_of("check-now", {"http"}) == json{{"check", "http"}});
    CHECK(args_of("explain", {"web"}) == json{{"vip", "web"}});
    CHECK(args_of("neighbor", {"tor1", "reset"}) ==
          json{{"neighbor", "tor1"}, {"action", "reset"}});
    CHECK(args_of("neighbor", {"tor1", "disable", "--message", "CHG-1234"}) ==
          json{{"neighbor", "tor1"}, {"action", "disable"}, {"message", "CHG-1234"}});
    CHECK(args_of("neighbor", {"tor1", "enable"}) ==
          json{{"neighbor", "tor1"}, {"action", "enable"}});
    CHECK(args_of("neighbor", {"tor1", "refresh"}) ==
          json{{"neighbor", "tor1"}, {"action", "refresh"}});
    CHECK(args_of("neighbors", {}) == json::object());
    CHECK(args_of("neighbors", {"tor1"}) == json{{"neighbor", "tor1"}});

    std::istringstream in;
    auto drain = vipd::cli::build_request("drain", {"web", "--wait"}, in);
    REQUIRE(drain);
    CHECK(drain->unbounded);
    auto status = vipd::cli::build_request("status", {}, in);
    REQUIRE(status);
    CHECK_FALSE(status->unbounded);
}

TEST_CASE("vipctl request: option errors", "[cli][vipctl]")
{
    CHECK(error_of("announce", {"192.0.2.0/24", "--med", "1", "--med", "2"}) ==
          "--med given twice");
    CHECK(error_of("drain", {"--all=yes"}) == "--all takes no value");
    CHECK(error_of("announce", {"192.0.2.0/24", "--med", "4294967296"}) ==
          "--med: \"4294967296\" is not an integer 0..4294967295");
    CHECK(error_of("announce", {"192.0.2.0/24", "--med", "-1"}) ==
          "--med: \"-1\" is not an integer 0..4294967295");
    CHECK(error_of("announce", {"192.0.2.0/24", "--large-community", "1:2"})
              .starts_with("--large-community "));
    CHECK(error_of("routes", {"tor1"}) == "unexpected argument \"tor1\"");
    CHECK(error_of("nope", {}) == "unknown command \"nope\"");
    CHECK(error_of("neighbor", {"tor1"}) ==
          "expected NAME reset|disable|enable|refresh (see --help)");
    CHECK(error_of("neighbor", {"tor1", "stop"}) ==
          "expected NAME reset|disable|enable|refresh (see --help)");
    CHECK(error_of("neighbor", {"tor1", "enable", "--message", "x"}) ==
          "--message goes with disable and reset only");
    CHECK(error_of("neighbors", {"tor1", "tor2"}) == "unexpected argument \"tor2\"");
}

TEST_CASE("vipctl request: prefix lists", "[cli][vipctl]")
{
    using vipd::cli::parse_prefix_list;
    auto ok = parse_prefix_list("# header\n\n  192.0.2.10  # a host\r\n2001:db8::/32\n\t\n"
                                "198.51.100.0/24",
                                "list");
    REQUIRE(ok);
    CHECK(*ok == std::vector<std::string>{"192.0.2.10/32", "2001:db8::/32", "198.51.100.0/24"});
    CHECK(parse_prefix_list("", "x")->empty());
    CHECK(parse_prefix_list("192.0.2.0/24\n\n# c\nbogus\n", "f.txt").error() ==
          "f.txt:4: \"bogus\" is not an IPv4 or IPv6 address");
    // --file with only comments gives no prefixes: a usage error, not an empty request.
    CHECK(error_of("withdraw", {"--file", "-"}) == "no prefixes given (see --help)");
    CHECK(args_of("announce", {"--file", "-", "192.0.2.1"}, "192.0.2.2\n") ==
          json{{"prefixes", {"192.0.2.1/32", "192.0.2.2/32"}}});
}

TEST_CASE("vipctl request: global options anywhere, timeouts", "[cli][vipctl]")
{
    vipd::cli::VipctlOptions opts;
    std::vector<std::string> args{"web",           "--json", "-s",    "/tmp/x.sock",
                                  "--timeout=2.5", "--",     "--json"};
    REQUIRE_FALSE(vipd::cli::take_global_options(args, opts));
    CHECK(opts.json);
    CHECK(opts.socket == "/tmp/x.sock");
    CHECK(opts.timeout_seconds == 2.5);
    CHECK(args == std::vector<std::string>{"web", "--", "--json"});
    std::vector<std::string> missing{"--socket"};
    CHECK(vipd::cli::take_global_options(missing, opts) == "--socket needs a value");

    using vipd::cli::parse_timeout;
    CHECK(parse_timeout("0") == 0.0);
    CHECK(parse_timeout("0.25") == 0.25);
    CHECK(parse_timeout("86400") == 86400.0);
    CHECK_FALSE(parse_timeout("86401"));
    CHECK_FALSE(parse_timeout("-1"));
    CHECK_FALSE(parse_timeout("1s"));
    CHECK_FALSE(parse_timeout("nan"));
    CHECK_FALSE(parse_timeout(""));
}
