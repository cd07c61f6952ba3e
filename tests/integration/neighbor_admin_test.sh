#!/usr/bin/env bash
# Neighbor administration against a real BIRD router (issue 12): `vipctl neighbor NAME disable`
# ends the session with Cease/2 and the operator's RFC 9003 text (BIRD shows it, the VIP is
# gone) and keeps it down across a restart of vipd; `enable` brings session and VIP back;
# `refresh` re-sends the table (BIRD's import counter grows, the route is unchanged);
# `vipctl neighbors NAME --json` carries the detail fields.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.5
port=$(free_port "$rtr")
start_bird_router rtr "$rtr" "$port" "$me" 30

conf=$VIPD_TEST_DIR/vipd.json
cat >"$conf" <<JSON
{
  // written by neighbor_admin_test.sh
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 30, "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1" } } ],
  "vips": [ { "name": "web", "prefixes": ["198.51.100.50/32"], "rule": "always()" } ]
}
JSON
VIPCTL=$VIPD_BINARY_DIR/vipctl
ctl() { "$VIPCTL" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
text="maintenance CHG-1234"
# BIRD's received-UPDATE counter of the protocol ("Import updates: received ...").
bird_import_updates() {
    bird_cli rtr show protocols all vipd | awk '/Import updates:/ && !f { print $3; f = 1 }'
}
# BIRD logs `Received: Administrative shutdown: "TEXT"` (no grep -q in a pipe: pipefail).
bird_shows_text() {
    local all
    all=$(bird_cli rtr show protocols all vipd; cat "$(daemon_log rtr)")
    [[ $all == *"$text"* ]]
}
bird_not_established() { ! bird_is_established rtr vipd; }
import_grew() { (($(bird_import_updates) > before)); }
# field NAME KEY: member KEY of `vipctl --json neighbors NAME`'s "neighbor", as JSON.
field() {
    ctl --json neighbors "$1" | "$VIPD_PY" -c '
import json, sys
print(json.dumps(json.load(sys.stdin)["neighbor"][sys.argv[1]]))' "$2"
}

start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_established rtr vipd 20
bird_wait_route rtr vipd 198.51.100.50/32 20

log "neighbors NAME --json: the detail fields"
detail=$(ctl --json neighbors rtr)
for key in capabilities timers notification_sent notification_received established_count \
    received_prefixes_kept disabled families; do
    assert_contains "$detail" "\"$key\"" "neighbors rtr --json"
done
assert_eq 30 "$(field rtr timers | "$VIPD_PY" -c 'import json,sys; print(json.load(sys.stdin)["negotiated_hold_time_s"])')" \
    "negotiated hold time"
assert_contains "$(ctl neighbors rtr)" "capabilities:"
out=$(ctl neighbors nope 2>&1) && fail "unknown neighbor accepted: $out"
assert_contains "$out" 'no neighbor named "nope"; neighbors are rtr'

log "refresh: the table again, the route unchanged"
before=$(bird_import_updates)
ctl neighbor rtr refresh >/dev/null
wait_or_fail 10 "BIRD import updates above $before" import_grew
bird_has_route rtr vipd 198.51.100.50/32 || fail "route lost after refresh"

log "disable: Cease/2 with the text, session down, VIP gone from BIRD"
ctl neighbor rtr disable --message "$text" >/dev/null
wait_or_fail 10 "BIRD session down" bird_not_established
wait_or_fail 10 "BIRD shows the shutdown text" bird_shows_text
bird_wait_route_gone rtr vipd 198.51.100.50/32 10
assert_match "$(ctl neighbors)" "disabled: +by the operator: \"$text\""
assert_eq true "$(field rtr disabled)" "disabled in --json"
assert_contains "$(cat "$VIPD_TEST_DIR/state/disabled-neighbors.json")" "$text" "persisted"
out=$(ctl neighbor rtr refresh 2>&1) && fail "refresh of a down session accepted: $out"
assert_contains "$out" "not Established"
sleep 3 # vipd must not restart the session by itself (BIRD is passive here)
bird_not_established || fail "session came back while disabled"

log "restart of vipd: still disabled"
stop_daemon vipd
V=vipd2 # lib.sh names each daemon once per test
start_daemon $V "$VIPD_BINARY_DIR/vipd" -c "$conf"
wait_or_fail 10 "control socket" ctl status
sleep 3
bird_not_established || fail "session came back after a restart while disabled"
assert_eq "\"$text\"" "$(field rtr disabled_message)" "message after restart"
assert_contains "$(cat "$(daemon_log $V)")" "restored disabled"

log "enable: Established and the VIP back"
ctl neighbor rtr enable >/dev/null
bird_wait_established rtr vipd 20
bird_wait_route rtr vipd 198.51.100.50/32 20
assert_eq false "$(field rtr disabled)" "enabled in --json"
log "PASS"
