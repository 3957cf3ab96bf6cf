#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The standard commands in a Linux guest of qemu-system-x86_64 (the
# "default" build, the built-in library), beyond what t-linux-guest.sh
# runs:
#
#  - regions of interest count guest instructions where QEMU counts them,
#    i.e. under -icount: a loop of a known number of instructions between
#    ROI_BEGIN and ROI_END (tests/backdoor/guest/std-icount.c) must count
#    at least that many, and not wildly more; QEMU's report at exit gives
#    the total.  Without -icount there is no count, and QEMU says so.

. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/linux-guest.sh"

qb=$(qemu_build default) || true
tool=$BACKDOOR_CHECK_DIR/default/guest/x86_64/qemu-backdoor
lib=$(guest_lib x86_64 default)
if [ -z "$qb" ] || [ ! -x "$qb/qemu-system-x86_64" ] || [ ! -x "$tool" ]; then
    not_ok "standard commands in a Linux guest (no default build)"
    exit 0
fi
if ! kernel=$(guest_kernel 2>"$T/kernel.err"); then
    not_ok "standard commands in a Linux guest (no guest kernel: $(tail -n 1 "$T/kernel.err"))"
    exit 0
fi
root=$T/root
mkdir -p "$root/bin"
cp "$tool" "$root/bin/qemu-backdoor"
check "guest program build: std-icount" \
    cc -static -O2 -Wall -I"$BACKDOOR_TOP/backdoor/guest" \
    -o "$root/bin/std-icount" "$TESTS_DIR/guest/std-icount.c" "$lib" ||
    exit 0

# iterations of std-icount's two-instruction loop
n=5000000
cat >"$T/script" <<EOF
cd /tmp
std-icount $n; echo "BDEXIT std-icount \$?"
qemu-backdoor roi begin; echo "BDEXIT roi-begin \$?"
echo "ROIEND \$(qemu-backdoor roi end)"
EOF
if ! guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err"; then
    not_ok "initramfs: $(tail -n 1 "$T/initrd.err")"
    exit 0
fi

# with -icount: one vCPU thread runs the vCPUs in turn and counts
log=$T/console.log
guest_run "$qb/qemu-system-x86_64" "$kernel" "$T/initrd" "$log" 300 \
    -accel tcg -icount shift=0 -device backdoor >"$T/qemu.out" 2>&1
status=$?
tr -d '\r' <"$log" >"$T/console"
if [ $status = 0 ] && grep -q '^GUEST-DONE' "$T/console"; then
    ok "-icount: QEMU ran the guest and exited cleanly"
else
    tail -n 10 "$T/qemu.out" "$T/console" | sed 's/^/  /'
    not_ok "-icount: QEMU ran the guest and exited cleanly (status $status)"
fi
sed -n 's/^\(std-icount: .*\)$/guest: \1/p; s/^\(ROIEND .*\)$/guest: \1/p' \
    "$T/console"
grep '^qemu-backdoor: roi: ' "$T/qemu.out" | sed 's/^/host: /'

# the loop's 2n instructions, plus the few of the calls around it and
# what interrupts run meanwhile: at most 2n + 2n/4 + 1000000
line=$(grep '^std-icount: ' "$T/console")
insns=$(sed -n 's/.*, \([0-9]*\) instructions, .*/\1/p' <<<"$line")
lo=$((2 * n)) hi=$((2 * n + n / 2 + 1000000))
if [ -n "$insns" ] && [ "$insns" -ge $lo ] && [ "$insns" -le $hi ]; then
    ok "-icount: ROI_END counts the loop's $lo instructions ($insns)"
else
    not_ok "-icount: ROI_END counts the loop's $lo instructions (got '${insns:-none}', want $lo..$hi)"
fi
features=$(sed -n 's/^std-icount: features \(0x[0-9a-f]*\),.*/\1/p' <<<"$line")
if [ -n "$features" ] && (( features & (1 << 62) )); then
    ok "-icount: the version query announces the instruction count"
else
    not_ok "-icount: the version query announces the instruction count (${features:-none})"
fi
# "roi end" prints the region's nanoseconds and instructions
if grep -Eq '^ROIEND [0-9]+ [1-9][0-9]*$' "$T/console"; then
    ok "-icount: qemu-backdoor roi end prints the region's instructions"
else
    not_ok "-icount: qemu-backdoor roi end prints the region's instructions"
fi
# the report at exit: both regions, the instructions of both
total=$(sed -n 's/^qemu-backdoor: roi: 2 regions, [0-9.]* s host time, \([0-9]*\) guest instructions$/\1/p' \
    "$T/qemu.out")
if [ -n "$total" ] && [ -n "$insns" ] && [ "$total" -gt "$insns" ]; then
    ok "-icount: QEMU reports the regions' guest instructions at exit ($total)"
else
    grep 'roi' "$T/qemu.out" | sed 's/^/  /'
    not_ok "-icount: QEMU reports the regions' guest instructions at exit"
fi

# without -icount: no count, and the report says where there is one
cat >"$T/script" <<EOF
std-icount 1000; echo "BDEXIT std-icount \$?"
EOF
rm -f "$log"
guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err" &&
    guest_run "$qb/qemu-system-x86_64" "$kernel" "$T/initrd" "$log" 300 \
        -accel tcg -device backdoor >"$T/qemu.out" 2>&1
tr -d '\r' <"$log" >"$T/console" 2>/dev/null
if grep -q '^std-icount: .*, - instructions, ' "$T/console" &&
    grep -q '^qemu-backdoor: roi: 1 region, [0-9.]* s host time (guest instructions are counted with -icount, under TCG)$' \
        "$T/qemu.out"; then
    ok "no -icount: no instruction count, and the report says why"
else
    grep -h 'std-icount\|roi' "$T/console" "$T/qemu.out" | sed 's/^/  /'
    not_ok "no -icount: no instruction count, and the report says why"
fi
exit 0
