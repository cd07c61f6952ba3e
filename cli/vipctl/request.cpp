// vipctl subcommand parsing (see vipctl_request.hpp): one table of subcommands with their
// help, a small option scanner, and per-command builders of the request arguments.
#include "cli/vipctl/request.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "bgp/community_text.hpp"
#include "bgp/types.hpp"
#include "cli/control/protocol.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

constexpr std::array commands{
    VipctlCommand{"status", "neighbors, VIPs and checks at a glance", R"(Usage: vipctl status

Shows three tables: BGP neighbors (state, uptime, prefixes), VIPs (state, prefixes, rule,
reason) and health checks (state, latency, detail).

Examples:
  vipctl status
  vipctl --json status | jq '.vips[] | select(.state != "announced")'
)"},
    VipctlCommand{"neighbors", "BGP neighbors in detail", R"(Usage: vipctl neighbors

Shows every BGP neighbor: state, uptime, message/UPDATE/prefix counters, address families,
and below the table the last error, transition and NOTIFICATIONs of each.

Example:
  vipctl neighbors
)"},
    VipctlCommand{"routes", "routes sent to the neighbors (Adj-RIB-Out)",
                  R"(Usage: vipctl routes [--neighbor NAME]

Shows the routes as sent to each neighbor with their attributes.

Options:
  --neighbor NAME   only this neighbor

Examples:
  vipctl routes
  vipctl routes --neighbor tor1
)"},
    VipctlCommand{"checks", "health checks", R"(Usage: vipctl checks

Shows every health check: kind, state, latency of the last probe, transitions and detail.

Example:
  vipctl checks
)"},
    VipctlCommand{"announce", "announce extra prefixes by hand",
                  R"(Usage: vipctl announce PREFIX... [options]
       vipctl announce --file FILE [options]

Announces prefixes that belong to no VIP (VIP prefixes follow their rule; use drain). The
reply comes once the UPDATE was written to every established neighbor; one line per
neighbor shows the result. Exit status 0 when every neighbor says "written" or is not
established (the route is sent when its session comes up), 1 otherwise.

Options:
  --med N                  MULTI_EXIT_DISC 0..4294967295
  --community A:B          a community, or a name such as no-export (repeatable)
  --large-community A:B:C  a large community (repeatable)
  --prepend N              extra copies of the local AS, 0..32
  --next-hop IP            next hop (default: the speaker's choice per neighbor)
  --neighbor NAME          only to this neighbor (repeatable; default: all)
  --file FILE              prefixes from FILE ('-': stdin), one per line; '#' comments and
                           blank lines are ignored; 100,000 prefixes fit in one request

Examples:
  vipctl announce 198.51.100.0/24 --med 50 --community 65000:100
  vipctl announce 2001:db8:1::/48 --neighbor tor1 --neighbor tor2
  vipctl announce --file /etc/vipd/extra-prefixes.txt
)"},
    VipctlCommand{"withdraw", "withdraw prefixes announced by hand",
                  R"(Usage: vipctl withdraw PREFIX...
       vipctl withdraw --file FILE

Withdraws prefixes announced with 'vipctl announce'. Output and exit status as announce.

Options:
  --file FILE   prefixes from FILE ('-': stdin), as for announce

Examples:
  vipctl withdraw 198.51.100.0/24
  grep -v '^10\.' list.txt | vipctl withdraw --file -
)"},
    VipctlCommand{"drain", "drain a VIP (or all) before maintenance",
                  R"(Usage: vipctl drain VIP [--wait]
       vipctl drain --all [--wait]

Announces the VIP's routes with GRACEFUL_SHUTDOWN (RFC 8326) and its drain attributes for
its drain time, then withdraws them. Draining survives restarts until 'vipctl undrain'.

Options:
  --all    every VIP
  --wait   reply only when the drain time has passed and the routes are withdrawn
           (no default timeout; --timeout still applies when given)

Examples:
  vipctl drain web
  vipctl drain --all --wait && systemctl stop haproxy
)"},
    VipctlCommand{"undrain", "end a drain: the VIP follows its rule again",
                  R"(Usage: vipctl undrain VIP
       vipctl undrain --all

Examples:
  vipctl undrain web
  vipctl undrain --all
)"},
    VipctlCommand{"disable", "disable a health check (it counts as down)",
                  R"(Usage: vipctl disable CHECK

Holds CHECK disabled (it counts as down in every rule) until enabled, persisted across
restarts. Probes go on so that status and metrics still show the service's own health;
their results are ignored. Enabling restarts the check from init (rise count applies).

Example:
  vipctl disable web-http
)"},
    VipctlCommand{"enable", "enable a disabled health check", R"(Usage: vipctl enable CHECK

Example:
  vipctl enable web-http
)"},
    VipctlCommand{"check-now", "probe a check now and show the result",
                  R"(Usage: vipctl check-now CHECK

Runs one probe of CHECK at once and shows the check after it completed.

Example:
  vipctl check-now web-http
)"},
    VipctlCommand{"explain", "why a VIP is (not) announced", R"(Usage: vipctl explain VIP

Shows the VIP's rule as a tree with each leaf's state and detail, the decision, the
attributes it is announced with, damping and the reason.

Example:
  vipctl explain web
)"},
    VipctlCommand{"reload", "re-read the configuration file", R"(Usage: vipctl reload

Re-reads the configuration and applies the difference (as SIGHUP does). A file with errors
is rejected with the errors shown and the running configuration is kept (exit status 1).

Example:
  vipctl reload
)"},
    VipctlCommand{"version", "versions of vipctl and the running vipd", R"(Usage: vipctl version

Prints the version of vipctl, then asks the daemon for its version ('vipctl --version'
prints vipctl's alone without connecting).

Examples:
  vipctl version
  vipctl --json version
)"},
};

/// An option a subcommand accepts; `value`: takes an argument; `repeat`: may be given again.
struct OptionSpec
{
    std::string_view name;
    bool value;
    bool repeat;
};

struct Words
{
    std::vector<std::string> positional;
    std::multimap<std::string, std::string> options; ///< flags map to ""

    [[nodiscard]] bool has(const std::string& name) const { return options.contains(name); }
    [[nodiscard]] std::vector<std::string> all(const std::string& name) const
    {
        std::vector<std::string> out;
        for (auto [it, end] = options.equal_range(name); it != end; ++it)
            out.push_back(it->second);
        return out;
    }
};

tl::expected<Words, std::string> scan(const std::vector<std::string>& args,
                                      std::span<const OptionSpec> specs)
{
    Words w;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done || a.size() < 2 || a[0] != '-') {
            w.positional.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        const auto eq = a.find('=');
        const std::string name = a.substr(0, eq);
        const OptionSpec* spec = nullptr;
        for (const auto& s : specs)
            if (s.name == name)
                spec = &s;
        if (!spec)
            return tl::unexpected(fmt::format("unknown option {}", name));
        if (!spec->repeat && w.has(name))
            return tl::unexpected(fmt::format("{} given twice", name));
        std::string value;
        if (spec->value) {
            if (eq != std::string::npos)
                value = a.substr(eq + 1);
            else if (i + 1 < args.size())
                value = args[++i];
            else
                return tl::unexpected(fmt::format("{} needs a value", name));
        } else if (eq != std::string::npos) {
            return tl::unexpected(fmt::format("{} takes no value", name));
        }
        w.options.emplace(name, std::move(value));
    }
    return w;
}

tl::expected<std::uint64_t, std::string> parse_uint(std::string_view option, std::string_view text,
                                                    std::uint64_t max)
{
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v > max)
        return tl::unexpected(fmt::format("{}: \"{}\" is not an integer 0..{}", option, text, max));
    return v;
}

