#!/usr/bin/env bash
# The `listen` check end to end (issue 14): whether a socket listens on 127.0.0.1:PORT, asked of
# the kernel through sock_diag (no connection is made: the listener never accepts one). A real
# listener closed -> the VIP is withdrawn from a real BIRD receiver with the cause "nothing
# listens on tcp 127.0.0.1:PORT"; a port left with only an established connection (listener
# closed, the accepted pair kept) stays down; a listener reopened -> the VIP is back.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.13
port=$(free_port "$rtr")
svc_port=$(free_port 127.0.0.1)
start_bird_router rtr "$rtr" "$port" "$me"

# listener.py MODE PORT READY_FILE: "listen" listens (and counts accepts into READY_FILE.accepts);
# "established" listens, connects to itself, accepts, closes the listener and keeps the pair.
cat >"$VIPD_TEST_DIR/listener.py" <<'PY'
import socket, sys, time
mode, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port)); l.listen(16)
if mode == "established":
    c = socket.create_connection(("127.0.0.1", port)); a, _ = l.accept(); l.close()
open(ready, "w").write("ready\n")
if mode == "listen":
    l.settimeout(0.2)
    while True:
        try:
            l.accept(); open(ready + ".accepts", "a").write("1\n")
        except socket.timeout:
            pass
else:
    time.sleep(300)
PY
start_listener() { # start_listener NAME MODE
    rm -f "$VIPD_TEST_DIR/$1.ready"
    start_daemon "$1" python3 "$VIPD_TEST_DIR/listener.py" "$2" "$svc_port" "$VIPD_TEST_DIR/$1.ready"
    wait_or_fail 10 "$1 ready" test -s "$VIPD_TEST_DIR/$1.ready"
}
start_listener l1 listen

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s" } ],
  "checks": { "port": { "kind": "listen", "address": "127.0.0.1", "port": $svc_port,
                        "interval": "100ms", "fast-interval": "100ms", "rise": 2, "fall": 1 } },
  "vips": [ { "name": "svc", "prefixes": ["198.51.100.90/32"], "rule": "port", "damping": false } ]
}
JSON
"$VIPD_BINARY_DIR/vipd" --check-config "$VIPD_TEST_DIR/vipd.json" >/dev/null
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20
bird_wait_route rtr vipd 198.51.100.90/32 20
assert_match "$(ctl checks)" "port +listen +up"
assert_not_cmd "no connection was made to the listener" test -e "$VIPD_TEST_DIR/l1.ready.accepts"

log "listener closed: down, the VIP withdrawn"
stop_daemon l1
bird_wait_route_gone rtr vipd 198.51.100.90/32 10
vipd_log=$(daemon_log vipd)
assert_cmd "down because nothing listens" \
    grep -Eq "check=port kind=listen from=up to=down cause=\"?nothing listens on tcp 127.0.0.1:$svc_port" "$vipd_log"

log "only an established connection on the port: still down"
start_listener est established
probes_now() { ctl --json checks | python3 -c 'import json,sys; print([c for c in json.load(sys.stdin)["checks"] if c["name"]=="port"][0]["probes"])'; }
more_probes() { [ "$(probes_now)" -ge "$1" ]; }
p0=$(probes_now)
wait_or_fail 10 "three more probes" more_probes $((p0 + 3))
assert_cmd "the established connection exists" bash -c "ss -Htn state established '( sport = :$svc_port )' | grep -q ."
assert_match "$(ctl checks)" "port +listen +down"
assert_not_cmd "VIP still withdrawn" bird_has_route rtr vipd 198.51.100.90/32
stop_daemon est

log "listener reopened: up again, the VIP back"
start_listener l2 listen
bird_wait_route rtr vipd 198.51.100.90/32 10
order=$(grep -Eo "check=port kind=listen from=[a-z]+ to=[a-z]+" "$vipd_log" | sed 's/.*from=//' | tr '\n' ' ')
# The "established" helper listens for a moment to make its connection: a probe may see that
# listener (rising, then down again); the check must never be up before the reopen.
assert_match "$order" "^init to=rising rising to=up up to=down (down to=rising rising to=down )*down to=rising rising to=up $"
log "PASS"
