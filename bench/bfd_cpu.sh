#!/usr/bin/env bash
# CPU of many BFD sessions (issue 11): one vipd with SESSIONS BGP neighbors, each with BFD at
# INTERVAL ms x 3, against one BIRD 2 with as many `protocol bgp ... bfd on` (its BFD protocol at
# the same intervals), in two network namespaces joined by one veth pair carrying SESSIONS
# addresses on each end (vipd 10.79.1.x, BIRD 10.79.2.x, on-link in 10.79.0.0/16). Once every
# BGP session is Established and every BFD session Up at BIRD with the configured detection time,
# and SETTLE s more, the CPU time (utime + stime of /proc/PID/stat, every thread) of vipd and of
# BIRD over WINDOW s, as a share of one core, with the packets vipd sent and received in the window
# (vipctl counters) and the BFD flaps on both sides. Needs root, bird2 and `ip`.
#   bench/bfd_cpu.sh [BUILD_DIR]     SESSIONS=100 INTERVAL=10 MULT=3 WINDOW=30 SETTLE=5
#   (if not every session is up at once within UP_WAIT s (60), as on a loaded machine where 10 ms
#   sessions flap, the window starts once MIN_UP are, default 90 %; the counts are printed)
#   PERF=1: also `perf record -g` of vipd for the window (report printed at the end; costs CPU
#   of its own, so the figures of such a run are not the ones to quote)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build/dev}" && pwd)
SESSIONS=${SESSIONS:-100} INTERVAL=${INTERVAL:-10} MULT=${MULT:-3} WINDOW=${WINDOW:-30} SETTLE=${SETTLE:-5} PERF=${PERF:-0}
MIN_UP=${MIN_UP:-$((SESSIONS * 9 / 10))} UP_WAIT=${UP_WAIT:-60}
export VIPD_SOURCE_DIR=$ROOT VIPD_BINARY_DIR=$BUILD
export VIPD_DAEMON_MAX_S=$((WINDOW + SETTLE + 300))
. "$ROOT/tests/integration/lib.sh"
require_cmd bird birdc ip
((SESSIONS >= 1 && SESSIONS <= 250)) || fail "SESSIONS: 1..250"

nsv=bfdc-v$$ nsr=bfdc-r$$
netns_new "$nsv"
netns_new "$nsr"
ip link add vc netns "$nsv" type veth peer name bc netns "$nsr"
for ((i = 1; i <= SESSIONS; i++)); do echo "addr add 10.79.1.$i/16 dev vc"; done | ip -n "$nsv" -batch -
for ((i = 1; i <= SESSIONS; i++)); do echo "addr add 10.79.2.$i/16 dev bc"; done | ip -n "$nsr" -batch -
ip -n "$nsv" link set vc up
ip -n "$nsr" link set bc up

conf="$(bird_conf_global --router-id 10.79.2.1)
protocol bfd {
  debug { events };   # state changes only: the flaps are counted
  interface \"bc\" { min rx interval $INTERVAL ms; min tx interval $INTERVAL ms; multiplier $MULT; };
}"
nbrs="" sep=""
for ((i = 1; i <= SESSIONS; i++)); do
    conf+="
