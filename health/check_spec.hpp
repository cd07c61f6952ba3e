// Plain configuration of one named check, as the daemon's config parser fills it: the probe
// (one struct per kind) and its timing. Aggregates with documented defaults; validated by
// make_check() / validate() before the Monitor accepts them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <tl/expected.hpp>

#include "health/check.hpp"
#include "health/dns_check.hpp"
#include "health/exec_check.hpp"
#include "health/file_check.hpp"
#include "health/http_check.hpp"
#include "health/listen_check.hpp"
#include "health/process_check.hpp"
#include "health/rise_fall.hpp"
#include "health/tcp_check.hpp"

namespace vipd::health {

/// A reference to HAProxy's view (`b:NAME`, `f:NAME`, `s:BACKEND/SERVER`) on a named instance
/// (Monitor::add_haproxy). It is evaluated on every poll of that instance, not probed on its own;
/// HAProxy already applies its own rise/fall, hence the defaults of 1 (these replace
/// CheckTiming::rise/fall; the other CheckTiming fields except `initial` do not apply).
struct HaproxyRefConfig
{
    std::string instance;
    std::string ref;
    unsigned rise = 1;
    unsigned fall = 1;
    bool operator==(const HaproxyRefConfig&) const = default;
};

/// Overload set for std::visit over ProbeConfig: a kind without its lambda is a compile error.
template <class... F> struct Overloaded : F...
{
    using F::operator()...;
};
template <class... F> Overloaded(F...) -> Overloaded<F...>;

/// The probe of one check, one alternative per kind (tcp, http/https, exec, file, haproxy, dns,
/// process, listen).
using ProbeConfig =
    std::variant<TcpCheckConfig, HttpCheckConfig, ExecCheckConfig, FileCheckConfig,
                 HaproxyRefConfig, DnsCheckConfig, ProcessCheckConfig, ListenCheckConfig>;

/// Scheduling and counting, identical for every kind.
struct CheckTiming
{
    std::chrono::milliseconds interval{5000};      ///< probe start to probe start, up or down
    std::chrono::milliseconds fast_interval{1000}; ///< while rising, falling or init
    std::chrono::milliseconds timeout{2000};       ///< per probe, applied by the Monitor
    unsigned rise = 2;                             ///< successes to go up
    unsigned fall = 3;                             ///< failures to go down
    InitialState initial = InitialState::down;     ///< down until it rises, by default
    /// First probe after a delay drawn uniformly in [0, jitter) so that thousands of checks do
    /// not fire together; default (nullopt): [0, interval).
    std::optional<std::chrono::milliseconds> jitter;
    bool operator==(const CheckTiming&) const = default;
};

struct CheckSpec
{
    std::string name; ///< unique within the Monitor
    ProbeConfig probe;
    CheckTiming timing;
    bool operator==(const CheckSpec&) const = default;
};

/// Positive durations, rise and fall >= 1.
[[nodiscard]] tl::expected<void, std::string> validate(const CheckTiming& timing);

/// Build the probe of a tcp/http/exec/file/dns config; errors name the bad field.
/// HaproxyRefConfig has no probe of its own: error.
[[nodiscard]] tl::expected<std::unique_ptr<Check>, std::string>
make_check(const ProbeConfig& config);

/// "tcp", "http"/"https", "exec", "file", "haproxy", "dns", "process", "listen".
[[nodiscard]] std::string_view kind_of(const ProbeConfig& config);

} // namespace vipd::health