tl::expected<std::string, std::string> read_source(const std::string& file, std::istream& in)
{
    std::ostringstream text;
    if (file == "-") {
        text << in.rdbuf();
        return text.str();
    }
    std::ifstream f(file, std::ios::binary);
    if (!f)
        return tl::unexpected(
            fmt::format("--file {}: cannot read it: {}", file, std::strerror(errno)));
    text << f.rdbuf();
    return text.str();
}

/// Prefixes from the positional words and every --file, canonical, at least one.
tl::expected<json, std::string> prefixes(const Words& w, std::istream& in)
{
    json out = json::array();
    for (const auto& word : w.positional) {
        auto p = bgp::Prefix::parse(word);
        if (!p)
            return tl::unexpected(p.error());
        out.push_back(p->to_string());
    }
    for (const auto& file : w.all("--file")) {
        auto text = read_source(file, in);
        if (!text)
            return tl::unexpected(text.error());
        auto list = parse_prefix_list(*text, file == "-" ? "stdin" : file);
        if (!list)
            return tl::unexpected(list.error());
        for (auto& p : *list)
            out.push_back(std::move(p));
    }
    if (out.empty())
        return tl::unexpected(std::string("no prefixes given (see --help)"));
    return out;
}

tl::expected<void, std::string> announce_attributes(const Words& w, json& args)
{
    if (w.has("--med")) {
        auto v =
            parse_uint("--med", w.all("--med").front(), std::numeric_limits<std::uint32_t>::max());
        if (!v)
            return tl::unexpected(v.error());
        args["med"] = *v;
    }
    if (w.has("--prepend")) {
        auto v = parse_uint("--prepend", w.all("--prepend").front(), max_prepend);
        if (!v)
            return tl::unexpected(v.error());
        args["prepend"] = *v;
    }
    for (const auto& c : w.all("--community")) {
        if (auto v = bgp::parse_community(c); !v)
            return tl::unexpected("--community " + v.error());
        args["communities"].push_back(c);
    }
    for (const auto& c : w.all("--large-community")) {
        if (auto v = bgp::parse_large_community(c); !v)
            return tl::unexpected("--large-community " + v.error());
        args["large_communities"].push_back(c);
    }
    if (w.has("--next-hop")) {
        const std::string nh = w.all("--next-hop").front();
        if (!bgp::Address::parse(nh))
            return tl::unexpected(
                fmt::format("--next-hop: \"{}\" is not an IPv4 or IPv6 address", nh));
        args["next_hop"] = nh;
    }
    for (const auto& n : w.all("--neighbor"))
        args["neighbors"].push_back(n);
    return {};
}

