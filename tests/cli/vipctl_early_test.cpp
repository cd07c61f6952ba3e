// vipctl's early request (cli/vipctl/early.hpp): which command lines it takes, that it takes
// only prefixes the normal path accepts (so usage errors never reach the daemon), that its
// request line is byte for byte the normal path's, and that it picks the same socket.
// That the built vipctl really sends before the C library starts is checked by
// tests/integration/daemon_drain_reload_test.sh (system call order under strace).
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bgp/types.hpp"
#include "cli/control/client.hpp"
#include "cli/vipctl/commands.hpp"
#include "cli/vipctl/early.hpp"
#include "cli/vipctl/request.hpp"

namespace early = vipd::cli::early;
using Words = std::vector<std::string>;

namespace {

struct Argv
{
    explicit Argv(const Words& words, const Words& env = {}) : words_(words), env_(env)
    {
        argv_.push_back(const_cast<char*>("vipctl"));
        for (auto& w : words_)
            argv_.push_back(w.data());
        argv_.push_back(nullptr);
        for (auto& e : env_)
            envp_.push_back(e.data());
        envp_.push_back(nullptr);
    }
    [[nodiscard]] int argc() const { return static_cast<int>(argv_.size()) - 1; }
    char* const* argv() { return argv_.data(); }
    char* const* envp() { return envp_.data(); }

private:
    Words words_;
    Words env_;
    std::vector<char*> argv_;
    std::vector<char*> envp_;
};

/// early::build's result, copied out of the argv it points into.
struct Early
{
    std::string socket;
    std::string command;
    std::string prefix;
    std::string line;
};

std::optional<Early> early_of(const Words& words, const Words& env = {})
{
    Argv a(words, env);
    early::Request r{};
    if (!early::build(a.argc(), a.argv(), a.envp(), r))
        return std::nullopt;
    return Early{std::string(r.socket, r.socket_length), r.command, r.prefix,
                 std::string(r.line, r.line_length)};
}

/// What vipctl's main() makes of the same words (cli/vipctl/vipctl_main.cpp: $VIPD_SOCKET, leading
/// global options, the command, global options after it, the request): socket and line.
struct Normal
{
    std::string socket;
    std::string command;
    Words args;
    std::string line;
};

std::optional<Normal> normal_of(const Words& all, const std::string& env_socket = {})
{
    vipd::cli::VipctlOptions opts;
    if (!env_socket.empty())
        opts.socket = env_socket;
    std::size_t i = 0;
    while (i < all.size() && all[i].size() > 1 && all[i][0] == '-') {
        std::string error;
        const std::size_t taken = vipd::cli::take_global_option(all, i, opts, error);
        if (taken == 0)
            return std::nullopt;
        i += taken;
    }
    if (i == all.size())
        return std::nullopt;
    Normal n;
    n.command = all[i];
    n.args.assign(all.begin() + static_cast<std::ptrdiff_t>(i) + 1, all.end());
    if (vipd::cli::take_global_options(n.args, opts))
        return std::nullopt;
    std::istringstream in;
    auto request = vipd::cli::build_request(n.command, n.args, in);
    if (!request)
        return std::nullopt;
    n.socket = opts.socket.string();
    n.line = vipd::cli::request_line(request->command, request->args) + "\n";
    return n;
}

} // namespace

TEST_CASE("vipctl early request: the command lines it takes", "[cli][vipctl]")
{
    const Words taken[] = {
        {"withdraw", "192.0.2.10/32"},
        {"announce", "2001:db8::10/128"},
        {"-s", "/tmp/v.sock", "announce", "198.51.100.0/24"},
        {"--socket", "/tmp/v.sock", "--json", "withdraw", "10.0.0.0/8"},
        {"--socket=/tmp/v.sock", "withdraw", "0.0.0.0/0"},
        {"--json", "-s", "/a", "-s", "/tmp/last.sock", "announce", "::/0"},
        {"announce", "fe80::1:2/128"},
        {"announce", "1:2:3:4:5:6:7:8/128"},
        {"announce", "2001:db8:0:1::/64"},
    };
    for (const auto& words : taken) {
        INFO(fmt::format("{}", fmt::join(words, " ")));
        const auto e = early_of(words);
        REQUIRE(e);
        const auto n = normal_of(words);
        REQUIRE(n);
        CHECK(e->line == n->line);
        CHECK(e->socket == n->socket);
        CHECK(e->command == n->command);
        CHECK(Words{e->prefix} == n->args);
    }

    const Words left[] = {
        {"announce", "192.0.2.0/24", "--med", "5"},     // any option after the command
        {"announce", "192.0.2.0/24", "192.0.2.9/32"},   // more than one prefix
        {"announce", "--file", "list.txt"},             //
        {"--timeout", "5", "announce", "192.0.2.0/24"}, // --timeout is main's to check
        {"withdraw", "192.0.2.0/24", "--json"},         //
        {"-s", "", "withdraw", "192.0.2.0/24"},         // main: "the socket path is empty"
        {"--socket=", "withdraw", "192.0.2.0/24"},      //
        {"withdraw"},                                   //
        {"-s"},                                         //
        {"status"},                                     //
        {"drain", "web"},                               //
        {"explain", "192.0.2.0/24"},                    //
        {"announce", "-h"},                             //
        {"announce", "--", "192.0.2.0/24"},             //
        {"-h", "announce", "192.0.2.0/24"},             //
        {"announce", "web"},                            // not a prefix
        {"announce", "192.0.2.1/24"},                   // host bits: main's usage error
        {"announce", "192.0.2.0/33"},                   //
        {"announce", "192.0.2.0/"},                     //
        {"announce", "192.0.2.0/0024"},                 //
        {"announce", "192.0.2.00/32"},                  // inet_pton refuses leading zeros
        {"announce", "192.0.2/24"},                     //
        {"announce", "192.0.2.256/32"},                 //
        {"announce", "2001:db8::1::/128"},              //
        {"announce", "2001:db8:::/48"},                 //
        {"announce", "1:2:3:4:5:6:7::8/128"},           // "::" standing for no group
        {"announce", "12345::/16"},                     //
        {"announce", "2001:db8::/129"},                 //
        {"announce", "::ffff:192.0.2.1/128"},           // dotted tail: the normal path
        {"announce", "2001:db8:/32"},                   //
        {"announce", ":2001:db8::/32"},                 //
        {"announce", "2001:db8::\"/32"},                //
    };
    for (const auto& words : left) {
        INFO(fmt::format("{}", fmt::join(words, " ")));
        CHECK_FALSE(early_of(words));
    }
}

