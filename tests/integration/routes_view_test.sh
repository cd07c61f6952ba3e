#!/usr/bin/env bash
# `vipctl routes --json` against what a real BIRD received (issue 10, item 8): for a VIP and a
# manual route, the AS path (eBGP AS, the route's and the neighbor's prepends), MED, ORIGIN,
# communities (the route's and the neighbor's export communities), large communities and the
# next hop (the session's own address: no next-hop-v4 configured) shown by vipctl are those on
# the wire, because vipctl's view calls the speaker's export function.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.6
port=$(free_port "$rtr")
start_bird_router rtr "$rtr" "$port" "$me"

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s",
                   "export": { "prepend": 1, "communities": ["65001:999"],
                               "large-communities": ["65001:9:9"] } } ],
  "vips": [
    { "name": "web", "prefixes": ["198.51.100.60/32"], "rule": "always()", "damping": false,
      "up": { "med": 100, "communities": ["65001:10"], "large-communities": ["65001:1:2"] } }
  ]
}
JSON
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20
bird_wait_route rtr vipd 198.51.100.60/32 20
ctl announce 198.51.100.61/32 --med 50 --prepend 2 --community 65001:20 >/dev/null
bird_wait_route rtr vipd 198.51.100.61/32 10

routes=$VIPD_TEST_DIR/routes.json
ctl --json routes >"$routes"
# field PREFIX KEY: vipctl's value, lists space-separated and sorted (as bird_sorted below).
field() {
    python3 - "$routes" "$1" "$2" <<'PY'
import json, sys
path, prefix, key = sys.argv[1:]
for r in json.load(open(path))["routes"]:
    if r["prefix"] == prefix:
        v = r.get(key)
        print(" ".join(sorted(v)) if isinstance(v, list) else ("" if v is None else v))
        break
else:
    sys.exit(f"no route {prefix} in vipctl routes")
PY
}
bird_sorted() { bird_route_attr rtr vipd "$1" "$2" | tr ' ' '\n' | sort | xargs; }

for p in 198.51.100.60/32 198.51.100.61/32; do
    log "$p: vipctl routes --json is what BIRD received"
    assert_eq "$(bird_route_attr rtr vipd "$p" as_path)" "$(field "$p" as_path)" "$p AS path"
    assert_eq "$(bird_route_attr rtr vipd "$p" med)" "$(field "$p" med)" "$p MED"
    assert_eq "$(bird_route_attr rtr vipd "$p" origin)" "$(field "$p" origin)" "$p origin"
    assert_eq "$(bird_route_attr rtr vipd "$p" next_hop)" "$(field "$p" next_hop)" "$p next hop"
    assert_eq "$(bird_sorted "$p" community)" "$(field "$p" communities)" "$p communities"
    assert_eq "$(bird_sorted "$p" large_community)" "$(field "$p" large_communities)" \
        "$p large communities"
done
# The values themselves, so that a view and a wire that are both wrong cannot pass.
assert_eq "65001 65001" "$(field 198.51.100.60/32 as_path)" "VIP path: eBGP AS + export prepend"
assert_eq "65001 65001 65001 65001" "$(field 198.51.100.61/32 as_path)" "manual path: + 2 prepends"
assert_eq "65001:10 65001:999" "$(field 198.51.100.60/32 communities)" "export community added"
assert_eq "$me" "$(field 198.51.100.61/32 next_hop)" "next hop: the session's address"
log "PASS"
