// Running a command (see process.hpp): posix_spawn into a new process group, a pipe for its
// output, a pidfd for its exit. Used by the exec check and the daemon's hooks.
#include "health/process.hpp"

// GCC 12 false positive on coroutine frames of awaitable operators (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace vipd::health {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t drain_reads_max = 64; // reads after exit before we stop listening

int pidfd_open(pid_t pid)
{
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// Waits for the exit of a killed child and reaps it. Its frame owns the pidfd; if the loop is
// destroyed before the exit is seen, the destructor reaps synchronously (the group was SIGKILLed,
// so this is bounded).
struct Reaper
{
    pid_t pid;
    bool reaped = false;
    ~Reaper()
    {
        if (!reaped) {
            ::waitpid(pid, nullptr, 0);
        }
    }
};

asio::awaitable<void> reap(pid_t pid, int pidfd)
{
    Reaper reaper{pid};
    asio::posix::stream_descriptor exit_fd(co_await asio::this_coro::executor, pidfd);
    co_await exit_fd.async_wait(asio::posix::descriptor_base::wait_read,
                                asio::as_tuple(asio::use_awaitable));
    reaper.reaped = ::waitpid(pid, nullptr, WNOHANG) == pid;
}

// Owns a running child: on scope exit before reaping (timeout, exception) it kills the whole
// process group and hands the pidfd to a detached reaper coroutine.
class Child
{
public:
    Child(asio::any_io_executor executor, pid_t pid) : executor_(std::move(executor)), pid_(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child()
    {
        if (reaped_) {
            return;
        }
        ::kill(-pid_, SIGKILL);
        const int fd = exit_fd_ ? exit_fd_->release() : -1;
        if (fd < 0) {
            ::waitpid(pid_, nullptr, 0);
            return;
        }
        // Reaping cannot fail in a way worth reporting: the handler only drops the result.
        asio::co_spawn(executor_, reap(pid_, fd), [](const std::exception_ptr&) {});
    }

    [[nodiscard]] pid_t pid() const { return pid_; }
    void watch(int pidfd) { exit_fd_.emplace(executor_, pidfd); }
    asio::posix::stream_descriptor& exit_fd() { return *exit_fd_; }

    // Called once the pidfd is readable (the leader is a zombie, so its pid is not reused):
    // kill what is left in the group, then reap.
    int finish()
    {
        ::kill(-pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        reaped_ = true;
        return status;
    }

private:
    asio::any_io_executor executor_;
    pid_t pid_;
    std::optional<asio::posix::stream_descriptor> exit_fd_;
    bool reaped_ = false;
};

struct SpawnAttrs
{
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attr{};
    SpawnAttrs(int out_fd)
    {
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
        posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
        // Asio does not open descriptors close-on-exec: keep the daemon's sockets (BGP
        // sessions, listeners) out of the command.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
        posix_spawnattr_setpgroup(&attr, 0);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        sigset_t defaults;
        sigemptyset(&defaults);
        for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
            sigaddset(&defaults, sig);
        }
        posix_spawnattr_setsigdefault(&attr, &defaults);
    }
    SpawnAttrs(const SpawnAttrs&) = delete;
    SpawnAttrs& operator=(const SpawnAttrs&) = delete;
    ~SpawnAttrs()
    {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

void keep(std::string& output, std::size_t& total, const char* data, std::size_t n,
          std::size_t max_output)
{
    total += n;
    output.append(data, std::min(n, max_output - std::min(max_output, output.size())));
}

} // namespace

std::string describe_wait_status(int wait_status)
{
    return WIFEXITED(wait_status)     ? fmt::format("exit {}", WEXITSTATUS(wait_status))
           : WIFSIGNALED(wait_status) ? fmt::format("killed by signal {}", WTERMSIG(wait_status))
                                      : fmt::format("wait status {}", wait_status);
}

asio::awaitable<ProcessResult> run_process(ProcessSpec spec)
{
    ProcessResult result;
    auto executor = co_await asio::this_coro::executor;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        result.failure = ProcessError::pipe;
        result.error = fmt::format("pipe: {}", std::strerror(errno));
        co_return result;
    }
    asio::posix::stream_descriptor out(executor, fds[0]);
    std::vector<char*> argv;
    for (auto& a : spec.argv)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e)
        envp.push_back(*e);
    for (auto& e : spec.env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    int rc = 0;
    {
        SpawnAttrs attrs(fds[1]);
        rc = ::posix_spawnp(&pid, argv[0], &attrs.actions, &attrs.attr, argv.data(), envp.data());
    }
    ::close(fds[1]);
    if (rc != 0) {
        result.failure = ProcessError::spawn;
        result.error = fmt::format("spawn {}: {}", spec.argv.front(), std::strerror(rc));
        co_return result;
    }
    result.spawned = true;
    result.pid = pid;
    if (spec.started)
        *spec.started = pid;
    Child child(executor, pid);
    const int pidfd = pidfd_open(pid);
    if (pidfd < 0) { // kernel < 5.3: wait here, once the group is killed (bounded)
        result.error = fmt::format("pidfd_open: {}", std::strerror(errno));
        result.wait_status = child.finish();
        co_return result;
    }
    child.watch(pidfd);

    // The pipe is waited on for readability and read without blocking, never with an
    // asynchronous read raced against the exit: when both are ready at once, the read that loses
    // the race may already have taken a buffer of output, which would then be lost (seen as
    // 4096 bytes missing from a hook's count).
    out.non_blocking(true);
    std::array<char, 4096> buf{};
    bool eof = false;
    for (;;) {
        if (eof) {
            co_await child.exit_fd().async_wait(asio::posix::descriptor_base::wait_read,
                                                asio::use_awaitable);
            break;
        }
        auto event = co_await (out.async_wait(asio::posix::descriptor_base::wait_read,
                                              asio::as_tuple(asio::use_awaitable)) ||
                               child.exit_fd().async_wait(asio::posix::descriptor_base::wait_read,
                                                          asio::use_awaitable));
        if (event.index() == 1)
            break;
        boost::system::error_code ec;
        const auto n = out.read_some(asio::buffer(buf), ec);
        if (ec == asio::error::would_block)
            continue;
        keep(result.output, result.output_bytes, buf.data(), n, spec.max_output);
        eof = static_cast<bool>(ec);
    }
    // The child exited: take what is already in the pipe without waiting for holders of its
    // write end (killed with the group below).
    for (std::size_t i = 0; i < drain_reads_max; ++i) {
        boost::system::error_code ec;
        const auto n = out.read_some(asio::buffer(buf), ec);
        keep(result.output, result.output_bytes, buf.data(), n, spec.max_output);
        if (ec)
            break;
    }
    result.wait_status = child.finish();
    co_return result;
}

} // namespace vipd::health
