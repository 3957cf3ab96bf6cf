#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End to end, system mode, with an aarch64 guest: t-linux-guest.sh and
# t-linux-guest-std.sh under qemu-system-aarch64 -M virt -device backdoor
# (TCG), with Debian's arm64 kernel and busybox (fetched, never
# installed) and the guest programs built with the aarch64 cross compiler.

here=$(cd "$(dirname "$0")" && pwd)
export GUEST_ARCH=aarch64
bash "$here/t-linux-guest.sh"
bash "$here/t-linux-guest-std.sh"
