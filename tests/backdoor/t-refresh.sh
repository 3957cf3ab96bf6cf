#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Edits made in an assembled tree are not lost: in a throwaway copy of the
# repository, edit a new file of the series (include/hw/misc/backdoor.h),
# a QEMU file a patch changes (hw/misc/meson.build) and add a file in the tree;
# make must stop listing them, make refresh must carry them into the
# overlay, after which make assembles again and the overlay produces
# exactly the edited tree.  Then FORCE_ASSEMBLE=1 discards an edit, an
# edited QEMU file that no patch changes goes where REFRESH_PATCH says, and
# an edit of a QEMU file that two patches change goes into the last one.
# Then the code that differs between QEMU releases: resolved in the tree,
# never carried back by make refresh, and a tree assembled again from the
# other release.  Only the assembly runs (make assemble, the step make
# starts with): no QEMU is built.

. "$(dirname "$0")/lib.sh"

if ! git -C "$BACKDOOR_TOP" rev-parse --git-dir >/dev/null 2>&1; then
    skip "make refresh" "$BACKDOOR_TOP is not a git checkout"
    exit 0
fi
if ! pristine=$("$BACKDOOR_TOP/build-aux/fetch-qemu.sh" 2>"$T/fetch.err"); then
    not_ok "make refresh (no QEMU source: $(tail -n 1 "$T/fetch.err"))"
    exit 0
fi

# the repository as it is now (tracked files, edits included), committed
repo=$T/repo
git clone -q "$BACKDOOR_TOP" "$repo"
git -C "$repo" rm -r -q .       # files removed in the working copy too
(cd "$BACKDOOR_TOP" && git ls-files -z | tar --null -T - -cf - 2>/dev/null) |
    tar -C "$repo" -xf -
git -C "$repo" add -A
git -C "$repo" -c user.name=t -c user.email=t@t commit -q --allow-empty \
    -m "the working copy"

build=$T/build
mkdir -p "$build"
cat >"$build/config.mak" <<EOF
BACKDOOR_TOP=$repo
BUILD=$build
QEMU_PRISTINE=$pristine
QEMU_SRC=$build/qemu-src
QEMU_BUILD=$build/qemu-build
EOF
src=$build/qemu-src
m() { make -s -C "$repo" BUILD="$build" "$@" >"$T/make.log" 2>&1; }
# refused NAME PATTERN MAKE_ARGS...: make fails, and its output says PATTERN
refused() {
    local name=$1 pattern=$2
    shift 2
    if ! m "$@" && grep -q "$pattern" "$T/make.log"; then
        ok "$name"
    else
        sed 's/^/  /' "$T/make.log" | tail -n 5
        not_ok "$name"
    fi
}

check "make assemble: a fresh tree" m assemble
check "make assemble again: nothing edited, nothing to do" m assemble

# the edits
echo "/* an edit in the assembled tree */" >>"$src/include/hw/misc/backdoor.h"
printf '%s\n' "# an edit in the assembled tree" >>"$src/hw/misc/meson.build"
printf '%s\n' "/* a new file */" >"$src/hw/misc/backdoor-new.h"
cp "$src/include/hw/misc/backdoor.h" "$T/backdoor.h"

if m; then
    not_ok "make stops when the assembled tree holds edits"
else
    ok "make stops when the assembled tree holds edits"
fi
for f in include/hw/misc/backdoor.h hw/misc/meson.build hw/misc/backdoor-new.h; do
    if grep -q " $f\$" "$T/make.log"; then
        ok "make lists $f"
    else
        sed 's/^/  /' "$T/make.log" | tail -n 10
        not_ok "make lists $f"
    fi
done
grep -q "make refresh" "$T/make.log" && ok "make says to run make refresh" ||
    not_ok "make says to run make refresh"
cmp -s "$src/include/hw/misc/backdoor.h" "$T/backdoor.h" &&
    ok "the edits are still in the tree" ||
    not_ok "the edits are still in the tree"

