// The check kinds of the "checks" section, listed once (cli/config/checks.cpp): each row names
// the kind, the keys it accepts, how its JSON is read into the health::ProbeConfig and how that
// probe is shown again as JSON (vipd --check-config). health::make_check builds the probe.
// Adding a kind is one row here and one class in health/; a unit test walks the rows.
// Internal to the configuration parser.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/config/reader.hpp"
#include "health/check_spec.hpp"

namespace vipd::cli::detail {

/// How secrets are shown in the effective configuration.
inline constexpr std::string_view redacted = "<redacted>";

/// One check kind.
struct CheckKind
{
    std::string_view name;              ///< the "kind" value; health::kind_of of its probes
    std::vector<std::string_view> keys; ///< keys it accepts besides the timing keys
    /// Reads the kind's keys of one check object (errors go to the object's Context).
    health::ProbeConfig (*read)(const Object& o);
    /// Writes the kind's keys of `probe` (one of this kind) as the input schema has them.
    void (*write)(const health::ProbeConfig& probe, nlohmann::ordered_json& out);
    /// A minimal valid check object of this kind (JSON text, without "kind"), for tests.
    std::string_view example;
};

/// Every kind, in the order the documentation lists them.
[[nodiscard]] std::span<const CheckKind> check_kinds();

/// The row named `name`, or nullptr.
[[nodiscard]] const CheckKind* find_check_kind(std::string_view name);

/// The keys every kind accepts: "kind" and the timing ("interval", "rise"...).
[[nodiscard]] std::span<const std::string_view> check_timing_keys();

/// url, method, host, headers, credentials (redacted), source address and the TLS settings of
/// an https target: shared by the http/https kinds and the HAProxy stats page.
void put_http_target(nlohmann::ordered_json& o, const health::HttpTarget& t);

} // namespace vipd::cli::detail
