// HAProxy ALOHA / HAProxy Enterprise route health injection (RHI) rule files, read unchanged so
// their users can bring their rules over. One rule per line:
//   <network>[, <network> ...] = <rule>      network := prefix | prefix%table | table%prefix
//   192.168.1.10/32, 2001:db8::1 = any(b:be_app, b:be_app2)
// '#' starts a comment to the end of the line; blank lines are skipped; spaces and tabs are
// allowed around every token; CRLF line ends are accepted. A bare address means /32 or /128.
// A table name joined to a network by '%' names the routing table (BIRD "volatile" protocol)
// the ALOHA injected into; both spellings are accepted (whichever side of '%' is an address
// is the prefix). It is returned as is so the caller can ignore it or map it (for example to
// a neighbor subset).
// The rule is the vipd rule language (rule.hpp), a superset of ALOHA's all()/any() over
// f:/b: references, or ALOHA's bare `never` / `always`.
// Must not: read files (the caller passes the text), resolve HAProxy names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "announce/rule.hpp"
#include "bgp/types.hpp"

namespace vipd::announce {

/// One network of an RHI line.
struct RhiNetwork
{
    bgp::Prefix prefix;
    std::string table;      ///< the table joined by '%', without it; empty when absent
    std::size_t column = 0; ///< 1-based column of the network on its line
    bool operator==(const RhiNetwork&) const = default;
};

/// One RHI line.
struct RhiEntry
{
    std::vector<RhiNetwork> networks;
    Rule rule;
    std::size_t line = 0; ///< 1-based
    bool operator==(const RhiEntry&) const = default;
};

/// Where and why an RHI file is wrong (1-based line and column).
struct RhiError
{
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;
    bool operator==(const RhiError&) const = default;
};

/// "line 3, column 17: unknown function \"al\" ..." (the caller prefixes the file name).
[[nodiscard]] std::string to_string(const RhiError& e);

/// Parses a whole RHI file. The rule may also be the bare word `never` or `always` (as
/// never()/always()). Errors, all of them in line order (the first of each line, then each
/// network already listed): a line without '=', an empty network or rule, a bad prefix or
/// table name, a rule error (column mapped onto the line), a network listed on two lines (or
/// twice on one).
[[nodiscard]] tl::expected<std::vector<RhiEntry>, std::vector<RhiError>>
parse_rhi(std::string_view text);

} // namespace vipd::announce
