#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The demo library (contrib/backdoor/lib/backdoor-demo.c) reads the
# guest-shared data once, bounded: compiled into a host program
# (tests/backdoor/demo-lib/harness.c, against stand-ins for QEMU's
# headers) under AddressSanitizer and UBSan, it gets unterminated data
# and a "guest" thread rewriting the channel while commands run.  Needs
# no QEMU build.

. "$(dirname "$0")/lib.sh"

dir=$TESTS_DIR/demo-lib
# shellcheck disable=SC2046 # pkg-config prints several words
if ! cc -g -O1 -Wall -Werror -fsanitize=address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    -I"$dir/stub" $(pkg-config --cflags glib-2.0) -o "$T/harness" \
    "$dir/harness.c" "$BACKDOOR_TOP/contrib/backdoor/lib/backdoor-demo.c" \
    $(pkg-config --libs glib-2.0) -pthread >"$T/cc.log" 2>&1; then
    sed 's/^/  /' "$T/cc.log" | tail -n 20
    not_ok "the demo library compiles into the ASan harness"
    exit 0
fi
ok "the demo library compiles into the ASan harness"

for size in 4096 65536; do
    "$T/harness" "$size" 1 >"$T/out" 2>"$T/err"
    code=$?
    sed -n "s/^\\(not \\)\\{0,1\\}ok - /&data channel of $size bytes: /p" "$T/out"
    if [ $code = 0 ]; then
        ok "data channel of $size bytes: no access out of bounds (ASan, UBSan)"
    else
        grep -E 'ERROR|SUMMARY|runtime error|#[0-3] ' "$T/err" | head -n 8 |
            sed 's/^/  /'
        not_ok "data channel of $size bytes: no access out of bounds (ASan, UBSan; exit $code)"
    fi
done
exit 0
