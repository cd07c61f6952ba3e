#!/usr/bin/env bash
# vipd end to end with a real BIRD router (issue: the vipd daemon): drain shows 65535:0 on the
# router, then the withdrawal after the drain time; a restart during drain stays drained;
# undrain brings the VIP back; a reload adds and removes a VIP without resetting the session
# (the router's session uptime keeps counting); a bad reload keeps the old configuration;
# `vipctl announce|withdraw PREFIX` (manual routes) reach the router.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.4
port=$(free_port "$rtr")
start_bird_router rtr "$rtr" "$port" "$me" 30

conf=$VIPD_TEST_DIR/vipd.json
write_conf() {  # write_conf EXTRA_VIPS_JSON
    cat >"$conf" <<JSON
{
  // written by daemon_drain_reload_test.sh
  $(vipd_conf_global "$me" 2s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 30, "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1" } } ],
  "vips": [
    { "name": "web", "prefixes": ["198.51.100.30/32"], "rule": "always()",
      "up": { "med": 10 }, "drain": { "time": "2s", "med": 500 } }
    $1
  ]
}
JSON
}
write_conf ""
VIPCTL=$VIPD_BINARY_DIR/vipctl
ctl() { "$VIPCTL" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
has_community() { bird_route_attr rtr vipd "$1" community 2>/dev/null | grep -q "$2"; }

start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_established rtr vipd 20
bird_wait_route rtr vipd 198.51.100.30/32 20

log "drain: announced with GRACEFUL_SHUTDOWN (65535:0) and MED 500, withdrawn after 2 s"
ctl drain web
wait_or_fail 5 "65535:0 on the router" has_community 198.51.100.30/32 "65535:0"
assert_eq 500 "$(bird_route_attr rtr vipd 198.51.100.30/32 med)" "MED while draining"
bird_wait_no_route rtr vipd 198.51.100.30/32 10
assert_contains "$(cat "$VIPD_TEST_DIR/state/drained")" "web" "persisted drain"

log "restart during drain: comes back drained (nothing announced)"
stop_daemon vipd
V=vipd2  # lib.sh names each daemon once per test
start_daemon $V "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_established rtr vipd 20
# The initial table (empty: the VIP is drained) and its End-of-RIB have gone out.
wait_or_fail 10 "vipd to send its initial table" grep -q "then End-of-RIB" "$(daemon_log $V)"
assert_not_cmd "VIP announced after restart while drained" bird_has_route rtr vipd 198.51.100.30/32
assert_contains "$(ctl status)" "drained"

log "undrain: back with the up attributes"
ctl undrain web
bird_wait_route rtr vipd 198.51.100.30/32 10
assert_eq 10 "$(bird_route_attr rtr vipd 198.51.100.30/32 med)" "MED after undrain"

log "reload adds a VIP without resetting the session"
since_before=$(bird_proto_since rtr vipd)
write_conf ', { "name": "api", "prefixes": ["198.51.100.31/32"], "rule": "always()" }'
kill -HUP "$(daemon_pid $V)"
bird_wait_route rtr vipd 198.51.100.31/32 10
bird_assert_same_session rtr vipd "$since_before" "session not reset by the reload"
assert_eq "Established" "$(bird_bgp_state rtr vipd)"

log "a bad reload is rejected and the running configuration kept"
cp "$conf" "$conf.good"
printf '{ "global": { "router-id": "%s", "local-as": 65001, "hold-tme": 3 } }\n' "$me" >"$conf"
out=$(ctl reload 2>&1) && fail "bad reload accepted: $out"
assert_contains "$out" "vipd.json:1:"
assert_contains "$out" "configuration rejected, running configuration kept"
assert_contains "$(cat "$(daemon_log $V)")" "reload rejected"
bird_has_route rtr vipd 198.51.100.31/32 || fail "VIP lost after a bad reload"
bird_assert_same_session rtr vipd "$since_before" "session not reset by the bad reload"

log "reload removes the VIP: withdrawn, session kept"
cp "$conf.good" "$conf"
write_conf ""
ctl reload >/dev/null
bird_wait_no_route rtr vipd 198.51.100.31/32 10
bird_has_route rtr vipd 198.51.100.30/32 || fail "the kept VIP was withdrawn"
bird_assert_same_session rtr vipd "$since_before" "session not reset by the second reload"

log "manual routes: vipctl announce/withdraw PREFIX"
ctl announce 198.51.100.40/32 >/dev/null
bird_wait_route rtr vipd 198.51.100.40/32 10
ctl withdraw 198.51.100.40/32 >/dev/null
bird_wait_no_route rtr vipd 198.51.100.40/32 10
log "PASS"
