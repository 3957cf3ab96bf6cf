#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Backdoor libraries loaded at run time: two different libraries
# (tests/backdoor/modules/tally.c and chain.c), built as shared objects
# against backdoor/qemu/qemu-backdoor.h the way pkg-config qemu-backdoor
# builds them, are loaded in turn into the same, unchanged emulators of
# the default check configuration:
#
#   qemu-x86_64 -backdoor DIR,lib=FILE.so ...      (and s390x, big-endian)
#   qemu-system-x86_64 -device backdoor,lib=FILE.so (through qtest)
#
# and a wrong path, a file that is not a library, a missing entry point or
# version symbol and a version mismatch each stop QEMU at start with a
# message and exit status 1.

. "$(dirname "$0")/lib.sh"

qb=$(qemu_build default)
if [ -z "$qb" ]; then
    not_ok "libraries loaded at run time (no default build)"
    exit 0
fi
drive=$TESTS_DIR/modules/qtest-pci.py
cc=${CC:-cc}

# module NAME SOURCE [CFLAGS...]: build $T/NAME.so
module() {
    local name=$1 src=$2
    shift 2
    "$cc" -shared -fPIC -O2 -Wall -Werror -DQEMU_BACKDOOR_MODULE \
        -I"$BACKDOOR_TOP/backdoor/qemu" "$@" -o "$T/$name.so" \
        "$TESTS_DIR/modules/$src"
}
# hidden visibility: the header's QEMU_BACKDOOR_EXPORT keeps the entry
# points visible
check "build two libraries as shared objects" eval \
    'module tally tally.c -DBROKEN=0 -fvisibility=hidden &&
     module chain chain.c &&
     module no-version tally.c -DBROKEN=1 &&
     module bad-version tally.c -DBROKEN=2 &&
     module no-entry tally.c -DBROKEN=3'

# expect NAME WANT-STATUS PATTERN... : $T/err holds what the last run
# printed on stderr, $status its exit status; ok when the status is WANT
# and every PATTERN (grep -E) is in $T/out or $T/err
expect() {
    local name=$1 want=$2 p bad=
    shift 2
    [ "$status" = "$want" ] || bad="exit status $status, want $want"
    for p in "$@"; do
        if [ "${p#!}" != "$p" ]; then
            grep -qE -- "${p#!}" "$T/out" "$T/err" && bad="${bad:+$bad; }has '${p#!}'"
        else
            grep -qE -- "$p" "$T/out" "$T/err" || bad="${bad:+$bad; }no '$p'"
        fi
    done
    if [ -z "$bad" ]; then
        ok "$name"
    else
        sed 's/^/  /' "$T/err" | tail -n 8
        not_ok "$name ($bad)"
    fi
}

# user ARCH LIB ARGS...: the guest tool under qemu-ARCH -backdoor DIR,lib=LIB
user() {
    local arch=$1 lib=$2
    shift 2
    rm -rf "$T/bd"
    timeout 60 "$qb/qemu-$arch" -backdoor "$T/bd,lib=$lib" \
        "$BACKDOOR_CHECK_DIR/default/guest/$arch/qemu-backdoor" -d "$T/bd" \
        "$@" >"$T/out" 2>"$T/err"
    status=$?
}
# system LIB STEP...: qtest-pci.py with -device backdoor,lib=LIB
system() {
    local lib=$1
    shift
    timeout 120 python3 "$drive" "$qb/qemu-system-x86_64" "lib=$lib" "$@" \
        >"$T/out" 2>"$T/err"
    status=$?
}

printf 'payload!' >"$T/payload"

# user mode: one library, then the other, in the same emulator
for arch in x86_64 s390x; do
    user "$arch" "$T/tally.so" cmd 5 "$T/payload"
    expect "user $arch: tally.so gets the command and the data, and exits" 0 \
        '^tally: init, 1048576 bytes$' "^tally: command 5, data 'payload!'$" \
        '^tally: 1 commands$'
    user "$arch" "$T/tally.so" cmd 99
    expect "user $arch: tally.so ends QEMU through qemu_backdoor_quit()" 7 \
        '^tally: command 99'
done
user x86_64 "$T/chain.so" cmd 12
expect "user: chain.so, loaded next, answers in the data channel" 0 \
    '^chain: command 12$' '!tally'
if [ "$(head -c 8 "$T/bd/data")" = "chain 12" ]; then
    ok "user: chain.so's answer is in DIR/data"
else
    not_ok "user: chain.so's answer is in DIR/data"
fi
user x86_64 "$T/chain.so" print 'hello from the guest'
expect "user: chain.so keeps the standard commands (qemu-backdoor print)" 0 \
    '^hello from the guest$'

# the trace shows which library and mode QEMU took
rm -rf "$T/bd"
"$qb/qemu-x86_64" -trace 'backdoor_channel_*' -backdoor "$T/bd,lib=$T/chain.so" \
    "$BACKDOOR_CHECK_DIR/default/guest/x86_64/qemu-backdoor" -d "$T/bd" \
    version >"$T/out" 2>"$T/err"
status=$?
expect "user: chain.so's qemu_backdoor_flags() asks for parallel calls" 0 \
    "backdoor_channel_load .*chain\.so" 'backdoor_channel_init parallel 1'

# a library replaces the one compiled in (the main configuration's)
mb=$(qemu_build main)
if [ -n "$mb" ]; then
    rm -rf "$T/bd"
    timeout 60 "$mb/qemu-x86_64" -backdoor "$T/bd,lib=$T/tally.so" \
        "$BACKDOOR_CHECK_DIR/default/guest/x86_64/qemu-backdoor" -d "$T/bd" \
        cmd 5 >"$T/out" 2>"$T/err"
    status=$?
    expect "user: tally.so replaces a library compiled into QEMU" 0 \
        '^tally: command 5'
