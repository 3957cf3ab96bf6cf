#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A short fuzzing run in make check: tests/backdoor/fuzz.sh builds
# qemu-fuzz-x86_64 (clang, libFuzzer, ASan, UBSan, the test library) in
# $BACKDOOR_CHECK_DIR/fuzz and runs QEMU's generic-fuzz over the backdoor
# device's BARs for BACKDOOR_FUZZ_TIME seconds (default 60; 0 skips the
# build and the run).  Any crash fails; the reproducer stays in
# $BACKDOOR_CHECK_DIR/fuzz/crashes/.
# make fuzz is the long run.

. "$(dirname "$0")/lib.sh"

dir=$BACKDOOR_CHECK_DIR/fuzz
time=${BACKDOOR_FUZZ_TIME:-60}
if [ "$time" = 0 ]; then
    skip "fuzz the backdoor device" "BACKDOOR_FUZZ_TIME=0"
    exit 0
fi
if ! command -v clang >/dev/null; then
    not_ok "build the fuzzer (no clang: build-aux/setup-host.sh fuzz installs it)"
    exit 0
fi

t0=$SECONDS
if FUZZ_SKIP_SETUP=1 "$TESTS_DIR/fuzz.sh" --build-only "$dir" >"$T/build.out" 2>&1; then
    ok "build qemu-fuzz-x86_64 (clang, ASan, UBSan) ($((SECONDS - t0)) s)"
else
    tail -n 20 "$T/build.out" | sed 's/^/  /'
    not_ok "build qemu-fuzz-x86_64 (clang, ASan, UBSan)"
    exit 0
fi

if FUZZ_SKIP_SETUP=1 "$TESTS_DIR/fuzz.sh" --time="$time" "$dir" >"$T/fuzz.out" 2>&1; then
    sed -e '/^==> /d' -e 's/^/  /' "$T/fuzz.out"
    figures=$(sed -n -e 's/^executions: \([0-9]*\) in .*(\(.*\))$/\1 runs, \2/p' \
        -e 's/^coverage: \(cov [0-9]* ft [0-9]*\).*/\1/p' "$T/fuzz.out" |
        paste -s -d';' - | sed 's/;/, /g')
    ok "generic-fuzz over the backdoor device, $time s, no crash ($figures)"
else
    sed -e '/^==> /d' -e 's/^/  /' "$T/fuzz.out" | tail -n 40
    not_ok "generic-fuzz over the backdoor device, $time s, no crash"
fi
exit 0
