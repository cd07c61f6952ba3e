// HAProxy CSV stats parsing and reference evaluation (pure).
#include "health/haproxy_stats.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace vipd::health {
namespace {

// Split one CSV line. HAProxy quotes a field with '"' when it holds ',' or '"' (doubled inside).
std::vector<std::string> split_csv(std::string_view line)
{
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
        } else {
            field += c;
        }
    }
    fields.push_back(std::move(field));
    return fields;
}

unsigned to_unsigned(std::string_view s)
{
    unsigned value = 0;
    std::from_chars(s.data(), s.data() + s.size(), value);
    return value;
}

struct Columns
{
    std::size_t pxname, svname, status, type;
    std::optional<std::size_t> weight, act, bck, check_status, last_chk;
};

tl::expected<Columns, std::string> find_columns(std::string_view header)
{
    const auto names = split_csv(header);
    const auto find = [&](std::string_view name) -> std::optional<std::size_t> {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            return std::nullopt;
        }
        return static_cast<std::size_t>(it - names.begin());
    };
    const auto pxname = find("pxname");
    const auto svname = find("svname");
    const auto status = find("status");
    const auto type = find("type");
    if (!pxname || !svname || !status || !type) {
        return tl::unexpected(std::string("stats header lacks pxname, svname, status or type"));
    }
    return Columns{*pxname,         *svname,     *status,     *type,
                   find("weight"),  find("act"), find("bck"), find("check_status"),
                   find("last_chk")};
}

std::string optional_field(const std::vector<std::string>& f, std::optional<std::size_t> i)
{
    return i && *i < f.size() ? f[*i] : std::string();
}

const StatRow* find_row(const StatTable& table, std::string_view proxy, std::string_view name,
                        ProxyType type)
{
    const auto it = std::find_if(table.begin(), table.end(), [&](const StatRow& r) {
        return r.type == type && r.proxy == proxy && r.name == name;
    });
    return it == table.end() ? nullptr : &*it;
}

// What HAProxy reports, when not up, is the reason.
Outcome with_reason(Outcome outcome)
{
    outcome.reason = outcome.up() ? Reason::none : Reason::haproxy;
    return outcome;
}

Outcome evaluate_backend(const StatTable& table, const std::string& proxy)
{
    const auto* row = find_row(table, proxy, "BACKEND", ProxyType::backend);
    if (row == nullptr) {
        return down({Reason::haproxy, fmt::format("no backend \"{}\"", proxy)});
    }
    const auto servers = std::count_if(table.begin(), table.end(), [&](const StatRow& r) {
        return r.type == ProxyType::server && r.proxy == proxy;
    });
    const auto usable = row->active + row->backup;
    const Status status = row->status == "UP" ? Status::up : Status::down;
    return with_reason(
        {status,
         fmt::format("backend {} {} ({}/{} servers up)", proxy, row->status, usable, servers),
         {}});
}

Outcome evaluate_frontend(const StatTable& table, const std::string& proxy)
{
    const auto* row = find_row(table, proxy, "FRONTEND", ProxyType::frontend);
    if (row == nullptr) {
        return down({Reason::haproxy, fmt::format("no frontend \"{}\"", proxy)});
    }
    Status status = Status::down;
    if (row->status == "OPEN" || row->status == "FULL") {
        status = Status::up;
    } else if (row->status == "PAUSED") {
        status = Status::maint;
    }
    return with_reason({status, fmt::format("frontend {} {}", proxy, row->status), {}});
}

Outcome evaluate_server(const StatTable& table, const HaproxyRef& ref)
{
    const auto* row = find_row(table, ref.proxy, ref.server, ProxyType::server);
    if (row == nullptr) {
        return down({Reason::haproxy, fmt::format("no server \"{}/{}\"", ref.proxy, ref.server)});
    }
    const Status status = server_status(row->status);
    auto detail = fmt::format("server {}/{} {}", ref.proxy, ref.server, row->status);
    if (status == Status::down && !row->check_status.empty()) {
        detail += row->last_check.empty()
                      ? fmt::format(" ({})", row->check_status)
                      : fmt::format(" ({} {})", row->check_status, row->last_check);
    }
    return with_reason({status, std::move(detail), {}});
}

bool valid_name(std::string_view name)
{
    return !name.empty() && name.find_first_of(" \t,/") == std::string_view::npos;
}

} // namespace

