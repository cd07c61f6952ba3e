#!/usr/bin/env bash
# Recapture tests/data/captured/{bird2,gobgp}.hex from the real daemons (see README.md here).
#
#   tests/data/capture/capture.sh [bird2] [gobgp]     (default: both; ~12 s; loopback only)
#
# For each daemon: start it on loopback with routes carrying MED, prepended AS paths (one with a
# 4-byte ASN), communities, large communities and each ORIGIN; five capture peers (capture.py)
# connect to it; the daemon is then made to withdraw two routes, to send a ROUTE-REFRESH (BIRD only:
# GoBGP has no command that sends one), to answer one (BIRD: enhanced refresh, BoRR/EoRR), and to
# close the sessions in different ways; finally annotate.py writes the recordings as commented
# hex vectors.
#
#   peer       AS     capture.py options             what the daemon sends it
#   127.0.0.3  65010  --enhanced-refresh             OPEN, UPDATEs, End-of-RIB, withdrawals, ROUTE-
#                     --graceful-restart             REFRESH, BoRR/EoRR (BIRD), Cease/admin shutdown
#                                                    with a message (RFC 9003)
#   127.0.0.4  65011  --no-as4                       2-octet AS_PATH + AS4_PATH, Cease/admin reset
#   127.0.0.5  65012  --add-path                     UPDATEs with path identifiers, Cease at daemon stop
#   127.0.0.6  65013  --hold 3 --no-keepalive        NOTIFICATION hold timer expired
#   127.0.0.7  65099  (the daemon expects 65014)     NOTIFICATION OPEN error / bad peer AS
#
# Env: CAPTURE_OUT_DIR (default tests/data/captured), VIPD_KEEP=1 keeps the raw recordings and
# daemon logs (path printed at the end).
set -euo pipefail

if [[ -z "${_CAPTURE_BOUNDED:-}" ]]; then
    # Hard bound on the whole run; the EXIT trap of lib.sh still stops the daemons on SIGTERM.
    _CAPTURE_BOUNDED=1 exec timeout -k 5 90 bash "$0" "$@"
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT_DIR="${CAPTURE_OUT_DIR:-$ROOT/tests/data/captured}"
VIPD_DAEMON_MAX_S=75
. "$ROOT/tests/integration/lib.sh"
require_cmd "$VIPD_PY" bird birdc gobgpd gobgp

STEP_S=8           # bound of each wait for the daemon's reaction
PEER_AS=(65010 65011 65012 65013 65014)
PEERS=(127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7)
LABELS=(a-four-octet-as b-two-octet-as c-add-path d-hold-timer e-bad-peer-as)
NH6=2001:db8::2    # IPv6 next hop (an attribute value only: IPv4 transport)

ROUTES4=(10.0.0.1/32 10.0.1.0/24 10.0.2.0/24)
ROUTES6=(2001:db8:1::1/128 2001:db8:2::/48)
WITHDRAWN4=10.0.9.0/24
WITHDRAWN6=2001:db8:9::/48

status_has() { # status_has SRC LABEL REGEX
    grep -qE -- "$3" "$VIPD_TEST_DIR/$1-$2.status" 2>/dev/null
}

wait_status() { # wait_status SRC LABEL REGEX WHAT
    wait_until "$STEP_S" status_has "$1" "$2" "$3" ||
        fail "$1: peer $2 did not see $4 within ${STEP_S}s; its status: $(tr '\n' '|' <"$VIPD_TEST_DIR/$1-$2.status")"
}

start_captures() { # start_captures SRC DAEMON_ADDR DAEMON_PORT
    local src=$1 addr=$2 port=$3 i opts
    for i in "${!PEERS[@]}"; do
        opts=()
        case ${LABELS[i]} in
        a-*) opts=(--enhanced-refresh --graceful-restart) ;;
        b-*) opts=(--no-as4) ;;
        c-*) opts=(--add-path) ;;
        d-*) opts=(--hold 3 --no-keepalive) ;;
        esac
        local as=${PEER_AS[i]}
        [[ ${LABELS[i]} == e-* ]] && as=65099
        start_daemon "$src-${LABELS[i]}" "$VIPD_PY" "$HERE/capture.py" --connect "$addr:$port" \
            --bind "${PEERS[i]}" --as "$as" --router-id "${PEERS[i]}" --duration 40 "${opts[@]}" \
            --out "$VIPD_TEST_DIR/$src-${LABELS[i]}.jsonl" --status "$VIPD_TEST_DIR/$src-${LABELS[i]}.status"
    done
}

