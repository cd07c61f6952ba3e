#!/usr/bin/env bash
# Health-check load benchmark (issues 4 and 14), against loopback listeners in a second process
# (health_load_bench serve), every phase one after the other in the same run:
#  1. mixed: 10,000 TCP + 1,000 HTTP checks at a 1 s interval in one vipd health::Monitor for
#     RUN_SECONDS, then what a script-based checker pays: `nc -z 127.0.0.1 PORT` spawned once per
#     probe in a loop for NC_SECONDS (skipped with SKIP_MIXED=1);
#  2. checker load: the same N_TCP TCP connect checks at INTERVAL_MS, CMP_SECONDS each, done by
#     vipd's Monitor (health_load_bench check), by VIPD_BASELINE (another build of the same
#     program, if given: before/after a change, same run), by HAProxy's own health checker
#     (Debian's haproxy, one thread, N_TCP servers with `check inter`: layer-4 connect checks,
#     first checks spread over the interval by HAProxy), by the kernel floor
#     (health_connect_floor_bench: non-blocking socket, connect, epoll, SO_LINGER 0 close, one
#     thread, the same 10 ms tick), and N_TCP `listen` checks (sock_diag, no connection).
# CPU per probe = (utime + stime) over the window / probes in the window. vipd and the floor
# measure themselves (getrusage, /proc/self); HAProxy is read from /proc/PID/stat and
# smaps_rollup. HAProxy counts no checks and its TCP check never completes the handshake (it
# clears TCP_QUICKACK and resets on the SYN-ACK: the listener never accepts), so its probes are
# the connections opened in the window: Tcp ActiveOpens of /proc/net/snmp, counted in a network
# namespace of this run's own (the script re-runs itself in one, `ip netns`, root), where only
# the checker opens connections; its `show stat` chkfail gives the failures. The floor runs
# twice: as the brief defines it, and with TCP_QUICKACK cleared like HAProxy (`delack`). The
# load average is printed beside every phase.
#   bench/health_checks.sh [BUILD_DIR]    (needs BUILD_DIR/bench/health_load_bench and
#                                          BUILD_DIR/bench/health_connect_floor_bench)
#   env: RUN_SECONDS=60 WARMUP_SECONDS=5 NC_SECONDS=10 N_TCP=10000 N_HTTP=1000 INTERVAL_MS=1000
#        CMP_SECONDS=30 SKIP_MIXED= VIPD_BASELINE= (path of another health_load_bench)
#        TCP_PORT=18710 HTTP_PORT=18711
# Loopback of its own network namespace only (removed on exit); every process is bounded in
# time and stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HEALTH_BENCH_NETNS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "needs root (ip netns)" >&2; exit 1; }
    ns=vipd-hbench-$$
    ip netns add "$ns"
    trap 'ip netns del "$ns"' EXIT
    ip -n "$ns" link set lo up
    HEALTH_BENCH_NETNS=$ns ip netns exec "$ns" bash "$0" "$@"
    exit
fi
BUILD=${1:-build}
BIN=$BUILD/bench/health_load_bench
FLOOR_BIN=$BUILD/bench/health_connect_floor_bench
RUN_SECONDS=${RUN_SECONDS:-60}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
NC_SECONDS=${NC_SECONDS:-10}
CMP_SECONDS=${CMP_SECONDS:-30}
SKIP_MIXED=${SKIP_MIXED:-}
VIPD_BASELINE=${VIPD_BASELINE:-}
N_TCP=${N_TCP:-10000}
N_HTTP=${N_HTTP:-1000}
INTERVAL_MS=${INTERVAL_MS:-1000}
TCP_PORT=${TCP_PORT:-18710}
HTTP_PORT=${HTTP_PORT:-18711}
for b in "$BIN" "$FLOOR_BIN" $VIPD_BASELINE; do
    [ -x "$b" ] || {
        echo "missing $b: cmake --build $BUILD --target health_load_bench health_connect_floor_bench" >&2
        exit 1
    }
done
command -v nc >/dev/null || { echo "missing nc (netcat-openbsd)" >&2; exit 1; }
command -v haproxy >/dev/null || { echo "missing haproxy (scripts/setup.sh installs it)" >&2; exit 1; }

