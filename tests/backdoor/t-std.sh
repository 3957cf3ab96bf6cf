#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The standard command set of the built-in library and the guest tool
# qemu-backdoor, in user mode, against the default check configuration
# (no --with-backdoor): qemu-x86_64, qemu-aarch64, qemu-i386 (32-bit) and
# qemu-s390x (big-endian) run the static tool that configuration built
# (build/check/default/guest/ARCH/qemu-backdoor)
# exactly as docs/interop/backdoor-guest.rst shows:
#
#   QEMU_BACKDOOR_SHARE=SHARE qemu-ARCH -backdoor DIR \
#       qemu-backdoor -d DIR COMMAND...

. "$(dirname "$0")/lib.sh"

qb=$(qemu_build default)
if [ -z "$qb" ]; then
    not_ok "the standard commands (no default build)"
    exit 0
fi

share=$T/share
mkdir -p "$share" "$T/outside"
head -c 3000000 /dev/urandom >"$T/big"        # larger than the 1 MiB channel
head -c 10000 /dev/urandom >"$T/small"
: >"$T/empty"
echo secret >"$T/outside/secret"
ln -s "$T/outside" "$share/dirlink"
ln -s "$T/outside/secret" "$share/filelink"

# bd ARCH ARGS...: the tool under qemu-ARCH -backdoor, in $T/work-ARCH;
# QEMU_BACKDOOR_SHARE and QEMU_BACKDOOR_LOG come from the caller
bd() {
    local arch=$1
    shift
    (cd "$T/work-$arch" &&
        timeout "${BD_TIMEOUT:-60}" "$qb/qemu-$arch" -backdoor "$T/bd-$arch" \
            "$tool" -d "$T/bd-$arch" "$@")
}

# expect_status NAME WANT ARCH ARGS...: bd's exit status is WANT
expect_status() {
    local name=$1 want=$2 got
    shift 2
    bd "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" = "$want" ]; then
        ok "$name"
    else
        sed 's/^/  /' "$T/err" | tail -n 5
        not_ok "$name (exit status $got, want $want)"
    fi
}

