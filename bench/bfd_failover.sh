#!/usr/bin/env bash
# Hung-node failover (issue 11): a BIRD 2 router and three vipd nodes, each in a network namespace
# of its own joined to BIRD's by a veth pair (single-hop BFD needs TTL 255 over an interface):
#   fast   BFD FAST ms x 3 both ways (default 10 ms: the lowest vipd accepts; BIRD takes 1 ms)
#   slow   BFD SLOW ms x 3 both ways (default 100 ms)
#   hold   no BFD, the BGP hold timer alone (HOLD s, default 3: the shortest RFC 4271 allows)
# N rounds (default 50); in each, one trial per node in turn: wait (bounded) for a stable state
# (BGP Established and the VIP in BIRD's table; for BFD also BIRD's BFD session Up with the
# configured detection time), SIGSTOP the node's vipd, wait (bounded) for BIRD's trace of the
# VIP's removal, SIGCONT. The others recover meanwhile. Times come from BIRD's own log
# (`timeformat log iso long ms`, 1 ms resolution) against the SIGSTOP moment taken just before
# the kill ($EPOCHREALTIME, the same CLOCK_REALTIME), so no polling is in the figures:
#   detect  SIGSTOP -> BIRD's "Session to ADDR expired" (BFD, `debug { events }`) or its
#           "Error: Hold timer expired" (hold)
#   gone    SIGSTOP -> BIRD's route trace "NODE.ipv4 > removed ... VIP" (`debug { routes }`)
# Prints p50 / p95 / max per node and measure, the theoretical detection time, BFD flaps outside
# the trials and the load average (sampled each round). Needs root, bird2 and `ip`.
#   bench/bfd_failover.sh [BUILD_DIR]        N=50 FAST=10 SLOW=100 HOLD=3; OUT=DIR keeps the raw
#                                            times (one file per node and measure) and the logs
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build/dev}" && pwd)
N=${N:-50} FAST=${FAST:-10} SLOW=${SLOW:-100} HOLD=${HOLD:-3} OUT=${OUT:-}
export VIPD_SOURCE_DIR=$ROOT VIPD_BINARY_DIR=$BUILD
export VIPD_DAEMON_MAX_S=$((N * 3 * (HOLD + 15) + 120)) VIPD_POLL_S=0.02
. "$ROOT/tests/integration/lib.sh"
require_cmd bird birdc ip

# Node NAME: number (its link 10.78.NUM.0/30, vipd .1, BIRD .2; VIP 198.51.100.5NUM/32), BFD
# interval in ms (0: none), BGP hold time.
nodes=(fast slow hold)
declare -A num=([fast]=1 [slow]=2 [hold]=3) ivl=([fast]=$FAST [slow]=$SLOW [hold]=0)
declare -A hold=([fast]=30 [slow]=30 [hold]=$HOLD)
me() { echo "10.78.${num[$1]}.1"; }
rtr() { echo "10.78.${num[$1]}.2"; }
vip() { echo "198.51.100.5${num[$1]}/32"; }
nsr=bfdb-r$$

netns_new "$nsr"
for n in "${nodes[@]}"; do
    netns_new "bfdb-$n$$"
    ip link add "v$n" netns "bfdb-$n$$" type veth peer name "b$n" netns "$nsr"
    ip -n "bfdb-$n$$" addr add "$(me "$n")/30" dev "v$n"
    ip -n "$nsr" addr add "$(rtr "$n")/30" dev "b$n"
    ip -n "bfdb-$n$$" link set "v$n" up
    ip -n "$nsr" link set "b$n" up
done

bird_conf="$(bird_conf_global --router-id "$(rtr fast)")
protocol bfd {
  debug { events };"
for n in "${nodes[@]}"; do
    ((ivl[$n])) || continue
    bird_conf+="
  interface \"b$n\" { min rx interval ${ivl[$n]} ms; min tx interval ${ivl[$n]} ms; multiplier 3; };"
done
bird_conf+="
}"
for n in "${nodes[@]}"; do
    bfd_on=""
    ((ivl[$n] == 0)) || bfd_on="bfd on;"
    bird_conf+="
