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
 * register as the library left it.
 *
 * Written in assembly for each architecture the Makefile knows
 * (qemu-backdoor-store-ARCH.S), so that the store ends QEMU's translation
 * block, and the registers the library changed are read afresh, and so
 * that the return register is returned as it is right after the store.
 * If the library leaves it alone, the result is @cmd on x86_64 and 0
 * elsewhere.  qemu-backdoor-store-generic.c is the fallback for other
 * 64-bit architectures; it always returns 0.
 */
uint64_t qemu_backdoor_store(volatile uint64_t *reg, /* MMIO */
                             uint64_t cmd);

#endif /* QEMU_BACKDOOR_STORE_H */
