#!/usr/bin/env bash
# Configuration faults against the real daemon and a real BIRD (issue 13): a reload is all or
# nothing. A broken file by SIGHUP and by `vipctl reload` (exact reply, exit status 1), a file
# the speaker would refuse (a BGP role on an iBGP session), a loopback interface that does not
# exist, and a file whose apply fails part-way (two neighbors swapping addresses) all keep the
# running configuration: routes and session untouched (BIRD's session start time unchanged),
# neighbors as before. A restart in the middle of a drain resumes it (the VIP comes back
# drained); undrain and disabled checks survive restarts; corrupt state files at start-up are
# reported (log, `vipctl status`) and ignored.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.7
port=$(free_port "$rtr")
start_bird_router rtr "$rtr" "$port" "$me" 30
conf=$VIPD_TEST_DIR/vipd.json
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }

# write_conf [EXTRA_NEIGHBORS_JSON] [EXTRA_GLOBAL_MEMBERS]: neighbors a and b point at loopback
# ports nobody listens on (their sessions only try to connect).
AB=', { "name": "a", "address": "127.0.0.21", "port": 9, "remote-as": 65010 },
                   { "name": "b", "address": "127.0.0.22", "port": 9, "remote-as": 65010 }'
write_conf() {
    local extra=${1-$AB}
    cat >"$conf" <<JSON
{
  $(vipd_conf_global "$me" 1s "${2:-}"),
  "checks": { "flag": { "kind": "file", "path": "$VIPD_TEST_DIR/flag", "interval": "100ms",
                        "rise": 1, "fall": 1 } },
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 30, "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1" } }
                 $extra ],
  "vips": [
    { "name": "web", "prefixes": ["198.51.100.60/32"], "rule": "always()", "up": { "med": 10 } },
    { "name": "api", "prefixes": ["198.51.100.61/32"], "rule": "always()",
      "drain": { "time": "60s" } },
    { "name": "app", "prefixes": ["198.51.100.62/32"], "rule": "flag", "damping": false }
  ]
}
JSON
}
good_conf=$(write_conf && cat "$conf")
addresses() {  # "a=ADDR b=ADDR" from vipctl neighbors --json
    ctl neighbors --json | python3 -c '
import json, sys
print(" ".join(sorted(n["name"] + "=" + n["address"] for n in json.load(sys.stdin)["neighbors"]
                      if n["name"] in ("a", "b"))))'
}
attrs="local_pref=100 next_hop=192.0.2.1 community=- ext_community=- large_community=-"
WEB="198.51.100.60/32 origin=igp as_path=65001 med=10 $attrs"
API="198.51.100.61/32 origin=igp as_path=65001 med=- $attrs"
APP="198.51.100.62/32 origin=igp as_path=65001 med=- $attrs" # the flag file is absent: up
TABLE="$WEB
$API
$APP"
log_count() { grep -c "$1" "$(daemon_log "$V")" || true; }

V=vipd1
start_daemon $V "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_expect_table rtr vipd "$TABLE" 20
since=$(bird_proto_since rtr vipd)
assert_eq "a=127.0.0.21 b=127.0.0.22" "$(addresses)"

log "SIGHUP with a broken file: rejected, running configuration kept"
printf '{ "global": { "router-id": "192.0.2.1", ' >"$conf"
kill -HUP "$(daemon_pid $V)"
wait_or_fail 5 "the rejection in vipd's log" grep -q 'event="reload rejected, running configuration kept".*vipd.json:1:' "$(daemon_log $V)"

log "vipctl reload with a broken file: the daemon's own reply, exit status 1"
status=0
out=$(ctl reload 2>&1) || status=$?
assert_eq 1 "$status" "vipctl reload exit status"
assert_match "$out" "^vipctl reload: configuration rejected, running configuration kept: $conf:1:[0-9]+: " \
    "vipctl reload message"

