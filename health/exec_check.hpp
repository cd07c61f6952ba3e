// `exec` check: run a command; exit status 0 means up. argv is executed directly (PATH searched),
// through /bin/sh -c only when `shell` is set. The child gets its own process group, stdin from
// /dev/null, stdout+stderr into one pipe of which at most max_output bytes are kept (the rest is
// read and dropped, so the child never blocks on a full pipe). Exit is awaited on a pidfd
// (pidfd_open, Linux >= 5.3) on the event loop: nothing blocks. When the probe ends early (the
// monitor's timeout cancels it) the whole process group gets SIGKILL and the child is reaped
// asynchronously; after a normal exit, leftovers in its process group are killed too.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "health/check.hpp"

namespace vipd::health {

struct ExecCheckConfig
{
    std::vector<std::string> argv; ///< program and arguments (required)
    bool shell = false;            ///< true: argv holds one command line, run by /bin/sh -c
    std::vector<std::string> env;  ///< extra NAME=value entries on top of the daemon's
    std::size_t max_output = 4096; ///< output bytes kept for the cause
    bool operator==(const ExecCheckConfig&) const = default;
};

class ExecCheck final : public Check
{
public:
    [[nodiscard]] static tl::expected<std::unique_ptr<ExecCheck>, std::string>
    make(ExecCheckConfig config);

    /// Outcome detail: "exit 0", "exit 2: <first output line>", "killed by signal 9".
    boost::asio::awaitable<Outcome> probe() override;
    [[nodiscard]] std::string_view kind() const override { return "exec"; }

    /// Output of the last completed run (at most max_output bytes).
    [[nodiscard]] const std::string& last_output() const { return last_output_; }

private:
    ExecCheck() = default;

    ExecCheckConfig config_;
    std::vector<std::string> argv_;
    std::string last_output_;
};

} // namespace vipd::health
