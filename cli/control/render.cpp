// Rendering of control replies for vipctl (see render.hpp). Field names follow
// docs/control-protocol.md; every access goes through `at`, which yields null when absent.
#include "cli/control/render.hpp"

#include <cmath>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "cli/control/protocol.hpp"
#include "cli/control/registry.hpp"
#include "cli/control/reply_json.hpp"
#include "cli/control/table.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

using reply::array_of;
using reply::at;

/// A value as table text: "-" for null, empty strings and empty arrays; arrays of scalars
/// joined by spaces.
std::string cell(const json& v)
{
    switch (v.type()) {
    case json::value_t::null:
        return "-";
    case json::value_t::string: {
        const auto& s = v.get_ref<const std::string&>();
        return s.empty() ? "-" : s;
    }
    case json::value_t::boolean:
        return v.get<bool>() ? "yes" : "no";
    case json::value_t::number_float: {
        const double d = v.get<double>();
        return d == std::floor(d) ? fmt::format("{:.0f}", d) : fmt::format("{:.1f}", d);
    }
    case json::value_t::array: {
        std::string out;
        for (const auto& e : v)
            out += (out.empty() ? "" : " ") + cell(e);
        return out.empty() ? "-" : out;
    }
    default:
        return v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
}

std::string latency(const json& ms)
{
    if (ms.is_number_float())
        return fmt::format("{:.2f} ms", ms.get<double>());
    return ms.is_number() ? cell(ms) + " ms" : "-";
}

/// One column of a reply table: its header, the member shown and how it is written.
struct Field
{
    std::string_view header;
    std::string_view key;
    Align align = Align::left;
    std::string (*text)(const json&) = cell;
};

Table table_of(std::span<const Field> fields)
{
    std::vector<Table::Column> columns;
    for (const auto& f : fields)
        columns.push_back({std::string(f.header), f.align});
    return Table(std::move(columns));
}

std::vector<std::string> row_of(std::span<const Field> fields, const json& item)
{
    std::vector<std::string> row;
    for (const auto& f : fields)
        row.push_back(f.text(at(item, f.key)));
    return row;
}

/// A table with one row per element of `items`, or `empty` when there is none.
std::string render_table(const json& items, std::string_view empty, std::span<const Field> fields)
{
    if (items.empty())
        return std::string(empty);
    Table t = table_of(fields);
    for (const auto& item : items)
        t.add_row(row_of(fields, item));
    return t.render();
}

std::string neighbors_summary(const json& neighbors)
{
    static constexpr Field fields[] = {
        {"NEIGHBOR", "name"},
        {"ADDRESS", "address"},
        {"AS", "remote_as", Align::right},
        {"STATE", "state"},
        {"UPTIME", "uptime_s", Align::right, format_uptime},
        {"PFX OUT", "prefixes_announced", Align::right},
        {"PFX IN", "prefixes_received", Align::right},
        {"LAST ERROR", "last_error"},
    };
    return render_table(neighbors, "no neighbors configured\n", fields);
}

/// "in 6.2 s (idle hold 8 s: back-off after 4 failures)" while the IdleHoldTimer runs;
/// "(back-off after 2 failures)" when failures are counted; "when BFD is Up (...)" while BFD
/// strict mode holds the session; empty otherwise.
std::string idle_hold_note(const json& n)
{
    if (at(n, "waiting_for_bfd") == true)
        return "when BFD is Up (bfd strict: no BGP session without BFD)";
    const json& in = at(n, "next_attempt_in_s");
    const std::string reason = cell(at(n, "idle_hold_reason"));
    if (in.is_number())
        return fmt::format("in {:.1f} s (idle hold {:g} s: {})", in.get<double>(),
                           at(n, "idle_hold_s").is_number() ? at(n, "idle_hold_s").get<double>()
                                                            : 0.0,
                           terminal_safe(reason));
    const json& failures = at(n, "failures");
    if (failures.is_number_unsigned() && failures.get<std::uint64_t>() > 0)
        return fmt::format("{} failure{} counted for the back-off", failures.get<std::uint64_t>(),
                           failures.get<std::uint64_t>() == 1 ? "" : "s");
    return {};
}

namespace {

/// The BFD column: state, or "-" when BFD is off.
std::string bfd_cell(const json& b)
{
    return b.is_object() ? cell(at(b, "state")) : "-";
}

/// A note under the neighbors table when BFD is not Up: the diagnostics and the last drop.
std::string bfd_note(const json& b)
{
    if (!b.is_object() || at(b, "state") == "Up")
        return {};
    std::string text = fmt::format("{} (local diag: {}, remote: {} {})", cell(at(b, "state")),
                                   cell(at(b, "local_diag")), cell(at(b, "remote_state")),
                                   cell(at(b, "remote_diag")));
    if (const std::string d = cell(at(b, "last_drop")); !d.empty() && d != "-")
        text += "; dropped: " + d;
    return text;
}

std::string last_drop(const json& b)
{
    const std::string d = cell(at(b, "last_drop"));
    return d.empty() || d == "-" ? std::string() : " (last: " + d + ")";
}

/// `vipctl neighbors NAME`: the BFD rows.
void bfd_rows(Table& kv, const json& b)
{
    if (!b.is_object()) {
        kv.add_row({"bfd:", "off"});
        return;
    }
    const std::pair<std::string, std::string> rows[] = {
        {"bfd:",
         fmt::format("{} ({}{}), remote {}", cell(at(b, "state")),
                     at(b, "multihop") == true ? "multihop" : "single-hop",
                     at(b, "strict") == true ? ", strict" : "", cell(at(b, "remote_state")))},
        {"bfd diagnostic:",
         fmt::format("local {}, remote {}", cell(at(b, "local_diag")), cell(at(b, "remote_diag")))},
        {"bfd intervals:",
         fmt::format("tx {} ms (min-tx {} ms), min-rx {} ms, multiplier {}/{} remote, detection "
                     "{} ms",
                     cell(at(b, "tx_interval_ms")), cell(at(b, "min_tx_ms")),
                     cell(at(b, "min_rx_ms")), cell(at(b, "multiplier")),
                     cell(at(b, "remote_multiplier")), cell(at(b, "detection_time_ms")))},
        {"bfd packets:", fmt::format("{} sent, {} received, {} dropped{}",
                                     cell(at(b, "packets_sent")), cell(at(b, "packets_received")),
                                     cell(at(b, "packets_dropped")), last_drop(b))},
        {"bfd transitions:",
         fmt::format("{} ({} times Up, {} Poll sequences), auth {}", cell(at(b, "transitions")),
                     cell(at(b, "up_count")), cell(at(b, "poll_sequences")),
                     cell(at(b, "authentication")))},
    };
    for (const auto& [label, value] : rows)
        kv.add_row({label, terminal_safe(value)});
}

} // namespace

std::string neighbors_detail(const json& neighbors)
{
    if (neighbors.empty())
        return "no neighbors configured\n";
    static constexpr Field fields[] = {
        {"NEIGHBOR", "name"},
        {"ADDRESS", "address"},
        {"AS", "remote_as", Align::right},
        {"STATE", "state"},
        {"UPTIME", "uptime_s", Align::right, format_uptime},
        {"MSG OUT", "messages_sent", Align::right},
        {"MSG IN", "messages_received", Align::right},
        {"UPD OUT", "updates_sent", Align::right},
        {"UPD IN", "updates_received", Align::right},
        {"PFX OUT", "prefixes_announced", Align::right},
        {"PFX IN", "prefixes_received", Align::right},
        {"FAMILIES", "families"},
        {"BFD", "bfd", Align::left, bfd_cell},
    };
    Table t = table_of(fields);
    std::string notes;
    for (const auto& n : neighbors) {
        t.add_row(row_of(fields, n));
        Table kv({{""}, {""}});
        if (at(n, "disabled") == true)
            kv.add_row({"disabled:", "by the operator: \"" +
                                         terminal_safe(cell(at(n, "disabled_message"))) + "\""});
        const std::pair<const char*, const char*> notes_fields[] = {
            {"last transition:", "last_transition"},
            {"last error:", "last_error"},
            {"notification sent:", "last_notification_sent"},
            {"notification received:", "last_notification_received"},
        };
        for (const auto& [label, key] : notes_fields)
            if (const std::string v = cell(at(n, key)); v != "-")
                kv.add_row({label, v});
        if (const std::string v = idle_hold_note(n); !v.empty())
            kv.add_row({"next attempt:", v});
        if (const std::string v = bfd_note(at(n, "bfd")); !v.empty())
            kv.add_row({"bfd:", terminal_safe(v)});
        if (kv.rows() > 0)
            notes += "\n" + terminal_safe(cell(at(n, "name"))) + ":\n" + kv.render_rows("  ");
    }
    return t.render() + notes;
}

/// `vipctl neighbors NAME`: one neighbor as label/value lines.
std::string neighbor_detail(const json& n)
{
    const json& timers = at(n, "timers");
    const auto notification = [](const json& m) {
        if (!m.is_object())
            return std::string("-");
        std::string text = fmt::format("{}/{} {}", cell(at(m, "code")), cell(at(m, "subcode")),
                                       cell(at(m, "description")));
        if (at(m, "shutdown_communication").is_string())
            text += " \"" + cell(at(m, "shutdown_communication")) + "\"";
        return text;
    };
    std::string received = cell(at(n, "prefixes_received"));
    received += at(n, "received_prefixes_kept") == true
                    ? " held (prefixes only, not their attributes)"
                    : " announced so far (counted, not held: set adj-rib-in-limit to hold them)";
    const std::pair<std::string, std::string> rows[] = {
        {"neighbor:", cell(at(n, "name"))},
        {"address:", fmt::format("{} AS {}", cell(at(n, "address")), cell(at(n, "remote_as")))},
        {"state:", cell(at(n, "state"))},
        {"disabled:", at(n, "disabled") == true ? "yes: \"" + cell(at(n, "disabled_message")) + "\""
                                                : std::string("no")},
        {"uptime:", format_uptime(at(n, "uptime_s"))},
        {"established:", cell(at(n, "established_count")) + " times"},
        {"families:", cell(at(n, "families"))},
        {"capabilities:", cell(at(n, "capabilities"))},
        {"hold time:",
         fmt::format("{} s configured, {} s negotiated", cell(at(timers, "hold_time_s")),
                     cell(at(timers, "negotiated_hold_time_s")))},
        {"keepalive:",
         fmt::format("{} s configured, {} s negotiated", cell(at(timers, "keepalive_s")),
                     cell(at(timers, "negotiated_keepalive_s")))},
        {"connect retry:", cell(at(timers, "connect_retry_s")) + " s"},
        {"idle hold:",
         fmt::format("{} s to {} s (last {} s)", cell(at(timers, "idle_hold_s")),
                     cell(at(timers, "max_idle_hold_s")), cell(at(timers, "current_idle_hold_s")))},
        {"messages:", fmt::format("{} sent, {} received", cell(at(n, "messages_sent")),
                                  cell(at(n, "messages_received")))},
        {"updates:", fmt::format("{} sent, {} received", cell(at(n, "updates_sent")),
                                 cell(at(n, "updates_received")))},
        {"prefixes sent:", cell(at(n, "prefixes_announced"))},
        {"prefixes received:", received},
        {"last transition:", cell(at(n, "last_transition"))},
        {"last error:", cell(at(n, "last_error"))},
        {"notification sent:", notification(at(n, "notification_sent"))},
        {"notification received:", notification(at(n, "notification_received"))},
    };
    Table kv({{""}, {""}});
    for (const auto& [label, value] : rows)
        kv.add_row({label, terminal_safe(value)});
    if (const std::string v = idle_hold_note(n); !v.empty())
        kv.add_row({"next attempt:", v});
    bfd_rows(kv, at(n, "bfd"));
    return kv.render_rows("");
}

std::string vips_table(const json& vips)
{
    static constexpr Field fields[] = {
        {"VIP", "name"},  {"STATE", "state"},   {"PREFIXES", "prefixes"},
        {"RULE", "rule"}, {"REASON", "reason"},
    };
    return render_table(vips, "no VIPs configured\n", fields);
}

std::string checks_table(const json& checks)
{
    static constexpr Field fields[] = {
        {"CHECK", "name"},
        {"KIND", "kind"},
        {"STATE", "state"},
        {"LATENCY", "latency_ms", Align::right, latency},
        {"TRANSITIONS", "transitions", Align::right},
        {"LAST CHANGE", "last_change"},
        {"DETAIL", "detail"},
    };
    return render_table(checks, "no checks configured\n", fields);
}

std::string routes_table(const json& routes)
{
    static constexpr Field fields[] = {
        {"NEIGHBOR", "neighbor"},
        {"PREFIX", "prefix"},
        {"NEXT HOP", "next_hop"},
        {"AS PATH", "as_path"},
        {"ORIGIN", "origin"},
        {"MED", "med", Align::right},
        {"LOCAL PREF", "local_pref", Align::right},
        {"COMMUNITIES", "communities"},
        {"LARGE COMMUNITIES", "large_communities"},
    };
    return render_table(routes, "no routes sent\n", fields);
}

/// announce/withdraw (and drain --wait) results: one line per neighbor; status 1 when an
/// established neighbor was not written.
Rendered results(std::string_view command, const json& reply)
{
    Rendered out;
    const json& res = at(reply, "results");
    if (!res.is_object() || res.empty()) {
        out.text = "no neighbors configured\n";
        return out;
    }
    Table t({{"NEIGHBOR"}, {"RESULT"}});
    std::vector<std::string> failed;
    for (const auto& [name, result] : res.items()) {
        const std::string text = cell(result);
        t.add_row({name, text});
        if (result_is_failure(text))
            failed.push_back(terminal_safe(name));
    }
    out.text = t.render();
    if (!failed.empty()) {
        out.status = 1;
        out.warning =
            fmt::format("vipctl {}: not written to {} established neighbor{}: {}\n", command,
                        failed.size(), failed.size() == 1 ? "" : "s", fmt::join(failed, ", "));
    }
    return out;
}

std::string attributes_text(const json& a)
{
    if (!a.is_object())
        return "none (not announced)";
    const json& nh = at(a, "next_hop");
    return fmt::format("MED {}, LOCAL_PREF {}, prepend {}, communities {}, large communities "
                       "{}, next hop {}",
                       cell(at(a, "med")), cell(at(a, "local_pref")), cell(at(a, "prepend")),
                       cell(at(a, "communities")), cell(at(a, "large_communities")),
                       nh.is_null() ? "per neighbor" : cell(nh));
}

void tree_lines(const json& node, std::size_t depth, std::string& out)
{
    const std::string indent(2 + 2 * depth, ' ');
    const std::string op = cell(at(node, "op"));
    const std::string state = cell(at(node, "state"));
    const std::string detail = cell(at(node, "detail"));
    if (op == "leaf")
        out += indent + terminal_safe(cell(at(node, "ref"))) + ": " + terminal_safe(state) +
               (detail == "-" ? "" : " (" + terminal_safe(detail) + ")") + "\n";
    else
        out += indent + terminal_safe(op) + ": " + terminal_safe(state) + "\n";
    if (depth < max_request_depth)
        for (const auto& child : array_of(node, "children"))
            tree_lines(child, depth + 1, out);
}

std::string explain(const json& reply)
{
    const json& v = at(reply, "vip");
    const json& damping = at(v, "damping");
    const json& neighbors = at(v, "neighbors");
    Table head({{""}, {""}});
    head.add_row({"prefixes:", cell(at(v, "prefixes"))});
    head.add_row({"rule:", cell(at(v, "rule"))});
    head.add_row(
        {"neighbors:", neighbors.is_array() && neighbors.empty() ? "all" : cell(neighbors)});
    std::string out = "VIP " + terminal_safe(cell(at(v, "name"))) + "\n";
    out += head.render_rows("  ");
    out += "\nrule evaluation: " + terminal_safe(cell(at(v, "evaluation"))) + "\n";
    if (at(reply, "tree").is_object())
        tree_lines(at(reply, "tree"), 0, out);
    Table tail({{""}, {""}});
    tail.add_row({"decision:", cell(at(v, "state"))});
    tail.add_row({"reason:", cell(at(v, "reason"))});
    tail.add_row({"attributes:", attributes_text(at(v, "attributes"))});
    tail.add_row({"damping:",
                  fmt::format("{} flaps, {} suppressed, held until {}", cell(at(damping, "flaps")),
                              cell(at(damping, "suppressed")), cell(at(damping, "held_until")))});
    tail.add_row({"last change:", cell(at(v, "last_change"))});
    out += "\n" + tail.render_rows("");
    return out;
}

std::string reload(const json& reply)
{
    const json& changes = at(reply, "changes");
    const json& added = array_of(changes, "added");
    const json& removed = array_of(changes, "removed");
    const json& changed = array_of(changes, "changed");
    if (added.empty() && removed.empty() && changed.empty())
        return "configuration reloaded: no changes\n";
    std::string out = "configuration reloaded\n";
    const std::pair<const char*, const json*> parts[] = {
        {"added", &added}, {"removed", &removed}, {"changed", &changed}};
    for (const auto& [label, items] : parts)
        for (const auto& item : *items)
            out += fmt::format("  {:<8} {}\n", label, terminal_safe(cell(item)));
    return out;
}

std::string drain(std::string_view command, const json& reply)
{
    const json& vips = array_of(reply, "vips");
    const bool waited = at(reply, "results").is_object();
    const std::string names = vips.empty() ? "no VIPs" : terminal_safe(cell(vips));
    if (command == "undrain")
        return "undrained: " + names + "\n";
    return (waited ? "drained, routes withdrawn: " : "draining: ") + names + "\n";
}

} // namespace

