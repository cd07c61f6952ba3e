// State files of the daemon (see state_files.hpp).
#include "cli/daemon/state_files.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include "announce/drained.hpp"

namespace vipd::cli {

void StateFiles::save(const std::string& name, const std::vector<std::string>& names)
{
    const std::string text = announce::format_drained(names);
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

std::vector<std::string> StateFiles::load(const std::string& name)
{
    const auto path = dir_ / name;
    std::ifstream in(path);
    if (!in)
        return {};
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = announce::parse_drained(text);
    if (!parsed) {
        log_.write(LogLevel::error, "state",
                   {{"file", path.string()}, {"error", announce::to_string(parsed.error())}});
        return {};
    }
    return *parsed;
}

} // namespace vipd::cli
