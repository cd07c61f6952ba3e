#!/usr/bin/env bash
# Hung-node failover (issue 11): vipd and a BIRD 2 router in two network namespaces joined by a
# veth pair; N times: SIGSTOP vipd, time until BIRD's table no longer holds the VIP, SIGCONT,
# wait until it is back. Once with BFD (INTERVAL ms × 3 both ways), once with the BGP hold timer
# alone (HOLD s), in the same run. Prints p50 / p95 / max per mode. Needs root and bird2.
#   bench/bfd_failover.sh [BUILD_DIR]      N=20 INTERVAL=100 HOLD=3 by default
# The times include the polling of `birdc show route` (every 20 ms), so they are upper bounds.
set -euo pipefail
BUILD=${1:-build/dev}
N=${N:-20} INTERVAL=${INTERVAL:-100} HOLD=${HOLD:-3}
export VIPD_SOURCE_DIR=${VIPD_SOURCE_DIR:-$PWD} VIPD_BINARY_DIR=${VIPD_BINARY_DIR:-$PWD/$BUILD}
export VIPD_DAEMON_MAX_S=$((N * (2 * HOLD + 10) + 120)) VIPD_POLL_S=0.02
. "$VIPD_SOURCE_DIR/tests/integration/lib.sh"
require_cmd bird birdc ip

nsv=bfdb-v$$ nsr=bfdb-r$$ me=192.0.2.2 rtr=192.0.2.1 vip=198.51.100.50/32
netns_pair "$nsv" "$me" "$nsr" "$rtr"
start_bird_netns "$nsr" rtr "$(bird_conf_global --router-id "$rtr")
protocol bfd {
  interface \"vb*\" { min rx interval $INTERVAL ms; min tx interval $INTERVAL ms; multiplier 3; };
}
protocol bgp withbfd { local $rtr as 65000; neighbor $me as 65001; passive on; hold time $HOLD;
  error wait time 1, 2; bfd on; ipv4 { import all; export none; }; }
protocol bgp holdonly { local $rtr as 65000; neighbor 192.0.2.3 as 65001; passive on; hold time $HOLD;
  error wait time 1, 2; ipv4 { import all; export none; }; }"
# The hold-timer node: a second address on vipd's side, its own vipd without BFD.
ip -n "$nsv" addr add 192.0.2.3/24 dev "va$$"

run_vipd() { # NAME ADDR BFD_JSON
    local conf=$VIPD_TEST_DIR/$1.json
    cat >"$conf" <<JSON
{ "global": { "router-id": "$2", "local-as": 65001, "state-dir": "$VIPD_TEST_DIR/$1",
              "control-socket": { "path": "$VIPD_TEST_DIR/$1.sock" }, "startup-grace": "1s" },
  "neighbors": [ { "name": "rtr", "address": "$rtr", "local-address": "$2", "remote-as": 65000,
                   "families": ["ipv4"], "hold-time": $HOLD, "connect-retry": "1s",
                   "export": { "next-hop-v4": "$2" } $3 } ],
  "vips": [ { "name": "web", "prefixes": ["$vip"], "rule": "always()" } ] }
JSON
    start_daemon "$1" ip netns exec "$nsv" "$VIPD_BINARY_DIR/vipd" -c "$conf"
}

trials() { # NAME PROTO: prints one time in ms per trial
    local pid t0 i
    pid=$(daemon_pid "$1")
    for ((i = 0; i < N; i++)); do
        bird_wait_route rtr "$2" "$vip" 30
        # Established for a hold time first: a session that ends sooner counts as a failure
        # and vipd's restart back-off (idle-hold-time doubling) would grow with every trial.
        sleep $((HOLD + 1))
        _vipd_now_ms
        t0=$_VIPD_NOW_MS
        kill -STOP "$pid"
        wait_until $((HOLD + 10)) bash -c "! birdc -s '$(_vipd_bird_sock rtr)' show route $vip protocol $2 | grep -q '$vip'" ||
            { kill -CONT "$pid"; fail "$2: route still there"; }
        _vipd_now_ms
        echo $((_VIPD_NOW_MS - t0))
        kill -CONT "$pid"
    done
}

summary() { # LABEL < times
    sort -n | awk -v l="$1" '{ v[NR] = $1 } END {
        p50 = v[int((NR + 1) / 2)]; i = int(NR * 0.95 + 0.999); if (i > NR) i = NR
        printf "%-28s n=%d p50=%d ms p95=%d ms max=%d ms\n", l, NR, p50, v[i], v[NR] }'
}

run_vipd bfd "$me" ", \"bfd\": { \"min-tx\": $INTERVAL, \"min-rx\": $INTERVAL, \"multiplier\": 3 }"
run_vipd hold 192.0.2.3 ""
bfd_times=$(trials bfd withbfd)
hold_times=$(trials hold holdonly)
{
    echo "SIGSTOP of vipd -> VIP gone from BIRD's table ($N trials each)"
    summary "BFD ${INTERVAL} ms x 3" <<<"$bfd_times"
    summary "hold timer ${HOLD} s" <<<"$hold_times"
}
stop_daemon bfd
stop_daemon hold
