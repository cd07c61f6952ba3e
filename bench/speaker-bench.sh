#!/usr/bin/env bash
# Builds vipd in Release and runs the shared BGP speaker bench with vipd beside gobgpd and BIRD
# in one invocation (same machine noise for all): announce throughput (preload), runtime-API
# bulk, API->receiver latency, idle memory (RSS, PSS, private) and 100k-route memory. vipd runs
# twice: `vipd` (a fresh vipctl per call) and `vipd-held` (one held control connection), as
# gobgpd does (`gobgp` CLI, `gobgp-grpc` held client). Needs root (BGP port 179 on
# 127.0.0.1/127.0.0.2) and ../shared/bench. Extra arguments are more stock plugins (e.g. frr).
#   QUICK=1 bench/speaker-bench.sh        smoke run (~3 min)
#   bench/speaker-bench.sh                full run (~10 min)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
[ -x "$SHARED/run-anchors.sh" ] || { echo "no shared bench at $SHARED" >&2; exit 1; }
"$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIPD_TESTS=OFF >/dev/null
cmake --build "$ROOT/build/release" --target vipd vipctl
export VIPD_BIN_DIR="$ROOT/build/release"
export OUT="${OUT:-$ROOT/bench/results/speakers-$(date +%Y%m%d-%H%M%S)}"
exec "$SHARED/run-anchors.sh" "$ROOT/bench/speakers/vipd.sh" "$ROOT/bench/speakers/vipd-held.sh" \
    gobgp gobgp-grpc bird "$@"