tl::expected<StatTable, std::string> parse_stat_csv(std::string_view text)
{
    constexpr std::string_view header_prefix = "# ";
    const auto start = text.find("# pxname");
    if (start == std::string_view::npos) {
        const auto first_line = text.substr(0, text.find('\n'));
        return tl::unexpected(
            fmt::format("no \"# pxname\" stats header; got \"{}\"", first_line.substr(0, 80)));
    }
    text.remove_prefix(start);
    auto eol = text.find('\n');
    const auto columns = find_columns(text.substr(header_prefix.size(), eol - 2));
    if (!columns) {
        return tl::unexpected(columns.error());
    }
    const auto& c = *columns;
    const auto needed = std::max({c.pxname, c.svname, c.status, c.type}) + 1;
    StatTable table;
    std::size_t line_no = 1;
    while (eol != std::string_view::npos) {
        text.remove_prefix(eol + 1);
        eol = text.find('\n');
        auto line = text.substr(0, eol);
        ++line_no;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty()) {
            continue;
        }
        const auto f = split_csv(line);
        if (f.size() < needed) {
            return tl::unexpected(fmt::format("stats line {}: {} fields, want at least {}", line_no,
                                              f.size(), needed));
        }
        StatRow row;
        row.proxy = f[c.pxname];
        row.name = f[c.svname];
        row.status = f[c.status];
        switch (to_unsigned(f[c.type])) {
        case 0:
            row.type = ProxyType::frontend;
            break;
        case 1:
            row.type = ProxyType::backend;
            break;
        case 2:
            row.type = ProxyType::server;
            break;
        default:
            row.type = ProxyType::listener;
            break;
        }
        row.weight = to_unsigned(optional_field(f, c.weight));
        row.active = to_unsigned(optional_field(f, c.act));
        row.backup = to_unsigned(optional_field(f, c.bck));
        row.check_status = optional_field(f, c.check_status);
        if (row.check_status.rfind("* ", 0) == 0) {
            row.check_status.erase(0, 2); // "* " marks a check in progress
        }
        row.last_check = optional_field(f, c.last_chk);
        table.push_back(std::move(row));
    }
    return table;
}

Status server_status(std::string_view status)
{
    const auto starts = [status](std::string_view prefix) {
        return status.substr(0, prefix.size()) == prefix;
    };
    if (starts("UP") || status == "no check") {
        return Status::up;
    }
    if (starts("MAINT")) {
        return Status::maint;
    }
    if (starts("DRAIN") || starts("NOLB")) {
        return Status::drain;
    }
    return Status::down;
}

tl::expected<HaproxyRef, std::string> parse_ref(std::string_view text)
{
    const auto bad = [text] {
        return tl::unexpected(fmt::format(
            "bad HAProxy reference \"{}\" (want b:BACKEND, f:FRONTEND or s:BACKEND/SERVER)", text));
    };
    if (text.size() < 3 || text[1] != ':') {
        return bad();
    }
    const auto rest = text.substr(2);
    switch (text[0]) {
    case 'b':
        if (!valid_name(rest))
            return bad();
        return HaproxyRef{HaproxyRef::Kind::backend, std::string(rest), {}};
    case 'f':
        if (!valid_name(rest))
            return bad();
        return HaproxyRef{HaproxyRef::Kind::frontend, std::string(rest), {}};
    case 's': {
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos || !valid_name(rest.substr(0, slash)) ||
            !valid_name(rest.substr(slash + 1))) {
            return bad();
        }
        return HaproxyRef{HaproxyRef::Kind::server, std::string(rest.substr(0, slash)),
                          std::string(rest.substr(slash + 1))};
    }
    default:
        return bad();
    }
}

std::string to_string(const HaproxyRef& ref)
{
    switch (ref.kind) {
    case HaproxyRef::Kind::backend:
        return "b:" + ref.proxy;
    case HaproxyRef::Kind::frontend:
        return "f:" + ref.proxy;
    case HaproxyRef::Kind::server:
        return "s:" + ref.proxy + "/" + ref.server;
    }
    return {};
}

Outcome evaluate(const StatTable& table, const HaproxyRef& ref)
{
    switch (ref.kind) {
    case HaproxyRef::Kind::backend:
        return evaluate_backend(table, ref.proxy);
    case HaproxyRef::Kind::frontend:
        return evaluate_frontend(table, ref.proxy);
    case HaproxyRef::Kind::server:
        return evaluate_server(table, ref);
    }
    return {};
}

} // namespace vipd::health
