// A blocking client of the control socket for one-shot programs (vipctl): connect, send one
// request line, read one reply line, all within one deadline. Plain POSIX sockets and poll(),
// no Asio, so vipctl starts and ends fast.
// Must not: be used on the daemon's event loop (it blocks), or interpret replies.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace vipd::cli {

/// Why a call did not produce a reply.
struct ClientError
{
    enum class Kind : std::uint8_t {
        connect,  ///< no connection: the daemon is not running, wrong path, permissions
        io,       ///< the connection broke or the daemon closed it before replying
        timeout,  ///< no reply before the deadline
        protocol, ///< the reply is not one JSON object on a line
    };
    Kind kind = Kind::connect;
    /// "cannot connect to /run/vipd/vipd.sock: No such file or directory (is vipd running?)".
    std::string message;
};

/// Longest reply line the client accepts (a `routes` reply of a large table fits).
inline constexpr std::size_t max_reply_bytes = std::size_t{512} << 20;

/// The request line for `command` and `args`, without the newline: the bytes call() sends.
[[nodiscard]] std::string request_line(std::string_view command, const nlohmann::json& args);

class ControlClient
{
public:
    using Deadline = std::optional<std::chrono::steady_clock::time_point>; ///< none: no limit

    /// Connects to the socket at `path`.
    [[nodiscard]] static tl::expected<ControlClient, ClientError>
    connect(const std::filesystem::path& path, Deadline deadline);
    ControlClient(ControlClient&& other) noexcept;
    ControlClient& operator=(ControlClient&& other) noexcept;
    ControlClient(const ControlClient&) = delete;
    ControlClient& operator=(const ControlClient&) = delete;
    ~ControlClient();

    /// Sends {"command": command, "args": args} and returns the reply object.
    [[nodiscard]] tl::expected<nlohmann::json, ClientError>
    call(std::string_view command, const nlohmann::json& args, Deadline deadline);

    /// Sends one line as is (a newline is appended); for tests of malformed requests.
    [[nodiscard]] tl::expected<void, ClientError> send_line(std::string_view line,
                                                            Deadline deadline);
    /// Reads the next reply line, parsed.
    [[nodiscard]] tl::expected<nlohmann::json, ClientError> read_reply(Deadline deadline);

private:
    ControlClient(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
    /// Waits until the socket is readable (POLLIN) or writable (POLLOUT) or the deadline.
    [[nodiscard]] tl::expected<void, ClientError> wait(short events, Deadline deadline) const;

    int fd_ = -1;
    std::filesystem::path path_;
    std::string buffer_; ///< bytes read beyond the last reply line
};

} // namespace vipd::cli
