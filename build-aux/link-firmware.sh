#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Let the emulators in a QEMU build folder find their firmware without -L:
#
#   link-firmware.sh QEMU_BUILD
#
# Run from a build folder, QEMU looks for data files under
# QEMU_BUILD/qemu-bundle/<absolute path> (get_relocated_path()).  Debian's
# source has no prebuilt firmware, so link there the directories of Debian's
# firmware packages (seabios, ipxe-qemu) named by --firmwarepath, and the
# option ROMs this build compiled (pc-bios/optionrom) into the data directory.

set -euo pipefail
qb=$(cd "$1" && pwd)
h=$qb/config-host.h
[ -f "$h" ] || { echo "error: $qb is not a configured QEMU build folder" >&2; exit 1; }

# '#define CONFIG_QEMU_FIRMWAREPATH "/a", "/b", ' -> one path a line
fwdirs=$(sed -n 's/^#define CONFIG_QEMU_FIRMWAREPATH //p' "$h" | tr ',' '\n' |
         sed -n 's/^ *"\(.*\)" *$/\1/p')
datadir=$(sed -n 's/^#define CONFIG_QEMU_DATADIR "\(.*\)"$/\1/p' "$h")

for d in $fwdirs; do
    case $d in
    /*) ;;
    *) continue ;;     # relative to the prefix: meson links those already
    esac
    [ -d "$d" ] || continue
    mkdir -p "$qb/qemu-bundle$(dirname "$d")"
    ln -sfn "$d" "$qb/qemu-bundle$d"
done

if [ -n "$datadir" ] && [ -d "$qb/pc-bios/optionrom" ]; then
    mkdir -p "$qb/qemu-bundle$datadir"
    for rom in "$qb"/pc-bios/optionrom/*.bin; do
        [ -f "$rom" ] || continue
        ln -sfn "$rom" "$qb/qemu-bundle$datadir/$(basename "$rom")"
    done
fi
