#!/usr/bin/env bash
# CPU of many BFD sessions (issue 11): one vipd with SESSIONS BGP neighbors, each with BFD at
# INTERVAL ms x 3, against one BIRD 2 with as many `protocol bgp ... bfd on` (its BFD protocol at
# the same intervals), in two network namespaces joined by one veth pair carrying SESSIONS
# addresses on each end (vipd 10.79.1.x, BIRD 10.79.2.x, on-link in 10.79.0.0/16). Once every
# BGP session is Established and every BFD session Up at BIRD with the configured detection time,
# and SETTLE s more without a flap at either end, the CPU time (utime + stime of /proc/PID/stat, every thread) of vipd and of
# BIRD over WINDOW s, as a share of one core, with the packets vipd sent and received in the window
# (vipctl counters) and the BFD flaps on both sides. Needs root, bird2 and `ip`.
#   bench/bfd_cpu.sh [BUILD_DIR]     SESSIONS=100 INTERVAL=10 MULT=3 WINDOW=30 SETTLE=5
#   (if not every session is up at once within UP_WAIT s (60), as on a loaded machine where 10 ms
#   sessions flap, the window starts once MIN_UP are, default 90 %; the counts are printed)
#   PERF=1: also `perf record -g` of vipd for the window (report printed at the end; costs CPU
#   of its own, so the figures of such a run are not the ones to quote)
#   SYSCALLS=1: also the system calls vipd made in the window, counted by `perf stat` on the
#   syscalls:sys_enter_* tracepoints (per packet sent + received; costs a little CPU)
#   TRACE=1: also `perf record` of vipd's epoll_wait entries and exits in the window (kept with
#   VIPD_KEEP=1; `perf script` shows a stall as a gap)
#   VIPD_BINS="DIR1 DIR2 ...": measure the vipd of each directory in turn against the same BIRD
#   (one vipd at a time, each with its own wait, settle and window, in this order; default the
#   build directory's), e.g. an unchanged binary copied aside against a new build, in one run
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build/dev}" && pwd)
SESSIONS=${SESSIONS:-100} INTERVAL=${INTERVAL:-10} MULT=${MULT:-3} WINDOW=${WINDOW:-30} SETTLE=${SETTLE:-5} PERF=${PERF:-0}
SYSCALLS=${SYSCALLS:-0} TRACE=${TRACE:-0} VIPD_BINS=${VIPD_BINS:-$BUILD}
MIN_UP=${MIN_UP:-$((SESSIONS * 9 / 10))} UP_WAIT=${UP_WAIT:-60}
export VIPD_SOURCE_DIR=$ROOT VIPD_BINARY_DIR=$BUILD
read -ra bins <<<"$VIPD_BINS"
export VIPD_DAEMON_MAX_S=$(((WINDOW + SETTLE + 200) * ${#bins[@]} + 100))
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
for d in "${bins[@]}"; do [[ -x $d/vipd ]] || fail "VIPD_BINS: no $d/vipd"; done
((PERF)) && require_cmd perf
((SYSCALLS || TRACE)) && require_cmd perf

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
# udp_drops NS: the UDP datagrams dropped for a full receive buffer in namespace NS.
udp_drops() {
    ip netns exec "$1" awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
        $1 == "Udp:" { print $c["RcvbufErrors"] }' /proc/net/snmp
}
gone() { ! daemon_alive "$1"; }
none_up() {
    local e b
    read -r e b < <(up_counts)
    ((e == 0 && b == 0))
}
# ticks PID: utime + stime of every thread of PID, in clock ticks.
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# packets: BFD packets vipd sent and received so far, over every neighbor (vipctl counters).
packets() {
    "$BUILD/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" --json neighbors | "$VIPD_PY" -c '
import json, sys
s = r = 0
for n in json.load(sys.stdin)["neighbors"]:
    b = n.get("bfd") or {}
    s += b.get("packets_sent", 0); r += b.get("packets_received", 0)
print(s, r)'
}
flaps() { # NAME: BFD sessions that left Up, at BIRD and at vipd NAME
    echo "$(grep -c "changed state from Up to" "$(daemon_log rtr)") $(grep -c "BFD Up->Down" "$(daemon_log "$1")")"
}
hz=$(getconf CLK_TCK)
bird_pid=$(cat "$(daemon_dir rtr)/bird.pid")
rows=() notes=()

# measure K DIR: start DIR/vipd as daemon vipdK, wait for the sessions, settle, measure one
# window against BIRD, stop it; appends a table row to rows.
measure() {
    local k=$1 dir=$2 name=vipd$1 vpid s0 r0 s1 r1 bf0 vf0 bf1 vf1 load0 load1 up0 up1 v0 v1 b0 b1 t0 t1
    start_daemon "$name" ip netns exec "$nsv" "$dir/vipd" -c "$VIPD_TEST_DIR/vipd.json"
    # Every session up at once; on a loaded machine 10 ms sessions flap, so then MIN_UP of them.
    if ! wait_until "$UP_WAIT" up_at_least "$SESSIONS"; then
        log "not all $SESSIONS sessions up at once within $UP_WAIT s ($(up_counts)); waiting for $MIN_UP"
        wait_or_fail 60 "$MIN_UP BGP sessions Established and BFD sessions Up at BIRD" up_at_least "$MIN_UP"
    fi
    # Then SETTLE s without a flap at either end and every session still up (after the first vipd,
    # BIRD's sessions take a few seconds more to settle), for up to UP_WAIT s more.
    local f0 f1 end=$((SECONDS + UP_WAIT))
    while :; do
        f0=$(flaps "$name")
        sleep "$SETTLE"
        f1=$(flaps "$name")
        [[ $f0 == "$f1" ]] && up_at_least "$MIN_UP" && break
        ((SECONDS < end)) || { log "no settled $SETTLE s within $UP_WAIT s; measuring anyway"; break; }
    done
    vpid=$(daemon_pid "$name")
    ((TRACE)) && start_daemon "trace$k" perf record -e 'syscalls:sys_enter_epoll_wait,syscalls:sys_exit_epoll_wait' -o "$VIPD_TEST_DIR/trace$k.data" -p "$vpid" -- sleep "$WINDOW"
    ((PERF)) && start_daemon "perf$k" perf record -e cpu-clock -g -o "$VIPD_TEST_DIR/perf$k.data" -p "$vpid" -- sleep "$WINDOW"
    ((SYSCALLS)) && start_daemon "sys$k" perf stat -e 'syscalls:sys_enter_*' -x, -o "$VIPD_TEST_DIR/sys$k.csv" -p "$vpid" -- sleep "$WINDOW"
    read -r s0 r0 < <(packets)
    read -r bf0 vf0 < <(flaps "$name")
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    up0=$(up_counts)
    v0=$(ticks "$vpid") b0=$(ticks "$bird_pid") t0=$EPOCHREALTIME
    sleep "$WINDOW"
    v1=$(ticks "$vpid") b1=$(ticks "$bird_pid") t1=$EPOCHREALTIME
    load1=$(cut -d' ' -f1-3 /proc/loadavg)
    read -r s1 r1 < <(packets)
    read -r bf1 vf1 < <(flaps "$name")
    up1=$(up_counts)
    rows+=("$(awk -v dir="$dir" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v v="$((v1 - v0))" -v b="$((b1 - b0))" \
        -v s="$((s1 - s0))" -v r="$((r1 - r0))" -v bf="$((bf1 - bf0))" -v vf="$((vf1 - vf0))" \
        -v l0="$load0" -v l1="$load1" 'BEGIN { t = t1 - t0
        printf "| %s | %.1f | %.2f s (%.1f %%) | %.2f s (%.1f %%) | **%.2f** | %.0f, %.0f | %d, %d | %s -> %s |",
            dir, t, v / hz, 100 * v / hz / t, b / hz, 100 * b / hz / t, (b > 0 ? v / b : 0),
            s / t, r / t, vf, bf, l0, l1 }')")
    notes+=("$dir: at BIRD, BGP sessions Established and BFD sessions Up: $up0 (window start), $up1 (end)")
    notes+=("$dir: UDP receive buffer errors since the start, vipd's namespace, BIRD's: $(udp_drops "$nsv"), $(udp_drops "$nsr")")
    if ((SYSCALLS)); then
        wait_until 10 gone "sys$k" || true # perf stat writes its counts when its sleep ends
        stop_daemon "sys$k"
        notes+=("$dir: system calls in the window, per BFD packet (sent + received $((s1 - s0 + r1 - r0))):")
        notes+=("$(awk -F, -v p="$((s1 - s0 + r1 - r0))" '$1 + 0 > 0 { sub(/^syscalls:sys_enter_/, "", $3);
            printf "    %-22s %9d  %.3f\n", $3, $1, $1 / p }' "$VIPD_TEST_DIR/sys$k.csv" | sort -k2,2nr)")
    fi
    if ((TRACE)); then
        wait_until 10 gone "trace$k" || true
        stop_daemon "trace$k"
    fi
    if ((PERF)); then
        wait_until 10 gone "perf$k" || true
        stop_daemon "perf$k"
        notes+=("$(perf report -i "$VIPD_TEST_DIR/perf$k.data" --no-children --stdio -g none --percent-limit 0.7 2>/dev/null | grep -v '^#' | sed -n 1,60p)")
        notes+=("$dir: the same, each function with its callees (--children):")
        notes+=("$(perf report -i "$VIPD_TEST_DIR/perf$k.data" --children --stdio -g none --percent-limit 2 2>/dev/null | grep -v '^#' | sed -n 1,80p)")
    fi
    stop_daemon "$name"
    # BIRD sees the sessions go: wait for it, so that the next vipd starts from Down there.
    wait_until 30 none_up || true
}

for ((k = 0; k < ${#bins[@]}; k++)); do
    measure "$((k + 1))" "${bins[k]}"
done
printf '\n%d BFD sessions at %d ms x %d, window %d s, vipd CPU against BIRD in the same window\n' \
    "$SESSIONS" "$INTERVAL" "$MULT" "$WINDOW"
echo "| vipd | window (s) | vipd CPU | BIRD CPU | vipd / BIRD | vipd packets/s sent, received | BFD flaps vipd, BIRD | load average before -> after |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
printf '%s\n' "${notes[@]}"
stop_daemon rtr