else
    not_ok "user: tally.so replaces a library compiled into QEMU (no main build)"
fi

# system mode: the same two libraries, through the PCI device
system "$T/tally.so" size put:qtest-ok cmd:5 count cmd:99 exit
expect "system: tally.so gets the command and the data" 7 \
    '^1048576$' "^tally: command 5, data 'qtest-ok'$" '^tally: command 99'
if [ "$(sed -n 4p "$T/out")" = 1 ] && grep -q '^tally: 2 commands$' "$T/err"; then
    ok "system: COUNT is 1, and tally.so's exit callback saw 2 commands"
else
    not_ok "system: COUNT is 1, and tally.so's exit callback saw 2 commands"
fi
system "$T/chain.so" cmd:12 get:16
expect "system: chain.so answers in the data BAR" 0 '^chain 12$' \
    '^chain: command 12$' '!tally'

# what is not a usable library stops QEMU at start, in both modes
bad_cases=(
    "nonexistent.so|cannot load the backdoor library .*nonexistent\.so: No such file or directory"
    "payload|cannot load the backdoor library: .*payload"
    "no-version.so|no-version\.so is not a backdoor library: it does not define qemu_backdoor_api_version"
    "bad-version.so|bad-version\.so was built for version 2 of the backdoor library interface; this QEMU has version 1"
    "no-entry.so|no-entry\.so is not a backdoor library: it does not define qemu_backdoor$"
)
for c in "${bad_cases[@]}"; do
    f=${c%%|*} msg=${c#*|}
    user x86_64 "$T/$f" version
    expect "user: refuses $f" 1 "qemu-x86_64: -backdoor .*: .*$msg" '!^tally'
    system "$T/$f" size
    expect "system: refuses $f" 1 "qemu-system-x86_64: -device backdoor.*: .*$msg" '!^tally'
done
rm -rf "$T/bd"
"$qb/qemu-x86_64" -backdoor "$T/bd,library=$T/tally.so" /bin/true \
    >"$T/out" 2>"$T/err"
status=$?
expect "user: an unknown -backdoor option is an error" 1 \
    "unknown option 'library' \(expected DIR\[,lib=FILE\]\)"

# a name relative to QEMU's working directory is that file, not one in
# the linker's search path
rm -rf "$T/bd"
(cd "$T" && timeout 60 "$qb/qemu-x86_64" -backdoor bd,lib=tally.so \
    "$BACKDOOR_CHECK_DIR/default/guest/x86_64/qemu-backdoor" -d bd cmd 5) \
    >"$T/out" 2>"$T/err"
status=$?
expect "user: lib= relative to the working directory" 0 '^tally: command 5'
(cd "$T" && timeout 60 python3 "$drive" "$qb/qemu-system-x86_64" \
    lib=tally.so cmd:5) >"$T/out" 2>"$T/err"
status=$?
expect "system: lib= relative to the working directory" 0 '^tally: command 5'
user x86_64 "" version
expect "user: an empty lib= is refused" 1 \
    'lib= needs the name of a backdoor library'
user x86_64 "$T" version
expect "user: a directory is refused" 1 \
    "cannot load the backdoor library .*: not a regular file"

# a library that calls exit() in a callback ends QEMU with its status
# (system mode: the exit notifier runs in the thread inside the library)
system "$T/tally.so" cmd:5 cmd:98 exit
expect "system: exit() in the library's callback ends QEMU" 5 \
    '^tally: command 98' '^tally: 2 commands$'
user x86_64 "$T/tally.so" cmd 98
expect "user: exit() in the library's callback ends QEMU" 5 \
    '^tally: command 98'

# QMP device_add may not load code: only a library already loaded
cat >"$T/qmp.py" <<'PYEOF'
import json, subprocess, sys
qemu, lib = sys.argv[1:]
p = subprocess.Popen([qemu, "-M", "pc", "-accel", "qtest", "-display", "none",
                      "-nodefaults", "-qmp", "stdio"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True)
def qmp(cmd, **args):
    p.stdin.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
    p.stdin.flush()
    while True:
        r = json.loads(p.stdout.readline())
        if "return" in r or "error" in r:
            return r
json.loads(p.stdout.readline())
qmp("qmp_capabilities")
r = qmp("device_add", driver="backdoor", id="bd", lib=lib)
print(r.get("error", {}).get("desc", "added"))
qmp("quit")
p.wait()
PYEOF
timeout 60 python3 "$T/qmp.py" "$qb/qemu-system-x86_64" "$T/tally.so" \
    >"$T/out" 2>"$T/err"
status=$?
expect "system: device_add with lib= is refused (no code loaded by QMP)" 0 \
    'lib= loads a library only on the command line' '!tally'

# a library written in C++ (the header's extern "C")
if command -v g++ >/dev/null; then
    cp "$TESTS_DIR/modules/tally.c" "$T/tally.cc"
    check "build a library in C++" g++ -shared -fPIC -O2 -Wall -Werror \
        -DQEMU_BACKDOOR_MODULE -DBROKEN=0 -fvisibility=hidden \
        -I"$BACKDOOR_TOP/backdoor/qemu" -o "$T/tally-cxx.so" "$T/tally.cc"
    user x86_64 "$T/tally-cxx.so" cmd 5 "$T/payload"
    expect "user: a library written in C++ loads" 0 \
        "^tally: command 5, data 'payload!'$"
else
    not_ok "a library written in C++ (no g++)"
fi

"$qb/qemu-system-x86_64" -device backdoor,help >"$T/out" 2>"$T/err"
status=$?
expect "system: -device backdoor,help explains lib" 0 \
    '^  lib=<str> +- a backdoor library \(shared object\) to load'
