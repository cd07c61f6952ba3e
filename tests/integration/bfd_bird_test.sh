#!/usr/bin/env bash
# BFD (RFC 5880/5881) against a real BIRD 2 in two network namespaces joined by a veth pair
# (single-hop BFD needs TTL 255 over an interface; loopback cannot show it): the session comes
# Up with BIRD's `bfd on`; `kill -STOP` of vipd (a hung node) makes BIRD drop the VIP on BFD
# detection while the 30 s BGP hold time is far from expired; SIGCONT brings BFD, BGP and the
# VIP back (vipd logs BFD Down and closes its BGP session with Cease/10 BFD Down); stopping vipd
# sends the BGP Cease and then BFD AdminDown: BIRD logs the Cease, and no BFD expiry.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bfd_lib.sh"
require_cmd bird birdc ip

nsv=vbfd-v$$ nsr=vbfd-r$$ me=192.0.2.2 rtr=192.0.2.1 vip=198.51.100.50/32
netns_pair "$nsv" "$me" "$nsr" "$rtr"

start_bird_netns "$nsr" rtr "$(bfd_bird_conf "$rtr" "$rtr" "$me" ipv4)"
conf=$VIPD_TEST_DIR/vipd.json
bfd_vipd_conf "$me" "$rtr" "$me" ipv4 "$vip" >"$conf"
ctl() { bfd_ctl "$@"; }
bfd_field() { bfd_nb_field bfd "$1"; }
bird_bfd_state() { bird_cli rtr show bfd sessions | awk -v a="$me" '$1 == a { print $3 }'; }
bird_bfd_is() { [[ "$(bird_bfd_state)" == "$1" ]]; }
vipd_bfd_is() { [[ "$(bfd_field state 2>/dev/null)" == "$1" ]]; }
bird_error_has() { [[ "$(bird_cli rtr show protocols all vipd)" == *"$1"* ]]; }

start_daemon vipd ip netns exec "$nsv" "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_route rtr vipd "$vip" 10
wait_or_fail 5 "BIRD's BFD session Up" bird_bfd_is Up
wait_or_fail 5 "vipd's BFD session Up" vipd_bfd_is Up
assert_eq "$(bfd_field detection_time_ms)" 300.0
assert_eq "$(bfd_field tx_interval_ms)" 100.0
ctl neighbors rtr | grep -q "bfd:.*Up (single-hop), remote Up" || fail "vipctl neighbors rtr: no BFD Up row"
metrics=$(ip netns exec "$nsv" curl -sf http://127.0.0.1:8080/metrics) || fail "no /metrics"
assert_contains "$metrics" 'vipd_bfd_session_state{neighbor="rtr",state="Up"} 1'
assert_contains "$metrics" 'vipd_bfd_detection_time_seconds{neighbor="rtr"} 0.3'

# A hung node: BIRD must drop the VIP on BFD detection (300 ms), long before the 30 s hold time.
pid=$(daemon_pid vipd)
_vipd_now_ms
t0=$_VIPD_NOW_MS
kill -STOP "$pid"
bird_wait_route_gone rtr vipd "$vip" 5
_vipd_now_ms
log "VIP gone from BIRD $((_VIPD_NOW_MS - t0)) ms after SIGSTOP (BFD detection 300 ms, hold 30 s)"
((_VIPD_NOW_MS - t0 < 5000)) || fail "route withdrawn after $((_VIPD_NOW_MS - t0)) ms"
# (BIRD shows the cause once its BGP protocol has left the stopping state.)
wait_or_fail 3 "BIRD's BGP session down for BFD" bird_error_has "BFD session down"
assert_ne "$(bird_bfd_state)" Up

# Back: vipd sees BFD Down, closes its BGP session with Cease/10, and both come back.
kill -CONT "$pid"
wait_or_fail 10 "vipd's BFD session Up again" vipd_bfd_is Up
bird_wait_route rtr vipd "$vip" 10
grep -q "BFD Up->Down" "$(daemon_log vipd)" || fail "vipd logged no BFD Up->Down"
grep -q "closing the BGP session with Cease/10 BFD Down" "$(daemon_log vipd)" ||
    fail "vipd did not close its BGP session for BFD"

# Stopping: BGP Cease first, then AdminDown. BIRD (debug events) logs "expired" for a session
# that timed out (the SIGSTOP above); after a clean stop there must be no second one (BIRD
# either gets the AdminDown or removes its session when the Cease ends the BGP session).
rlog=$(daemon_log rtr)
assert_eq "$(grep -c "Session to $me expired" "$rlog")" 1
removed=$(grep -c "Session to $me removed" "$rlog")
ceases=$(grep -c "closing the BGP session with Cease/10" "$(daemon_log vipd)")
stop_daemon vipd
assert_eq "$(daemon_exit_status vipd)" 0
# A BFD change while stopping tears nothing down (the session is closing already).
assert_eq "$ceases" "$(grep -c "closing the BGP session with Cease/10" "$(daemon_log vipd)")" \
    "Cease/10 lines after the stop"
wait_or_fail 3 "BIRD's BFD session no longer Up" bash -c "! birdc -s '$(_vipd_bird_sock rtr)' show bfd sessions | grep -q '^$me .* Up '"
# Once BIRD removed the session (its BGP session is down) no expiry can follow.
wait_or_fail 3 "BIRD's BFD session removed" bash -c "(( \$(grep -c 'Session to $me removed' '$rlog') > $removed ))"
assert_eq "$(grep -c "Session to $me expired" "$rlog")" 1
# The AdminDown waited for the Cease: BIRD's BGP reports the shutdown, not "BFD session down".
wait_until 3 bird_error_has "Received: Administrative shutdown" ||
    fail "BIRD's BGP session not ended by the Cease: $(bird_cli rtr show protocols all vipd)"
