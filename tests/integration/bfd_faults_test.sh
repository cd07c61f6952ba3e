#!/usr/bin/env bash
# BFD faults against a real BIRD 2 in two network namespaces joined by a veth pair (hold time
# 30 s on both sides, so only BFD can explain a session ending within seconds):
# 1. link cut (vipd's end of the veth down): BFD Down on both sides, vipd closes its BGP session
#    with Cease/10 BFD Down, BIRD drops the VIP; link up: BFD Up, BGP Established, VIP back.
#    1b. silent loss (iptables DROP, no carrier change): the same, and BIRD's BGP session ends
#    for "BFD session down" (in 1 BIRD may also see its carrier go: "Link down").
# 2. `kill -STOP` of BIRD: vipd's BFD expires and it closes its BGP session long before the hold
#    time; SIGCONT: BFD and BGP come back.
# 3. BIRD changes its intervals at run time (`birdc configure`, a Poll sequence): both settle on
#    the new negotiated intervals (vipctl shows them), neither the BFD nor the BGP session resets.
# 4. malformed and hostile packets from BIRD's namespace to vipd's port 3784 (bad version, bad
#    lengths, zero My Discriminator, Detect Mult 0, P+F, M, a well-formed one with TTL 254),
#    each one a "Down" for vipd's session that would take it down if accepted: all dropped (the
#    TTL ones counted for the session in vipctl and the metrics, and logged; the malformed ones,
#    which match no session, counted per reason in vipd_bfd_dropped_packets_total and shown by
#    vipctl status), the session stays Up, vipd runs on.
# 5. multihop (RFC 5883, UDP 4784) between addresses on each namespace's lo, routed over the
#    veth: a neighbor added by a reload comes Up on both sides, the single-hop one untouched.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bfd_lib.sh"
require_cmd bird birdc ip curl iptables

nsv=vbff-v$$ nsr=vbff-r$$ me=192.0.2.2 rtr=192.0.2.1 vip=198.51.100.60/32
netns_pair "$nsv" "$me" "$nsr" "$rtr"
veth_v="va$$" # vipd's end of the pair (netns_pair's naming)
me_lo=10.255.0.2 rtr_lo=10.255.0.1 # part 5 (multihop): on lo of each namespace, routed over the veth

# bird_bgp PROTO LOCAL NEIGHBOR [OPTION]: a passive BGP protocol toward vipd, hold time 30 s, BFD on.
bird_bgp() {
    printf 'protocol bgp %s {\n  local %s as 65000; neighbor %s as 65001; %s\n' "$1" "$2" "$3" "${4:-}"
    printf '  passive on; hold time 30; error wait time 1, 2; bfd on;\n'
    printf '  ipv4 { import all; export none; };\n}\n'
}
# bird_conf MIN_MS MULT: BIRD's config with those single-hop BFD intervals (multihop: 100 ms x 3).
bird_conf() {
    cat <<EOF
$(bird_conf_global --router-id "$rtr")
protocol bfd {
  debug { events };
  interface "vb*" { min rx interval $1 ms; min tx interval $1 ms; multiplier $2; };
  multihop { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
$(bird_bgp vipd "$rtr" "$me")
$(bird_bgp vipd_mh "$rtr_lo" "$me_lo" "multihop 2;")
EOF
}
# (With $rtr_lo added after BIRD started, BIRD 2.0.12's multihop BFD session stayed in Init and
# sent nothing: the addresses come first.)
ip -n "$nsv" addr add "$me_lo/32" dev lo
ip -n "$nsr" addr add "$rtr_lo/32" dev lo
start_bird_netns "$nsr" rtr "$(bird_conf 100 3)"

conf=$VIPD_TEST_DIR/vipd.json
# write_conf [MULTIHOP_NEIGHBOR_JSON]: vipd.json, atomically (a SIGHUP never reads half a file).
write_conf() {
    cat >"$conf.tmp" <<JSON
{
  // written by bfd_faults_test.sh
  $(vipd_conf_global "$me" 1s ', "http-status": "127.0.0.1:8080"'),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "local-address": "$me", "remote-as": 65000,
                   "families": ["ipv4"], "hold-time": 30, "connect-retry": "1s",
                   "idle-hold-time": "1s", "max-idle-hold-time": "1s",
                   "export": { "next-hop-v4": "$me" },
                   "bfd": { "min-tx": 100, "min-rx": 100, "multiplier": 3 } } ${1:-} ],
  "vips": [ { "name": "web", "prefixes": ["$vip"], "rule": "always()" } ]
}
JSON
    mv -f "$conf.tmp" "$conf"
}
write_conf
ctl() { bfd_ctl "$@"; }
nb_field() { bfd_nb_field "$@"; }
vipd_bfd_is() { [[ "$(nb_field bfd state 2>/dev/null)" == "$1" ]]; }
vipd_bgp_established() { [[ "$(nb_field state 2>/dev/null)" == Established ]]; }
vipd_bgp_not_established() { ! vipd_bgp_established; }
bird_bfd_state() { bird_cli rtr show bfd sessions | awk -v a="$me" '$1 == a { print $3 }'; }
bird_bfd_is() { [[ "$(bird_bfd_state)" == "$1" ]]; }
bird_bfd_not_up() { [[ "$(bird_bfd_state)" != Up ]]; }
# bird_bgp_down_for TEXT...: BIRD's BGP session is not Established and its last error is one of TEXT.
bird_bgp_down_for() {
    local out t
    out=$(bird_cli rtr show protocols all vipd) || return 1
    [[ $out != *Established* ]] || return 1
    for t in "$@"; do [[ $out == *"Last error:"*"$t"* ]] && return 0; done
    return 1
}
vlog() { daemon_log vipd; }
count_log() { grep -c -- "$1" "$(vlog)" || true; }
metric() {
    ip netns exec "$nsv" curl -sf http://127.0.0.1:8080/metrics | awk -v m="$1" '$1 == m { print $2 }'
}
elapsed_ms() {
    _vipd_now_ms
    echo $((_VIPD_NOW_MS - $1))
}
all_up() { vipd_bfd_is Up && bird_bfd_is Up && vipd_bgp_established && bird_has_route rtr vipd "$vip"; }

