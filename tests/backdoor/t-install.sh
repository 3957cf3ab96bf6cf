#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install (into a DESTDIR) puts the emulators, the guest library and
# its header under the prefix, and the installed system emulator finds its
# firmware (Debian's seabios, the option ROMs it built) without -L.

. "$(dirname "$0")/lib.sh"

qb=$(qemu_build main)
if [ -z "$qb" ]; then
    not_ok "make install (no main build)"
    exit 0
fi
build=$(dirname "$qb")
dest=$T/dest
if ! make -C "$BACKDOOR_TOP" BUILD="$build" install DESTDIR="$dest" \
        >"$T/install.log" 2>&1; then
    tail -n 20 "$T/install.log" | sed 's/^/  /'
    not_ok "make install DESTDIR=..."
    exit 0
fi
ok "make install DESTDIR=..."
prefix=$(sed -n 's/^#define CONFIG_PREFIX "\(.*\)"$/\1/p' "$qb/config-host.h")
root=$dest$prefix
for f in bin/qemu-system-x86_64 bin/qemu-x86_64 bin/qemu-aarch64 \
        include/qemu-backdoor.h include/qemu-backdoor-abi.h \
        include/qemu-backdoor-std.h \
        lib/libqemu-backdoor-guest.a \
        lib/qemu-backdoor-guest/x86_64/libqemu-backdoor-guest.a \
        lib/qemu-backdoor-guest/aarch64/libqemu-backdoor-guest.a \
        lib/qemu-backdoor-guest/x86_64/qemu-backdoor \
        lib/qemu-backdoor-guest/aarch64/qemu-backdoor \
        share/qemu/linuxboot_dma.bin share/qemu/kvmvapic.bin; do
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
exit 0
