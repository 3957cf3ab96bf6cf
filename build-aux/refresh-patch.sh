#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Rewrite a patch of patches/ from the assembled tree:
#
#   build-aux/refresh-patch.sh patches/series/NNNN-name.patch FILE...
#
# FILEs are paths inside QEMU.  The diff is taken between the pristine tree
# and build/qemu-src; the patch's description (the lines before its first
# "diff") is kept.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
patch=$1
shift
pristine=$("$here/fetch-qemu.sh")
src=${BACKDOOR_BUILD_DIR:-$top/build}/qemu-src

head=
if [ -f "$patch" ]; then
    head=$(sed '/^diff /,$d' "$patch")
fi
{
    [ -n "$head" ] && printf '%s\n\n' "$head"
    for f in "$@"; do
        old=$pristine/$f
        [ -e "$old" ] || old=/dev/null
        echo "diff --git a/$f b/$f"
        diff -u --label "a/$f" --label "b/$f" "$old" "$src/$f" || true
    done
} >"$patch.tmp"
mv "$patch.tmp" "$patch"
