#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install, with apt, whatever this machine lacks to build QEMU with the
# backdoor series and to run its tests.  Packages already present are left
# alone; nothing is installed when nothing is missing.  Before installing,
# it says which packages it installs and why, one line per group.
#
#   setup-host.sh [build|all|fuzz|check]
#                               install what building (./configure, make,
#                               make install) needs; or that and what the
#                               tests and the demo need (all, the default);
#                               or what make fuzz needs; or everything
#                               make check uses (check)
#   setup-host.sh --list build|all|fuzz|check
#                               print those packages, one a line
#
# The build list is what QEMU's configure, meson, make and the guest
# library use in the default configuration; tests/backdoor/t-setup.sh
# checks it against what a real build found (meson's log, pythondeps.toml).
#
# On Debian 12 meson >= 1.5 and python3-pycotap come from bookworm-backports,
# read through a private apt configuration (the host's sources stay as they
# are).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt-private.sh"

# The package groups: "LIST|PACKAGES|WHY".  LIST "build": ./configure,
# make, make install; "test": make demo and the tests, on top of "build";
# "fuzz": make fuzz (tests/backdoor/fuzz.sh), on top of "build".
groups=(
"build|gcc make|compile QEMU and the guest library (C compiler, binutils, make)"
"build|python3 python3-venv|QEMU's configure is run by Python and makes a venv (pyvenv) in the build folder"
"build|meson python3-pycotap|QEMU's configure requires meson >= 1.5 and pycotap >= 1.1 (pythondeps.toml) and may not download them"
"build|ninja-build pkg-config|meson writes ninja files and finds the libraries with pkg-config"
"build|libglib2.0-dev zlib1g-dev|the libraries QEMU is linked with (glib-2.0, gmodule-2.0, zlib)"
"build|xz-utils patch|unpack the QEMU source (.tar.xz) and apply patches/ to it"
"build|gcc-i686-linux-gnu|compile the x86 option ROMs (-kernel); gcc-multilib conflicts with the aarch64 cross compiler"
"build|libfdt-dev|qemu-system-aarch64 (--target-list=aarch64-softmmu): the virt machine builds its device tree with libfdt"
"build|device-tree-compiler|QEMU 10.2 (--qemu=10.2) compiles the device trees of pc-bios/dtb, which Debian's source tarball has only as .dts"
"build|ccache|share compiled objects between build folders"
"test|gcc-aarch64-linux-gnu libc6-dev-arm64-cross|the aarch64 guest library and linux-user tests"
"test|libc6-dev-i386-cross gcc-s390x-linux-gnu libc6-dev-s390x-cross|the i386 (32-bit) and s390x (big-endian) guest libraries and linux-user tests"
"test|gcc-riscv64-linux-gnu libc6-dev-riscv64-cross|the riscv64 guest library and linux-user tests"
"test|seabios ipxe-qemu|firmware for qemu-system-x86_64 (qtest, Linux guest, demo)"
"test|busybox-static cpio|the Linux guest's initramfs (system-mode tests, demo)"
"test|python3-sphinx python3-sphinx-rtd-theme|build QEMU's manual with the series' pages (docs test)"
"fuzz|clang libclang-rt-dev|make fuzz: clang with its libFuzzer, ASan and UBSan runtimes"
"fuzz|llvm|make fuzz: llvm-symbolizer, for readable sanitizer reports"
"fuzz|seabios ipxe-qemu|make fuzz: the pc machine's firmware"
)

list=
case "${1:-all}" in
--list)
    list=yes
    what=${2:-all}
    ;;
*) what=${1:-all} ;;
esac
case $what in
build|all|fuzz|check) ;;
*) bd_die "usage: $0 [--list] [build|all|fuzz|check]" ;;
esac

# the groups of the list asked for, one per line
# (all: build and test; check, what make check uses: all and fuzz)
wanted_groups() {
    local g list
    for g in "${groups[@]}"; do
        list=${g%%|*}
        case $what:$list in
        *:build | all:test | fuzz:fuzz | check:*) printf '%s\n' "$g" ;;
        esac
    done
}

if [ -n "$list" ]; then
    wanted_groups | cut -d'|' -f2 | tr ' ' '\n'
    exit 0
fi

installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

meson_ok() {
    command -v meson >/dev/null &&
        dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge 1.5
}

# what is missing, and why
missing=() reasons=()
while IFS='|' read -r _ pkgs why; do
    miss=()
    for p in $pkgs; do
        if [ "$p" = meson ]; then
            meson_ok || miss+=(meson)
        elif ! installed "$p"; then
            miss+=("$p")
        fi
    done
    if [ ${#miss[@]} -gt 0 ]; then
        missing+=("${miss[@]}")
        reasons+=("${miss[*]}: $why")
    fi
done < <(wanted_groups)
[ ${#missing[@]} -eq 0 ] && exit 0

bd_note "installing ${#missing[@]} missing package(s) with apt:"
printf '      %s\n' "${reasons[@]}" >&2
sudo=
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || bd_die "not root and no sudo: install ${missing[*]}"
    sudo=sudo
fi

bd_host_apt_init
backports=()
[ -n "$BD_BACKPORTS" ] && backports=(-t "$BD_BACKPORTS")
export DEBIAN_FRONTEND=noninteractive
# backports are pinned low by apt; ask for them only for the two packages
bp=() rest=()
for p in "${missing[@]}"; do
    case $p in
    meson|python3-pycotap) bp+=("$p") ;;
    *) rest+=("$p") ;;
    esac
done
if [ ${#rest[@]} -gt 0 ]; then
    $sudo apt-get -q -y --no-install-recommends "${BD_APT_OPTS[@]}" \
        install "${rest[@]}" >&2
fi
if [ ${#bp[@]} -gt 0 ]; then
    $sudo apt-get -q -y --no-install-recommends "${BD_APT_OPTS[@]}" \
        "${backports[@]}" install "${bp[@]}" >&2
fi
meson_ok || bd_die "meson >= 1.5 is required"
