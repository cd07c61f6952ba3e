#!/usr/bin/env bash
# The Debian package end to end: configure a Release build of its own with the install rules
# (cmake/Install.cmake), build it, run cpack, install the .deb into the real system with dpkg,
# check the files, the vipd user, --check-config of the shipped configuration, vipctl --help
# and the systemd unit, keep a modified conffile across a reinstall, then remove and purge the
# package and check that everything is gone.
#
# Needs root (exit 77 otherwise) and a machine where vipd is not installed (exit 77 when the
# package or /etc/vipd already exist). Never starts the service. The build directory is kept
# between runs and shared by every build tree's ctest (VIPD_PACKAGE_BUILD_DIR, default
# $VIPD_SOURCE_DIR/build-package), so that only the first run compiles everything (about 15
# minutes on 2 cores); VIPD_PACKAGE_BUILD_MAX_S (1500) bounds the build and VIPD_PACKAGE_JOBS
# (2) sets its parallelism.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$(id -u)" == 0 ]] || skip "needs root: installs a .deb into the system"
require_cmd cmake ninja cpack dpkg dpkg-deb dpkg-query timeout
if ! command -v dpkg-shlibdeps >/dev/null || ! command -v file >/dev/null; then
    skip "needs dpkg-shlibdeps and file (apt-get install dpkg-dev file)"
fi
if dpkg-query -W -f='${Status}' vipd 2>/dev/null | grep -q "ok installed"; then
    skip "the vipd package is already installed here; not touching it"
fi
[[ ! -e /etc/vipd ]] || skip "/etc/vipd exists (a vipd installed by hand?); not touching it"

: "${VIPD_PACKAGE_BUILD_DIR:=$VIPD_SOURCE_DIR/build-package}"
: "${VIPD_PACKAGE_BUILD_MAX_S:=1500}"
: "${VIPD_PACKAGE_JOBS:=2}"
build="$VIPD_PACKAGE_BUILD_DIR"
src="$VIPD_SOURCE_DIR"

user_existed=0
getent passwd vipd >/dev/null && user_existed=1
installed=0
cleanup_package() {
    if [[ "$installed" == 1 ]]; then
        log "cleanup: purging the vipd package"
        dpkg -P vipd >/dev/null 2>&1 || true
    fi
    if [[ "$user_existed" == 0 ]] && getent passwd vipd >/dev/null; then
        userdel vipd >/dev/null 2>&1 || true
        if getent group vipd >/dev/null; then
            groupdel vipd >/dev/null 2>&1 || true
        fi
    fi
}
on_exit cleanup_package

# step NAME TIMEOUT_S CMD...: run CMD with its output in $VIPD_TEST_DIR/NAME.log; on failure
# show the end of that log and fail the test.
step() {
    local name=$1 limit=$2
    shift 2
    if ! DEBIAN_FRONTEND=noninteractive timeout "$limit" "$@" >"$VIPD_TEST_DIR/$name.log" 2>&1
    then
        tail -40 "$VIPD_TEST_DIR/$name.log" >&2
        fail "$name failed (or took over ${limit}s): $*"
    fi
}

# ---- configure, build, package --------------------------------------------------------------
# Under ctest the build being tested already has the install rules (CPackConfig.cmake): package
# exactly those binaries, with no second build. A sanitizer build is not packaged.
if [[ -n "${VIPD_BINARY_DIR:-}" && -f "$VIPD_BINARY_DIR/CMakeCache.txt" ]] &&
    grep -q "^VIPD_SANITIZE:BOOL=ON" "$VIPD_BINARY_DIR/CMakeCache.txt"; then
    skip "sanitizer build: the package is tested with the release build"
fi
if [[ -n "${VIPD_BINARY_DIR:-}" && -f "$VIPD_BINARY_DIR/CPackConfig.cmake" ]] &&
    grep -q "^CMAKE_INSTALL_PREFIX:PATH=/usr$" "$VIPD_BINARY_DIR/CMakeCache.txt"; then
    build="$VIPD_TEST_DIR/package"
    mkdir -p "$build"
    log "running cpack on the tested build $VIPD_BINARY_DIR"
    step cpack 300 cpack -G DEB -B "$build" --config "$VIPD_BINARY_DIR/CPackConfig.cmake"
else
configure=(cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
           -DCMAKE_INSTALL_PREFIX=/usr -DVIPD_TESTS=OFF -DVIPD_BENCH=OFF -DVIPD_WERROR=OFF)
if ! grep -q "cmake/Install.cmake" "$src/CMakeLists.txt"; then
    log "CMakeLists.txt does not include cmake/Install.cmake: using CMAKE_PROJECT_INCLUDE"
    configure+=("-DCMAKE_PROJECT_INCLUDE=$src/cmake/Install.cmake")
fi
log "configuring $build"
step configure 300 "${configure[@]}"
log "building (Release, -j$VIPD_PACKAGE_JOBS, at most ${VIPD_PACKAGE_BUILD_MAX_S}s)"
step build "$VIPD_PACKAGE_BUILD_MAX_S" cmake --build "$build" -j "$VIPD_PACKAGE_JOBS"
rm -f "$build"/vipd_*.deb
log "running cpack"
step cpack 300 cpack -G DEB -B "$build" --config "$build/CPackConfig.cmake"
fi
debs=("$build"/vipd_*.deb)
[[ -f "${debs[0]}" && "${#debs[@]}" == 1 ]] || fail "expected one vipd_*.deb, got: ${debs[*]}"
deb="${debs[0]}"
size=$(stat -c %s "$deb")
log "package: $(basename "$deb"), $size bytes ($(( (size + 1023) / 1024 )) KiB)"
echo "package size: $size bytes ($(basename "$deb"))"

