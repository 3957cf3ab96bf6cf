#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The linux-user backdoor tests (tests/tcg/backdoor) through QEMU's TCG
# test machinery, against the main check build (built with the test
# library): one line per test and guest architecture.
#
#   make -C BUILD/tests/tcg/ARCH-linux-user run-backdoor-TEST
#
# The main build has the test library: a test that skips fails.  The
# specification's guest example is taken from the specification beside
# the repository (BACKDOOR_SEED); its test is skipped without it.

. "$(dirname "$0")/lib.sh"

tests="roundtrip roundtrip-64k threads threads-parallel fork mappings misuse
       helpers noinit
       churn hostile sites batch slots slots-parallel
       startup seed"
seed=${BACKDOOR_SEED:-$BACKDOOR_TOP/../shared/seed/backdoor-2011.txt}

qb=$(qemu_build main)
for arch in x86_64 aarch64 i386 s390x riscv64; do
    dir=$qb/tests/tcg/$arch-linux-user
    if [ -z "$qb" ] || [ ! -f "$dir/config-target.mak" ]; then
        for t in $tests; do
            not_ok "$arch: backdoor-$t (no TCG tests for $arch-linux-user" \
                "in the main build: QEMU's configure found no compiler)"
        done
        continue
    fi
    for t in $tests; do
        name="$arch: backdoor-$t"
        rm -f "$dir/backdoor-$t.out"
        if [ "$t" = seed ] && [ ! -f "$seed" ]; then
            skip "$name" "the specification is not beside the repository"
            continue
        fi
        # the specification's example is a test of this project's only
        extra=()
        [ "$t" = seed ] && extra=(-f Makefile -f "$TESTS_DIR/seed-example.mak"
                                  BACKDOOR_SEED="$seed")
        if out=$(make -C "$dir" "${extra[@]}" "run-backdoor-$t" 2>&1); then
            if grep -q '^SKIP' "$dir/backdoor-$t.out" 2>/dev/null; then
                # the main build has the test library: nothing may skip
                not_ok "$name ($(grep -m1 '^SKIP' "$dir/backdoor-$t.out"))"
            else
                n=$(grep -c '^ok' "$dir/backdoor-$t.out" 2>/dev/null | grep -v '^0$')
                ok "$name${n:+ ($n checks)}"
            fi
        else
            {
                printf '%s\n' "$out" | tail -n 5
                grep -v '^ok' "$dir/backdoor-$t.out" 2>/dev/null
            } | sed 's/^/  /'
            not_ok "$name"
        fi
    done
done
exit 0
