#!/usr/bin/env bash
# Loopback addresses vipd did not add are never removed (issue 12). In a network namespace the
# test creates (root only: skipped otherwise; the machine's own lo is never touched), lo holds
# 192.0.2.10/32 and 2001:db8::10/128 before vipd starts, equal to the prefixes of VIP "pre";
# VIP "own" has addresses only vipd adds. Shows, for "mode": "follow" and "static": the
# operator's addresses survive withdraw, reload and vipd's exit and are reported once; vipd's
# own addresses are removed at withdraw (follow), at a reload to follow, and at exit (both).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ns="vipdown$$"
netns_new "$ns"
ip -n "$ns" addr add 192.0.2.10/32 dev lo
ip -n "$ns" addr add 2001:db8::10/128 dev lo

# config MODE RULE_OF_OWN STATE_DIR
config() {
    cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  "global": { "router-id": "192.0.2.1", "local-as": 65001, "state-dir": "$VIPD_TEST_DIR/$3",
              "control-socket": { "path": "$VIPD_TEST_DIR/vipd.sock" }, "startup-grace": "0s",
              "loopback": { "enabled": true, "interface": "lo", "mode": "$1" } },
  "neighbors": [],
  "vips": [ { "name": "pre", "prefixes": ["192.0.2.10/32", "2001:db8::10/128"], "rule": "always()",
              "drain": { "time": "1s" } },
            { "name": "own", "prefixes": ["192.0.2.20/32", "2001:db8::20/128"], "rule": "$2",
              "drain": { "time": "1s" } } ]
}
JSON
}
ctl() { ip netns exec "$ns" "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
# (Not `ip ... | grep -q`: with pipefail, grep quitting early can make ip die of SIGPIPE.)
has_addr() { grep -q "inet6\? $1 " <<<"$(ip -n "$ns" addr show dev lo)"; }
lacks_addr() { ! has_addr "$1"; }
operator_addrs_kept() {
    has_addr 192.0.2.10/32 || fail "the operator's 192.0.2.10/32 was removed ($1)"
    has_addr 2001:db8::10/128 || fail "the operator's 2001:db8::10/128 was removed ($1)"
}
# notices NAME PREFIX: how many times NAME's log says PREFIX was present before vipd.
notices() { grep -c "$2 on lo was present before vipd; it is left in place" "$(daemon_log "$1")" || true; }

log "mode follow"
config follow "always()" state1
start_daemon follow ip netns exec "$ns" "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
wait_or_fail 10 "192.0.2.20 added by vipd" has_addr 192.0.2.20/32
wait_or_fail 10 "2001:db8::20 added by vipd" has_addr 2001:db8::20/128
wait_or_fail 10 "the notice for 192.0.2.10/32" test "$(notices follow 192.0.2.10/32)" = 1
wait_or_fail 10 "the notice for 2001:db8::10/128" test "$(notices follow 2001:db8::10/128)" = 1

ctl drain pre >/dev/null
ctl drain own >/dev/null
wait_or_fail 10 "vipd's 192.0.2.20 removed at withdraw" lacks_addr 192.0.2.20/32
wait_or_fail 10 "vipd's 2001:db8::20 removed at withdraw" lacks_addr 2001:db8::20/128
wait_or_fail 10 "VIP pre withdrawn" grep -q "vip=pre from=draining to=drained" "$(daemon_log follow)"
operator_addrs_kept "withdraw, follow"

ctl undrain --all >/dev/null
wait_or_fail 10 "192.0.2.20 back after undrain" has_addr 192.0.2.20/32
wait_or_fail 10 "VIP pre announced again" bash -c "[ \$(grep -c 'vip=pre from=drained' '$(daemon_log follow)') -ge 1 ]"
stop_daemon follow
assert_eq 0 "$(daemon_exit_status follow)" "vipd exit status"
lacks_addr 192.0.2.20/32 || fail "vipd's 192.0.2.20/32 left on lo after exit (follow)"
lacks_addr 2001:db8::20/128 || fail "vipd's 2001:db8::20/128 left on lo after exit (follow)"
operator_addrs_kept "exit, follow"
assert_eq 1 "$(notices follow 192.0.2.10/32)" "notices for 192.0.2.10/32 (once per address)"
assert_eq 1 "$(notices follow 2001:db8::10/128)" "notices for 2001:db8::10/128"

log "mode static: own is never announced, its addresses are there from start to exit"
config static "never()" state2
start_daemon static ip netns exec "$ns" "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
wait_or_fail 10 "192.0.2.20 added at start" has_addr 192.0.2.20/32
wait_or_fail 10 "2001:db8::20 added at start" has_addr 2001:db8::20/128
wait_or_fail 10 "the notice for 192.0.2.10/32" test "$(notices static 192.0.2.10/32)" = 1
ctl drain pre >/dev/null
wait_or_fail 10 "VIP pre withdrawn" grep -q "vip=pre from=draining to=drained" "$(daemon_log static)"
operator_addrs_kept "withdraw, static"
has_addr 192.0.2.20/32 || fail "static: 192.0.2.20/32 removed while vipd runs"

log "reload static -> follow -> static"
config follow "never()" state2
ctl reload >/dev/null
wait_or_fail 10 "a reload to follow removes vipd's unannounced 192.0.2.20" lacks_addr 192.0.2.20/32
operator_addrs_kept "reload to follow"
config static "never()" state2
ctl reload >/dev/null
wait_or_fail 10 "a reload to static adds 192.0.2.20 again" has_addr 192.0.2.20/32
operator_addrs_kept "reload to static"
grep -q "global settings need a restart" "$(daemon_log static)" &&
    fail "a loopback mode change asked for a restart"

stop_daemon static
assert_eq 0 "$(daemon_exit_status static)" "vipd exit status"
lacks_addr 192.0.2.20/32 || fail "vipd's 192.0.2.20/32 left on lo after exit (static)"
lacks_addr 2001:db8::20/128 || fail "vipd's 2001:db8::20/128 left on lo after exit (static)"
operator_addrs_kept "exit, static"
assert_eq 1 "$(notices static 192.0.2.10/32)" "notices for 192.0.2.10/32 (static)"