protocol bgp n$n {
  local $(rtr "$n") as 65000; neighbor $(me "$n") as 65001; passive on; hold time ${hold[$n]};
  error wait time 1, 2; $bfd_on debug { states, events, routes };
  ipv4 { import all; export none; };
}"
done
start_bird_netns "$nsr" rtr "$bird_conf"
blog=$(daemon_log rtr)

for n in "${nodes[@]}"; do
    bfd=""
    ((ivl[$n] == 0)) || bfd=", \"bfd\": { \"min-tx\": ${ivl[$n]}, \"min-rx\": ${ivl[$n]}, \"multiplier\": 3 }"
    # idle hold 1 s without doubling: each trial is a failure, and a growing back-off would
    # only lengthen the run.
    cat >"$VIPD_TEST_DIR/$n.json" <<JSON
{ "global": { "router-id": "$(me "$n")", "local-as": 65001, "state-dir": "$VIPD_TEST_DIR/$n.state",
              "control-socket": { "path": "$VIPD_TEST_DIR/$n.sock" }, "startup-grace": "1s" },
  "neighbors": [ { "name": "rtr", "address": "$(rtr "$n")", "local-address": "$(me "$n")",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": ${hold[$n]},
                   "connect-retry": "1s", "idle-hold-time": "1s", "max-idle-hold-time": "1s",
                   "export": { "next-hop-v4": "$(me "$n")" } $bfd } ],
  "vips": [ { "name": "web", "prefixes": ["$(vip "$n")"], "rule": "always()" } ] }
JSON
    start_daemon "$n" ip netns exec "bfdb-$n$$" "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/$n.json"
done

# stable NODE: BGP Established, the VIP in BIRD's table and, with BFD, BIRD's session Up with
# the configured detection time (3 x interval: both Poll sequences are over). One birdc. Sets
# `from`, the first line of BIRD's log written after the snapshot began.
stable() {
    local t
    from=$(($(wc -l <"$blog") + 1))
    t=$(printf '%s\n' "show protocols n$1" "show route $(vip "$1") protocol n$1" "show bfd sessions" |
        birdc -s "$(_vipd_bird_sock rtr)" 2>/dev/null) || return 1
    awk -v p="n$1" -v v="$(vip "$1")" -v a="$(me "$1")" -v d="${ivl[$1]}" '
        $1 == p && $4 == "up" && $NF == "Established" { e = 1 }
        $1 == v { r = 1 }
        $1 == a && $3 == "Up" && $NF + 0 == 3 * d / 1000 { b = 1 }
        END { exit !(e && r && (d == 0 || b)) }' <<<"$t"
}

# first_line FROM ERE: the first line of BIRD's log from line FROM on matching ERE (status 1: none).
first_line() { awk -v from="$1" -v re="$2" 'NR >= from && $0 ~ re { print; f = 1; exit } END { exit !f }' "$blog"; }
detect_re() { if ((ivl[$1])); then echo "Session to $(me "$1") expired"; else echo "n$1: Error: Hold timer expired"; fi; }
gone_re() { echo "n$1[.a-z0-9]* > removed .*$(vip "$1")"; }
logged() { first_line "$1" "$(gone_re "$2")" >/dev/null && first_line "$1" "$(detect_re "$2")" >/dev/null; }
# ms_after FROM ERE T0: ms from T0 ($EPOCHREALTIME) to the time stamp of that line.
ms_after() {
    local l
    l=$(first_line "$1" "$2") || return 1
    awk -v a="$3" -v b="$(date -d "${l:0:23}" +%s%3N)" 'BEGIN { printf "%d\n", b - a * 1000 }'
}

declare -A pid
for n in "${nodes[@]}"; do
    pid[$n]=$(daemon_pid "$n")
    : >"$VIPD_TEST_DIR/$n.detect" && : >"$VIPD_TEST_DIR/$n.gone"
