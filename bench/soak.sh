#!/usr/bin/env bash
# Soak (issue 13): vipd for DURATION with 100 VIPs on tcp checks that flap, two real routers
# (BIRD 2 and gobgpd) each in its own network namespace (tests/integration/netns_lib.sh), one of
# them restarted every minute (BIRD and gobgpd in turn; every third restart a SIGKILL), a reload
# every 5 minutes (with a MED change the routers must show), and vipctl calls in a loop.
# Every 10 s: SOAK_FLIPS checks change state at the start and again 5 s later, then both routers'
# tables are compared with the model (nothing missing, nothing stale, attributes exact) with a
# bound of SOAK_CONVERGE_S; one row of the CSV per cycle: vipd's RSS, PSS and private memory
# (/proc/PID/smaps_rollup), open fds, CPU seconds, the comparison's result and time, vipctl calls
# and errors. At the end: the slope of RSS, PSS and fds (least squares over the cycles after the
# first minute) and the count of mismatches; exit status 1 when there was a mismatch, a vipctl
# error, or vipd died.
#
#   bench/soak.sh [DURATION]     DURATION: 1h (default), 2m, 90s, 3600
# Environment: VIPD_BINARY_DIR (build/release), OUT (bench/results/soak-DATE), SOAK_FLIPS (20),
# SOAK_CONVERGE_S (20), SOAK_RESTART_S (60) and SOAK_RELOAD_S (300): the router restart and reload
# periods (multiples of 10 s; shorter ones let a smoke run see a few of each). Needs root (network namespaces), bird2, gobgpd, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

dur=${1:-1h}
case $dur in
*h) dur_s=$((${dur%h} * 3600)) ;;
*m) dur_s=$((${dur%m} * 60)) ;;
*s) dur_s=${dur%s} ;;
*) dur_s=$dur ;;
esac
if ! [[ $dur_s =~ ^[0-9]+$ ]] || ((dur_s < 30)); then echo "usage: bench/soak.sh [DURATION: 1h, 2m, 90s; at least 30 s]" >&2; exit 2; fi

export VIPD_SOURCE_DIR=$ROOT
export VIPD_BINARY_DIR=${VIPD_BINARY_DIR:-$ROOT/build/release}
export VIPD_DAEMON_MAX_S=$((dur_s + 600)) # the lifetime cap of every daemon started below
[[ -x $VIPD_BINARY_DIR/vipd && -x $VIPD_BINARY_DIR/vipctl ]] ||
    { echo "soak: no vipd/vipctl in $VIPD_BINARY_DIR (set VIPD_BINARY_DIR)" >&2; exit 2; }
