// The control commands, each defined once (docs/control-protocol.md, docs/vipctl.md): a row
// with the name, vipctl's summary and help, the request's argument spec (validate_args), the
// vipctl options, the words->request builder and the reply renderer. vipctl's help, option
// scanning and rendering, the protocol's validation and the daemon's dispatch (which attaches
// one handler per row by name, cli/control/commands.hpp) all iterate these rows.
// Must not: do I/O or know the daemon (no Asio: vipctl links it).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace vipd::cli {

/// What a request argument must be; validate_args checks each kind.
enum class ArgKind : std::uint8_t {
    name,              ///< non-empty string (VIP, check or neighbor name)
    prefixes,          ///< non-empty array of prefix strings
    u32,               ///< integer 0..2^32-1 (MED, RFC 4271 §5.1.4)
    prepend,           ///< integer 0..max_prepend
    communities,       ///< array of community strings (RFC 1997)
    large_communities, ///< array of large community strings (RFC 8092)
    address,           ///< IPv4 or IPv6 address string
    names,             ///< array of non-empty strings
    boolean,
};

/// One member of a request's "args".
struct ArgSpec
{
    std::string_view name;
    ArgKind kind;
    bool required;
};

/// An option a vipctl subcommand accepts; `value`: takes an argument; `repeat`: may be given
/// again.
struct OptionSpec
{
    std::string_view name;
    bool value;
    bool repeat;
};

struct Words;          // request.hpp
struct ControlRequest; // request.hpp
struct Rendered;       // render.hpp

/// Fills the request's args from vipctl's scanned words; `in` is read for `--file -`. The
/// error text is printed after "vipctl COMMAND: ".
using BuildFn = tl::expected<void, std::string> (*)(const Words& words, std::istream& in,
                                                    ControlRequest& request);
/// Renders a reply whose "ok" is true.
using RenderFn = Rendered (*)(std::string_view command, const nlohmann::json& reply);

/// One control command. Every field is set: registry_test walks the rows.
struct CommandSpec
{
    std::string_view name;
    std::string_view summary; ///< one line for `vipctl --help`
    std::string_view usage;   ///< `vipctl COMMAND --help`
    std::span<const ArgSpec> args;
    std::span<const OptionSpec> options;
    BuildFn build;
    RenderFn render;
    /// May use max_bulk_request_bytes (announce/withdraw of 100,000 prefixes).
    bool bulk = false;
    /// After its reply the connection carries event lines until either side closes it
    /// (`watch`; docs/control-protocol.md, "Streaming").
    bool stream = false;
};

/// Every control command, in the order of the documentation (vipctl's decode is not one).
[[nodiscard]] std::span<const CommandSpec> command_registry();
/// The row named `name`, or nullptr.
[[nodiscard]] const CommandSpec* find_command(std::string_view name);

} // namespace vipd::cli
