#!/usr/bin/env bash
# vipd's own faults (issue 13), with a real BIRD 2 and a real gobgpd, each in its own network
# namespace (netns_lib.sh). After every case both routers' tables are compared with the model:
# nothing missing, nothing stale, attributes exact.
# - SIGKILL of vipd (with a VIP drained and a check disabled): the kernel closes its TCP
#   sessions, both routers drop the routes at once; a new vipd brings the exact table back, the
#   drain and the disabled check restored from the state directory.
# - SIGSTOP (a hung node): the routers keep the routes until their hold timer expires (seen
#   shortly before the expiry, gone after it); SIGCONT: the session recovers or is re-established
#   with the exact table.
# - SIGTERM: the routes are gone from the routers within a second (no waiting for a hold timer).
# - A SIGHUP storm (FAULT_HUPS, 100) while the checks flip and the file changes: the final state
#   is right, vipd is alive and its sessions never went down.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/netns_lib.sh"

: "${FAULT_HUPS:=100}"
hold=6 keepalive=1 # the SIGSTOP case: the routers' hold timers expire 5..6 s after the stop
conf=$VIPD_TEST_DIR/vipd.json

netns_topology
for i in 1 2 3 4; do
    netns_model_vip "v$i" "198.51.100.$i/32" $((100 + i)) "65001:$i" "65001:1:$i" $((18000 + i))
done
netns_model_vip always 198.51.100.9/32 9 65001:9 65001:1:9 -
netns_check_up 18001 18002 18003 18004
netns_start_flipper flip
netns_start_bird bird0 "$hold"
netns_start_gobgpd gobgp0 "$hold"
netns_write_vipd_conf "$hold" "$conf" "$keepalive"
netns_start_vipd vipd1 "$conf"
netns_wait_table bird0 30
netns_wait_table gobgp0 30

log "drain v3 and disable check c18004 (v4): kept in the state directory"
netns_ctl drain v3 >/dev/null
netns_ctl disable c18004 >/dev/null
netns_hold_vip v3 v4
netns_wait_table bird0 20
netns_wait_table gobgp0 20

log "SIGKILL: the kernel closes the sessions, the routers drop the routes at once"
expect_exit vipd1 137
t0=$EPOCHREALTIME
kill -KILL "$(daemon_pid vipd1)"
netns_wait_table_empty bird0 10
netns_wait_table_empty gobgp0 10
# BIRD's session left Established when the kernel closed it: its uptime counts from then (vipd is
# dead, nothing changes it until the restart). Read first, then the time since SIGKILL: the
# difference can only overstate the delay.
up=$(bird_proto_uptime bird0 vipd)
down=$(awk -v e="$(netns_elapsed "$t0")" -v u="$up" 'BEGIN { printf "%.3f", e - u }')
log "BIRD's session went down ${down}s after SIGKILL (at most); routes gone from both routers $(netns_elapsed "$t0") s after, polls included (hold time $hold s)"
awk -v d="$down" -v h="$hold" 'BEGIN { exit !(d < h / 3) }' ||
    fail "BIRD's session went down ${down}s after SIGKILL: not the kernel closing it (hold time $hold s)"
stop_daemon vipd1
netns_check_down 18002
netns_start_vipd vipd2 "$conf"
# The first table after the restart: v3 still drained, v4's check still disabled (state dir).
netns_wait_table bird0 20
netns_wait_table gobgp0 20
status=$(netns_ctl status)
assert_match "$status" "v3 +drained" "vipctl status: v3 drained after the restart"
assert_contains "$(netns_ctl checks)" "disabled" "vipctl checks: c18004 disabled after the restart"
assert_not_cmd "v3 announced by the restarted vipd" grep -q "vip=v3 .*to=announced" "$(daemon_log vipd2)"
assert_not_cmd "v4 announced by the restarted vipd" grep -q "vip=v4 .*to=announced" "$(daemon_log vipd2)"
netns_ctl undrain v3 >/dev/null
netns_ctl enable c18004 >/dev/null
netns_release_vip v3 v4
netns_wait_table bird0 20
netns_wait_table gobgp0 20

