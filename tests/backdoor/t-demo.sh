#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo works: the demo (demo/run-demo.sh, on the "demo" check build)
# runs the example guest program against the example library in user mode
# and in a Linux guest, and both runs show every command's effect.

. "$(dirname "$0")/lib.sh"

qb=$(qemu_build demo)
if [ -z "$qb" ]; then
    not_ok "demo (the demo configuration was not built)"
    exit 0
fi
BACKDOOR_DEMO_BUILD=$(dirname "$qb") "$BACKDOOR_TOP/demo/run-demo.sh" \
    >"$T/demo.out" 2>&1
code=$?
sed 's/^/  /' "$T/demo.out" | grep -v '^  $' | tail -n 30
[ $code = 0 ] && ok "demo/run-demo.sh exits 0" || not_ok "demo/run-demo.sh exits 0 (got $code)"

# each line must appear twice: once per mode
expect() {
    local n
    n=$(grep -cF -- "$2" "$T/demo.out")
    [ "$n" = 2 ] && ok "$1 (user and system mode)" ||
        not_ok "$1: '$2' seen $n times, want 2"
}
expect "the library starts once per QEMU" \
    "[qemu] demo library ready, data channel of 1048576 bytes"
expect "the guest sees the data channel size" \
    "[guest] data channel of 1048576 bytes"
expect "command 1 reaches the library with the guest's data" \
    "says: hello from the guest"
expect "command 2 changes the data the guest reads back" \
    "[guest] the library changed the data to: HELLO FROM THE GUEST"
expect "command 3 returns a value in the guest's register" \
    "[guest] the library counted 4 words"
exit 0