# ---- the package's metadata -----------------------------------------------------------------
info=$(dpkg-deb -I "$deb")
assert_contains "$info" "Package: vipd"
assert_contains "$info" "Maintainer:"
assert_match "$(dpkg-deb -f "$deb" Depends)" "libc6" "Depends (computed by dpkg-shlibdeps)"
assert_contains "$(dpkg-deb -f "$deb" Depends)" "adduser"
# vipd links libssl.so.3 (https checks): dpkg-shlibdeps finds it.
assert_match "$(dpkg-deb -f "$deb" Depends)" "(^|, )libssl3(,|$| )" "Depends on libssl3"
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)
assert_eq "/etc/vipd/vipd.json" "$conffiles" "conffiles"
contents=$(dpkg-deb -c "$deb")
for path in ./usr/sbin/vipd ./usr/bin/vipctl ./etc/vipd/vipd.json \
            ./lib/systemd/system/vipd.service ./usr/share/man/man8/vipd.8.gz \
            ./usr/share/doc/vipd/README.md ./usr/share/doc/vipd/examples/active-active.json \
            ./usr/share/bash-completion/completions/vipctl ./usr/share/bash-completion/completions/vipd \
            ./usr/share/zsh/vendor-completions/_vipctl; do
    assert_contains "$contents" "$path" "package contents"
done

# ---- install --------------------------------------------------------------------------------
log "installing with dpkg -i"
installed=1
step dpkg-install 120 dpkg -i "$deb"
assert_eq "install ok installed" "$(dpkg-query -W -f='${Status}' vipd)" "package status"
for f in /usr/sbin/vipd /usr/bin/vipctl; do
    [[ -x "$f" ]] || fail "$f is missing or not executable"
done
for f in /etc/vipd/vipd.json /lib/systemd/system/vipd.service /usr/share/man/man8/vipd.8.gz \
         /usr/share/doc/vipd/getting-started.md /usr/share/doc/vipd/examples/demo.json; do
    [[ -f "$f" ]] || fail "$f is missing"
done
for page in "$src"/docs/man/*.[1-8]; do
    name=$(basename "$page")
    [[ -f "/usr/share/man/man${name##*.}/$name.gz" ]] || fail "man page $name.gz is not installed"
done
getent passwd vipd >/dev/null || fail "postinst did not create the vipd user"
getent group vipd >/dev/null || fail "postinst did not create the vipd group"

# `vipd --help` names the installed documentation: each file it names is there.
help=$(/usr/sbin/vipd --help)
assert_contains "$help" "/usr/share/doc/vipd/ (configuration.md" "vipd --help names the docs"
for f in configuration.md getting-started.md operations.md troubleshooting.md examples; do
    [[ $help == *"$f"* && -e /usr/share/doc/vipd/$f ]] || fail "vipd --help: /usr/share/doc/vipd/$f"
done

/usr/sbin/vipd --check-config /etc/vipd/vipd.json --print >"$VIPD_TEST_DIR/effective.json" ||
    fail "vipd --check-config /etc/vipd/vipd.json failed"
assert_contains "$(cat "$VIPD_TEST_DIR/effective.json")" '"neighbors": []' "no neighbors shipped"
assert_contains "$(/usr/sbin/vipd --version)" "vipd "
assert_contains "$(/usr/bin/vipctl --help)" "Usage: vipctl"
assert_contains "$(/usr/sbin/vipd --help)" "--check-config"
if command -v systemd-analyze >/dev/null; then
    out=$(systemd-analyze verify /lib/systemd/system/vipd.service 2>&1) ||
        fail "systemd-analyze verify: $out"
    [[ -z "$out" ]] || fail "systemd-analyze verify reported: $out"
fi
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    assert_not_cmd "vipd.service enabled by the package" systemctl is-enabled --quiet vipd
    assert_not_cmd "vipd.service started by the package" systemctl is-active --quiet vipd
fi

# ---- a modified conffile survives a reinstall -------------------------------------------------
echo "// local change by package_test" >>/etc/vipd/vipd.json
step dpkg-reinstall 120 dpkg -i "$deb"
assert_contains "$(cat /etc/vipd/vipd.json)" "local change by package_test" "conffile kept"

# ---- remove, then purge -----------------------------------------------------------------------
log "removing with dpkg -r"
step dpkg-remove 120 dpkg -r vipd
for f in /usr/sbin/vipd /usr/bin/vipctl /lib/systemd/system/vipd.service /usr/share/doc/vipd; do
    [[ ! -e "$f" ]] || fail "$f is still there after dpkg -r"
done
[[ -f /etc/vipd/vipd.json ]] || fail "dpkg -r removed the conffile (only purge should)"
step dpkg-purge 120 dpkg -P vipd
installed=0
[[ ! -e /etc/vipd/vipd.json ]] || fail "/etc/vipd/vipd.json is still there after purge"
if dpkg-query -W -f='${Status}' vipd 2>/dev/null | grep -q "ok installed"; then
    fail "vipd is still installed after purge"
fi
log "ok"