for pair in x86_64:cc aarch64:aarch64-linux-gnu-gcc i386:i686-linux-gnu-gcc \
        s390x:s390x-linux-gnu-gcc; do
    a=${pair%%:*} cc=${pair#*:}
    tool=$BACKDOOR_CHECK_DIR/default/guest/$a/qemu-backdoor
    if [ ! -x "$tool" ] || [ ! -x "$qb/qemu-$a" ]; then
        not_ok "$a: qemu-backdoor and qemu-$a built by the default configuration"
        continue
    fi
    mkdir -p "$T/work-$a"
    unset QEMU_BACKDOOR_LOG QEMU_BACKDOOR_SHARE

    # version and features
    if out=$(QEMU_BACKDOOR_SHARE=$share bd "$a" version 2>&1) &&
        [[ $out =~ ^host\ 1\ guest\ 1\ features\ 0x8[0-9a-f]*1fe\ data\ channel\ 1048576\ bytes$ ]]; then
        ok "$a: version: $out"
    else
        printf '  %s\n' "$out"
        not_ok "$a: version"
    fi

    # print: stderr, then a log file
    out=$(bd "$a" print hello from the guest 2>&1 >/dev/null)
    [ "$out" = "hello from the guest" ] && ok "$a: print goes to stderr" ||
        { printf '  %s\n' "$out"; not_ok "$a: print goes to stderr"; }
    rm -f "$T/log"
    QEMU_BACKDOOR_LOG=$T/log bd "$a" print one >/dev/null 2>&1
    QEMU_BACKDOOR_LOG=$T/log bd "$a" print two words >/dev/null 2>&1
    [ "$(cat "$T/log" 2>/dev/null)" = "$(printf 'one\ntwo words')" ] &&
        ok "$a: print appends to QEMU_BACKDOOR_LOG" ||
        not_ok "$a: print appends to QEMU_BACKDOOR_LOG"
    long=$(head -c 100000 /dev/zero | tr '\0' x)
    out=$(cd "$T/work-$a" && timeout 60 "$qb/qemu-$a" -backdoor "$T/bd-$a" \
        -backdoor-size 4K "$tool" -d "$T/bd-$a" print "$long" 2>&1 >/dev/null)
    [ "$out" = "$long" ] && ok "$a: print of 100000 bytes through a 4 KiB channel" ||
        not_ok "$a: print of 100000 bytes through a 4 KiB channel (${#out} bytes came out)"

    # exit: the status is QEMU's (the tool itself would wait, then fail)
    # (when QEMU does not exit, the tool waits 60 s and fails)
    BD_TIMEOUT=15 expect_status "$a: exit 7 ends QEMU with status 7" 7 "$a" exit 7
    BD_TIMEOUT=15 expect_status "$a: exit 0" 0 "$a" exit 0
    BD_TIMEOUT=15 expect_status "$a: exit 255" 255 "$a" exit 255
    expect_status "$a: exit 256 is a usage error" 2 "$a" exit 256
    # while other guest threads send commands; the exit callback runs
    if "$cc" -static -O2 -o "$T/std-exit-threads-$a" \
            "$TESTS_DIR/guest/std-exit-threads.c" -I"$BACKDOOR_TOP/backdoor/guest" \
            "$BACKDOOR_CHECK_DIR/default/guest/$a/libqemu-backdoor-guest.a" \
            -lpthread; then
        out=$(timeout 30 "$qb/qemu-$a" -backdoor "$T/bd-$a" \
            "$T/std-exit-threads-$a" "$T/bd-$a" 2>&1)
        st=$?
        [ $st = 5 ] && grep -q '^qemu-backdoor: roi: 1 region, ' <<<"$out" &&
            ok "$a: exit while 3 other threads send commands" ||
            { printf '  %s\n' "$out" | tail -n 3; not_ok "$a: exit while 3 other threads send commands (status $st)"; }
    else
        not_ok "$a: std-exit-threads.c compiles"
    fi

    # time, against the host's clock
    before=$(date +%s%N)
    out=$(bd "$a" time 2>&1)
    after=$(date +%s%N)
    read -r rt mono <<<"$out"
    if [[ $rt =~ ^[0-9]+$ ]] && [[ $mono =~ ^[0-9]+$ ]] &&
        [ "$rt" -ge "$before" ] && [ "$rt" -le "$after" ] && [ "$mono" -gt 0 ]; then
        ok "$a: time is the host's (realtime $rt, monotonic $mono)"
    else
        printf '  %s\n' "$out"
        not_ok "$a: time is the host's"
    fi

    # regions of interest: reported when QEMU exits
    "$cc" -static -O2 -o "$T/std-roi-$a" "$TESTS_DIR/guest/std-roi.c" \
        -I"$BACKDOOR_TOP/backdoor/guest" \
        "$BACKDOOR_CHECK_DIR/default/guest/$a/libqemu-backdoor-guest.a"
    out=$(timeout 60 "$qb/qemu-$a" -backdoor "$T/bd-$a" "$T/std-roi-$a" \
        "$T/bd-$a" 2>&1)
    if grep -q '^std-roi done$' <<<"$out" &&
        grep -q '^qemu-backdoor: roi: the last region was still open at exit$' <<<"$out" &&
        grep -Eq '^qemu-backdoor: roi: 3 regions, 0\.[0-9]{9} s host time$' <<<"$out"; then
        ok "$a: roi begin/end: the regions are reported at exit"
    else
        printf '  %s\n' "$out"
        not_ok "$a: roi begin/end: the regions are reported at exit"
    fi
    expect_status "$a: roi end without begin fails" 1 "$a" roi end
    out=$(bd "$a" roi begin 2>&1)
    grep -q '^qemu-backdoor: roi: 1 region, ' <<<"$out" &&
        ok "$a: roi begin from the tool is reported at exit" ||
        { printf '  %s\n' "$out"; not_ok "$a: roi begin from the tool is reported at exit"; }

    # put and get, byte for byte, larger than the data channel too
    export QEMU_BACKDOOR_SHARE=$share
    for f in big small empty; do
        cp "$T/$f" "$T/work-$a/$f"
        rm -f "$share/$f-$a"
        if bd "$a" put "$f" "$f-$a" >"$T/out" 2>&1 &&
            cmp -s "$T/$f" "$share/$f-$a"; then
            ok "$a: put $f ($(stat -c %s "$T/$f") bytes) arrives byte for byte"
        else
            sed 's/^/  /' "$T/out"
            not_ok "$a: put $f ($(stat -c %s "$T/$f") bytes) arrives byte for byte"
        fi
        rm -f "$T/work-$a/$f"
        if bd "$a" get "$f-$a" "$f" >"$T/out" 2>&1 &&
            cmp -s "$T/$f" "$T/work-$a/$f"; then
            ok "$a: get $f back, byte for byte"
        else
            sed 's/^/  /' "$T/out"
            not_ok "$a: get $f back, byte for byte"
        fi
    done
    # many chunks through a 4 KiB channel, into a subdirectory
    mkdir -p "$share/sub"
    cp "$T/small" "$T/work-$a/small"
    if (cd "$T/work-$a" && timeout 60 "$qb/qemu-$a" -backdoor "$T/bd-$a" \
            -backdoor-size 4K "$tool" -d "$T/bd-$a" put small sub/s) &&
        cmp -s "$T/small" "$share/sub/s"; then
        ok "$a: put through a 4 KiB data channel (3 chunks), into a subdirectory"
    else
        not_ok "$a: put through a 4 KiB data channel (3 chunks), into a subdirectory"
    fi
    # a shorter file replaces a longer one
    cp "$T/small" "$T/work-$a/big"
    bd "$a" put big "big-$a" >/dev/null 2>&1
    cmp -s "$T/small" "$share/big-$a" && ok "$a: put truncates the host file" ||
        not_ok "$a: put truncates the host file"

    # no way out of the share directory
    echo x >"$T/work-$a/x"
    for name in ../escape /tmp/escape-$$ sub/../../escape ./x sub/ \
            dirlink/escape filelink; do
        expect_status "$a: put to '$name' is refused" 1 "$a" put x "$name"
    done
    [ ! -e "$T/escape" ] && [ ! -e "/tmp/escape-$$" ] &&
        [ ! -e "$T/outside/escape" ] &&
        [ "$(cat "$T/outside/secret")" = secret ] &&
        ok "$a: nothing was written outside the share directory" ||
        not_ok "$a: nothing was written outside the share directory"
    for name in ../small filelink dirlink/secret "$T/outside/secret" missing; do
        rm -f "$T/work-$a/got"
        expect_status "$a: get of '$name' is refused" 1 "$a" get "$name" got
        [ ! -e "$T/work-$a/got" ] || not_ok "$a: get of '$name' created a file"
    done
    # hostile requests: errors, bounded results, and QEMU keeps running
    rm -rf "$share/f"
    if "$cc" -static -O2 -o "$T/std-hostile-$a" "$TESTS_DIR/guest/std-hostile.c" \
            -I"$BACKDOOR_TOP/backdoor/guest" \
            "$BACKDOOR_CHECK_DIR/default/guest/$a/libqemu-backdoor-guest.a"; then
        timeout 60 "$qb/qemu-$a" -backdoor-size 4K -backdoor "$T/bd-$a" \
            "$T/std-hostile-$a" "$T/bd-$a" 2>"$T/hostile.err" >"$T/hostile.out"
        st=$?
        sed -n "s/^\(not \)\{0,1\}ok - /&$a: hostile: /p" "$T/hostile.out"
        [ $st = 0 ] && [ "$(grep -c '^ok' "$T/hostile.out")" -ge 24 ] &&
            ok "$a: hostile requests: QEMU runs on ($(stat -c %s "$T/hostile.err") bytes printed)" ||
            { tail -c 300 "$T/hostile.err" | cut -c 1-100; echo; not_ok "$a: hostile requests: QEMU runs on (status $st)"; }
    else
        not_ok "$a: std-hostile.c compiles"
    fi

    unset QEMU_BACKDOOR_SHARE
    expect_status "$a: put without QEMU_BACKDOOR_SHARE is refused" 1 "$a" put x

    # any command: unknown ones are traced by the built-in library
    # 0x12345678 as the guest's first 64-bit word, in its byte order
    if [ "$a" = s390x ]; then
        printf '\x00\x00\x00\x00\x12\x34\x56\x78' >"$T/work-$a/data"
    else
        printf '\x78\x56\x34\x12\x00\x00\x00\x00' >"$T/work-$a/data"
    fi
    out=$(cd "$T/work-$a" && timeout 60 "$qb/qemu-$a" -backdoor "$T/bd-$a" \
        -trace 'backdoor_default_command' "$tool" -d "$T/bd-$a" \
        cmd 0xcafe data 2>&1)
    grep -q 'backdoor_default_command cmd 0xcafe data\[0\] 0x12345678' <<<"$out" &&
        ok "$a: cmd 0xcafe DATA-FILE reaches the library" ||
        { printf '  %s\n' "$out" | tail -n 3; not_ok "$a: cmd 0xcafe DATA-FILE reaches the library"; }

    # no channel: a clear message and status 3
    out=$(timeout 60 "$qb/qemu-$a" "$tool" version 2>&1)
    st=$?
    [ $st = 3 ] && grep -q 'no backdoor channel' <<<"$out" &&
        ok "$a: without a channel: status 3 and a message" ||
        { printf '  %s\n' "$out"; not_ok "$a: without a channel: status 3 and a message (status $st)"; }
    out=$(timeout 60 "$qb/qemu-$a" "$tool" -d "$T/bd-$a" version 2>&1)
    st=$?
    [ $st = 3 ] && grep -q 'no backdoor channel' <<<"$out" &&
        ok "$a: files left by an exited QEMU are no channel" ||
        { printf '  %s\n' "$out"; not_ok "$a: files left by an exited QEMU are no channel (status $st)"; }
    expect_status "$a: an unknown command is a usage error" 2 "$a" frobnicate
done

# as a user without privileges (when the tests run as root)
tool=$BACKDOOR_CHECK_DIR/default/guest/x86_64/qemu-backdoor
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
    skip "qemu-backdoor as a non-root user" "not root, or no setpriv"
else
    nr=$(mktemp -d /tmp/bd-nonroot.XXXXXX)
    chmod 755 "$nr"
    cp "$tool" "$nr/qemu-backdoor"
    chown 65534:65534 "$nr"
    out=$(cd "$nr" && setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$qb/qemu-x86_64" -backdoor "$nr/bd" "$nr/qemu-backdoor" -d "$nr/bd" \
        print as nobody 2>&1)
    (cd "$nr" && setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$qb/qemu-x86_64" -backdoor "$nr/bd" "$nr/qemu-backdoor" -d "$nr/bd" \
        exit 4 >/dev/null 2>&1)
    st=$?
    [ "$out" = "as nobody" ] && [ $st = 4 ] &&
        ok "qemu-backdoor print and exit as a non-root user (nobody)" ||
        { printf '  %s\n' "$out"; not_ok "qemu-backdoor print and exit as a non-root user (nobody) (status $st)"; }
    rm -rf "$nr"
fi

# A library given to --with-backdoor keeps the standard commands by
# chaining to qemu_backdoor_std(): the test library does (main build)
mqb=$(qemu_build main) || true
tool=$BACKDOOR_CHECK_DIR/default/guest/x86_64/qemu-backdoor
if [ -n "$mqb" ] && [ -x "$mqb/qemu-x86_64" ]; then
    out=$(timeout 60 "$mqb/qemu-x86_64" -backdoor "$T/bd-chain" "$tool" \
        -d "$T/bd-chain" print chained 2>&1)
    grep -q '^chained$' <<<"$out" && grep -q '^bdt-exit: 0 commands$' <<<"$out" &&
        ok "the test library keeps the standard commands (chaining)" ||
        { printf '  %s\n' "$out"; not_ok "the test library keeps the standard commands (chaining)"; }
    timeout 60 "$mqb/qemu-x86_64" -backdoor "$T/bd-chain" "$tool" \
        -d "$T/bd-chain" exit 9 >/dev/null 2>&1
    st=$?
    [ $st = 9 ] && ok "the test library: exit 9 ends QEMU with 9" ||
        not_ok "the test library: exit 9 ends QEMU with 9 (status $st)"
else
    not_ok "the test library keeps the standard commands (no main build)"
fi
# a library without them: the tool says so and exits with 3
sqb=$(qemu_build seed) || true
if [ -n "$sqb" ] && [ -x "$sqb/qemu-x86_64" ]; then
    out=$(timeout 60 "$sqb/qemu-x86_64" -backdoor "$T/bd-seed" "$tool" \
        -d "$T/bd-seed" version 2>&1)
    st=$?
    [ $st = 3 ] && grep -q 'does not implement the standard commands' <<<"$out" &&
        ok "a library without the standard commands: status 3 and a message" ||
        { printf '  %s\n' "$out"; not_ok "a library without the standard commands: status 3 and a message (status $st)"; }
else
    skip "a library without the standard commands" "no seed build"
fi

# the guest header from C++
cxx=$T/cxx-header
if ! command -v g++ >/dev/null; then
    skip "the guest header compiles as C++" "no g++"
elif g++ -static -Wall -Wextra -Werror -o "$cxx" "$TESTS_DIR/guest/cxx-header.cc" \
        -I"$BACKDOOR_TOP/backdoor/guest" \
        "$BACKDOOR_CHECK_DIR/default/guest/x86_64/libqemu-backdoor-guest.a" \
        >"$T/cxx.log" 2>&1; then
    ok "the guest headers compile and link as C++"
    out=$(timeout 60 "$qb/qemu-x86_64" -backdoor "$T/bd-cxx" "$cxx" "$T/bd-cxx" 2>&1)
    grep -q '^c++ guest: host version 1, guest header 0x10002$' <<<"$out" &&
        ok "a C++ guest queries the version" ||
        { printf '  %s\n' "$out"; not_ok "a C++ guest queries the version"; }
else
    sed 's/^/  /' "$T/cxx.log" | tail -n 10
    not_ok "the guest headers compile and link as C++"
fi
exit 0
