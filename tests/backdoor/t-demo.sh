#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo works: the demo (demo/run-demo.sh, on the "demo" check build)
# runs the example guest program against the example library in user mode
# and in a Linux guest, and both runs show every command's effect.  And it
# says what each step does and how long it took (checked first, in seconds,
# with stand-ins for make and the emulators).  And a re-run after an edit
# rebuilds: in a scratch copy of the repository, the demo is run, sources
# of each kind are edited, and the next run must use them.

. "$(dirname "$0")/lib.sh"

# the steps' messages: a configured build folder whose emulators are
# scripts (the system one writes the console log a guest would), and a
# make that does nothing
fake=$T/fake-build
mkdir -p "$fake/qemu-build" "$fake/guest" "$T/bin"
lib=$BACKDOOR_TOP/contrib/backdoor/lib
echo "BACKDOOR_LIB=$lib" >"$fake/config.mak"
ls "$lib"/*.c >"$fake/qemu-build/build.ninja"
printf '#!/bin/sh\nexit 0\n' >"$T/bin/make"
chmod +x "$T/bin/make"
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
    PATH=$T/bin:$PATH BACKDOOR_DEMO_BUILD=$fake \
        "$BACKDOOR_TOP/demo/run-demo.sh" >"$T/steps.out" 2>&1
    code=$?
    # the step lines, "done" lines reduced to their step
    grep '^===' "$T/steps.out" | sed 's/: done in [0-9]* s$/: done/' >"$T/steps"
    cat >"$T/want" <<EOF
=== checking the packages the demo needs (apt installs the missing ones)...
=== checking the packages the demo needs: done
=== bringing QEMU with the demo library in $fake up to date (rebuilds what changed since the last run: seconds when nothing did; the log is $fake/demo-build.log)...
=== bringing QEMU with the demo library in $fake up to date: done
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

# A re-run after an edit rebuilds.  A scratch copy of the repository (no
# build/, no .git) runs the demo once, which builds its own build/demo;
# then sources of each kind are edited: the library (its message changes,
# and a new C file, which meson must be made to see), a file of the
# overlay QEMU compiles, a patch of the series and the guest library, each
# edit leaving a marker in what it builds.  The second run must show the new message in both
# modes and the markers in the emulators and the guest library.
repo=$T/repo
mkdir -p "$repo"
tar -C "$BACKDOOR_TOP" --exclude=./build --exclude=./.git -cf - . |
    tar -C "$repo" -xf -
out=$repo/build/demo
# configured as the check configurations are (run-tests.sh passes their
# options), so that building it takes ccache's hits of the "demo" one
# rather than a build from scratch; the demo then only brings it up to date
read -r -a opts <<<"${BACKDOOR_CHECK_OPTS:-}"
if [ ${#opts[@]} -gt 0 ] &&
    ! (cd "$repo" && ./configure --skip-setup --build-dir="$out" \
        --with-backdoor="$repo/contrib/backdoor/lib" "${opts[@]}") \
        >"$T/configure.log" 2>&1; then
    tail -n 20 "$T/configure.log" | sed 's/^/  /'
    not_ok "re-run: configure a scratch copy"
    exit 0
fi
if ! "$repo/demo/run-demo.sh" >"$T/run1.out" 2>&1; then
    tail -n 20 "$T/run1.out" | sed 's/^/  /'
    not_ok "re-run: the first run in a scratch copy exits 0"
    exit 0
fi
ok "re-run: the first run in a scratch copy exits 0"
sed -i 's/demo library ready/demo library (edited) ready/' \
    "$repo/contrib/backdoor/lib/backdoor-demo.c"
printf '%s\n' '/* added by t-demo.sh */' '#include "qemu/osdep.h"' \
    'static const char bdt_new[] __attribute__((used)) = "BDT-EDIT-NEWFILE";' \
    >"$repo/contrib/backdoor/lib/backdoor-demo-extra.c"
printf '%s\n' '/* added by t-demo.sh */' \
    'static const char bdt_overlay[] __attribute__((used)) = "BDT-EDIT-OVERLAY";' \
    >>"$repo/backdoor/qemu/std-backdoor.c"
printf '%s\n' '/* added by t-demo.sh */' \
    'static const char bdt_guest[] __attribute__((used)) = "BDT-EDIT-GUEST";' \
    >>"$repo/backdoor/guest/qemu-backdoor.c"
# the patch that adds -backdoor to linux-user (each release's): its help
# text
sed -i 's/"create the backdoor channel/"BDT-EDIT-PATCH create the backdoor channel/' \
    "$repo"/patches/series/*-linux-user-add-backdoor.patch \
    "$repo"/patches/qemu-*/series/*-linux-user-add-backdoor.patch
"$repo/demo/run-demo.sh" >"$T/run2.out" 2>&1
code=$?
[ $code = 0 ] && ok "re-run: the run after the edits exits 0" || {
    tail -n 20 "$T/run2.out" | sed 's/^/  /'
    not_ok "re-run: the run after the edits exits 0 (got $code)"
}
n=$(grep -c '^\[qemu\] demo library (edited) ready' "$T/run2.out")
[ "$n" = 2 ] && ok "re-run: the edited library runs (user and system mode)" ||
    not_ok "re-run: the edited library runs: seen $n times, want 2"
# marker WHAT FILE STRING: STRING is in the built FILE
marker() {
    grep -qaF "$3" "$2" 2>/dev/null && ok "re-run: $1" || not_ok "re-run: $1"
}
for e in qemu-x86_64 qemu-system-x86_64; do
    marker "$e has the new C file of the library" "$out/qemu-build/$e" \
        BDT-EDIT-NEWFILE
    marker "$e has the edited overlay file" "$out/qemu-build/$e" \
        BDT-EDIT-OVERLAY
done
marker "qemu-x86_64 has the edited patch" "$out/qemu-build/qemu-x86_64" \
    BDT-EDIT-PATCH
marker "the guest library is rebuilt" \
    "$out/guest/x86_64/libqemu-backdoor-guest.a" BDT-EDIT-GUEST
exit 0
