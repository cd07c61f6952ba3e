// Blocking control-socket client (see control_client.hpp): non-blocking socket + poll() so
// every step honours the caller's deadline; send() with MSG_NOSIGNAL so a daemon that closes
// early gives an error, not SIGPIPE.
#include "cli/control/client.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace vipd::cli {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

/// How long connect() retries while the daemon's listen queue is full, without a deadline.
constexpr auto busy_retry_limit = std::chrono::seconds(2);
constexpr auto busy_retry_pause = std::chrono::milliseconds(5);
constexpr std::size_t recv_chunk = 64 * 1024;

std::string hint(int e)
{
    switch (e) {
    case ENOENT:
        return " (is vipd running? give the socket with -s or $VIPD_SOCKET)";
    case ECONNREFUSED:
        return " (nothing listens on it: vipd is not running)";
    case EACCES:
        return " (the socket's mode, owner and group decide who may connect)";
    case EAGAIN:
        return " (vipd's listen queue is full)";
    default:
        return "";
    }
}

ClientError connect_error(const std::filesystem::path& path, int e)
{
    return {ClientError::Kind::connect,
            "cannot connect to " + path.string() + ": " + std::strerror(e) + hint(e)};
}

/// Milliseconds until `deadline` for poll(), rounded up; -1 without a deadline.
int poll_timeout(const ControlClient::Deadline& deadline)
{
    if (!deadline)
        return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

} // namespace

tl::expected<ControlClient, ClientError> ControlClient::connect(const std::filesystem::path& path,
                                                                Deadline deadline)
{
    sockaddr_un addr{};
    if (path.native().size() >= sizeof addr.sun_path)
        return tl::unexpected(ClientError{ClientError::Kind::connect,
                                          "cannot connect to " + path.string() +
                                              ": the path is longer than " +
                                              std::to_string(sizeof addr.sun_path - 1) + " bytes"});
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.native().size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return tl::unexpected(connect_error(path, errno));
    ControlClient client(fd, path);
    const auto give_up = deadline.value_or(Clock::now() + busy_retry_limit);
    for (;;) {
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
            return client;
        const int e = errno;
        if (e == EINTR)
            continue;
        if (e == EINPROGRESS) {
            if (auto w = client.wait(POLLOUT, deadline); !w)
                return tl::unexpected(w.error());
            int so_error = 0;
            socklen_t len = sizeof so_error;
            (void)::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            if (so_error == 0)
                return client;
            return tl::unexpected(connect_error(path, so_error));
        }
        // A unix socket whose listen queue is full refuses with EAGAIN: retry briefly.
        if (e != EAGAIN || Clock::now() + busy_retry_pause > give_up)
            return tl::unexpected(connect_error(path, e));
        std::this_thread::sleep_for(busy_retry_pause);
    }
}

ControlClient::ControlClient(ControlClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)),
      buffer_(std::move(other.buffer_))
{}

ControlClient& ControlClient::operator=(ControlClient&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        buffer_ = std::move(other.buffer_);
    }
    return *this;
}

ControlClient::~ControlClient()
{
    if (fd_ >= 0)
        ::close(fd_);
}

tl::expected<void, ClientError> ControlClient::wait(short events, Deadline deadline) const
{
    for (;;) {
        pollfd p{fd_, events, 0};
        const int n = ::poll(&p, 1, poll_timeout(deadline));
        if (n > 0)
            return {};
        if (n == 0)
            return tl::unexpected(
                ClientError{ClientError::Kind::timeout,
                            "no reply from " + path_.string() + " within the timeout"});
        if (errno != EINTR)
            return tl::unexpected(ClientError{
                ClientError::Kind::io, "poll on " + path_.string() + ": " + std::strerror(errno)});
    }
}

tl::expected<void, ClientError> ControlClient::send_line(std::string_view line, Deadline deadline)
{
    std::string data(line);
    data += '\n';
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (auto w = wait(POLLOUT, deadline); !w)
                return w;
            continue;
        }
        return tl::unexpected(ClientError{ClientError::Kind::io, "sending to " + path_.string() +
                                                                     ": " + std::strerror(errno)});
    }
    return {};
}

tl::expected<json, ClientError> ControlClient::read_reply(Deadline deadline)
{
    std::array<char, recv_chunk> chunk{};
    std::size_t scanned = 0;
    for (;;) {
        if (const auto nl = buffer_.find('\n', scanned); nl != std::string::npos) {
            const std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            try {
                json reply = json::parse(line);
                if (reply.is_object())
                    return reply;
            } catch (const json::parse_error&) {
            }
            return tl::unexpected(
                ClientError{ClientError::Kind::protocol,
                            "the reply from " + path_.string() + " is not a JSON object"});
        }
        scanned = buffer_.size();
        if (buffer_.size() > max_reply_bytes)
            return tl::unexpected(ClientError{ClientError::Kind::protocol,
                                              "the reply from " + path_.string() +
                                                  " is longer than " +
                                                  std::to_string(max_reply_bytes) + " bytes"});
        const ssize_t n = ::recv(fd_, chunk.data(), chunk.size(), 0);
        if (n > 0) {
            buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        } else if (n == 0) {
            return tl::unexpected(
                ClientError{ClientError::Kind::io, "vipd closed the connection on " +
                                                       path_.string() + " without replying"});
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (auto w = wait(POLLIN, deadline); !w)
                return tl::unexpected(w.error());
        } else if (errno != EINTR) {
            return tl::unexpected(
                ClientError{ClientError::Kind::io,
                            "reading from " + path_.string() + ": " + std::strerror(errno)});
        }
    }
}

std::string request_line(std::string_view command, const json& args)
{
    const json request = {{"command", command}, {"args", args}};
    return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

tl::expected<json, ClientError> ControlClient::call(std::string_view command, const json& args,
                                                    Deadline deadline)
{
    if (auto sent = send_line(request_line(command, args), deadline); !sent) {
        // The daemon may have refused the connection with a reply before closing it.
        if (auto reply = read_reply(Clock::now() + std::chrono::milliseconds(100)))
            return reply;
        return tl::unexpected(sent.error());
    }
    return read_reply(deadline);
}

} // namespace vipd::cli
