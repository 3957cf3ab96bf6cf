#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install / make uninstall, with a manifest.
#
#   install-tree.sh install STAGE ROOT
#       copies every file of the staged install STAGE (what "make install"
#       put there with DESTDIR) into ROOT (DESTDIR + prefix), and writes
#       ROOT/share/qemu-backdoor/install-manifest: one line a file it
#       copied ("f PATH") and a directory it created ("d PATH"), paths
#       relative to ROOT.  A manifest left by an earlier install is kept
#       in the new one, so the directories that install created stay listed.
#
#   install-tree.sh uninstall ROOT
#       removes the files the manifest lists, then the directories it lists
#       when they are empty, then the manifest; nothing else.

set -euo pipefail
MANIFEST=share/qemu-backdoor/install-manifest

die() {
    echo "install-tree.sh: $*" >&2
    exit 1
}

install_tree() {
    local stage=$1 root=$2 rel
    [ -d "$stage" ] || die "no staged install in $stage"
    # global: the trap runs after the function returned
    list=$(mktemp)
    trap 'rm -f "$list"' EXIT
    if [ -f "$root/$MANIFEST" ]; then
        cp "$root/$MANIFEST" "$list"
    fi
    mkdir -p "$stage/$(dirname "$MANIFEST")"
    # directories first, parents before children
    while IFS= read -r rel; do
        if [ ! -d "$root/$rel" ]; then
            mkdir -p "$root/$rel"
            echo "d $rel" >>"$list"
        fi
    done < <(cd "$stage" && find . -mindepth 1 -type d | sed 's|^\./||' | sort)
    while IFS= read -r rel; do
        rm -f "$root/$rel"      # a symbolic link is replaced, not followed
        cp -P --preserve=mode,timestamps "$stage/$rel" "$root/$rel"
        echo "f $rel" >>"$list"
    done < <(cd "$stage" && find . ! -type d | sed 's|^\./||' | sort)
    echo "f $MANIFEST" >>"$list"
    sort -u "$list" >"$root/$MANIFEST.tmp"
    mv "$root/$MANIFEST.tmp" "$root/$MANIFEST"
    chmod 644 "$root/$MANIFEST"
    echo "installed $(grep -c '^f ' "$root/$MANIFEST") files into $root" \
         "(listed in $root/$MANIFEST)"
}

uninstall_tree() {
    local root=$1 kind rel files=0 dirs=0 list
    [ -f "$root/$MANIFEST" ] ||
        die "$root/$MANIFEST not found: nothing installed there by make install"
    # read it whole: it lists itself
    list=$(cat "$root/$MANIFEST")
    while read -r kind rel; do
        case /$rel/ in
        //|*/../*) die "unexpected path in the manifest: $rel" ;;
        esac
        case $kind in
        f)
            if [ -e "$root/$rel" ] || [ -L "$root/$rel" ]; then
                rm -f "$root/$rel"
                files=$((files + 1))
            fi ;;
        d) ;;
        *) die "unexpected line in the manifest: $kind $rel" ;;
        esac
    done <<<"$list"
    # deepest first: a child sorts after its parent
    while read -r rel; do
        if [ -d "$root/$rel" ] && rmdir "$root/$rel" 2>/dev/null; then
            dirs=$((dirs + 1))
        fi
    done < <(sed -n 's/^d //p' <<<"$list" | sort -r)
    # the manifest was among the files, its directory among the directories,
    # unless it held something else
    echo "removed $files files and $dirs directories from $root"
}

case ${1:-} in
install) [ $# = 3 ] || die "usage: install-tree.sh install STAGE ROOT"
    install_tree "$2" "$3" ;;
uninstall) [ $# = 2 ] || die "usage: install-tree.sh uninstall ROOT"
    uninstall_tree "$2" ;;
*) die "usage: install-tree.sh install STAGE ROOT | uninstall ROOT" ;;
esac
