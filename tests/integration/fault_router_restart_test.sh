#!/usr/bin/env bash
# Router restarts (issue 13): a real BIRD 2 and a real gobgpd, each in its own network namespace
# (netns_lib.sh), are stopped with SIGTERM (FAULT_RESTARTS times each, default 4; the issue's
# full count is 50) and killed with SIGKILL (FAULT_KILLS times each, default 2; full: 10) and
# started again, while the VIPs flip (the test's TCP listeners checked by vipd go down and up
# before, during and after each restart). After every restart the router's table converges to
# exactly the model (nothing missing, nothing stale, attributes exact), vipd is alive, and the
# other router's session never left Established. Time to reconverge (from the new router
# answering to its table being exact, polls included) is printed as information (median, max).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/netns_lib.sh"

: "${FAULT_RESTARTS:=4}" "${FAULT_KILLS:=2}"
hold=9
conf=$VIPD_TEST_DIR/vipd.json
ports=(18101 18102 18103 18104 18105 18106)

netns_fault_start "$hold" "$conf" 10 99 2 "${ports[@]}"
vlog=$(daemon_log vipd)
declare -A cur=([bird]=bird0 [gobgp]=gobgp0) n=([bird]=0 [gobgp]=0)
netns_wait_table bird0 30
netns_wait_table gobgp0 30

# downs PEER: how many times vipd's session with PEER left Established.
downs() { grep -c "bgp peer=$1 from=Established" "$vlog" || true; }

# restart KIND SIGNAL: stop the router with SIGNAL (VIPs flipping meanwhile), start a new one,
# wait for the exact table; the reconvergence time goes to $VIPD_TEST_DIR/KIND.times.
restart() {
    local kind=$1 sig=$2 other old new t0 other_downs el
    [[ $kind == bird ]] && other=gobgp || other=bird
    old=${cur[$kind]}
    n[$kind]=$((n[$kind] + 1))
    new=$kind${n[$kind]}
    other_downs=$(downs "$other")
    netns_flip "${ports[@]}"
    if [[ $sig == KILL ]]; then
        expect_exit "$old" 137
        kill -KILL "$(daemon_pid "$old")"
    fi
    stop_daemon "$old"
    netns_flip "${ports[@]}"
    if [[ $kind == bird ]]; then netns_start_bird "$new" "$hold"; else netns_start_gobgpd "$new" "$hold"; fi
    t0=$EPOCHREALTIME
    netns_flip "${ports[@]}"
    cur[$kind]=$new
    netns_wait_table "$new" 30
    el=$(netns_elapsed "$t0")
    echo "$el" >>"$VIPD_TEST_DIR/$kind.times"
    log "$kind restart ${n[$kind]} (SIG$sig): table exact ${el}s after the router answered"
    daemon_alive vipd || fail "vipd died"
    netns_wait_table "${cur[$other]}" 30
    assert_eq "$other_downs" "$(downs "$other")" "times the $other session left Established while $kind restarted"
}

for kind in bird gobgp; do
    for ((i = 0; i < FAULT_RESTARTS; i++)); do restart "$kind" TERM; done
    for ((i = 0; i < FAULT_KILLS; i++)); do restart "$kind" KILL; done
done
assert_cmd "BIRD's Cease on SIGTERM reached vipd" grep -q "peer=bird notification=received code=6/" "$vlog"
for kind in bird gobgp; do
    log "$kind: reconvergence after $((FAULT_RESTARTS + FAULT_KILLS)) restarts: $(netns_stats "$VIPD_TEST_DIR/$kind.times") (information, not asserted)"
done
