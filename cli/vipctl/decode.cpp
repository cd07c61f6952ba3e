// `vipctl decode` (see vipctl_decode.hpp): option parsing, hex/binary input detection, JSON
// output. The decoding itself is decode_stream (message_json.cpp) over the bgp codec.
#include "cli/vipctl/decode.hpp"

#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "bgp/wire.hpp"
#include "cli/vipctl/message_json.hpp"

namespace vipd::cli {
namespace {

/// RFC 4271 §4.1: every message starts with a marker of 0xff octets, never ASCII text, so a
/// first octet of 0xff on stdin means raw binary.
constexpr unsigned char binary_first_octet = 0xff;

enum class Layout { pretty, compact, lines };

struct DecodeOptions
{
    bgp::CodecContext ctx;
    Layout layout = Layout::pretty;
    std::vector<std::string> hex_args;
};

bool set_add_path(std::string_view list, bgp::CodecContext& ctx)
{
    ctx.add_path_ipv4 = ctx.add_path_ipv6 = false;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view word = list.substr(0, comma);
        if (word == "ipv4")
            ctx.add_path_ipv4 = true;
        else if (word == "ipv6")
            ctx.add_path_ipv6 = true;
        else if (word != "none")
            return false;
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    return true;
}

// Parses the arguments; returns an error text for a usage error.
std::optional<std::string> parse_options(const std::vector<std::string>& args, DecodeOptions& o)
{
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done || a.empty() || a[0] != '-') {
            o.hex_args.push_back(a);
        } else if (a == "--") {
            options_done = true;
        } else if (a == "--two-octet-as") {
            o.ctx.four_octet_as = false;
        } else if (a == "--extended-message") {
            o.ctx.extended_message = true;
        } else if (a == "--compact") {
            o.layout = Layout::compact;
        } else if (a == "--lines") {
            o.layout = Layout::lines;
        } else if (a == "--add-path" || a.rfind("--add-path=", 0) == 0) {
            std::string value;
            if (a == "--add-path") {
                if (i + 1 == args.size())
                    return "--add-path needs a value: ipv4, ipv6, ipv4,ipv6 or none";
                value = args[++i];
            } else {
                value = a.substr(std::string_view("--add-path=").size());
            }
            if (!set_add_path(value, o.ctx))
                return fmt::format("--add-path: '{}' is not a list of ipv4, ipv6, none", value);
        } else {
            return fmt::format("unknown option '{}'", a);
        }
    }
    return std::nullopt;
}

std::string dump(const Json& j, int indent)
{
    // Strings from the wire (FQDN, shutdown text) may hold invalid UTF-8: replace, never throw.
    return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

} // namespace

std::string_view decode_usage()
{
    return R"(Usage: vipctl decode [options] [HEX...]

Decode BGP messages (one or several, back to back, header included) and print them as JSON.
HEX arguments may contain spaces, colons, commas, '0x' prefixes and '#' comments. Without
HEX arguments the messages are read from stdin, either as hex text or as raw binary (detected
by the first octet: 0xff, the marker, means binary).

Options:
  --add-path LIST       ADD-PATH path identifiers present for LIST: ipv4, ipv6, ipv4,ipv6
                        or none (default none; RFC 7911)
  --two-octet-as        the session did not negotiate 4-octet AS numbers (RFC 6793)
  --extended-message    the session negotiated extended messages up to 65535 octets (RFC 8654)
  --compact             print the JSON array on one line
  --lines               print one JSON object per message, one per line
  -h, --help            show this text

Exit status: 0 every message is well-formed; 1 malformed input (the error, with the message
number and input byte offset, goes to stderr; the JSON decoded so far to stdout); 2 usage.

Examples:
  vipctl decode ffffffffffffffffffffffffffffffff 0013 04
  vipctl decode --add-path ipv4 < captured.hex     # commented hex, as in tests/data
  vipctl decode --compact ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:00:15:03:06:02
)";
}

std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, std::string& error)
{
    std::vector<std::uint8_t> out;
    int pending = -1;
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = i + 1;
            continue;
        }
        const bool at_line_start = i == line_start;
        if (c == '#' || (at_line_start && text.substr(i, 3) == "---")) {
            while (i + 1 < text.size() && text[i + 1] != '\n')
                ++i;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == ':' || c == ',' || c == '-')
            continue;
        if (c == '0' && pending < 0 && i + 1 < text.size() &&
            (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            ++i;
            continue;
        }
        const int v = bgp::hex_digit(c);
        if (v < 0) {
            error = fmt::format("line {} column {}: not hex: '{}'", line, i - line_start + 1, c);
            return std::nullopt;
        }
        if (pending < 0) {
            pending = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(pending * 16 + v));
            pending = -1;
        }
    }
    if (pending >= 0) {
        error = "odd number of hex digits";
        return std::nullopt;
    }
    return out;
}

int run_decode(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err)
{
    for (const auto& a : args) {
        if (a == "-h" || a == "--help") {
            out << decode_usage();
            return 0;
        }
    }
    DecodeOptions opts;
    if (auto usage_error = parse_options(args, opts)) {
        err << "vipctl decode: " << *usage_error << "\n(see 'vipctl decode --help')\n";
        return 2;
    }

    std::string text;
    bool binary = false;
    if (!opts.hex_args.empty()) {
        for (const auto& a : opts.hex_args)
            text += a + '\n';
    } else {
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        binary = !text.empty() && static_cast<unsigned char>(text[0]) == binary_first_octet;
    }
    std::vector<std::uint8_t> bytes;
    if (binary) {
        bytes.assign(text.begin(), text.end());
    } else {
        std::string hex_error;
        auto parsed = parse_hex(text, hex_error);
        if (!parsed) {
            err << "vipctl decode: input: " << hex_error << '\n';
            return 1;
        }
        bytes = std::move(*parsed);
    }
    if (bytes.empty()) {
        err << "vipctl decode: no input: give HEX arguments or pipe hex or binary on stdin\n";
        return 2;
    }

    StreamJson result = decode_stream(bytes, opts.ctx);
    switch (opts.layout) {
    case Layout::pretty:
        out << dump(result.messages, 2) << '\n';
        break;
    case Layout::compact:
        out << dump(result.messages, -1) << '\n';
        break;
    case Layout::lines:
        for (const auto& m : result.messages)
            out << dump(m, -1) << '\n';
        break;
    }
    if (result.error) {
        err << "vipctl decode: " << *result.error << '\n';
        return 1;
    }
    return 0;
}

} // namespace vipd::cli
