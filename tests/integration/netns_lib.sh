# shellcheck shell=bash
# tests/integration/netns_lib.sh: the fault-injection topology (issue 13) on top of lib.sh.
#
#     . "$(dirname "${BASH_SOURCE[0]}")/netns_lib.sh"     # sources lib.sh
#     netns_topology                 # three namespaces of the test's own, two veth pairs
#     netns_model_vip ...            # the VIPs (prefix, MED, communities, check port or "-")
#     netns_start_flipper flip       # the test's TCP listeners, inside vipd's namespace
#     netns_start_bird bird0 9; netns_start_gobgpd gobgp0 9
#     netns_write_vipd_conf 9 "$VIPD_TEST_DIR/vipd.json"
#     netns_start_vipd vipd "$VIPD_TEST_DIR/vipd.json"
#     netns_wait_table bird0 20; netns_wait_table gobgp0 20
#
# Topology (root only; every address lives in a namespace the test made and deletes at exit,
# the veth pairs join only those namespaces, nothing reaches the machine's own network):
#
#     [ NETNS_B: BIRD 2, AS 65000 ]  eth0 10.77.1.2/30 ---- vb 10.77.1.1/30  [ NETNS_V: vipd, AS 65001 ]
#     [ NETNS_G: gobgpd, AS 65002 ]  eth0 10.77.2.2/30 ---- vg 10.77.2.1/30  [   + the test's listeners ]
#
# vipd connects to both routers (they are passive) on port 179 of their namespace; BIRD runs the
# session `direct` (on-link), so it installs the routes via 10.77.1.1 on eth0. The routers' tables
# are compared with the model: nothing missing, nothing stale, attributes exact (ORIGIN, AS path,
# next hop, MED, communities, large communities).
#
# The model: $VIPD_TEST_DIR/model.tsv, one VIP a line "NAME PREFIX MED COMMUNITY LARGE PORT",
# PORT "-" for an always() VIP. A VIP with a port is up while $NETNS_UP/PORT exists: the flipper
# listens on 127.0.0.1:PORT in vipd's namespace exactly while that file exists (netns_check_up /
# netns_check_down), and the VIP's rule is a tcp check of that port.
#
# Functions:
#   netns_topology                         namespaces NETNS_V, NETNS_B, NETNS_G; veths vb and vg
#   netns_start_bird NAME HOLD             BIRD in NETNS_B (protocol `vipd`), passive, hold HOLD
#   netns_start_gobgpd NAME HOLD           gobgpd in NETNS_G, passive; gobgp_cli and every gobgp_*
#                                          helper of lib.sh work on it (gobgp runs in the namespace)
#   netns_model_vip NAME PREFIX MED COMM LARGE PORT|-      one VIP of the model
#   netns_write_vipd_conf HOLD FILE [KEEPALIVE]            vipd.json for the model (atomic write)
#   netns_start_vipd NAME CONF             vipd in NETNS_V
#   netns_start_flipper NAME               the listeners (python3, one process)
#   netns_check_up PORT... / netns_check_down PORT...      flip the listeners (the model follows)
#   netns_hold_vip NAME... / netns_release_vip NAME...     the model counts VIPs down (drained, ...)
#   netns_table_diff ROUTER                what differs between ROUTER's table and the model (status 1)
#   netns_table_exact ROUTER               predicate: Established and the table is exactly the model
#   netns_wait_table ROUTER TIMEOUT_S      wait for it, or fail with the difference
#   netns_table_empty ROUTER               the router answers and holds no route from vipd
#   netns_wait_table_empty ROUTER TIMEOUT_S
#   netns_router_kind ROUTER / netns_router_established ROUTER
#   netns_ctl ARGS...                      vipctl on the test's control socket
#   netns_ipt ARGS...                      iptables in vipd's namespace
#   netns_start_delayer NAME QUEUE DELAY_MS  delay the packets of NFQUEUE QUEUE (nfqueue_delay.py)
#   netns_bird_log_after ROUTER ERE T0    seconds from T0 to BIRD's last log line matching ERE
#   netns_flip PORT...                     one of the PORTs changes state
#   netns_follow SECONDS ROUTER... -- PORT...   flip and wait for the exact tables, for SECONDS
#   netns_elapsed T0                       seconds since T0 ($EPOCHREALTIME), 3 decimals
#   netns_stats FILE                       "n=N median=X max=Y" of the numbers in FILE

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${NETNS_PREFIX:=vf$$}"
NETNS_V="${NETNS_PREFIX}v" NETNS_B="${NETNS_PREFIX}b" NETNS_G="${NETNS_PREFIX}g"
NETNS_V_B=10.77.1.1 NETNS_B_ADDR=10.77.1.2 # vipd <-> BIRD
NETNS_V_G=10.77.2.1 NETNS_G_ADDR=10.77.2.2 # vipd <-> gobgpd
NETNS_UP="$VIPD_TEST_DIR/up"
NETNS_MODEL="$VIPD_TEST_DIR/model.tsv"
NETNS_HELD="$VIPD_TEST_DIR/held" # VIPs held down by the operator (drained, check disabled)
NETNS_GOBGP_API_PORT=50051 # inside NETNS_G only
mkdir -p "$NETNS_UP" "$NETNS_HELD"
: >"$NETNS_MODEL"

