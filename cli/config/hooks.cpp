// Configuration section "hooks" (docs/configuration.md, docs/hooks.md): named commands run on
// VIP state changes and neighbor up/down, with their filters and bounds, and their part of the
// effective configuration. Names in the filters must be VIPs and neighbors of the same file.
#include <algorithm>
#include <array>

#include "cli/config/check_kinds.hpp"
#include "cli/config/duration.hpp"
#include "cli/config/sections.hpp"

namespace vipd::cli {

namespace {

using detail::Object;
using detail::Value;

constexpr std::array<std::pair<std::string_view, HookTrigger>, 8> trigger_words{{
    {"announced", HookTrigger::announced},
    {"degraded", HookTrigger::degraded},
    {"withdrawn", HookTrigger::withdrawn},
    {"held-down", HookTrigger::held_down},
    {"draining", HookTrigger::draining},
    {"drained", HookTrigger::drained},
    {"neighbor-up", HookTrigger::neighbor_up},
    {"neighbor-down", HookTrigger::neighbor_down},
}};

/// Bounds of a hook's settings.
constexpr auto min_timeout = std::chrono::milliseconds(100);
constexpr auto max_timeout = std::chrono::hours(1);
constexpr std::size_t max_output_limit = 1024 * 1024;

void read_command(const Object& o, HookConfig& h)
{
    if (!o.require("command"))
        return;
    const auto v = *o.get("command");
    if (v.json->is_string()) {
        if (auto s = detail::as_non_empty_string(v))
            h.argv = {*s};
        return;
    }
    auto items = detail::as_array(v);
    if (!items)
        return;
    if (items->empty())
        v.expected("a non-empty array of program and arguments");
    for (const auto& item : *items)
        if (auto s = detail::as_non_empty_string(item))
            h.argv.push_back(*s);
}

/// A list of VIP or neighbor names, each one that `known` has.
std::vector<std::string> read_names(const Object& o, std::string_view key,
                                    const std::vector<std::string_view>& known,
                                    std::string_view what)
{
    std::vector<std::string> out;
    auto v = o.get(key);
    if (!v)
        return out;
    auto items = detail::as_array(*v);
    if (!items)
        return out;
    for (const auto& item : *items) {
        auto name = detail::as_non_empty_string(item);
        if (!name)
            continue;
        if (std::find(known.begin(), known.end(), *name) == known.end())
            item.error(fmt::format("no {} named \"{}\"{}", what, *name,
                                   detail::did_you_mean(*name, known)));
        out.push_back(*name);
    }
    return out;
}

HookConfig read_hook(const std::string& name, const Value& value, const Config& config)
{
    HookConfig h;
    h.name = name;
    const Object o(
        value, {"command", "shell", "events", "vips", "neighbors", "env", "timeout", "max-output"});
    if (!o.ok())
        return h;
    if (!detail::valid_name(name, false))
        value.ctx->error_at_key(
            value.pointer, "/hooks",
            fmt::format("hook name \"{}\": use 1..64 of A-Z a-z 0-9 _ . -", name));
    read_command(o, h);
    o.set("shell", h.shell, detail::as_bool);
    if (auto v = o.get("command"); v && v->json->is_string() != h.shell)
        v->error(h.shell ? "with \"shell\": true, give one command line (a string)"
                         : "a string is run by a shell only with \"shell\": true; give an array "
                           "of program and arguments");
    if (auto v = o.get("events"))
        if (auto items = detail::as_array(*v))
            for (const auto& item : *items)
                if (auto t = detail::as_enum<HookTrigger>(item, trigger_words))
                    h.events.push_back(*t);
    std::vector<std::string_view> vips, neighbors;
    for (const auto& vip : config.vips)
        vips.push_back(vip.name);
    for (const auto& n : config.neighbors)
        neighbors.push_back(n.name);
    h.vips = read_names(o, "vips", vips, "VIP");
    h.neighbors = read_names(o, "neighbors", neighbors, "neighbor");
    o.set("env", h.env, [](const Value& v) { return detail::as_environment(v, "VIPD_"); });
    o.set("timeout", h.timeout, detail::duration_in(min_timeout, max_timeout));
    o.set("max-output", h.max_output, detail::uint_in<std::size_t>(1, max_output_limit));
    return h;
}

} // namespace

std::string_view to_string(HookTrigger t)
{
    return detail::word_of<HookTrigger>(trigger_words, t);
}

namespace detail {

std::vector<HookConfig> read_hooks(const Object& root, const Config& config)
{
    std::vector<HookConfig> out;
    auto v = root.get("hooks");
    if (!v)
        return out;
    auto members = as_map(*v);
    if (!members)
        return out;
    for (const auto& [name, value] : *members)
        out.push_back(read_hook(name, value, config));
    std::sort(out.begin(), out.end(),
              [](const HookConfig& a, const HookConfig& b) { return a.name < b.name; });
    return out;
}

nlohmann::ordered_json hooks_json(const std::vector<HookConfig>& hooks)
{
    using Out = nlohmann::ordered_json;
    Out out = Out::object();
    for (const auto& h : hooks) {
        Out o;
        o["command"] = h.shell && h.argv.size() == 1 ? Out(h.argv.front()) : Out(h.argv);
        o["shell"] = h.shell;
        Out events = Out::array();
        for (auto t : h.events)
            events.push_back(to_string(t));
        o["events"] = events;
        o["vips"] = h.vips;
        o["neighbors"] = h.neighbors;
        Out env = Out::object();
        for (const auto& entry : h.env) // values often carry tokens: names only
            env[entry.substr(0, entry.find('='))] = redacted;
        o["env"] = env;
        o["timeout"] = format_duration(h.timeout);
        o["max-output"] = h.max_output;
        out[h.name] = o;
    }
    return out;
}

} // namespace detail

} // namespace vipd::cli
