// `vipd -c FILE`: the daemon's main loop (see daemon.hpp).
#include <cstdio>

#include "cli/daemon/daemon.hpp"

namespace vipd::cli {

int run_daemon(const std::filesystem::path& config_path)
{
    auto config = load_config(config_path);
    if (!config) {
        for (const auto& e : config.error())
            std::fprintf(stderr, "vipd: %s\n", to_string(e).c_str());
        return 1;
    }
    Log log(config->global.log_level, config->global.log_format);
    boost::asio::io_context io(1);
    Daemon daemon(io, config_path, std::move(*config), log);
    if (auto r = daemon.start(); !r) {
        log.write(LogLevel::error, "daemon", {{"event", "start failed"}, {"error", r.error()}});
        return 1;
    }
    release_free_memory();
    io.run();
    return 0;
}

} // namespace vipd::cli
