#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run QEMU's qtest for the backdoor device (tests/qtest/backdoor-test.c)
# against the "main" configuration (the test library compiled in), and
# against the other check configurations that were built (there the
# checks that need the test library are skipped); one line per case.

. "$(dirname "$0")/lib.sh"

# run_qtest NAME: run the qtest of configuration NAME
run_qtest() {
    local name=$1 qb bin status
    qb=$(qemu_build "$name") || true
    if [ -z "$qb" ] || [ ! -x "$qb/qemu-system-x86_64" ]; then
        skip "$name: backdoor-test" "the $name configuration was not built"
        return
    fi
    bin=$qb/tests/qtest/backdoor-test
    if [ ! -x "$bin" ]; then
        # "make all" builds it; build it here if someone built less
        check "$name: build tests/qtest/backdoor-test" \
            ninja -C "$qb" tests/qtest/backdoor-test || return
    fi
    # a hang fails instead of blocking
    (cd "$qb" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
        timeout -k 5 300 "$bin" --tap -k) >"$T/$name.tap" 2>"$T/$name.err"
    status=$?
    sed -n -e "s|^ok [0-9]* \\(.*\\) # SKIP *\\(.*\\)\$|ok - $name: \\1 # SKIP \\2|p" \
        -e "/# SKIP/!s|^ok [0-9]* \\(.*\\)\$|ok - $name: \\1|p" \
        -e "s|^not ok [0-9]* \\(.*\\)\$|not ok - $name: \\1|p" "$T/$name.tap"
    if [ $status -eq 0 ] && grep -q '^ok ' "$T/$name.tap"; then
        ok "$name: backdoor-test ran to the end"
    else
        tail -n 20 "$T/$name.err" | sed 's/^/  /'
        not_ok "$name: backdoor-test ran to the end (status $status)"
    fi
}

run_qtest main
for name in default; do
    # the other configuration with a system emulator (seed has none)
    [ -d "$BACKDOOR_CHECK_DIR/$name" ] && run_qtest "$name"
done
exit 0
