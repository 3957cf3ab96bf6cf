#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run QEMU's qtest for the backdoor device (tests/qtest/backdoor-test.c)
# against the "main" configuration (the test library compiled in), and
# against the other check configurations with a system emulator; one line
# per case.  Whether a configuration has the test library is read from
# its configuration (config.mak) and given to the qtest
# (BACKDOOR_TEST_LIB=1), which then runs the library's checks; nothing
# is skipped.

. "$(dirname "$0")/lib.sh"

# run_qtest NAME: run the qtest of configuration NAME
run_qtest() {
    local name=$1 qb bin status lib testlib=0
    qb=$(qemu_build "$name") || true
    if [ -z "$qb" ] || [ ! -x "$qb/qemu-system-x86_64" ]; then
        not_ok "$name: backdoor-test (the $name configuration was not built)"
        return
    fi
    bin=$qb/tests/qtest/backdoor-test
    # up to date even where a configuration was built with fewer goals
    # (an old binary would test old sources)
    check "$name: build tests/qtest/backdoor-test" \
        ninja -C "$qb" tests/qtest/backdoor-test || return
    lib=$(sed -n 's/^BACKDOOR_LIB=//p' "$(dirname "$qb")/config.mak")
    [ "$lib" = "$TESTS_DIR/testlib" ] && testlib=1
    # a hang fails instead of blocking
    (cd "$qb" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
        BACKDOOR_TEST_LIB=$testlib timeout -k 5 300 "$bin" --tap -k) \
        >"$T/$name.tap" 2>"$T/$name.err"
    status=$?
    # a skip is a failure: nothing here may skip
    sed -n -e "s|^ok [0-9]* \\(.*\\) # SKIP *\\(.*\\)\$|not ok - $name: \\1 (skipped: \\2)|p" \
        -e "/# SKIP/!s|^ok [0-9]* \\(.*\\)\$|ok - $name: \\1|p" \
        -e "s|^not ok [0-9]* \\(.*\\)\$|not ok - $name: \\1|p" "$T/$name.tap"
    if [ $status -eq 0 ] && grep -q '^ok ' "$T/$name.tap"; then
        ok "$name: backdoor-test ran to the end"
    else
        tail -n 20 "$T/$name.err" | sed 's/^/  /'
        not_ok "$name: backdoor-test ran to the end (status $status)"
    fi
    if [ $testlib = 1 ]; then
        check "$name: the test library's cases ran" \
            grep -q '^ok [0-9]* /x86_64/backdoor/library/' "$T/$name.tap"
    fi
}

run_qtest main
# the other configuration with a system emulator (seed has none)
[ -d "$BACKDOOR_CHECK_DIR/default" ] && run_qtest default
exit 0
