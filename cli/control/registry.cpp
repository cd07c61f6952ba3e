// The control commands, one row each (see registry.hpp). The help texts are vipctl's; the
// argument specs are what the daemon accepts (validate_args); builders and renderers live in
// request.cpp and render.cpp. A data table: its length is the commands' help text.
#include "cli/control/registry.hpp"

#include <array>

#include "cli/control/render.hpp"
#include "cli/control/request.hpp"
#include "cli/control/status_check.hpp"

namespace vipd::cli {

namespace {

constexpr std::array<ArgSpec, 0> no_args{};
constexpr std::array routes_args{ArgSpec{"neighbor", ArgKind::name, false}};
constexpr std::array announce_args{
    ArgSpec{"prefixes", ArgKind::prefixes, true},
    ArgSpec{"med", ArgKind::u32, false},
    ArgSpec{"communities", ArgKind::communities, false},
    ArgSpec{"large_communities", ArgKind::large_communities, false},
    ArgSpec{"prepend", ArgKind::prepend, false},
    ArgSpec{"next_hop", ArgKind::address, false},
    ArgSpec{"neighbors", ArgKind::names, false},
};
constexpr std::array withdraw_args{ArgSpec{"prefixes", ArgKind::prefixes, true}};
constexpr std::array drain_args{
    ArgSpec{"vip", ArgKind::name, false},
    ArgSpec{"all", ArgKind::boolean, false},
    ArgSpec{"wait", ArgKind::boolean, false},
};
constexpr std::array check_args{ArgSpec{"check", ArgKind::name, true}};
constexpr std::array explain_args{ArgSpec{"vip", ArgKind::name, true}};
constexpr std::array neighbor_args{ArgSpec{"neighbor", ArgKind::name, true},
                                   ArgSpec{"action", ArgKind::name, true},
                                   ArgSpec{"message", ArgKind::name, false}};
constexpr std::array neighbors_args{ArgSpec{"neighbor", ArgKind::name, false}};

constexpr std::array<OptionSpec, 0> no_options{};
constexpr std::array status_options{OptionSpec{"--check", false, false}};
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
constexpr std::array neighbor_options{OptionSpec{"--message", true, false}};

const std::array commands{
    CommandSpec{"status", "neighbors, VIPs and checks at a glance",
                R"(Usage: vipctl status [--check]

Shows three tables: BGP neighbors (state, uptime, prefixes), VIPs (state, prefixes, rule,
reason) and health checks (state, latency, detail).

Options:
  --check   one line for monitoring instead of the tables: "OK: ..." and exit status 0 when
            every neighbor is Established and every VIP is as expected (announced; withdrawn
            when drained or its rule is never()); otherwise "CRITICAL: " and what is not,
            exit status 2 (Nagios CRITICAL; 3 when the daemon cannot be reached)

Examples:
  vipctl status
  vipctl status --check
  vipctl --json status | jq '.vips[] | select(.state != "announced")'
)",
                no_args, status_options, build_status, render_status},
    CommandSpec{"neighbors", "BGP neighbors in detail",
                R"(Usage: vipctl neighbors [NAME]

Shows every BGP neighbor: state, uptime, message/UPDATE/prefix counters, address families,
and below the table the last error, transition and NOTIFICATIONs of each, and whether the
operator disabled it. With NAME, one neighbor in detail: negotiated capabilities and
timers, counters, last error and NOTIFICATIONs (with their shutdown communication), uptime,
flaps and the received prefixes (counted; held only with adj-rib-in-limit or max-prefixes).

Examples:
  vipctl neighbors
  vipctl neighbors tor1
  vipctl --json neighbors tor1
)",
                neighbors_args, no_options, build_neighbors, render_neighbors},
    CommandSpec{"neighbor", "act on one BGP neighbor: reset, disable, enable, refresh",
                R"(Usage: vipctl neighbor NAME reset [--message TEXT]
       vipctl neighbor NAME disable [--message TEXT]
       vipctl neighbor NAME enable
       vipctl neighbor NAME refresh

reset    hard reset of the session: sends Cease / Administrative Reset (RFC 4486 6/4),
         with TEXT as the RFC 9003 shutdown communication, on its open connections, clears the idle-hold back-off, and starts the session again
         at once (also when it was waiting in Idle). The router's routes from us are
         withdrawn until the session is Established again. Refused while disabled.
disable  sends Cease / Administrative Shutdown (6/2) with TEXT as the RFC 9003 shutdown
         communication and keeps the session down: no restart, connections from the
         router refused, until 'enable'. Survives reloads and restarts of vipd.
enable   ends a disable and starts the session.
refresh  re-sends the whole Adj-RIB-Out to the neighbor (as for a ROUTE-REFRESH it
         sent); the session must be Established.

Options:
  --message TEXT   disable and reset: the shutdown communication, at most 255 octets
                   of UTF-8 (default: disabled by the operator (vipctl), or reset by
                   the operator (vipctl))

Examples:
  vipctl neighbor tor1 reset
  vipctl neighbor tor1 disable --message "maintenance CHG-1234"
  vipctl neighbor tor1 enable
  vipctl neighbor tor1 refresh
)",
                neighbor_args, neighbor_options, build_neighbor, render_neighbor},
    CommandSpec{"checks", "health checks",
                R"(Usage: vipctl checks

Shows every health check: kind, state, latency of the last probe, transitions and detail.

Example:
  vipctl checks
)",
                no_args, no_options, build_no_args, render_checks},
    CommandSpec{"routes", "routes sent to the neighbors (Adj-RIB-Out)",
                R"(Usage: vipctl routes [--neighbor NAME]

Shows the routes as sent to each neighbor with their attributes.

Options:
  --neighbor NAME   only this neighbor

Examples:
  vipctl routes
  vipctl routes --neighbor tor1
)",
                routes_args, routes_options, build_routes, render_routes},
    CommandSpec{"announce", "announce extra prefixes by hand",
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
)",
                announce_args, announce_options, build_announce, render_results, true},
    CommandSpec{"withdraw", "withdraw prefixes announced by hand",
                R"(Usage: vipctl withdraw PREFIX...
       vipctl withdraw --file FILE

Withdraws prefixes announced with 'vipctl announce'. Output and exit status as announce.

Options:
  --file FILE   prefixes from FILE ('-': stdin), as for announce

Examples:
  vipctl withdraw 198.51.100.0/24
  grep -v '^10\.' list.txt | vipctl withdraw --file -
)",
                withdraw_args, withdraw_options, build_withdraw, render_results, true},
    CommandSpec{"drain", "drain a VIP (or all) before maintenance",
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
)",
                drain_args, drain_options, build_drain, render_drain},
    CommandSpec{"undrain", "end a drain: the VIP follows its rule again",
                R"(Usage: vipctl undrain VIP
       vipctl undrain --all

Options:
  --all    every VIP

Examples:
  vipctl undrain web
  vipctl undrain --all
)",
                drain_args, undrain_options, build_drain, render_drain},
    CommandSpec{"disable", "disable a health check (it counts as down)",
                R"(Usage: vipctl disable CHECK

Holds CHECK disabled (it counts as down in every rule) until enabled, persisted across
restarts. Probes go on so that status and metrics still show the service's own health;
their results are ignored. Enabling restarts the check from init (rise count applies).

Example:
  vipctl disable web-http
)",
                check_args, no_options, build_check, render_check},
    CommandSpec{"enable", "enable a disabled health check",
                R"(Usage: vipctl enable CHECK

Example:
  vipctl enable web-http
)",
                check_args, no_options, build_check, render_check},
    CommandSpec{"check-now", "probe a check now and show the result",
                R"(Usage: vipctl check-now CHECK

Runs one probe of CHECK at once and shows the check after it completed.

Example:
  vipctl check-now web-http
)",
                check_args, no_options, build_check, render_check},
    CommandSpec{"explain", "why a VIP is (not) announced",
                R"(Usage: vipctl explain VIP

Shows the VIP's rule as a tree with each leaf's state and detail, the decision, the
attributes it is announced with, damping and the reason.

Example:
  vipctl explain web
)",
                explain_args, no_options, build_explain, render_explain},
    CommandSpec{"reload", "re-read the configuration file",
                R"(Usage: vipctl reload

Re-reads the configuration and applies the difference (as SIGHUP does). A file with errors
is rejected with the errors shown and the running configuration is kept (exit status 1).

Example:
  vipctl reload
)",
                no_args, no_options, build_no_args, render_reload},
    CommandSpec{"version", "versions of vipctl and the running vipd",
                R"(Usage: vipctl version

Prints the version of vipctl, then asks the daemon for its version ('vipctl --version'
prints vipctl's alone without connecting).

Examples:
  vipctl version
  vipctl --json version
)",
                no_args, no_options, build_no_args, render_version},
    CommandSpec{"watch", "follow check, VIP and neighbor transitions live",
                R"(Usage: vipctl watch

Prints one line per transition as it happens, until interrupted (Ctrl-C) or the daemon
closes the connection: time (UTC), kind (check, vip, neighbor), name, old -> new state and
the cause. Neighbors show entering and leaving Established. With --json, each event is one
JSON object per line ({"event":"transition","time","kind","name","from","to","cause"}).
No timeout applies. A watcher that reads too slowly is dropped by the daemon with a last
line saying why (exit status 1); exit status 3 when the daemon goes away.

Examples:
  vipctl watch
  vipctl --json watch | jq -c 'select(.kind == "vip")'
)",
                no_args, no_options, build_watch, render_watch, false, true},
};

} // namespace

std::span<const CommandSpec> command_registry()
{
    return commands;
}

const CommandSpec* find_command(std::string_view name)
{
    for (const auto& c : commands)
        if (c.name == name)
            return &c;
    return nullptr;
}

} // namespace vipd::cli
