#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End to end, system mode: boot Debian's kernel with a busybox initramfs
# under qemu-system-x86_64 -device backdoor (TCG, 2 vCPUs, the "main"
# build with the test library) and run guest programs linked against
# libqemu-backdoor-guest.a as root: the specification's guest example,
# then tests/backdoor/guest/bdguest.c's checks.  Every guest check
# becomes one TAP line here.  Then the guest tool qemu-backdoor with the
# built-in library's standard commands (the "default" build).
#
# GUEST_ARCH=aarch64 (t-linux-guest-aarch64.sh) runs the same under
# qemu-system-aarch64 -M virt with Debian's arm64 kernel, less the parts
# that only x86 has (q35; a second serial port for the truncation test).

. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/linux-guest.sh"

arch=${GUEST_ARCH:-x86_64}
guest_cc=$(guest_cc) || {
    not_ok "linux guest: no guest architecture $arch"
    exit 0
}
qb=$(qemu_build main) || true
lib=$(guest_lib "$arch" main)
qemu=${qb:+$qb/qemu-system-$arch}
if [ -z "$qb" ] || [ ! -x "$qemu" ] || [ ! -f "$lib" ]; then
    not_ok "linux guest (the main configuration was not built)"
    exit 0
fi
if ! kernel=$(guest_kernel 2>"$T/kernel.err"); then
    not_ok "linux guest (no guest kernel: $(tail -n 1 "$T/kernel.err"))"
    exit 0
fi

cflags=(-static -O2 -Wall -I"$BACKDOOR_TOP/backdoor/guest"
        -I"$TESTS_DIR/testlib")
root=$T/root
mkdir -p "$root/bin"

# the library fails cleanly where there is no device (this host)
check "guest library build: bdguest" \
    "$guest_cc" "${cflags[@]}" -o "$root/bin/bdguest" "$TESTS_DIR/guest/bdguest.c" \
    "$lib" -lpthread || exit 0
if [ "$arch" != "$(uname -m)" ]; then
    : # the ENODEV check runs on this host, with the host's programs
elif lspci -n 2>/dev/null | grep -qi '1b36:0015'; then
    skip "no device: ENODEV" "this machine has a backdoor device"
else
    check "no device: qemu_backdoor_init fails with ENODEV" \
        "$root/bin/bdguest" nodev
fi

seed=no
if "$TESTS_DIR/seed-example.sh" /tmp/my-backdoor-guest.c "$T/seed.c" \
    2>"$T/seed.err"; then
    check "guest library build: the specification's guest example" \
        "$guest_cc" "${cflags[@]}" -o "$root/bin/seed-example" "$T/seed.c" "$lib" &&
        seed=yes
else
    skip "the specification's guest example" "the specification is not there"
fi

# the checks, in this order (the seed check wants to be first)
cat >"$T/script" <<EOF
cd /tmp
if [ $seed = yes ]; then
    seed-example; echo "BDEXIT seed-example \$?"
    bdguest seed; echo "BDEXIT seed \$?"
fi
bdguest basics; echo "BDEXIT basics \$?"
bdguest xor; echo "BDEXIT xor \$?"
bdguest seq 100000; echo "BDEXIT seq \$?"
bdguest procs 2000 4; echo "BDEXIT procs \$?"
bdguest threads 2000 4; echo "BDEXIT threads \$?"
bdguest memory; echo "BDEXIT memory \$?"
bdguest set-reg; echo "BDEXIT set-reg \$?"
bdguest nonroot; echo "BDEXIT nonroot \$?"
bdguest decode-off; echo "BDEXIT decode-off \$?"
bdguest batch; echo "BDEXIT batch \$?"
bdguest slots 5000 4; echo "BDEXIT slots \$?"
EOF
nexits=$(grep -c BDEXIT "$T/script")
[ $seed = yes ] || nexits=$((nexits - 2))

if ! guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err"; then
    not_ok "initramfs: $(tail -n 1 "$T/initrd.err")"
    exit 0
fi

log=$T/console.log
guest_run "$qemu" "$kernel" "$T/initrd" "$log" 300 \
    -accel tcg,thread=multi -smp 2 \
    -device backdoor,data-size=1M >"$T/qemu.out" 2>&1
