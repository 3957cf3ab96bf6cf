#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the path of a Linux kernel for x86_64 guests, fetching it first
# when needed: Debian's linux-image-amd64 (the versioned image package it
# depends on) is downloaded with apt through a private configuration (the
# host's sources are read, not changed), never installed; its vmlinuz is
# kept under $BACKDOOR_CACHE/guest.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt-private.sh"

cache=$BD_CACHE/guest
k=$(ls "$cache"/vmlinuz-* 2>/dev/null | sort -V | tail -n 1) || true
if [ -n "$k" ]; then
    echo "$k"
    exit 0
fi

bd_host_apt_init 2>/dev/null

# the metapackage names the versioned image package
pkg=$(apt-cache "${BD_APT_OPTS[@]}" depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || bd_die "apt knows no linux-image-amd64 package"
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get -q "${BD_APT_OPTS[@]}" download "$pkg" >&2) ||
    bd_die "apt-get download $pkg failed"
dpkg-deb -x "$tmp"/*.deb "$tmp/x"
k=$(ls "$tmp"/x/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$k" ] || bd_die "no vmlinuz in $pkg"
cp "$k" "$cache/"
ls "$cache"/vmlinuz-* | sort -V | tail -n 1
