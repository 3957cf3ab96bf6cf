#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check that every patch of the series builds:
#
#   build-aux/build-each-patch.sh SERIES_DIR [WORK_DIR]
#
# SERIES_DIR is the output of make series (its git tree is
# SERIES_DIR/qemu).  The tree is cloned to WORK_DIR/qemu-src, Debian's
# tarball fix (patches/tarball) is applied on top, and after each commit
# of the series the emulators are built incrementally in
# WORK_DIR/qemu-build (configured once, with ./configure's defaults and no
# --with-backdoor, so that the built-in library is used).  Prints one line
# per commit; exit status 0 when all built.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=$(cd "$1" && pwd)
work=${2:-$top/build/each-patch}
mkdir -p "$work"
work=$(cd "$work" && pwd)
src=$work/qemu-src
qb=$work/qemu-build
export CCACHE_BASEDIR=$work CCACHE_NOHASHDIR=1

rm -rf "$src" "$qb"
git clone -q "$series/qemu" "$src"
cd "$src"
base=$(git rev-list --max-parents=0 HEAD)
commits=$(git rev-list --reverse "$base..HEAD")
git checkout -q "$base"
patch -p1 -s <"$top"/patches/tarball/*.patch

# the defaults ./configure passes, as it prints them
mapfile -t defaults < <("$top/configure" --help |
                        sed -n '/^Defaults passed/,${/^  /s/^  //p}')
mkdir -p "$qb"
(cd "$qb" && "$src/configure" "${defaults[@]}") >"$work/configure.log" 2>&1
status=0
for c in $commits; do
    git -c advice.detachedHead=false checkout -q "$c"
    goals="qemu-system-x86_64 qemu-x86_64 qemu-aarch64"
    [ -f tests/qtest/backdoor-test.c ] && goals="$goals tests/qtest/backdoor-test"
    t0=$(date +%s)
    if (cd "$qb" && ninja $goals) >"$work/build-$c.log" 2>&1; then
        echo "builds: $(git log -1 --format=%s "$c") ($(($(date +%s) - t0)) s)"
    else
        echo "FAILS:  $(git log -1 --format=%s "$c") (log: $work/build-$c.log)"
        status=1
    fi
done
exit $status
