#!/usr/bin/env bash
# Crash -> route gone (issue 14): the same service (python3 -m http.server, two instances; or
# busybox's httpd, whose exit is quicker) under a
# `process` check (pidfile, pidfd watch) and under an `http` check at 1 s interval, fall 1, in
# the same vipd and the same run. Each round SIGKILLs the `process` service, 100 ms later the
# `http` one, and times per VIP, on the machine's wall clock: the kill (bash $EPOCHREALTIME, taken
# just before `kill`), the service's exit (a waiter blocked in poll(2) on a pidfd of the service
# since before the kill), vipd's down log line (JSON log, microseconds), the UPDATE withdrawing
# the prefix on the wire (tcpdump on lo, kernel time stamps) and BIRD's removal (its own route
# trace, `debug { routes }`, 1 ms); then restarts both services and waits for both routes.
# Prints p50/p95/max per check and per step (bench/crash_to_route.py).
#   bench/crash_to_route.sh [BUILD_DIR]        (default build; needs BUILD_DIR/vipd, tcpdump)
#   env: ROUNDS=100 (smoke: ROUNDS=5)
#        SERVICE=python (python3 -m http.server, ~20 MB to tear down at exit) | busybox (httpd)
#        FTRACE=1: also record a kernel trace (root, tracefs mounted at /sys/kernel/tracing; a
#        private ftrace instance, removed at the end) of the kill, the killed process getting a
#        CPU and exiting, vipd woken, on a CPU and sending, BIRD woken, on a CPU and logging:
#        each step of the process check split into time on a CPU and time waiting for one, at
#        1 us on the kernel's monotonic clock
# Nothing runs in the measured window but the kernel, vipd, BIRD and the waiter: the script
# itself sleeps in a builtin (no fork) until the route must be gone, then reads the logs.
# Loopback only; BIRD, vipd, tcpdump and the services are started and stopped by PID
# (tests/integration/lib.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
ROUNDS=${ROUNDS:-100}
export VIPD_SOURCE_DIR=$ROOT VIPD_BINARY_DIR=$BUILD
export VIPD_DAEMON_MAX_S=$((60 + ROUNDS * 15))
. "$ROOT/tests/integration/lib.sh"
require_cmd tcpdump
SERVICE=${SERVICE:-python}
case $SERVICE in
python | busybox) ;;
*) fail "SERVICE=$SERVICE: python or busybox" ;;
esac
[[ $SERVICE == python ]] || require_cmd busybox

rtr=127.0.0.1 me=127.0.0.14
proc_prefix=198.51.100.110/32 http_prefix=198.51.100.120/32
port=$(free_port "$rtr")
proc_port=$(free_port 127.0.0.1) http_port=$(free_port 127.0.0.1)
start_bird rtr "$(bird_conf_global --router-id "$rtr")
$(bird_conf_bgp vipd --local "$rtr" --local-port "$port" --local-as 65000 --neighbor "$me" \
    --peer-as 65001 --no-ipv6 --extra 'debug { routes };')"
bird_log=$(daemon_log rtr)

# The BGP packets vipd sends to BIRD, with the kernel's time stamps; read at the end.
start_daemon tcpdump tcpdump -i lo -n -s 0 -w "$VIPD_TEST_DIR/bgp.pcap" \
    "src host $me and dst host $rtr and tcp port $port"
wait_or_fail 10 "tcpdump listening" grep -q "listening on" "$(daemon_log tcpdump)"

pidfile=$VIPD_TEST_DIR/svc.pid
py=$(command -v /usr/bin/python3 || command -v python3) # not a PATH shim: it would fork first
www=$VIPD_TEST_DIR/www
mkdir -p "$www" && echo ok >"$www/index.html"
port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
start_service() { # start_service NAME PORT
    if [[ $SERVICE == python ]]; then
        start_daemon "$1" "$py" -m http.server "$2" --bind 127.0.0.1 --directory "$www"
    else
        start_daemon "$1" busybox httpd -f -p "127.0.0.1:$2" -h "$www"
    fi
}
start_services() { # start_services ROUND
    wait_or_fail 10 "port $proc_port free" port_free "$proc_port"
    wait_or_fail 10 "port $http_port free" port_free "$http_port"
    start_service "p$1" "$proc_port"
    daemon_pid "p$1" >"$pidfile.new" && mv "$pidfile.new" "$pidfile"
    start_service "h$1" "$http_port"
    expect_exit "p$1" 137 143
    expect_exit "h$1" 137 143
}
start_services 0

# exit waiter PID OUT: "ready" on stdout once a pidfd on PID is open, then the wall-clock time
# (ns) the pidfd became readable, to OUT. Its own exit waits 1.5 s, after the measured window.
waiter='import os, select, sys, time
fd = os.pidfd_open(int(sys.argv[1]))
print("ready", flush=True)
p = select.poll()
p.register(fd, select.POLLIN)
p.poll()
t = time.time_ns()
time.sleep(1.5)
open(sys.argv[2], "w").write(f"{t}\n")'

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s ', "log-format": "json"'),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s" } ],
  "checks": {
    "proc": { "kind": "process", "pidfile": "$pidfile", "interval": "1s", "fast-interval": "100ms",
              "rise": 1, "fall": 1 },
    "web": { "kind": "http", "url": "http://127.0.0.1:$http_port/", "interval": "1s",
             "fast-interval": "100ms", "timeout": "500ms", "rise": 1, "fall": 1 } },
  "vips": [ { "name": "proc", "prefixes": ["$proc_prefix"], "rule": "proc", "damping": false },
            { "name": "web", "prefixes": ["$http_prefix"], "rule": "web", "damping": false } ]
}
JSON
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20
vipd_log=$(daemon_log vipd)

