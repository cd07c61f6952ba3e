#!/usr/bin/env bash
# `vipctl status --check` against a running vipd and a real BIRD (issue 12, item 1): exit 0
# and "OK: ..." while the session is Established and the VIPs as expected (a never() VIP
# withdrawn counts as expected); exit 2 and "CRITICAL: ..." naming the VIP and the leaf that
# holds it down; a drained VIP is expected again.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.10
port=$(free_port "$rtr")
start_bird_router rtr "$rtr" "$port" "$me"

maint="$VIPD_TEST_DIR/maintenance"
cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s" } ],
  "checks": { "maint": { "kind": "file", "path": "$maint", "interval": "100ms", "rise": 1, "fall": 1 } },
  "vips": [
    { "name": "web", "prefixes": ["198.51.100.70/32"], "rule": "maint", "damping": false },
    { "name": "spare", "prefixes": ["198.51.100.71/32"], "rule": "never()", "damping": false }
  ]
}
JSON
assert_eq "$VIPD_TEST_DIR/vipd.json: OK: 1 neighbor, 1 check, 2 VIPs" \
    "$("$VIPD_BINARY_DIR/vipd" --check-config "$VIPD_TEST_DIR/vipd.json")" "--check-config line"
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
check_status() { # check_status: "STATUS OUTPUT" of `vipctl status --check`
    local out status=0
    out=$(ctl status --check) || status=$?
    printf '%s %s\n' "$status" "$out"
}
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20
bird_wait_route rtr vipd 198.51.100.70/32 20

log "all as expected: exit 0"
assert_eq "0 OK: 1 neighbor Established, 2 VIPs as expected" "$(check_status)" "status --check"

log "maintenance file: the VIP is withdrawn, exit 2 naming the leaf"
touch "$maint"
bird_wait_no_route rtr vipd 198.51.100.70/32 10
assert_eq "2 CRITICAL: VIP web is withdrawn (maint disabled)" "$(check_status)" "status --check"

log "drained: expected withdrawn again"
ctl drain web >/dev/null
wait_or_fail 10 "drained VIP counted as expected" \
    bash -c "[ \"\$(\"$VIPD_BINARY_DIR/vipctl\" -s \"$VIPD_TEST_DIR/vipd.sock\" status --check)\" = 'OK: 1 neighbor Established, 2 VIPs as expected' ]"
log "PASS"
