/*
 * Backdoor channel guest library: the command store for i386
 *
 * uint64_t qemu_backdoor_store(volatile uint64_t *reg, uint64_t cmd)
 * cdecl: reg at 4(%esp), cmd at 8(%esp), result in %edx:%eax.
 *
 * i386 has no 8-byte integer store; the x87 integer load and store move
 * the 64 bits exactly, with one 8-byte store.  Two 4-byte stores would
 * be two writes, neither of them a command.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

    .text
    .globl  qemu_backdoor_store
    .type   qemu_backdoor_store, @function
qemu_backdoor_store:
    movl    4(%esp), %ecx
    fildq   8(%esp)
    xorl    %eax, %eax
    xorl    %edx, %edx
    fistpq  (%ecx)
    ret
    .size   qemu_backdoor_store, . - qemu_backdoor_store

    .section .note.GNU-stack, "", @progbits