log "SIGSTOP: the routes stay until the hold timer, then go"
pid=$(daemon_pid vipd2)
on_exit "kill -CONT $pid 2>/dev/null || true"
t0=$EPOCHREALTIME
kill -STOP "$pid"
netns_wait_table_empty bird0 $((hold + 15))
netns_wait_table_empty gobgp0 $((hold + 15))
# The tables were exact just before the stop. BIRD removes the routes when the session goes
# down; when its hold timer expired (the cause), by its own log (the polls above cost seconds on
# a loaded machine): the timer started at vipd's last KEEPALIVE, at most $keepalive s before the stop.
down=$(netns_bird_log_after bird0 "vipd: Error: Hold timer expired" "$t0")
log "BIRD's hold timer expired ${down}s after SIGSTOP (hold $hold s, keepalive $keepalive s)"
# (At least hold/2: a loaded machine can delay vipd's last KEEPALIVEs before the stop.)
awk -v d="$down" -v lo=$((hold / 2)) -v hi=$((hold + 1)) 'BEGIN { exit !(d >= lo && d <= hi) }' ||
    fail "BIRD's hold timer expired ${down}s after SIGSTOP: want ${hold}/2..$((hold + 1)) s (hold $hold s)"
wait_or_fail 10 "gobgpd's hold timer expiry" grep -q "hold-timer-expired" "$(daemon_log gobgp0)"
kill -CONT "$pid"
netns_wait_table bird0 20
netns_wait_table gobgp0 20
daemon_alive vipd2 || fail "vipd died after SIGCONT"

log "SIGTERM: routes gone within a second"
t0=$EPOCHREALTIME
kill -TERM "$pid"
netns_wait_table_empty bird0 10
netns_wait_table_empty gobgp0 10
down=$(netns_bird_log_after bird0 "vipd: Received: Administrative shutdown" "$t0")
log "BIRD received the Cease (and dropped the session and its routes) ${down}s after SIGTERM; both tables empty $(netns_elapsed "$t0") s after, polls included"
awk -v d="$down" 'BEGIN { exit !(d >= 0 && d < 1.0) }' || fail "BIRD received the Cease ${down}s after SIGTERM (want < 1 s)"
wait_or_fail 10 "vipd to exit after SIGTERM" bash -c "! kill -0 $pid 2>/dev/null"
stop_daemon vipd2
assert_eq 0 "$(daemon_exit_status vipd2)" "vipd's exit status after SIGTERM"
assert_contains "$(bird_last_error bird0 vipd)" "Administrative shutdown" "BIRD's last error after SIGTERM"

log "SIGHUP storm ($FAULT_HUPS) while the checks flip and the file changes"
netns_check_up 18002
netns_start_vipd vipd3 "$conf"
netns_wait_table bird0 20
netns_wait_table gobgp0 20
vlog=$(daemon_log vipd3)
downs=$(grep -c "from=Established" "$vlog" || true)
pid=$(daemon_pid vipd3)
for ((i = 1; i <= FAULT_HUPS; i++)); do
    if ((i % 10 == 0)); then
        # Change v1's MED in the file every tenth signal, atomically; the last write wins.
        sed -i "s/^v1 198.51.100.1\/32 [0-9]* /v1 198.51.100.1\/32 $((1000 + i)) /" "$NETNS_MODEL"
        netns_write_vipd_conf "$hold" "$conf" "$keepalive"
    fi
    case $((i % 7)) in
    0) netns_check_down 18003 ;;
    3) netns_check_up 18003 ;;
    5) netns_check_down 18004 ;;
    6) netns_check_up 18004 ;;
    esac
    kill -HUP "$pid"
done
netns_check_down 18004
daemon_alive vipd3 || fail "vipd died in the SIGHUP storm"
netns_wait_table bird0 20
netns_wait_table gobgp0 20
assert_eq "$downs" "$(grep -c "from=Established" "$vlog" || true)" "sessions that left Established during the storm"
assert_contains "$(netns_ctl status)" "v1" "vipctl status after the storm"
kill -0 "$pid" || fail "vipd gone after the storm"