protocol bgp n$i { local 10.79.2.$i as 65000; neighbor 10.79.1.$i as 65001; passive on;
  error wait time 1, 2; bfd on; ipv4 { import all; export none; }; }"
    nbrs+="$sep
    { \"name\": \"n$i\", \"address\": \"10.79.2.$i\", \"local-address\": \"10.79.1.$i\", \"remote-as\": 65000,
      \"families\": [\"ipv4\"], \"connect-retry\": \"1s\", \"export\": { \"next-hop-v4\": \"10.79.1.$i\" },
      \"bfd\": { \"min-tx\": $INTERVAL, \"min-rx\": $INTERVAL, \"multiplier\": $MULT } }"
    sep=,
done
start_bird_netns "$nsr" rtr "$conf"
cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{ $(vipd_conf_global 10.79.1.1 1s),
  "neighbors": [ $nbrs ],
  "vips": [ { "name": "web", "prefixes": ["198.51.100.60/32"], "rule": "always()" } ] }
JSON
start_daemon vipd ip netns exec "$nsv" "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"

# up_counts: "BGP BFD": BGP protocols Established, BFD sessions Up with the configured detection
# time, at BIRD (one birdc).
up_counts() {
    printf '%s\n' "show protocols" "show bfd sessions" | birdc -s "$(_vipd_bird_sock rtr)" 2>/dev/null |
        awk -v d="$INTERVAL" -v m="$MULT" '
            $2 == "BGP" && $NF == "Established" { e++ }
            $1 ~ /^10\.79\.1\./ && $3 == "Up" && $NF + 0 == m * d / 1000 { b++ }
            END { print e + 0, b + 0 }'
}
# up_at_least N: N BGP sessions Established and N BFD sessions Up.
up_at_least() {
    local e b
    read -r e b < <(up_counts)
    ((e >= $1 && b >= $1))
}
# Every session up at once; on a loaded machine 10 ms sessions flap, so then MIN_UP of them.
if ! wait_until "$UP_WAIT" up_at_least "$SESSIONS"; then
    log "not all $SESSIONS sessions up at once within $UP_WAIT s ($(up_counts)); waiting for $MIN_UP"
    wait_or_fail 60 "$MIN_UP BGP sessions Established and BFD sessions Up at BIRD" up_at_least "$MIN_UP"
fi
sleep "$SETTLE"

vpid=$(daemon_pid vipd)
bpid=$(cat "$(daemon_dir rtr)/bird.pid")
# ticks PID: utime + stime of every thread of PID, in clock ticks.
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# packets: BFD packets vipd sent and received so far, over every neighbor (vipctl counters).
packets() {
    "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" --json neighbors | "$VIPD_PY" -c '
import json, sys
s = r = 0
for n in json.load(sys.stdin)["neighbors"]:
    b = n.get("bfd") or {}
    s += b.get("packets_sent", 0); r += b.get("packets_received", 0)
print(s, r)'
}
flaps() { # at BIRD, at vipd: BFD sessions that left Up
    echo "$(grep -c "changed state from Up to" "$(daemon_log rtr)") $(grep -c "BFD Up->Down" "$(daemon_log vipd)")"
}
hz=$(getconf CLK_TCK)
if ((PERF)); then
    require_cmd perf
    start_daemon perf perf record -g -o "$VIPD_TEST_DIR/perf.data" -p "$vpid" -- sleep "$WINDOW"
fi
read -r s0 r0 < <(packets)
read -r bf0 vf0 < <(flaps)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
up0=$(up_counts)
v0=$(ticks "$vpid") b0=$(ticks "$bpid") t0=$EPOCHREALTIME
sleep "$WINDOW"
v1=$(ticks "$vpid") b1=$(ticks "$bpid") t1=$EPOCHREALTIME
load1=$(cut -d' ' -f1-3 /proc/loadavg)
read -r s1 r1 < <(packets)
read -r bf1 vf1 < <(flaps)
up1=$(up_counts)

awk -v n="$SESSIONS" -v i="$INTERVAL" -v mult="$MULT" -v hz="$hz" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    -v v="$((v1 - v0))" -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v r="$((r1 - r0))" \
    -v bf="$((bf1 - bf0))" -v vf="$((vf1 - vf0))" -v l0="$load0" -v l1="$load1" 'BEGIN {
    printf "\n%d BFD sessions at %d ms x %d, window %.1f s; load average %s (before), %s (after)\n", n, i, mult, t, l0, l1
    printf "| %-6s | %14s | %13s | %28s | %10s |\n", "daemon", "CPU time (s)", "% of a core", "vipd packets/s (sent, recv)", "BFD flaps"
    printf "|--------|----------------|---------------|------------------------------|------------|\n"
    printf "| %-6s | %14.2f | %12.1f%% | %13.0f, %-14.0f | %10d |\n", "vipd", v / hz, 100 * v / hz / t, s / t, r / t, vf
    printf "| %-6s | %14.2f | %12.1f%% | %28s | %10d |\n", "BIRD", b / hz, 100 * b / hz / t, "", bf
    printf "vipd / BIRD CPU: %.2f\n", (b > 0 ? v / b : 0) }'
echo "at BIRD, BGP sessions Established and BFD sessions Up: $up0 (window start), $up1 (end)"
if ((PERF)); then
    stop_daemon perf
    perf report -i "$VIPD_TEST_DIR/perf.data" --no-children --stdio -g none --percent-limit 0.7 2>/dev/null | sed -n 1,60p
fi
stop_daemon vipd
stop_daemon rtr