done
on_exit "kill -CONT ${pid[*]} 2>/dev/null || true" # never leave a stopped vipd to the SIGTERM of the cleanup
: >"$VIPD_TEST_DIR/load"
invalid=0
for ((r = 0; r < N; r++)); do
    cut -d' ' -f1 /proc/loadavg >>"$VIPD_TEST_DIR/load"
    for n in "${nodes[@]}"; do
        for ((try = 0; ; try++)); do
            ((try < 10)) || fail "$n: 10 invalid trials in a row (round $r)"
            wait_until 60 stable "$n" || fail "$n: no stable state within 60 s (round $r)"
            t0=${EPOCHREALTIME/,/.}
            kill -STOP "${pid[$n]}"
            # A session that went down between the snapshot and the SIGSTOP (a flap, not this
            # trial) leaves no route to remove, or its trace is older than the SIGSTOP: retried.
            if ! wait_until $((ivl[$n] ? 5 : HOLD + 10)) logged "$from" "$n"; then
                kill -CONT "${pid[$n]}"
                invalid=$((invalid + 1))
                continue
            fi
            kill -CONT "${pid[$n]}"
            d=$(ms_after "$from" "$(detect_re "$n")" "$t0")
            g=$(ms_after "$from" "$(gone_re "$n")" "$t0")
            ((d >= 0 && g >= 0)) && break
            invalid=$((invalid + 1))
        done
        echo "$d" >>"$VIPD_TEST_DIR/$n.detect"
        echo "$g" >>"$VIPD_TEST_DIR/$n.gone"
    done
done

# stats FILE: "p50 p95 max" (nearest rank).
stats() {
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        p50 = int(NR * 0.50 + 0.999); p95 = int(NR * 0.95 + 0.999)
        printf "%d %d %d\n", v[p50], v[p95], v[NR] }'
}
read -r _ hp95 _ < <(stats "$VIPD_TEST_DIR/hold.gone")
printf '\nSIGSTOP of vipd -> BIRD (its log, ms): %d trials per node; load average (1 min) over the rounds: %s\n' \
    "$N" "$(sort -n "$VIPD_TEST_DIR/load" | awk '{ v[NR] = $1; s += $1 } END { printf "min %s, mean %.1f, max %s", v[1], s / NR, v[NR] }')"
printf '| %-22s | %-18s | %9s | %14s | %14s | %14s | %12s |\n' path measure theory p50 p95 max "hold p95 / p95"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------------------ -------------------- ----------- ---------------- \
    ---------------- ---------------- --------------
for n in "${nodes[@]}"; do
    if ((ivl[$n])); then
        label="BFD ${ivl[$n]} ms x 3" theory=$((3 * ivl[$n])) dname="BFD down"
    else
        label="hold timer $HOLD s" theory=$((HOLD * 1000)) dname="hold timer expiry"
    fi
    for m in detect gone; do
        read -r p50 p95 max < <(stats "$VIPD_TEST_DIR/$n.$m")
        printf '| %-22s | %-18s | %9s | %14s | %14s | %14s | %12s |\n' "$label" \
            "$([[ $m == detect ]] && echo "$dname" || echo "route gone")" "$theory" \
            "$p50 ($((p50 * 100 / theory)) %)" "$p95 ($((p95 * 100 / theory)) %)" \
            "$max ($((max * 100 / theory)) %)" \
            "$([[ $m == gone ]] && awk -v a="$hp95" -v b="$p95" 'BEGIN { printf "%.1f x", a / (b > 0 ? b : 1) }')"
    done
done
for n in "${nodes[@]}"; do
    ((ivl[$n])) || continue
    # Each trial makes one expiry at BIRD and one BFD Down at vipd (it sees BIRD's Down).
    printf '%s: BFD expiries at BIRD beyond one per trial: %d; BFD Up->Down at vipd beyond one per trial: %d\n' "$n" \
        $(($(grep -c "Session to $(me "$n") expired" "$blog") - N)) \
        $(($(grep -c "BFD Up->Down" "$(daemon_log "$n")") - N))
done
echo "invalid trials (the session went down before the SIGSTOP; retried): $invalid"
if [[ -n $OUT ]]; then
    mkdir -p "$OUT"
    cp "$VIPD_TEST_DIR"/*.detect "$VIPD_TEST_DIR"/*.gone "$VIPD_TEST_DIR/load" "$blog" "$OUT/"
fi
for n in "${nodes[@]}"; do stop_daemon "$n"; done
