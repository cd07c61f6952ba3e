#!/usr/bin/env bash
# Optional loopback VIP setup (issue: the vipd daemon): with "loopback": {"enabled": true} the
# addresses of an announced VIP are added to the interface and removed when the VIP is
# withdrawn and when vipd exits. Runs inside a network namespace the test creates (root only:
# skipped otherwise), so the machine's own lo is never touched.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ns="vipdtest$$"
netns_new "$ns"

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  "global": { "router-id": "192.0.2.1", "local-as": 65001, "state-dir": "$VIPD_TEST_DIR/state",
              "control-socket": { "path": "$VIPD_TEST_DIR/vipd.sock" }, "startup-grace": "0s",
              "loopback": { "enabled": true, "interface": "lo" } },
  "neighbors": [],
  "vips": [ { "name": "web", "prefixes": ["192.0.2.80/32", "2001:db8::80/128"], "rule": "always()",
            "drain": { "time": "1s" } } ]
}
JSON
ctl() { ip netns exec "$ns" "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
has_addr() { grep -q "inet6\? $1" <<<"$(ip -n "$ns" addr show dev lo)"; } # no SIGPIPE to ip
start_daemon vipd ip netns exec "$ns" "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
wait_or_fail 10 "192.0.2.80 on lo" has_addr 192.0.2.80/32
wait_or_fail 10 "2001:db8::80 on lo" has_addr 2001:db8::80/128

ctl drain web >/dev/null
wait_or_fail 10 "the drained VIP's address removed" bash -c "! ip -n $ns addr show dev lo | grep -q 192.0.2.80"
ctl undrain web >/dev/null
wait_or_fail 10 "address back after undrain" has_addr 192.0.2.80/32

stop_daemon vipd
has_addr 192.0.2.80/32 && fail "address left on lo after vipd exited"
has_addr 2001:db8::80/128 && fail "IPv6 address left on lo after vipd exited"
log "PASS"