start_daemon vipd ip netns exec "$nsv" "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_route rtr vipd "$vip" 10
wait_or_fail 10 "BFD Up on both sides" all_up

# --- 1. link cut ------------------------------------------------------------------------------
log "1. link cut: $veth_v down in vipd's namespace"
cease0=$(count_log "closing the BGP session with Cease/10 BFD Down")
_vipd_now_ms
t0=$_VIPD_NOW_MS
ip -n "$nsv" link set "$veth_v" down
wait_or_fail 10 "vipd's BFD Down after the link cut" vipd_bfd_is Down
wait_or_fail 10 "vipd's BGP session closed after the link cut" vipd_bgp_not_established
t_bgp=$(elapsed_ms "$t0")
bird_wait_route_gone rtr vipd "$vip" 10
wait_or_fail 10 "BIRD's BFD session not Up" bird_bfd_not_up
# (BIRD's end lost its carrier: its BGP session ends for BFD or for the link, whichever is first.)
wait_until 10 bird_bgp_down_for "BFD session down" "Link down" ||
    fail "BIRD's BGP session not down: $(bird_cli rtr show protocols all vipd | head -n 12)"
log "link cut: vipd's BGP session closed after ${t_bgp} ms, VIP gone from BIRD after $(elapsed_ms "$t0") ms (hold time 30 s)"
((t_bgp < 15000)) || fail "vipd's BGP session closed only after ${t_bgp} ms: not BFD"
assert_eq "$(nb_field bfd local_diag)" "Control Detection Time Expired" "vipd's BFD diagnostic"
(($(count_log "closing the BGP session with Cease/10 BFD Down") > cease0)) ||
    fail "vipd did not close its BGP session for BFD after the link cut"
grep -q "BFD Up->Down diag=Control Detection Time Expired" "$(vlog)" || fail "vipd logged no BFD Up->Down"

log "1. link back up"
ip -n "$nsv" link set "$veth_v" up
wait_or_fail 20 "BFD Up, BGP Established and the VIP back after the link came back" all_up

