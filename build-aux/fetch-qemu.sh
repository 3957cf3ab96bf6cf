#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the path of a pristine QEMU source tree, fetching it first when
# needed.
#
#   fetch-qemu.sh [BASE]
#
# BASE is a QEMU release series with a pin file in qemu-pins/ ("10.0",
# "10.2"); without it, $QEMU_BASE, else the one qemu-pins/default names.
# With QEMU_SRC set, that tree is used as it is (it must be QEMU BASE.x).
# Otherwise the orig tarball of Debian's qemu source package is downloaded
# with apt (a private configuration: the host's sources are not touched),
# checked against the SHA-256 in the pin file, cached under $BACKDOOR_CACHE and
# unpacked there.  When the archive no longer has the pinned version, the
# newest $QEMU_SERIES.x it offers is taken (apt checks it against the signed
# archive index) and a note says so.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt-private.sh"
base=${1:-${QEMU_BASE:-$(cat "$here/qemu-pins/default")}}
[ -f "$here/qemu-pins/$base" ] && [ "$base" != default ] ||
    bd_die "no QEMU base '$base' (there are: $(ls "$here/qemu-pins" | grep -vx default | tr '\n' ' '))"
. "$here/qemu-pins/$base"

check_tree() {
    local dir=$1 version
    [ -f "$dir/VERSION" ] && [ -f "$dir/meson.build" ] ||
        bd_die "$dir is not a QEMU source tree"
    version=$(cat "$dir/VERSION")
    case $version in
    "$QEMU_SERIES".*) ;;
    *) bd_die "$dir holds QEMU $version; the series is for QEMU $QEMU_SERIES.x" ;;
    esac
}

if [ -n "${QEMU_SRC:-}" ]; then
    dir=$(cd "$QEMU_SRC" 2>/dev/null && pwd) ||
        bd_die "QEMU_SRC=$QEMU_SRC is not a directory"
    check_tree "$dir"
    echo "$dir"
    exit 0
fi

upstream_of() {                 # 1:10.0.13+ds-0+deb13u1 -> 10.0.13+ds
    local v=${1#*:}
    echo "${v%-*}"
}

dl=$BD_CACHE/downloads
mkdir -p "$dl"
version=$QEMU_DEB_VERSION
tarball=$dl/qemu_$(upstream_of "$version").orig.tar.xz

if [ ! -f "$tarball" ]; then
    main=$(bd_archive_uri "")
    [ -n "$main" ] || bd_die "cannot find the Debian archive in the host's apt sources"
    security=$(bd_archive_uri -security)
    lines=()
    for s in $QEMU_SUITES; do
        lines+=("deb-src [signed-by=$BD_KEYRING] $main $s main")
    done
    if [ -n "$security" ]; then
        for s in $QEMU_SECURITY_SUITES; do
            lines+=("deb-src [signed-by=$BD_KEYRING] $security $s main")
        done
    fi
    BD_APT_OPTS=()
    bd_apt_init qemu-source "${lines[@]}"

    offered=$(apt-cache "${BD_APT_OPTS[@]}" showsrc qemu 2>/dev/null |
              sed -n 's/^Version: //p')
    if ! grep -qxF "$version" <<<"$offered"; then
        newest=$(grep -E "^(1:)?${QEMU_SERIES//./\\.}\." <<<"$offered" |
                 sort -V | tail -n 1)
        [ -n "$newest" ] ||
            bd_die "the archive offers no qemu $QEMU_SERIES.x source (offered: $(echo $offered))"
        bd_note "qemu $version is no longer in the archive; using $newest (checked by apt against the signed index, not against qemu-pins/$base)"
        version=$newest
        tarball=$dl/qemu_$(upstream_of "$version").orig.tar.xz
    fi
    if [ ! -f "$tarball" ]; then
        bd_note "downloading the qemu $version source with apt"
        tmp=$(mktemp -d "$dl/tmp.XXXXXX")
        (cd "$tmp" && apt-get -q "${BD_APT_OPTS[@]}" source --download-only \
            "qemu=$version" >&2) || { rm -rf "$tmp"; bd_die "apt-get source qemu=$version failed"; }
        mv "$tmp"/*.orig.tar.* "$tarball"
        rm -rf "$tmp"
    fi
fi

if [ "$version" = "$QEMU_DEB_VERSION" ]; then
    sum=$(sha256sum "$tarball" | cut -d' ' -f1)
    if [ "$sum" != "$QEMU_ORIG_SHA256" ]; then
        rm -f "$tarball"
        bd_die "checksum mismatch for $(basename "$tarball"): got $sum, want $QEMU_ORIG_SHA256 (the download was removed)"
    fi
fi

src=$BD_CACHE/qemu-$(upstream_of "$version")
if [ ! -f "$src/.unpacked" ]; then
    bd_note "unpacking $(basename "$tarball")"
    rm -rf "$src" "$src.tmp"
    mkdir -p "$src.tmp"
    tar -xf "$tarball" -C "$src.tmp" --strip-components=1
    touch "$src.tmp/.unpacked"
    mv "$src.tmp" "$src"
fi
check_tree "$src"
echo "$src"
