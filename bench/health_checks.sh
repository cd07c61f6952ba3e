#!/usr/bin/env bash
# Health-check load benchmark (issue 4): 10,000 TCP + 1,000 HTTP checks at a 1 s interval in one
# vipd health::Monitor process, against loopback listeners in a second process, measured over
# RUN_SECONDS from /proc (CPU of the checker process as a share of one core, RSS); then, in the
# same run, what a script-based checker pays: `nc -z 127.0.0.1 PORT` spawned once per probe in a
# loop for NC_SECONDS. The checker measures itself (getrusage, /proc/self/status) over the
# window; the listener process is read from /proc. Prints a table with CPU per probe and the ratio.
#   bench/health_checks.sh [BUILD_DIR]    (default build; needs BUILD_DIR/bench/health_load_bench)
#   env: RUN_SECONDS=60 WARMUP_SECONDS=5 NC_SECONDS=10 N_TCP=10000 N_HTTP=1000 INTERVAL_MS=1000
#        TCP_PORT=18710 HTTP_PORT=18711
# Loopback only; every process is bounded in time and stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BIN=$BUILD/bench/health_load_bench
RUN_SECONDS=${RUN_SECONDS:-60}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
NC_SECONDS=${NC_SECONDS:-10}
N_TCP=${N_TCP:-10000}
N_HTTP=${N_HTTP:-1000}
INTERVAL_MS=${INTERVAL_MS:-1000}
TCP_PORT=${TCP_PORT:-18710}
HTTP_PORT=${HTTP_PORT:-18711}
[ -x "$BIN" ] || { echo "missing $BIN: cmake --build $BUILD --target health_load_bench" >&2; exit 1; }
command -v nc >/dev/null || { echo "missing nc (netcat-openbsd)" >&2; exit 1; }

TMP=$(mktemp -d)
HZ=$(getconf CLK_TCK)
srv="" chk=""
cleanup() {
    for p in $chk $srv; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# CPU ticks (utime + stime) of PID; fields after the ")" of the comm field.
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

"$BIN" serve "$TCP_PORT" "$HTTP_PORT" $((WARMUP_SECONDS + RUN_SECONDS + NC_SECONDS + 30)) &
srv=$!
sleep 0.5
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

# The kernel's own share: a bare loop of blocking connect + reset (SO_LINGER 0) to the same
# listener, as many as the TCP checks make in RUN_SECONDS would be 10k/s; its system time per
# connect is what any prober pays the kernel on this machine (loopback runs both ends of the
# handshake in the prober's context).
floor=$(python3 - "$TCP_PORT" <<'FLOOR'
import resource, socket, struct, sys
port, n = int(sys.argv[1]), 50000
r0 = resource.getrusage(resource.RUSAGE_SELF)
for _ in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.connect(("127.0.0.1", port))
    s.close()
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(f"{(r1.ru_stime - r0.ru_stime) / n * 1e6:.2f}")
FLOOR
)

python3 - "$HZ" "$window" "$s0" "$s1" "$nt0" "$nt1" "$TMP/nc.out" "$N_TCP" "$N_HTTP" \
    "$INTERVAL_MS" "$tw" "$final" "$floor" <<'PY'
import re, sys
hz, window, s0, s1, nt0, nt1, nc_out, n_tcp, n_http, interval, tw, final, floor = sys.argv[1:]
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
print(f"health check load: {n_tcp} tcp + {n_http} http checks, interval {interval} ms, "
      f"checker measured over {wall:.1f} s after warm-up; nc loop {nc_wall:.1f} s")
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
print(f"kernel floor: a bare blocking connect + reset costs {float(floor):.1f} us of system time; "
      f"{n_tcp} TCP probes/s alone need {float(floor) * int(n_tcp) * 1000 / int(interval) / 1e4:.1f} % "
      f"of one core in the kernel (vipd's system time: {1e6 * w['cpu_sys'] / probes:.1f} us/probe)")
print(f"checker summary: {final}")
PY
