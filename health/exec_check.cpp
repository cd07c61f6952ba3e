// Command check: runs the command (health/process.hpp) and turns its exit into an Outcome.
#include "health/exec_check.hpp"

// GCC 12 false positive on coroutine frames of awaitable operators (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <fmt/format.h>
#include <sys/wait.h>

#include "health/process.hpp"

namespace vipd::health {

namespace asio = boost::asio;

namespace {

constexpr std::size_t cause_line_max = 200; // output characters quoted in a cause

std::string exit_detail(int status, std::string_view output)
{
    std::string detail = describe_wait_status(status);
    auto line = output.substr(0, output.find('\n'));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
        line.remove_suffix(1);
    }
    if (!line.empty()) {
        detail += fmt::format(": {}", line.substr(0, cause_line_max));
    }
    return detail;
}

} // namespace

tl::expected<std::unique_ptr<ExecCheck>, std::string> ExecCheck::make(ExecCheckConfig config)
{
    if (config.argv.empty() || config.argv.front().empty()) {
        return tl::unexpected(std::string("exec check without a command"));
    }
    if (config.shell && config.argv.size() != 1) {
        return tl::unexpected(std::string("exec check with shell: give one command line"));
    }
    for (const auto& e : config.env) {
        if (e.find('=') == std::string::npos || e.front() == '=') {
            return tl::unexpected(fmt::format("environment entry \"{}\" is not NAME=value", e));
        }
    }
    std::unique_ptr<ExecCheck> check(new ExecCheck());
    check->argv_ =
        config.shell ? std::vector<std::string>{"/bin/sh", "-c", config.argv.front()} : config.argv;
    check->config_ = std::move(config);
    return check;
}

asio::awaitable<Outcome> ExecCheck::probe()
{
    // A named spec: GCC 12 destroys a braced temporary in a co_await expression twice.
    ProcessSpec spec{argv_, config_.env, config_.max_output, nullptr};
    auto result = co_await run_process(std::move(spec));
    if (!result.spawned)
        co_return down({result.failure == ProcessError::spawn ? Reason::exit_status : Reason::other,
                        result.error});
    last_output_ = result.output;
    const int status = result.wait_status;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    co_return Outcome{ok ? Status::up : Status::down,
                      exit_detail(status, result.output),
                      {},
                      ok ? Reason::none : Reason::exit_status};
}

} // namespace vipd::health
