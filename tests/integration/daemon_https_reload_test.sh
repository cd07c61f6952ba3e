#!/usr/bin/env bash
# An https check added by a reload: with a BGP session and an http check with basic
# authentication, a reload adds an https check (a local TLS server, certificate made here by
# `openssl req`, verified with ca-file); it goes up in the same process, and down when the TLS
# server stops.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_cmd openssl curl "$VIPD_PY"

rtr=127.0.0.1 me=127.0.0.5
port=$(free_port "$rtr")
web_port=$(free_port 127.0.0.1)
tls_port=$(free_port 127.0.0.1)
start_bird_router rtr "$rtr" "$port" "$me"

www=$VIPD_TEST_DIR/www
mkdir -p "$www"
echo ok >"$www/index.html"
# server.py PORT USER:PASSWORD|"" [CERT KEY]: python's http.server serving $www, answering 401
# without those basic credentials (python's own base64), behind TLS when given a certificate.
cat >"$VIPD_TEST_DIR/server.py" <<'PY'
import base64, http.server, ssl, sys
port, credentials, root = int(sys.argv[1]), sys.argv[2], sys.argv[3]
expected = "Basic " + base64.b64encode(credentials.encode()).decode()
class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)
    def do_GET(self):
        if credentials and self.headers.get("Authorization") != expected:
            self.send_error(401)
        else:
            super().do_GET()
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if len(sys.argv) > 4:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
PY
start_daemon web "$VIPD_PY" "$VIPD_TEST_DIR/server.py" "$web_port" vipd:s3cret "$www"
# A throw-away self-signed certificate for IP 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=vipd-test \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$VIPD_TEST_DIR/key.pem" \
    -out "$VIPD_TEST_DIR/cert.pem" 2>/dev/null
start_daemon tls "$VIPD_PY" "$VIPD_TEST_DIR/server.py" "$tls_port" "" "$www" \
    "$VIPD_TEST_DIR/cert.pem" "$VIPD_TEST_DIR/key.pem"
wait_or_fail 10 "web service" curl -sf -u vipd:s3cret -o /dev/null "http://127.0.0.1:$web_port/"
assert_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$web_port/")" \
    "web service without credentials"
wait_or_fail 10 "TLS service" curl -sf --cacert "$VIPD_TEST_DIR/cert.pem" -o /dev/null \
    "https://127.0.0.1:$tls_port/"

conf=$VIPD_TEST_DIR/vipd.json
write_conf() {  # write_conf EXTRA_CHECKS_JSON RULE
    cat >"$conf" <<JSON
{
  // written by daemon_https_reload_test.sh
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s",
                   "export": { "next-hop-v4": "192.0.2.1" } } ],
  "checks": {
    "web": { "kind": "http", "url": "http://127.0.0.1:$web_port/", "username": "vipd",
             "password": "s3cret", "interval": "300ms", "timeout": "1s" }
    $1
  },
  "vips": [ { "name": "site", "prefixes": ["198.51.100.50/32"], "rule": "$2", "damping": false } ]
}
JSON
}
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
check_state() {  # check_state NAME: its state in `vipctl --json checks`
    ctl --json checks | "$VIPD_PY" -c '
import json, sys
print(next((c["state"] for c in json.load(sys.stdin)["checks"] if c["name"] == sys.argv[1]), "none"))
' "$1"
}
check_is() { [[ $(check_state "$1") == "$2" ]]; }
tls_check=', "tls": { "kind": "https", "url": "https://127.0.0.1:'$tls_port'/",
             "ca-file": "'$VIPD_TEST_DIR/cert.pem'", "interval": "300ms", "timeout": "1s" }'

log "no https check: the http check is up and the VIP announced"
write_conf "" "all(web)"
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$conf"
bird_wait_established rtr vipd 20
wait_or_fail 15 "the http check to be up" check_is web up
bird_wait_route rtr vipd 198.51.100.50/32 20
pid=$(daemon_pid vipd)

log "reload with an https check: the check goes up"
write_conf "$tls_check" "all(web, tls)"
ctl reload >/dev/null
wait_or_fail 15 "the https check to be up" check_is tls up
assert_eq "$pid" "$(daemon_pid vipd)" "same vipd process after the reload"
bird_has_route rtr vipd 198.51.100.50/32 || fail "VIP lost after the reload"

log "the TLS server goes away: the https check goes down"
stop_daemon tls
wait_or_fail 15 "the https check to be down" check_is tls down
bird_wait_no_route rtr vipd 198.51.100.50/32 10