/// Exactly one positional word: the VIP or check name.
tl::expected<std::string, std::string> one_name(const Words& w, std::string_view what)
{
    if (w.positional.size() != 1)
        return tl::unexpected(
            fmt::format("expected one {} name, got {}", what, w.positional.size()));
    return w.positional.front();
}

constexpr std::array<OptionSpec, 0> no_options{};
constexpr std::array routes_options{OptionSpec{"--neighbor", true, false}};
constexpr std::array announce_options{
    OptionSpec{"--med", true, false},
    OptionSpec{"--community", true, true},
    OptionSpec{"--large-community", true, true},
    OptionSpec{"--prepend", true, false},
    OptionSpec{"--next-hop", true, false},
    OptionSpec{"--neighbor", true, true},
    OptionSpec{"--file", true, true},
};
constexpr std::array withdraw_options{OptionSpec{"--file", true, true}};
constexpr std::array drain_options{OptionSpec{"--all", false, false},
                                   OptionSpec{"--wait", false, false}};
constexpr std::array undrain_options{OptionSpec{"--all", false, false}};

std::span<const OptionSpec> options_of(std::string_view command)
{
    if (command == "routes")
        return routes_options;
    if (command == "announce")
        return announce_options;
    if (command == "withdraw")
        return withdraw_options;
    if (command == "drain")
        return drain_options;
    if (command == "undrain")
        return undrain_options;
    return no_options;
}

tl::expected<void, std::string> build_args(std::string_view command, const Words& w,
                                           std::istream& in, ControlRequest& req)
{
    const bool takes_words = command == "announce" || command == "withdraw" || command == "drain" ||
                             command == "undrain" || command == "disable" || command == "enable" ||
                             command == "check-now" || command == "explain";
    if (!takes_words && !w.positional.empty())
        return tl::unexpected(fmt::format("unexpected argument \"{}\"", w.positional.front()));
    if (command == "routes" && w.has("--neighbor")) {
        req.args["neighbor"] = w.all("--neighbor").front();
    } else if (command == "announce" || command == "withdraw") {
        auto p = prefixes(w, in);
        if (!p)
            return tl::unexpected(p.error());
        req.args["prefixes"] = std::move(*p);
        if (command == "announce")
            return announce_attributes(w, req.args);
    } else if (command == "drain" || command == "undrain") {
        if (w.has("--all") == !w.positional.empty() || w.positional.size() > 1)
            return tl::unexpected(std::string("give one VIP name or --all"));
        if (w.has("--all"))
            req.args["all"] = true;
        else
            req.args["vip"] = w.positional.front();
        if (w.has("--wait")) {
            req.args["wait"] = true;
            req.unbounded = true;
        }
    } else if (command == "disable" || command == "enable" || command == "check-now") {
        auto name = one_name(w, "check");
        if (!name)
            return tl::unexpected(name.error());
        req.args["check"] = *name;
    } else if (command == "explain") {
        auto name = one_name(w, "VIP");
        if (!name)
            return tl::unexpected(name.error());
        req.args["vip"] = *name;
    }
    return {};
}

} // namespace

std::span<const VipctlCommand> vipctl_commands()
{
    return commands;
}

const VipctlCommand* find_vipctl_command(std::string_view name)
{
    for (const auto& c : commands)
        if (c.name == name)
            return &c;
    return nullptr;
}

tl::expected<ControlRequest, std::string>
build_request(std::string_view command, const std::vector<std::string>& args, std::istream& in)
{
    if (!find_vipctl_command(command))
        return tl::unexpected(fmt::format("unknown command \"{}\"", command));
    auto words = scan(args, options_of(command));
    if (!words)
        return tl::unexpected(words.error());
    ControlRequest req;
    req.command = std::string(command);
    if (auto r = build_args(command, *words, in, req); !r)
        return tl::unexpected(r.error());
    return req;
}

tl::expected<std::vector<std::string>, std::string> parse_prefix_list(std::string_view text,
                                                                      std::string_view source)
{
    std::vector<std::string> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        line = line.substr(0, line.find('#'));
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos)
            continue;
        line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
        auto p = bgp::Prefix::parse(line);
        if (!p)
            return tl::unexpected(fmt::format("{}:{}: {}", source, line_no, p.error()));
        out.push_back(p->to_string());
    }
    return out;
}

std::optional<double> parse_timeout(std::string_view text)
{
    // A day bounds --timeout; it exists for scripts, not for waiting forever (use 0).
    constexpr double max_seconds = 86400;
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
        !std::isfinite(v) || v < 0 || v > max_seconds)
        return std::nullopt;
    return v;
}

} // namespace vipd::cli
