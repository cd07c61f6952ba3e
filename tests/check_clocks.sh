#!/usr/bin/env bash
# Timers run on the monotonic clock (issue 13): no wall-clock timer type anywhere in the sources
# (Asio's system_timer, deadline_timer (Boost.Date_Time: UTC), a waitable timer on system_clock),
# and std::chrono::system_clock only where a time is shown to people (log lines, metrics, the
# control protocol's timestamps), never in bgp/, health/ or announce/. Prints each violation as
# file:line: what, and exits 1 when there is one. tests/integration/fault_clock_test.sh shows the
# same at run time, stepping vipd's wall clock.
#   check_clocks.sh [ROOT]          check the tree at ROOT (default: the repository)
#   check_clocks.sh --self-test     also show that an added wall-clock timer fails the check
set -euo pipefail

# Files that may read the wall clock, and why: each only turns a time into text for people.
WALL_CLOCK_OK=(
    cli/daemon/log.hpp cli/daemon/log.cpp            # log line timestamps
    cli/daemon/event_log.cpp                         # times of the last transitions (metrics)
    cli/daemon/daemon.cpp cli/daemon/daemon_control.cpp # start time; steady->wall for replies
    cli/control/commands.hpp cli/control/commands.cpp   # steady->wall in vipctl's replies
    cli/status/metrics.hpp cli/status/metrics.cpp       # transition times in metrics
)

check() {
    local root=$1 bad=0 f line rest
    while IFS=: read -r f line rest; do
        printf '%s:%s: wall-clock timer: %s\n' "$f" "$line" "$rest"
        bad=1
    done < <(cd "$root" && grep -rnE --include='*.[ch]pp' \
        'system_timer|deadline_timer|basic_waitable_timer<[^>]*system_clock|high_resolution_timer' \
        bgp health announce cli || true)
    while IFS=: read -r f line rest; do
        [[ " ${WALL_CLOCK_OK[*]} " == *" $f "* && $f == cli/* ]] && continue
        printf '%s:%s: std::chrono::system_clock outside the files that only show times: %s\n' "$f" "$line" "$rest"
        bad=1
    done < <(cd "$root" && grep -rnE --include='*.[ch]pp' 'system_clock|CLOCK_REALTIME|gettimeofday|[^_]time\(nullptr\)' \
        bgp health announce cli || true)
    return "$bad"
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case ${1:-} in
--self-test)
    check "$root"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cp -r "$root/bgp" "$root/health" "$root/announce" "$root/cli" "$tmp/"
    echo 'asio::system_timer t(io);' >>"$tmp/bgp/session.cpp"
    echo 'auto x = std::chrono::system_clock::now();' >>"$tmp/health/monitor.cpp"
    out=$(check "$tmp") && { echo "check_clocks.sh: the self-test's wall-clock timer passed" >&2; exit 1; }
    [[ $out == *"bgp/session.cpp"*"wall-clock timer"* && $out == *"health/monitor.cpp"*system_clock* ]] ||
        { echo "check_clocks.sh: self-test: unexpected report: $out" >&2; exit 1; }
    echo "check_clocks.sh: ok (self-test: both planted wall-clock uses reported)"
    ;;
*) check "${1:-$root}" && echo "check_clocks.sh: ok" ;;
esac
