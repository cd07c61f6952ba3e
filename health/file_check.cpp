// Maintenance-file check.
#include "health/file_check.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sys/stat.h>

namespace vipd::health {

tl::expected<std::unique_ptr<FileCheck>, std::string> FileCheck::make(FileCheckConfig config)
{
    if (config.path.empty() || config.path.front() != '/') {
        return tl::unexpected(
            fmt::format("maintenance file \"{}\" is not an absolute path", config.path));
    }
    return std::unique_ptr<FileCheck>(new FileCheck(std::move(config)));
}

boost::asio::awaitable<Outcome> FileCheck::probe()
{
    struct stat st
    {
    };
    if (::stat(config_.path.c_str(), &st) == 0) {
        co_return Outcome{Status::disabled,
                          fmt::format("maintenance file {} exists", config_.path),
                          {},
                          Reason::maintenance};
    }
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
        co_return Outcome{Status::up, fmt::format("no maintenance file {}", config_.path), {}};
    }
    co_return down({Reason::other, fmt::format("stat {}: {}", config_.path, std::strerror(err))});
}

} // namespace vipd::health