# --- 1b. silent loss: the path drops everything, no carrier changes ------------------------------
log "1b. silent loss: iptables DROP on $veth_v in vipd's namespace"
ipt() { ip netns exec "$nsv" iptables -w 5 "$@"; }
cease0=$(count_log "closing the BGP session with Cease/10 BFD Down")
_vipd_now_ms
t0=$_VIPD_NOW_MS
ipt -A INPUT -i "$veth_v" -j DROP
ipt -A OUTPUT -o "$veth_v" -j DROP
wait_or_fail 10 "vipd's BFD Down on silent loss" vipd_bfd_is Down
wait_or_fail 10 "vipd's BGP session closed on silent loss" vipd_bgp_not_established
t_bgp=$(elapsed_ms "$t0")
# BIRD has no carrier loss to go by here: only its BFD can end its BGP session this soon.
wait_until 10 bird_bgp_down_for "BFD session down" ||
    fail "BIRD's BGP session not down for BFD: $(bird_cli rtr show protocols all vipd | head -n 12)"
bird_wait_route_gone rtr vipd "$vip" 10
log "silent loss: vipd's BGP session closed after ${t_bgp} ms, BIRD's for BFD after $(elapsed_ms "$t0") ms (hold time 30 s)"
((t_bgp < 15000)) || fail "vipd's BGP session closed only after ${t_bgp} ms: not BFD"
(($(count_log "closing the BGP session with Cease/10 BFD Down") > cease0)) ||
    fail "vipd did not close its BGP session for BFD on silent loss"
ipt -D INPUT -i "$veth_v" -j DROP
ipt -D OUTPUT -o "$veth_v" -j DROP
wait_or_fail 20 "BFD Up, BGP Established and the VIP back after the loss ended" all_up

# --- 2. kill -STOP of BIRD -------------------------------------------------------------------
log "2. SIGSTOP of BIRD"
bpid=$(daemon_pid rtr)
cease0=$(count_log "closing the BGP session with Cease/10 BFD Down")
_vipd_now_ms
t0=$_VIPD_NOW_MS
kill -STOP "$bpid"
on_exit "kill -CONT $bpid 2>/dev/null"
wait_or_fail 10 "vipd's BFD Down with BIRD stopped" vipd_bfd_is Down
wait_or_fail 10 "vipd's BGP session closed with BIRD stopped" \
    bash -c "(( \$(grep -c 'closing the BGP session with Cease/10 BFD Down' '$(vlog)') > $cease0 ))"
t_bgp=$(elapsed_ms "$t0")
log "BIRD stopped: vipd closed its BGP session after ${t_bgp} ms (detection 300 ms, hold 30 s)"
((t_bgp < 15000)) || fail "vipd closed its BGP session only after ${t_bgp} ms: not BFD"
assert_eq "$(nb_field bfd local_diag)" "Control Detection Time Expired" "vipd's BFD diagnostic"
kill -CONT "$bpid"
wait_or_fail 20 "BFD Up, BGP Established and the VIP back after SIGCONT" all_up

# --- 3. BIRD changes its intervals (Poll/Final) ----------------------------------------------
log "3. BIRD's BFD to 200 ms x 5 (birdc configure)"
wait_or_fail 10 "vipd's BGP session stable before the change" \
    bash -c "[[ \$(birdc -s '$(_vipd_bird_sock rtr)' show protocols vipd) == *Established* ]]"
since=$(bird_proto_since rtr vipd)
transitions=$(nb_field bfd transitions)
established=$(nb_field established_count)
dir=$(daemon_dir rtr)
bird_conf 200 5 >"$dir/bird.conf.new"
out=$(bird -p -c "$dir/bird.conf.new" 2>&1) || fail "BIRD rejects the new config: $out"
mv "$dir/bird.conf.new" "$dir/bird.conf"
out=$(bird_cli rtr configure) || fail "birdc configure: $out"
assert_contains "$out" "Reconfigured"
negotiated() {
    [[ "$(nb_field bfd remote_multiplier)" == 5 && "$(nb_field bfd tx_interval_ms)" == 200.0 &&
        "$(nb_field bfd detection_time_ms)" == 1000.0 ]]
}
wait_or_fail 10 "vipd on BIRD's new intervals (tx 200 ms, detection 5 x 200 ms)" negotiated
wait_or_fail 10 "BIRD sending every 200 ms" \
    bash -c "birdc -s '$(_vipd_bird_sock rtr)' show bfd sessions | awk '\$1 == \"$me\" { exit !(\$3 == \"Up\" && \$(NF - 1) == \"0.200\") }'"
