/*
 * Backdoor channel guest library: the command store for x86_64
 *
 * uint64_t qemu_backdoor_store(volatile uint64_t *reg, uint64_t cmd)
 * SysV ABI: reg in rdi, cmd in rsi, result in rax.
 *
 * The store is a "rep stosq" of one element: under TCG a string
 * instruction ends its translation block, so the store into the device's
 * MMIO register is the block's last instruction (an MMIO access earlier
 * in a block makes TCG re-translate the block, doubling the cost of a
 * command), and the registers the library changes are read afresh after
 * it.  KVM sees it as one 8-byte MMIO write.  rax holds cmd for the store,
 * so it is returned unchanged unless the library set it.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

    .text
    .globl  qemu_backdoor_store
    .type   qemu_backdoor_store, @function
qemu_backdoor_store:
    movq    %rsi, %rax
    movl    $1, %ecx
    rep stosq
    ret
    .size   qemu_backdoor_store, . - qemu_backdoor_store

    .section .note.GNU-stack, "", @progbits
