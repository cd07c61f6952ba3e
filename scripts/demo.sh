#!/usr/bin/env bash
# The vipd demo, from a fresh Debian 12 machine: installs what it needs, builds vipd, starts a
# real BIRD 2 on loopback as the router, a small local web service, and vipd with
# examples/demo.json; shows the VIP in BIRD's table, stops the web service and shows the VIP
# gone, starts it again and shows it back, then stops everything it started (by PID).
# Loopback only (127.0.0.1 router, 127.0.0.2 vipd, web on 127.0.0.1:8080); about 30 s.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# VIPD_DEMO_BIN=DIR: use the vipd and vipctl already built in DIR (the test suite runs the demo
# this way, against the build it tests) instead of setting up and building build/demo.
if [ -n "${VIPD_DEMO_BIN:-}" ]; then
    BIN=$VIPD_DEMO_BIN
else
    say "1. Installing Debian packages if missing, building vipd"
    scripts/setup.sh
    cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIPD_TESTS=OFF -DVIPD_BENCH=OFF >/dev/null
    cmake --build build/demo --target vipd vipctl
    BIN=$ROOT/build/demo
fi

export VIPD_BINARY_DIR=$BIN VIPD_STOP_WAIT_S=5 VIPD_DAEMON_MAX_S=300
. tests/integration/lib.sh
DIR=$VIPD_TEST_DIR
VIP=192.0.2.10/32

if ss -Htln 2>/dev/null | awk '{print $4}' | grep -qE '^(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]):(8080|17917)$'; then
    fail "port 8080 or 17917 on 127.0.0.1 is already in use; the demo needs both"
fi

say "2. Starting BIRD (the router): 127.0.0.1 port 17917, AS 65000, waits for vipd"
start_bird router "$(bird_conf_global --router-id 127.0.0.1)
$(bird_conf_bgp vipd --local 127.0.0.1 --local-port 17917 --local-as 65000 \
    --neighbor 127.0.0.2 --peer-as 65001 --no-ipv6 --hold 9)"

say "3. Starting the web service on http://127.0.0.1:8080/"
mkdir -p "$DIR/www" && echo "hello from the demo service" >"$DIR/www/index.html"
# start_web NAME: a restarted service is a new daemon with a new name.
start_web() { start_daemon "$1" python3 -m http.server 8080 --bind 127.0.0.1 --directory "$DIR/www"; }
start_web web
wait_or_fail 10 "the web service" curl -sf -o /dev/null http://127.0.0.1:8080/

say "4. Starting vipd with examples/demo.json (VIP $VIP follows the HTTP check 'web')"
sed -e "s|/tmp/vipd-demo|$DIR/vipd-state|g" examples/demo.json >"$DIR/demo.json"
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$DIR/demo.json"
bird_wait_established router vipd 20
bird_wait_route router vipd "$VIP" 20
say "   The router has the VIP:  birdc show route"
bird_cli router show route
echo "   ('unreachable': this BIRD has no kernel protocol and no route to the next hop 127.0.0.2,"
echo "    so it installs nothing on this machine; a real router resolves the next hop.)"

CTL=("$VIPD_BINARY_DIR/vipctl" -s "$DIR/vipd-state/vipd.sock")
"${CTL[@]}" status || true

say "5. Stopping the web service: vipd withdraws the VIP after 2 failed checks"
stop_daemon web
t0=$EPOCHREALTIME
bird_wait_no_route router vipd "$VIP" 20
awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "   VIP withdrawn %.1f s after the service stopped\n", b - a }'
bird_cli router show route

say "6. Starting the web service again: the VIP comes back after 2 good checks"
start_web web-again
wait_or_fail 10 "the web service" curl -sf -o /dev/null http://127.0.0.1:8080/
bird_wait_route router vipd "$VIP" 20
bird_cli router show route
"${CTL[@]}" explain demo || true

say "7. Stopping everything the demo started"
stop_daemon vipd
stop_daemon web-again
stop_daemon router
echo "demo: done"
