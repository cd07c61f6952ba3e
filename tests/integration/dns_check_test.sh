#!/usr/bin/env bash
# The native dns check (issue 14) against a real DNS server, Debian's NSD, on a loopback port:
# a name that resolves (the VIP announced at a real BIRD), NXDOMAIN, SERVFAIL (a zone whose file
# is missing), a large TXT RRset truncated over UDP with a 512-octet EDNS buffer and retried over
# TCP, the AD bit NSD never sets; the same server on IPv6 loopback (::1, its own port) over UDP and
# TCP, its VIP announced too; then the server frozen (SIGSTOP: no answer, timeout, the VIP
# withdrawn, the IPv6 one as well), thawed (back), and stopped (ICMP and ICMPv6 port unreachable:
# refused). Hostile answers from
# a small Python UDP responder (wrong ID, a compression loop, forward pointers, counts that
# cannot fit, more than the EDNS buffer offered) are rejected with their typed cause while vipd
# keeps running. Causes are checked through `vipctl --json checks` and /metrics.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_cmd nsd curl "$VIPD_PY"

rtr=127.0.0.1 me=127.0.0.11
port=$(free_port "$rtr")
dns_port=$(free_port 127.0.0.1)
dns6_port=$(free_port ::1)
evil_port=$(free_port 127.0.0.1)
http_port=$(free_port 127.0.0.1)
start_bird_router rtr "$rtr" "$port" "$me"

# --- NSD: zone example.test, and broken.test whose zone file is missing (SERVFAIL) ---
zones=$VIPD_TEST_DIR/zones
mkdir -p "$zones"
txt=$(printf 'a%.0s' {1..100})
{
    printf '$ORIGIN example.test.\n$TTL 300\n'
    printf '@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n'
    printf 'www IN A 192.0.2.80\n'
    for i in 1 2 3 4 5 6; do printf 'big IN TXT "%s%s"\n' "$txt" "$i"; done
    printf 'big IN TXT "tail-marker"\n'
} >"$zones/example.test.zone"
cat >"$zones/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$dns_port
    ip-address: ::1@$dns6_port
    port: $dns_port
    username: ""
    chroot: ""
    zonesdir: "$zones"
    database: ""
    zonelistfile: "$zones/zone.list"
    xfrdfile: "$zones/xfrd.state"
    xfrdir: "$zones"
    pidfile: "$zones/nsd.pid"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "example.test"
    zonefile: "example.test.zone"
zone:
    name: "broken.test"
    zonefile: "broken.test.zone"
EOF
nsd-checkconf "$zones/nsd.conf"
start_daemon nsd nsd -d -c "$zones/nsd.conf"

# --- the hostile responder: the first label of the name chooses the misbehaviour ---
cat >"$VIPD_TEST_DIR/evil.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
A = bytes([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 192, 0, 2, 80])  # www A 192.0.2.80
def answer(q):
    end = 12
    while q[end]:
        end += 1 + q[end]
    question = q[12:end + 5]
    mode = q[13:13 + q[12]]
    def msg(an, records, ident=q[:2]):
        return ident + b"\x84\x00" + struct.pack(">HHHH", 1, an, 0, 0) + question + records
    if mode == b"wrongid":
        return msg(1, A, bytes([q[0] ^ 0xff, q[1]]))
    if mode == b"loop":  # owner: label "x", then a pointer back to that label
        here = 12 + len(question)
        return msg(1, b"\x01x" + bytes([0xc0, here]) + A[2:])
    if mode == b"forward":
        return msg(3, bytes([0xc0]) * 40)
    if mode == b"counts":
        return msg(65535, A)
    if mode == b"oversized":
        return msg(1, A) + bytes(4000)
    return msg(1, A)
while True:
    q, peer = s.recvfrom(4096)
    try:
        s.sendto(answer(q), peer)
    except Exception as e:  # a query it cannot read: no answer
        print("evil:", e, flush=True)
PY
start_daemon evil "$VIPD_PY" "$VIPD_TEST_DIR/evil.py" "$evil_port"