status=$?
if [ $status -eq 0 ]; then
    ok "QEMU ran the guest and exited cleanly"
else
    sed 's/^/  /' "$T/qemu.out" | tail -n 10
    not_ok "QEMU ran the guest and exited cleanly (status $status)"
fi
# the test library's qemu_backdoor_exit() prints one line, at exit
n=$(grep -c '^bdt-exit: ' "$T/qemu.out")
[ "$n" = 1 ] && ok "the library's qemu_backdoor_exit() ran once at exit" ||
    not_ok "the library's qemu_backdoor_exit() ran $n times"

tr -d '\r' <"$log" >"$T/console"
grep -q '^GUEST-DONE' "$T/console" && ok "the guest ran every check" || {
    tail -n 30 "$T/console" | sed 's/^/  /'
    not_ok "the guest ran every check"
}
if [ $seed = yes ]; then
    if grep -q '^sending cmd: 0xcafe data: 0xbabe' "$T/console"; then
        ok "seed example: ran and sent its command"
    else
        not_ok "seed example: ran and sent its command"
    fi
fi
sed -n 's/^BDTEST ok \(.*\)$/ok - \1/p; s/^BDTEST not ok \(.*\)$/not ok - \1/p' \
    "$T/console"
sed -n 's/^# \(.*\)$/guest: \1/p' "$T/console"
if [ "$(grep -c '^BDEXIT' "$T/console")" -eq "$nexits" ] &&
    ! grep '^BDEXIT' "$T/console" | grep -vq ' 0$'; then
    ok "every guest program exited with status 0"
else
    grep '^BDEXIT' "$T/console" | sed 's/^/  /'
    not_ok "every guest program exited with status 0"
fi

# short_boot LABEL NEXITS QEMU_ARGS...: boot the guest with $T/script
# (2 vCPUs, MTTCG) and report as LABEL whether it ran, each of its checks,
# and whether its NEXITS programs exited with status 0; GUEST_MACHINE
# and the library's BDT_* settings come from the environment
short_boot() {
    local label=$1 nexits=$2
    shift 2
    rm -f "$log" "$T/console"
    if guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err" &&
        guest_run "$qemu" "$kernel" "$T/initrd" "$log" 300 \
            -accel tcg,thread=multi -smp 2 "$@" >"$T/qemu.out" 2>&1 &&
        tr -d '\r' <"$log" >"$T/console" &&
        grep -q '^GUEST-DONE' "$T/console"; then
        ok "$label: QEMU ran the guest"
    else
        tail -n 10 "$T/qemu.out" "$T/console" 2>/dev/null | sed 's/^/  /'
        not_ok "$label: QEMU ran the guest"
    fi
    touch "$T/console"
    sed -n -e "s/^BDTEST ok \(.*\)\$/ok - $label: \1/p" \
        -e "s/^BDTEST not ok \(.*\)\$/not ok - $label: \1/p" \
        -e "s/^# \(.*\)\$/guest: $label: \1/p" "$T/console"
    if [ "$(grep -c '^BDEXIT .* 0$' "$T/console")" -eq "$nexits" ]; then
        ok "$label: every guest program exited with status 0"
    else
        not_ok "$label: every guest program exited with status 0"
    fi
}

# Parallel mode (BDT_PARALLEL=1: the test library asks for it), with a
# thread on each of the 2 vCPUs.  QEMU 10.2 lets the device's calls run
# without the BQL, so two calls meet inside the library; QEMU 10.0 takes
# the BQL for every MMIO access, so they cannot, and the check says so.
if [ "$(qemu_base_of "$qb")" = 10.0 ]; then
    parallel=serialised
else
    parallel=parallel
fi
cat >"$T/script" <<EOF
cd /tmp
bdguest $parallel 20000 2; echo "BDEXIT $parallel \$?"
bdguest slots 5000 4; echo "BDEXIT slots \$?"
EOF
BDT_PARALLEL=1 short_boot "parallel library" 2 -device backdoor

