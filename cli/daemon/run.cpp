// `vipd -c FILE`: the daemon's main loop (see daemon.hpp).
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/daemon/daemon.hpp"

namespace vipd::cli {

namespace {

/// The journal when systemd connected stderr to it ($JOURNAL_STREAM names stderr's file).
LogStream stderr_stream()
{
    const char* env = std::getenv("JOURNAL_STREAM");
    struct stat st = {};
    if (!env || fstat(STDERR_FILENO, &st) != 0)
        return LogStream::terminal;
    return stderr_is_journal(env, static_cast<std::uint64_t>(st.st_dev),
                             static_cast<std::uint64_t>(st.st_ino))
               ? LogStream::journal
               : LogStream::terminal;
}

} // namespace

int run_daemon(const std::filesystem::path& config_path)
{
    auto config = load_config(config_path);
    if (!config) {
        for (const auto& e : config.error())
            std::fprintf(stderr, "vipd: %s\n", to_string(e).c_str());
        return 1;
    }
    Log log(config->global.log_level, config->global.log_format, stderr_stream());
    boost::asio::io_context io(1);
    Daemon daemon(io, config_path, std::move(*config), log);
    if (auto r = daemon.start(); !r) {
        log.write(LogLevel::error, "daemon", {{"event", "start failed"}, {"error", r.error()}});
        return 1;
    }
    release_free_memory();
    io.run();
    // Stopped. A second stop signal may still be on its way (timeout(1) sends one to its child
    // and one to its process group; an impatient operator presses ^C twice): once `daemon`'s
    // signal_set is destroyed, the default action would end a clean stop as "killed by
    // SIGTERM". Blocked now (vipd's only thread; Asio's own threads block every signal), such a
    // signal stays pending until the process exits with its status.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&stop_signals, sig);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    return 0;
}

} // namespace vipd::cli