assert_eq "$transitions" "$(nb_field bfd transitions)" "vipd's BFD transitions across the interval change"
assert_eq Up "$(nb_field bfd state)"
bird_assert_same_session rtr vipd "$since" "BIRD's BGP session (since) across the interval change"
assert_eq "$established" "$(nb_field established_count)" "vipd's establishments"
metrics=$(ip netns exec "$nsv" curl -sf http://127.0.0.1:8080/metrics) || fail "no /metrics"
assert_contains "$metrics" 'vipd_bfd_detection_time_seconds{neighbor="rtr"} 1'

# --- 4. malformed and hostile packets --------------------------------------------------------
log "4. malformed and hostile BFD packets to $me:3784"
transitions=$(nb_field bfd transitions)
since=$(bird_proto_since rtr vipd)
dropped0=$(nb_field bfd packets_dropped)
mdropped0=$(metric 'vipd_bfd_packets_dropped_total{neighbor="rtr"}')
# no_session_drops: "REASON COUNT" per line, vipd_bfd_dropped_packets_total (packets of no session).
no_session_drops() {
    ip netns exec "$nsv" curl -sf http://127.0.0.1:8080/metrics |
        sed -nE 's/^vipd_bfd_dropped_packets_total\{reason="([a-z-]+)"\} ([0-9]+)$/\1 \2/p'
}
declare -A nsd0
while read -r reason count; do nsd0[$reason]=$count; done < <(no_session_drops)
((${#nsd0[@]} == 13)) || fail "vipd_bfd_dropped_packets_total: ${#nsd0[@]} reasons, 13 expected"
ttl_drops=5
cat >"$VIPD_TEST_DIR/hostile.py" <<'PY'
# Each packet says "Down" to vipd's session (Your Discriminator = vipd's, My Discriminator =
# BIRD's): accepted, it would take the session Down (RFC 5880 §6.8.6). Only one defect each.
import socket, struct, sys
dst, src, vipd_disc, bird_disc, ttl_drops = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
def pkt(vers=1, flags=0x40, mult=3, length=24, my=bird_disc, your=vipd_disc, size=24):
    # flags: State Down (1 << 6) plus P (0x20) / F (0x10) / M (0x01) bits
    b = struct.pack("!BBBBIIIII", (vers << 5), flags, mult, length, my, your, 100000, 100000, 0)
    return (b + bytes(64))[:size]
def send(payload, ttl=255, n=1):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    s.bind((src, 0))
    for _ in range(n):
        s.sendto(payload, (dst, 3784))
    s.close()
send(pkt(vers=0))                    # bad version
send(pkt(vers=2))
send(pkt(length=23))                 # Length under 24
send(pkt(length=40))                 # Length beyond the payload
send(pkt(size=20))                   # truncated datagram
send(pkt(length=30, size=30))        # Length over 24 without the A bit
send(pkt(my=0))                      # zero My Discriminator
send(pkt(mult=0))                    # Detect Mult 0
send(pkt(flags=0x40 | 0x30))         # Poll and Final together
send(pkt(flags=0x40 | 0x01))         # Multipoint
send(pkt(flags=0xc0, your=0))        # Up with Your Discriminator zero
send(b"")                            # empty datagram
send(pkt(), ttl=254, n=ttl_drops)    # well-formed, but one hop further away (RFC 5881 §5)
PY
ip netns exec "$nsr" "$VIPD_PY" "$VIPD_TEST_DIR/hostile.py" "$me" "$rtr" \
    "$(nb_field bfd local_discriminator)" "$(nb_field bfd remote_discriminator)" "$ttl_drops"
# The TTL packets went last over the same path: once they are counted, every packet was read.
wait_or_fail 10 "vipd counting the TTL 254 packets" \
    bash -c "(( \$('$VIPD_BINARY_DIR/vipctl' -s '$VIPD_TEST_DIR/vipd.sock' --json neighbors rtr |
        '$VIPD_PY' -c 'import json,sys; print(json.load(sys.stdin)[\"neighbor\"][\"bfd\"][\"packets_dropped\"])') >= $dropped0 + $ttl_drops ))"
grep -q "BFD packet dropped: ttl: TTL 254 (255 required)" "$(vlog)" || fail "vipd did not log the TTL 254 drop"
# The malformed ones match no session: logged once per new reason, naming the sender.
grep -q "BFD packet of no session dropped: bad-version: from $rtr: version is not 1" "$(vlog)" ||
    fail "vipd did not log the bad-version drop"
mdropped=$(metric 'vipd_bfd_packets_dropped_total{neighbor="rtr"}')
((mdropped >= mdropped0 + ttl_drops)) ||
    fail "vipd_bfd_packets_dropped_total went from $mdropped0 to $mdropped, $ttl_drops TTL drops expected"
# Every malformed packet counted once under its reason (RFC 5880 §6.8.6), nothing else moved.
declare -A want=([bad-version]=2 [bad-length]=5 [zero-detect-mult]=1 [multipoint]=1
    [zero-my-discriminator]=1 [zero-your-discriminator]=1 [poll-and-final]=1)
while read -r reason count; do
    assert_eq "$((${nsd0[$reason]} + ${want[$reason]:-0}))" "$count" \
        "vipd_bfd_dropped_packets_total{reason=\"$reason\"} after the hostile packets"
done < <(no_session_drops)
out=$(ctl status)
[[ $out == *"BFD packets of no session dropped: "*"bad-version 2"* ]] ||
    fail "vipctl status does not show the BFD packets of no session: $out"
assert_cmd "vipd still running" daemon_alive vipd
assert_eq Up "$(nb_field bfd state)" "vipd's BFD state after the hostile packets"
assert_eq "$transitions" "$(nb_field bfd transitions)" "vipd's BFD transitions across the hostile packets"
assert_eq Up "$(bird_bfd_state)" "BIRD's BFD state after the hostile packets"
bird_assert_same_session rtr vipd "$since" "BIRD's BGP session across the hostile packets"
bird_has_route rtr vipd "$vip" || fail "the VIP left BIRD's table"
# Dropped between BIRD's good packets, the TTL ones are logged once, not once per packet.
assert_eq 1 "$(count_log "BFD packet dropped: ttl: TTL 254")" "log lines for $ttl_drops TTL drops"

# --- 5. multihop (RFC 5883, UDP 4784) ---------------------------------------------------------
# (Not on 127.0.0.x: vipd binds UDP *:4784 without SO_REUSEADDR, so a BIRD in its namespace could
# not bind port 4784.)
log "5. multihop BFD: $me_lo <-> $rtr_lo, a neighbor added by a reload"
# (The link cut of part 1 removed the routes over the veth.)
ip -n "$nsv" route replace "$rtr_lo/32" via "$rtr"
ip -n "$nsr" route replace "$me_lo/32" via "$me"
write_conf ', { "name": "mh", "address": "'"$rtr_lo"'", "local-address": "'"$me_lo"'",
                 "remote-as": 65000, "multihop": 2, "families": ["ipv4"], "hold-time": 30,
                 "connect-retry": "1s", "bfd": { "min-tx": 100, "min-rx": 100, "multiplier": 3 } }'
