#!/usr/bin/env bash
# BFD strict mode (`neighbors[].bfd.strict`, the behaviour of draft-ietf-idr-bgp-bfd-strict-mode)
# against a real BIRD 2 in two network namespaces joined by a veth pair. BIRD is passive and
# accepts BGP without BFD, so only vipd's strict mode can keep the session down:
# 1. BIRD runs no BFD session for vipd (`bfd off`): vipd sends BFD (slow, 1 s), gets no answer,
#    never opens its BGP session (BIRD never sees it Established), and `vipctl neighbors` says
#    it waits for BFD.
# 2. BIRD's `bfd on` (`birdc configure`): BFD Up, then BGP Established, the VIP in BIRD.
# 3. BFD alone cut (iptables drops UDP 3784 in vipd's namespace; TCP still flows): BFD Down,
#    vipd closes its BGP session with Cease/10 and holds it down while BFD is Down; BFD back:
#    BGP Established again, the VIP back.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bfd_lib.sh"
require_cmd bird birdc ip iptables

nsv=vbfs-v$$ nsr=vbfs-r$$ me=192.0.2.2 rtr=192.0.2.1 vip=198.51.100.70/32
netns_pair "$nsv" "$me" "$nsr" "$rtr"

# bird_conf on|off: BIRD's BGP protocol with BFD on, or off (BIRD's BFD protocol runs but
# holds no session for vipd, so vipd's BFD packets get no answer).
bird_conf() { bfd_bird_conf "$rtr" "$rtr" "$me" ipv4 | sed "s/^  bfd on;/  bfd $1;/"; }
start_bird_netns "$nsr" rtr "$(bird_conf off)"

conf=$VIPD_TEST_DIR/vipd.json
bfd_vipd_conf "$me" "$rtr" "$me" ipv4 "$vip" ', "strict": true' >"$conf"
ctl() { bfd_ctl "$@"; }
nb_field() { bfd_nb_field "$@"; }
vipd_bfd_is() { [[ "$(nb_field bfd state 2>/dev/null)" == "$1" ]]; }
waiting_for_bfd() { [[ "$(nb_field waiting_for_bfd 2>/dev/null)" == True ]]; }
bfd_sent_over() { (($(nb_field bfd packets_sent) > $1)); }
bird_not_established() { [[ "$(bird_cli rtr show protocols vipd)" != *Established* ]]; }
vipd_bgp_not_established() { [[ "$(nb_field state 2>/dev/null)" != Established ]]; }
all_up() {
    vipd_bfd_is Up && [[ "$(nb_field state)" == Established ]] && bird_has_route rtr vipd "$vip"
}
# held_while_sent N: strict mode holds BGP while vipd sends N more BFD packets (1 s apart while
# BFD is not Up): a session that was not held would have been Established meanwhile (connect
# retry 1 s, BIRD accepts it). Checked at every poll, not once at the end.
held_while_sent() {
    local sent0 end limit=$((SECONDS + 10))
    sent0=$(nb_field bfd packets_sent)
    end=$((sent0 + $1))
    while ! bfd_sent_over "$end"; do
        ((SECONDS < limit)) || fail "vipd sent no $1 BFD packets in 10 s"
        vipd_bgp_not_established || fail "vipd's BGP session Established while BFD is $(nb_field bfd state)"
        bird_not_established || fail "BIRD's BGP session Established while vipd's BFD is not Up"
        sleep "$VIPD_POLL_S"
    done
}

# --- 1. no BFD at the router ------------------------------------------------------------------
start_daemon vipd ip netns exec "$nsv" "$VIPD_BINARY_DIR/vipd" -c "$conf"
wait_or_fail 10 "vipctl saying vipd waits for BFD" waiting_for_bfd
held_while_sent 2
assert_eq "$(nb_field established_count)" 0
out=$(ctl neighbors rtr)
assert_match "$out" "next attempt: +when BFD is Up \(bfd strict"
out=$(ctl neighbors)
assert_match "$out" "next attempt: +when BFD is Up"
grep -q "BGP session held until BFD is Up (bfd strict)" "$(daemon_log vipd)" ||
    fail "vipd did not log why its BGP session waits"

# --- 2. BFD on at the router ------------------------------------------------------------------
log "2. BIRD's BFD on"
# (lib.sh's bird_reconfigure is for loopback routers; this one is in the test's namespace.)
dir=$(daemon_dir rtr)
bird_conf on >"$dir/bird.conf.new"
out=$(bird -p -c "$dir/bird.conf.new" 2>&1) || fail "BIRD rejects the new config: $out"
mv "$dir/bird.conf.new" "$dir/bird.conf"
out=$(bird_cli rtr configure) || fail "birdc configure: $out"
assert_contains "$out" "Reconfigured"
wait_or_fail 15 "BFD Up, BGP Established and the VIP in BIRD" all_up
assert_eq "$(nb_field waiting_for_bfd)" False
assert_eq "$(nb_field established_count)" 1

# --- 3. BFD alone cut -------------------------------------------------------------------------
log "3. UDP 3784 dropped in vipd's namespace (TCP still flows)"
ipt() { ip netns exec "$nsv" iptables -w 5 "$@"; }
ipt -A INPUT -p udp --dport 3784 -j DROP
wait_or_fail 10 "vipd's BFD Down" vipd_bfd_is Down
wait_or_fail 10 "vipd's BGP session closed" vipd_bgp_not_established
wait_or_fail 10 "vipctl saying vipd waits for BFD" waiting_for_bfd
grep -q "closing the BGP session with Cease/10 BFD Down (RFC 9384), restarted when BFD is Up again" \
    "$(daemon_log vipd)" || fail "vipd did not close its BGP session for BFD"
wait_or_fail 10 "BIRD's BGP session down" bird_not_established
held_while_sent 2
assert_eq "$(nb_field established_count)" 1
ipt -D INPUT -p udp --dport 3784 -j DROP
wait_or_fail 15 "BFD Up, BGP Established and the VIP back" all_up
assert_eq "$(nb_field established_count)" 2

stop_daemon vipd
assert_eq "$(daemon_exit_status vipd)" 0
