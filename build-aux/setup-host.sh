#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install, with apt, whatever this machine lacks to build QEMU with the
# backdoor series and to run its tests.  Packages already present are left
# alone; nothing is installed when nothing is missing.
#
# On Debian 12 meson >= 1.5 and python3-pycotap come from bookworm-backports,
# read through a private apt configuration (the host's sources stay as they
# are).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt-private.sh"

# what building needs (gcc-i686-linux-gnu: for the x86 option ROMs; not
# gcc-multilib, which conflicts with the aarch64 cross compiler)
build_pkgs=(gcc make ninja-build pkg-config python3 python3-venv
            libglib2.0-dev libpixman-1-dev zlib1g-dev flex bison ccache
            meson xz-utils dpkg-dev patch gcc-i686-linux-gnu)
# what the tests and the demo need
test_pkgs=(python3-pycotap gcc-aarch64-linux-gnu libc6-dev-arm64-cross
           seabios ipxe-qemu busybox-static cpio
           python3-sphinx python3-sphinx-rtd-theme)
# what make fuzz needs (tests/backdoor/fuzz.sh): clang with its libFuzzer,
# ASan and UBSan runtimes (the versions Debian defaults to), llvm-symbolizer
# (package llvm) for readable sanitizer reports, the pc machine's firmware
fuzz_pkgs=(clang libclang-rt-dev llvm seabios ipxe-qemu)

want=("${build_pkgs[@]}")
case "${1:-all}" in
build) ;;
all) want+=("${test_pkgs[@]}") ;;
fuzz) want+=("${fuzz_pkgs[@]}") ;;
check) want+=("${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;  # make check fuzzes too
*) bd_die "usage: $0 [build|all|fuzz|check]" ;;
esac

installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

meson_ok() {
    command -v meson >/dev/null &&
        dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge 1.5
}

missing=()
for p in "${want[@]}"; do
    if [ "$p" = meson ]; then
        meson_ok || missing+=(meson)
    elif ! installed "$p"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

bd_note "installing: ${missing[*]}"
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
