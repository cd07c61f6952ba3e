#!/usr/bin/env bash
# A router restarted again and again is re-peered each time within connect-retry (issue 12):
# BIRD (passive: only vipd connects) is stopped with SIGTERM (it sends Cease/2) and killed
# with SIGKILL after the session was stable (a bare TCP close), several times in a row; after
# each restart the VIP is back in BIRD's table within connect-retry (2 s) plus a margin, with
# no back-off building up. A reload changing idle-hold-time keeps the session; `vipctl neighbor
# rtr reset` sends Cease/4 and re-peers at once.
# The test asserts order and state; the bounds are generous (an idle-hold back-off doubling
# from 1 s would exceed them by the fourth restart).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }

rtr=127.0.0.1 me=127.0.0.9
retry=2 margin=4 hold=3
port=$(free_port "$rtr")
bird_cfg="$(bird_conf_global --router-id 192.0.2.254)
$(bird_conf_bgp vipd --local "$rtr" --local-port "$port" --local-as 65000 --neighbor "$me" \
    --peer-as 65001 --no-ipv6 --hold "$hold" --keepalive 1 --passive)"

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  "global": { "router-id": "192.0.2.200", "local-as": 65001, "state-dir": "$VIPD_TEST_DIR/state",
              "control-socket": { "path": "$VIPD_TEST_DIR/vipd.sock" }, "startup-grace": "1s" },
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": $hold,
                   "connect-retry": "${retry}s", "idle-hold-time": "1s", "max-idle-hold-time": "1m",
                   "export": { "next-hop-v4": "192.0.2.1" } } ],
  "vips": [ { "name": "web", "prefixes": ["198.51.100.60/32"], "rule": "always()" } ]
}
JSON

n=0
R=rtr0
start_bird "$R" "$bird_cfg"
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
vlog=$(daemon_log vipd)
bird_wait_established "$R" vipd 20
bird_wait_route "$R" vipd 198.51.100.60/32 20

# seen PATTERN: how many lines of vipd's log match.
seen() { grep -c -- "$1" "$vlog" || true; }

# failures: the back-off count vipctl shows for neighbor rtr.
failures() {
    ctl --json neighbors |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["neighbors"][0]["failures"])'
}

# restart SIGNAL: stop BIRD with SIGNAL, start it again, and wait for the VIP to come back
# within connect-retry + margin of BIRD answering.
restart() {
    local sig=$1 t0 before
    n=$((n + 1))
    if [[ $sig == KILL ]]; then
        before=$(seen "no back-off: the session was stable")
        expect_exit "$R" 137
        kill -KILL "$(daemon_pid "$R")"
        wait_or_fail 10 "vipd restarting at once after the stable session closed" \
            bash -c "[ \$(grep -c 'no back-off: the session was stable' '$vlog') -gt $before ]"
    fi
    stop_daemon "$R"
    R=rtr$n
    start_bird "$R" "$bird_cfg"
    t0=$EPOCHREALTIME
    bird_wait_established "$R" vipd $((retry + margin))
    bird_wait_route "$R" vipd 198.51.100.60/32 $((retry + margin))
    log "restart $n (SIG$sig): VIP back $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
        'BEGIN{printf "%.1f", b-a}') s after the router answered"
}

for sig in TERM TERM TERM; do
    restart "$sig"
done
assert_cmd "BIRD's Cease/2 received" grep -q "notification=received code=6/2" "$vlog"
assert_cmd "re-peered at once after Cease/2" \
    grep -q "next attempt in 0 s: no back-off: the peer reset the session" "$vlog"
assert_not_cmd "no back-off after a router shutdown" grep -q "back-off after" "$vlog"
assert_eq 0 "$(failures)" "failures counted after three SIGTERM restarts"

for sig in KILL KILL; do
    # A SIGKILL is a bare TCP close: it restarts at once only once the session is stable
    # (Established for the hold time).
    sleep $((hold + 1))
    restart "$sig"
done
assert_not_cmd "no back-off after a stable router was killed" grep -q "back-off after" "$vlog"
assert_eq 0 "$(failures)" "failures counted after two SIGKILL restarts"

log "reload with another idle-hold-time: applied without a session reset"
sed -i 's/"idle-hold-time": "1s"/"idle-hold-time": "3s"/' "$VIPD_TEST_DIR/vipd.json"
downs=$(seen "from=Established")
assert_contains "$(ctl reload)" "neighbor rtr"
sleep 1
assert_eq "$downs" "$(seen "from=Established")" "session transitions out of Established"
bird_is_established "$R" vipd || fail "the session went down on an idle-hold change"

log "vipctl neighbor rtr reset: Cease/4 with the operator's text to the router, re-peered at once"
assert_contains "$(ctl neighbor rtr reset --message "CHG-42 reset")" "neighbor rtr: reset"
wait_or_fail 5 "Cease/4 sent" grep -q "notification=sent code=6/4" "$vlog"
wait_or_fail 5 "the router logged the RFC 9003 text" grep -q "CHG-42 reset" "$(daemon_log "$R")"
assert_cmd "reset logged" grep -q "next attempt in 0 s: no back-off: operator reset" "$vlog"
bird_wait_established "$R" vipd $((retry + margin))
bird_wait_route "$R" vipd 198.51.100.60/32 $((retry + margin))
assert_not_cmd "an unknown neighbor is refused" ctl neighbor nope reset
stop_daemon vipd
stop_daemon "$R"
log "PASS"
