/*
 * Backdoor channel guest library: the command store for x86_64
 *
 * uint64_t qemu_backdoor_store(volatile uint64_t *reg, uint64_t cmd)
 * SysV ABI: reg in rdi, cmd in rsi, result in rax.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

    .text
    .globl  qemu_backdoor_store
    .type   qemu_backdoor_store, @function
qemu_backdoor_store:
    xorl    %eax, %eax
    movq    %rsi, (%rdi)
    ret
    .size   qemu_backdoor_store, . - qemu_backdoor_store

    .section .note.GNU-stack, "", @progbits
