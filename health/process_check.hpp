// `process` check: the service's process, named by a pidfile (re-read at every probe, since a
// restarted service writes a new one) and/or found by its command line (health/proc.hpp), is
// watched through a pidfd (pidfd_open(2), Linux 5.3+) registered on the event loop: its exit is
// reported through Check::watch in the event-loop turn the kernel signals it, not at the next
// probe. Probes (at the check's interval) find the process when none is watched and count its
// life towards rise. Works for any process (no ptrace, not only children). Reads only small
// files under /proc and the pidfile; never signals or waits for the process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "health/check.hpp"

namespace vipd::health {

struct ProcessCheckConfig
{
    /// Absolute path of the service's pidfile; empty: find the process by `cmdline` alone.
    std::string pidfile;
    /// Words the process's command line starts with (proc.hpp cmdline_matches). With a pidfile:
    /// the process it names must match too (guards against a stale pidfile whose pid was
    /// reused). Without: the earliest started matching process (not vipd itself) is watched.
    std::string cmdline;
    bool operator==(const ProcessCheckConfig&) const = default;
};

class ProcessCheck final : public Check
{
public:
    /// At least one of pidfile (absolute) and cmdline (with a word).
    [[nodiscard]] static tl::expected<std::unique_ptr<ProcessCheck>, std::string>
    make(ProcessCheckConfig config);
    ~ProcessCheck() override;
    ProcessCheck(const ProcessCheck&) = delete;
    ProcessCheck& operator=(const ProcessCheck&) = delete;

    /// up "process 1234 running" (watched from now on) | down no_process "pidfile /x: No such
    /// file or directory", "pidfile /x names 1234, which is not running", "no process matches
    /// cmdline \"haproxy -f\"" | down other "pidfd_open: ..." (no pidfd in this kernel,
    /// permission denied).
    boost::asio::awaitable<Outcome> probe() override;
    [[nodiscard]] std::string_view kind() const override { return "process"; }
    /// Reports down process_exited "process 1234 exited" when the watched process exits.
    void watch(Report report) override { report_ = std::move(report); }

    struct Watched;

private:
    explicit ProcessCheck(ProcessCheckConfig config);
    /// The pid to watch, or why there is none.
    [[nodiscard]] tl::expected<int, Failure> locate() const;
    [[nodiscard]] tl::expected<int, Failure> from_pidfile() const;
    [[nodiscard]] tl::expected<int, Failure> from_cmdline() const;
    [[nodiscard]] bool matches(int pid) const;
    /// Opens a pidfd on `pid` and waits for its exit on `executor`.
    [[nodiscard]] tl::expected<void, Failure> start_watch(const boost::asio::any_io_executor& ex,
                                                          int pid);
    void stop_watch();

    ProcessCheckConfig config_;
    std::vector<std::string> words_;
    Report report_;
    std::shared_ptr<Watched> watched_;
};

} // namespace vipd::health
