#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The other two configurations run-tests.sh builds work end to end, in
# user mode:
#   default  no --with-backdoor: the built-in library reports each command
#            as a trace event
#   seed     --with-backdoor=<the specification's example library>: the
#            specification's guest example, unchanged, reaches it

. "$(dirname "$0")/lib.sh"

guest_cc() {    # guest_cc CONFIG OUT SRC: a static x86_64 guest program
    cc -static -O2 -o "$2" "$3" -I"$BACKDOOR_TOP/backdoor/guest" \
        "$(guest_lib x86_64 "$1")"
}

qb=$(qemu_build default)
if [ -z "$qb" ]; then
    not_ok "default library: commands reach the trace (no default build)"
else
    guest_cc default "$T/demo" "$BACKDOOR_TOP/contrib/backdoor/guest/backdoor-demo.c"
    "$qb/qemu-x86_64" -backdoor "$T/bd" -trace 'backdoor_default_*' \
        "$T/demo" "$T/bd" >"$T/default.out" 2>&1
    # the demo sends commands 1, 2 and 3; data[0] starts with "hello fr"
    # (little-endian) before command 2 upper-cases it
    if grep -q "backdoor_default_init data channel of 0x" "$T/default.out" &&
        grep -q "backdoor_default_command cmd 0x1 data\[0\] 0x7266206f6c6c6568" "$T/default.out" &&
        grep -q "backdoor_default_command cmd 0x2 " "$T/default.out" &&
        grep -q "backdoor_default_command cmd 0x3 " "$T/default.out"; then
        ok "default library: commands reach the trace"
    else
        sed 's/^/  /' "$T/default.out" | tail -n 10
        not_ok "default library: commands reach the trace"
    fi
fi

qb=$(qemu_build seed)
if [ -z "$qb" ]; then
    if [ -f "$BACKDOOR_CHECK_DIR/seed-lib/backdoor.c" ]; then
        not_ok "specification's example library: the example guest reaches it (no seed build)"
    else
        skip "specification's example library: the example guest reaches it" \
            "the specification is not beside the repository"
    fi
    exit 0
fi
"$TESTS_DIR/seed-example.sh" /tmp/my-backdoor-guest.c "$T/seed-guest.c"
guest_cc seed "$T/seed-guest" "$T/seed-guest.c"
# the example opens the fixed path /tmp/backdoor
made=
[ -e /tmp/backdoor ] || made=yes
"$qb/qemu-x86_64" -backdoor /tmp/backdoor "$T/seed-guest" >"$T/seed.out" 2>&1
code=$?
[ -n "$made" ] && rm -rf /tmp/backdoor
if [ $code = 0 ] &&
    grep -q '^+ [0-9][0-9]*$' "$T/seed.out" &&
    grep -q '^size: [0-9][0-9]*$' "$T/seed.out" &&
    grep -q '^sending cmd: 0xcafe data: 0xbabe$' "$T/seed.out" &&
    grep -q '^-> cafe :: babe$' "$T/seed.out"; then
    ok "specification's example library: the example guest reaches it"
else
    sed 's/^/  /' "$T/seed.out" | tail -n 10
    not_ok "specification's example library: the example guest reaches it (exit $code)"
fi
exit 0
