// Control protocol, pure: request parsing and validation (every error message), size and depth
// limits, reply finishing and encoding, typed argument views, announce result policy.
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cli/control/protocol.hpp"

using nlohmann::json;
using vipd::cli::parse_request;

namespace {

// The error message of a line that must be rejected.
std::string error_of(const std::string& line)
{
    auto r = parse_request(line);
    INFO(line);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

std::string error_of_request(const json& request)
{
    return error_of(request.dump());
}

json request(const std::string& command, json args)
{
    return {{"command", command}, {"args", std::move(args)}};
}

// A JSON prefix list of `n` distinct IPv6 /128s, the longest text form each.
json long_prefixes(std::size_t n)
{
    json out = json::array();
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(fmt::format("2001:db8:ffff:ffff:ffff:ffff:{:04x}:{:04x}/128", (i >> 16) + 1,
                                  i & 0xffff));
    return out;
}

} // namespace

TEST_CASE("protocol: every command with valid arguments parses", "[cli][control]")
{
    const json cases[] = {
        request("status", json::object()),
        request("neighbors", json::object()),
        request("checks", json::object()),
        request("routes", json::object()),
        request("routes", {{"neighbor", "tor1"}}),
        request("announce", {{"prefixes", {"192.0.2.0/24", "2001:db8::/32", "192.0.2.10"}},
                             {"med", 4294967295u},
                             {"communities", {"65000:100", "no-export"}},
                             {"large_communities", {"4200000000:1:2"}},
                             {"prepend", 32},
                             {"next_hop", "2001:db8::1"},
                             {"neighbors", {"tor1", "tor2"}}}),
        request("withdraw", {{"prefixes", {"192.0.2.0/24"}}}),
        request("drain", {{"vip", "web"}}),
        request("drain", {{"all", true}, {"wait", true}}),
        request("undrain", {{"vip", "web"}, {"wait", false}}),
        request("disable", {{"check", "http"}}),
        request("enable", {{"check", "http"}}),
        request("check-now", {{"check", "http"}}),
        request("explain", {{"vip", "web"}}),
        request("reload", json::object()),
        request("version", json::object()),
    };
    for (const auto& c : cases) {
        auto r = parse_request(c.dump());
        INFO(c.dump());
        REQUIRE(r.has_value());
        CHECK(r->command == c["command"]);
        CHECK(r->args == c["args"]);
        CHECK_FALSE(r->id.has_value());
    }
    CHECK(vipd::cli::command_names().size() == 16);
}

TEST_CASE("protocol: id is kept, args may be absent or null", "[cli][control]")
{
    auto r = parse_request(R"({"command":"version","id":{"seq":7,"who":["a"]}})");
    REQUIRE(r);
    CHECK(r->args == json::object());
    REQUIRE(r->id);
    CHECK(*r->id == json{{"seq", 7}, {"who", {"a"}}});
    auto n = parse_request(R"({"command":"status","args":null,"id":null})");
    REQUIRE(n);
    REQUIRE(n->id);
    CHECK(n->id->is_null());
    // Errors after the JSON parsed carry the id, so the client can match them.
    auto e = parse_request(R"({"command":"nope","id":42})");
    REQUIRE_FALSE(e);
    REQUIRE(e.error().id);
    CHECK(*e.error().id == 42);
}

TEST_CASE("protocol: malformed requests are named", "[cli][control]")
{
    CHECK(error_of("{\"command\": ") ==
          "malformed JSON: parse error at line 1, column 13: syntax error while parsing value - "
          "unexpected end of input; expected '[', '{', or a literal");
    CHECK(error_of("not json").starts_with("malformed JSON: "));
    CHECK(error_of("[1,2]") == "a request is a JSON object, got an array");
    CHECK(error_of("\"status\"") == "a request is a JSON object, got a string");
    CHECK(error_of("17") == "a request is a JSON object, got 17");
    CHECK(error_of(R"({"args":{}})") == "missing \"command\"");
    CHECK(error_of(R"({"command":5})") == "\"command\" must be a string, got 5");
    CHECK(error_of(R"({"command":"status","arg":{}})") ==
          "unknown request field \"arg\" (fields are command, args, id)");
    CHECK(error_of(R"({"command":"status","args":[]})") ==
          "status: \"args\" must be an object, got an array");
    CHECK(error_of(R"({"command":"stats"})") ==
          "unknown command \"stats\"; commands are status, neighbors, neighbor, checks, routes, "
          "announce, "
          "withdraw, drain, undrain, disable, enable, check-now, explain, reload, version, watch");
    // Invalid UTF-8 inside a string is a JSON error (RFC 8259 §8.1).
    CHECK(error_of("{\"command\":\"st\xff\"}").starts_with("malformed JSON: "));
}

TEST_CASE("protocol: argument errors name command, argument and element", "[cli][control]")
{
    CHECK(error_of_request(request("status", {{"verbose", true}})) ==
          "status: unknown argument \"verbose\" (this command takes none)");
    CHECK(error_of_request(request("announce", {{"prefixes", {"192.0.2.0/24"}}, {"metric", 1}})) ==
          "announce: unknown argument \"metric\" (arguments are prefixes, med, communities, "
          "large_communities, prepend, next_hop, neighbors)");
    CHECK(error_of_request(request("announce", json::object())) ==
          "announce: missing argument \"prefixes\"");
    CHECK(error_of_request(request("announce", {{"prefixes", json::array()}})) ==
          "announce: argument \"prefixes\" must list at least one prefix");
    CHECK(error_of_request(request("announce", {{"prefixes", "192.0.2.0/24"}})) ==
          "announce: prefixes must be an array of strings, got a string");
    CHECK(error_of_request(request("withdraw", {{"prefixes", {"192.0.2.0/24", 7}}})) ==
          "withdraw: prefixes[1] must be a string, got 7");
    CHECK(error_of_request(request("withdraw", {{"prefixes", {"192.0.2.0/24", "10.0.0.1/33"}}})) ==
          "withdraw: prefixes[1]: \"10.0.0.1/33\": prefix length 33 exceeds 32");
    CHECK(error_of_request(request("withdraw", {{"prefixes", {"10.0.0.1/8"}}})) ==
          "withdraw: prefixes[0]: \"10.0.0.1/8\": host bits set (did you mean 10.0.0.0/8?)");
    const json base = {{"prefixes", {"192.0.2.0/24"}}};
    const auto with = [&](const char* key, json v) {
        json a = base;
        a[key] = std::move(v);
        return error_of_request(request("announce", a));
    };
    CHECK(with("med", "10") == "announce: argument \"med\" must be an integer 0..4294967295, "
                               "got a string");
    CHECK(with("med", json(-1)) ==
          "announce: argument \"med\" must be an integer 0..4294967295, got -1");
    CHECK(with("med", 4294967296u) ==
          "announce: argument \"med\" must be an integer 0..4294967295, got 4294967296");
    CHECK(with("med", 1.5) ==
          "announce: argument \"med\" must be an integer 0..4294967295, got 1.5");
    CHECK(with("prepend", 33) == "announce: argument \"prepend\" must be an integer 0..32, got 33");
    CHECK(with("communities", {"65536:1"}) ==
          "announce: communities[0]: 65536:1: 65536 is more than 65535");
    CHECK(with("communities", "65000:1") ==
          "announce: communities must be an array of strings, got a string");
    CHECK(with("large_communities", {"1:2"}).starts_with("announce: large_communities[0]: "));
    CHECK(with("next_hop", "fe80::1%eth0") ==
          "announce: argument \"next_hop\": \"fe80::1%eth0\" is not an IPv4 or IPv6 address");
    CHECK(with("next_hop", 1) ==
          "announce: argument \"next_hop\" must be an IP address string, got 1");
    CHECK(with("neighbors", {"tor1", ""}) == "announce: neighbors[1]: must not be empty");
    CHECK(error_of_request(request("routes", {{"neighbor", ""}})) ==
          "routes: argument \"neighbor\" must be a non-empty string, got \"\"");
    CHECK(error_of_request(request("explain", {{"vip", 3}})) ==
          "explain: argument \"vip\" must be a non-empty string, got 3");
    CHECK(error_of_request(request("disable", json::object())) ==
          "disable: missing argument \"check\"");
}

TEST_CASE("protocol: drain and undrain take one VIP or all", "[cli][control]")
{
    CHECK(error_of_request(request("drain", json::object())) ==
          "drain: missing argument \"vip\" (or \"all\": true)");
    CHECK(error_of_request(request("drain", {{"vip", "web"}, {"all", true}})) ==
          "drain: give either \"vip\" or \"all\", not both");
    CHECK(error_of_request(request("undrain", {{"all", false}})) ==
          "undrain: argument \"all\" may only be true; give \"vip\" to name one VIP instead");
    CHECK(error_of_request(request("drain", {{"all", "yes"}})) ==
          "drain: argument \"all\" must be true or false, got a string");
    CHECK(error_of_request(request("drain", {{"vip", "web"}, {"wait", 1}})) ==
          "drain: argument \"wait\" must be true or false, got 1");
}

TEST_CASE("protocol: size and depth limits", "[cli][control]")
{
    using vipd::cli::max_bulk_request_bytes;
    using vipd::cli::max_request_bytes;
    // 100,000 of the longest IPv6 prefix texts fit in one announce.
    const std::string big = request("announce", {{"prefixes", long_prefixes(100'000)}}).dump();
    CHECK(big.size() > max_request_bytes);
    CHECK(big.size() < max_bulk_request_bytes);
    auto r = parse_request(big);
    REQUIRE(r);
    CHECK(r->args["prefixes"].size() == 100'000);

    // Over 1 MiB is refused for other commands, naming both limits.
    json status = {{"command", "status"}, {"id", std::string(max_request_bytes, 'x')}};
    const std::string line = status.dump();
    auto s = parse_request(line);
    REQUIRE_FALSE(s);
    CHECK(s.error().message ==
          fmt::format("status: request is {} bytes; the limit is 1048576 bytes (only announce "
                      "and withdraw may use up to 16777216)",
                      line.size()));
    // Exactly at the limit is fine.
    json at_limit = {{"command", "status"}, {"id", ""}};
    const std::size_t overhead = at_limit.dump().size();
    at_limit["id"] = std::string(max_request_bytes - overhead, 'y');
    CHECK(at_limit.dump().size() == max_request_bytes);
    CHECK(parse_request(at_limit.dump()));

    CHECK(error_of(std::string(max_bulk_request_bytes + 1, ' ')) ==
          "request is 16777217 bytes; the limit is 1048576 bytes (16777216 for announce and "
          "withdraw)");

    // Nesting: 32 levels are fine, 33 are not; brackets inside strings do not count.
    const auto nested = [](std::size_t depth) {
        return R"({"command":"version","id":)" + std::string(depth - 1, '[') +
               std::string(depth - 1, ']') + "}";
    };
    CHECK(parse_request(nested(32)));
    CHECK(error_of(nested(33)) == "request nests arrays or objects more than 32 levels deep");
    CHECK(parse_request(R"({"command":"version","id":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"["})"));
}

TEST_CASE("protocol: finish_reply adds the id and repairs handler mistakes", "[cli][control]")
{
    using vipd::cli::finish_reply;
    CHECK(finish_reply({{"ok", true}, {"version", "1"}}, json(5)) ==
          json{{"ok", true}, {"version", "1"}, {"id", 5}});
    // Without a request id there is no "id", even if the handler set one.
    CHECK(finish_reply({{"ok", true}, {"id", "mine"}}, std::nullopt) == json{{"ok", true}});
    CHECK(finish_reply(json::array(), std::nullopt) ==
          vipd::cli::error_reply("internal error: the daemon's reply has no boolean \"ok\""));
    CHECK(finish_reply({{"ok", "yes"}}, json("a")) ==
          json{{"ok", false},
               {"error", "internal error: the daemon's reply has no boolean \"ok\""},
               {"id", "a"}});
    CHECK(finish_reply({{"ok", false}}, std::nullopt) ==
          json{{"ok", false}, {"error", "internal error: the daemon refused without saying why"}});
}

TEST_CASE("protocol: encode_line is one line and survives invalid UTF-8", "[cli][control]")
{
    const std::string line =
        vipd::cli::encode_line({{"ok", true}, {"detail", std::string("HTTP 500\n\xff\xfe body")}});
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    const json back = json::parse(line);
    CHECK(back["detail"] == "HTTP 500\n\xEF\xBF\xBD\xEF\xBF\xBD body"); // U+FFFD twice
}

TEST_CASE("protocol: typed views of validated arguments", "[cli][control]")
{
    auto a = vipd::cli::announce_args({{"prefixes", {"192.0.2.10", "2001:db8::/32"}},
                                       {"med", 20},
                                       {"communities", {"65000:100", "graceful-shutdown"}},
                                       {"large_communities", {"4200000000:1:2"}},
                                       {"prepend", 2},
                                       {"next_hop", "192.0.2.1"},
                                       {"neighbors", {"tor1"}}});
    REQUIRE(a);
    REQUIRE(a->prefixes.size() == 2);
    CHECK(a->prefixes[0].to_string() == "192.0.2.10/32");
    CHECK(a->prefixes[1].to_string() == "2001:db8::/32");
    CHECK(a->med == 20u);
    CHECK(a->communities == std::vector<vipd::bgp::Community>{
                                (65000u << 16) | 100u, vipd::bgp::community::graceful_shutdown});
    REQUIRE(a->large_communities.size() == 1);
    CHECK(a->large_communities[0].global_administrator == 4200000000u);
    CHECK(a->prepend == 2);
    REQUIRE(a->next_hop);
    CHECK(a->next_hop->to_string() == "192.0.2.1");
    CHECK(a->neighbors == std::vector<std::string>{"tor1"});

    auto minimal = vipd::cli::announce_args({{"prefixes", {"192.0.2.0/24"}}});
    REQUIRE(minimal);
    CHECK_FALSE(minimal->med);
    CHECK(minimal->prepend == 0);
    CHECK(minimal->neighbors.empty());
    CHECK(vipd::cli::announce_args({{"prefixes", {"x"}}}).error() ==
          "announce: prefixes[0]: \"x\" is not an IPv4 or IPv6 address");

    auto w = vipd::cli::withdraw_args({{"prefixes", {"192.0.2.0/24"}}});
    REQUIRE(w);
    CHECK(w->size() == 1);
    CHECK_FALSE(vipd::cli::withdraw_args({{"prefixes", {"192.0.2.0/24"}}, {"med", 1}}));

    auto d = vipd::cli::drain_args("drain", {{"vip", "web"}, {"wait", true}});
    REQUIRE(d);
    CHECK(d->vip == "web");
    CHECK(d->wait);
    auto all = vipd::cli::drain_args("undrain", {{"all", true}});
    REQUIRE(all);
    CHECK_FALSE(all->vip);
    CHECK_FALSE(all->wait);
    CHECK_FALSE(vipd::cli::drain_args("explain", {{"vip", "web"}}));
}

TEST_CASE("protocol: which announce results are failures", "[cli][control]")
{
    using vipd::cli::result_is_failure;
    CHECK_FALSE(result_is_failure("written"));
    CHECK_FALSE(result_is_failure("not established (Active)"));
    CHECK(result_is_failure("initial table held until the daemon is ready"));
    CHECK(result_is_failure("connection closed: reset by peer"));
    CHECK(result_is_failure(""));
}
