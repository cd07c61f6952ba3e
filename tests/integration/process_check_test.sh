#!/usr/bin/env bash
# The `process` check end to end (issue 14): a real service (the test's python HTTP server,
# named by a pidfile; vipd is not its parent) killed with SIGKILL -> its pidfd tells vipd at
# once, the check goes down with the cause "process N exited" although fall is 3 and the interval
# 1 h (polling alone would wait an hour), and the VIP is withdrawn from a real BIRD receiver;
# restarted with a new pidfile -> rising after a probe finds it, up after `rise`, VIP back.
# Asserts order and causes, not timings.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.12
port=$(free_port "$rtr")
web_port=$(free_port 127.0.0.1)
http_port=$(free_port 127.0.0.1)
start_bird_router rtr "$rtr" "$port" "$me"

pidfile="$VIPD_TEST_DIR/web.pid"
# runs_python PID: the process runs python3 (a PATH shim such as pyenv's execs it a bit later).
runs_python() { tr '\0' '\n' <"/proc/$1/cmdline" | head -n 1 | grep -Eq '(^|/)python3$'; }
start_web() { # start_web NAME: the service, and its pidfile holding its own PID
    start_daemon "$1" python3 -m http.server "$web_port" --bind 127.0.0.1 --directory "$VIPD_TEST_DIR"
    local pid
    pid=$(daemon_pid "$1")
    wait_or_fail 10 "$1 running python3" runs_python "$pid"
    echo "$pid" >"$pidfile.new" && mv "$pidfile.new" "$pidfile"
}
start_web web

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s ", \"http-status\": \"127.0.0.1:$http_port\""),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s" } ],
  "checks": { "svc": { "kind": "process", "pidfile": "$pidfile", "cmdline": "python3 -m http.server",
                       "interval": "1h", "fast-interval": "100ms", "jitter": "0s",
                       "rise": 2, "fall": 3 } },
  "vips": [ { "name": "web", "prefixes": ["198.51.100.80/32"], "rule": "svc", "damping": false } ]
}
JSON
"$VIPD_BINARY_DIR/vipd" --check-config "$VIPD_TEST_DIR/vipd.json" >/dev/null
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20
bird_wait_route rtr vipd 198.51.100.80/32 20
assert_match "$(ctl checks)" "svc +process +up"

log "SIGKILL: the exit is a transition at once (fall 3, interval 1h), the VIP is withdrawn"
old=$(daemon_pid web)
expect_exit web 137
kill -KILL "$old"
bird_wait_route_gone rtr vipd 198.51.100.80/32 10
vipd_log=$(daemon_log vipd)
assert_cmd "down with the exit as cause" \
    grep -Eq "check=svc kind=process from=up to=down cause=\"?process $old exited" "$vipd_log"
assert_match "$(ctl checks)" "svc +process +down"
assert_contains "$(curl -sf "http://127.0.0.1:$http_port/metrics")" \
    'vipd_check_probe_failure_causes_total{check="svc",cause="process_exited"} 1'

log "restarted with a new pidfile: rising, then up after rise 2; the VIP is back"
start_web web2
new=$(daemon_pid web2)
ctl check-now svc >/dev/null
bird_wait_route rtr vipd 198.51.100.80/32 10
assert_cmd "rising with the new process" \
    grep -Eq "check=svc kind=process from=down to=rising cause=\"?process $new running \(1/2\)" "$vipd_log"
assert_cmd "up with the new process" \
    grep -Eq "check=svc kind=process from=rising to=up cause=\"?process $new running" "$vipd_log"
# Order: down (the exit) before rising before up.
order=$(grep -Eo "check=svc kind=process from=[a-z]+ to=[a-z]+" "$vipd_log" | sed 's/.*from=//' | tr '\n' ' ')
assert_match "$order" "up to=down down to=rising rising to=up"
log "PASS"
