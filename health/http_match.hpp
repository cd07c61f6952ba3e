// Pure HTTP response matching for http/https checks: expected status list/ranges and an optional
// body substring or regular expression (ECMAScript), applied to a bounded body prefix.
// No I/O; tested on plain strings.
#pragma once

#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "health/outcome.hpp"

namespace vipd::health {

/// Inclusive HTTP status range; a single code is {code, code}.
struct StatusRange
{
    unsigned first = 200;
    unsigned last = 299;
    bool operator==(const StatusRange&) const = default;
};

/// Parse "200-299,301, 404": comma-separated codes or ranges, each within 100..599.
/// Errors name the offending item.
[[nodiscard]] tl::expected<std::vector<StatusRange>, std::string>
parse_status_ranges(std::string_view text);

/// "200-299,301" (inverse of parse_status_ranges).
[[nodiscard]] std::string to_string(const std::vector<StatusRange>& ranges);

/// What a healthy response looks like. Empty `body_contains`/`body_regex` = no body check.
struct ResponseExpect
{
    std::vector<StatusRange> status{{200, 299}};
    std::string body_contains;
    std::string body_regex;
    bool operator==(const ResponseExpect&) const = default;
};

struct MatchResult
{
    bool ok = false;
    std::string detail;           ///< "HTTP 200", "HTTP 503", "HTTP 200, body lacks \"ready\""
    Reason reason = Reason::none; ///< http_status or body_mismatch when not ok
};

/// A compiled ResponseExpect.
class ResponseMatcher
{
public:
    /// Validates the expectation (non-empty status list, compilable regex).
    [[nodiscard]] static tl::expected<ResponseMatcher, std::string> make(ResponseExpect expect);

    /// Whether the body must be read at all.
    [[nodiscard]] bool needs_body() const;

    /// Match a response; `body` is the first bytes read, `truncated` when more followed.
    [[nodiscard]] MatchResult match(unsigned status, std::string_view body, bool truncated) const;

private:
    ResponseExpect expect_;
    std::shared_ptr<const std::regex> regex_;
};

} // namespace vipd::health
