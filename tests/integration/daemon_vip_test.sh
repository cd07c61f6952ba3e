#!/usr/bin/env bash
# vipd end to end with a real BIRD router on loopback (issue: the vipd daemon):
# a rule flip announces/withdraws the VIP; an active/passive VIP is de-preferred (MED 300 ->
# 1000) instead of withdrawn; SIGTERM makes the router lose the routes at once (Cease with an
# RFC 9003 text), long before its hold time.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.3
port=$(free_port "$rtr")
web_port=$(free_port 127.0.0.1)
start_bird_router rtr "$rtr" "$port" "$me"

mkdir -p "$VIPD_TEST_DIR/www"
echo ok >"$VIPD_TEST_DIR/www/index.html"
start_web() {  # start_web NAME (a restarted service needs a new name)
    start_daemon "$1" python3 -m http.server "$web_port" --bind 127.0.0.1 --directory "$VIPD_TEST_DIR/www"
    wait_or_fail 10 "web service" curl -sf -o /dev/null "http://127.0.0.1:$web_port/"
}
start_web web
med_is() { [ "$(bird_route_attr rtr vipd "$1" med 2>/dev/null)" = "$2" ]; }

cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 5s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1" } } ],
  "checks": { "web": { "kind": "http", "url": "http://127.0.0.1:$web_port/", "interval": "300ms",
                        "fast-interval": "100ms", "timeout": "500ms", "rise": 2, "fall": 2 } },
  "vips": [
    { "name": "active", "prefixes": ["198.51.100.10"], "rule": "web", "damping": false,
      "up": { "med": 100, "communities": ["65001:10"], "large-communities": ["65001:1:2"] } },
    { "name": "passive", "prefixes": ["198.51.100.20/32"], "rule": "all(web)", "damping": false,
      "up": { "med": 300 }, "when-down": "degrade", "degraded": { "med": 1000, "prepend": 2 } }
  ]
}
JSON
"$VIPD_BINARY_DIR/vipd" --check-config "$VIPD_TEST_DIR/vipd.json" >/dev/null
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
bird_wait_established rtr vipd 20

log "up: both VIPs announced with their up attributes"
bird_wait_route rtr vipd 198.51.100.10/32 20
bird_wait_route rtr vipd 198.51.100.20/32 20
assert_eq 100 "$(bird_route_attr rtr vipd 198.51.100.10/32 med)" "MED of the active VIP"
assert_eq "65001:10" "$(bird_route_attr rtr vipd 198.51.100.10/32 community)" "community"
assert_eq "65001:1:2" "$(bird_route_attr rtr vipd 198.51.100.10/32 large_community)" "large community"
assert_eq 65001 "$(bird_route_attr rtr vipd 198.51.100.10/32 as_path)" "AS path"
assert_eq 300 "$(bird_route_attr rtr vipd 198.51.100.20/32 med)" "MED of the passive VIP when up"
# rise 2: the first success (rising out of init) is no verdict yet, so the start-up gate waits
# for the second and the first table already holds both VIPs up, never a degraded one.
vipd_log=$(daemon_log vipd)
assert_cmd "passive VIP announced by the start-up gate" grep -q "vip=passive from=waiting to=announced" "$vipd_log"
assert_not_cmd "passive VIP degraded at start-up" grep -q "vip=passive .*to=degraded" "$vipd_log"

log "service stops: 'active' is withdrawn, 'passive' stays with MED 1000 and two prepends"
stop_daemon web
bird_wait_no_route rtr vipd 198.51.100.10/32 10
wait_or_fail 10 "MED 1000 on the degraded VIP" med_is 198.51.100.20/32 1000
assert_eq 1000 "$(bird_route_attr rtr vipd 198.51.100.20/32 med)" "MED of the degraded VIP"
assert_eq "65001 65001 65001" "$(bird_route_attr rtr vipd 198.51.100.20/32 as_path)" "prepended path"

log "service back: both return with the up attributes"
start_web web2
bird_wait_route rtr vipd 198.51.100.10/32 10
wait_or_fail 10 "MED 300 again" med_is 198.51.100.20/32 300
assert_eq 300 "$(bird_route_attr rtr vipd 198.51.100.20/32 med)" "MED back to 300"

log "SIGTERM: the router loses the routes at once (hold time is 90 s)"
t0=$EPOCHREALTIME
kill -TERM "$(daemon_pid vipd)"
bird_wait_route_gone rtr vipd 198.51.100.10/32 5
elapsed=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
log "route gone ${elapsed}s after SIGTERM"
wait_until 5 bash -c "! kill -0 $(daemon_pid vipd) 2>/dev/null" || fail "vipd did not exit after SIGTERM"
assert_contains "$(bird_last_error rtr vipd)" "Administrative shutdown"
log "PASS"
