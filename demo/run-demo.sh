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
# configured when needed and brought up to date on every run, so that a
# re-run after an edit (the overlay, the patches, the library, the guest
# library) uses the edited sources.
#
# Each step starts with a line "=== WHAT..." and ends with one saying how
# many seconds it took.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BACKDOOR_DEMO_BUILD:-$top/build/demo}
work=$(mktemp -d "${TMPDIR:-/tmp}/backdoor-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

# step WHAT: say what the next step does; done: say how long it took
step_what=
step_start=0
step() {
    step_what=$1
    step_start=$SECONDS
    printf '\n=== %s...\n' "$1"
}
done_step() {
    printf '=== %s: done in %d s\n' "${step_what%% (*}" \
        $((SECONDS - step_start))
}

step "checking the packages the demo needs (apt installs the missing ones)"
"$top/build-aux/setup-host.sh" all
done_step

# Configured once (again when the build folder is for another library),
# brought up to date on every run: assemble.py rewrites only the files of
# the overlay and the patches whose content changed, ninja and the guest
# library's Makefile rebuild what depends on them, ccache makes the
# recompiles cheap.  meson lists the library's C files when it configures:
# when they are not the ones the build knows, ninja is made to run meson
# again (it does when a meson.build is newer than its files).
lib=$top/contrib/backdoor/lib
if [ -f "$build/config.mak" ] &&
    grep -qxF "BACKDOOR_LIB=$lib" "$build/config.mak"; then
    step "bringing QEMU with the demo library in $build up to date (rebuilds what changed since the last run: seconds when nothing did; the log is $build/demo-build.log)"
    : >"$build/demo-build.log"
    known=$(grep -os "$lib/[^ :]*\.c" "$build/qemu-build/build.ninja" |
            sort -u || true)
    if [ "$known" != "$(printf '%s\n' "$lib"/*.c | sort)" ]; then
        touch "$build/qemu-src/backdoor/meson.build"
    fi
else
    step "configuring and building QEMU with the demo library in $build, with the QEMU source fetched first (about 9 minutes the first time on 2 cores, less with ccache's hits; the log is $build/demo-build.log)"
    mkdir -p "$build"
    (cd "$top" && ./configure --skip-setup --build-dir="$build" \
        --with-backdoor="$lib") >"$build/demo-build.log" 2>&1 || {
        tail -n 30 "$build/demo-build.log" >&2
        echo "demo: configure failed (log: $build/demo-build.log)" >&2
        exit 1
    }
fi
make -C "$top" BUILD="$build" all >>"$build/demo-build.log" 2>&1 \
    QEMU_GOALS="qemu-system-x86_64 qemu-x86_64 pc-bios/optionrom/all" || {
    tail -n 30 "$build/demo-build.log" >&2
    echo "demo: the build failed (log: $build/demo-build.log)" >&2
    exit 1
}
done_step
qb=$build/qemu-build

step "compiling the guest program backdoor-demo"
cc -static -O2 -o "$work/backdoor-demo" \
    "$top/contrib/backdoor/guest/backdoor-demo.c" \
    -I"$top/backdoor/guest" "$build/guest/x86_64/libqemu-backdoor-guest.a"
done_step

step "user mode: qemu-x86_64 -backdoor $work/bd backdoor-demo $work/bd"
"$qb/qemu-x86_64" -backdoor "$work/bd" "$work/backdoor-demo" "$work/bd"
done_step

step "system mode: a Linux guest of qemu-system-x86_64 -device backdoor (boots Debian's kernel under TCG: 14 s on 2 cores)"
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
done_step
