#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest library (libqemu-backdoor-guest.a) for x86_64 and aarch64:
# it builds on its own, the specification's guest example compiles against
# its header unchanged, and with no channel every call fails cleanly with
# the documented errno (run under the main build's qemu-x86_64 and
# qemu-aarch64, without -backdoor).

. "$(dirname "$0")/lib.sh"

seed_guest=$T/my-backdoor-guest.c
have_seed=yes
"$TESTS_DIR/seed-example.sh" /tmp/my-backdoor-guest.c "$seed_guest" || have_seed=

mkdir -p "$T/empty" "$T/bad"
printf 'short' >"$T/bad/control"
printf 'short' >"$T/bad/data"

qb=$(qemu_build main)
for pair in x86_64:cc aarch64:aarch64-linux-gnu-gcc; do
    arch=${pair%%:*} cc=${pair#*:}
    if ! command -v "$cc" >/dev/null; then
        not_ok "$arch: no compiler $cc"
        continue
    fi
    out=$T/lib-$arch
    check "$arch: make -C backdoor/guest builds on its own" \
        make -s -C "$BACKDOOR_TOP/backdoor/guest" CC="$cc" O="$out"
    lib=$out/libqemu-backdoor-guest.a
    [ -f "$lib" ] || continue

    if [ -n "$have_seed" ]; then
        check "$arch: the specification's guest example compiles unchanged" \
            "$cc" -static -o "$T/seed-$arch" "$seed_guest" "$lib" \
            -I"$BACKDOOR_TOP/backdoor/guest"
    else
        skip "$arch: the specification's guest example compiles unchanged" \
            "the specification is not beside the repository"
    fi

    check "$arch: build no-channel test" \
        "$cc" -static -Wall -Werror -o "$T/no-channel-$arch" \
        "$TESTS_DIR/guest/no-channel.c" "$lib" -I"$BACKDOOR_TOP/backdoor/guest"
    if [ -z "$qb" ] || [ ! -x "$qb/qemu-$arch" ]; then
        not_ok "$arch: fails cleanly without a channel (no qemu-$arch in the main build)"
        continue
    fi
    # each line the program prints is one check
    "$qb/qemu-$arch" "$T/no-channel-$arch" "$T/empty" "$T/bad" 2>&1 |
        sed -n "s/^\(not \)\{0,1\}ok - /&$arch: /p"
    [ "${PIPESTATUS[0]}" = 0 ] && ok "$arch: no-channel program exits 0" ||
        not_ok "$arch: no-channel program exits 0"
done
exit 0