dns() { # dns NAME QNAME [MORE JSON [ADDRESS PORT]]: a dns check against NSD, probing fast
    printf '"%s": { "kind": "dns", "address": "%s", "port": %s, "name": "%s", %s
             "interval": "200ms", "fast-interval": "100ms", "timeout": "500ms", "rise": 1,
             "fall": 1 }' "$1" "${4:-127.0.0.1}" "${5:-$dns_port}" "$2" "${3:-}"
}
evil() { # evil MODE: a dns check against the hostile responder
    printf '"evil-%s": { "kind": "dns", "address": "127.0.0.1", "port": %s,
             "name": "%s.example.test", "interval": "200ms", "timeout": "500ms", "rise": 1,
             "fall": 1 }' "$1" "$evil_port" "$1"
}
cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s ", \"http-status\": \"127.0.0.1:$http_port\""),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s" } ],
  "checks": {
    $(dns www www.example.test '"contains": "192.0.2.80", "aa": true,'),
    $(dns nx nope.example.test),
    $(dns nx-expected nope.example.test '"rcode": "NXDOMAIN",'),
    $(dns servfail www.broken.test),
    $(dns big big.example.test '"type": "TXT", "edns-buffer-size": 512, "contains": "tail-marker",'),
    $(dns tcp-only www.example.test '"transport": "tcp",'),
    $(dns ad www.example.test '"ad": true,'),
    $(dns www6 www.example.test '"contains": "192.0.2.80", "aa": true,' ::1 "$dns6_port"),
    $(dns tcp6 www.example.test '"transport": "tcp", "source-address": "::1",' ::1 "$dns6_port"),
    $(evil wrongid), $(evil loop), $(evil forward), $(evil counts), $(evil oversized), $(evil fine)
  },
  "vips": [
    { "name": "www", "prefixes": ["198.51.100.53/32"], "rule": "www", "damping": false },
    { "name": "big", "prefixes": ["198.51.100.54/32"], "rule": "all(big, tcp-only)", "damping": false },
    { "name": "nx", "prefixes": ["198.51.100.55/32"], "rule": "any(nx, servfail)", "damping": false },
    { "name": "v6", "prefixes": ["198.51.100.56/32"], "rule": "all(www6, tcp6)", "damping": false }
  ]
}
JSON
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$VIPD_TEST_DIR/vipd.json"

ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }
checks_match() { # checks_match NAME STATE DETAIL...: one `vipctl --json checks` shows all of them
    # (a DETAIL "re:ERE" is a regular expression); prints the differences
    ctl --json checks | "$VIPD_PY" -c '
import json, re, sys
got = {c["name"]: (c["kind"], c["state"], c["detail"]) for c in json.load(sys.stdin)["checks"]}
a = sys.argv[1:]
bad = []
for name, state, detail in zip(a[0::3], a[1::3], a[2::3]):
    kind, s, d = got.get(name, ("none", "none", ""))
    ok = kind == "dns" and s == state and (re.fullmatch(detail[3:], d) if detail.startswith("re:") else d == detail)
    if not ok:
        bad.append(f"{name} is {kind} {s} {d!r}, expected dns {state} {detail!r}")
print("; ".join(bad))
sys.exit(1 if bad else 0)
' "$@"
}
expect_checks() { # expect_checks NAME STATE DETAIL...: waits until all of them hold
    wait_until 10 checks_match "$@" || fail "checks: $(checks_match "$@")"
}
causes_counted() { # causes_counted CHECK CAUSE...: vipd_check_probe_failure_causes_total >= 1
    local metrics
    metrics=$(curl -sf "http://127.0.0.1:$http_port/metrics") || return 1
    while (($#)); do
        grep -qE "^vipd_check_probe_failure_causes_total\{check=\"$1\",cause=\"$2\"\} [1-9]" \
            <<<"$metrics" || return 1
        shift 2
    done
}

log "NSD answers: www up and announced, TXT retried over TCP, NXDOMAIN, SERVFAIL, no AD, IPv6"
bird_wait_established rtr vipd 20
expect_checks www up 'NOERROR over UDP, 1 A answer with "192.0.2.80", AA' \
    big up 'NOERROR over TCP after UDP truncation, 7 TXT answers with "tail-marker", AA' \
    tcp-only up 'NOERROR over TCP, 1 A answer, AA' \
    nx down 'NXDOMAIN over UDP, expected NOERROR' \
    nx-expected up 'NXDOMAIN over UDP, 0 A answers, AA' \
    servfail down 'SERVFAIL over UDP, expected NOERROR' \
    ad down 'NOERROR over UDP: AD clear, the answer was not validated' \
    www6 up 'NOERROR over UDP, 1 A answer with "192.0.2.80", AA' \
    tcp6 up 'NOERROR over TCP, 1 A answer, AA'
bird_wait_route rtr vipd 198.51.100.53/32 20
bird_wait_route rtr vipd 198.51.100.54/32 20
bird_wait_route rtr vipd 198.51.100.56/32 20
assert_contains "$(ctl checks)" "NOERROR over UDP, 1 A answer"
assert_contains "$(ctl explain big)" "tcp-only"
bird_has_route rtr vipd 198.51.100.55/32 && fail "VIP nx announced with both of its checks down"

log "hostile answers: rejected with their cause, vipd keeps running"
expect_checks evil-fine up 'NOERROR over UDP, 1 A answer, AA' \
    evil-wrongid down 're:UDP reply byte 0: ID 0x[0-9a-f]{4}, expected 0x[0-9a-f]{4}' \
    evil-loop down 'UDP reply byte 37: compression pointer to 35 does not point before 35' \
    evil-forward down 'UDP reply byte 38: compression pointer to 192 does not point before 38' \
    evil-counts down 'UDP reply byte 6: 65535 records cannot fit in the 16 octets left' \
    evil-oversized down 'UDP reply larger than the 1232 octets offered'
wait_or_fail 10 "typed causes in /metrics" causes_counted servfail dns_rcode ad dns_answer \
    evil-wrongid dns_mismatch evil-loop dns_malformed evil-forward dns_malformed \
    evil-counts dns_malformed evil-oversized dns_malformed
daemon_alive vipd || fail "vipd died on hostile answers"

log "NSD frozen (SIGSTOP): no answer, timeout, the VIP withdrawn; thawed: back"
nsd_pids() { # the NSD process and its descendants (server and xfrd children)
    local todo=("$(daemon_pid nsd)") p c
    while ((${#todo[@]})); do
        p=${todo[0]}
        todo=("${todo[@]:1}")
        printf '%s\n' "$p"
        for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do todo+=("$c"); done
    done
}
mapfile -t frozen < <(nsd_pids)
on_exit "kill -CONT ${frozen[*]} 2>/dev/null || true"
kill -STOP "${frozen[@]}"
expect_checks www down 'timeout after 500 ms' www6 down 'timeout after 500 ms' \
    tcp6 down 'timeout after 500 ms'
bird_wait_no_route rtr vipd 198.51.100.53/32 10
bird_wait_no_route rtr vipd 198.51.100.56/32 10
wait_or_fail 10 "timeout counted" causes_counted www timeout
kill -CONT "${frozen[@]}"
expect_checks www up 'NOERROR over UDP, 1 A answer with "192.0.2.80", AA' \
    www6 up 'NOERROR over UDP, 1 A answer with "192.0.2.80", AA' \
    tcp6 up 'NOERROR over TCP, 1 A answer, AA'
bird_wait_route rtr vipd 198.51.100.53/32 10
bird_wait_route rtr vipd 198.51.100.56/32 10

log "NSD stopped: ICMP port unreachable, refused"
stop_daemon nsd
expect_checks www down 'UDP: port unreachable (ICMP)' tcp-only down 'TCP: connect refused' \
    www6 down 'UDP: port unreachable (ICMP)' tcp6 down 'TCP: connect refused'
wait_or_fail 10 "refused counted" causes_counted www refused tcp-only refused www6 refused \
    tcp6 refused
bird_wait_no_route rtr vipd 198.51.100.53/32 10
bird_wait_no_route rtr vipd 198.51.100.56/32 10
daemon_alive vipd || fail "vipd died"
