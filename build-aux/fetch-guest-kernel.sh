#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the path of what a small Linux guest of another Debian architecture
# needs, fetching it first when needed:
#
#   fetch-guest-kernel.sh [ARCH]            Debian's kernel for ARCH (amd64,
#                                           the default, or arm64)
#   fetch-guest-kernel.sh --busybox ARCH    busybox-static's busybox for ARCH
#
# The packages (linux-image-ARCH names the versioned image package) are
# downloaded with apt through a private configuration (the host's sources
# are read, not changed) and never installed; the file is kept under
# $BACKDOOR_CACHE/guest (amd64) or $BACKDOOR_CACHE/guest-ARCH.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt-private.sh"

what=kernel
if [ "${1:-}" = --busybox ]; then
    what=busybox
    shift
fi
arch=${1:-amd64}
case $arch in
amd64|arm64) ;;
*) bd_die "usage: $0 [--busybox] [amd64|arm64]" ;;
esac

cache=$BD_CACHE/guest
[ "$arch" = amd64 ] || cache=$cache-$arch
if [ $what = kernel ]; then
    pattern='vmlinuz-*'
else
    pattern=busybox
fi
f=$(find "$cache" -maxdepth 1 -name "$pattern" 2>/dev/null | sort -V | tail -n 1) || true
if [ -n "$f" ]; then
    echo "$f"
    exit 0
fi

bd_host_apt_init "$arch" 2>/dev/null

if [ $what = kernel ]; then
    # the metapackage names the versioned image package
    pkg=$(apt-cache "${BD_APT_OPTS[@]}" depends "linux-image-$arch" 2>/dev/null |
          sed -n "s/^ *Depends: \(linux-image-[0-9].*-$arch\)\(:$arch\)\?\$/\1/p" |
          head -n 1)
    [ -n "$pkg" ] || bd_die "apt knows no linux-image-$arch package"
else
    pkg=busybox-static
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bd_note "downloading $pkg ($arch) for the Linux guest, into $cache"
(cd "$tmp" && apt-get -q "${BD_APT_OPTS[@]}" download "$pkg:$arch" >&2) ||
    bd_die "apt-get download $pkg:$arch failed"
dpkg-deb -x "$tmp"/*.deb "$tmp/x"
if [ $what = kernel ]; then
    f=$(find "$tmp/x/boot" -name 'vmlinuz-*' 2>/dev/null | head -n 1)
else
    f=$tmp/x/bin/busybox
fi
[ -n "$f" ] && [ -f "$f" ] || bd_die "no $pattern in $pkg"
cp "$f" "$cache/"
find "$cache" -maxdepth 1 -name "$pattern" | sort -V | tail -n 1
