/*
 * Backdoor channel guest library: the command store for s390x
 *
 * uint64_t qemu_backdoor_store(volatile uint64_t *reg, uint64_t cmd)
 * s390x ELF ABI: reg in %r2, cmd in %r3, result in %r2.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

    .text
    .globl  qemu_backdoor_store
    .type   qemu_backdoor_store, @function
qemu_backdoor_store:
    lgr     %r1, %r2
    lghi    %r2, 0
    stg     %r3, 0(%r1)
    br      %r14
    .size   qemu_backdoor_store, . - qemu_backdoor_store

    .section .note.GNU-stack, "", @progbits
