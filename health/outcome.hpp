// Result of one probe and the vocabulary shared by every health check kind.
// Pure values: no I/O, no clock. A target that is down is an Outcome, never an exception.
// Knows nothing of BGP, prefixes or peers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vipd::health {

/// What a probe saw, and what a rule leaf is (announce::LeafState is this type). `disabled`:
/// local maintenance (file, operator); `maint` and `drain`: the target itself reports
/// maintenance / draining (HAProxy MAINT, DRAIN/NOLB), distinct from down. `unknown`: no verdict
/// yet (a check still counting towards its first one); never a probe's result.
enum class Status : std::uint8_t { unknown, up, down, disabled, maint, drain };

/// Why a probe was not up, typed: set by the check that knows the cause, counted by metrics
/// (never re-derived from the text). `none` for a probe that is up.
enum class Reason : std::uint8_t {
    none,
    timeout,        ///< no answer within the check's timeout (or the socket's own timeout)
    refused,        ///< connection refused
    reset,          ///< connection reset or closed early, broken pipe
    unreachable,    ///< host or network unreachable
    http_status,    ///< HTTP status outside the expected ranges
    body_mismatch,  ///< HTTP body lacks the expected text or does not match the regex
    tls,            ///< TLS handshake failed (verification included)
    exit_status,    ///< exec check: non-zero exit, killed by a signal, cannot spawn
    haproxy,        ///< HAProxy reports the proxy down, in maintenance or absent
    maintenance,    ///< a local maintenance file exists
    dns_rcode,      ///< dns check: the RCODE is not the expected one (NXDOMAIN, SERVFAIL...)
    dns_answer,     ///< dns check: no answer contains the text, or AA / AD clear
    dns_mismatch,   ///< dns check: the reply does not answer our query (ID, question)
    dns_malformed,  ///< dns check: the reply is malformed or larger than the buffer offered
    dns_truncated,  ///< dns check: truncated (TC) over TCP
    no_process,     ///< process check: no process (pidfile absent or stale, no command line match)
    process_exited, ///< process check: the watched process exited (reported by its pidfd)
    not_listening,  ///< listen check: no socket listens on the address and port
    other,          ///< anything else (socket errors, malformed replies, internal failures)
};

/// Metric label of a reason: "none", "timeout", "refused", "reset", "unreachable",
/// "http_status", "http_body", "tls", "exit", "haproxy", "maintenance", "dns_rcode",
/// "dns_answer", "dns_mismatch", "dns_malformed", "dns_truncated", "no_process",
/// "process_exited", "not_listening", "other".
[[nodiscard]] std::string_view to_string(Reason reason);

/// A failure on the way to a result: its typed reason and its text ("connect refused").
struct Failure
{
    Reason reason = Reason::other;
    std::string detail;
    bool operator==(const Failure&) const = default;
};

/// One probe result: status, a short human cause ("connect refused", "HTTP 503"), latency and,
/// when not up, the typed reason.
struct Outcome
{
    Status status = Status::down;
    std::string detail;
    std::chrono::microseconds took{0}; ///< probe latency (the poll's, for HAProxy references)
    Reason reason = Reason::none;

    [[nodiscard]] bool up() const { return status == Status::up; }
    bool operator==(const Outcome&) const = default;
};

[[nodiscard]] std::string_view to_string(Status status);

/// A down Outcome for `failure` (latency filled in by the Monitor).
[[nodiscard]] Outcome down(Failure failure);

/// "2 s", "1.5 s", "250 ms": durations as operators read them in causes and logs (rounded to
/// 0.1 s; the configuration's exact syntax "1m30s" is cli::format_duration).
[[nodiscard]] std::string readable_duration(std::chrono::milliseconds duration);

} // namespace vipd::health