TMP=$(mktemp -d)
HZ=$(getconf CLK_TCK)
srv="" chk="" hap=""
cleanup() {
    for p in $chk $hap $srv; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT

# CPU ticks (utime + stime) of PID; fields after the ")" of the comm field.
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
ticks_user() { awk '{ sub(/.*\) /, ""); print $12 }' "/proc/$1/stat"; }
minflt() { awk '{ sub(/.*\) /, ""); print $8 }' "/proc/$1/stat"; }
rollup_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/smaps_rollup"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
# Connections opened so far in this network namespace (Tcp: ActiveOpens).
opened() {
    awk '$1 == "Tcp:" { if (!n) { for (i = 2; i <= NF; i++) if ($i == "ActiveOpens") c = i; n = 1 }
                        else print $c }' /proc/net/snmp
}

total=$((WARMUP_SECONDS + RUN_SECONDS + NC_SECONDS + 20))
total=$((total + 6 * (WARMUP_SECONDS + CMP_SECONDS + 10) + 120))
"$BIN" serve "$TCP_PORT" "$HTTP_PORT" "$total" &
srv=$!
sleep 0.5

# vipd (or the floor) in the comparison: PROGRAM ARGS...; appends one result line.
self_measured() {
    local name=$1
    shift
    local l0
    l0=$(loadavg)
    "$@" >"$TMP/phase.out" 2>&1 &
    chk=$!
    wait "$chk" || { cat "$TMP/phase.out" >&2; exit 1; }
    chk=""
    echo "$name|$(grep '^window' "$TMP/phase.out") load0=$l0 load1=$(loadavg)" >>"$TMP/results"
}

# Sum of HAProxy's failed checks (`show stat` chkfail of every server) over its stats socket.
chkfail() {
    python3 - "$1" <<'PY'
import csv, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
rows = list(csv.reader(data.decode().lstrip("# ").splitlines()))
col = rows[0].index("chkfail")
print(sum(int(r[col] or 0) for r in rows[1:] if len(r) > col and r[1] not in ("FRONTEND", "BACKEND")))
PY
}
# A / B with awk (no bc needed).
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# HAProxy's checker: N_TCP servers over backends of 1,000, layer-4 checks, one thread.
haproxy_phase() {
    local cfg=$TMP/haproxy.cfg sock=$TMP/haproxy.sock per=1000 b=0 i
    {
        printf 'global\n    nbthread 1\n    stats socket %s mode 600 level user\n' "$sock"
        printf 'defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n'
        printf '    timeout server 5s\n    timeout check 1s\n'
        for ((i = 0; i < N_TCP; i++)); do
            if ((i % per == 0)); then
                printf 'backend b%d\n    default-server check inter %dms\n' "$b" "$INTERVAL_MS"
                b=$((b + 1))
            fi
            printf '    server s%d 127.0.0.1:%d\n' "$i" "$TCP_PORT"
        done
    } >"$cfg"
    haproxy -c -q -f "$cfg"
    local l0 a0 a1 t0 t1 u0 u1 f0 f1 w0 w1 c0 c1
    l0=$(loadavg)
    # Bounded, with room for a slow start (10,000 servers to parse) on a loaded machine.
    timeout $((WARMUP_SECONDS + CMP_SECONDS + 120)) haproxy -db -f "$cfg" >"$TMP/haproxy.log" 2>&1 &
    hap=$!
    sleep "$WARMUP_SECONDS"
    local pid
    pid=$(pgrep -P "$hap" haproxy || echo "$hap") # timeout's child
    # Spread: connections per 100 ms over one second (all in one = synchronised).
    local spread="" p q
    p=$(opened)
    for i in 1 2 3 4 5 6 7 8 9 10; do
        sleep 0.1
        q=$(opened)
        spread="$spread$((q - p)),"
        p=$q
    done
    c0=$(chkfail "$sock")
    a0=$(opened) t0=$(ticks "$pid") u0=$(ticks_user "$pid") f0=$(minflt "$pid")
    w0=$(date +%s.%N)
    sleep "$CMP_SECONDS"
    a1=$(opened) t1=$(ticks "$pid") u1=$(ticks_user "$pid") f1=$(minflt "$pid")
    w1=$(date +%s.%N)
    c1=$(chkfail "$sock")
    [ -e "/proc/$pid/stat" ] || { echo "haproxy ended early:" >&2; tail -5 "$TMP/haproxy.log" >&2; exit 1; }
    local rss pss priv
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    pss=$(rollup_kib "$pid" Pss)
    priv=$(($(rollup_kib "$pid" Private_Clean) + $(rollup_kib "$pid" Private_Dirty)))
    kill "$pid" 2>/dev/null || true
    wait "$hap" 2>/dev/null || true
    hap=""
    echo "HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }') checker, nbthread 1|window" \
        "wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.3f", b - a }')" \
        "probes=$((a1 - a0)) failures=$((c1 - c0))" \
        "cpu_user=$(div $((u1 - u0)) "$HZ") cpu_sys=$(div $((t1 - t0 - u1 + u0)) "$HZ")" \
        "rss_kib=$rss hwm_kib=$rss pss_kib=$pss private_kib=$priv minflt=$((f1 - f0))" \
        "load0=$l0 load1=$(loadavg) spread=${spread%,}" >>"$TMP/results"
}

