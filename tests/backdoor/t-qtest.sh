#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run QEMU's qtest for the backdoor device (tests/qtest/backdoor-test.c)
# against the "main" configuration (the test library compiled in), and
# turn its TAP output into one line per test case.

. "$(dirname "$0")/lib.sh"

qb=$(qemu_build main) || true
if [ -z "$qb" ] || [ ! -x "$qb/qemu-system-x86_64" ]; then
    skip "qtest backdoor-test" "the main configuration was not built"
    exit 0
fi
bin=$qb/tests/qtest/backdoor-test
if [ ! -x "$bin" ]; then
    # "make all" builds it; build it here if someone built less
    check "build tests/qtest/backdoor-test" \
        ninja -C "$qb" tests/qtest/backdoor-test || exit 0
fi

# a hang fails instead of blocking
(cd "$qb" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
    timeout -k 5 300 "$bin" --tap -k) >"$T/tap" 2>"$T/err"
status=$?

sed -n -e 's/^ok [0-9]* \(.*\) # SKIP *\(.*\)$/ok - \1 # SKIP \2/p' \
    -e '/# SKIP/!s/^ok [0-9]* \(.*\)$/ok - \1/p' \
    -e 's/^not ok [0-9]* \(.*\)$/not ok - \1/p' "$T/tap"
if [ $status -eq 0 ] && grep -q '^ok ' "$T/tap"; then
    ok "backdoor-test ran to the end"
else
    tail -n 20 "$T/err" | sed 's/^/  /'
    not_ok "backdoor-test ran to the end (status $status)"
fi
exit 0
