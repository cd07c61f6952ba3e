#!/usr/bin/env bash
# vipd's BGP sessions against a real BIRD 2 on loopback (issue: BGP sessions):
# Established over IPv4 and IPv6 transport, with and without TCP MD5; the router's whole table
# from vipd is exactly the expected one (bird_expect_table: route count, ORIGIN, AS path with
# prepends, MED, next hop, standard, extended and large communities, both families), also for a
# manual `vipctl announce --med --community`; a withdrawal removes them; a route refresh from the
# router is answered with the routes re-sent (BIRD's import update counters grow); a router
# restart is followed by a reconnect and re-announcement within seconds; a frozen router
# (SIGSTOP) makes vipd's hold timer fire and a new session (vipd's Established count grows, not
# a stale state) brings the table back after SIGCONT; a NOTIFICATION from the router is reported
# decoded; 100,000 prefixes reach the router complete.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }

# vipd_conf ROUTER_ADDR PORT LOCAL_ADDR PASSWORD HOLD -> config with two VIPs (v4 + v6)
vipd_conf() {
    local pw=""
    [ -n "$4" ] && pw="\"md5-password\": \"$4\","
    cat <<JSON
{
  "global": { "router-id": "192.0.2.200", "local-as": 65001, "state-dir": "$VIPD_TEST_DIR/state",
              "control-socket": { "path": "$VIPD_TEST_DIR/vipd.sock" }, "startup-grace": "1s" },
  "neighbors": [ { "name": "rtr", "address": "$1", "port": $2, "local-address": "$3", $pw
                   "remote-as": 65000, "families": ["ipv4", "ipv6"], "hold-time": $5,
                   "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1", "next-hop-v6": "2001:db8::1",
                               "communities": ["65001:7"],
                               "extended-communities": ["rt:65001:70"] } } ],
  "vips": [
    { "name": "v4", "prefixes": ["198.51.100.40/32"], "rule": "always()",
      "up": { "med": 42, "prepend": 2, "communities": ["65001:100", "no-export"],
              "large-communities": ["65001:1:1"], "extended-communities": ["soo:65001:4"] } },
    { "name": "v6", "prefixes": ["2001:db8:40::1"], "rule": "always()",
      "up": { "med": 43, "communities": ["65001:200"], "large-communities": ["65001:2:2"] } }
  ]
}
JSON
}

# session ROUTER_ADDR VIPD_ADDR PASSWORD: BIRD + vipd, waits for Established. lib.sh names each
# daemon once per test, so every session gets new names: $R (BIRD) and $V (vipd).
n=0
session() {
    local r=$1 m=$2 pw=$3 port extra=()
    n=$((n + 1)) R=rtr$n V=vipd$n
    port=$(free_port "$r")
    [ -n "$pw" ] && extra=(--password "$pw")
    local six=()
    [[ "$r" == *:* ]] && six=(--next-hop6 ::1)
    start_bird "$R" "$(bird_conf_global --router-id 192.0.2.254)
$(bird_conf_bgp vipd --local "$r" --local-port "$port" --local-as 65000 --neighbor "$m" \
        --peer-as 65001 --hold 6 --keepalive 2 "${extra[@]}" "${six[@]}")"
    vipd_conf "$r" "$port" "$m" "$pw" 6 >"$VIPD_TEST_DIR/vipd.json"
    start_daemon "$V" "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
    bird_wait_established "$R" vipd 20
    bird_wait_route "$R" vipd 198.51.100.40/32 20
    bird_wait_route "$R" vipd 2001:db8:40::1/128 20
}
teardown() { stop_daemon "$V"; stop_daemon "$R"; rm -rf "$VIPD_TEST_DIR/state"; }

# What vipd must announce: the two VIPs with every attribute (BIRD adds local_pref 100 on import).
V4="198.51.100.40/32 origin=igp as_path=65001,65001,65001 med=42 local_pref=100 next_hop=192.0.2.1
    community=65001:7,65001:100,65535:65281 ext_community=rt:65001:70,ro:65001:4
    large_community=65001:1:1"
V6="2001:db8:40::1/128 origin=igp as_path=65001 med=43 local_pref=100 next_hop=2001:db8::1
    community=65001:7,65001:200 ext_community=rt:65001:70 large_community=65001:2:2"
TABLE="$V4
$V6"
# established_count: how many times vipd's session reached Established.
established_count() {
    ctl neighbors --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["neighbors"][0]["established_count"])'
}
established_again() { [ "$(established_count)" -gt "$1" ] && bird_is_established "$R" vipd; }
# import_updates CHANNEL: BIRD's count of UPDATEs received on the channel (show protocols all).
import_updates() {
    bird_cli "$R" show protocols all vipd |
        awk -v c="$1" '/^ *Channel /{ ch = $2 } /Import updates:/{ if (ch == c) print $3 }'
}