# exit() in a parallel library's callback while the other vCPU's call
# reads MMIO guest memory, which needs the BQL that QEMU's exit path
# holds: QEMU exits with exit()'s status, 9, instead of hanging (until
# the timeout, status 124), and the library's exit callback runs once.
# QEMU 10.0 runs every MMIO access under the BQL, so the two calls cannot
# overlap there: the library exits with 99, once the read has ended.
want=9
[ "$(qemu_base_of "$qb")" != 10.0 ] || want=99
cat >"$T/script" <<EOF
bdguest exit-mmio 9; echo "BDEXIT exit-mmio \$?"
EOF
rm -f "$log" "$T/console"
if guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err"; then
    BDT_PARALLEL=1 BDT_EXIT=1 guest_run "$qemu" "$kernel" "$T/initrd" \
        "$log" 150 -accel tcg,thread=multi -smp 2 -device backdoor \
        -device pci-testdev >"$T/qemu.out" 2>&1
    status=$?
else
    status="no initramfs: $(tail -n 1 "$T/initrd.err")"
fi
touch "$log"
tr -d '\r' <"$log" >"$T/console"
sed -n -e 's/^BDTEST ok \(.*\)$/ok - \1/p' \
    -e 's/^BDTEST not ok \(.*\)$/not ok - \1/p' "$T/console"
if [ "$status" = $want ] && grep -q '^# exit-mmio: exit(9)' "$T/console"; then
    ok "exit() in a callback while another vCPU's call reads MMIO: QEMU exits with $want"
else
    tail -n 10 "$T/qemu.out" "$T/console" 2>/dev/null | sed 's/^/  /'
    not_ok "exit() in a callback while another vCPU's call reads MMIO: QEMU exits with $want (status $status)"
fi
n=$(grep -c '^bdt-exit: ' "$T/qemu.out")
[ "$n" = 1 ] &&
    ok "exit() in a callback while another vCPU's call reads MMIO: the library's exit callback ran once" ||
    not_ok "exit() in a callback while another vCPU's call reads MMIO: the library's exit callback ran once ($n times)"

# the same device on q35 (PCI Express root complex), briefly (x86 only)
[ "$arch" != x86_64 ] || {
cat >"$T/script" <<EOF
cd /tmp
bdguest basics; echo "BDEXIT basics \$?"
bdguest xor; echo "BDEXIT xor \$?"
bdguest seq 1000; echo "BDEXIT seq \$?"
bdguest memory; echo "BDEXIT memory \$?"
EOF
GUEST_MACHINE=q35 short_boot q35 4 -device backdoor
}

# Guest memory whose host file is truncated while the guest runs: an
# ivshmem-plain BAR over a shared memory-backend-file.  The guest prints
# TRUNCATE-NOW and waits for a line on its second serial port (a pipe
# here); the library then reads and writes that memory.  x86 only: virt
# has one serial port.
[ "$arch" != x86_64 ] || {
cat >"$T/script" <<EOF
bdguest truncated; echo "BDEXIT truncated \$?"
EOF
rm -f "$log" "$T/console" "$T/tty.in" "$T/tty.out"
: >"$T/shm"
mkfifo "$T/tty.in" "$T/tty.out"
if guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err"; then
    guest_run "$qemu" "$kernel" "$T/initrd" "$log" 300 \
        -device backdoor -serial pipe:"$T/tty" \
        -object memory-backend-file,id=shm,mem-path="$T/shm",size=1M,share=on \
        -device ivshmem-plain,memdev=shm >"$T/qemu.out" 2>&1 &
    pid=$!
    # the guest echoes the line back through tty.out: drain it
    cat "$T/tty.out" >/dev/null &
    drain=$!
    for _ in $(seq 600); do
        grep -q TRUNCATE-NOW "$log" 2>/dev/null && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.5
    done
    truncate -s 0 "$T/shm"
    timeout 10 sh -c "echo go >'$T/tty.in'"
    wait $pid
    status=$?
    kill $drain 2>/dev/null
else
    status="no initramfs: $(tail -n 1 "$T/initrd.err")"
fi
if [ "$status" = 0 ]; then
    ok "truncated guest memory: QEMU ran the guest and exited cleanly"
else
    tail -n 10 "$T/qemu.out" 2>/dev/null | sed 's/^/  /'
    not_ok "truncated guest memory: QEMU ran the guest and exited cleanly (status $status)"
fi
touch "$log"
tr -d '\r' <"$log" >"$T/console"
sed -n -e 's/^BDTEST ok \(.*\)$/ok - \1/p' \
    -e 's/^BDTEST not ok \(.*\)$/not ok - \1/p' "$T/console"
if grep -q '^BDEXIT truncated 0$' "$T/console"; then
    ok "truncated: the guest program exited with status 0"
else
    not_ok "truncated: the guest program exited with status 0"
fi
}

