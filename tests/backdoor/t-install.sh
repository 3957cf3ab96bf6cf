#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install (into a DESTDIR) puts the emulators, the guest library and
# its header under the prefix, and the installed system emulator finds its
# firmware (Debian's seabios, the option ROMs it built) without -L.
# pkg-config finds qemu-backdoor-guest and qemu-backdoor there, a guest
# program built with nothing but the guest one's flags runs under the
# build's qemu-x86_64, and a library built with nothing but the host one's
# flags is loaded at run time by the installed qemu-x86_64.  make uninstall removes what install put and leaves
# what the prefix held before.

. "$(dirname "$0")/lib.sh"

qb=$(qemu_build main)
if [ -z "$qb" ]; then
    not_ok "make install (no main build)"
    exit 0
fi
build=$(dirname "$qb")
dest=$T/dest
prefix=$(sed -n 's/^#define CONFIG_PREFIX "\(.*\)"$/\1/p' "$qb/config-host.h")
root=$dest$prefix
# the prefix already holds files of others, in folders install uses too
mkdir -p "$root/bin" "$root/share/doc/other" "$root/lib/pkgconfig"
echo other >"$root/bin/other-tool"
echo other >"$root/share/doc/other/README"
echo other >"$root/lib/pkgconfig/other.pc"
(cd "$dest" && find . | sort) >"$T/before"
if ! make -C "$BACKDOOR_TOP" BUILD="$build" install DESTDIR="$dest" \
        >"$T/install.log" 2>&1; then
    tail -n 20 "$T/install.log" | sed 's/^/  /'
    not_ok "make install DESTDIR=..."
    exit 0
fi
ok "make install DESTDIR=..."
for f in bin/qemu-system-x86_64 bin/qemu-x86_64 bin/qemu-aarch64 \
        include/qemu-backdoor.h include/qemu-backdoor-abi.h \
        include/qemu-backdoor-std.h \
        lib/libqemu-backdoor-guest.a \
        lib/qemu-backdoor-guest/x86_64/libqemu-backdoor-guest.a \
        lib/qemu-backdoor-guest/aarch64/libqemu-backdoor-guest.a \
        lib/qemu-backdoor-guest/x86_64/qemu-backdoor \
        lib/qemu-backdoor-guest/aarch64/qemu-backdoor \
        lib/qemu-backdoor-guest/60-qemu-backdoor.rules \
        share/qemu/linuxboot_dma.bin share/qemu/kvmvapic.bin \
        include/qemu-backdoor-host/qemu-backdoor.h \
        lib/pkgconfig/qemu-backdoor-guest.pc lib/pkgconfig/qemu-backdoor.pc \
        share/qemu-backdoor/install-manifest; do
    [ -e "$root/$f" ] && ok "installed $f" || not_ok "installed $f"
done

# a guest program builds from the installed header and library alone
cat >"$T/guest.c" <<'EOF'
#include <qemu-backdoor.h>

int main(void)
{
    return QEMU_BACKDOOR_CTRL_CMD == 8 && qemu_backdoor_data() == NULL ? 0 : 1;
}
EOF
if cc -Wall -Werror -I"$root/include" -o "$T/guest" "$T/guest.c" \
        "$root/lib/libqemu-backdoor-guest.a" >"$T/cc.log" 2>&1 &&
        "$T/guest"; then
    ok "a guest program builds against the installed header and library"
else
    sed 's/^/  /' "$T/cc.log" | tail -n 5
    not_ok "a guest program builds against the installed header and library"
fi

# starts_pc NAME QEMU: QEMU starts a PC, which needs bios-256k.bin, the
# VGA BIOS and a NIC option ROM, with no -L
starts_pc() {
    if echo quit | timeout 60 "$2" -M pc -S -display none -monitor stdio \
            -nodefaults -device VGA -net nic,model=e1000 >"$T/run.log" 2>&1; then
        ok "$1 finds its firmware without -L"
    else
        sed 's/^/  /' "$T/run.log" | tail -n 5
        not_ok "$1 finds its firmware without -L"
    fi
}
starts_pc "installed qemu-system-x86_64" "$root/bin/qemu-system-x86_64"
starts_pc "qemu-system-x86_64 in the build folder" "$qb/qemu-system-x86_64"

# pkg-config, as a user of the prefix would call it (the sysroot stands
# for DESTDIR: the files name the real prefix)
pc() {
    PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest \
        PKG_CONFIG_LIBDIR='' pkg-config "$@"
}
if grep -qx "prefix=$prefix" "$root/lib/pkgconfig/qemu-backdoor-guest.pc" &&
        grep -qx "prefix=$prefix" "$root/lib/pkgconfig/qemu-backdoor.pc"; then
    ok "the pkg-config files name the prefix $prefix"
else
    not_ok "the pkg-config files name the prefix $prefix"
fi
guest_version=$(sed -n 's/^#define QEMU_BACKDOOR_GUEST_VERSION_\(MAJOR\|MINOR\) *//p' \
    "$BACKDOOR_TOP/backdoor/guest/qemu-backdoor.h" | paste -sd.)
v=$(pc --modversion qemu-backdoor-guest 2>&1)
[ "$v" = "$guest_version" ] &&
    ok "pkg-config --modversion qemu-backdoor-guest: $v" ||
    not_ok "pkg-config --modversion qemu-backdoor-guest: $v, not $guest_version"
qemu_version=$(cat "$build/qemu-src/VERSION")
v=$(pc --modversion qemu-backdoor 2>&1)
[ "$v" = "$qemu_version" ] &&
    ok "pkg-config --modversion qemu-backdoor: $v" ||
    not_ok "pkg-config --modversion qemu-backdoor: $v, not $qemu_version"
