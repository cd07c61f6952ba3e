#!/usr/bin/env bash
# A wall-clock step does not fire or stall vipd's timers (issue 13): vipd runs with its own
# CLOCK_REALTIME stepped by libfaketime (LD_PRELOAD, FAKETIME_DONT_FAKE_MONOTONIC=1: the monotonic
# clock stays true; the machine's clock is never touched; a time namespace cannot do this: it
# offsets only CLOCK_MONOTONIC and CLOCK_BOOTTIME). The clock jumps an hour forward, then two hours
# back. If a BGP timer ran on the wall clock, the forward step would fire the hold timer (vipd
# drops the sessions) and the backward step would stall the keepalives (the routers' hold timers
# expire); if a check timer did, the checks would probe all at once or stop. Through each step,
# for two hold times, the VIPs flip and both routers' tables follow exactly, and no session leaves
# Established. vipd's log timestamps (wall clock) show that the step took effect.
# tests/check_clocks.sh checks the same statically: no timer in the sources uses the wall clock.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/netns_lib.sh"

hold=6 keepalive=2
conf=$VIPD_TEST_DIR/vipd.json
ports=(18301 18302 18303)
faketime_lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
[[ -r $faketime_lib ]] || fail "$faketime_lib missing (Debian package libfaketime; scripts/setup.sh installs it)"

netns_topology
for i in "${!ports[@]}"; do
    netns_model_vip "v$i" "198.51.100.$((70 + i))/32" $((700 + i)) "65001:$((70 + i))" "65001:7:$i" "${ports[i]}"
done
netns_model_vip always 198.51.100.79/32 79 65001:79 65001:7:9 -
netns_check_up "${ports[@]}"
netns_start_flipper flip
netns_start_bird bird0 "$hold"
netns_start_gobgpd gobgp0 "$hold"
netns_write_vipd_conf "$hold" "$conf" "$keepalive"
step=$VIPD_TEST_DIR/faketime
echo "+0" >"$step"
"$VIPD_BINARY_DIR/vipd" --check-config "$conf" >/dev/null
# (ASan wants to be first in the library list; libfaketime only wraps clock calls.)
start_daemon vipd ip netns exec "$NETNS_V" env LD_PRELOAD="$faketime_lib" FAKETIME_TIMESTAMP_FILE="$step" \
    FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$VIPD_BINARY_DIR/vipd" -c "$conf"
vlog=$(daemon_log vipd)
netns_wait_table bird0 30
netns_wait_table gobgp0 30
downs() { grep -c "from=Established" "$vlog" || true; }
before=$(downs)

_more_lines() { (($(wc -l <"$vlog") > $1)); }
# log_offset LINES: seconds between the wall clock vipd logged its last line with and the true one.
log_offset() {
    local last
    netns_flip "${ports[@]}" # something to log
    wait_or_fail 10 "a new line in vipd's log" _more_lines "$1"
    last=$(tail -n 1 "$vlog" | cut -d' ' -f1)
    "$VIPD_PY" -c '
import datetime, sys, time
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
print(round(t.timestamp() - time.time()))' "$last"
}

for offset in +3600 -3600; do
    log "vipd's wall clock steps to $offset s"
    lines=$(wc -l <"$vlog")
    echo "$offset" >"$step"
    off=$(log_offset "$lines")
    awk -v o="$off" -v w="${offset#+}" 'BEGIN { d = o - w; exit !(d > -60 && d < 60) }' ||
        fail "vipd's log is $off s off the true time, not $offset: the step did not take effect"
    flips=$(netns_follow $((2 * hold)) bird0 gobgp0 -- "${ports[@]}")
    log "clock at $offset s (vipd logs $off s off): $flips flips followed exactly over $((2 * hold)) s"
    assert_eq "$before" "$(downs)" "sessions that left Established after the step to $offset s"
done
assert_not_cmd "no hold timer expired" grep -q "hold timer expired" "$vlog"
assert_not_cmd "BIRD saw no hold timer expire" grep -q "Hold timer expired" "$(daemon_log bird0)"
