// vipctl subcommand parsing (see request.hpp): a small option scanner driven by the registry
// row's options, and the per-command builders of the request arguments.
#include "cli/control/request.hpp"

#include <algorithm>
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
#include "bgp/suggest.hpp"
#include "bgp/types.hpp"
#include "cli/control/protocol.hpp"
#include "cli/control/registry.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

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
        if (!spec) {
            std::vector<std::string_view> known{"--json", "--socket", "--timeout"};
            for (const auto& s : specs)
                known.push_back(s.name);
            return tl::unexpected(
                fmt::format("unknown option {}{}", name, bgp::did_you_mean(name, known)));
        }
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

} // namespace

std::vector<std::string> Words::all(const std::string& name) const
{
    std::vector<std::string> out;
    for (auto [it, end] = options.equal_range(name); it != end; ++it)
        out.push_back(it->second);
    return out;
}

tl::expected<ControlRequest, std::string>
build_request(std::string_view command, const std::vector<std::string>& args, std::istream& in)
{
    const CommandSpec* spec = find_command(command);
    if (!spec)
        return tl::unexpected(fmt::format("unknown command \"{}\"", command));
    auto words = scan(args, spec->options);
    if (!words)
        return tl::unexpected(words.error());
    ControlRequest req;
    req.command = std::string(command);
    if (auto r = spec->build(*words, in, req); !r)
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

namespace {

tl::expected<void, std::string> no_positional(const Words& w)
{
    if (!w.positional.empty())
        return tl::unexpected(fmt::format("unexpected argument \"{}\"", w.positional.front()));
    return {};
}

} // namespace

tl::expected<void, std::string> build_no_args(const Words& w, std::istream&, ControlRequest&)
{
    return no_positional(w);
}

tl::expected<void, std::string> build_watch(const Words& w, std::istream&, ControlRequest& req)
{
    req.unbounded = true;
    return no_positional(w);
}

tl::expected<void, std::string> build_routes(const Words& w, std::istream&, ControlRequest& req)
{
    if (auto r = no_positional(w); !r)
        return r;
    if (w.has("--neighbor"))
        req.args["neighbor"] = w.all("--neighbor").front();
    return {};
}

tl::expected<void, std::string> build_announce(const Words& w, std::istream& in,
                                               ControlRequest& req)
{
    auto p = prefixes(w, in);
    if (!p)
        return tl::unexpected(p.error());
    req.args["prefixes"] = std::move(*p);
    return announce_attributes(w, req.args);
}

tl::expected<void, std::string> build_withdraw(const Words& w, std::istream& in,
                                               ControlRequest& req)
{
    auto p = prefixes(w, in);
    if (!p)
        return tl::unexpected(p.error());
    req.args["prefixes"] = std::move(*p);
    return {};
}

tl::expected<void, std::string> build_drain(const Words& w, std::istream&, ControlRequest& req)
{
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
    return {};
}

tl::expected<void, std::string> build_check(const Words& w, std::istream&, ControlRequest& req)
{
    auto name = one_name(w, "check");
    if (!name)
        return tl::unexpected(name.error());
    req.args["check"] = *name;
    return {};
}

tl::expected<void, std::string> build_neighbors(const Words& w, std::istream&, ControlRequest& req)
{
    if (w.positional.size() > 1)
        return tl::unexpected(fmt::format("unexpected argument \"{}\"", w.positional[1]));
    if (!w.positional.empty())
        req.args["neighbor"] = w.positional.front();
    return {};
}

tl::expected<void, std::string> build_neighbor(const Words& w, std::istream&, ControlRequest& req)
{
    static constexpr std::string_view actions[] = {"reset", "disable", "enable", "refresh"};
    if (w.positional.size() != 2 ||
        std::find(std::begin(actions), std::end(actions), w.positional[1]) == std::end(actions))
        return tl::unexpected(
            std::string("expected NAME reset|disable|enable|refresh (see --help)"));
    req.args["neighbor"] = w.positional[0];
    req.args["action"] = w.positional[1];
    if (w.has("--message")) {
        if (w.positional[1] != "disable" && w.positional[1] != "reset")
            return tl::unexpected(std::string("--message goes with disable and reset only"));
        req.args["message"] = w.all("--message").front();
    }
    return {};
}

tl::expected<void, std::string> build_explain(const Words& w, std::istream&, ControlRequest& req)
{
    auto name = one_name(w, "VIP");
    if (!name)
        return tl::unexpected(name.error());
    req.args["vip"] = *name;
    return {};
}

} // namespace vipd::cli
