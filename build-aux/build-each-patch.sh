#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check that every patch of the series builds, and with --test that the
# tests each patch's tree holds pass:
#
#   build-aux/build-each-patch.sh [--test] SERIES_DIR [WORK_DIR]
#
# SERIES_DIR is the output of make series (its git tree is
# SERIES_DIR/qemu).  The tree is cloned to WORK_DIR/qemu-src, Debian's
# tarball fix (patches/tarball) is applied on top, and after each commit
# of the series the emulators are built incrementally in
# WORK_DIR/qemu-build (configured once, with ./configure's defaults and no
# --with-backdoor, so that the built-in library is used).  Prints one line
# per commit; exit status 0 when all built.
#
# --test: once a patch adds the test library (tests/backdoor/testlib), the
# build is configured again with it compiled in, and after each build the
# tests the tree has by then run: the device's qtest and the linux-user
# TCG tests of tests/tcg/backdoor (x86_64).  The line then ends with
# "tests: N passed, M failed"; exit status 0 when all built and passed.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
testing=no
if [ "${1:-}" = --test ]; then
    testing=yes
    shift
fi
series=$(cd "$1" && pwd)
work=${2:-$top/build/each-patch}
mkdir -p "$work"
work=$(cd "$work" && pwd)
src=$work/qemu-src
qb=$work/qemu-build
export CCACHE_BASEDIR=$work CCACHE_NOHASHDIR=1

rm -rf "$src" "$qb"
git clone -q "$series/qemu" "$src"
cd "$src"
base=$(git rev-list --max-parents=0 HEAD)
commits=$(git rev-list --reverse "$base..HEAD")
git checkout -q "$base"
patch -p1 -s <"$top"/patches/tarball/*.patch

# the defaults ./configure passes, as it prints them
mapfile -t defaults < <("$top/configure" --help |
                        sed -n '/^Defaults passed/,${/^  /s/^  //p}')
mkdir -p "$qb"
(cd "$qb" && "$src/configure" "${defaults[@]}") >"$work/configure.log" 2>&1

# run_tests LOG: the tests of the checked-out tree; prints "N passed, M
# failed" and fails when one did
run_tests() {
    local log=$1 passed=0 failed=0 t name
    : >"$log"
    if [ -f tests/qtest/backdoor-test.c ]; then
        (cd "$qb" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
            BACKDOOR_TEST_LIB=$testlib timeout -k 5 300 \
            tests/qtest/backdoor-test --tap -k) >>"$log" 2>&1 ||
            failed=$((failed + 1))
        passed=$((passed + $(grep -c '^ok ' "$log" || true)))
        failed=$((failed + $(grep -c '^not ok ' "$log" || true)))
    fi
    if [ -f tests/tcg/backdoor/Makefile.target ] &&
            [ -d "$qb/tests/tcg/x86_64-linux-user" ]; then
        for t in tests/tcg/backdoor/backdoor-*.c; do
            name=$(basename "$t" .c)
            if make -C "$qb/tests/tcg/x86_64-linux-user" "run-$name" \
                    >>"$log" 2>&1; then
                passed=$((passed + 1))
            else
                failed=$((failed + 1))
                echo "FAILED: $name" >>"$log"
            fi
        done
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

testlib=0
status=0
for c in $commits; do
    git -c advice.detachedHead=false checkout -q "$c"
    if [ $testing = yes ] && [ $testlib = 0 ] &&
            [ -d tests/backdoor/testlib ]; then
        # from here on, the test library the tests expect
        testlib=1
        (cd "$qb" && "$src/configure" "${defaults[@]}" \
            --with-backdoor="$src/tests/backdoor/testlib") \
            >>"$work/configure.log" 2>&1
    fi
    goals="qemu-system-x86_64 qemu-x86_64 qemu-aarch64"
    [ -f tests/qtest/backdoor-test.c ] && goals="$goals tests/qtest/backdoor-test"
    t0=$(date +%s)
    subject=$(git log -1 --format=%s "$c")
    if ! (cd "$qb" && ninja $goals) >"$work/build-$c.log" 2>&1; then
        echo "FAILS:  $subject (log: $work/build-$c.log)"
        status=1
        continue
    fi
    line="builds: $subject ($(($(date +%s) - t0)) s)"
    if [ $testing = yes ]; then
        # the firmware the qtest's PC machine needs (as make does)
        "$top/build-aux/link-firmware.sh" "$qb"
        t0=$(date +%s)
        if result=$(run_tests "$work/test-$c.log"); then
            line="$line; tests: $result ($(($(date +%s) - t0)) s)"
        else
            line="FAILS:  $subject: tests: $result (log: $work/test-$c.log)"
            status=1
        fi
    fi
    echo "$line"
done
exit $status
