#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs dependencies, builds with
# -Werror and runs every test (unit + integration with real bird2/gobgpd/haproxy on loopback),
# rebuilds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the same tests, and runs
# the BGP decoder and DNS answer fuzzers for a bounded time. The sanitizer tree builds at lower
# priority while the release tree's integration tests run, and the fuzzers build and run at lower
# priority while the ASan tests run (integration tests mostly wait on peers and timers).
# Ends with one summary line "tests: N passed, N failed".
# A skipped test counts as failed unless declared (run_ctest's arguments); each module must have
# at least its MIN_TESTS.
#   FUZZ_SECONDS=60 FUZZ_DNS_SECONDS=30 (fuzzer times)   SKIP_ASAN=1   SKIP_FUZZ=1   JOBS=N
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_DNS_SECONDS=${FUZZ_DNS_SECONDS:-30}
LOGDIR=$ROOT/build/logs
passed=0
failed=0
skipped=0
# phase NAME: a "== NAME" line with the seconds since the start, so CI's log shows where the
# time goes.
phase() { echo "== $* (at $SECONDS s)"; }

scripts/setup.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
mkdir -p "$LOGDIR"

# At least this many tests per module (ctest name prefix): a module whose tests stop being
# discovered fails the run instead of passing with fewer tests.
MIN_TESTS="bgp:200 health:60 announce:55 cli:150 integration:13"

# check_counts NAME BUILD_DIR: every module has at least its MIN_TESTS.
check_counts() {
    local name=$1 dir=$2 entry module min n
    for entry in $MIN_TESTS; do
        module=${entry%%:*} min=${entry#*:}
        n=$(ctest --test-dir "$dir" -N | grep -cE "Test +#[0-9]+: $module:" || true)
        if ((n < min)); then
            echo "!! ctest ($name): $n $module tests, fewer than the $min expected"
            failed=$((failed + 1))
        fi
    done
}

# run_ctest NAME BUILD_DIR [DECLARED_SKIP...]: adds ctest's counts to the totals. A test that
# skips fails the run unless it is one of DECLARED_SKIP (a skip here means something CI can run
# did not run: Chromium failing its probe, no network namespaces, ...).
run_ctest() {
    local name=$1 dir=$2 log=$LOGDIR/ctest-$1.log
    shift 2
    local declared=("$@") t d ok
    phase "ctest ($name)"
    # -j cores + 1: the integration tests run in two lanes, one test at a time in each
    # (RESOURCE_LOCK, tests/CMakeLists.txt), and mostly wait on peers and timers; the unit tests
    # take the other slots.
    ctest --test-dir "$dir" --output-on-failure --timeout 600 -j"$((JOBS + 1))" 2>&1 |
        tee "$log"
    local line total nfail
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -z "$line" ]; then
        echo "!! ctest ($name) printed no summary"
        failed=$((failed + 1))
        return
    fi
    nfail=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    nskip=$(grep -cE '^[[:space:]]*[0-9]+ - .*\(Skipped\)$' "$log" || true)
    passed=$((passed + total - nfail - nskip))
    failed=$((failed + nfail))
    skipped=$((skipped + nskip))
    while read -r t; do
        ok=0
        for d in "${declared[@]}"; do [[ $t == "$d" ]] && ok=1; done
        if ((ok == 0)); then
            echo "!! ctest ($name): '$t' skipped; only declared skips may (see its SKIP line above)"
            failed=$((failed + 1))
        fi
    done < <(sed -nE 's/^[[:space:]]*[0-9]+ - (.*) \(Skipped\)$/\1/p' "$log")
    check_counts "$name" "$dir"
}

# build NAME BUILD_DIR CMAKE_ARGS...: configure + build; a failed build counts as one failure.
build() {
    local name=$1 dir=$2
    shift 2
    phase "build ($name)"
    if cmake -S . -B "$dir" -G Ninja "$@" >"$LOGDIR/configure-$name.log" 2>&1 &&
        cmake --build "$dir" -j"$JOBS" >"$LOGDIR/build-$name.log" 2>&1; then
        return 0
    fi
    echo "!! build ($name) failed; see $LOGDIR/configure-$name.log and build-$name.log"
    tail -n 40 "$LOGDIR/configure-$name.log" "$LOGDIR/build-$name.log"
    failed=$((failed + 1))
    return 1
}

