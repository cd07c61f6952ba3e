#!/usr/bin/env bash
# Crash -> route gone (issue 14): the same service (python3 -m http.server, two instances) under a
# `process` check (pidfile, pidfd watch) and under an `http` check at 1 s interval, fall 1, in
# the same vipd and the same run. Each round SIGKILLs both services and measures, per VIP, the
# time from the kill (bash $EPOCHREALTIME, taken just before kill) to BIRD removing the route
# (BIRD's own route trace, `debug { routes }`, timestamped with ms: the receiver's table, not
# vipd's log); then restarts both and waits for both routes. Prints p50/p95/max per check.
#   bench/crash_to_route.sh [BUILD_DIR]        (default build; needs BUILD_DIR/vipd)
#   env: ROUNDS=100 (smoke: ROUNDS=5)
# Loopback only; BIRD, vipd and the services are started and stopped by PID (tests/integration/lib.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
ROUNDS=${ROUNDS:-100}
export VIPD_SOURCE_DIR=$ROOT VIPD_BINARY_DIR=$BUILD
export VIPD_DAEMON_MAX_S=$((60 + ROUNDS * 15))
. "$ROOT/tests/integration/lib.sh"

rtr=127.0.0.1 me=127.0.0.14
port=$(free_port "$rtr")
proc_port=$(free_port 127.0.0.1) http_port=$(free_port 127.0.0.1)
start_bird rtr "$(bird_conf_global --router-id "$rtr")
$(bird_conf_bgp vipd --local "$rtr" --local-port "$port" --local-as 65000 --neighbor "$me" \
    --peer-as 65001 --no-ipv6 --extra 'debug { routes };')"
bird_log=$(daemon_log rtr)

pidfile=$VIPD_TEST_DIR/svc.pid
py=$(command -v /usr/bin/python3 || command -v python3) # not a PATH shim: it would fork first
port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
start_services() { # start_services ROUND
    wait_or_fail 10 "port $proc_port free" port_free "$proc_port"
    wait_or_fail 10 "port $http_port free" port_free "$http_port"
    start_daemon "p$1" "$py" -m http.server "$proc_port" --bind 127.0.0.1 --directory "$VIPD_TEST_DIR"
    daemon_pid "p$1" >"$pidfile.new" && mv "$pidfile.new" "$pidfile"
    start_daemon "h$1" "$py" -m http.server "$http_port" --bind 127.0.0.1 --directory "$VIPD_TEST_DIR"
    expect_exit "p$1" 137 143
    expect_exit "h$1" 137 143
}
start_services 0

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s" } ],
  "checks": {
    "proc": { "kind": "process", "pidfile": "$pidfile", "interval": "1s", "fast-interval": "100ms",
              "rise": 1, "fall": 1 },
    "web": { "kind": "http", "url": "http://127.0.0.1:$http_port/", "interval": "1s",
             "fast-interval": "100ms", "timeout": "500ms", "rise": 1, "fall": 1 } },
  "vips": [ { "name": "proc", "prefixes": ["198.51.100.110/32"], "rule": "proc", "damping": false },
            { "name": "web", "prefixes": ["198.51.100.120/32"], "rule": "web", "damping": false } ]
}
JSON
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20
vipd_log=$(daemon_log vipd)

# first_line FILE FROM_LINE ERE: the first line at or after FROM_LINE matching ERE (status 1: none).
first_line() { awk -v from="$2" -v re="$3" 'NR >= from && $0 ~ re { print; found = 1; exit } END { exit !found }' "$1"; }
# epoch_ms TIME: "2026-12-07 15:07:26.202" or "2026-12-07T15:07:26.202Z" as ms since the epoch.
epoch_ms() { date -d "$1" +%s%3N; }
# removed_ms PREFIX FROM_LINE: when BIRD traced the removal of PREFIX (its log, from FROM_LINE).
removed_ms() { epoch_ms "$(first_line "$bird_log" "$2" "vipd[.a-z0-9]* > removed .*$1" | cut -c1-23)"; }
# down_ms CHECK FROM_LINE: when vipd logged CHECK going down (its log, from FROM_LINE).
down_ms() { epoch_ms "$(first_line "$vipd_log" "$2" "check=$1 .*to=down" | cut -c1-24)"; }
gone_logged() { first_line "$bird_log" "$2" "vipd[.a-z0-9]* > removed .*$1" >/dev/null; }

: >"$VIPD_TEST_DIR/proc.ms"
: >"$VIPD_TEST_DIR/web.ms"
: >"$VIPD_TEST_DIR/proc-vipd.ms"
for ((r = 0; r < ROUNDS; r++)); do
    bird_wait_route rtr vipd 198.51.100.110/32 20
    bird_wait_route rtr vipd 198.51.100.120/32 20
    from=$(($(wc -l <"$bird_log") + 1))
    pp=$(daemon_pid "p$r") hp=$(daemon_pid "h$r")
    vfrom=$(($(wc -l <"$vipd_log") + 1))
    t_proc=$EPOCHREALTIME
    kill -KILL "$pp"
    t_http=$EPOCHREALTIME
    kill -KILL "$hp"
    wait_or_fail 10 "proc route removed" gone_logged 198.51.100.110/32 "$from"
    wait_or_fail 10 "web route removed" gone_logged 198.51.100.120/32 "$from"
    awk -v a="$t_proc" -v b="$(removed_ms 198.51.100.110/32 "$from")" 'BEGIN { printf "%.3f\n", b - a * 1000 }' >>"$VIPD_TEST_DIR/proc.ms"
    awk -v a="$t_http" -v b="$(removed_ms 198.51.100.120/32 "$from")" 'BEGIN { printf "%.3f\n", b - a * 1000 }' >>"$VIPD_TEST_DIR/web.ms"
    awk -v a="$t_proc" -v b="$(down_ms proc "$vfrom")" 'BEGIN { printf "%.3f\n", b - a * 1000 }' >>"$VIPD_TEST_DIR/proc-vipd.ms"
    stop_daemon "p$r" && stop_daemon "h$r"
    start_services $((r + 1))
done

stats() { # stats NAME FILE
    sort -n "$2" | awk -v name="$1" '{ v[NR] = $1 } END {
        p50 = v[int((NR - 1) * 0.50) + 1]; p95 = v[int((NR - 1) * 0.95) + 1]
        printf "| %-32s | %5d | %9.1f | %9.1f | %9.1f |\n", name, NR, p50, p95, v[NR] }'
}
printf '\nCrash -> route gone in BIRD (ms; BIRD trace timestamps have 1 ms resolution)\n'
printf '| %-32s | %5s | %9s | %9s | %9s |\n' check rounds p50 p95 max
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..34})" ------- ----------- ----------- -----------
stats "process (pidfd)" "$VIPD_TEST_DIR/proc.ms"
stats "http, interval 1 s, fall 1" "$VIPD_TEST_DIR/web.ms"
stats "process: kill -> vipd's down log" "$VIPD_TEST_DIR/proc-vipd.ms"
