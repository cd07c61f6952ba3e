// vipctl's early request (see vipctl_early.hpp): the command-line grammar it takes, the request
// line, and, when built with VIPCTL_EARLY_ENTRY, the entry point that sends it with raw system
// calls before jumping to the C library's _start.
// Must not: call library functions (memcpy, strlen, syscall(), ...), use errno or allocate.
#include "cli/vipctl/early.hpp"

#include <cstddef>

#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

namespace vipd::cli::early {

namespace {

constexpr const char* default_socket_path = "/run/vipd/vipd.sock";

bool same(const char* a, const char* b) noexcept
{
    while (*a != 0 && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

/// The rest of `word` after `prefix`, or nullptr when `word` does not start with it.
const char* after(const char* word, const char* prefix) noexcept
{
    while (*prefix != 0) {
        if (*word != *prefix)
            return nullptr;
        ++word;
        ++prefix;
    }
    return word;
}

std::size_t length(const char* s) noexcept
{
    std::size_t n = 0;
    while (s[n] != 0)
        ++n;
    return n;
}

int digit(char c) noexcept
{
    return c >= '0' && c <= '9' ? c - '0' : -1;
}

int hex_digit(char c) noexcept
{
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return digit(c);
}

/// Dotted quad without leading zeros, as inet_pton(AF_INET) takes it.
bool parse_v4(const char* p, const char* end, unsigned char* bytes) noexcept
{
    int parts = 0;
    int digits = 0;
    unsigned value = 0;
    for (; p != end; ++p) {
        if (*p == '.') {
            if (digits == 0 || parts == 3)
                return false;
            bytes[parts++] = static_cast<unsigned char>(value);
            digits = 0;
            value = 0;
            continue;
        }
        const int d = digit(*p);
        if (d < 0 || (digits > 0 && value == 0))
            return false;
        value = value * 10 + static_cast<unsigned>(d);
        if (value > 255)
            return false;
        ++digits;
    }
    if (digits == 0 || parts != 3)
        return false;
    bytes[3] = static_cast<unsigned char>(value);
    return true;
}

/// Groups of 1-4 hex digits with at most one "::" standing for at least one group, as
/// inet_pton(AF_INET6) takes them; the dotted IPv4 tail form is left to the normal path.
bool parse_v6(const char* p, const char* end, unsigned char* bytes) noexcept
{
    unsigned words[8];
    int n = 0;
    int gap = -1;
    if (p != end && *p == ':') {
        if (end - p < 2 || p[1] != ':')
            return false;
        gap = 0;
        p += 2;
    }
    while (p != end) {
        unsigned value = 0;
        int digits = 0;
        for (; p != end && hex_digit(*p) >= 0; ++p) {
            value = value * 16 + static_cast<unsigned>(hex_digit(*p));
            if (++digits > 4)
                return false;
        }
        if (digits == 0 || n == 8)
            return false;
        words[n++] = value;
        if (p == end)
            break;
        if (*p != ':' || ++p == end)
            return false;
        if (*p == ':') {
            if (gap >= 0)
                return false;
            gap = n;
            ++p;
        }
    }
    if (gap < 0 ? n != 8 : n > 7)
        return false;
    const int skipped = 8 - n;
    for (int w = 0, k = 0; w < 8; ++w) {
        const bool zero = gap >= 0 && w >= gap && w < gap + skipped;
        const unsigned value = zero ? 0 : words[k++];
        bytes[2 * w] = static_cast<unsigned char>(value >> 8);
        bytes[2 * w + 1] = static_cast<unsigned char>(value);
    }
    return true;
}

/// A prefix bgp::Prefix::parse accepts (a subset of its forms): an address, optionally "/LEN"
/// with 1-3 digits up to 32 or 128, no host bits set. Its characters need no JSON escaping.
bool valid_prefix(const char* text) noexcept
{
    const char* slash = text;
    bool v6 = false;
    for (; *slash != 0 && *slash != '/'; ++slash)
        v6 = v6 || *slash == ':';
    unsigned char bytes[16];
    for (auto& b : bytes)
        b = 0;
    if (!(v6 ? parse_v6(text, slash, bytes) : parse_v4(text, slash, bytes)))
        return false;
    const unsigned max = v6 ? 128 : 32;
    unsigned length = max;
    if (*slash == '/') {
        const char* p = slash + 1;
        length = 0;
        int digits = 0;
        for (; *p != 0; ++p, ++digits) {
            const int d = digit(*p);
            if (d < 0 || digits == 3)
                return false;
            length = length * 10 + static_cast<unsigned>(d);
        }
        if (digits == 0 || length > max)
            return false;
    }
    for (unsigned bit = length; bit < max; ++bit)
        if ((bytes[bit / 8] >> (7 - bit % 8)) & 1u)
            return false;
    return true;
}

class LineWriter
{
public:
    explicit LineWriter(Request& r) noexcept : r_(r) { r_.line_length = 0; }
    bool put(const char* s) noexcept
    {
        for (; *s != 0; ++s) {
            if (r_.line_length == max_line)
                return false;
            r_.line[r_.line_length++] = *s;
        }
        return true;
    }

private:
    Request& r_;
};

} // namespace

bool build(int argc, char* const* argv, char* const* envp, Request& out) noexcept
{
    const char* socket = nullptr;
    int i = 1;
    while (i < argc) {
        const char* w = argv[i];
        if (same(w, "--json")) {
            ++i;
        } else if (same(w, "-s") || same(w, "--socket")) {
            if (i + 1 >= argc || *argv[i + 1] == 0)
                return false;
            socket = argv[i + 1];
            i += 2;
        } else if (const char* v = after(w, "--socket="); v != nullptr) {
            if (*v == 0)
                return false;
            socket = v;
            ++i;
        } else {
            break;
        }
    }
    if (i + 2 != argc || !(same(argv[i], "announce") || same(argv[i], "withdraw")))
        return false;
    const char* prefix = argv[i + 1];
    if (!valid_prefix(prefix))
        return false;
    // $VIPD_SOCKET as main() reads it: getenv's first entry, unless that one is empty.
    for (; socket == nullptr && envp != nullptr && *envp != nullptr; ++envp)
        if (const char* v = after(*envp, "VIPD_SOCKET="); v != nullptr) {
            socket = *v != 0 ? v : default_socket_path;
            break;
        }
    if (socket == nullptr)
        socket = default_socket_path;
    out.socket = socket;
    out.socket_length = length(socket);
    out.command = argv[i];
    out.prefix = prefix;
    LineWriter line(out);
    return line.put("{\"args\":{\"prefixes\":[\"") && line.put(prefix) &&
           line.put("\"]},\"command\":\"") && line.put(out.command) && line.put("\"}\n");
}

namespace {

// constinit: in the image as loaded; a dynamic initialiser would run after the entry point.
constinit Sent sent_early; // written by the entry point, before the C library starts

} // namespace

Sent take_sent() noexcept
{
    const Sent s = sent_early;
    sent_early.fd = -1;
    return s;
}

#if defined(VIPCTL_EARLY_ENTRY) && defined(__x86_64__) && defined(__linux__)

// Instrumentation calls into its runtime, which is not running yet (cli/CMakeLists.txt enables
// the entry point only for builds without sanitizers).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#error "vipctl's early entry point cannot run sanitizer-instrumented code"
#endif

namespace {

constexpr long early_reply_wait_ms = 1000;

long raw_syscall(long number, long a, long b, long c, long d = 0, long e = 0, long f = 0) noexcept
{
    long result = 0;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

/// Connects and writes the whole request without blocking; on any failure closes the socket
/// and leaves the call to main() (a full listen queue, a missing daemon, a short write: the
/// normal path retries, waits or reports the error with its usual message).
void send_early(int argc, char* const* argv, char* const* envp) noexcept
{
    static Request request; // zero-initialised by the loader, not by a call to memset
    if (!build(argc, argv, envp, request))
        return;
    static sockaddr_un address;
    if (request.socket_length >= sizeof address.sun_path)
        return;
    address.sun_family = AF_UNIX;
    for (std::size_t k = 0; k <= request.socket_length; ++k)
        address.sun_path[k] = request.socket[k];
    const long fd = raw_syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    const long address_length =
        static_cast<long>(offsetof(sockaddr_un, sun_path) + request.socket_length + 1);
    const bool sent =
        raw_syscall(SYS_connect, fd, reinterpret_cast<long>(&address), address_length) == 0 &&
        raw_syscall(SYS_sendto, fd, reinterpret_cast<long>(request.line),
                    static_cast<long>(request.line_length),
                    MSG_NOSIGNAL) == static_cast<long>(request.line_length);
    if (!sent) {
        raw_syscall(SYS_close, fd, 0, 0);
        return;
    }
    // Off the CPU until the reply (the daemon writes it after the UPDATE): the C library's
    // start-up would otherwise compete with the daemon and the router for the CPUs right when
    // they act on the request. Bounded: main() then waits as usual.
    static pollfd reply{};
    reply.fd = static_cast<int>(fd);
    reply.events = POLLIN;
    raw_syscall(SYS_poll, reinterpret_cast<long>(&reply), 1, early_reply_wait_ms);
    sent_early.fd = static_cast<int>(fd);
    sent_early.command = request.command;
    sent_early.prefix = request.prefix;
    sent_early.socket = request.socket;
}

} // namespace

} // namespace vipd::cli::early

/// Called by vipctl_entry with the initial stack: argc, argv..., NULL, envp..., NULL.
extern "C" void vipctl_early_send(long* stack) noexcept
{
    const int argc = static_cast<int>(stack[0]);
    auto* const* argv = reinterpret_cast<char* const*>(stack + 1);
    vipd::cli::early::send_early(argc, argv, argv + argc + 1);
}

// The process entry point: keeps the initial stack pointer and %rdx (the x86-64 ABI's exit
// function argument) in callee-saved registers, sends the early request, restores both and
// continues in the C library's own _start as if the kernel had started it there.
__asm__(R"(
    .text
    .globl vipctl_entry
    .type vipctl_entry, @function
vipctl_entry:
    endbr64
    mov %rsp, %rbx
    mov %rdx, %r12
    mov %rsp, %rdi
    and $-16, %rsp
    call vipctl_early_send
    mov %rbx, %rsp
    mov %r12, %rdx
    jmp _start
    .size vipctl_entry, . - vipctl_entry
)");

#else

} // namespace vipd::cli::early

#endif