# run_fuzzers: the BGP decoder fuzzer for FUZZ_SECONDS from a seed corpus of the test vectors,
# then the DNS answer fuzzer for FUZZ_DNS_SECONDS; one "pass|fail NAME" line each to
# $LOGDIR/fuzz-results. (Runs in the background job, so it counts nothing itself.)
run_fuzzers() {
    local corpus=build/fuzz/corpus dns_corpus=build/fuzz/dns-corpus name
    rm -rf "$corpus" "$dns_corpus" && mkdir -p "$corpus" "$dns_corpus"
    if ! python3 tests/fuzz/make_seeds.py --source . --out "$corpus" >"$LOGDIR/fuzz-seeds.log" 2>&1; then
        echo "!! the fuzzer's seed corpus could not be made:"
        tail -20 "$LOGDIR/fuzz-seeds.log"
        echo "fail seeds" >>"$LOGDIR/fuzz-results"
        return
    fi
    for name in decode dns; do
        local seconds=$FUZZ_SECONDS dir=$ROOT/$corpus
        [ "$name" = dns ] && seconds=$FUZZ_DNS_SECONDS dir=$ROOT/$dns_corpus
        phase "fuzz ($name, ${seconds}s)"
        if (cd build/fuzz && "./tests/fuzz/vipd_${name}_fuzzer" -max_total_time="$seconds" \
            -print_final_stats=1 -rss_limit_mb=2048 "$dir") >"$LOGDIR/fuzz-$name.log" 2>&1; then
            tail -5 "$LOGDIR/fuzz-$name.log"
            echo "pass $name" >>"$LOGDIR/fuzz-results"
        else
            echo "!! the $name fuzzer found a crash (artifact in build/fuzz):"
            tail -60 "$LOGDIR/fuzz-$name.log"
            echo "fail $name" >>"$LOGDIR/fuzz-results"
        fi
    done
}

asan_args=(-DVIPD_SANITIZE=ON -DVIPD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1")
# The ASan tree: no -Werror (GCC 12 reports false positives in <regex> under ASan; warnings were
# already checked by the release build). -O0: a third less compile time than -O1 (the ASan tree
# is the longest phase); the tests wait on timers and peers, not on the CPU.

release_ok=0
build release build/ci -DVIPD_WERROR=ON -DCMAKE_BUILD_TYPE=Release -DVIPD_BENCH=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr && release_ok=1

# The ASan tree builds at lower priority while the release tree's tests run: its integration
# tests wait on real peers and timers and leave much of the CPU idle, and the build takes what is
# left.
asan_pid=""
if [ "${SKIP_ASAN:-0}" != 1 ]; then
    phase "build (asan), in the background"
    (
        renice -n 10 -p "$BASHPID" >/dev/null 2>&1 || true
        build asan build/asan "${asan_args[@]}"
    ) >"$LOGDIR/build-asan.out" 2>&1 &
    asan_pid=$!
fi
[ "$release_ok" = 1 ] && run_ctest release build/ci
if [ -n "$asan_pid" ]; then
    phase "waiting for the asan build"
    wait "$asan_pid"
    asan_built=$?
    phase "asan build finished"
fi
# The fuzzers' tree (clang) builds, and the fuzzers then run, at lower priority while the ASan
# tests run (the integration tests mostly wait on peers and timers). The background job writes
# one "pass NAME" or "fail NAME" line per fuzzer to $LOGDIR/fuzz-results.
fuzz_pid=""
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    phase "build and run (fuzz), in the background"
    rm -f "$LOGDIR/fuzz-results"
    (
        renice -n 10 -p "$BASHPID" >/dev/null 2>&1 || true
        CXX=clang++ build fuzz build/fuzz -DVIPD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo || exit 2
        run_fuzzers
    ) >"$LOGDIR/fuzz.out" 2>&1 &
    fuzz_pid=$!
fi
if [ -n "$asan_pid" ]; then
    if [ "$asan_built" = 0 ]; then
        # Declared skip: the package is built and installed from the release tree only.
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
            run_ctest asan build/asan "integration: package_test"
    else
        cat "$LOGDIR/build-asan.out"
        failed=$((failed + 1))
    fi
fi

if [ -n "$fuzz_pid" ]; then
    phase "waiting for the fuzzers"
    wait "$fuzz_pid"
    fuzz_status=$?
    cat "$LOGDIR/fuzz.out"
    if [ "$fuzz_status" = 2 ] || [ ! -s "$LOGDIR/fuzz-results" ]; then
        echo "!! the fuzzers did not build or run (see above)"
        failed=$((failed + 1))
    fi
    [ -f "$LOGDIR/fuzz-results" ] && while read -r result name; do
        if [ "$result" = pass ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    done <"$LOGDIR/fuzz-results"
fi

phase "end"
[ "$skipped" = 0 ] || echo "($skipped skipped, declared: see the SKIP lines above)"
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
