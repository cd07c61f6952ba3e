// `vipctl decode`: BGP messages given as hex (arguments or stdin) or raw binary (stdin) printed
// as JSON. Pure apart from the streams it is handed, so tests can run it in-process.
// Must not: open sockets or files; exit the process.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::cli {

/// The line of `vipctl --help` for the decode subcommand.
inline constexpr std::string_view decode_summary = "decode BGP messages (hex or binary) into JSON";

/// Usage text of the decode subcommand.
[[nodiscard]] std::string_view decode_usage();

/// Parse hex text: pairs of hex digits; whitespace, ':', ',' and '-' separate; "0x" prefixes
/// are skipped; '#' starts a comment to the end of the line; lines starting with "---"
/// (vector names in tests/data/*.hex) are skipped. Error: "line L column C: not hex: 'g'"
/// or "odd number of hex digits".
[[nodiscard]] std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text,
                                                                 std::string& error);

/// Run `vipctl decode ARGS…`; `args` excludes "decode". Returns the exit status: 0 all
/// messages well-formed, 1 malformed input (error on `err`, JSON so far on `out`), 2 usage.
int run_decode(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err);

} // namespace vipd::cli
