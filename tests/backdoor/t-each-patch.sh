#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every patch of the exported series builds on its own (the series can be
# bisected): build-aux/build-each-patch.sh applies the patches one at a
# time and builds the emulators (and the device's qtest, once a patch has
# added it) incrementally after each, in $BACKDOOR_CHECK_DIR/each-patch,
# with ./configure's defaults and the built-in library.  ccache keeps the
# steps short.  One TAP line a patch.

. "$(dirname "$0")/lib.sh"

pristine=$("$BACKDOOR_TOP/build-aux/fetch-qemu.sh" 2>/dev/null)
export_series "$pristine" "$T/series" "$T/list" || exit 0
"$BACKDOOR_TOP/build-aux/build-each-patch.sh" "$T/series" \
    "$BACKDOOR_CHECK_DIR/each-patch" >"$T/out" 2>"$T/err"
n=0
while IFS= read -r line; do
    case $line in
    "builds: "*) n=$((n + 1)); ok "patch $n builds on its own: ${line#builds: }" ;;
    "FAILS:  "*) n=$((n + 1)); not_ok "patch $n builds on its own: ${line#FAILS:  }" ;;
    esac
done <"$T/out"
mails=$(grep -vc '/0000-' "$T/list")   # not the cover letter
if [ "$n" -eq "$mails" ]; then
    ok "each of the $mails patches was built"
else
    tail -n 5 "$T/err" | sed 's/^/  /'
    not_ok "each of the $mails patches was built (built $n)"
fi
exit 0
