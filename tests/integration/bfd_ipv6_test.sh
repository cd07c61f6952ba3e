#!/usr/bin/env bash
# Single-hop BFD over IPv6 (RFC 5881: UDP 3784, hop limit 255 sent and required) against a real
# BIRD 2 in two network namespaces joined by a veth pair: vipd and BIRD peer over ULA addresses
# of that veth only (nodad: usable at once), the BGP session carries an IPv6 VIP, and:
# 1. BFD comes Up on both sides (BIRD requires hop limit 255 too, so vipd's packets carry it);
# 2. a well-formed packet of the session with hop limit 254 is dropped and counted (vipctl,
#    metrics, one log line), the session stays Up;
# 3. `kill -STOP` of vipd (a hung node): BIRD drops the IPv6 VIP on BFD detection (300 ms),
#    long before the 30 s hold time; SIGCONT brings BFD, BGP and the VIP back.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bfd_lib.sh"
require_cmd bird birdc ip curl

nsv=vbf6-v$$ nsr=vbf6-r$$ me4=192.0.2.2 rtr4=192.0.2.1
me=fd00:bfd::2 rtr=fd00:bfd::1 vip=2001:db8:60::1/128
netns_pair "$nsv" "$me4" "$nsr" "$rtr4"
ip -n "$nsv" addr add "$me/64" dev "va$$" nodad
ip -n "$nsr" addr add "$rtr/64" dev "vb$$" nodad

start_bird_netns "$nsr" rtr "$(bfd_bird_conf "$rtr4" "$rtr" "$me" ipv6)"
conf=$VIPD_TEST_DIR/vipd.json
bfd_vipd_conf "$me4" "$rtr" "$me" ipv6 "$vip" >"$conf"
ctl() { bfd_ctl "$@"; }
bfd_field() { bfd_nb_field bfd "$1"; }
vipd_bfd_is() { [[ "$(bfd_field state 2>/dev/null)" == "$1" ]]; }
bird_bfd_state() { bird_cli rtr show bfd sessions | awk -v a="$me" '$1 == a { print $3 }'; }
bird_bfd_is() { [[ "$(bird_bfd_state)" == "$1" ]]; }
bird_error_has() { [[ "$(bird_cli rtr show protocols all vipd)" == *"$1"* ]]; }
metric() {
    ip netns exec "$nsv" curl -sf http://127.0.0.1:8080/metrics | awk -v m="$1" '$1 == m { print $2 }'
}

# --- 1. Up ----------------------------------------------------------------------------------
start_daemon vipd ip netns exec "$nsv" "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_route rtr vipd "$vip" 10
wait_or_fail 5 "BIRD's BFD session with $me Up" bird_bfd_is Up
wait_or_fail 5 "vipd's BFD session Up" vipd_bfd_is Up
assert_eq "$(bfd_field peer)" "$rtr"
assert_eq "$(bfd_field detection_time_ms)" 300.0
ctl neighbors rtr | grep -q "bfd:.*Up (single-hop), remote Up" || fail "vipctl neighbors rtr: no BFD Up row"
assert_eq "$(bfd_field packets_dropped)" 0 "packets dropped while coming Up (hop limit 255 each)"

# --- 2. hop limit 254 -------------------------------------------------------------------------
log "2. a packet of the session with hop limit 254 (RFC 5881 §5)"
transitions=$(bfd_field transitions)
n=3
ip netns exec "$nsr" "$VIPD_PY" - "$me" "$rtr" "$(bfd_field local_discriminator)" \
    "$(bfd_field remote_discriminator)" "$n" <<'PY'
# Up, with both discriminators right: accepted, it would be an ordinary packet of the session.
import socket, struct, sys
dst, src, vipd_disc, bird_disc, n = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
pkt = struct.pack("!BBBBIIIII", 1 << 5, 3 << 6, 3, 24, bird_disc, vipd_disc, 100000, 100000, 0)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 254)
s.bind((src, 0))
for _ in range(n):
    s.sendto(pkt, (dst, 3784))
PY
dropped_all() { (($(bfd_field packets_dropped) >= n)); }
wait_or_fail 5 "vipd counting the $n packets with hop limit 254" dropped_all
assert_eq "$(bfd_field packets_dropped)" "$n"
assert_eq "$(metric 'vipd_bfd_packets_dropped_total{neighbor="rtr"}')" "$n"
assert_eq "$(bfd_field last_drop)" "ttl: hop limit 254 (255 required)"
# Dropped between BIRD's good packets: one log line, not one per packet.
assert_eq 1 "$(grep -c "BFD packet dropped: ttl: hop limit 254 (255 required)" "$(daemon_log vipd)")" \
    "log lines for $n drops"
assert_eq Up "$(bfd_field state)"
assert_eq "$transitions" "$(bfd_field transitions)" "vipd's BFD transitions across the packets"

# --- 3. a hung node -------------------------------------------------------------------------
log "3. SIGSTOP of vipd"
pid=$(daemon_pid vipd)
_vipd_now_ms
t0=$_VIPD_NOW_MS
kill -STOP "$pid"
on_exit "kill -CONT $pid 2>/dev/null || true"
bird_wait_route_gone rtr vipd "$vip" 5
_vipd_now_ms
log "IPv6 VIP gone from BIRD $((_VIPD_NOW_MS - t0)) ms after SIGSTOP (BFD detection 300 ms, hold 30 s)"
((_VIPD_NOW_MS - t0 < 5000)) || fail "route withdrawn after $((_VIPD_NOW_MS - t0)) ms"
wait_or_fail 3 "BIRD's BGP session down for BFD" bird_error_has "BFD session down"
kill -CONT "$pid"
wait_or_fail 10 "vipd's BFD session Up again" vipd_bfd_is Up
bird_wait_route rtr vipd "$vip" 10
grep -q "closing the BGP session with Cease/10 BFD Down" "$(daemon_log vipd)" ||
    fail "vipd did not close its BGP session for BFD"

stop_daemon vipd
assert_eq "$(daemon_exit_status vipd)" 0
