/*
 * Backdoor channel guest library: the command store for riscv64
 *
 * uint64_t qemu_backdoor_store(volatile uint64_t *reg, uint64_t cmd)
 * LP64: reg in a0, cmd in a1, result in a0.
 *
 * A plain sd: an atomic store (amoswap) would be a read-modify-write,
 * which sends no command.  The fence makes the program's earlier stores
 * (into the data channel) visible before the command.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

    .text
    .globl  qemu_backdoor_store
    .type   qemu_backdoor_store, @function
qemu_backdoor_store:
    mv      t0, a0
    li      a0, 0
    fence   iorw, ow
    sd      a1, 0(t0)
    ret
    .size   qemu_backdoor_store, . - qemu_backdoor_store

    .section .note.GNU-stack, "", @progbits
