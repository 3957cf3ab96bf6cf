#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The demo (make demo): builds QEMU with the example library of
# contrib/backdoor/lib, then runs the example guest program of
# contrib/backdoor/guest twice:
#
#   1. user mode:   qemu-x86_64 -backdoor DIR backdoor-demo DIR
#   2. system mode: a Linux guest of qemu-system-x86_64 -device backdoor
#                   (Debian's kernel, a busybox initramfs, TCG)
#
# Lines starting with [qemu] come from the library inside QEMU, lines
# starting with [guest] from the program in the guest.
#
# BACKDOOR_DEMO_BUILD names the build folder (default build/demo); it is
# configured and built when needed.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BACKDOOR_DEMO_BUILD:-$top/build/demo}
work=$(mktemp -d "${TMPDIR:-/tmp}/backdoor-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() {
    printf '\n=== %s\n' "$*"
}

say "setting up (packages, QEMU source, build in $build)"
"$top/build-aux/setup-host.sh" all
if [ ! -f "$build/.built" ]; then
    (cd "$top" && ./configure --skip-setup --build-dir="$build" \
        --with-backdoor="$top/contrib/backdoor/lib") >"$work/build.log" 2>&1 &&
    make -C "$top" BUILD="$build" all >>"$work/build.log" 2>&1 \
        QEMU_GOALS="qemu-system-x86_64 qemu-x86_64 pc-bios/optionrom/all" || {
        tail -n 30 "$work/build.log" >&2
        echo "demo: the build failed" >&2
        exit 1
    }
    touch "$build/.built"
fi
qb=$build/qemu-build
cc -static -O2 -o "$work/backdoor-demo" \
    "$top/contrib/backdoor/guest/backdoor-demo.c" \
    -I"$top/backdoor/guest" "$build/guest/x86_64/libqemu-backdoor-guest.a"

say "user mode: qemu-x86_64 -backdoor $work/bd backdoor-demo $work/bd"
"$qb/qemu-x86_64" -backdoor "$work/bd" "$work/backdoor-demo" "$work/bd"

say "system mode: a Linux guest of qemu-system-x86_64 -device backdoor"
. "$top/tests/backdoor/linux-guest.sh"
kernel=$(guest_kernel)
mkdir -p "$work/root/bin"
cp "$work/backdoor-demo" "$work/root/bin/"
echo "backdoor-demo" >"$work/script"
guest_initramfs "$work/root" "$work/script" "$work/initrd.gz"
guest_run "$qb/qemu-system-x86_64" "$kernel" "$work/initrd.gz" \
    "$work/console.log" 300 -accel tcg -device backdoor
# what the guest printed on its console
sed -n '/GUEST-START/,/GUEST-DONE/{/GUEST-/d;s/\r$//;p}' "$work/console.log"