# _netns_veth NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two of the test's namespaces.
_netns_veth() {
    ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3/30" dev "$2"
    ip -n "$4" addr add "$6/30" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

netns_topology() {
    require_cmd ip bird birdc gobgpd gobgp
    netns_new "$NETNS_V"
    netns_new "$NETNS_B"
    netns_new "$NETNS_G"
    _netns_veth "$NETNS_V" vb "$NETNS_V_B" "$NETNS_B" eth0 "$NETNS_B_ADDR"
    _netns_veth "$NETNS_V" vg "$NETNS_V_G" "$NETNS_G" eth0 "$NETNS_G_ADDR"
}

# netns_router_kind ROUTER: bird or gobgp (recorded when the router was started).
netns_router_kind() { cat "$VIPD_TEST_DIR/$1/kind"; }

netns_start_bird() {
    local name=$1 hold=$2 dir err
    dir=$(daemon_dir "$name")
    echo bird >"$dir/kind"
    cat >"$dir/bird.conf" <<EOF
$(bird_conf_global --router-id "$NETNS_B_ADDR")
# generated by tests/integration/netns_lib.sh: vipd's neighbor, on-link over the veth
protocol bgp vipd {
  local $NETNS_B_ADDR as 65000;
  neighbor $NETNS_V_B as 65001;
  passive on;
  hold time $hold;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import all; export none; };
}
EOF
    err=$(bird -p -c "$dir/bird.conf" 2>&1) || fail "netns_start_bird $name: BIRD rejects the config: $err"
    start_daemon "$name" ip netns exec "$NETNS_B" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
    wait_until "$VIPD_START_WAIT_S" birdc -s "$dir/bird.ctl" show status ||
        _vipd_fail_daemon "$name" "bird did not answer within ${VIPD_START_WAIT_S}s"
}

netns_start_gobgpd() {
    local name=$1 hold=$2 dir err
    dir=$(daemon_dir "$name")
    echo gobgp >"$dir/kind"
    printf '%s\n' "$NETNS_G" >"$dir/netns"
    printf '127.0.0.1 %s\n' "$NETNS_GOBGP_API_PORT" >"$dir/api"
    cat >"$dir/gobgpd.toml" <<EOF
# generated by tests/integration/netns_lib.sh
[global.config]
  as = 65002
  router-id = "$NETNS_G_ADDR"
  port = 179
  local-address-list = ["$NETNS_G_ADDR"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$NETNS_V_G"
    peer-as = 65001
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = $hold
    keepalive-interval = $((hold / 3))
    idle-hold-time-after-reset = 1
  [neighbors.transport.config]
    passive-mode = true
    local-address = "$NETNS_G_ADDR"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
EOF
    err=$(gobgpd -d -t toml -f "$dir/gobgpd.toml" 2>&1) || fail "netns_start_gobgpd $name: gobgpd rejects the config: $err"
    start_daemon "$name" ip netns exec "$NETNS_G" gobgpd -f "$dir/gobgpd.toml" -t toml \
        --api-hosts "127.0.0.1:$NETNS_GOBGP_API_PORT" --pprof-disable -p -l "$VIPD_GOBGP_LOG_LEVEL"
    wait_until "$VIPD_START_WAIT_S" gobgp_cli "$name" global ||
        _vipd_fail_daemon "$name" "gobgpd's API did not answer within ${VIPD_START_WAIT_S}s"
}

# gobgp_cli NAME ARGS...: lib.sh's, but run inside the router's namespace when it has one (its API
# listens on that namespace's own loopback), so that every gobgp_* helper of lib.sh works on it.
eval "_netns_gobgp_cli_lib()"$'\n'"$(declare -f gobgp_cli | tail -n +2)"
gobgp_cli() {
    local ns host port
    [[ -f "$VIPD_TEST_DIR/${1:-}/netns" ]] || { _netns_gobgp_cli_lib "$@"; return; }
    read -r ns <"$VIPD_TEST_DIR/$1/netns"
    read -r host port <"$VIPD_TEST_DIR/$1/api"
    # (nsenter: `ip netns exec` also remounts /sys, which costs much on a loaded machine)
    nsenter --net="/run/netns/$ns" gobgp -u "$host" -p "$port" "${@:2}"
}

# netns_router_established ROUTER
netns_router_established() {
    case $(netns_router_kind "$1") in
    bird) bird_is_established "$1" vipd ;;
    gobgp) gobgp_is_established "$1" "$NETNS_V_G" ;;
    esac
}

