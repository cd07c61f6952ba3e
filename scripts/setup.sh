#!/usr/bin/env bash
# Installs what vipd's build, tests, demo and benchmarks need on Debian 12, from Debian's
# packages only, when it is missing. Idempotent. Packaged services (bird, haproxy) are not used:
# every test starts its own daemons on loopback and stops them by PID.
set -euo pipefail

PKGS=(
    # build
    cmake ninja-build g++ clang libclang-rt-14-dev pkg-config clang-format
    libboost1.81-dev nlohmann-json3-dev libfmt-dev catch2 libexpected-dev libssl-dev
    libbenchmark-dev
    # real peers and tools used by the tests and the demo
    bird2 gobgpd haproxy python3 netcat-openbsd iproute2 procps curl
    # fault-injection tests: packet loss and delay in the tests' own network namespaces (the
    # kernel may lack sch_netem; iptables' statistic match and NFQUEUE work without it)
    iptables
    # the clock test steps the wall clock of vipd alone (LD_PRELOAD), never the machine's
    libfaketime
    # shell completion test (tests/completion_test.py runs the zsh script)
    zsh
    # the nftables snippet of docs/routers.md is checked with `nft -c` (tests/docs_router_test.py)
    nftables
    # the dns check's real server (authoritative, zone files, runs on a loopback port)
    nsd
    # bench/crash_to_route.sh: the UPDATEs on the wire, with the kernel's time stamps; busybox's
    # httpd, a small service whose exit is quick (SERVICE=busybox)
    tcpdump busybox
    # openssl req: the lazy-OpenSSL test's throw-away certificate
    openssl
    # packaging test (cpack computes Depends with dpkg-shlibdeps)
    dpkg-dev file
    # the status page is checked in headless Chromium
    chromium
)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
# Keep packaged daemons from starting where policy-rc.d allows it: we start our own.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
for svc in bird haproxy gobgpd nsd; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
        echo "setup: note: the packaged $svc service is running; vipd's tests do not need it" >&2
    fi
done
echo "setup: ok"
