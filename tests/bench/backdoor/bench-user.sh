#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# User-mode benchmark: $BUILD/qemu-build/qemu-x86_64 -backdoor DIR runs
# guest/userbench.c (x86_64, static) against the test library
# (tests/backdoor/testlib, which run-bench.sh builds in), serialised and
# in parallel mode (BDT_PARALLEL=1: the library asks for
# QEMU_BACKDOOR_F_PARALLEL):
#
#   ns per call: through qemu_backdoor() and as one inlined store, next
#                to a store into the magic page of the TCG plugin peer
#                (magic-store-plugin.c), a plain store, getppid(), a pipe
#   run time of a store-heavy loop: no channel / channel set up / plugin
#   calls per second from 1, 2 and 4 guest threads, both modes
#   records per second, batched and one command per record
#   memcpy bandwidth into the data channel and into ordinary memory
#
# The runs that are compared take turns, BENCH_ROUNDS times (default 10);
# the table gives the median of the rounds and their spread (min-max),
# and each ratio is the median of the per-round ratios.  Figures only;
# nothing is asserted.  BENCH_CALLS sets the call count of a run.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=${BACKDOOR_TOP:-$(cd "$here/../../.." && pwd)}
BUILD=${BUILD:-$top/build}
qb=$BUILD/qemu-build
qemu=$qb/qemu-x86_64
n=${BENCH_CALLS:-1000000}
rounds=${BENCH_ROUNDS:-10}

[ -x "$qemu" ] || {
    echo "bench-user: no $qemu: build QEMU first" >&2
    exit 1
}
T=$(mktemp -d "${TMPDIR:-/tmp}/bd-ubench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$here/stats.sh"
BENCH_OUT=$T/out

make -s -C "$top/backdoor/guest" CC=cc O="$T/lib" >&2 || exit 1
cc -static -O2 -Wall -pthread -I"$top/backdoor/guest" \
    -I"$top/tests/backdoor/testlib" -o "$T/userbench" \
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

echo "# $(basename "$qemu") -backdoor DIR userbench, the test library;" \
     "$rounds rounds"
echo "# $(nproc) host CPUs, $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)"

# run ROUND NAME [VAR=VALUE...] -- QEMU-ARGS...: "ROUND NAME.FIGURE VALUE"
# lines from the guest's BENCH lines
run() {
    local round=$1 name=$2
    shift 2
    local env=()
    while [ "$1" != -- ]; do
        env+=("$1")
        shift
    done
    shift
    env "${env[@]}" "$qemu" "$@" 2>>"$T/qemu.log" |
        sed -n "s/^BENCH \\([^ ]*\\) \\([^ ]*\\) .*/$round $name.\\1 \\2/p"
}
bd=$T/bd
run 0 ops -- -backdoor "$bd" "$T/userbench" ops "$bd" "$n" >>"$T/out"
for r in $(seq "$rounds"); do
    run "$r" serial -- -backdoor "$bd" "$T/userbench" calls "$bd" "$n"
    run "$r" parallel BDT_PARALLEL=1 -- \
        -backdoor "$bd" "$T/userbench" calls "$bd" "$n"
    if [ -n "$plugin" ]; then
        run "$r" plugin -- -plugin "$plugin" "$T/userbench" magic x "$n"
    fi
    run "$r" none -- "$T/userbench" loop
    run "$r" channel -- -backdoor "$bd" "$T/userbench" loop "$bd"
    if [ -n "$plugin" ]; then
        run "$r" plugin -- -plugin "$plugin" "$T/userbench" loop
    fi
    run "$r" serial -- -backdoor "$bd" "$T/userbench" threads "$bd" "$n"
    run "$r" parallel BDT_PARALLEL=1 -- \
        -backdoor "$bd" "$T/userbench" threads "$bd" "$n"
    run "$r" serial -- -backdoor "$bd" "$T/userbench" batch "$bd" $((4 * n))
done >>"$T/out"
grep -q '^1 serial.call ' "$T/out" || {
    echo "bench-user: the guest did not report" >&2
    tail -n 20 "$T/qemu.log" >&2
    exit 1
}

bench_head "ns per operation (qemu-x86_64 guest)"
bench_row "backdoor call, qemu_backdoor(), serialised" serial.call
bench_row "backdoor call, qemu_backdoor(), parallel mode" parallel.call
bench_row "backdoor call, one inlined store, serialised" serial.inline
bench_row "backdoor call, one inlined store, parallel" parallel.inline
bench_row "plugin peer: store into its magic page" plugin.magic
bench_row "plain store (one run)" ops.store
bench_row "getppid() (one run)" ops.getppid
bench_row "pipe write+read (one run)" ops.pipe
echo
bench_head "ratios (median of the rounds' ratios)"
bench_row "call, parallel / plugin peer (goal <= 2)" parallel.call plugin.magic
bench_row "call, serialised / plugin peer" serial.call plugin.magic
bench_row "inlined store, parallel / plugin peer" parallel.inline plugin.magic
bench_row "loop with channel / without (goal <= 1.01)" channel.loop none.loop
bench_row "loop under the plugin peer / without" plugin.loop none.loop
echo
bench_head "calls per second from guest threads"
for t in 1 2 4; do
    bench_row "$t thread(s), serialised" serial.threads-$t
    bench_row "$t thread(s), parallel mode" parallel.threads-$t
done
bench_row "2 threads / 1, parallel (goal >= 1.8)" parallel.threads-2 \
    parallel.threads-1
bench_row "2 threads / 1, serialised" serial.threads-2 serial.threads-1
echo
bench_head "records of 16 bytes per second"
bench_row "one command per record (written in place)" serial.records-call
bench_row "batched, in place (qemu_backdoor_batch_reserve)" \
    serial.records-batch
bench_row "batched, by copy (qemu_backdoor_batch_add)" serial.records-copy
bench_row "batched / one command per record (goal >= 20)" serial.records-batch \
    serial.records-call
echo
printf '%-46s %12s\n' "memcpy, 64 KiB blocks, MiB/s (one run)" ""
printf '%-46s %12s\n' "into ordinary memory" "$(bench_stat ops.memcpy-ram | cut -d' ' -f1)"
printf '%-46s %12s\n' "into the data channel" "$(bench_stat ops.memcpy-data | cut -d' ' -f1)"
