// Text and JSON log lines (see log.hpp).
#include "cli/daemon/log.hpp"

#include <chrono>
#include <cstdio>

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

} // namespace

std::string Log::format(LogLevel level, std::string_view component,
                        std::initializer_list<Field> fields) const
{
    if (format_ == LogFormat::json) {
        nlohmann::ordered_json j;
        // Wall clock with microseconds: JSON logs are read by programs (and benchmarks) that
        // correlate them with other sources; text logs rely on journald's timestamps.
        j["ts"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                      .count();
        j["level"] = to_string(level);
        j["component"] = component;
        for (const auto& [k, v] : fields)
            j[std::string(k)] = v;
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    std::string line(to_string(level));
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
    std::string line = format(level, component, fields);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace vipd::cli