: >"$TMP/results"
if [ -z "$SKIP_MIXED" ]; then
    mixed_load0=$(loadavg)
    "$BIN" check "$TCP_PORT" "$HTTP_PORT" "$N_TCP" "$N_HTTP" "$INTERVAL_MS" "$WARMUP_SECONDS" \
        "$RUN_SECONDS" >"$TMP/check.out" 2>&1 &
    chk=$!
    sleep "$WARMUP_SECONDS"
    s0=$(ticks "$srv")
    wait "$chk" || { cat "$TMP/check.out" >&2; exit 1; }
    chk=""
    s1=$(ticks "$srv")
    window=$(grep '^window' "$TMP/check.out")
    final=$(grep '^final' "$TMP/check.out" || true)
    tw=$(ss -Htan state time-wait 2>/dev/null | wc -l)

    # Script-based checker: one nc process per probe, sequential, as fast as the machine allows.
    cat >"$TMP/nc_loop.sh" <<NC
n=0
end=\$((SECONDS + $NC_SECONDS))
while [ \$SECONDS -lt \$end ]; do nc -z -w 1 127.0.0.1 $TCP_PORT && n=\$((n + 1)); done
echo "\$n"
times
NC
    nt0=$(date +%s.%N)
    bash "$TMP/nc_loop.sh" >"$TMP/nc.out"
    nt1=$(date +%s.%N)
    python3 - "$HZ" "$window" "$s0" "$s1" "$nt0" "$nt1" "$TMP/nc.out" "$N_TCP" "$N_HTTP" \
        "$INTERVAL_MS" "$tw" "$final" "$mixed_load0" "$(loadavg)" <<'PY'
import re, sys
hz, window, s0, s1, nt0, nt1, nc_out, n_tcp, n_http, interval, tw, final, l0, l1 = sys.argv[1:]
hz = float(hz)
w = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", window)}
wall, probes = w["wall"], int(w["probes"])
cpu = w["cpu_user"] + w["cpu_sys"]
srv_cpu = (float(s1) - float(s0)) / hz
lines = open(nc_out).read().split("\n")
nc_n = int(lines[0])
def secs(tok):
    m = re.match(r"(\d+)m([\d.]+)s", tok)
    return int(m.group(1)) * 60 + float(m.group(2))
# `times`: line 1 = the loop shell (user sys), line 2 = its children (the nc processes)
shell = sum(secs(t) for t in lines[1].split())
children = sum(secs(t) for t in lines[2].split())
nc_wall = float(nt1) - float(nt0)
nc_cpu = shell + children
vipd_us = cpu / probes * 1e6 if probes else float("nan")
nc_us = nc_cpu / nc_n * 1e6 if nc_n else float("nan")
print(f"mixed load: {n_tcp} tcp + {n_http} http checks, interval {interval} ms, "
      f"checker measured over {wall:.1f} s after warm-up; nc loop {nc_wall:.1f} s; "
      f"load average {l0} -> {l1}")
print("| checker | probes | probes/s | CPU s (user+sys) | CPU % of one core | CPU us/probe | RSS MB |")
print("|---|---:|---:|---:|---:|---:|---:|")
print(f"| vipd health::Monitor, one process | {probes} | {probes / wall:.0f} | "
      f"{cpu:.2f} ({w['cpu_user']:.2f}+{w['cpu_sys']:.2f}) | {100 * cpu / wall:.1f} | "
      f"{vipd_us:.1f} | {w['rss_kib'] / 1024:.1f} (peak {w['hwm_kib'] / 1024:.1f}) |")