check "make refresh" m refresh
status=$(git -C "$repo" status --porcelain | sort)
expected=$(printf '%s\n' " M include/hw/misc/backdoor.h" \
    " M patches/series/0003-hw-misc-add-the-backdoor-PCI-device.patch" \
    "?? hw/misc/backdoor-new.h" | sort)
if [ "$status" = "$expected" ]; then
    ok "make refresh changes the new file, the patch and adds the new file"
else
    printf '%s\n' "$status" | sed 's/^/  /'
    not_ok "make refresh changes the new file, the patch and adds the new file"
fi
added=$(git -C "$repo" diff -U0 include/hw/misc/backdoor.h | grep '^[-+][^-+]')
[ "$added" = "+/* an edit in the assembled tree */" ] &&
    ok "the overlay's new file differs by the edit only" ||
    not_ok "the overlay's new file differs by the edit only ($added)"
check "make assemble after make refresh" m assemble
cmp -s "$src/include/hw/misc/backdoor.h" "$T/backdoor.h" &&
    ok "the edits are still in the tree after make refresh" ||
    not_ok "the edits are still in the tree after make refresh"

# the refreshed overlay assembles into the edited tree, and nothing else
fresh=$T/fresh
"$repo/build-aux/assemble.py" "$pristine" "$fresh/qemu-src" 2>/dev/null
if diff -r -q -x .backdoor-assembled -x .backdoor-manifest.json \
        "$src" "$fresh/qemu-src" >"$T/diff.log" 2>&1; then
    ok "the refreshed overlay assembles into the edited tree"
else
    sed 's/^/  /' "$T/diff.log" | head -n 10
    not_ok "the refreshed overlay assembles into the edited tree"
fi
rm -rf "$fresh"

# FORCE_ASSEMBLE=1 discards an edit
echo "/* to be discarded */" >>"$src/include/hw/misc/backdoor.h"
if m assemble; then
    not_ok "make assemble stops at a second edit"
else
    ok "make assemble stops at a second edit"
fi
check "make assemble FORCE_ASSEMBLE=1" m assemble FORCE_ASSEMBLE=1
cmp -s "$src/include/hw/misc/backdoor.h" "$repo/include/hw/misc/backdoor.h" &&
    ok "FORCE_ASSEMBLE=1 restores the overlay's file" ||
    not_ok "FORCE_ASSEMBLE=1 restores the overlay's file"

# an edited QEMU file that no patch changes
echo "/* an edit of a file no patch changes */" >>"$src/hw/misc/edu.c"
refused "make refresh refuses a file no patch changes, naming REFRESH_PATCH" \
    REFRESH_PATCH refresh
patch=patches/series/0003-hw-misc-add-the-backdoor-PCI-device.patch
check "make refresh REFRESH_PATCH=$patch" m refresh REFRESH_PATCH="$patch"
grep -q "^+++ b/hw/misc/edu.c" "$repo/$patch" &&
    ok "the file joins the patch REFRESH_PATCH names" ||
    not_ok "the file joins the patch REFRESH_PATCH names"
check "make assemble after adding the file to a patch" m assemble

# back to the repository's patches (edu.c left 0003 above)
git -C "$repo" checkout -q -- patches/series
m assemble FORCE_ASSEMBLE=1

