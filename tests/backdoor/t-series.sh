#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make series: the exported mails apply with git am to the pristine QEMU
# tree the build uses, each one passes scripts/checkpatch.pl with no error
# and no warning, no mail holds text of this project's own, and the result
# is the tree the main check build compiled (so the applied series builds).

. "$(dirname "$0")/lib.sh"

pristine=$("$BACKDOOR_TOP/build-aux/fetch-qemu.sh" 2>/dev/null)
export_series "$pristine" "$T/series" "$T/list" || exit 0
ok "make series exports the series ($(grep -c . "$T/list") mails)"

# apply to a fresh git copy of the pristine tree
tree=$T/am
cp -a "$pristine" "$tree"
rm -f "$tree/.unpacked"
(cd "$tree" && git init -q -b master && git add -A -f &&
    git -c gc.auto=0 -c user.name=t -c user.email=t@t commit -q -m base) || true
# shellcheck disable=SC2046 # one patch file a word
if (cd "$tree" && git -c gc.auto=0 -c user.name=t -c user.email=t@t am -q \
        $(grep -v 0000-cover-letter "$T/list")) >"$T/am.log" 2>&1; then
    ok "git am applies the series to the pristine QEMU $(cat "$pristine/VERSION")"
else
    sed 's/^/  /' "$T/am.log" | tail -n 20
    not_ok "git am applies the series to the pristine QEMU $(cat "$pristine/VERSION")"
fi

while read -r p; do
    name=$(basename "$p")
    out=$("$pristine/scripts/checkpatch.pl" "$p" 2>&1)
    if grep -q "^total: 0 errors, 0 warnings" <<<"$out"; then
        ok "checkpatch: $name"
    else
        grep -E "^(ERROR|WARNING)" -A3 <<<"$out" | head -n 20 | sed 's/^/  /'
        not_ok "checkpatch: $name ($(grep '^total:' <<<"$out"))"
    fi
done <"$T/list"

# no mail carries this project's own text: the "text:" patterns of
# patches/project-only.txt (its README, make targets, tests, the
# specification beside the repository, Debian specifics)
sed -n 's/^text://p' "$BACKDOOR_TOP/patches/project-only.txt" >"$T/text"
if [ -s "$T/text" ]; then
    # shellcheck disable=SC2046 # one mail a word
    if grep -nE -f "$T/text" $(cat "$T/list") >"$T/found"; then
        sed "s|^$T/series/||; s/^/  /" "$T/found" | cut -c1-160 | head -n 20
        not_ok "no mail holds project-only text ($(wc -l <"$T/found") lines)"
    else
        ok "no mail holds project-only text ($(wc -l <"$T/text") patterns)"
    fi
else
    not_ok "no mail holds project-only text (no text: patterns)"
fi

# the applied series is what the main configuration built
qb=$(qemu_build main)
if [ -z "$qb" ]; then
    not_ok "the applied series equals the tree the main build compiled (no main build)"
    exit 0
fi
src=$(dirname "$qb")/qemu-src
(cd "$tree" && patch -p1 -s <"$BACKDOOR_TOP"/patches/tarball/*.patch)
changed=$(cd "$tree" && git diff --name-only "$(git rev-list --max-parents=0 HEAD)" HEAD)
bad=0
for f in $changed; do
    if [ "$f" = MAINTAINERS ]; then
        continue        # the series' MAINTAINERS section is not assembled
    fi
    if ! cmp -s "$tree/$f" "$src/$f"; then
        echo "  differs: $f"
        bad=1
    fi
done
[ $bad = 0 ] && ok "the applied series equals the tree the main build compiled" ||
    not_ok "the applied series equals the tree the main build compiled"
exit 0
