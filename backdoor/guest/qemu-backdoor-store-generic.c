/*
 * Backdoor channel guest library: the command store for architectures
 * without an assembly version (see qemu-backdoor-store.h)
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu-backdoor-store.h"

uint64_t qemu_backdoor_store(volatile uint64_t *reg, /* MMIO */
                             uint64_t cmd)
{
    *reg = cmd;
    return 0;
}
