#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The delivery tests can fail: run against the "mutant" configuration
# (the test library with its misbehaviours compiled in, see BDT_MUTANT in
# tests/backdoor/testlib/backdoor-test-lib.c), each must FAIL when the
# library drops, repeats or miscounts commands, and pass when it does
# not misbehave (the control run).
#   - user mode: the tests/tcg/backdoor programs of the main build
#     (x86_64), run by the mutant's qemu-x86_64;
#   - system mode: the device's qtest, with the mutant's
#     qemu-system-x86_64.
# A line "ok" here means the tests failed as they should.

. "$(dirname "$0")/lib.sh"

delivery="roundtrip threads fork mappings helpers"
mutants="drop:1 drop:3 dup:3 miscount:3"

main=$(qemu_build main) || true
mutant=$(qemu_build mutant) || true
if [ -z "$main" ] || [ -z "$mutant" ]; then
    not_ok "the delivery tests fail against a misbehaving library" \
        "(main built: ${main:+yes}; mutant built: ${mutant:+yes})"
    exit 0
fi

# user mode
dir=$main/tests/tcg/x86_64-linux-user
progs=()
for t in $delivery; do
    progs+=("backdoor-$t")
done
if ! make -C "$dir" "${progs[@]}" >"$T/make.log" 2>&1; then
    tail -n 10 "$T/make.log" | sed 's/^/  /'
    not_ok "user mode: build the delivery tests in $dir"
    exit 0
fi

# run_user MUTANT TEST: run TEST under the mutant's qemu-x86_64, with
# BDT_MUTANT=MUTANT ("" for none); output in $T/out, status returned
run_user() {
    local bd=$T/bd-$2
    rm -rf "$bd"
    env ${1:+BDT_MUTANT=$1} timeout -k 5 120 "$mutant/qemu-x86_64" \
        -backdoor "$bd" "$dir/backdoor-$2" "$bd" 1048576 >"$T/out" 2>&1
}

for t in $delivery; do
    if run_user "" "$t"; then
        ok "user mode: backdoor-$t passes against the mutant library when it behaves"
    else
        grep -v '^ok' "$T/out" | head -n 5 | sed 's/^/  /'
        not_ok "user mode: backdoor-$t passes against the mutant library when it behaves"
    fi
    for m in $mutants; do
        run_user "$m" "$t"
        code=$?
        n=$(grep -c '^not ok' "$T/out")
        if [ $code != 0 ] && [ "$n" -gt 0 ]; then
            ok "user mode: backdoor-$t fails against $m ($n checks not ok)"
        else
            grep '^not ok\|^SKIP' "$T/out" | head -n 5 | sed 's/^/  /'
            not_ok "user mode: backdoor-$t fails against $m (exit $code, $n checks not ok)"
        fi
    done
done

# system mode: the qtest fails for each misbehaviour (a failed assertion
# ends it); when the library never answers (drop:1), each case that
# involves the library fails on its own (-p CASE), the others pass
qtest=$mutant/tests/qtest/backdoor-test
no_library="pc/ids-and-size q35/ids-and-size data-channel bad-data-size"
no_library+=" migration-blocker property-descriptions"
if [ ! -x "$qtest" ]; then
    not_ok "system mode: the qtest fails against a misbehaving library (no $qtest)"
    exit 0
fi
# run_qtest MUTANT [ARGS]: the qtest's TAP in $T/qtest.tap, status returned
run_qtest() {
    local m=$1
    shift
    (cd "$mutant" && env ${m:+BDT_MUTANT=$m} BACKDOOR_TEST_LIB=1 \
        QTEST_QEMU_BINARY=./qemu-system-x86_64 \
        timeout -k 5 300 "$qtest" --tap "$@") >"$T/qtest.tap" 2>"$T/qtest.err"
}
if run_qtest ""; then
    ok "system mode: the qtest passes against the mutant library when it behaves"
else
    grep '^not ok' "$T/qtest.tap" | head -n 5 | sed 's/^/  /'
    not_ok "system mode: the qtest passes against the mutant library when it behaves"
fi
cases=$(sed -n 's|^ok [0-9]* /x86_64/backdoor/||p' "$T/qtest.tap" | sed 's/ .*//')
for m in $mutants; do
    run_qtest "$m"
    code=$?
    failed=$(sed -n 's|^not ok [0-9]* /x86_64/backdoor/||p' "$T/qtest.tap" |
             sed 's/ .*//')
    if [ $code != 0 ]; then
        ok "system mode: the qtest fails against $m (${failed:-exit $code})"
    else
        not_ok "system mode: the qtest fails against $m"
    fi
done
for c in $cases; do
    run_qtest drop:1 -p "/x86_64/backdoor/$c"
    code=$?
    if [[ " $no_library " = *" $c "* ]]; then
        want="passes against drop:1 (no library involved)" good=0
    else
        want="fails against drop:1" good=1
    fi
    if [ $((code != 0)) = $good ]; then
        ok "system mode: $c $want"
    else
        not_ok "system mode: $c $want (exit $code)"
    fi
done
exit 0