std::string format_uptime(const json& seconds)
{
    if (!seconds.is_number())
        return "-";
    const double value = seconds.get<double>();
    if (!(value >= 0))
        return "-";
    const auto s = static_cast<std::uint64_t>(value);
    const std::uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
    if (d > 0)
        return fmt::format("{}d{:02}h", d, h);
    if (h > 0)
        return fmt::format("{}h{:02}m", h, m);
    if (m > 0)
        return fmt::format("{}m{:02}s", m, sec);
    return fmt::format("{}s", sec);
}

Rendered render_reply(std::string_view command, const json& reply)
{
    if (const CommandSpec* spec = find_command(command))
        return spec->render(command, reply);
    Rendered out;
    out.text = reply.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    return out;
}

namespace {

/// "BFD packets of no session dropped: 7 (bad-version 2, bad-length 5)\n"; empty when none was.
std::string bfd_unmatched_line(const json& drops)
{
    if (!drops.is_object())
        return {};
    std::uint64_t total = 0;
    std::string reasons;
    for (const auto& item : drops.items()) {
        const std::uint64_t count = reply::count_of(drops, item.key());
        if (count == 0)
            continue;
        total += count;
        reasons +=
            fmt::format("{}{} {}", reasons.empty() ? "" : ", ", terminal_safe(item.key()), count);
    }
    return total == 0
               ? std::string()
               : fmt::format("\nBFD packets of no session dropped: {} ({})\n", total, reasons);
}

} // namespace