# The standard commands from a shell, with the built-in library (the
# "default" build) and its static qemu-backdoor, as root in the guest;
# "qemu-backdoor exit 42" ends the run, so QEMU exits with 42.
dqb=$(qemu_build default) || true
tool=$BACKDOOR_CHECK_DIR/default/guest/$arch/qemu-backdoor
if [ -z "$dqb" ] || [ ! -x "$dqb/qemu-system-$arch" ] || [ ! -x "$tool" ]; then
    not_ok "qemu-backdoor in a system-mode guest (no default build)"
    exit 0
fi
root=$T/root-std share=$T/share
mkdir -p "$root/bin" "$share"
cp "$tool" "$root/bin/qemu-backdoor"
echo "from the host" >"$share/hostfile"
cat >"$T/script" <<'EOF'
cd /tmp
qemu-backdoor version; echo "BDEXIT version $?"
qemu-backdoor print hello from a system-mode guest; echo "BDEXIT print $?"
qemu-backdoor time; echo "BDEXIT time $?"
qemu-backdoor roi begin; echo "BDEXIT roi-begin $?"
qemu-backdoor roi end >/dev/null; echo "BDEXIT roi-end $?"
echo "from the guest" >/tmp/guestfile
qemu-backdoor put /tmp/guestfile; echo "BDEXIT put $?"
qemu-backdoor get hostfile /tmp/got; echo "BDEXIT get $?"
echo "GOT $(cat /tmp/got)"
qemu-backdoor put /tmp/guestfile ../escape; echo "BDEXIT put-escape $?"
qemu-backdoor exit 42
echo "BDEXIT exit-returned $?"
EOF
rm -f "$log" "$T/console"
if guest_initramfs "$root" "$T/script" "$T/initrd" 2>"$T/initrd.err"; then
    QEMU_BACKDOOR_SHARE=$share guest_run "$dqb/qemu-system-$arch" "$kernel" \
        "$T/initrd" "$log" 300 -device backdoor >"$T/qemu.out" 2>&1
    status=$?
    tr -d '\r' <"$log" >"$T/console"
    [ $status = 42 ] && ok "qemu-backdoor exit 42: QEMU exits with 42" || {
        tail -n 10 "$T/qemu.out" "$T/console" | sed 's/^/  /'
        not_ok "qemu-backdoor exit 42: QEMU exits with 42 (status $status)"
    }
    for c in version print time roi-begin roi-end put get; do
        grep -q "^BDEXIT $c 0$" "$T/console" &&
            ok "system mode: qemu-backdoor $c" ||
            not_ok "system mode: qemu-backdoor $c"
    done
    grep -q '^BDEXIT put-escape 1$' "$T/console" && [ ! -e "$T/escape" ] &&
        ok "system mode: put outside the share directory is refused" ||
        not_ok "system mode: put outside the share directory is refused"
    grep -q '^hello from a system-mode guest$' "$T/qemu.out" &&
        ok "system mode: print reaches QEMU's stderr" ||
        not_ok "system mode: print reaches QEMU's stderr"
    grep -q '^qemu-backdoor: roi: 1 region, ' "$T/qemu.out" &&
        ok "system mode: the region is reported at exit" ||
        not_ok "system mode: the region is reported at exit"
    [ "$(cat "$share/guestfile" 2>/dev/null)" = "from the guest" ] &&
        ok "system mode: put" || not_ok "system mode: put"
    grep -q '^GOT from the host$' "$T/console" &&
        ok "system mode: get" || not_ok "system mode: get"
    ! grep -q '^BDEXIT exit-returned' "$T/console" &&
        ok "system mode: exit does not return to the shell" ||
        not_ok "system mode: exit does not return to the shell"
else
    not_ok "initramfs: $(tail -n 1 "$T/initrd.err")"
fi
exit 0
