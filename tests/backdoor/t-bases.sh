#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The series on the QEMU releases other than the one make check tests in
# full (build-aux/qemu-pins/: 10.0 and 10.2; $QEMU_BASE, else the
# default, is tested in full): for each, the main and default
# configurations (the test library; the built-in one) are built in
# $BACKDOOR_CHECK_DIR/qemu-BASE/, and the tests whose subject differs
# between releases run on them: the qtest, the linux-user tcg tests, the
# Linux guests (x86_64, aarch64) and the exported series (checkpatch, git
# am).  Each of their lines is prefixed with the release.
#
# BACKDOOR_OTHER_BASE_TESTS overrides the list of tests.

. "$(dirname "$0")/lib.sh"

pins=$BACKDOOR_TOP/build-aux/qemu-pins
tested=${QEMU_BASE:-$(cat "$pins/default")}
read -r -a tests <<<"${BACKDOOR_OTHER_BASE_TESTS:-t-qtest.sh t-tcg.sh t-linux-guest.sh t-linux-guest-aarch64.sh t-series.sh}"

for pin in "$pins"/*; do
    base=$(basename "$pin")
    [ "$base" != default ] && [ "$base" != "$tested" ] || continue
    dir=$BACKDOOR_CHECK_DIR/qemu-$base
    mkdir -p "$dir"
    QEMU_BASE=$base BACKDOOR_CHECK_DIR=$dir BACKDOOR_BUILDS="main default" \
        "$TESTS_DIR/run-tests.sh" "${tests[@]}" >"$T/out" 2>&1
    status=$?
    sed -n -e "s/^ok - \(.*\)$/ok - QEMU $base: \1/p" \
        -e "s/^not ok - \(.*\)$/not ok - QEMU $base: \1/p" "$T/out"
    summary=$(tail -n 1 "$T/out")
    echo "QEMU $base: $summary"
    if [ $status -ne 0 ]; then
        grep '^# FAILED' "$T/out" | sed "s/^/QEMU $base: /"
    fi
done