Rendered render_status(std::string_view, const json& reply)
{
    Rendered out;
    out.text = "vipd " + terminal_safe(cell(at(reply, "version"))) + "\n\n" +
               neighbors_summary(array_of(reply, "neighbors")) + "\n" +
               vips_table(array_of(reply, "vips")) + "\n" +
               checks_table(array_of(reply, "checks")) +
               bfd_unmatched_line(at(reply, "bfd_dropped_no_session"));
    if (const json& errors = at(reply, "state_errors"); errors.is_object() && !errors.empty()) {
        out.text += "\nstate directory problems (state not saved or not restored):\n";
        for (const auto& [file, error] : errors.items())
            out.text += "  " + terminal_safe(file) + ": " + terminal_safe(cell(error)) + "\n";
    }
    return out;
}

Rendered render_neighbors(std::string_view, const json& reply)
{
    Rendered out;
    out.text = at(reply, "neighbor").is_object() ? neighbor_detail(at(reply, "neighbor"))
                                                 : neighbors_detail(array_of(reply, "neighbors"));
    return out;
}

Rendered render_neighbor(std::string_view, const json& reply)
{
    Rendered out;
    const std::string name = terminal_safe(cell(at(reply, "neighbor")));
    const std::string action = cell(at(reply, "action"));
    const bool changed = at(reply, "changed") != false;
    if (action == "disable")
        out.text = fmt::format("neighbor {}: disabled{} (Cease/2 \"{}\"; stays down until "
                               "'vipctl neighbor {} enable')\n",
                               name, changed ? "" : " already",
                               terminal_safe(cell(at(reply, "message"))), name);
    else if (action == "enable")
        out.text = changed ? fmt::format("neighbor {}: enabled, starting\n", name)
                           : fmt::format("neighbor {}: was not disabled\n", name);
    else if (action == "refresh")
        out.text = fmt::format("neighbor {}: re-sending the whole Adj-RIB-Out\n", name);
    else
        out.text =
            fmt::format("neighbor {}: reset (Cease/4 sent, back-off cleared, restarting)\n", name);
    return out;
}