log "a BGP role on an iBGP session (the speaker refuses it): rejected before anything changes"
write_conf ', { "name": "rr", "address": "127.0.0.23", "port": 9, "remote-as": 65001, "role": "peer" }'
status=0
out=$(ctl reload 2>&1) || status=$?
assert_eq 1 "$status" "reload with a role on iBGP"
assert_contains "$out" "/neighbors/1: a BGP Role is only used on eBGP sessions (RFC 9234 §4)"
assert_eq "" "$(ctl neighbors --json | grep -o '"name": *"rr"' || true)" "neighbor rr not added"

log "a loopback interface that does not exist: rejected"
write_conf "$AB" ', "loopback": { "enabled": true, "interface": "vipdnosuch0" }'
status=0
out=$(ctl reload 2>&1) || status=$?
assert_eq 1 "$status" "reload with a missing loopback interface"
assert_contains "$out" "/global/loopback/interface: no interface \"vipdnosuch0\" on this host"

log "apply fails part-way (a and b swap addresses): the old configuration is applied again"
write_conf ', { "name": "a", "address": "127.0.0.22", "port": 9, "remote-as": 65010 },
                   { "name": "b", "address": "127.0.0.21", "port": 9, "remote-as": 65010 }'
status=0
out=$(ctl reload 2>&1) || status=$?
assert_eq 1 "$status" "reload whose apply fails"
assert_contains "$out" "applying it failed: neighbor a: address 127.0.0.22 already used by b"
assert_contains "$(cat "$(daemon_log $V)")" 'event="reload failed while applying, running configuration restored"'
assert_eq "a=127.0.0.21 b=127.0.0.22" "$(addresses)" "neighbors as before"

log "after all that: the same table, the same session, and a good reload still works"
bird_expect_table rtr vipd "$TABLE" 5
bird_assert_same_session rtr vipd "$since" "BIRD's session was not reset"
printf '%s\n' "$good_conf" >"$conf"
ctl reload >/dev/null

log "restart in the middle of a drain: the drain resumes (the VIP comes back drained)"
ctl drain api >/dev/null
wait_or_fail 5 "api draining" bash -c "'$VIPD_BINARY_DIR/vipctl' -s '$VIPD_TEST_DIR/vipd.sock' status | grep -q 'api.*draining'"
ctl disable flag >/dev/null
stop_daemon $V
V=vipd2
start_daemon $V "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_expect_table rtr vipd "$WEB" 20 # api drained, app down (its check disabled)
assert_match "$(ctl status)" "api +drained" "api drained after the restart"
assert_match "$(ctl checks)" "flag +[a-z]+ +disabled" "flag still disabled after the restart"

log "undrain and enable survive a restart"
ctl undrain api >/dev/null
ctl enable flag >/dev/null
bird_expect_table rtr vipd "$TABLE" 10
stop_daemon $V
V=vipd3
start_daemon $V "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_expect_table rtr vipd "$TABLE" 20
assert_not_cmd "flag disabled after enable + restart" bash -c "'$VIPD_BINARY_DIR/vipctl' -s '$VIPD_TEST_DIR/vipd.sock' checks | grep -q disabled"

log "corrupt state files at start-up: reported and ignored, not fatal"
stop_daemon $V
printf 'api\n\x01\xff garbage' >"$VIPD_TEST_DIR/state/drained"
printf '{"a": "maint' >"$VIPD_TEST_DIR/state/disabled-neighbors.json"
V=vipd4
start_daemon $V "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_expect_table rtr vipd "$TABLE" 20
st=$(ctl status)
assert_contains "$st" "state directory problems"
assert_match "$st" "drained: ignored at start-up, unreadable: "
assert_match "$st" "disabled-neighbors.json: ignored at start-up, unreadable: not JSON"
assert_match "$(cat "$(daemon_log $V)")" 'error state file=[^ ]*/drained error="ignored at start-up, unreadable'
log "PASS"
