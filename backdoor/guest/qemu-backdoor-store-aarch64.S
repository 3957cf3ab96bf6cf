/*
 * Backdoor channel guest library: the command store for aarch64
 *
 * uint64_t qemu_backdoor_store(volatile uint64_t *reg, uint64_t cmd)
 * AAPCS64: reg in x0, cmd in x1, result in x0.
 *
 * In system mode the data BAR is mapped Normal non-cacheable and the
 * control BAR Device memory: the barrier makes the data stores visible
 * to the device before the command (KVM; TCG keeps program order).
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

    .text
    .globl  qemu_backdoor_store
    .type   qemu_backdoor_store, %function
qemu_backdoor_store:
    mov     x2, x0
    mov     x0, #0
    dmb     oshst
    str     x1, [x2]
    ret
    .size   qemu_backdoor_store, . - qemu_backdoor_store

    .section .note.GNU-stack, "", %progbits
