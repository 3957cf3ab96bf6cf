#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# configure --with-backdoor=DIR: a wrong DIR is a clear configure-time
# error, at both levels (the project's configure and QEMU's own configure
# from the series), and a relative DIR works.

. "$(dirname "$0")/lib.sh"

# expect_fail NAME PATTERN COMMAND...: COMMAND fails and says PATTERN
expect_fail() {
    local name=$1 pattern=$2 out
    shift 2
    if out=$("$@" 2>&1); then
        not_ok "$name (succeeded)"
    elif grep -q -- "$pattern" <<<"$out"; then
        ok "$name"
    else
        printf '%s\n' "$out" | tail -n 5 | sed 's/^/  /'
        not_ok "$name (no message matching '$pattern')"
    fi
}

cd "$BACKDOOR_TOP" || exit 1
mkdir -p "$T/empty"
expect_fail "configure rejects a missing DIR" "no such directory" \
    ./configure --skip-setup --build-dir="$T/b1" --with-backdoor="$T/missing"
expect_fail "configure rejects a DIR without C files" "holds no C file" \
    ./configure --skip-setup --build-dir="$T/b2" --with-backdoor="$T/empty"
check "configure --help documents --with-backdoor" \
    grep -q -- "--with-backdoor=DIR" <(./configure --help)

qb=$(qemu_build main)
if [ -z "$qb" ]; then
    not_ok "QEMU's configure checks the backdoor option (no main build)"
    exit 0
fi
src=$(dirname "$qb")/qemu-src
check "QEMU's configure --help lists --with-backdoor" \
    grep -q -- "--with-backdoor=" <(cd "$T" && "$src/configure" --help)
# QEMU's configure runs meson, which checks the option
mkdir -p "$T/q1" "$T/q2"
expect_fail "QEMU's configure rejects a relative DIR" \
    "is not an absolute path to a directory" \
    sh -c "cd '$T/q1' && '$src/configure' --disable-download \
        --python=/usr/bin/python3 --target-list=x86_64-linux-user \
        --without-default-features --with-backdoor=relative/dir"
expect_fail "QEMU's configure rejects a DIR without C files" "holds no C file" \
    sh -c "cd '$T/q2' && '$src/configure' --disable-download \
        --python=/usr/bin/python3 --target-list=x86_64-linux-user \
        --without-default-features --with-backdoor='$T/empty'"

# a relative DIR is made absolute by the project's configure
mkdir -p "$T/rel/lib"
cp "$TESTS_DIR/testlib/"*.[ch] "$T/rel/lib/"
if (cd "$T/rel" && "$BACKDOOR_TOP/configure" --skip-setup --build-dir="$T/b3" \
        --with-backdoor=lib --target-list=x86_64-linux-user) >"$T/b3.log" 2>&1 &&
    grep -qx "BACKDOOR_LIB=$T/rel/lib" "$T/b3/config.mak" &&
    grep -q "backdoor library *: $T/rel/lib" "$T/b3/qemu-build/configure.log"; then
    ok "configure accepts a relative DIR"
else
    tail -n 5 "$T/b3.log" | sed 's/^/  /'
    not_ok "configure accepts a relative DIR"
fi
exit 0