for variant in "127.0.0.1 127.0.0.5 -" "127.0.0.1 127.0.0.5 s3cret" "::1 ::1 -" "::1 ::1 s3cret"; do
    read -r r m pw <<<"$variant"
    [ "$pw" = - ] && pw=""
    log "transport $r, MD5 $([ -n "$pw" ] && echo on || echo off)"
    session "$r" "$m" "$pw"
    bird_expect_table "$R" vipd "$TABLE"
    teardown
done

log "manual announce/withdraw, route refresh, restart, freeze, NOTIFICATION (IPv4, no MD5)"
session 127.0.0.1 127.0.0.5 ""
ctl announce 203.0.113.7/32 --med 9 --community 65001:9 --community no-advertise \
    --large-community 65001:9:9 --prepend 1 >/dev/null
bird_expect_table "$R" vipd "$TABLE
    203.0.113.7/32 origin=igp as_path=65001,65001 med=9 local_pref=100 next_hop=192.0.2.1
        community=65001:7,65001:9,65535:65282 ext_community=rt:65001:70 large_community=65001:9:9" 5
ctl withdraw 203.0.113.7/32 >/dev/null
bird_wait_no_route "$R" vipd 203.0.113.7/32 5
bird_expect_table "$R" vipd "$TABLE" 5

refreshes_before=$(grep -c "route refresh" "$(daemon_log "$V")" || true)
v4_before=$(import_updates ipv4) v6_before=$(import_updates ipv6)
bird_cli "$R" reload in vipd >/dev/null
wait_or_fail 5 "vipd answering the route refresh" \
    bash -c "[ \$(grep -c 'route refresh' '$(daemon_log "$V")') -gt $refreshes_before ]"
resent() { (($(import_updates ipv4) > v4_before && $(import_updates ipv6) > v6_before)); }
wait_or_fail 5 "the routes re-sent after the refresh (BIRD's import update counters)" resent
bird_expect_table "$R" vipd "$TABLE" 5

log "router restart: vipd reconnects and re-announces within seconds"
cfg=$(cat "$(daemon_dir "$R")/bird.conf")
stop_daemon "$R"
t0=$EPOCHREALTIME
R=rtr-restarted
start_bird "$R" "$cfg"
bird_wait_route "$R" vipd 198.51.100.40/32 15
log "re-announced $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s after the router restarted"

log "router frozen: vipd's hold timer (6 s) fires; after SIGCONT the session comes back"
before=$(established_count)
kill -STOP "$(daemon_pid "$R")"
wait_or_fail 15 "hold timer expiry in vipd's log" grep -q "notification=sent code=4/0" "$(daemon_log "$V")"
kill -CONT "$(daemon_pid "$R")"
wait_or_fail 30 "a new session after SIGCONT" established_again "$before"
bird_expect_table "$R" vipd "$TABLE" 15

log "router sends a NOTIFICATION (disable with a message): vipd logs it decoded"
bird_cli "$R" disable vipd "\"maintenance by test\"" >/dev/null
wait_or_fail 10 "decoded NOTIFICATION in vipd's log" \
    grep -q 'notification=received code=6/2.*maintenance by test' "$(daemon_log "$V")"
bird_cli "$R" enable vipd >/dev/null
bird_wait_established "$R" vipd 20

log "100,000 prefixes reach the router complete"
python3 - "$VIPD_TEST_DIR/bulk.txt" <<'PY'
import sys, ipaddress
base = int(ipaddress.IPv4Address("10.0.0.1"))
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write(f"{ipaddress.IPv4Address(base + i)}/32\n")
PY
ctl announce --file "$VIPD_TEST_DIR/bulk.txt" >/dev/null
count_is() { [ "$(bird_route_count "$R" vipd ipv4 2>/dev/null)" -ge "$1" ]; }
wait_or_fail 60 "100,002 IPv4 routes at BIRD" count_is 100001
assert_eq 100001 "$(bird_route_count "$R" vipd ipv4)" "IPv4 routes at the router (100,000 + the VIP)"
bird_has_route "$R" vipd 10.1.134.160/32 || fail "the last prefix is missing"
ctl withdraw --file "$VIPD_TEST_DIR/bulk.txt" >/dev/null
count_back() { [ "$(bird_route_count "$R" vipd ipv4 2>/dev/null)" = 1 ]; }
wait_or_fail 60 "the bulk withdrawal (only the VIP left)" count_back
log "PASS"
