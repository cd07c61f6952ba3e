// `exec` check: run a command; exit status 0 means up. argv is executed directly (PATH searched),
// through /bin/sh -c only when `shell` is set. The command runs as health/process.hpp describes
// (own process group, output capped at max_output, exit awaited on a pidfd: nothing blocks);
// when the probe ends early (the monitor's timeout cancels it) its process group gets SIGKILL.
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
