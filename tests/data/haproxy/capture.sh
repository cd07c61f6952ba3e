#!/usr/bin/env bash
# Recaptures the HAProxy stats fixtures in this directory from the Debian haproxy package.
# Starts haproxy (foreground, -db) on loopback ports 18480-18489 in front of one python3
# http.server (port 18481) and a closed port (18482), puts servers into MAINT/DRAIN through the
# admin socket, waits for the checks to settle, then saves:
#   show_stat.csv   `show stat` over the unix stats socket
#   stats_page.csv  the stats page ";csv" form, fetched with basic auth
# Both processes are stopped by PID; everything listens on 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill "${hp:-}" "${web:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

cat >"$tmp/haproxy.cfg" <<CFG
global
    stats socket $tmp/admin.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe_main
    bind 127.0.0.1:18480
    default_backend be_app
frontend fe_stopped
    bind 127.0.0.1:18483
    default_backend be_down
backend be_app
    option httpchk GET /
    server web1 127.0.0.1:18481 check inter 200ms rise 2 fall 2
    server web2 127.0.0.1:18482 check inter 200ms rise 2 fall 2
    server web3 127.0.0.1:18481 check inter 200ms disabled
    server web4 127.0.0.1:18481 check inter 200ms
    server web5 127.0.0.1:18481
    server bk1 127.0.0.1:18481 check inter 200ms backup
backend be_down
    server down1 127.0.0.1:18482 check inter 200ms rise 2 fall 2
    server down2 127.0.0.1:18482 check inter 200ms rise 2 fall 2
backend be_maint
    server m1 127.0.0.1:18481 check inter 200ms disabled
listen stats
    bind 127.0.0.1:18484
    stats enable
    stats uri /stats
    stats auth admin:s3cret
CFG

(cd "$tmp" && exec python3 -m http.server 18481 --bind 127.0.0.1 >/dev/null 2>&1) & web=$!
haproxy -f "$tmp/haproxy.cfg" -db >"$tmp/haproxy.log" 2>&1 & hp=$!

sock() { python3 - "$tmp/admin.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
}
for _ in $(seq 50); do [ -S "$tmp/admin.sock" ] && break; sleep 0.1; done
sock "set server be_app/web4 state drain" >/dev/null
sock "disable frontend fe_stopped" >/dev/null
sleep 2
sock "show stat" >"$here/show_stat.csv"
curl -sS --max-time 5 -u admin:s3cret "http://127.0.0.1:18484/stats;csv" >"$here/stats_page.csv"
echo "captured with $(haproxy -v | head -1)"
