// Pidfile, /proc/PID/cmdline and /proc/PID/stat parsing for the process check. Pure.
#include <catch2/catch.hpp>

#include "health/proc.hpp"

using namespace vipd::health;
using namespace std::string_view_literals;

TEST_CASE("proc: a pidfile holds one decimal pid, white space around it allowed", "[health]")
{
    CHECK(parse_pidfile("1234\n") == 1234);
    CHECK(parse_pidfile("  42  ") == 42);
    CHECK(parse_pidfile("4194304") == 4194304);
    CHECK(parse_pidfile("").error() == "is empty");
    CHECK(parse_pidfile("\n").error() == "is empty");
    CHECK(parse_pidfile("0").error() == "does not hold a pid (\"0\")");
    CHECK(parse_pidfile("4194305").error() == "does not hold a pid (\"4194305\")");
    CHECK(parse_pidfile("-5").error() == "does not hold a pid (\"-5\")");
    CHECK(parse_pidfile("12 34").error() == "does not hold a pid (\"12 34\")");
    CHECK(parse_pidfile("99999999999999999999999").has_value() == false);
    CHECK(parse_pidfile("abc").error() == "does not hold a pid (\"abc\")");
}

TEST_CASE("proc: cmdline words split on spaces and tabs", "[health]")
{
    CHECK(cmdline_words("haproxy -f") == std::vector<std::string>{"haproxy", "-f"});
    CHECK(cmdline_words("  a\t b  ") == std::vector<std::string>{"a", "b"});
    CHECK(cmdline_words("   ").empty());
}

TEST_CASE("proc: cmdline arguments, and a rewritten process title", "[health]")
{
    CHECK(cmdline_args("/usr/sbin/haproxy\0-f\0/etc/h.cfg\0"sv) ==
          std::vector<std::string_view>{"/usr/sbin/haproxy", "-f", "/etc/h.cfg"});
    CHECK(cmdline_args("a\0\0b\0"sv) == std::vector<std::string_view>{"a", "", "b"});
    CHECK(cmdline_args("nginx: master process /usr/sbin/nginx"sv) ==
          std::vector<std::string_view>{"nginx:", "master", "process", "/usr/sbin/nginx"});
    CHECK(cmdline_args(""sv).empty());
    CHECK(cmdline_args("\0"sv).empty());
}

TEST_CASE("proc: a pattern matches the program (or its file name) and the leading arguments",
          "[health]")
{
    const auto haproxy = "/usr/sbin/haproxy\0-f\0/etc/haproxy/haproxy.cfg\0-p\0/run/h.pid\0"sv;
    CHECK(cmdline_matches(cmdline_words("haproxy -f"), haproxy));
    CHECK(cmdline_matches(cmdline_words("/usr/sbin/haproxy"), haproxy));
    CHECK(cmdline_matches(cmdline_words("haproxy -f /etc/haproxy/haproxy.cfg"), haproxy));
    CHECK_FALSE(cmdline_matches(cmdline_words("haproxy -p"), haproxy)); // not in that position
    CHECK_FALSE(cmdline_matches(cmdline_words("sbin/haproxy"), haproxy));
    CHECK_FALSE(cmdline_matches(cmdline_words("haprox"), haproxy));
    CHECK_FALSE(cmdline_matches(cmdline_words("vim haproxy -f"), haproxy));
    // An editor or shell mentioning the words does not match.
    CHECK_FALSE(cmdline_matches(cmdline_words("haproxy -f"), "vim\0haproxy\0-f\0"sv));
    CHECK_FALSE(cmdline_matches(cmdline_words("haproxy -f"), "sh\0-c\0haproxy -f x\0"sv));
    CHECK_FALSE(cmdline_matches(cmdline_words("haproxy -f"), "/usr/sbin/haproxy\0"sv));
    CHECK_FALSE(cmdline_matches(cmdline_words("haproxy"), ""sv)); // kernel thread, zombie
    CHECK_FALSE(cmdline_matches({}, haproxy));
    CHECK(cmdline_matches(cmdline_words("nginx: master"),
                          "nginx: master process /usr/sbin/nginx -g daemon on;"sv));
}

TEST_CASE("proc: start time is field 22, counted after the command name", "[health]")
{
    const auto stat = "1234 (a b) c) S 1 1234 1234 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 "
                      "987654 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0"sv;
    CHECK(parse_start_time(stat) == 987654U);
    CHECK_FALSE(parse_start_time("1234 (x) S 1 2 3"sv));
    CHECK_FALSE(parse_start_time("no parenthesis"sv));
    CHECK_FALSE(parse_start_time("1 (x) S 1 1 1 0 -1 0 1 0 0 0 0 0 0 0 20 0 1 0 12x 1"sv));
}