"$VIPD_BINARY_DIR/vipd" --check-config "$conf" >/dev/null || fail "vipd rejects the multihop config"
since=$(bird_proto_since rtr vipd)
kill -HUP "$(daemon_pid vipd)"
mh_field() { ctl --json neighbors mh | "$VIPD_PY" -c "import json,sys; print(json.load(sys.stdin)['neighbor']['bfd']['$1'])"; }
wait_or_fail 15 "vipd's multihop BFD session Up" bash -c "[[ \$('$VIPD_BINARY_DIR/vipctl' -s '$VIPD_TEST_DIR/vipd.sock' --json neighbors mh |
    '$VIPD_PY' -c 'import json,sys; print(json.load(sys.stdin)[\"neighbor\"][\"bfd\"][\"state\"])' 2>/dev/null) == Up ]]"
assert_eq True "$(mh_field multihop)" "vipd's mh session is multihop"
wait_or_fail 10 "BIRD's multihop BFD session Up" \
    bash -c "birdc -s '$(_vipd_bird_sock rtr)' show bfd sessions | awk '\$1 == \"$me_lo\" { f = (\$3 == \"Up\") } END { exit !f }'"
bird_wait_established rtr vipd_mh 15
bird_assert_same_session rtr vipd "$since" "the single-hop session across the reload"
ctl neighbors mh | grep -q "bfd:.*Up (multihop)" || fail "vipctl neighbors mh: no multihop BFD Up row: $(ctl neighbors mh)"

stop_daemon vipd
assert_eq "$(daemon_exit_status vipd)" 0
