#!/usr/bin/env bash
# vipd as a speaker plugin for the shared BGP bench harness (../shared/bench, README "Speaker
# plugin interface"). Run it beside the stock speakers in one invocation:
#   sudo ../shared/bench/run-anchors.sh bench/speakers/vipd.sh gobgp bird
# (bench/speaker-bench.sh builds vipd in Release and does exactly that).
# Preload: the prefixes of BENCH_PREFIX_FILE are one VIP with rule always() in the config file,
# so they are announced as soon as the session is Established. Runtime API: vipctl (a fresh
# process per call) over the control socket; announce-file = `vipctl announce --file`.
# VIPD_API=held (speakers/vipd-held.sh): announce/withdraw go as lines into a FIFO read by one
# persistent client (vipd_held.py) that holds one control connection, as gobgp-grpc does.
set -u
# The harness asks for `version` and `features` without BENCH_ROOT or a session directory.
if [ -n "${BENCH_ROOT:-}" ]; then
    . "$BENCH_ROOT/lib/common.sh"
elif [ "${1:-}" != version ] && [ "${1:-}" != features ]; then
    echo "${0##*/}: BENCH_ROOT is not set (run it through ../shared/bench/run-anchors.sh)" >&2
    exit 1
fi
D="${BENCH_SPK_DIR:-}"
# No $(...) here: every call of the plugin pays for its own start-up (the harness's "dispatch").
HERE=.
[[ ${BASH_SOURCE[0]} == */* ]] && HERE=${BASH_SOURCE[0]%/*}
BIN_DIR="${VIPD_BIN_DIR:-$HERE/../../build/release}"
VIPD="$BIN_DIR/vipd"
VIPCTL="$BIN_DIR/vipctl"
PIDF="$D/vipd.pid"
SOCK="$D/vipd.sock"
API="${VIPD_API:-vipctl}"
CPIDF="$D/held-client.pid"
FIFO="$D/api.fifo"

write_config() {
    local vips="" prefixes
    if [ -n "${BENCH_PREFIX_FILE:-}" ] && [ -s "$BENCH_PREFIX_FILE" ]; then
        prefixes=$("$BENCH_PY" -c 'import json,sys; print(json.dumps([l.strip() for l in open(sys.argv[1]) if l.strip()]))' "$BENCH_PREFIX_FILE")
        vips="{ \"name\": \"bench\", \"prefixes\": $prefixes, \"rule\": \"always()\", \"damping\": false }"
    fi
    cat >"$D/vipd.json" <<JSON
{
  "global": { "router-id": "$BENCH_ROUTER_ID", "local-as": $BENCH_LOCAL_AS,
              "state-dir": "$D/state", "control-socket": { "path": "$SOCK" },
              "startup-grace": "0s", "log-level": "warning" },
  "neighbors": [ { "name": "receiver", "address": "$BENCH_PEER_ADDR", "port": $BENCH_PEER_PORT,
                   "local-address": "$BENCH_LOCAL_ADDR", "remote-as": $BENCH_PEER_AS,
                   "families": ["ipv4", "ipv6"], "hold-time": 90, "connect-retry": "1s",
                   "multihop": 2,
                   "export": { "next-hop-v4": "$BENCH_NEXTHOP4", "next-hop-v6": "$BENCH_NEXTHOP6" } } ],
  "vips": [ $vips ]
}
JSON
}

case "${1:-}" in
version) echo "vipd $("$VIPD" --version | awk '{print $2}')" ;;
features) echo "ipv4 ipv6 announce-file" ;;
start)
    bench_assert_loopback "$BENCH_LOCAL_ADDR" "$BENCH_PEER_ADDR"
    [ -n "$D" ] || die "BENCH_SPK_DIR is not set"
    [ -x "$VIPD" ] && [ -x "$VIPCTL" ] || die "no vipd/vipctl in $BIN_DIR (run bench/speaker-bench.sh)"
    write_config
    "$VIPD" -c "$D/vipd.json" </dev/null >"$D/vipd.log" 2>&1 &
    echo $! >"$PIDF"
    # Return as soon as the control socket answers (2 ms steps, not wait_cmd's 20 ms). vipd is
    # Established within milliseconds of that, so with 100k routes this returns while the table
    # is still on the wire (bench/README.md, "Where the 100k preload time goes").
    for ((i = 0; i < 15000; i++)); do
        "$VIPCTL" -s "$SOCK" version >/dev/null 2>&1 && break
        sleep 0.002
    done
    ((i < 15000)) || die "vipd not answering: $(tail -3 "$D/vipd.log")"
    if [ "$API" = held ]; then
        rm -f "$FIFO"
        mkfifo "$FIFO"
        "$BENCH_PY" "$HERE/vipd_held.py" "$SOCK" "$FIFO" </dev/null >"$D/held-client.log" 2>&1 &
        echo $! >"$CPIDF"
    fi
    ;;
pids) print_pids "$PIDF" ;;
announce | withdraw)
    op="$1"
    shift
    mark_api
    if [ "$API" = held ]; then
        echo "$op $*" >"$FIFO"
        exit 0
    fi
    # exec: the API call is vipctl's own process start, not a fork of this shell as well (as
    # the stock FIFO-fed plugins, exabgp and gobgp-grpc, spawn nothing at all).
    exec "$VIPCTL" -s "$SOCK" "$op" "$@" >/dev/null
    ;;
prepare-file) : ;;
announce-file) "$VIPCTL" -s "$SOCK" --timeout 120 announce --file "$2" >/dev/null ;;
stop)
    [ -p "$FIFO" ] && pid_alive "$(cat "$CPIDF" 2>/dev/null)" && timeout 2 bash -c "echo quit >'$FIFO'"
    stop_pidfile "$CPIDF" 3
    stop_pidfile "$PIDF" 10
    ;;
*) exit 2 ;;
esac
