#!/usr/bin/env bash
# Control socket abuse against the real daemon (issue 13): 300 idle connections (more than the
# 64 client places), a client that never reads its replies, a 20 MB line without a newline,
# invalid JSON and unknown commands, and a connect/close storm. Throughout, `vipctl status`
# answers within a second (idle and stuck clients give their places up to it); afterwards the
# daemon's descriptors are back to where they were and its memory stayed bounded.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sock=$VIPD_TEST_DIR/vipd.sock
cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global 192.0.2.9 0s),
  "vips": [ { "name": "web", "prefixes": ["198.51.100.90/32"], "rule": "always()" } ]
}
JSON
# Under AddressSanitizer, freed memory waits in a quarantine (256 MiB by default) before it is
# reused, so RSS after the 20 MB line measures the quarantine, not vipd. Its size is set here and
# added to the bound below; a leak is LeakSanitizer's to find at exit.
asan=0 quarantine_mb=0
# (ldd's whole output first: `ldd | grep -q` under pipefail fails when grep exits before ldd.)
if [[ $(ldd "$VIPD_BINARY_DIR/vipd" 2>/dev/null) == *libasan* ]]; then
    asan=1 quarantine_mb=16
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=$quarantine_mb"
fi
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"
wait_or_fail 10 "the control socket" test -S "$sock"
pid=$(daemon_pid vipd)
"$VIPD_BINARY_DIR/vipctl" -s "$sock" status >/dev/null
fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
fds_before=$(fds) rss_before=$(rss_kb)
log "before: $fds_before descriptors, RSS $rss_before kB"

# A second for the operator's answer; three where vipd runs under AddressSanitizer at -O0 (the
# sanitizer tree: its point there is memory errors, not speed).
bound=1.0
((asan)) && bound=3.0
python3 - "$sock" "$VIPD_BINARY_DIR/vipctl" "$bound" <<'PY'
import json, socket, subprocess, sys, time
sock_path, vipctl, bound = sys.argv[1], sys.argv[2], float(sys.argv[3])

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    return s

def operator(what):
    t0 = time.monotonic()
    r = subprocess.run([vipctl, "-s", sock_path, "--timeout", "5", "--json", "status"],
                       capture_output=True, text=True)
    took = time.monotonic() - t0
    if r.returncode != 0 or not json.loads(r.stdout).get("ok"):
        sys.exit(f"FAIL: vipctl status during {what}: exit {r.returncode}: {r.stderr.strip()}")
    if took > bound:
        sys.exit(f"FAIL: vipctl status during {what} took {took:.2f} s (bound {bound} s)")
    print(f"vipctl status during {what}: {took * 1000:.0f} ms", file=sys.stderr)

def reply(s):
    buf = b""
    s.settimeout(5)
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return json.loads(buf) if buf else None

# 300 idle connections: more than the 64 places; the later ones evict the older.
idle = [connect() for _ in range(300)]
time.sleep(0.2)  # let them become "quiet" (evict_after: 100 ms); not an absence check
operator("300 idle connections")

# A client that never reads: 200 pipelined requests, replies never read.
stuck = connect()
stuck.sendall(b'{"command":"status"}\n' * 200)
operator("a client that never reads")

# A 20 MB line without a newline: refused at 16 MiB and closed.
big = connect()
try:
    big.sendall(b"x" * (20 << 20))
except (BrokenPipeError, ConnectionResetError):
    pass
operator("a 20 MB line")

# Invalid JSON and unknown commands: error replies, the connection stays usable.
c = connect()
for line, want in ((b"{not json\n", "JSON"), (b'{"command":"frobnicate"}\n', "frobnicate"),
                   (b'[1,2]\n', "object")):
    c.sendall(line)
    r = reply(c)
    if not r or r.get("ok") is not False or want not in r.get("error", ""):
        sys.exit(f"FAIL: reply to {line!r}: {r}")
c.sendall(b'{"command":"version"}\n')
if not reply(c).get("ok"):
    sys.exit("FAIL: the connection is not usable after bad requests")
operator("invalid requests")

# A connect/close storm: 3,000 connections opened and closed at once.
t0 = time.monotonic()
for _ in range(3000):
    connect().close()
print(f"3000 connect/close in {time.monotonic() - t0:.1f} s", file=sys.stderr)
operator("a connect/close storm")

for s in idle + [stuck, big, c]:
    s.close()
PY

log "after: descriptors back, memory bounded"
fds_back() { (($(fds) <= fds_before)); }
wait_or_fail 10 "descriptors back to $fds_before (now $(fds))" fds_back
rss_after=$(rss_kb)
log "after: $(fds) descriptors, RSS $rss_after kB"
# 64 clients may each hold up to a 16 MiB line while it arrives; the 20 MB line is dropped.
# (CI failed here once under AddressSanitizer with its default quarantine: +277 MiB.)
# Seen under ASan with a 16 MiB quarantine: +30 MiB.
limit_kb=$((65536 + 2 * quarantine_mb * 1024))
((rss_after < rss_before + limit_kb)) ||
    fail "RSS grew from $rss_before kB to $rss_after kB (bound +$limit_kb kB)"
assert_contains "$(cat "$(daemon_log vipd)")" 'reason="evicted: quiet for'
log "PASS"