initial_feed() { # initial_feed SRC: every route announced; End-of-RIB on the graceful restart session
    local l p
    for l in a-four-octet-as b-two-octet-as c-add-path; do
        for p in "${ROUTES4[@]}" "$WITHDRAWN4" "${ROUTES6[@]}" "$WITHDRAWN6"; do
            wait_status "$1" "$l" "rx update .*announce.* ${p//./\\.}( |,|\$)" "the announcement of $p"
        done
    done
    # (GoBGP sends End-of-RIB only when graceful restart is negotiated; BIRD always does)
    wait_status "$1" a-four-octet-as "rx update ipv4 end-of-rib" "the IPv4 End-of-RIB"
    wait_status "$1" a-four-octet-as "rx update ipv6 end-of-rib" "the IPv6 End-of-RIB"
    wait_status "$1" e-bad-peer-as "rx notification open-message-error" "an OPEN error NOTIFICATION"
}

withdrawn() { # withdrawn SRC
    local l
    for l in a-four-octet-as b-two-octet-as c-add-path; do
        wait_status "$1" "$l" "rx update .*ipv4 withdraw" "the IPv4 withdrawal"
        wait_status "$1" "$l" "rx update .*ipv6 withdraw" "the IPv6 withdrawal"
    done
}

closed_all() { # closed_all SRC: every capture peer saw its session end
    local l
    for l in "${LABELS[@]}"; do wait_status "$1" "$l" "^[0-9.]+ closed$" "the end of the session"; done
}

# ------------------------------------------------------------------------------------------------

capture_bird() {
    local addr=127.0.0.2 port i conf
    port=$(free_port "$addr")
    conf="$(bird_conf_global --router-id "$addr")
filter capture_out {
  bgp_origin = ORIGIN_IGP;
  if net = 10.0.0.1/32 || net = 2001:db8:1::1/128 then {
    bgp_med = 10; bgp_community.add((65001,100)); bgp_large_community.add((65001,1,2));
  }
  if net = 10.0.1.0/24 || net = 2001:db8:2::/48 then {
    bgp_origin = ORIGIN_INCOMPLETE; bgp_med = 20;
    bgp_path.prepend(65001); bgp_path.prepend(65001);
    bgp_community.add((65001,200)); bgp_community.add((65001,201));
    bgp_large_community.add((65001,2,3)); bgp_large_community.add((4200000001,5,6));
  }
  if net = 10.0.2.0/24 then { bgp_origin = ORIGIN_EGP; bgp_path.prepend(4200000001); }
  accept;
}
$(bird_conf_static s4 --ipv4 "${ROUTES4[@]}")
$(bird_conf_static s6 --ipv6 "${ROUTES6[@]}")
$(bird_conf_static w4 --ipv4 "$WITHDRAWN4")
$(bird_conf_static w6 --ipv6 "$WITHDRAWN6")"
    for i in "${!PEERS[@]}"; do
        local extra=()
        [[ ${LABELS[i]} == c-* ]] && extra=(--add-paths tx)
        conf+=$'\n'"$(bird_conf_bgp "p$i" --local "$addr" --local-port "$port" --local-as 65001 \
            --neighbor "${PEERS[i]}" --peer-as "${PEER_AS[i]}" --passive --export 'filter capture_out' \
            --next-hop6 "$NH6" "${extra[@]}")"
    done
    start_bird bird "$conf"
    start_captures bird2 "$addr" "$port"
    initial_feed bird2
    log "bird: withdraw $WITHDRAWN4 $WITHDRAWN6"
    bird_cli bird disable w4 >/dev/null
    bird_cli bird disable w6 >/dev/null
    withdrawn bird2
    log "bird: reload in (ROUTE-REFRESH to the peer)"
    bird_cli bird reload in p0 >/dev/null
    wait_status bird2 a-four-octet-as "rx route-refresh ipv6" "a ROUTE-REFRESH from BIRD"
    log "bird: answer a ROUTE-REFRESH (enhanced: BoRR ... EoRR)"
    kill -USR1 "$(daemon_pid bird2-a-four-octet-as)"
    wait_status bird2 a-four-octet-as "rx route-refresh ipv6 eorr" "the IPv6 EoRR"
    wait_status bird2 d-hold-timer "rx notification hold-timer-expired" "the hold timer NOTIFICATION"
    log "bird: shutdown with a message, reset, daemon stop"
    bird_cli bird disable p0 '"vipd capture: maintenance"' >/dev/null
    bird_cli bird restart p1 >/dev/null
    wait_status bird2 a-four-octet-as "rx notification" "the shutdown NOTIFICATION"
    wait_status bird2 b-two-octet-as "rx notification" "the reset NOTIFICATION"
    stop_daemon bird
    closed_all bird2
}