v=$(pc --variable=qemu_prefix qemu-backdoor 2>&1)
[ "$v" = "$root" ] && [ -x "$v/bin/qemu-x86_64" ] &&
    ok "pkg-config --variable=qemu_prefix qemu-backdoor names the installed QEMU" ||
    not_ok "pkg-config --variable=qemu_prefix qemu-backdoor: $v, not $root"
cflags=$(pc --cflags qemu-backdoor 2>&1)
cflags=${cflags% }
if [ "$cflags" = "-I$root/include/qemu-backdoor-host -DQEMU_BACKDOOR_MODULE" ] &&
        cmp -s "$root/include/qemu-backdoor-host/qemu-backdoor.h" \
            "$build/qemu-src/backdoor/qemu/qemu-backdoor.h"; then
    ok "pkg-config --cflags qemu-backdoor finds the callback API header"
else
    not_ok "pkg-config --cflags qemu-backdoor finds the callback API header ($cflags)"
fi

# a guest program built with the guest flags alone: it XORs "hello" with
# 0x5a through the test library and has it print 42 (the test library's
# commands are written out: only the installed header is used)
cat >"$T/pc-guest.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <qemu-backdoor.h>

int main(int argc, char **argv)
{
    unsigned char *d;

    if (argc < 2 || qemu_backdoor_init(argv[1]) < 0) {
        perror("qemu_backdoor_init");
        return 1;
    }
    d = qemu_backdoor_data();
    memcpy(d, "hello", 5);
    qemu_backdoor((1ULL << 56) | 5);        /* XOR, slot 0, 5 bytes */
    qemu_backdoor((8ULL << 56) | 42);       /* print 42 */
    printf("guest: %s\n",
           d[0] == ('h' ^ 0x5a) && d[4] == ('o' ^ 0x5a) ? "xor ok" : "xor bad");
    return qemu_backdoor_fini();
}
EOF
# shellcheck disable=SC2086 # the flags are words
if flags=$(pc --cflags --libs --static qemu-backdoor-guest 2>&1) &&
        cc -static -o "$T/pc-guest" "$T/pc-guest.c" $flags \
            >"$T/pc-cc.log" 2>&1; then
    ok "a static guest program builds with pkg-config qemu-backdoor-guest"
    timeout 60 "$qb/qemu-x86_64" -backdoor "$T/bd" "$T/pc-guest" "$T/bd" \
        >"$T/pc-run.log" 2>&1
    if grep -qx "guest: xor ok" "$T/pc-run.log" &&
            grep -q "^bdt-print 42" "$T/pc-run.log"; then
        ok "it runs under qemu-x86_64 -backdoor and reaches the library"
    else
        sed 's/^/  /' "$T/pc-run.log" | tail -n 5
        not_ok "it runs under qemu-x86_64 -backdoor and reaches the library"
    fi
else
    echo "  flags: $flags"
    sed 's/^/  /' "$T/pc-cc.log" | tail -n 5
    not_ok "a static guest program builds with pkg-config qemu-backdoor-guest"
fi

# a library built with pkg-config qemu-backdoor alone, loaded at run time
# into the installed qemu-x86_64, reached by the installed guest tool
cat >"$T/runtime-lib.c" <<'EOF'
#include <stdio.h>
#include <qemu-backdoor.h>

QEMU_BACKDOOR_DECLARE_VERSION;

void qemu_backdoor_init(uint64_t data_size)
{
}

void qemu_backdoor(uint64_t cmd, void *data)
{
    fprintf(stderr, "runtime-lib: command %llu\n",
            (unsigned long long)qemu_backdoor_tswap64(cmd));
}
EOF
# shellcheck disable=SC2046 # the flags are words
if cc -shared -fPIC -Wall -Werror -o "$T/runtime-lib.so" "$T/runtime-lib.c" \
        $(pc --cflags qemu-backdoor) >"$T/lib-cc.log" 2>&1; then
    ok "a run-time library builds with pkg-config qemu-backdoor"
    rm -rf "$T/bd"
    timeout 60 "$root/bin/qemu-x86_64" -backdoor "$T/bd,lib=$T/runtime-lib.so" \
        "$root/lib/qemu-backdoor-guest/x86_64/qemu-backdoor" -d "$T/bd" \
        cmd 77 >"$T/lib-run.log" 2>&1
    if grep -qx "runtime-lib: command 77" "$T/lib-run.log"; then
        ok "the installed qemu-x86_64 loads it (-backdoor DIR,lib=FILE.so)"
    else
        sed 's/^/  /' "$T/lib-run.log" | tail -n 5
        not_ok "the installed qemu-x86_64 loads it (-backdoor DIR,lib=FILE.so)"
    fi
else
    sed 's/^/  /' "$T/lib-cc.log" | tail -n 5
    not_ok "a run-time library builds with pkg-config qemu-backdoor"
fi
# make uninstall: the prefix holds what it held before, and nothing else
if make -C "$BACKDOOR_TOP" BUILD="$build" uninstall DESTDIR="$dest" \
        >"$T/uninstall.log" 2>&1; then
    ok "make uninstall DESTDIR=..."
else
    tail -n 10 "$T/uninstall.log" | sed 's/^/  /'
    not_ok "make uninstall DESTDIR=..."
fi
(cd "$dest" && find . | sort) >"$T/after"
if cmp -s "$T/before" "$T/after"; then
    ok "after make uninstall the prefix holds only what it held before"
else
    diff "$T/before" "$T/after" | head -n 20 | sed 's/^/  /'
    not_ok "after make uninstall the prefix holds only what it held before"
fi
exit 0
