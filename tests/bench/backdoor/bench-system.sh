#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# System-mode benchmark: one Linux guest (Debian's kernel, busybox
# initramfs) of $BUILD/qemu-build/qemu-system-x86_64 under TCG, with
# -device backdoor and -device edu, runs guest/sysbench.c as root:
#
#   ns per call: plain guest store, backdoor command, edu MMIO write,
#                vmport "in" (port 0x5658)
#   memcpy bandwidth into the data channel and into ordinary guest RAM
#
# and the ratios the project aims at: backdoor / edu write <= 1.0 and
# data channel / RAM >= 0.9.  Figures only; nothing is asserted.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=${BACKDOOR_TOP:-$(cd "$here/../../.." && pwd)}
BUILD=${BUILD:-$top/build}
. "$top/tests/backdoor/linux-guest.sh"

qemu=$BUILD/qemu-build/qemu-system-x86_64
[ -x "$qemu" ] || {
    echo "bench-system: no $qemu: build QEMU first (make)" >&2
    exit 1
}
T=$(mktemp -d "${TMPDIR:-/tmp}/bd-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

kernel=$(guest_kernel) || exit 1
make -s -C "$top/backdoor/guest" CC=cc O="$T/lib" >&2 || exit 1
mkdir -p "$T/root/bin"
cc -static -O2 -Wall -I"$top/backdoor/guest" -o "$T/root/bin/sysbench" \
    "$here/guest/sysbench.c" "$T/lib/libqemu-backdoor-guest.a" || exit 1
echo "sysbench ${BENCH_CALLS:-1000000} ${BENCH_COPIES:-100}" >"$T/script"
guest_initramfs "$T/root" "$T/script" "$T/initrd" || exit 1

# shellcheck disable=SC2054 # the commas belong to QEMU options
args=(-accel tcg,thread=multi -smp 2 -device backdoor,data-size=1M
      -device edu)
echo "# $(basename "$qemu") ${args[*]} (guest: $(basename "$kernel"))"
echo "# $(nproc) host CPUs, $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)"
guest_run "$qemu" "$kernel" "$T/initrd" "$T/log" 600 "${args[@]}" || {
    echo "bench-system: QEMU failed" >&2
    exit 1
}
tr -d '\r' <"$T/log" >"$T/out"
grep '^# ' "$T/out"
val() { sed -n "s/^BENCH $1 \([0-9.]*\) .*/\1/p" "$T/out"; }
store=$(val store) bd=$(val backdoor) edu=$(val edu-write)
vmport=$(val vmport-in) ram=$(val memcpy-ram) data=$(val memcpy-data)
[ -n "$bd" ] && [ -n "$ram" ] && [ -n "$data" ] || {
    echo "bench-system: the guest did not report" >&2
    tail -n 20 "$T/out" >&2
    exit 1
}
printf '%-36s %12s\n' "operation (guest, TCG)" "ns per op"
printf '%-36s %12s\n' "plain store to guest RAM" "$store"
printf '%-36s %12s\n' "backdoor command (qemu_backdoor)" "$bd"
printf '%-36s %12s\n' "edu MMIO write" "${edu:-n/a}"
printf '%-36s %12s\n' "vmport in (port 0x5658)" "${vmport:-n/a}"
printf '%-36s %12s\n' "memcpy into guest RAM" "$ram MiB/s"
printf '%-36s %12s\n' "memcpy into the data channel" "$data MiB/s"
awk -v bd="$bd" -v edu="$edu" -v vm="$vmport" -v st="$store" \
    -v ram="$ram" -v data="$data" 'BEGIN {
    if (edu != "") {
        r = bd / edu
        printf "ratio backdoor / edu write:      %.2f (target <= 1.0: %s)\n",
               r, (r <= 1.0 ? "met" : "MISSED")
    }
    if (vm != "") {
        printf "ratio backdoor / vmport in:      %.2f\n", bd / vm
    }
    printf "ratio backdoor / plain store:    %.1f\n", bd / st
    r = data / ram
    printf "ratio data channel / RAM memcpy: %.2f (target >= 0.9: %s)\n",
           r, (r >= 0.9 ? "met" : "MISSED")
}'
