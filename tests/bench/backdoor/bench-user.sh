#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# User-mode benchmark: $BUILD/qemu-build/qemu-x86_64 -backdoor DIR runs
# guest/userbench.c (x86_64, static):
#
#   ns per op: backdoor call (through qemu_backdoor(), and as one inlined
#              store), next to a plain store, a guest getppid(), a pipe
#              write+read, and a store into the magic page of the TCG
#              plugin peer (magic-store-plugin.c)
#   run time of a store-heavy loop: no channel / channel set up / plugin
#   memcpy bandwidth into the data channel and into ordinary memory
#   backdoor calls per second from 1, 2 and 4 guest threads
#
# and the ratios.  The library that handles the calls is the one the
# build has (configure --with-backdoor=DIR; the default one otherwise).
# Figures only; nothing is asserted.  BENCH_CALLS sets the call count.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=${BACKDOOR_TOP:-$(cd "$here/../../.." && pwd)}
BUILD=${BUILD:-$top/build}
qb=$BUILD/qemu-build
qemu=$qb/qemu-x86_64
n=${BENCH_CALLS:-2000000}

[ -x "$qemu" ] || {
    echo "bench-user: no $qemu: build QEMU first (make)" >&2
    exit 1
}
T=$(mktemp -d "${TMPDIR:-/tmp}/bd-ubench.XXXXXX")
trap 'rm -rf "$T"' EXIT

make -s -C "$top/backdoor/guest" CC=cc O="$T/lib" >&2 || exit 1
cc -static -O2 -Wall -pthread -I"$top/backdoor/guest" -o "$T/userbench" \
    "$here/guest/userbench.c" "$T/lib/libqemu-backdoor-guest.a" || exit 1

plugin=
if grep -q '^CONFIG_PLUGIN=y' "$qb/tests/tcg/config-host.mak" 2>/dev/null &&
    cc -O2 -shared -fPIC -o "$T/libmagic.so" "$here/magic-store-plugin.c" \
        -I"$BUILD/qemu-src/include/qemu" $(pkg-config --cflags glib-2.0) \
        2>"$T/plugin.log"; then
    plugin=$T/libmagic.so,page=0x200000000
else
    echo "bench-user: no TCG plugin peer (plugins disabled or no compiler)" >&2
fi

lib=$(sed -n 's/^ *backdoor library *: //p' "$qb/configure.log" 2>/dev/null)
echo "# $(basename "$qemu") -backdoor DIR userbench (library: ${lib:-?})"
echo "# $(nproc) host CPUs, $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)"

# run NAME QEMU-ARGS...: the guest's BENCH lines, prefixed with NAME
run() {
    local name=$1
    shift
    "$qemu" "$@" 2>>"$T/qemu.log" | sed -n "s/^BENCH /$name /p"
}
run ops -backdoor "$T/bd" "$T/userbench" ops "$T/bd" "$n" >"$T/out"
if [ -n "$plugin" ]; then
    run plugin -plugin "$plugin" -d plugin -D "$T/plugin.out" \
        "$T/userbench" magic x "$n" >>"$T/out"
fi
# the loops alternate, best of seven each, to even out the machine's noise
for _ in 1 2 3 4 5 6 7; do
    run loop-none "$T/userbench" loop >>"$T/out"
    run loop-channel -backdoor "$T/bd" "$T/userbench" loop "$T/bd" >>"$T/out"
    if [ -n "$plugin" ]; then
        run loop-plugin -plugin "$plugin" "$T/userbench" loop >>"$T/out"
    fi
done

# val RUN NAME: the figure; for the loops, the best of the runs
val() {
    awk -v r="$1" -v k="$2" '$1 == r && $2 == k {
        if (best == "" || $3 < best) best = $3 } END { print best }' "$T/out"
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'
}
store=$(val ops store) call=$(val ops call) inl=$(val ops inline)
ppid=$(val ops getppid) pipe=$(val ops pipe) magic=$(val plugin magic)
[ -n "$call" ] || {
    echo "bench-user: the guest did not report" >&2
    tail -n 20 "$T/qemu.log" >&2
    exit 1
}
printf '%-44s %10s %10s\n' "operation (qemu-x86_64 guest)" "ns/op" "x call"
for row in "backdoor call, qemu_backdoor()|$call" \
           "backdoor call, one inlined store|$inl" \
           "plain store|$store" "getppid()|$ppid" "pipe write+read|$pipe" \
           "plugin peer: store into its magic page|${magic:-n/a}"; do
    printf '%-44s %10s %10s\n' "${row%%|*}" "${row#*|}" \
        "$(ratio "${row#*|}" "$call")"
done
echo
none=$(val loop-none loop) chan=$(val loop-channel loop)
plug=$(val loop-plugin loop)
printf '%-44s %10s %10s\n' "store-heavy loop (64 Mi stores)" "ms" "x none"
printf '%-44s %10s %10s\n' "no channel" "$none" "1.00"
printf '%-44s %10s %10s\n' "channel set up (-backdoor, one call)" "$chan" \
    "$(ratio "$chan" "$none")"
printf '%-44s %10s %10s\n' "under the plugin peer" "${plug:-n/a}" \
    "$(ratio "$plug" "$none")"
echo
ram=$(val ops memcpy-ram) data=$(val ops memcpy-data)
printf '%-44s %10s %10s\n' "memcpy, 64 KiB blocks" "MiB/s" "x RAM"
printf '%-44s %10s %10s\n' "into ordinary memory" "$ram" "1.00"
printf '%-44s %10s %10s\n' "into the data channel" "$data" \
    "$(ratio "$data" "$ram")"
echo
t1=$(val ops threads-1)
printf '%-44s %10s %10s\n' "backdoor calls from guest threads" "calls/s" "x 1"
for t in 1 2 4; do
    v=$(val ops threads-$t)
    printf '%-44s %10.0f %10s\n' "$t thread(s)" "$v" "$(ratio "$v" "$t1")"
done
echo
echo "ratios: call / plugin peer = $(ratio "$inl" "$magic") (inlined store)," \
    "$(ratio "$call" "$magic") (qemu_backdoor());" \
    "loop with channel / without = $(ratio "$chan" "$none");" \
    "call / getppid = $(ratio "$call" "$ppid")"
