// State files of the daemon (see state_files.hpp).
#include "cli/daemon/state_files.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "announce/drained.hpp"

namespace vipd::cli {

void StateFiles::save(const std::string& name, const std::vector<std::string>& names)
{
    save_text(name, announce::format_drained(names));
}

void StateFiles::save_map(const std::string& name,
                          const std::map<std::string, std::string>& entries)
{
    save_text(name, format_name_map(entries));
}

void StateFiles::save_text(const std::string& name, const std::string& text)
{
    if (const auto it = written_.find(name); it != written_.end() && it->second == text)
        return;
    written_[name] = text;
    const auto path = dir_ / name;
    const auto tmp = dir_ / (name + ".tmp");
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out) {
            log_.write(LogLevel::error, "state",
                       {{"file", tmp.string()}, {"error", "write failed"}});
            return;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        log_.write(LogLevel::error, "state", {{"file", path.string()}, {"error", ec.message()}});
}

std::optional<std::string> StateFiles::load_text(const std::string& name)
{
    std::ifstream in(dir_ / name);
    if (!in)
        return std::nullopt;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> StateFiles::load(const std::string& name)
{
    const auto text = load_text(name);
    if (!text)
        return {};
    auto parsed = announce::parse_drained(*text);
    if (!parsed) {
        log_.write(
            LogLevel::error, "state",
            {{"file", (dir_ / name).string()}, {"error", announce::to_string(parsed.error())}});
        return {};
    }
    return *parsed;
}

std::map<std::string, std::string> StateFiles::load_map(const std::string& name)
{
    const auto text = load_text(name);
    if (!text)
        return {};
    auto parsed = parse_name_map(*text);
    if (!parsed) {
        log_.write(LogLevel::error, "state",
                   {{"file", (dir_ / name).string()}, {"error", parsed.error()}});
        return {};
    }
    return *parsed;
}

std::string format_name_map(const std::map<std::string, std::string>& entries)
{
    // nlohmann::json objects are sorted by key; one member per line reads well in a diff.
    return nlohmann::json(entries).dump(1, '\t', false, nlohmann::json::error_handler_t::replace) +
           "\n";
}

tl::expected<std::map<std::string, std::string>, std::string> parse_name_map(std::string_view text)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        return tl::unexpected(std::string("not JSON: ") + e.what());
    }
    if (!j.is_object())
        return tl::unexpected(std::string("expected a JSON object of name -> message"));
    std::map<std::string, std::string> out;
    for (const auto& [name, message] : j.items()) {
        if (name.empty() || !message.is_string())
            return tl::unexpected(
                fmt::format("member \"{}\": expected a non-empty name and a string", name));
        out.emplace(name, message.get<std::string>());
    }
    return out;
}

} // namespace vipd::cli
