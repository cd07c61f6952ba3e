// State files of the daemon (see state_files.hpp).
#include "cli/daemon/state_files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

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

namespace {

/// Writes all of `text` to `fd`; errno text on failure.
std::optional<std::string> write_all(int fd, std::string_view text)
{
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return std::strerror(errno);
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return std::nullopt;
}

/// `path` holds exactly `text` once this returns no error, or it is as before: the text goes
/// to `path`.tmp, which is flushed to disk, renamed over `path`, and the directory flushed
/// (the rename itself is durable). The temporary file is removed on failure.
std::optional<std::string> replace_file(const std::filesystem::path& path, std::string_view text)
{
    const auto tmp = std::filesystem::path(path).concat(".tmp");
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return fmt::format("{}: {}", tmp.string(), std::strerror(errno));
    auto error = write_all(fd, text);
    if (!error && ::fsync(fd) != 0)
        error = std::strerror(errno);
    if (::close(fd) != 0 && !error)
        error = std::strerror(errno);
    if (!error && ::rename(tmp.c_str(), path.c_str()) != 0)
        error = std::strerror(errno);
    if (error) {
        ::unlink(tmp.c_str());
        return fmt::format("{}: {}", tmp.string(), *error);
    }
    if (const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dir >= 0) {
        const bool synced = ::fsync(dir) == 0;
        const int e = errno;
        ::close(dir);
        if (!synced)
            return fmt::format("{}: {}", path.parent_path().string(), std::strerror(e));
    }
    return std::nullopt;
}

} // namespace

std::map<std::string, std::string> StateFiles::problems() const
{
    auto out = write_problems_;
    out.insert(read_problems_.begin(), read_problems_.end());
    return out;
}

void StateFiles::problem(std::map<std::string, std::string>& into, const std::string& name,
                         const std::string& error)
{
    into[name] = error;
    log_.write(LogLevel::error, "state", {{"file", (dir_ / name).string()}, {"error", error}});
}

void StateFiles::save_text(const std::string& name, const std::string& text)
{
    if (const auto it = written_.find(name); it != written_.end() && it->second == text)
        return;
    if (auto error = replace_file(dir_ / name, text)) {
        ++write_failures_;
        problem(write_problems_, name, "write failed: " + *error);
        return; // not recorded as written: the next save tries again
    }
    written_[name] = text;
    if (write_problems_.erase(name) != 0)
        log_.write(LogLevel::info, "state",
                   {{"file", (dir_ / name).string()}, {"event", "written again"}});
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
        problem(read_problems_, name,
                "ignored at start-up, unreadable: " + announce::to_string(parsed.error()));
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
        problem(read_problems_, name, "ignored at start-up, unreadable: " + parsed.error());
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