# netns_model_vip NAME PREFIX MED COMMUNITY LARGE_COMMUNITY PORT|-
netns_model_vip() {
    (($# == 6)) || fail "netns_model_vip NAME PREFIX MED COMMUNITY LARGE PORT|-"
    printf '%s %s %s %s %s %s\n' "$@" >>"$NETNS_MODEL"
}

# netns_hold_vip NAME... / netns_release_vip NAME...: the model counts the VIPs down whatever their
# checks say (the test drained them or disabled their check) / no longer.
netns_hold_vip() {
    local v
    for v in "$@"; do : >"$NETNS_HELD/$v"; done
}

netns_release_vip() {
    local v
    for v in "$@"; do rm -f -- "$NETNS_HELD/$v"; done
}

netns_check_up() {
    local p
    for p in "$@"; do : >"$NETNS_UP/$p"; done
}

netns_check_down() {
    local p
    for p in "$@"; do rm -f -- "$NETNS_UP/$p"; done
}

# netns_write_vipd_conf HOLD FILE [KEEPALIVE]: vipd.json for the model: both routers (connect
# retry and idle hold 1 s, no back-off doubling), a tcp check per port (200 ms, rise 2, fall 2),
# drain time 1 s, damping off (the test flips the checks on purpose). Written to a temporary file and renamed, so
# that a SIGHUP never reads half a file.
netns_write_vipd_conf() {
    local hold=$1 file=$2 ka=${3:-null} rule name prefix med comm large port checks="" vips="" sep=""
    while read -r name prefix med comm large port; do
        if [[ $port == - ]]; then
            rule="always()"
        else
            rule="c$port"
            checks+="${checks:+,}
    \"c$port\": { \"kind\": \"tcp\", \"address\": \"127.0.0.1\", \"port\": $port, \"interval\": \"200ms\",
               \"fast-interval\": \"100ms\", \"timeout\": \"300ms\", \"rise\": 2, \"fall\": 2, \"jitter\": \"100ms\" }"
        fi
        vips+="$sep
    { \"name\": \"$name\", \"prefixes\": [\"$prefix\"], \"rule\": \"$rule\", \"damping\": false,
      \"up\": { \"med\": $med, \"communities\": [\"$comm\"], \"large-communities\": [\"$large\"] },
      \"drain\": { \"time\": 1 } }"
        sep=,
    done <"$NETNS_MODEL"
    local nb='"connect-retry": "1s", "idle-hold-time": "1s", "max-idle-hold-time": "1s", "families": ["ipv4"]'
    cat >"$file.tmp" <<JSON
{
  $(vipd_conf_global "$NETNS_V_B" 1s),
  "neighbors": [
    { "name": "bird", "address": "$NETNS_B_ADDR", "local-address": "$NETNS_V_B", "remote-as": 65000,
      "hold-time": $hold, "keepalive": $ka, $nb },
    { "name": "gobgp", "address": "$NETNS_G_ADDR", "local-address": "$NETNS_V_G", "remote-as": 65002,
      "hold-time": $hold, "keepalive": $ka, $nb } ],
  "checks": { $checks },
  "vips": [ $vips ]
}
JSON
    mv -f "$file.tmp" "$file"
}

netns_start_vipd() {
    "$VIPD_BINARY_DIR/vipd" --check-config "$2" >/dev/null || fail "vipd rejects $2"
    start_daemon "$1" ip netns exec "$NETNS_V" "$VIPD_BINARY_DIR/vipd" -c "$2"
}

netns_ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }

# netns_fault_start HOLD CONF FIRST ALWAYS TAG PORT...: the fault tests' start: the topology, one
# model VIP per PORT (v0, v1, ...: 198.51.100.FIRST+i/32, MED 100*TAG+i, community
# 65001:FIRST+i, large community 65001:TAG:i, a tcp check on PORT) and VIP "always"
# (198.51.100.ALWAYS/32, no check), the flipper with every port up, BIRD bird0 and gobgpd gobgp0
# with hold time HOLD, and vipd (config CONF).
netns_fault_start() {
    local hold=$1 conf=$2 first=$3 always=$4 tag=$5 i
    shift 5
    local ports=("$@")
    netns_topology
    for i in "${!ports[@]}"; do
        netns_model_vip "v$i" "198.51.100.$((first + i))/32" $((100 * tag + i)) \
            "65001:$((first + i))" "65001:$tag:$i" "${ports[i]}"
    done
    netns_model_vip always "198.51.100.$always/32" "$always" "65001:$always" "65001:$tag:$always" -
    netns_start_all "$hold" "$conf" "${ports[@]}"
}

# netns_start_all HOLD CONF PORT...: with the topology up and the model written, every model port
# up, the flipper, BIRD bird0 and gobgpd gobgp0 with hold time HOLD, and vipd (config CONF).
netns_start_all() {
    local hold=$1 conf=$2
    shift 2
    netns_check_up "$@"
    netns_start_flipper flip
    netns_start_bird bird0 "$hold"
    netns_start_gobgpd gobgp0 "$hold"
    netns_write_vipd_conf "$hold" "$conf"
    netns_start_vipd vipd "$conf"
}

# netns_start_flipper NAME: one python3 process in vipd's namespace that listens on 127.0.0.1:PORT
# for every model port exactly while $NETNS_UP/PORT exists (polled every 20 ms), accepting and
# closing connections; a closed port refuses connections (RST), so the tcp check fails at once.
netns_start_flipper() {
    local ports
    ports=$(awk '$6 != "-" { print $6 }' "$NETNS_MODEL" | paste -sd' ')
    cat >"$VIPD_TEST_DIR/flipper.py" <<'PY'
import os, selectors, socket, sys
updir, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
sel, listening = selectors.DefaultSelector(), {}
while True:
    up = set(os.listdir(updir))
    for p in ports:
        if str(p) in up and p not in listening:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", p))
            s.listen(128)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            listening[p] = s
        elif str(p) not in up and p in listening:
            s = listening.pop(p)
            sel.unregister(s)
            s.close()
    for key, _ in sel.select(0.02):
        try:
            key.fileobj.accept()[0].close()
        except OSError:
            pass
PY
    # shellcheck disable=SC2086  # (one argument per port)
    start_daemon "$1" ip netns exec "$NETNS_V" "$VIPD_PY" "$VIPD_TEST_DIR/flipper.py" "$NETNS_UP" $ports
}

# _NETNS_PY_COMPARE: replaces lib.sh's emit(): the routes a lib.sh parser read (normalised) against
# the model (argv: model file, up dir, held dir, next hop, "exact" or "empty"); prints each difference,
# exits 1 if any. Parser and comparison run in one python3 (each costs on a loaded machine).
_NETNS_PY_COMPARE=$(
    cat <<'PY'
def emit(routes, mode, args):
    import os
    model, updir, helddir, nh, want_mode = args
    up, held = set(os.listdir(updir)), set(os.listdir(helddir))
    want = {}
    if want_mode != "empty":
        for line in open(model):
            name, prefix, med, comm, large, port = line.split()
            if (port == "-" or port in up) and name not in held:
                want[prefix] = {"origin": "igp", "as_path": "65001", "next_hop": nh, "med": med,
                                "community": comm, "large_community": large}
    keys = ("origin", "as_path", "next_hop", "med", "community", "large_community")
    have, diffs = {}, []
    for r in routes:
        a = r["attrs"]
        got = {k: " ".join(sorted(a.get(k, "").split())) if "community" in k else a.get(k, "") for k in keys}
        if r["prefix"] in have:
            diffs.append("duplicate route " + r["prefix"])
        have[r["prefix"]] = got
    for p in sorted(set(want) | set(have)):
        if p not in have:
            diffs.append("missing " + p)
        elif p not in want:
            diffs.append(f"stale {p} {have[p]}")
        elif have[p] != want[p]:
            diffs.append(f"{p}: want {want[p]}, have {have[p]}")
    if diffs:
        print("\n".join(diffs))
    sys.exit(1 if diffs else 0)
PY
)

# _netns_compare_routes ROUTER MODE: ROUTER's routes from vipd against the model (MODE exact) or
# nothing (MODE empty); status 1 (and the differences) when they differ or the router cannot be
# asked. Without a session, BIRD has no routes from vipd and gobgpd no Adj-RIB-In: an empty table.
_netns_compare_routes() {
    local out rc=0 parser nh
    case $(netns_router_kind "$1") in
    bird)
        parser=$_VIPD_PY_BIRD nh=$NETNS_V_B
        out=$(bird_cli "$1" show route all table master4 protocol vipd 2>&1) || rc=$?
        if ((rc != 0)) && [[ $out != *"Network not found"* ]]; then
            echo "BIRD cannot be asked: $out"
            return 1
        fi
        ;;
    gobgp)
        parser=$_VIPD_PY_GOBGP nh=$NETNS_V_G
        out=$(gobgp_adj_in_json "$1" "$NETNS_V_G" ipv4 2>&1) || rc=$?
        if ((rc != 0)) && [[ $out != *"session is not established"* ]]; then
            echo "gobgp cannot be asked: $out"
            return 1
        fi
        ;;
    esac
    ((rc == 0)) || out=""
    "$VIPD_PY" -c "$_VIPD_PY_COMMON"$'\n'"$_NETNS_PY_COMPARE"$'\n'"$parser" compare \
        "$NETNS_MODEL" "$NETNS_UP" "$NETNS_HELD" "$nh" "$2" <<<"$out"
}