if [[ ${FTRACE:-0} == 1 ]]; then
    trace=/sys/kernel/tracing/instances/vipd-crash-$$
    [[ -d /sys/kernel/tracing/instances ]] || fail "FTRACE=1: tracefs is not mounted at /sys/kernel/tracing"
    mkdir "$trace"
    on_exit "echo 0 >$trace/tracing_on; rmdir $trace"
    echo mono >"$trace/trace_clock"
    echo 32768 >"$trace/buffer_size_kb"
    vp=$(daemon_pid vipd) bp=$(daemon_pid rtr)
    ftrace_event() { # ftrace_event GROUP/EVENT FILTER
        echo "$2" >"$trace/events/$1/filter"
        echo 1 >"$trace/events/$1/enable"
    }
    ftrace_event signal/signal_generate 'sig == 9'
    ftrace_event sched/sched_process_exit 'comm == "python3" || comm == "busybox"'
    switches() { # switches SERVICE_PID: the filter of sched_switch
        local p out=""
        for p in "$1" "$vp" "$bp"; do out+="${out:+ || }next_pid == $p || prev_pid == $p"; done
        echo "$out"
    }
    ftrace_event sched/sched_switch "$(switches 0)"
    ftrace_event sched/sched_wakeup "pid == $vp || pid == $bp"
    ftrace_event syscalls/sys_enter_sendto "common_pid == $vp"
    ftrace_event syscalls/sys_enter_sendmsg "common_pid == $vp"
    ftrace_event syscalls/sys_enter_write "common_pid == $bp && fd == 2"
    echo 1 >"$trace/tracing_on"
fi

# first_line FILE FROM_LINE ERE: the first line at or after FROM_LINE matching ERE (status 1: none).
first_line() { awk -v from="$2" -v re="$3" 'NR >= from && $0 ~ re { print; found = 1; exit } END { exit !found }' "$1"; }
gone_logged() { first_line "$bird_log" "$2" "vipd[.a-z0-9]* > removed .*$1" >/dev/null; }
exec {idle}<> <(:) # nap S: sleep in the shell itself (read times out on a pipe nobody writes)
nap() { read -r -t "$1" -u "$idle" || true; }

: >"$VIPD_TEST_DIR/rounds.tsv"
for ((r = 0; r < ROUNDS; r++)); do
    bird_wait_route rtr vipd "$proc_prefix" 20
    bird_wait_route rtr vipd "$http_prefix" 20
    from=$(($(wc -l <"$bird_log") + 1))
    pp=$(daemon_pid "p$r") hp=$(daemon_pid "h$r")
    start_daemon "w$r" "$py" -c "$waiter" "$pp" "$VIPD_TEST_DIR/exit-$r.ns"
    wait_or_fail 10 "exit waiter ready" grep -q ready "$(daemon_log "w$r")"
    [[ -z ${trace:-} ]] || switches "$pp" >"$trace/events/sched/sched_switch/filter"
    nap 0.2 # let the start-up's forks settle
    t_proc=$EPOCHREALTIME
    kill -KILL "$pp"
    nap 0.1
    t_http=$EPOCHREALTIME
    kill -KILL "$hp"
    nap 0.5
    wait_or_fail 10 "proc route removed" gone_logged "$proc_prefix" "$from"
    wait_or_fail 10 "web route removed" gone_logged "$http_prefix" "$from"
    wait_or_fail 10 "exit time written" test -s "$VIPD_TEST_DIR/exit-$r.ns"
    printf '%s %s %s %s\n' "$r" "${t_proc/,/.}" "${t_http/,/.}" "$pp" >>"$VIPD_TEST_DIR/rounds.tsv"
    stop_daemon "p$r" && stop_daemon "h$r"
    start_services $((r + 1))
done

stop_daemon tcpdump
if [[ -n ${trace:-} ]]; then
    echo 0 >"$trace/tracing_on"
    cat "$trace/trace" >"$VIPD_TEST_DIR/ftrace.txt"
    printf 'ftrace: vipd %s, BIRD %s\n' "$vp" "$bp" >"$VIPD_TEST_DIR/ftrace.pids"
fi
ln -s "$vipd_log" "$VIPD_TEST_DIR/vipd.log"
ln -s "$bird_log" "$VIPD_TEST_DIR/bird.log"
printf '\nservice: %s; load average at the end: %s\n' "$SERVICE" "$(cut -d' ' -f1-3 /proc/loadavg)"
"$py" "$ROOT/bench/crash_to_route.py" "$VIPD_TEST_DIR" "$proc_prefix" "$http_prefix" "$me"
