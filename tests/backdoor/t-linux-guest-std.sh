#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The standard commands in a Linux guest of qemu-system-x86_64 (the
# "default" build, the built-in library), beyond what t-linux-guest.sh
# runs (GUEST_ARCH=aarch64: of qemu-system-aarch64 -M virt):
#
#  - regions of interest count guest instructions where QEMU counts them,
#    i.e. under -icount: a loop of a known number of instructions between
#    ROI_BEGIN and ROI_END (tests/backdoor/guest/std-icount.c) must count
#    at least that many, and not wildly more; QEMU's report at exit gives
#    the total.  Without -icount there is no count, and QEMU says so.
#  - a user other than root reaches the channel once the administrator
#    applied the udev rule (backdoor/guest/60-qemu-backdoor.rules) and put
#    the user in its group: the busybox initramfs has no udev, so
#    tests/backdoor/guest/udev-apply.sh applies the rule the way udev
#    would.  A user outside the group gets a clear error and exit status.

. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/linux-guest.sh"

rules=$BACKDOOR_TOP/backdoor/guest/60-qemu-backdoor.rules
apply=$TESTS_DIR/guest/udev-apply.sh

# the rule file: udev's own check where there is one, else our reader
# (once, in the x86_64 run)
[ "${GUEST_ARCH:-x86_64}" != x86_64 ] || {
if command -v udevadm >/dev/null && udevadm verify --help >/dev/null 2>&1; then
    check "udevadm verify 60-qemu-backdoor.rules" udevadm verify "$rules"
else
    skip "udevadm verify 60-qemu-backdoor.rules" "no udevadm verify here"
fi
check "60-qemu-backdoor.rules parses (udev-apply.sh -n)" sh "$apply" -n "$rules"
printf '%s\n' 'SUBSYSTEM=="pci", OWNER="nobody"' >"$T/bad.rules"
if sh "$apply" -n "$T/bad.rules" 2>/dev/null; then
    not_ok "udev-apply.sh refuses a key it does not know"
else
    ok "udev-apply.sh refuses a key it does not know"
fi
}

# GUEST_ARCH=aarch64 (t-linux-guest-aarch64.sh): the same on
# qemu-system-aarch64 -M virt
arch=${GUEST_ARCH:-x86_64}
guest_cc=$(guest_cc) || {
    not_ok "linux guest: no guest architecture $arch"
    exit 0
}
qb=$(qemu_build default) || true
tool=$BACKDOOR_CHECK_DIR/default/guest/$arch/qemu-backdoor
lib=$(guest_lib "$arch" default)
if [ -z "$qb" ] || [ ! -x "$qb/qemu-system-$arch" ] || [ ! -x "$tool" ]; then
    not_ok "standard commands in a Linux guest (no default build)"
    exit 0
fi
if ! kernel=$(guest_kernel 2>"$T/kernel.err"); then
    not_ok "standard commands in a Linux guest (no guest kernel: $(tail -n 1 "$T/kernel.err"))"
    exit 0
fi
root=$T/root
mkdir -p "$root/bin" "$root/etc"
cp "$tool" "$root/bin/qemu-backdoor"
cp "$rules" "$root/etc/"
cp "$apply" "$root/bin/udev-apply.sh"
check "guest program build: std-icount" \
    "$guest_cc" -static -O2 -Wall -I"$BACKDOOR_TOP/backdoor/guest" \
    -o "$root/bin/std-icount" "$TESTS_DIR/guest/std-icount.c" "$lib" ||
    exit 0
# root, alice (in the group qemu-backdoor) and bob (not in it)
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/:/bin/sh
alice:x:1000:1000:alice:/tmp:/bin/sh
bob:x:1001:1001:bob:/tmp:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
qemu-backdoor:x:900:alice
alice:x:1000:
bob:x:1001:
EOF

# iterations of std-icount's two-instruction loop
n=5000000
cat >"$T/script" <<EOF
cd /tmp
chmod 1777 /tmp
std-icount $n; echo "BDEXIT std-icount \$?"
qemu-backdoor roi begin; echo "BDEXIT roi-begin \$?"
echo "ROIEND \$(qemu-backdoor roi end)"
su alice -c 'qemu-backdoor print alice before the rule'
echo "BDEXIT alice-before \$?"
sh /bin/udev-apply.sh /etc/60-qemu-backdoor.rules; echo "BDEXIT udev-apply \$?"
for d in /sys/bus/pci/devices/*; do
    [ "\$(cat \$d/vendor):\$(cat \$d/device)" = 0x1b36:0x0015 ] &&
        echo "PERMS \$(stat -c '%a %U:%G' \$d/resource0 \$d/resource2 | tr '\n' ' ')"
done
su alice -c 'id; qemu-backdoor print hello from alice'
echo "BDEXIT alice \$?"
su bob -c 'qemu-backdoor print hello from bob'
echo "BDEXIT bob \$?"
EOF
if ! guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err"; then
    not_ok "initramfs: $(tail -n 1 "$T/initrd.err")"
    exit 0
fi

# with -icount: one vCPU thread runs the vCPUs in turn and counts
log=$T/console.log
guest_run "$qb/qemu-system-$arch" "$kernel" "$T/initrd" "$log" 300 \
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

# a user other than root
grep -q '^BDEXIT alice-before 3$' "$T/console" &&
    grep -q 'the backdoor device is not accessible' "$T/console" &&
    ok "non-root: refused before the rule (exit status 3, a clear message)" ||
    not_ok "non-root: refused before the rule (exit status 3, a clear message)"
grep -q '^BDEXIT udev-apply 0$' "$T/console" &&
    grep -q '^PERMS 660 root:qemu-backdoor 660 root:qemu-backdoor $' "$T/console" &&
    ok "non-root: the rule gives the group qemu-backdoor the device's files" ||
    { grep '^PERMS' "$T/console" | sed 's/^/  /'
      not_ok "non-root: the rule gives the group qemu-backdoor the device's files"; }
grep -q '^uid=1000(alice) gid=1000(alice) groups=.*900(qemu-backdoor)' \
    "$T/console" && grep -q '^BDEXIT alice 0$' "$T/console" &&
    grep -q '^hello from alice$' "$T/qemu.out" &&
    ok "non-root: a member of the group sends a command (print reaches QEMU)" ||
    not_ok "non-root: a member of the group sends a command (print reaches QEMU)"
grep -q '^BDEXIT bob 3$' "$T/console" &&
    ! grep -q 'hello from bob' "$T/qemu.out" &&
    ok "non-root: a user outside the group is refused (exit status 3)" ||
    not_ok "non-root: a user outside the group is refused (exit status 3)"
! grep -q 'alice before the rule' "$T/qemu.out" &&
    ok "non-root: nothing reached QEMU before the rule" ||
    not_ok "non-root: nothing reached QEMU before the rule"

# without -icount: no count, and the report says where there is one
cat >"$T/script" <<EOF
std-icount 1000; echo "BDEXIT std-icount \$?"
EOF
rm -f "$log"
guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err" &&
    guest_run "$qb/qemu-system-$arch" "$kernel" "$T/initrd" "$log" 300 \
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