# netns_table_diff ROUTER [empty]: differences between ROUTER's table and the model; status 1 when
# there are any, when the router cannot be asked, or (unless "empty") the session is not
# Established.
netns_table_diff() {
    if [[ ${2:-} != empty ]] && ! netns_router_established "$1"; then
        echo "$1: the session with vipd is not Established"
        return 1
    fi
    _netns_compare_routes "$1" "${2:-exact}"
}

netns_table_exact() { netns_table_diff "$1" >/dev/null 2>&1; }
netns_table_empty() { netns_table_diff "$1" empty >/dev/null 2>&1; }

netns_wait_table() {
    wait_until "$2" netns_table_exact "$1" ||
        fail "$1: table not exactly the model within ${2}s: $(netns_table_diff "$1" | head -n 20 | paste -sd';')"
}

netns_wait_table_empty() {
    wait_until "$2" netns_table_empty "$1" ||
        fail "$1: routes from vipd still there after ${2}s: $(netns_table_diff "$1" empty | head -n 20 | paste -sd';')"
}

# netns_bird_log_after ROUTER ERE T0: seconds from T0 ($EPOCHREALTIME) to the last line of ROUTER's
# log matching ERE, by BIRD's own time stamp (ms, the same wall clock): when BIRD saw a hold timer
# expire or a Cease arrive, whatever the cost of the polls (fails when no line matches).
netns_bird_log_after() {
    local line
    line=$(grep -E -- "$2" "$(daemon_log "$1")" | tail -n 1)
    [[ -n $line ]] || fail "no line matching '$2' in $1's log"
    "$VIPD_PY" -c '
import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d %H:%M:%S.%f").timestamp()
print(f"{t - float(sys.argv[2]):.3f}")' "${line:0:23}" "$3"
}

