// Process check: pidfile / command line lookup and the pidfd watch.
// A pidfd becomes readable when its process exits (pidfd_open(2)); the event loop's reactor
// (epoll) waits for it like for a socket. A pidfd refers to one process for good: a pid reused
// after the exit cannot be mistaken for the watched process.
#include "health/process_check.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <cerrno>
#include <cstring>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/this_coro.hpp>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "health/proc.hpp"

namespace vipd::health {

namespace asio = boost::asio;

struct ProcessCheck::Watched
{
    Watched(const asio::any_io_executor& ex, int fd, int p) : descriptor(ex, fd), pid(p) {}

    asio::posix::stream_descriptor descriptor; // the pidfd
    int pid;
    bool exited = false;
    bool cancelled = false;
    Check::Report report;
};

namespace {

constexpr std::size_t max_file = 64 * 1024; // pidfile, cmdline and stat bytes read at most

// The first max_file bytes of a small file, or its errno.
tl::expected<std::string, int> read_small(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tl::unexpected(errno);
    std::string out(max_file, '\0');
    std::size_t have = 0;
    while (have < out.size()) {
        const auto n = ::read(fd, out.data() + have, out.size() - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return tl::unexpected(err);
        }
        if (n == 0)
            break;
        have += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(have);
    return out;
}

int pidfd_open(int pid)
{
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));
}

std::string pidfd_error(int err, int pid)
{
    if (err == ENOSYS)
        return "pidfd_open: this kernel has no pidfd (Linux 5.3 or later is needed)";
    if (err == EPERM || err == EACCES)
        return fmt::format("pidfd_open {}: {} (vipd runs as uid {})", pid, std::strerror(err),
                           ::geteuid());
    return fmt::format("pidfd_open {}: {}", pid, std::strerror(err));
}

bool readable_now(int fd)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

} // namespace

ProcessCheck::ProcessCheck(ProcessCheckConfig config)
    : config_(std::move(config)), words_(cmdline_words(config_.cmdline))
{}

ProcessCheck::~ProcessCheck()
{
    stop_watch();
}

tl::expected<std::unique_ptr<ProcessCheck>, std::string> ProcessCheck::make(ProcessCheckConfig c)
{
    if (c.pidfile.empty() && cmdline_words(c.cmdline).empty())
        return tl::unexpected(std::string("give a pidfile, a cmdline or both"));
    if (!c.pidfile.empty() && c.pidfile.front() != '/')
        return tl::unexpected(fmt::format("pidfile \"{}\" is not an absolute path", c.pidfile));
    if (!c.cmdline.empty() && cmdline_words(c.cmdline).empty())
        return tl::unexpected(std::string("cmdline has no word"));
    return std::unique_ptr<ProcessCheck>(new ProcessCheck(std::move(c)));
}

bool ProcessCheck::matches(int pid) const
{
    if (words_.empty())
        return true;
    const auto raw = read_small(fmt::format("/proc/{}/cmdline", pid));
    return raw && cmdline_matches(words_, *raw);
}

tl::expected<int, Failure> ProcessCheck::from_pidfile() const
{
    const auto text = read_small(config_.pidfile);
    if (!text) {
        const int err = text.error();
        const auto reason = err == ENOENT || err == ENOTDIR ? Reason::no_process : Reason::other;
        return tl::unexpected(
            Failure{reason, fmt::format("pidfile {}: {}", config_.pidfile, std::strerror(err))});
    }
    const auto pid = parse_pidfile(*text);
    if (!pid)
        return tl::unexpected(Failure{Reason::no_process,
                                      fmt::format("pidfile {} {}", config_.pidfile, pid.error())});
    if (!matches(*pid))
        return tl::unexpected(Failure{Reason::no_process,
                                      fmt::format("pidfile {} names {}, which does not run \"{}\"",
                                                  config_.pidfile, *pid, config_.cmdline)});
    return *pid;
}

tl::expected<int, Failure> ProcessCheck::from_cmdline() const
{
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr)
        return tl::unexpected(
            Failure{Reason::other, fmt::format("/proc: {}", std::strerror(errno))});
    const int self = static_cast<int>(::getpid());
    int best = 0;
    std::uint64_t best_start = 0;
    while (const dirent* d = ::readdir(proc)) {
        const auto pid = parse_pidfile(d->d_name);
        if (!pid || *pid == self || !matches(*pid))
            continue;
        const auto stat = read_small(fmt::format("/proc/{}/stat", *pid));
        const auto start = stat ? parse_start_time(*stat) : std::nullopt;
        if (!start)
            continue; // exited meanwhile
        if (best == 0 || *start < best_start || (*start == best_start && *pid < best)) {
            best = *pid;
            best_start = *start;
        }
    }
    ::closedir(proc);
    if (best == 0)
        return tl::unexpected(Failure{
            Reason::no_process, fmt::format("no process matches cmdline \"{}\"", config_.cmdline)});
    return best;
}

tl::expected<int, Failure> ProcessCheck::locate() const
{
    return config_.pidfile.empty() ? from_cmdline() : from_pidfile();
}

tl::expected<void, Failure> ProcessCheck::start_watch(const asio::any_io_executor& ex, int pid)
{
    const int fd = pidfd_open(pid);
    if (fd < 0) {
        const int err = errno;
        if (err == ESRCH)
            return tl::unexpected(Failure{
                Reason::no_process, config_.pidfile.empty()
                                        ? fmt::format("process {} is gone", pid)
                                        : fmt::format("pidfile {} names {}, which is not running",
                                                      config_.pidfile, pid)});
        return tl::unexpected(Failure{Reason::other, pidfd_error(err, pid)});
    }
    if (readable_now(fd)) { // exited, not yet reaped by its parent (a zombie)
        ::close(fd);
        return tl::unexpected(
            Failure{Reason::no_process, fmt::format("process {} has exited", pid)});
    }
    stop_watch();
    auto w = std::make_shared<Watched>(ex, fd, pid);
    w->report = report_;
    watched_ = w;
    w->descriptor.async_wait(
        asio::posix::stream_descriptor::wait_read, [w](const boost::system::error_code& ec) {
            if (ec || w->cancelled)
                return;
            w->exited = true;
            boost::system::error_code ignored;
            w->descriptor.close(ignored);
            if (w->report)
                w->report(down({Reason::process_exited, fmt::format("process {} exited", w->pid)}));
        });
    return {};
}

void ProcessCheck::stop_watch()
{
    if (!watched_)
        return;
    watched_->cancelled = true;
    boost::system::error_code ignored;
    watched_->descriptor.cancel(ignored);
    watched_.reset();
}

asio::awaitable<Outcome> ProcessCheck::probe()
{
    const auto ex = co_await asio::this_coro::executor;
    const bool watching = watched_ && !watched_->exited;
    if (watching && !config_.pidfile.empty()) {
        // A restarted service writes a new pidfile while the old process may still run.
        const auto named = from_pidfile();
        if (named && *named != watched_->pid)
            (void)start_watch(ex, *named);
    }
    if (watched_ && !watched_->exited)
        co_return Outcome{Status::up, fmt::format("process {} running", watched_->pid), {}};
    const auto pid = locate();
    if (!pid)
        co_return down(pid.error());
    if (auto ok = start_watch(ex, *pid); !ok)
        co_return down(ok.error());
    co_return Outcome{Status::up, fmt::format("process {} running", *pid), {}};
}

} // namespace vipd::health
