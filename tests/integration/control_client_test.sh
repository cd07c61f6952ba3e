#!/usr/bin/env bash
# examples/vipd_client.py, the long-lived control client of docs/control-protocol.md, against a
# real vipd and BIRD: several requests on one connection get their replies in order with their
# ids; an announce reaches the router and a withdraw removes it; a refused request is a reply
# with "ok": false and the connection goes on.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.7
port=$(free_port "$rtr")
start_bird_router rtr "$rtr" "$port" "$me"

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1" } } ]
}
JSON
client() { python3 "$VIPD_SOURCE_DIR/examples/vipd_client.py" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20
wait_or_fail 10 "the daemon ready to send routes" client status

log "one connection: version, announce, a refused request, then the replies in order"
out=$(client version 'announce:{"prefixes":["198.51.100.70/32"],"med":70}' \
    'drain:{"vip":"nope"}' 'routes:{"neighbor":"rtr"}') && fail "a refused request gave status 0"
mapfile -t replies <<<"$out"
assert_eq 4 "${#replies[@]}" "one reply per request"
reply() { python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$@"; }
assert_eq "1 True" "$(reply "${replies[0]}" 'r["id"], r["ok"]' | tr -d '(),')" "version reply"
assert_eq "2 written" "$(reply "${replies[1]}" 'r["id"], r["results"]["rtr"]' | tr -d "(),'")" \
    "announce reply: written to the router"
assert_eq '3 False no VIP named "nope"' \
    "$(reply "${replies[2]}" 'r["id"], r["ok"], r["error"]' | tr -d "(),'")" "refused request"
assert_eq "4 198.51.100.70/32 70" \
    "$(reply "${replies[3]}" 'r["id"], r["routes"][0]["prefix"], r["routes"][0]["med"]' |
        tr -d "(),'")" "routes reply"
bird_wait_route rtr vipd 198.51.100.70/32 10
assert_eq 70 "$(bird_route_attr rtr vipd 198.51.100.70/32 med)" "MED at the router"

log "withdraw through the client"
client 'withdraw:{"prefixes":["198.51.100.70/32"]}' >/dev/null
bird_wait_no_route rtr vipd 198.51.100.70/32 10
log "PASS"