# netns_ipt ARGS...: iptables in vipd's namespace (the faults on the links are made there).
netns_ipt() { ip netns exec "$NETNS_V" iptables -w 5 "$@"; }

# netns_start_delayer NAME QUEUE DELAY_MS: nfqueue_delay.py in vipd's namespace (a stand-in for
# netem's delay where the kernel has no sch_netem); packets sent to QUEUE by an NFQUEUE rule are
# held DELAY_MS. Waits until it is bound to the queue.
netns_start_delayer() {
    start_daemon "$1" ip netns exec "$NETNS_V" "$VIPD_PY" "$VIPD_LIB_DIR/nfqueue_delay.py" "$2" "$3"
    wait_or_fail 10 "nfqueue_delay.py bound to queue $2" grep -q "^bound queue $2" "$(daemon_log "$1")"
}

# netns_flip PORT...: one of the PORTs (at random) changes state.
netns_flip() {
    local p=${*:RANDOM % $# + 1:1}
    if [[ -e $NETNS_UP/$p ]]; then netns_check_down "$p"; else netns_check_up "$p"; fi
}

# netns_follow SECONDS ROUTER... -- PORT...: for SECONDS, flip a port and wait (30 s at most) for
# every ROUTER's table to be exactly the model, again and again; prints the number of flips.
netns_follow() {
    local end=$((SECONDS + $1)) routers=() r n=0
    shift
    while (($#)) && [[ $1 != -- ]]; do routers+=("$1"); shift; done
    shift
    while ((SECONDS < end)); do
        netns_flip "$@"
        for r in "${routers[@]}"; do netns_wait_table "$r" 30; done
        n=$((n + 1))
    done
    echo "$n"
}

netns_elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'; }

netns_stats() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "n=0"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "n=%d median=%.3fs max=%.3fs\n", NR, m, v[NR] }'
}
