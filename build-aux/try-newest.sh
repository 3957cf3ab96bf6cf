#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Try the series on the newest QEMU in Debian's archive (unstable's qemu
# source package):
#
#   build-aux/try-newest.sh SERIES_DIR
#
# SERIES_DIR is the output of make series.  Applies each mail with
# "git apply --reject" to a git copy of that tree and prints, per patch,
# "applies" or the hunks that do not.  Exit status 0 when all apply.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt-private.sh"
series=$(cd "$1" && pwd)

main=$(bd_archive_uri "")
[ -n "$main" ] || bd_die "cannot find the Debian archive in the host's apt sources"
BD_APT_OPTS=()
bd_apt_init unstable-source "deb-src [signed-by=$BD_KEYRING] $main sid main"
# the newest version the archive really serves (an index can name a
# version whose files are already gone)
dl=$BD_CACHE/downloads
mkdir -p "$dl"
tarball=
for version in $(apt-cache "${BD_APT_OPTS[@]}" showsrc qemu |
                 sed -n 's/^Version: //p' | sort -V -r); do
    upstream=${version#*:}
    upstream=${upstream%-*}
    tarball=$dl/qemu_$upstream.orig.tar.xz
    [ -f "$tarball" ] && break
    tmp=$(mktemp -d "$dl/tmp.XXXXXX")
    if (cd "$tmp" && apt-get -q "${BD_APT_OPTS[@]}" source --download-only \
            "qemu=$version" >/dev/null 2>&1); then
        mv "$tmp"/*.orig.tar.* "$tarball"
        rm -rf "$tmp"
        break
    fi
    rm -rf "$tmp"
    bd_note "qemu $version: not downloadable from the archive, trying older"
    tarball=
done
[ -n "$tarball" ] || bd_die "no qemu source could be downloaded from unstable"
tree=$(mktemp -d "${TMPDIR:-/tmp}/qemu-newest.XXXXXX")
trap 'rm -rf "$tree"' EXIT
tar -xf "$tarball" -C "$tree" --strip-components=1
cd "$tree"
git init -q && git add -A && git -c user.name=t -c user.email=t@t \
    -c gc.auto=0 commit -q -m base
echo "QEMU $(cat VERSION) (Debian $version):"
status=0
for p in "$series"/0*.patch; do
    case $p in *0000-cover-letter.patch) continue ;; esac
    if git apply --reject --whitespace=nowarn "$p" >"$tree/.log" 2>&1; then
        echo "  $(basename "$p"): applies"
    else
        status=1
        echo "  $(basename "$p"): does not apply cleanly:"
        grep -E "^error|Rejected hunk|^Applying patch|with [0-9]+ reject" "$tree/.log" |
            sed 's/^/    /'
    fi
    git add -A >/dev/null 2>&1
    git -c user.name=t -c user.email=t@t -c gc.auto=0 commit -q -m "$p" || true
done
exit $status
