#!/usr/bin/env bash
# BFD authentication (RFC 5880 §6.7) against a real BIRD 2 in two network namespaces: BIRD uses
# meticulous keyed SHA1; vipd with the wrong key keeps the session Down and says why (vipctl
# shows the drop reason, the log has one line); a reload with the right key (from a file)
# brings BFD Up without touching the BGP session; the key never appears in vipd's output
# (nor in --check-config --print); bad BFD values are refused with their JSON path.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_cmd bird birdc ip

nsv=vbfa-v$$ nsr=vbfa-r$$ me=192.0.2.2 rtr=192.0.2.1
netns_pair "$nsv" "$me" "$nsr" "$rtr"
start_bird_netns "$nsr" rtr "$(bird_conf_global --router-id "$rtr")
protocol bfd {
  interface \"vb*\" {
    min rx interval 100 ms; min tx interval 100 ms; multiplier 3;
    authentication meticulous keyed sha1; password \"right-key\" { id 7; };
  };
}
protocol bgp vipd {
  local $rtr as 65000; neighbor $me as 65001; passive on; hold time 30; bfd on;
  ipv4 { import all; export none; };
}"

keyfile=$VIPD_TEST_DIR/bfd.key
printf 'wrong-key\n' >"$keyfile"
conf=$VIPD_TEST_DIR/vipd.json
write_conf() {
    cat >"$conf" <<JSON
{
  // written by bfd_auth_test.sh
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "local-address": "$me", "remote-as": 65000,
                   "families": ["ipv4"], "hold-time": 30, "connect-retry": "1s",
                   "bfd": { "min-tx": 100, "min-rx": 100, "multiplier": 3,
                            "authentication": { "type": "meticulous-keyed-sha1", "key-id": 7,
                                                "password-file": "$keyfile" } } } ],
  "vips": []
}
JSON
}
write_conf
# The key is never printed; bad values are refused with their JSON path.
printed=$("$VIPD_BINARY_DIR/vipd" --check-config "$conf" --print)
assert_contains "$printed" '"password": "<redacted>"'
[[ $printed != *wrong-key* ]] || fail "--check-config --print shows the BFD key"
sed 's/"multiplier": 3/"multiplier": 0/; s/"key-id": 7/"key-id": 256/' "$conf" >"$VIPD_TEST_DIR/bad.json"
if out=$("$VIPD_BINARY_DIR/vipd" --check-config "$VIPD_TEST_DIR/bad.json" 2>&1); then
    fail "a BFD multiplier 0 was accepted"
fi
assert_contains "$out" "/neighbors/0/bfd/multiplier: expected 1..255, got 0"
assert_contains "$out" "/neighbors/0/bfd/authentication/key-id: expected 0..255, got 256"
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
bfd_field() { ctl --json neighbors rtr | python3 -c "import json,sys; print(json.load(sys.stdin)['neighbor']['bfd']['$1'])"; }
drop_is() { [[ "$(bfd_field last_drop 2>/dev/null)" == "$1" ]]; }
vipd_bfd_is() { [[ "$(bfd_field state 2>/dev/null)" == "$1" ]]; }
bird_bfd_state() { bird_cli rtr show bfd sessions | awk -v a="$me" '$1 == a { print $3 }'; }

start_daemon vipd ip netns exec "$nsv" "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_established rtr vipd 10
wait_or_fail 5 "vipd drops BIRD's packets: digest mismatch" drop_is "auth-failed: digest does not match"
assert_eq "$(bfd_field state)" Down
assert_eq "$(bfd_field authentication)" meticulous-keyed-sha1
assert_ne "$(bird_bfd_state)" Up
ctl neighbors rtr | grep -q "auth-failed: digest does not match" || fail "vipctl neighbors rtr does not say why"
grep -q "BFD packet dropped: auth-failed: digest does not match" "$(daemon_log vipd)" ||
    fail "vipd did not log the mismatch"
((($(grep -c "BFD packet dropped" "$(daemon_log vipd)")) == 1)) || fail "one log line per reason expected"

# The right key on reload: BFD Up on both sides, the BGP session untouched.
since=$(bird_proto_since rtr vipd)
printf 'right-key\n' >"$keyfile"
kill -HUP "$(daemon_pid vipd)"
wait_or_fail 10 "vipd's BFD session Up with the right key" vipd_bfd_is Up
wait_or_fail 5 "BIRD's BFD session Up" bash -c "[[ \$(birdc -s '$(_vipd_bird_sock rtr)' show bfd sessions | awk '\$1 == \"$me\" { print \$3 }') == Up ]]"
bird_assert_same_session rtr vipd "$since" "BIRD's BGP session across the key reload"
bird_is_established rtr vipd || fail "the BGP session did not stay up across the reload"

stop_daemon vipd
assert_eq "$(daemon_exit_status vipd)" 0
! grep -q "right-key\|wrong-key" "$(daemon_log vipd)" || fail "a BFD key appeared in vipd's log"
