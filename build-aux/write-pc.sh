#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prints the pkg-config file make install puts in PREFIX/lib/pkgconfig:
#
#   write-pc.sh guest PREFIX ARCH GUEST-HEADER   qemu-backdoor-guest.pc
#   write-pc.sh host PREFIX QEMU-VERSION-FILE    qemu-backdoor.pc
#
# The guest one's version is the guest interface's
# (QEMU_BACKDOOR_GUEST_VERSION_MAJOR.MINOR of the header), the host one's
# the version of the QEMU installed with it.

set -euo pipefail

case ${1:-} in
guest)
    [ $# = 4 ] || { echo "usage: write-pc.sh guest PREFIX ARCH HEADER" >&2; exit 1; }
    major=$(sed -n 's/^#define QEMU_BACKDOOR_GUEST_VERSION_MAJOR *\([0-9]*\)$/\1/p' "$4")
    minor=$(sed -n 's/^#define QEMU_BACKDOOR_GUEST_VERSION_MINOR *\([0-9]*\)$/\1/p' "$4")
    if [ -z "$major" ] || [ -z "$minor" ]; then
        echo "write-pc.sh: no version macros in $4" >&2
        exit 1
    fi
    cat <<EOF
prefix=$2
includedir=\${prefix}/include
libdir=\${prefix}/lib
# the guest library and the qemu-backdoor tool of every guest architecture
# built, in \${guestlibdir}/ARCH
guestlibdir=\${libdir}/qemu-backdoor-guest
guestarch=$3

Name: qemu-backdoor-guest
Description: Guest side of QEMU's backdoor channel: header and static library for guest programs ($3)
Version: $major.$minor
Cflags: -I\${includedir}
Libs: -L\${libdir} -lqemu-backdoor-guest
EOF
    ;;
host)
    [ $# = 3 ] || { echo "usage: write-pc.sh host PREFIX VERSION-FILE" >&2; exit 1; }
    version=$(cat "$3")
    cat <<EOF
prefix=$2
includedir=\${prefix}/include
# the QEMU installed with this file
qemu_prefix=\${prefix}
qemu_bindir=\${prefix}/bin

Name: qemu-backdoor
Description: Callback API header of QEMU's backdoor channel, for a library that the QEMU installed with it loads at run time (-device backdoor,lib=FILE.so; -backdoor DIR,lib=FILE.so)
Version: $version
Cflags: -I\${includedir}/qemu-backdoor-host -DQEMU_BACKDOOR_MODULE
EOF
    ;;
*)
    echo "usage: write-pc.sh guest PREFIX ARCH HEADER | host PREFIX VERSION-FILE" >&2
    exit 1 ;;
esac