# The patches are a stack: docs/user/main.rst is changed by linux-user's
# patch and again by the one that loads libraries at run time.  An edit
# goes into the last of them, as the diff from what the ones before leave.
rst=docs/user/main.rst
set -- $(grep -l "^+++ b/$rst" "$repo"/patches/series/*.patch)
if [ $# -ge 2 ]; then
    ok "two patches change $rst"
else
    not_ok "two patches change $rst ($*)"
fi
last=patches/series/$(basename "${@: -1}")
echo "An edit of a file that two patches change." >>"$src/$rst"
cp "$src/$rst" "$T/main.rst"
check "make refresh: a file that two patches change" m refresh
status=$(git -C "$repo" status --porcelain -- patches)
if [ "$status" = " M $last" ]; then
    ok "make refresh regenerates the last patch that changes it, and no other"
else
    printf '%s\n' "$status" | sed 's/^/  /'
    not_ok "make refresh regenerates the last patch that changes it, and no other"
fi
fresh=$T/fresh
"$repo/build-aux/assemble.py" "$pristine" "$fresh/qemu-src" 2>"$T/as.err"
cmp -s "$fresh/qemu-src/$rst" "$T/main.rst" &&
    ok "the refreshed stack assembles into the edited file" ||
    not_ok "the refreshed stack assembles into the edited file"
rm -rf "$fresh"
check "make assemble after refreshing the stack" m assemble
git -C "$repo" checkout -q -- patches/series
m assemble FORCE_ASSEMBLE=1

# The code that differs between QEMU releases (QEMU_BASE_ blocks) is
# resolved in the tree: none of it reaches a compiler, and make refresh
# will not carry such a file back (it would lose the other release's code)
base=$(cut -d. -f1-2 "$pristine/VERSION")
left=$(grep -rl '^#ifn\?def QEMU_BASE_' "$src" 2>/dev/null | head -n 3)
in_repo=$(grep -rl '^#ifn\?def QEMU_BASE_' "$repo/hw" "$repo/backdoor" | head -n 1)
if [ -n "$in_repo" ] && [ -z "$left" ]; then
    ok "QEMU_BASE_ blocks are resolved in the assembled tree (QEMU $base)"
else
    not_ok "QEMU_BASE_ blocks are resolved in the assembled tree (left: $left)"
fi
echo "/* an edit of a file with QEMU_BASE_ blocks */" >>"$src/hw/misc/backdoor.c"
refused "make refresh refuses a file whose code differs between releases" \
    QEMU_BASE_ refresh
check "make assemble FORCE_ASSEMBLE=1 drops it" m assemble FORCE_ASSEMBLE=1

# The same folder assembled from another QEMU release: refused while it
# holds an edit, else assembled afresh with that release's code
for other in $(ls "$BACKDOOR_TOP/build-aux/qemu-pins"); do
    [ "$other" != default ] && [ "$other" != "$base" ] || continue
    if ! opristine=$("$BACKDOOR_TOP/build-aux/fetch-qemu.sh" "$other" \
            2>"$T/fetch.err"); then
        not_ok "QEMU $other: no source ($(tail -n 1 "$T/fetch.err"))"
        continue
    fi
    echo "/* an edit */" >>"$src/hw/misc/meson.build"
    name="assembling QEMU $other over a QEMU $base tree with an edit is refused"
    if ! "$repo/build-aux/assemble.py" "$opristine" "$src" 2>"$T/as.err" &&
            grep -q "hw/misc/meson.build" "$T/as.err" &&
            cmp -s "$pristine/VERSION" "$src/VERSION"; then
        ok "$name"
    else
        sed 's/^/  /' "$T/as.err" | tail -n 5
        not_ok "$name"
    fi
    FORCE_ASSEMBLE=1 "$repo/build-aux/assemble.py" "$pristine" "$src" \
        2>/dev/null
    cp "$src/hw/misc/backdoor.c" "$T/backdoor-$base.c"
    name="the tree is assembled afresh from QEMU $other"
    if "$repo/build-aux/assemble.py" "$opristine" "$src" 2>"$T/as.err" &&
            cmp -s "$opristine/VERSION" "$src/VERSION" &&
            ! grep -rq '^#ifn\?def QEMU_BASE_' "$src/hw/misc/backdoor.c" &&
            ! cmp -s "$src/hw/misc/backdoor.c" "$T/backdoor-$base.c"; then
        ok "$name"
    else
        sed 's/^/  /' "$T/as.err" | tail -n 5
        not_ok "$name"
    fi
done
exit 0
