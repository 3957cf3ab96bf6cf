/*
 * Backdoor channel guest library: the store that sends a command
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QEMU_BACKDOOR_STORE_H
#define QEMU_BACKDOOR_STORE_H

#include <stdint.h>

/*
 * Store @cmd into @reg with one 64-bit store and return the guest's return
 * register as the library left it (0 if unchanged).
 *
 * Written in assembly for each architecture the Makefile knows
 * (qemu-backdoor-store-ARCH.S): the return register is zeroed before the
 * store and returned right after it, and the function returns at once so
 * that QEMU's translation block ends after the store and registers the
 * library changed are read afresh.  qemu-backdoor-store-generic.c is the
 * fallback for other architectures; it always returns 0.
 */
uint64_t qemu_backdoor_store(volatile uint64_t *reg, /* MMIO */
                             uint64_t cmd);

#endif /* QEMU_BACKDOOR_STORE_H */
