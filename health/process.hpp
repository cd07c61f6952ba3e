// Running a command without blocking the event loop, shared by the `exec` check and the daemon's
// hooks: posix_spawn into a new process group with stdin from /dev/null, stdout+stderr into one
// pipe of which at most max_output bytes are kept (the rest is read and dropped, so the child
// never blocks on a full pipe), exit awaited on a pidfd (pidfd_open, Linux >= 5.3). When the
// awaiting coroutine is cancelled (a timeout) the whole process group gets SIGKILL and the child
// is reaped asynchronously; after a normal exit, leftovers in its process group are killed too.
// Must not: interpret the exit status (callers decide what up or failed means).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <sys/types.h>

namespace vipd::health {

/// What to run. argv[0] is searched in PATH; `env` entries (NAME=value) are added to the
/// daemon's environment.
struct ProcessSpec
{
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::size_t max_output = 4096;
    /// Optional: set to the child's pid (its process group) once it runs, also when the run is
    /// cancelled later.
    std::shared_ptr<pid_t> started;
};

/// Why a command did not run.
enum class ProcessError : std::uint8_t {
    none,
    pipe,  ///< no pipe for its output (descriptors exhausted)
    spawn, ///< posix_spawnp failed: no such program, not executable
};

/// How a run ended.
struct ProcessResult
{
    bool spawned = false; ///< false: no exit status; `error` says why
    ProcessError failure = ProcessError::none;
    std::string error;            ///< "spawn /bin/nope: No such file or directory"
    pid_t pid = 0;                ///< the child's pid, also its process group id
    int wait_status = 0;          ///< as waitpid(2) reports it
    std::string output;           ///< the first max_output bytes of stdout+stderr
    std::size_t output_bytes = 0; ///< bytes the command wrote in all (output may be shorter)
};

/// Runs `spec` to its end. Cancellation (the `||` of a timer) kills the process group.
[[nodiscard]] boost::asio::awaitable<ProcessResult> run_process(ProcessSpec spec);

/// "exit 0", "exit 2", "killed by signal 9", from a wait status.
[[nodiscard]] std::string describe_wait_status(int wait_status);

} // namespace vipd::health
