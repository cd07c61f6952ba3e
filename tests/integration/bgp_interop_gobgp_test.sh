#!/usr/bin/env bash
# vipd's BGP sessions against a real gobgpd on loopback (issue: BGP sessions): Established over
# IPv4 and IPv6 transport, with and without TCP MD5 (auth-password); gobgpd's whole table from
# vipd (`gobgp neighbor … adj-in -j`, both families) is exactly the expected one
# (gobgp_expect_table: route count, ORIGIN, AS path, MED, next hop, standard, extended and large
# communities), also for a manual `vipctl announce --med --community`; a withdrawal removes them;
# a gobgpd restart is followed by a reconnect and re-announcement within seconds (the route
# refresh is shown against BIRD: gobgpd's soft reset in re-reads its own adj-rib-in);
# a frozen gobgpd (SIGSTOP) makes vipd's hold timer fire and the session recovers after SIGCONT;
# a NOTIFICATION from gobgpd is reported decoded; 100,000 prefixes reach gobgpd complete.
# gobgpd treats loopback next hops as invalid, so the test uses documentation addresses as
# next-hop values (attribute values only; nothing is routed).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }

vipd_conf() {  # ROUTER_ADDR PORT LOCAL_ADDR PASSWORD
    local pw=""
    [ -n "$4" ] && pw="\"md5-password\": \"$4\","
    cat <<JSON
{
  "global": { "router-id": "192.0.2.201", "local-as": 65001, "state-dir": "$VIPD_TEST_DIR/state",
              "control-socket": { "path": "$VIPD_TEST_DIR/vipd.sock" }, "startup-grace": "1s" },
  "neighbors": [ { "name": "gobgp", "address": "$1", "port": $2, "local-address": "$3", $pw
                   "remote-as": 65000, "families": ["ipv4", "ipv6"], "hold-time": 6,
                   "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1", "next-hop-v6": "2001:db8::1",
                               "extended-communities": ["rt:65001:50"] } } ],
  "vips": [
    { "name": "v4", "prefixes": ["198.51.100.50/32"], "rule": "always()",
      "up": { "med": 52, "prepend": 1, "communities": ["65001:100"],
              "large-communities": ["65001:5:5"], "extended-communities": ["soo:65001:5"] } },
    { "name": "v6", "prefixes": ["2001:db8:50::1/128"], "rule": "always()",
      "up": { "med": 53, "communities": ["65001:200"], "large-communities": ["65001:6:6"] } }
  ]
}
JSON
}

n=0
session() {  # ROUTER_ADDR VIPD_ADDR PASSWORD -> $G (gobgpd), $V (vipd), $M (vipd's address)
    local r=$1 pw=$3 port extra=()
    M=$2
    n=$((n + 1)) G=gobgp$n V=vipd$n
    port=$(free_port "$r")
    [ -n "$pw" ] && extra=(--password "$pw")
    start_gobgpd "$G" "$(gobgp_conf_global --as 65000 --router-id 192.0.2.254 --listen "$r" --port "$port")
$(gobgp_conf_neighbor --neighbor "$M" --peer-as 65001 --passive --hold 6 --keepalive 2 "${extra[@]}")"
    vipd_conf "$r" "$port" "$M" "$pw" >"$VIPD_TEST_DIR/vipd.json"
    start_daemon "$V" "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
    gobgp_wait_established "$G" "$M" 30
    gobgp_wait_route "$G" "$M" ipv4 198.51.100.50/32 20
    gobgp_wait_route "$G" "$M" ipv6 2001:db8:50::1/128 20
}
teardown() { stop_daemon "$V"; stop_daemon "$G"; rm -rf "$VIPD_TEST_DIR/state"; }
# established_count: how many times vipd's session reached Established.
established_count() {
    ctl neighbors --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["neighbors"][0]["established_count"])'
}
established_again() { [ "$(established_count)" -gt "$1" ] && gobgp_is_established "$G" "$M"; }
# What vipd must announce: the two VIPs with every attribute.
TABLE="198.51.100.50/32 origin=igp as_path=65001,65001 med=52 local_pref=- next_hop=192.0.2.1
           community=65001:100 ext_community=rt:65001:50,ro:65001:5 large_community=65001:5:5
       2001:db8:50::1/128 origin=igp as_path=65001 med=53 local_pref=- next_hop=2001:db8::1
           community=65001:200 ext_community=rt:65001:50 large_community=65001:6:6"