Rendered render_checks(std::string_view, const json& reply)
{
    Rendered out;
    out.text = checks_table(array_of(reply, "checks"));
    return out;
}

Rendered render_routes(std::string_view, const json& reply)
{
    Rendered out;
    out.text = routes_table(array_of(reply, "routes"));
    return out;
}

Rendered render_results(std::string_view command, const json& reply)
{
    return results(command, reply);
}

Rendered render_drain(std::string_view command, const json& reply)
{
    Rendered out;
    out.text = drain(command, reply);
    if (at(reply, "results").is_object()) {
        Rendered r = results(command, reply);
        out.text += r.text;
        out.warning = r.warning;
        out.status = r.status;
    }
    return out;
}

Rendered render_check(std::string_view, const json& reply)
{
    Rendered out;
    out.text = checks_table(json::array({at(reply, "check")}));
    return out;
}

Rendered render_explain(std::string_view, const json& reply)
{
    Rendered out;
    out.text = explain(reply);
    return out;
}

Rendered render_reload(std::string_view, const json& reply)
{
    Rendered out;
    out.text = reload(reply);
    return out;
}

Rendered render_version(std::string_view, const json& reply)
{
    Rendered out;
    out.text = "vipd " + terminal_safe(cell(at(reply, "version"))) + "\n";
    return out;
}

Rendered render_watch(std::string_view, const json&)
{
    return {};
}

std::string render_event(const json& event)
{
    if (cell(at(event, "event")) == "dropped")
        return "dropped by vipd: " + terminal_safe(cell(at(event, "reason")));
    std::string line = cell(at(event, "time")) + " " + cell(at(event, "kind")) + " " +
                       cell(at(event, "name")) + " " + cell(at(event, "from")) + " -> " +
                       cell(at(event, "to"));
    if (const auto cause = cell(at(event, "cause")); cause != "-" && !cause.empty())
        line += " (" + cause + ")";
    return terminal_safe(line);
}

} // namespace vipd::cli
