// The kernel floor of a TCP connect check, for bench/health_checks.sh (own main, not a Google
// Benchmark): the least a checker must do per probe, in one process and one thread, paced like
// the Monitor (N targets, each probed once per interval, first probes spread evenly over one
// interval, due probes started on a 10 ms tick):
//   socket(SOCK_NONBLOCK) -> connect (EINPROGRESS) -> epoll_ctl ADD (EPOLLOUT) -> epoll_wait
//   -> EPOLLERR? failure : success -> setsockopt(SO_LINGER 0) -> close (an RST).
// With `delack`, TCP_QUICKACK is cleared before connect, as HAProxy's checker does: the ACK of
// the SYN-ACK waits for data that never comes and the RST goes first, so the listener never
// completes the handshake (no accept, no established socket to tear down).
// No timeout (a probe that never completes would stay open: loopback answers at once), no
// verdict beyond the counts. After WARMUP seconds it measures itself for SECONDS (getrusage,
// /proc/self/status, /proc/self/smaps_rollup) and prints one "window ..." line, the format of
// health_load_bench.
//   health_connect_floor_bench PORT N INTERVAL_MS WARMUP SECONDS [delack]
// Loopback only (127.0.0.1), bounded in time.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/proc_kib.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto tick = std::chrono::milliseconds{10};

struct Counts
{
    std::uint64_t probes = 0;
    std::uint64_t failures = 0;
};

double cpu(const timeval& tv)
{
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// Starts one probe; false (and counted as a failure) when the socket cannot even be opened.
bool start(int ep, const sockaddr_in& target, bool delack, Counts& counts)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++counts.failures;
        return false;
    }
    if (delack) {
        const int zero = 0;
        ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
    }
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0 &&
        errno != EINPROGRESS) {
        ++counts.probes;
        ++counts.failures;
        ::close(fd);
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.fd = fd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return true;
}

void finish(const epoll_event& ev, Counts& counts)
{
    ++counts.probes;
    counts.failures += (ev.events & (EPOLLERR | EPOLLHUP)) != 0 ? 1 : 0;
    const linger reset{1, 0};
    ::setsockopt(ev.data.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(ev.data.fd);
}

int run(std::uint16_t port, int n, int interval_ms, int warmup, int seconds, bool delack)
{
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(port);
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    const auto interval = std::chrono::milliseconds{interval_ms};
    const auto t0 = Clock::now();
    // Targets sorted by due time: the first probes spread over one interval, then each one
    // interval after the last; a round-robin cursor finds the due ones.
    std::vector<Clock::time_point> due(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < due.size(); ++i) {
        due[i] = t0 + interval * static_cast<long>(i) / n;
    }
    Counts counts;
    std::size_t next = 0;
    std::vector<epoll_event> events(1024);
    const auto measure_at = t0 + std::chrono::seconds{warmup};
    const auto end = measure_at + std::chrono::seconds{seconds};
    bool measuring = false;
    Counts c0;
    rusage r0{};
    Clock::time_point w0;
    while (true) {
        const auto now = Clock::now();
        if (!measuring && now >= measure_at) {
            measuring = true;
            c0 = counts;
            w0 = now;
            ::getrusage(RUSAGE_SELF, &r0);
        }
        if (now >= end) {
            break;
        }
        while (!due.empty() && due[next] <= now) {
            start(ep, target, delack, counts);
            due[next] += interval;
            next = (next + 1) % due.size();
        }
        // Sleep until the tick of the next due probe (as the Monitor rounds its deadlines).
        const auto wake = due.empty() ? end : due[next] + tick - (due[next] - t0) % tick;
        const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(
            std::max(Clock::duration::zero(), std::min(wake, end) - now));
        const int got = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()),
                                     static_cast<int>(wait_ms.count()));
        for (int i = 0; i < got; ++i) {
            finish(events[static_cast<std::size_t>(i)], counts);
        }
    }
    rusage r1{};
    ::getrusage(RUSAGE_SELF, &r1);
    const auto wall = std::chrono::duration<double>(Clock::now() - w0).count();
    const long pss = kib("/proc/self/smaps_rollup", "Pss:");
    const long priv = kib("/proc/self/smaps_rollup", "Private_Clean:") +
                      kib("/proc/self/smaps_rollup", "Private_Dirty:");
    std::printf("window wall=%.3f probes=%llu failures=%llu cpu_user=%.3f cpu_sys=%.3f "
                "rss_kib=%ld hwm_kib=%ld pss_kib=%ld private_kib=%ld minflt=%ld\n",
                wall, static_cast<unsigned long long>(counts.probes - c0.probes),
                static_cast<unsigned long long>(counts.failures - c0.failures),
                cpu(r1.ru_utime) - cpu(r0.ru_utime), cpu(r1.ru_stime) - cpu(r0.ru_stime),
                kib("/proc/self/status", "VmRSS:"), kib("/proc/self/status", "VmHWM:"), pss, priv,
                r1.ru_minflt - r0.ru_minflt);
    ::close(ep);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const bool delack = argc == 7 && std::string(argv[6]) == "delack";
    if (argc != 6 && !delack) {
        std::fprintf(stderr, "usage: %s PORT N INTERVAL_MS WARMUP SECONDS [delack]\n", argv[0]);
        return 2;
    }
    return run(static_cast<std::uint16_t>(std::stoi(argv[1])), std::stoi(argv[2]),
               std::stoi(argv[3]), std::stoi(argv[4]), std::stoi(argv[5]), delack);
}