for variant in "127.0.0.1 127.0.0.6 -" "127.0.0.1 127.0.0.6 s3cret" "::1 ::1 -" "::1 ::1 s3cret"; do
    read -r r m pw <<<"$variant"
    [ "$pw" = - ] && pw=""
    log "transport $r, MD5 $([ -n "$pw" ] && echo on || echo off)"
    session "$r" "$m" "$pw"
    gobgp_expect_table "$G" "$M" "$TABLE"
    teardown
done

log "manual announce/withdraw, restart, freeze, NOTIFICATION (IPv4, no MD5)"
session 127.0.0.1 127.0.0.6 ""
ctl announce 203.0.113.8/32 --med 8 --community 65001:8 --community no-export \
    --large-community 65001:8:8 >/dev/null
ctl announce 2001:db8:8::/48 --med 18 --prepend 2 >/dev/null
gobgp_expect_table "$G" "$M" "$TABLE
    203.0.113.8/32 origin=igp as_path=65001 med=8 local_pref=- next_hop=192.0.2.1
        community=65001:8,65535:65281 ext_community=rt:65001:50 large_community=65001:8:8
    2001:db8:8::/48 origin=igp as_path=65001,65001,65001 med=18 local_pref=- next_hop=2001:db8::1
        community=- ext_community=rt:65001:50 large_community=-" 5
ctl withdraw 203.0.113.8/32 2001:db8:8::/48 >/dev/null
gobgp_wait_no_route "$G" "$M" ipv4 203.0.113.8/32 5
gobgp_expect_table "$G" "$M" "$TABLE" 5

log "gobgpd restart: vipd reconnects and re-announces within seconds"
cfg=$(cat "$(daemon_dir "$G")/gobgpd.toml")
api=$(tr ' ' ':' <"$(daemon_dir "$G")/api")
stop_daemon "$G"
t0=$EPOCHREALTIME
G=gobgp-restarted
start_gobgpd "$G" "$cfg" --api "$api"
gobgp_wait_route "$G" "$M" ipv4 198.51.100.50/32 20
gobgp_expect_table "$G" "$M" "$TABLE" 5
log "re-announced $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s after gobgpd restarted"

log "gobgpd frozen: vipd's hold timer (6 s) fires; after SIGCONT the session comes back"
before=$(established_count)
kill -STOP "$(daemon_pid "$G")"
wait_or_fail 15 "hold timer expiry in vipd's log" grep -q "notification=sent code=4/0" "$(daemon_log "$V")"
kill -CONT "$(daemon_pid "$G")"
wait_or_fail 40 "a new session after SIGCONT" established_again "$before"
gobgp_expect_table "$G" "$M" "$TABLE" 20

log "gobgpd sends a NOTIFICATION (neighbor shutdown with a message): vipd logs it decoded"
gobgp_cli "$G" neighbor "$M" shutdown --reason "gobgp maintenance" >/dev/null
wait_or_fail 10 "decoded NOTIFICATION in vipd's log" \
    grep -q 'notification=received code=6/2.*gobgp maintenance' "$(daemon_log "$V")"
gobgp_cli "$G" neighbor "$M" enable >/dev/null
gobgp_wait_established "$G" "$M" 40

log "100,000 prefixes reach gobgpd complete"
python3 - "$VIPD_TEST_DIR/bulk.txt" <<'PY'
import sys, ipaddress
base = int(ipaddress.IPv4Address("10.0.0.1"))
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write(f"{ipaddress.IPv4Address(base + i)}/32\n")
PY
ctl announce --file "$VIPD_TEST_DIR/bulk.txt" >/dev/null
adj_in_count() { gobgp_cli "$G" neighbor "$M" adj-in -a ipv4 -s 2>/dev/null | awk '/Total/{print $NF}'; }
received() {  # gobgp's per-neighbor received counter
    gobgp_cli "$G" neighbor "$M" -j 2>/dev/null | python3 -c '
import json, sys
n = json.load(sys.stdin)
for af in n.get("afi_safis", []):
    if af.get("config", {}).get("family", {}).get("afi") == 1:
        print(af.get("state", {}).get("received", 0))'
}
count_is() { [ "$(received)" = "$1" ]; }
wait_or_fail 90 "100,001 IPv4 routes received by gobgpd" count_is 100001
gobgp_has_route "$G" "$M" ipv4 10.1.134.160/32 || fail "the last prefix is missing"
log "PASS"
