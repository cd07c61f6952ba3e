// What a configuration reload changes (see config.hpp): per named item added / removed /
// changed, and which global settings changed. The daemon decides what each change needs
// (e.g. a new router-id needs a restart; a changed check is replaced in the Monitor).
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/config/config.hpp"

namespace vipd::cli {

namespace {

template <class T, class Name>
NameDiff diff_named(const std::vector<T>& before, const std::vector<T>& after, Name name)
{
    std::map<std::string, const T*> old_items;
    for (const auto& x : before)
        old_items.emplace(name(x), &x);
    NameDiff d;
    for (const auto& x : after) {
        const auto it = old_items.find(name(x));
        if (it == old_items.end())
            d.added.push_back(name(x));
        else if (!(*it->second == x))
            d.changed.push_back(name(x));
        if (it != old_items.end())
            old_items.erase(it);
    }
    for (const auto& [n, x] : old_items)
        d.removed.push_back(n);
    std::sort(d.added.begin(), d.added.end());
    std::sort(d.changed.begin(), d.changed.end());
    return d;
}

std::vector<std::string> diff_global(const GlobalConfig& a, const GlobalConfig& b)
{
    std::vector<std::string> out;
    auto check = [&out](bool same, const char* key) {
        if (!same)
            out.emplace_back(key);
    };
    check(a.router_id == b.router_id, "router-id");
    check(a.local_as == b.local_as, "local-as");
    check(a.listen == b.listen, "listen");
    check(a.state_dir == b.state_dir, "state-dir");
    check(a.control_socket == b.control_socket, "control-socket");
    check(a.http_status == b.http_status, "http-status");
    check(a.log_level == b.log_level, "log-level");
    check(a.log_format == b.log_format, "log-format");
    check(a.startup_grace == b.startup_grace, "startup-grace");
    check(a.loopback == b.loopback, "loopback");
    check(a.hostname == b.hostname, "hostname");
    check(a.rhi_file == b.rhi_file, "rhi-file");
    return out;
}

std::string join(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : " ") + n;
    return out;
}

void describe(std::string& out, std::string_view what, const NameDiff& d)
{
    if (d.empty())
        return;
    std::vector<std::string> parts;
    if (!d.added.empty())
        parts.push_back("added " + join(d.added));
    if (!d.removed.empty())
        parts.push_back("removed " + join(d.removed));
    if (!d.changed.empty())
        parts.push_back("changed " + join(d.changed));
    out += fmt::format("{}: {}\n", what, fmt::join(parts, "; "));
}

} // namespace

ConfigDiff diff(const Config& before, const Config& after)
{
    ConfigDiff d;
    d.global = diff_global(before.global, after.global);
    d.neighbors = diff_named(before.neighbors, after.neighbors,
                             [](const bgp::NeighborConfig& n) { return n.name; });
    auto spec_name = [](const health::CheckSpec& c) { return c.name; };
    d.checks = diff_named(before.checks, after.checks, spec_name);
    d.references = diff_named(before.references, after.references, spec_name);
    d.haproxy = diff_named(before.haproxy, after.haproxy,
                           [](const HaproxyConfig& h) { return h.instance.name; });
    d.vips =
        diff_named(before.vips, after.vips, [](const announce::VipConfig& v) { return v.name; });
    d.hooks = diff_named(before.hooks, after.hooks, [](const HookConfig& h) { return h.name; });
    return d;
}

std::string to_string(const ConfigDiff& d)
{
    std::string out;
    if (!d.global.empty())
        out += fmt::format("global: changed {}\n", join(d.global));
    describe(out, "neighbors", d.neighbors);
    describe(out, "checks", d.checks);
    describe(out, "haproxy", d.haproxy);
    describe(out, "references", d.references);
    describe(out, "vips", d.vips);
    describe(out, "hooks", d.hooks);
    if (!out.empty())
        out.pop_back();
    return out;
}

} // namespace vipd::cli
