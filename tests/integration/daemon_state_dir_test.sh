#!/usr/bin/env bash
# State directory faults (issue 13): vipd runs in its own mount namespace (unshare -m) with the
# state directory on a 64 KiB tmpfs; the test turns it read-only, then fills it. Each time vipd
# keeps routing (BIRD's table unchanged), logs the failed write, reports it (`vipctl status`,
# the metrics on the HTTP status endpoint), never leaves a broken or temporary file (the old
# text stays), and writes again at the next change once the directory is usable.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_cmd unshare nsenter mount curl

rtr=127.0.0.1 me=127.0.0.8
port=$(free_port "$rtr")
http_port=$(free_port 127.0.0.1)
start_bird_router rtr "$rtr" "$port" "$me" 30
state=$VIPD_TEST_DIR/state
mkdir -p "$state"
conf=$VIPD_TEST_DIR/vipd.json
cat >"$conf" <<JSON
{
  $(vipd_conf_global "$me" 1s ", \"http-status\": \"127.0.0.1:$http_port\""),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 30, "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1" } } ],
  "vips": [
    { "name": "web", "prefixes": ["198.51.100.80/32"], "rule": "always()", "drain": { "time": "60s" } },
    { "name": "api", "prefixes": ["198.51.100.81/32"], "rule": "always()", "drain": { "time": "60s" } }
  ]
}
JSON
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
unshare -m true 2>/dev/null || skip "no mount namespaces here (unshare -m failed)"
# The tmpfs exists only in vipd's mount namespace: it goes away with vipd, nothing to clean up.
start_daemon vipd unshare -m --propagation private bash -c \
    "mount -t tmpfs -o size=64k vipd-test-state '$state' && exec '$VIPD_BINARY_DIR/vipd' -c '$conf'"
in_ns() { nsenter -t "$(daemon_pid vipd)" -m -- "$@"; }
drained() { in_ns grep -v '^#' "$state/drained" | paste -sd' '; } # the names in the file
bird_wait_route rtr vipd 198.51.100.80/32 20
bird_wait_route rtr vipd 198.51.100.81/32 20
ctl drain web >/dev/null
drained_is() { [[ $(drained) == "$1" ]]; }
wait_or_fail 5 "drained written" drained_is web
metric() { curl -sf "http://127.0.0.1:$http_port/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
assert_eq 0 "$(metric vipd_state_file_errors)" "no state file errors yet"
routes_kept() {
    { bird_has_route rtr vipd 198.51.100.80/32 && bird_has_route rtr vipd 198.51.100.81/32; } ||
        fail "a route is gone from BIRD while the state directory fails"
    daemon_alive vipd || fail "vipd died"
}
no_tmp() { [[ -z $(in_ns find "$state" -name '*.tmp') ]] || fail "a temporary file was left: $(in_ns ls -la "$state")"; }

log "read-only state directory: vipd keeps routing, reports the failed write"
in_ns mount -o remount,ro "$state"
ctl drain api >/dev/null
st=$(ctl status)
assert_contains "$st" "state directory problems"
assert_match "$st" "drained: write failed: .*Read-only file system"
assert_eq 1 "$(metric vipd_state_file_errors)" "vipd_state_file_errors"
assert_eq 1 "$(metric vipd_state_write_failures_total)" "vipd_state_write_failures_total"
assert_match "$(cat "$(daemon_log vipd)")" 'error state file=[^ ]*/drained error="write failed: .*Read-only file system'
assert_eq web "$(drained)" "the old file is intact"
routes_kept

log "read-write again but full: the write fails (no space), the old file stays"
in_ns mount -o remount,rw "$state"
in_ns dd if=/dev/zero of="$state/fill" bs=4k 2>/dev/null || true
ctl undrain web >/dev/null # a change: the write is tried again
assert_match "$(ctl status)" "drained: write failed: .*No space left on device"
assert_eq web "$(drained)" "the old file is intact"
no_tmp
routes_kept

log "space again: the next change is written, the problem goes"
in_ns rm -f "$state/fill"
ctl drain web >/dev/null
wait_or_fail 5 "both drains written" drained_is "api web"
assert_not_cmd "state problems still reported" bash -c "'$VIPD_BINARY_DIR/vipctl' -s '$VIPD_TEST_DIR/vipd.sock' status | grep -q 'state directory problems'"
assert_eq 0 "$(metric vipd_state_file_errors)" "vipd_state_file_errors after recovery"
assert_eq 2 "$(metric vipd_state_write_failures_total)" "failures counted"
no_tmp
routes_kept
log "PASS"