TEST_CASE("vipctl early request: the socket main() would use", "[cli][vipctl]")
{
    const Words words{"withdraw", "192.0.2.10/32"};
    auto socket = [](const std::optional<Early>& e) { return e ? e->socket : "(not taken)"; };
    CHECK(socket(early_of(words)) == vipd::cli::default_socket);
    CHECK(socket(early_of(words, {"PATH=/bin", "VIPD_SOCKET=/tmp/env.sock"})) == "/tmp/env.sock");
    CHECK(normal_of(words, "/tmp/env.sock")->socket == "/tmp/env.sock");
    CHECK(socket(early_of(words, {"VIPD_SOCKET="})) == vipd::cli::default_socket);
    // getenv's answer: the first entry, even an empty one.
    CHECK(socket(early_of(words, {"VIPD_SOCKET=", "VIPD_SOCKET=/tmp/x.sock"})) ==
          vipd::cli::default_socket);
    CHECK(socket(early_of(words, {"VIPD_SOCKET=/tmp/a.sock", "VIPD_SOCKET=/tmp/b.sock"})) ==
          "/tmp/a.sock");
    const Words with_s{"-s", "/tmp/opt.sock", "withdraw", "192.0.2.10/32"};
    CHECK(socket(early_of(with_s, {"VIPD_SOCKET=/tmp/env.sock"})) == "/tmp/opt.sock");
    CHECK(normal_of(with_s, "/tmp/env.sock")->socket == "/tmp/opt.sock");
}

TEST_CASE("vipctl early request: only prefixes bgp::Prefix::parse accepts, every canonical one",
          "[cli][vipctl]")
{
    std::mt19937 rng(20261121);
    using vipd::bgp::Prefix;

    // Every prefix as vipd prints it is taken, with the normal path's exact line, unless it
    // has a dotted IPv4 tail (::ffff:a.b.c.d), which is left to the normal path.
    for (int n = 0; n < 20000; ++n) {
        vipd::bgp::Address a;
        const bool v6 = n % 2 == 1;
        a.afi = v6 ? vipd::bgp::Afi::ipv6 : vipd::bgp::Afi::ipv4;
        for (std::size_t k = 0; k < a.size(); ++k) // runs of zero groups are common
            a.bytes[k] = rng() % 3 == 0 ? 0 : static_cast<std::uint8_t>(rng());
        const auto length = static_cast<std::uint8_t>(rng() % (v6 ? 129 : 33));
        const std::string text = Prefix::masked(a, length).to_string();
        INFO(text);
        const auto e = early_of({"announce", text});
        if (text.find('.') != std::string::npos && v6) {
            CHECK_FALSE(e);
            continue;
        }
        REQUIRE(e);
        CHECK(e->line == normal_of({"announce", text})->line);
    }

    // Any other text: taken only if the normal path takes it as the same prefix (upper case,
    // leading zeros in groups, a bare address are other spellings of one prefix).
    const std::string alphabet = "0123456789abcdefABCDEF.:/";
    int taken = 0;
    for (int n = 0; n < 200000; ++n) {
        std::string text;
        const std::size_t size = 1 + rng() % 24;
        for (std::size_t k = 0; k < size; ++k)
            text += alphabet[rng() % alphabet.size()];
        if (!early_of({"withdraw", text}))
            continue;
        ++taken;
        INFO(text);
        const auto parsed = Prefix::parse(text);
        REQUIRE(parsed);
        const auto n2 = normal_of({"withdraw", text});
        REQUIRE(n2);
        CHECK(n2->line == normal_of({"withdraw", parsed->to_string()})->line);
    }
    CHECK(taken > 100); // the random texts did reach the accepting paths
}
