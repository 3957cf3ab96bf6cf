#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo works: the demo (demo/run-demo.sh, on the "demo" check build)
# runs the example guest program against the example library in user mode
# and in a Linux guest, and both runs show every command's effect.  And it
# says what each step does and how long it took (checked first, in seconds,
# with stand-ins for the emulators).

. "$(dirname "$0")/lib.sh"

# the steps' messages: a build folder marked built whose emulators are
# scripts (the system one writes the console log a guest would)
fake=$T/fake-build
mkdir -p "$fake/qemu-build" "$fake/guest"
touch "$fake/.built"
main=$(qemu_build main)
if [ -n "$main" ]; then
    ln -s "$(dirname "$main")/guest/x86_64" "$fake/guest/x86_64"
    cat >"$fake/qemu-build/qemu-x86_64" <<'EOF'
#!/bin/sh
echo "[qemu] stand-in qemu-x86_64"
EOF
    cat >"$fake/qemu-build/qemu-system-x86_64" <<'EOF'
#!/bin/sh
for a; do
    case $a in file:*) printf 'GUEST-START\n[guest] stand-in\nGUEST-DONE\n' >"${a#file:}" ;; esac
done
EOF
    chmod +x "$fake/qemu-build/"qemu-*
    BACKDOOR_DEMO_BUILD=$fake "$BACKDOOR_TOP/demo/run-demo.sh" \
        >"$T/steps.out" 2>&1
    code=$?
    # the step lines, "done" lines reduced to their step
    grep '^===' "$T/steps.out" | sed 's/: done in [0-9]* s$/: done/' >"$T/steps"
    cat >"$T/want" <<EOF
=== checking the packages the demo needs (apt installs the missing ones)...
=== checking the packages the demo needs: done
=== QEMU with the demo library is already built in $fake
=== compiling the guest program backdoor-demo...
=== compiling the guest program backdoor-demo: done
=== user mode: qemu-x86_64 -backdoor BD backdoor-demo BD...
=== user mode: qemu-x86_64 -backdoor BD backdoor-demo BD: done
=== system mode: a Linux guest of qemu-system-x86_64 -device backdoor (boots Debian's kernel under TCG: 14 s on 2 cores)...
=== system mode: a Linux guest of qemu-system-x86_64 -device backdoor: done
EOF
    # the scratch folder's name changes from run to run
    sed -i 's|[^ ]*/backdoor-demo\.[^/ ]*/bd|BD|g' "$T/steps"
    if [ $code = 0 ] && diff "$T/want" "$T/steps" >"$T/steps.diff"; then
        ok "the demo says what each step does and how many seconds it took"
    else
        sed 's/^/  /' "$T/steps.diff" "$T/steps.out" | tail -n 30
        not_ok "the demo says what each step does and how many seconds it took (exit $code)"
    fi
else
    not_ok "the demo's step messages (no main build for the guest library)"
fi

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