print(f"| nc -z, one process per probe | {nc_n} | {nc_n / nc_wall:.0f} | "
      f"{nc_cpu:.2f} (shell {shell:.2f} + nc {children:.2f}) | {100 * nc_cpu / nc_wall:.1f} | "
      f"{nc_us:.0f} | - |")
print(f"ratio (nc CPU per probe / vipd CPU per probe): {nc_us / vipd_us:.0f}x")
print(f"failed probes in the window: {int(w['failures'])}; listener process: "
      f"{100 * srv_cpu / wall:.1f} % of one core; TIME-WAIT sockets at the end: {tw}")
print(f"checker summary: {final}")
print()
PY
fi

CHECK_ARGS=("$TCP_PORT" "$HTTP_PORT" "$N_TCP" 0 "$INTERVAL_MS" "$WARMUP_SECONDS" "$CMP_SECONDS")
self_measured "vipd health::Monitor (tcp)" "$BIN" check "${CHECK_ARGS[@]}"
if [ -n "$VIPD_BASELINE" ]; then
    self_measured "vipd baseline $VIPD_BASELINE (tcp)" "$VIPD_BASELINE" check "${CHECK_ARGS[@]}"
fi
haproxy_phase
self_measured "kernel floor (non-blocking connect, epoll, RST)" "$FLOOR_BIN" "$TCP_PORT" \
    "$N_TCP" "$INTERVAL_MS" "$WARMUP_SECONDS" "$CMP_SECONDS"
self_measured "kernel floor, TCP_QUICKACK cleared (as HAProxy)" "$FLOOR_BIN" "$TCP_PORT" \
    "$N_TCP" "$INTERVAL_MS" "$WARMUP_SECONDS" "$CMP_SECONDS" delack
self_measured "vipd health::Monitor (listen, sock_diag)" "$BIN" check "$TCP_PORT" "$HTTP_PORT" 0 0 \
    "$INTERVAL_MS" "$WARMUP_SECONDS" "$CMP_SECONDS" "$N_TCP"

python3 - "$TMP/results" "$N_TCP" "$INTERVAL_MS" "$CMP_SECONDS" <<'PY'
import re, sys
path, n, interval, secs = sys.argv[1:]
rows = []
for line in open(path):
    name, rest = line.rstrip("\n").split("|", 1)
    w = dict(re.findall(r"(\w+)=(\S+)", rest))
    rows.append((name, w))
def f(w, k):
    return float(w[k])
floor = next((f(w, "cpu_user") + f(w, "cpu_sys")) / f(w, "probes") * 1e6
             for name, w in rows if name.startswith("kernel floor ("))
hap = next((f(w, "cpu_user") + f(w, "cpu_sys")) / f(w, "probes") * 1e6
           for name, w in rows if name.startswith("HAProxy"))
print(f"checker load: {n} checks of 127.0.0.1 at {interval} ms, {secs} s windows, one after the other")
print("| checker | probes/s | failed | CPU % of a core | user+sys us/probe | vs floor | vs HAProxy | minor faults/probe "
      "| RSS / PSS / private MiB | load avg |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
for name, w in rows:
    probes, wall = f(w, "probes"), f(w, "wall")
    user, sys_ = f(w, "cpu_user"), f(w, "cpu_sys")
    us = (user + sys_) / probes * 1e6 if probes else float("nan")
    u_us, s_us = user / probes * 1e6, sys_ / probes * 1e6
    mib = lambda k: f(w, k) / 1024
    extra = f" ({int(f(w, 'dumps'))} dumps)" if float(w.get("dumps", 0)) > 0 else ""
    print(f"| {name} | {probes / wall:.0f}{extra} | {int(f(w, 'failures'))} | "
          f"{100 * (user + sys_) / wall:.1f} | {us:.1f} ({u_us:.1f}+{s_us:.1f}) | "
          f"{us / floor:.2f} | {us / hap:.2f} | {f(w, 'minflt') / probes:.3f} | "
          f"{mib('rss_kib'):.1f} / {mib('pss_kib'):.1f} / {mib('private_kib'):.1f} | "
          f"{w['load0']} -> {w['load1']} |")
for name, w in rows:
    if "spread" in w:
        print(f"{name}: connections opened per 100 ms over one second after warm-up: "
              f"{w['spread']}")
PY
