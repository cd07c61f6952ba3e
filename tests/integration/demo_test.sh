#!/usr/bin/env bash
# The README's first command, against the build under test: scripts/demo.sh with VIPD_DEMO_BIN
# (no set-up, no second build). It must run to its end and show each step: the VIP in BIRD's
# table, withdrawn when the web service stops, back when it starts again. The demo uses fixed
# ports (127.0.0.1:8080 and :17917): skipped when something else holds them.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ss -Htln 2>/dev/null | awk '{print $4}' | grep -qE '^(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]):(8080|17917)$'; then
    skip "port 8080 or 17917 is in use on this machine; the demo needs both"
fi
out="$VIPD_TEST_DIR/demo.out"
rc=0
VIPD_DEMO_BIN="$VIPD_BINARY_DIR" timeout 120 bash "$VIPD_SOURCE_DIR/scripts/demo.sh" >"$out" 2>&1 || rc=$?
if ((rc != 0)); then
    tail -n 40 "$out" >&2
    fail "scripts/demo.sh exited $rc"
fi
text=$(cat "$out")
assert_match "$text" "192\.0\.2\.10/32 +unreachable \[vipd [^]]*\] \* \(100\) \[AS65001i\]" "VIP in BIRD's table"
assert_match "$text" "VIP withdrawn [0-9.]+ s after the service stopped" "withdrawal shown"
assert_contains "$text" "decision:     announced" "vipctl explain after the service is back"
assert_contains "$text" "demo: done"
log "PASS"
