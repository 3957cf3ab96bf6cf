#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# System-mode benchmark: a Linux guest (Debian's kernel, busybox
# initramfs) of $BUILD/qemu-build/qemu-system-x86_64, with -device
# backdoor (the test library, see run-bench.sh) and -device edu, runs
# guest/sysbench.c as root on 4 vCPUs (MTTCG):
#
#   ns per call: plain guest store, backdoor command, edu MMIO write,
#                vmport "in" (port 0x5658)
#   backdoor calls per second from 1, 2 and 4 guest threads, each on a
#   vCPU of its own
#   records per second, batched and one command per record
#   memcpy bandwidth into the data channel and into ordinary guest RAM
#
# The guest measures everything in turn, BENCH_ROUNDS times (default 10);
# the table gives medians and spreads (min-max) of the rounds, and each
# ratio is the median of the per-round ratios.  Three boots: the library
# serialised, then in parallel mode (BDT_PARALLEL=1), then in parallel
# mode on 2 vCPUs, for the calls from threads only: in the 4-vCPU guest
# the idle vCPUs take some of the host's CPUs from the busy ones.  Under
# TCG; and again under KVM when /dev/kvm works.  Figures only; nothing is
# asserted.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=${BACKDOOR_TOP:-$(cd "$here/../../.." && pwd)}
BUILD=${BUILD:-$top/build}
. "$top/tests/backdoor/linux-guest.sh"
. "$here/stats.sh"

qemu=$BUILD/qemu-build/qemu-system-x86_64
[ -x "$qemu" ] || {
    echo "bench-system: no $qemu: build QEMU first" >&2
    exit 1
}
T=$(mktemp -d "${TMPDIR:-/tmp}/bd-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

kernel=$(guest_kernel) || exit 1
make -s -C "$top/backdoor/guest" CC=cc O="$T/lib" >&2 || exit 1
mkdir -p "$T/root/bin"
cc -static -O2 -Wall -pthread -I"$top/backdoor/guest" \
    -I"$top/tests/backdoor/testlib" -o "$T/root/bin/sysbench" \
    "$here/guest/sysbench.c" "$T/lib/libqemu-backdoor-guest.a" || exit 1
args="${BENCH_CALLS:-200000} ${BENCH_COPIES:-100} ${BENCH_ROUNDS:-10}"
echo "sysbench $args" >"$T/script"
guest_initramfs "$T/root" "$T/script" "$T/initrd" || exit 1
echo "sysbench $args threads" >"$T/script-threads"
guest_initramfs "$T/root" "$T/script-threads" "$T/initrd-threads" || exit 1

# boot NAME ACCEL PARALLEL [VCPUS INITRD]: one guest run (4 vCPUs, all the
# figures by default), with BDT_PARALLEL=PARALLEL; "ROUND NAME.KEY VALUE"
# lines into $BENCH_OUT
boot() {
    local name=$1 accel=$2
    # shellcheck disable=SC2054 # the commas belong to QEMU options
    (export BDT_PARALLEL=$3
     guest_run "$qemu" "$kernel" "${5:-$T/initrd}" "$T/log" 900 \
         -accel "$accel" -smp "${4:-4}" -device backdoor,data-size=1M \
         -device edu) \
        >"$T/qemu.log" 2>&1 || {
        echo "bench-system: QEMU failed ($name, $accel)" >&2
        tail -n 5 "$T/qemu.log" >&2
        return 1
    }
    tr -d '\r' <"$T/log" | tee "$T/console" |
        sed -n "s/^BENCH \\([0-9]*\\) \\([^ ]*\\) \\([^ ]*\\) .*/\\1 $name.\\2 \\3/p" \
        >>"$BENCH_OUT"
    grep '^# ' "$T/console" || true
}

# table ACCEL: boot twice under ACCEL and print the figures
table() {
    local accel=$1
    BENCH_OUT=$T/out-${accel%%,*}
    : >"$BENCH_OUT"
    echo "# $(basename "$qemu") -accel $accel -smp 4 -device backdoor" \
         "-device edu (guest: $(basename "$kernel"))"
    echo "# $(nproc) host CPUs, $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)"
    boot serial "$accel" 0 && boot parallel "$accel" 1 &&
        boot parallel2 "$accel" 1 2 "$T/initrd-threads" || return 1
    grep -q ' serial.backdoor ' "$BENCH_OUT" || {
        echo "bench-system: the guest did not report" >&2
        tail -n 20 "$T/console" >&2
        return 1
    }
    bench_head "ns per operation (guest, ${accel%%,*})"
    bench_row "plain store to guest RAM" serial.store
    bench_row "backdoor command (qemu_backdoor)" serial.backdoor
    bench_row "backdoor command, parallel mode" parallel.backdoor
    bench_row "backdoor command (qemu_backdoor_call)" serial.backdoor-call
    bench_row "edu MMIO write" serial.edu-write
    bench_row "vmport in (port 0x5658)" serial.vmport-in
    bench_row "backdoor / vmport in (goal <= 1)" serial.backdoor \
        serial.vmport-in
    bench_row "backdoor / edu write" serial.backdoor serial.edu-write
    echo
    bench_head "calls per second from guest threads"
    for t in 1 2 4; do
        bench_row "$t thread(s) on $t vCPU(s), serialised" serial.threads-$t
        bench_row "$t thread(s) on $t vCPU(s), parallel mode" \
            parallel.threads-$t
    done
    bench_row "2 vCPUs / 1, parallel" parallel.threads-2 parallel.threads-1
    bench_row "1 thread on 1 vCPU, parallel, 2-vCPU guest" \
        parallel2.threads-1
    bench_row "2 threads on 2 vCPUs, parallel, 2-vCPU guest" \
        parallel2.threads-2
    bench_row "2 vCPUs / 1, parallel, 2-vCPU guest (goal >= 1.8)" \
        parallel2.threads-2 parallel2.threads-1
    bench_row "2 vCPUs / 1, serialised" serial.threads-2 serial.threads-1
    echo
    bench_head "records of 16 bytes per second"
    bench_row "one command per record (written in place)" serial.records-call
    bench_row "batched, in place (qemu_backdoor_batch_reserve)" \
        serial.records-batch
    bench_row "batched, by copy (qemu_backdoor_batch_add)" serial.records-copy
    bench_row "batched / one command per record (goal >= 20)" \
        serial.records-batch serial.records-call
    echo
    bench_head "memcpy, MiB/s (one run per boot)"
    bench_row "into guest RAM" serial.memcpy-ram
    bench_row "into the data channel" serial.memcpy-data
    bench_row "data channel / RAM (goal >= 0.9)" serial.memcpy-data \
        serial.memcpy-ram
}

status=0
table tcg,thread=multi || status=1
# KVM where it works: /dev/kvm, and a guest that boots under it within a
# minute (a nested KVM can hang)
echo
echo 'echo KVM-BOOTED' >"$T/probe-script"
if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
    guest_initramfs "$T/probe" "$T/probe-script" "$T/probe.img" &&
    guest_run "$qemu" "$kernel" "$T/probe.img" "$T/probe.log" 60 \
        -accel kvm >/dev/null 2>&1 &&
    grep -q KVM-BOOTED "$T/probe.log"; then
    table kvm || status=1
else
    echo "# KVM: no /dev/kvm here that boots a guest; on a machine with" \
         "one, this prints the same table under KVM"
fi
exit $status
