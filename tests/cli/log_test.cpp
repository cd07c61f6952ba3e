// The daemon's log lines (cli/daemon/log.hpp): journald priority prefixes under systemd, an
// RFC 3339 timestamp in the foreground, RFC 3339 "ts" in JSON; the time is passed in.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/daemon/log.hpp"

using vipd::cli::Log;
using vipd::cli::LogFormat;
using vipd::cli::LogLevel;
using vipd::cli::LogStream;

namespace {

// 2027-01-15T08:00:00.123456Z
const auto log_time = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)) +
                      std::chrono::microseconds(123'456);

} // namespace

TEST_CASE("log: RFC 3339 times", "[cli]")
{
    using vipd::cli::rfc3339;
    CHECK(rfc3339(log_time, 3) == "2027-01-15T08:00:00.123Z");
    CHECK(rfc3339(log_time, 6) == "2027-01-15T08:00:00.123456Z");
    CHECK(rfc3339(std::chrono::system_clock::time_point{}, 3) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("log: text lines in the foreground start with the time", "[cli]")
{
    const Log log(LogLevel::info, LogFormat::text, LogStream::terminal);
    CHECK(log.format(LogLevel::warning, "bgp", {{"peer", "r1"}, {"event", "hold timer expired"}},
                     log_time) ==
          "2027-01-15T08:00:00.123Z warning bgp peer=r1 event=\"hold timer expired\"");
}

TEST_CASE("log: text lines in the journal carry its priority", "[cli]")
{
    const Log log(LogLevel::debug, LogFormat::text, LogStream::journal);
    CHECK(log.format(LogLevel::error, "daemon", {{"event", "x"}}, log_time) ==
          "<3>error daemon event=x");
    CHECK(log.format(LogLevel::warning, "bgp", {}, log_time) == "<4>warning bgp");
    CHECK(log.format(LogLevel::info, "vip", {}, log_time) == "<6>info vip");
    CHECK(log.format(LogLevel::debug, "bgp", {}, log_time) == "<7>debug bgp");
}

TEST_CASE("log: JSON lines carry an RFC 3339 ts wherever they go", "[cli]")
{
    for (auto stream : {LogStream::terminal, LogStream::journal}) {
        const Log log(LogLevel::info, LogFormat::json, stream);
        const auto j = nlohmann::json::parse(
            log.format(LogLevel::info, "health", {{"check", "web"}}, log_time));
        CHECK(j == nlohmann::json{{"ts", "2027-01-15T08:00:00.123456Z"},
                                  {"level", "info"},
                                  {"component", "health"},
                                  {"check", "web"}});
    }
}

TEST_CASE("log: stderr is the journal when JOURNAL_STREAM names its file", "[cli]")
{
    using vipd::cli::stderr_is_journal;
    CHECK(stderr_is_journal("8:12345", 8, 12345));
    CHECK_FALSE(stderr_is_journal("8:12345", 8, 12346)); // stderr redirected elsewhere
    CHECK_FALSE(stderr_is_journal("", 8, 12345));
    CHECK_FALSE(stderr_is_journal("8", 8, 12345));
    CHECK_FALSE(stderr_is_journal("8:x", 8, 12345));
    CHECK_FALSE(stderr_is_journal(":12345", 0, 12345));
}