capture_gobgp() {
    local addr=127.0.0.8 i conf
    conf="$(gobgp_conf_global --as 65001 --router-id "$addr" --listen "$addr")"
    for i in "${!PEERS[@]}"; do
        local extra=()
        [[ ${LABELS[i]} == a-* ]] && extra=(--graceful-restart)
        [[ ${LABELS[i]} == c-* ]] && extra=(--add-paths-send-max 4)
        conf+=$'\n'"$(gobgp_conf_neighbor --neighbor "${PEERS[i]}" --peer-as "${PEER_AS[i]}" --local "$addr" \
            --passive "${extra[@]}")"
    done
    start_gobgpd gobgp "$conf"
    local port
    port=$(awk '/^  port =/ { print $3 }' "$(daemon_dir gobgp)/gobgpd.toml")
    local G=(gobgp_cli gobgp global rib)
    "${G[@]}" -a ipv4 add 10.0.0.1/32 nexthop "$addr" origin igp med 10 community 65001:100 large-community 65001:1:2
    "${G[@]}" -a ipv4 add 10.0.1.0/24 nexthop "$addr" origin incomplete aspath 65001,65001 med 20 \
        community 65001:200,65001:201 large-community 65001:2:3,4200000001:5:6
    "${G[@]}" -a ipv4 add 10.0.2.0/24 nexthop "$addr" origin egp aspath 4200000001
    "${G[@]}" -a ipv4 add "$WITHDRAWN4" nexthop "$addr" origin igp
    "${G[@]}" -a ipv6 add 2001:db8:1::1/128 nexthop "$NH6" origin igp med 10 community 65001:100 large-community 65001:1:2
    "${G[@]}" -a ipv6 add 2001:db8:2::/48 nexthop "$NH6" origin incomplete aspath 65001,65001 med 20 \
        community 65001:200,65001:201 large-community 65001:2:3,4200000001:5:6
    "${G[@]}" -a ipv6 add "$WITHDRAWN6" nexthop "$NH6" origin igp
    start_captures gobgp "$addr" "$port"
    initial_feed gobgp
    log "gobgp: withdraw $WITHDRAWN4 $WITHDRAWN6"
    "${G[@]}" -a ipv4 del "$WITHDRAWN4"
    "${G[@]}" -a ipv6 del "$WITHDRAWN6"
    withdrawn gobgp
    # (no ROUTE-REFRESH from gobgpd: `gobgp neighbor ADDR softresetin` replays its own Adj-RIB-In)
    log "gobgp: answer a ROUTE-REFRESH"
    kill -USR1 "$(daemon_pid gobgp-a-four-octet-as)"
    wait_status gobgp a-four-octet-as "tx route-refresh ipv6" "our ROUTE-REFRESH to be sent"
    sleep 1 # gobgpd re-sends the routes (identical UPDATEs, deduplicated by annotate.py)
    wait_status gobgp d-hold-timer "rx notification hold-timer-expired" "the hold timer NOTIFICATION"
    log "gobgp: shutdown with a message, reset, daemon stop"
    gobgp_cli gobgp neighbor "${PEERS[0]}" disable --reason "vipd capture: maintenance"
    gobgp_cli gobgp neighbor "${PEERS[1]}" reset
    wait_status gobgp a-four-octet-as "rx notification" "the shutdown NOTIFICATION"
    wait_status gobgp b-two-octet-as "rx notification" "the reset NOTIFICATION"
    stop_daemon gobgp
    closed_all gobgp
}

write_vectors() { # write_vectors SRC DAEMON_TEXT
    local src=$1 files=() notes=() l
    for l in "${LABELS[@]}"; do files+=("$VIPD_TEST_DIR/$src-$l.jsonl"); done
    local a_note="routes withdrawn; the peer sent a ROUTE-REFRESH, the daemon answered"
    [[ $src == bird2 ]] && a_note+=" (BoRR, routes, EoRR) and sent one itself (birdc reload in)"
    notes+=(--session-note "$src-a-four-octet-as.jsonl=$a_note; then an administrative shutdown with a message")
    notes+=(--session-note "$src-b-two-octet-as.jsonl=peer without 4-octet AS capability; routes withdrawn, then an administrative reset")
    notes+=(--session-note "$src-c-add-path.jsonl=peer receives ADD-PATH; routes withdrawn; the daemon is stopped (SIGTERM)")
    notes+=(--session-note "$src-d-hold-timer.jsonl=peer OPEN hold time 3 s and no KEEPALIVE after the first")
    notes+=(--session-note "$src-e-bad-peer-as.jsonl=peer OPEN carries AS 65099, the daemon expects 65014")
    mkdir -p "$OUT_DIR"
    "$VIPD_PY" "$HERE/annotate.py" --source "$src" --daemon "$2" --out "$OUT_DIR/$src.hex" "${notes[@]}" "${files[@]}"
}

pkg_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "?"; }

targets=("$@")
((${#targets[@]})) || targets=(bird2 gobgp)
for t in "${targets[@]}"; do
    case $t in
    bird2)
        capture_bird
        write_vectors bird2 "BIRD $(bird --version 2>&1 | awk '{ print $NF }') (Debian bird2 $(pkg_version bird2))"
        ;;
    gobgp)
        capture_gobgp
        write_vectors gobgp "GoBGP $(gobgpd --version | awk '{ print $NF }') (Debian gobgpd $(pkg_version gobgpd))"
        ;;
    *) fail "unknown target '$t' (bird2, gobgp)" ;;
    esac
done
log "done in ${SECONDS}s"
