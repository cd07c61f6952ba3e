// vipctl's early request. `vipctl [--json] [-s PATH] announce|withdraw PREFIX` is the call
// scripts and health hooks make on every state change, so its latency counts. A static glibc
// program spends about 0.5 ms in start-up before main() on virtual machines, almost all of it
// reading the CPU's cache geometry with CPUID, which traps to the hypervisor. For that one
// command shape, vipctl's entry point (vipctl_entry, linked with -Wl,-e) connects to the
// control socket and writes the request before the C library starts, then sleeps in poll()
// until the reply is there (at most 1 s), so its start-up does not compete for the CPUs with
// the daemon and the router while they act on the request; main() then parses the command line
// as usual, checks it is the request already sent, and only reads and prints the reply.
// Everything else, and any failure on the early path, takes the normal path.
// The early path takes only prefixes the normal path accepts (a subset of bgp::Prefix::parse's
// forms, checked by its own small parser here), so mistakes are still reported before the
// daemon is asked; the request is then byte for byte what the normal path sends for the
// canonical spelling (tests/cli/vipctl_early_test.cpp).
// Must not (vipctl_early.cpp): call any library function, touch errno or other thread-local
// state, allocate, or throw: it runs before the C library is initialised. Compiled freestanding
// without stack protector and without loop-to-memset/memcpy conversion (cli/CMakeLists.txt).
#pragma once

#include <cstddef>

namespace vipd::cli::early {

/// Longest request line the early path builds (a longer prefix text takes the normal path).
inline constexpr std::size_t max_line = 256;

/// A command line the early path takes, and its request line.
struct Request
{
    const char* socket;        ///< the control socket path (argv, $VIPD_SOCKET or the default)
    std::size_t socket_length; ///< without the terminating NUL
    const char* command;       ///< "announce" or "withdraw" (the argv word)
    const char* prefix;        ///< the prefix as typed (the argv word)
    char line[max_line];       ///< {"args":{"prefixes":["PREFIX"]},"command":"COMMAND"}\n
    std::size_t line_length;
};

/// Recognises `vipctl [--json | -s PATH | --socket PATH | --socket=PATH]... announce|withdraw
/// PREFIX` (exactly one valid prefix, see vipctl_early.cpp, and no other option; the last
/// socket option wins, then $VIPD_SOCKET from `envp`, then /run/vipd/vipd.sock, as main()
/// decides) and fills `out`. False for any other command line. No library calls.
bool build(int argc, char* const* argv, char* const* envp, Request& out) noexcept;

/// What the entry point sent: the connected socket with the whole request line written.
struct Sent
{
    int fd = -1; ///< -1: nothing was sent early
    const char* command = nullptr;
    const char* prefix = nullptr;
    const char* socket = nullptr;
};

/// The early request, once (later calls return fd -1). Without the early entry point (tests,
/// sanitizer builds, other architectures) nothing is ever sent early.
Sent take_sent() noexcept;

} // namespace vipd::cli::early
