// sd_notify(3) datagrams to $NOTIFY_SOCKET (see systemd.hpp).
#include "cli/daemon/systemd.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace vipd::cli {

bool sd_notify(std::string_view state)
{
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || path[0] == '\0')
        return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::size_t len = std::strlen(path);
    if (len >= sizeof addr.sun_path)
        return false;
    std::memcpy(addr.sun_path, path, len);
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0'; // abstract namespace
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
    const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&addr), addr_len);
    ::close(fd);
    return sent == static_cast<ssize_t>(state.size());
}

std::optional<std::chrono::microseconds> sd_watchdog_interval()
{
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec == nullptr)
        return std::nullopt;
    if (const char* pid = std::getenv("WATCHDOG_PID"))
        if (std::strtol(pid, nullptr, 10) != static_cast<long>(::getpid()))
            return std::nullopt;
    const long long v = std::strtoll(usec, nullptr, 10);
    if (v <= 0)
        return std::nullopt;
    return std::chrono::microseconds(v);
}

} // namespace vipd::cli
