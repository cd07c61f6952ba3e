// Text and JSON log lines (see log.hpp).
#include "cli/daemon/log.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vipd::cli {

namespace {

bool needs_quotes(std::string_view v)
{
    if (v.empty())
        return true;
    for (char c : v)
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
            return true;
    return false;
}

void append_value(std::string& out, std::string_view v)
{
    if (!needs_quotes(v)) {
        out += v;
        return;
    }
    out += '"';
    for (char c : v) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    out += '"';
}

std::optional<std::uint64_t> parse_u64(std::string_view text)
{
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return v;
}

} // namespace

bool stderr_is_journal(std::string_view journal_stream, std::uint64_t device, std::uint64_t inode)
{
    const auto colon = journal_stream.find(':');
    if (colon == std::string_view::npos)
        return false;
    const auto dev = parse_u64(journal_stream.substr(0, colon));
    const auto ino = parse_u64(journal_stream.substr(colon + 1));
    return dev && ino && *dev == device && *ino == inode;
}

int journal_priority(LogLevel level)
{
    switch (level) {
    case LogLevel::debug:
        return 7; // LOG_DEBUG
    case LogLevel::info:
        return 6; // LOG_INFO
    case LogLevel::warning:
        return 4; // LOG_WARNING
    case LogLevel::error:
        return 3; // LOG_ERR
    }
    return 6;
}

std::string rfc3339(std::chrono::system_clock::time_point t, int fraction_digits)
{
    using namespace std::chrono;
    const auto secs = floor<seconds>(t);
    const auto micros = duration_cast<microseconds>(t - secs).count();
    const std::time_t tt = system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    const auto fraction =
        fraction_digits == 6 ? fmt::format("{:06}", micros) : fmt::format("{:03}", micros / 1000);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
}

std::string Log::format(LogLevel level, std::string_view component,
                        std::initializer_list<Field> fields,
                        std::chrono::system_clock::time_point now) const
{
    if (format_ == LogFormat::json) {
        nlohmann::ordered_json j;
        // Microseconds: JSON logs are read by programs (and benchmarks) that correlate them
        // with other sources.
        j["ts"] = rfc3339(now, 6);
        j["level"] = to_string(level);
        j["component"] = component;
        for (const auto& [k, v] : fields)
            j[std::string(k)] = v;
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    std::string line = stream_ == LogStream::journal ? fmt::format("<{}>", journal_priority(level))
                                                     : rfc3339(now, 3) + ' ';
    line += to_string(level);
    line += ' ';
    line += component;
    for (const auto& [k, v] : fields) {
        line += ' ';
        line += k;
        line += '=';
        append_value(line, v);
    }
    return line;
}

void Log::write(LogLevel level, std::string_view component, std::initializer_list<Field> fields)
{
    if (!enabled(level))
        return;
    std::string line = format(level, component, fields, std::chrono::system_clock::now());
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace vipd::cli
