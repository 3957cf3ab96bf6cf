#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU's own tests on the patched tree, in the main check configuration:
# the series changes the store code of every TCG target and adds a PCI
# device, so these must pass as they do without it.
#
# - check-tcg for each linux-user target the build has TCG tests for
#   (run-tcg-tests-ARCH-linux-user: QEMU's multiarch and per-target
#   tests, and the backdoor ones);
# - qtests of qemu-system-x86_64 that meet every device (qom-test,
#   device-introspect-test), hotplug and the PCI host bridges.
#
# One line per suite, with its time.  BACKDOOR_QEMU_SUITES=none skips
# them (to run the rest quickly); they are part of make check.

. "$(dirname "$0")/lib.sh"

qtests="qom-test device-introspect-test device-plug-test pvpanic-pci-test
        i440fx-test q35-test ioh3420-test i82801b11-test lpc-ich9-test"

qb=$(qemu_build main)
if [ -z "$qb" ]; then
    not_ok "QEMU's suites (the main configuration was not built)"
    exit 0
fi
if [ "${BACKDOOR_QEMU_SUITES:-}" = none ]; then
    skip "QEMU's suites" "BACKDOOR_QEMU_SUITES=none"
    exit 0
fi

# timed NAME COMMAND...: like check, with the time it took
timed() {
    local name=$1 t0=$SECONDS
    shift
    if "$@" >"$T/out" 2>&1; then
        ok "$name ($((SECONDS - t0)) s)"
    else
        grep -E 'FAIL|Error|error:|not ok' "$T/out" | tail -n 20 | sed 's/^/  /'
        tail -n 5 "$T/out" | sed 's/^/  /'
        not_ok "$name ($((SECONDS - t0)) s)"
    fi
}

for dir in "$qb"/tests/tcg/*-linux-user; do
    [ -f "$dir/config-target.mak" ] || continue
    target=$(basename "$dir")
    timed "check-tcg: $target" make -C "$qb" "run-tcg-tests-$target"
done

for t in $qtests; do
    if [ ! -x "$qb/tests/qtest/$t" ]; then
        not_ok "qtest $t (not built)"
        continue
    fi
    timed "qtest (x86_64): $t" env -C "$qb" \
        QTEST_QEMU_BINARY=./qemu-system-x86_64 \
        timeout -k 5 600 "tests/qtest/$t" --tap -k
done
exit 0
