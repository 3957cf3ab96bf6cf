/*
 * Backdoor channel guest library: the command store for architectures
 * without an assembly version (see qemu-backdoor-store.h)
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu-backdoor-store.h"

/*
 * A command is one 8-byte store: a 32-bit architecture would split a
 * plain assignment into two 4-byte stores, which send nothing.  Such an
 * architecture needs a qemu-backdoor-store-ARCH.S of its own.
 */
_Static_assert(sizeof(void *) == 8,
               "qemu-backdoor-store-generic.c needs a 64-bit architecture");

uint64_t qemu_backdoor_store(volatile uint64_t *reg, /* MMIO */
                             uint64_t cmd)
{
    /*
     * A plain store, not __atomic_store_n(): GCC 12 makes that an amoswap
     * on riscv64, an atomic read-modify-write, which sends no command
     */
    *reg = cmd;
    return 0;
}
