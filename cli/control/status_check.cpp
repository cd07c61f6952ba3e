// `vipctl status --check` (see status_check.hpp). Pure: a function of the reply.
#include "cli/control/status_check.hpp"

#include <vector>

#include <fmt/format.h>

#include "cli/control/reply_json.hpp"
#include "cli/control/table.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

using reply::array_of;
using reply::flag_of;

/// Member `key` of object `j` as a string fit for a terminal; `fallback` when absent or empty.
std::string text_of(const json& j, std::string_view key, std::string_view fallback = "-")
{
    const std::string text = reply::text_of(j, key);
    return text.empty() ? std::string(fallback) : terminal_safe(text);
}

std::string plural(std::size_t n, std::string_view word)
{
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

/// Why a VIP is not announced: its down leaves ("api down, b:be_app maint"), else its reason.
std::string vip_cause(const json& vip)
{
    std::string out;
    for (const auto& leaf : array_of(vip, "down_leaves")) {
        out += out.empty() ? "" : ", ";
        out += text_of(leaf, "ref") + " " + text_of(leaf, "state", "down");
    }
    return out.empty() ? text_of(vip, "reason") : out;
}

/// Whether a VIP in `state` is as expected (see status_check.hpp).
bool vip_as_expected(const json& vip, const std::string& state)
{
    if (state == "announced" || state == "draining" || state == "drained")
        return true;
    const std::string rule = text_of(vip, "rule", "");
    const bool never = rule == "never()" || rule == "never";
    return never && (state == "withdrawn" || state == "degraded");
}

} // namespace

StatusVerdict check_status(const json& reply)
{
    std::vector<std::string> problems;
    std::size_t established = 0;
    std::size_t disabled = 0;
    for (const auto& n : array_of(reply, "neighbors")) {
        const std::string state = text_of(n, "state");
        if (state == "Established")
            ++established;
        else if (flag_of(n, "disabled"))
            ++disabled;
        else
            problems.push_back(fmt::format("neighbor {} is {}", text_of(n, "name"), state));
    }
    std::size_t vips_ok = 0;
    for (const auto& v : array_of(reply, "vips")) {
        const std::string state = text_of(v, "state");
        if (vip_as_expected(v, state))
            ++vips_ok;
        else
            problems.push_back(
                fmt::format("VIP {} is {} ({})", text_of(v, "name"), state, vip_cause(v)));
    }
    if (!problems.empty()) {
        std::string line = "CRITICAL: ";
        for (std::size_t i = 0; i < problems.size(); ++i)
            line += (i ? "; " : "") + problems[i];
        return {false, std::move(line)};
    }
    std::string line = fmt::format("OK: {} Established", plural(established, "neighbor"));
    if (disabled > 0)
        line += fmt::format(" ({} disabled)", disabled);
    line += fmt::format(", {} as expected", plural(vips_ok, "VIP"));
    return {true, std::move(line)};
}

tl::expected<void, std::string> build_status(const Words& w, std::istream&, ControlRequest& req)
{
    if (!w.positional.empty())
        return tl::unexpected(fmt::format("unexpected argument \"{}\"", w.positional.front()));
    if (w.has("--check"))
        req.render = render_status_check;
    return {};
}

Rendered render_status_check(std::string_view, const json& reply)
{
    auto verdict = check_status(reply);
    Rendered out;
    out.text = verdict.line + "\n";
    out.status = verdict.ok ? 0 : status_check_critical;
    return out;
}

} // namespace vipd::cli
