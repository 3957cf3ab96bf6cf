/*
 * Backdoor channel: the guest-side library
 *
 * Link guest programs against libqemu-backdoor-guest.a.  The same calls
 * work in a guest of qemu-system-* with "-device backdoor" (the device is
 * found through sysfs; needs root) and under qemu-<arch> -backdoor DIR
 * (the files in DIR are mapped).
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QEMU_BACKDOOR_GUEST_H
#define QEMU_BACKDOOR_GUEST_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The channel's layout (QEMU_BACKDOOR_CTRL_*, the file names, the PCI
 * IDs): the header QEMU itself uses.  make install puts it beside this
 * one as qemu-backdoor-abi.h and rewrites the line below to match.
 */
#include "../../include/backdoor/abi.h"

/**
 * qemu_backdoor_init: open the channel
 * @base: user-mode directory (the DIR of -backdoor DIR), or NULL
 *
 * When @base holds the channel's files they are mapped (user mode).
 * Otherwise the PCI device is looked for in sysfs and its BARs are mapped
 * (system mode); @base is then not used.
 *
 * Returns 0, or -1 with errno set:
 *   ENODEV  no channel: neither files in @base that a running
 *           qemu-<arch> -backdoor serves (files a QEMU left behind when
 *           it exited do not count) nor the device
 *   EACCES  the device is there but its BARs cannot be mapped (not root)
 *   EBUSY   the channel is already open in this process
 *   EINVAL  the channel's files or BARs have an unusable size
 *   or the errno of the failing open() or mmap().
 */
int qemu_backdoor_init(const char *base);

/**
 * qemu_backdoor_fini: close the channel opened by qemu_backdoor_init
 *
 * Returns 0, or -1 with errno EBADF when the channel is not open.
 */
int qemu_backdoor_fini(void);

/* Size of the data channel in bytes; 0 when the channel is not open */
uint64_t qemu_backdoor_data_size(void);

/* Start of the data channel; NULL when the channel is not open */
void *qemu_backdoor_data(void);

/*
 * Send @cmd: calls the library in QEMU once, and returns when it is done.
 * The channel must be open.  Uses one 64-bit store, so several threads may
 * call it at once.
 */
void qemu_backdoor(uint64_t cmd);

/*
 * Send @cmd like qemu_backdoor(), and return the value the library left in
 * the guest's return register (rax on x86_64, x0 on aarch64; see
 * qemu_backdoor_cpu() in QEMU).  When the library does not set it, the
 * result is not meaningful (@cmd on x86_64, 0 on aarch64).
 */
uint64_t qemu_backdoor_call(uint64_t cmd);

#endif /* QEMU_BACKDOOR_GUEST_H */