OUT=${OUT:-$ROOT/bench/results/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$(dirname "$OUT")"
: "${SOAK_FLIPS:=20}" "${SOAK_CONVERGE_S:=20}" "${SOAK_RESTART_S:=60}" "${SOAK_RELOAD_S:=300}"
# shellcheck source=tests/integration/netns_lib.sh
. "$ROOT/tests/integration/netns_lib.sh"

hold=9
conf=$VIPD_TEST_DIR/vipd.json
ports=()
for ((i = 0; i < 100; i++)); do
    ports+=($((19000 + i)))
    netns_model_vip "v$i" "198.51.$((100 + i / 50)).$((i % 50 + 1))/32" $((1000 + i)) "65001:$i" "65001:9:$i" $((19000 + i))
done
netns_topology
netns_start_all "$hold" "$conf" "${ports[@]}"
declare -A cur=([bird]=bird0 [gobgp]=gobgp0) n=([bird]=0 [gobgp]=0)
netns_wait_table bird0 60
netns_wait_table gobgp0 60
pid=$(daemon_pid vipd)

# vipctl in a loop (its own process, stopped by PID at the end): calls and errors counted.
ctl_count=$VIPD_TEST_DIR/ctl.count
start_daemon vipctl-loop bash -c '
vipctl=$0 sock=$1 count=$2 calls=0 errors=0
while :; do
    for c in status "--json routes" neighbors checks "explain v7" "status --check"; do
        rc=0
        # shellcheck disable=SC2086  # (the command and its options are words)
        "$vipctl" -s "$sock" --timeout 5 $c >/dev/null 2>>"$count.errors" || rc=$?
        calls=$((calls + 1))
        # status --check exits 2 while a VIP is down, which the flapping checks make so.
        if ((rc != 0)) && ! [[ $c == "status --check" && $rc == 2 ]]; then
            errors=$((errors + 1))
            echo "vipctl $c: exit $rc" >>"$count.errors"
        fi
    done
    echo "$calls $errors" >"$count.tmp" && mv "$count.tmp" "$count"
    sleep 0.2
done' "$VIPD_BINARY_DIR/vipctl" "$VIPD_TEST_DIR/vipd.sock" "$ctl_count"

# restart_router: (appends to $event) the next router in turn (BIRD, gobgpd, ...); every third restart is a SIGKILL.
restarts=0
restart_router() {
    local kind old new sig=TERM
    restarts=$((restarts + 1))
    ((restarts % 2)) && kind=bird || kind=gobgp
    ((restarts % 3 == 0)) && sig=KILL
    old=${cur[$kind]}
    n[$kind]=$((n[$kind] + 1))
    new=$kind${n[$kind]}
    if [[ $sig == KILL ]]; then
        expect_exit "$old" 137
        kill -KILL "$(daemon_pid "$old")"
    fi
    stop_daemon "$old"
    if [[ $kind == bird ]]; then netns_start_bird "$new" "$hold"; else netns_start_gobgpd "$new" "$hold"; fi
    cur[$kind]=$new
    event+="${event:+; }restart $kind SIG$sig"
}

# reload: (appends to $event) v0's MED changes in the model and the file; vipctl reload.
reloads=0
reload() {
    reloads=$((reloads + 1))
    sed -i "s/^v0 \([^ ]*\) [0-9]* /v0 \1 $((5000 + reloads)) /" "$NETNS_MODEL"
    netns_write_vipd_conf "$hold" "$conf"
    netns_ctl reload >/dev/null
    event+="${event:+; }reload $reloads"
}

flip_some() {
    local k
    for ((k = 0; k < SOAK_FLIPS; k++)); do netns_flip "${ports[@]}"; done
}

# sample: "rss_kb pss_kb private_kb fds cpu_s" of vipd; fds: the least of three reads 50 ms apart
# (the 100 checks' probe sockets come and go; a leak stays).
sample() {
    local rss pss priv fds=999999 f cpu k
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    read -r pss priv < <(awk '/^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { q += $2 } END { print p, q }' "/proc/$pid/smaps_rollup")
    for k in 1 2 3; do
        f=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
        ((f < fds)) && fds=$f
        ((k == 3)) || sleep 0.05
    done
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat")
    echo "$rss $pss $priv $fds $cpu"
}

both_exact() { netns_table_exact "${cur[bird]}" && netns_table_exact "${cur[gobgp]}"; }

echo "t_s,rss_kb,pss_kb,private_kb,fds,cpu_s,tables_exact,converge_s,mismatches,vipctl_calls,vipctl_errors,event" >"$OUT.csv"
log "soak for ${dur_s}s: 100 VIPs, $SOAK_FLIPS flips every 5 s, a router restart every ${SOAK_RESTART_S}s, a reload every ${SOAK_RELOAD_S}s; CSV $OUT.csv"
start=$SECONDS mismatches=0 cycle=0
while ((SECONDS - start < dur_s)); do
    tick=$((start + cycle * 10))
    event=""
    if ((cycle > 0 && cycle % (SOAK_RESTART_S / 10) == 0)); then restart_router; fi
    if ((cycle > 0 && cycle % (SOAK_RELOAD_S / 10) == 0)); then reload; fi
    flip_some
    while ((SECONDS < tick + 5)); do sleep 0.2; done
    flip_some
    t0=$EPOCHREALTIME ok=1
    if ! wait_until "$SOAK_CONVERGE_S" both_exact; then
        ok=0 mismatches=$((mismatches + 1))
        log "MISMATCH at cycle $cycle: bird: $(netns_table_diff "${cur[bird]}" | head -n 5 | paste -sd';'); gobgp: $(netns_table_diff "${cur[gobgp]}" | head -n 5 | paste -sd';')"
    fi
    conv=$(netns_elapsed "$t0")
    daemon_alive vipd || fail "vipd died (cycle $cycle)"
    read -r rss pss priv fds cpu < <(sample)
    read -r calls errors <"$ctl_count" 2>/dev/null || { calls=0 errors=0; }
    echo "$((SECONDS - start)),$rss,$pss,$priv,$fds,$cpu,$ok,$conv,$mismatches,$calls,$errors,$event" >>"$OUT.csv"
    cycle=$((cycle + 1))
    while ((SECONDS < start + cycle * 10)); do sleep 0.2; done
done
stop_daemon vipctl-loop

"$VIPD_PY" - "$OUT.csv" <<'PY' | tee "$OUT.summary"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def slope(key, rows):
    xs = [float(r["t_s"]) for r in rows]
    ys = [float(r[key]) for r in rows]
    n = len(xs)
    if n < 2:
        return float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx * 3600 if sxx else float("nan")
warm = [r for r in rows if float(r["t_s"]) >= 60] or rows
last, conv = rows[-1], sorted(float(r["converge_s"]) for r in rows)
print(f"cycles {len(rows)} over {last['t_s']} s; router restarts {sum('restart' in r['event'] for r in rows)}, "
      f"reloads {sum('reload' in r['event'] for r in rows)}")
print(f"RSS {rows[0]['rss_kb']} -> {last['rss_kb']} kB, slope {slope('rss_kb', warm):+.0f} kB/h; "
      f"PSS {rows[0]['pss_kb']} -> {last['pss_kb']} kB, slope {slope('pss_kb', warm):+.0f} kB/h; "
      f"private {rows[0]['private_kb']} -> {last['private_kb']} kB")
print(f"fds {rows[0]['fds']} -> {last['fds']}, slope {slope('fds', warm):+.1f} /h; CPU {last['cpu_s']} s")
print(f"table comparisons: {len(rows)}, mismatches {last['mismatches']}; convergence after the flips: "
      f"median {conv[len(conv) // 2]:.2f} s, max {conv[-1]:.2f} s (polls included)")
print(f"vipctl calls {last['vipctl_calls']}, errors {last['vipctl_errors']}")
PY
read -r calls errors <"$ctl_count"
((errors == 0)) || log "vipctl errors: $(grep '^vipctl ' "$ctl_count.errors" | sort | uniq -c | head -n 5)"
((mismatches == 0 && errors == 0)) || fail "soak: $mismatches mismatches, $errors vipctl errors (see $OUT.csv)"
log "soak passed: $OUT.csv"
