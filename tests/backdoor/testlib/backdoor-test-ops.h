/*
 * Commands of the backdoor test library (backdoor-test-lib.c)
 *
 * Shared by the library, which is compiled into QEMU for the tests, and
 * by the test programs that drive it (qtest, guest programs).  Plain C:
 * guests include it too.
 *
 * A command is  op << 56 | slot << 48 | arg  (arg: 48 bits).  Slot N is
 * the BDT_SLOT_SIZE bytes at N * BDT_SLOT_SIZE in the data channel; values
 * in it are 64-bit words in guest byte order.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef BACKDOOR_TEST_OPS_H
#define BACKDOOR_TEST_OPS_H

#define BDT_SLOT_SIZE       256
#define BDT_SLOTS           256     /* the tests use a data channel >= 64 KiB */
#define BDT_ARG_MASK        0xffffffffffffULL

#define BDT_CMD(op, slot, arg) \
    (((uint64_t)(op) << 56) | ((uint64_t)(slot) << 48) | \
     ((uint64_t)(arg) & BDT_ARG_MASK))

enum {
    /* count it, nothing else */
    BDT_OP_NOP = 0x00,
    /* XOR the first arg bytes of the slot with 0x5a, in place */
    BDT_OP_XOR = 0x01,
    /* sequence check: arg must be the slot's next number (from 0) */
    BDT_OP_SEQ = 0x02,
    /* write struct bdt_stats into the slot */
    BDT_OP_STATS = 0x03,
    /* write word 0 of the slot to guest virtual address arg */
    BDT_OP_WRITE_GUEST = 0x04,
    /* set the calling vCPU's return register (rax / x0) to word 0 */
    BDT_OP_SET_REG = 0x05,
    /* read the word at guest virtual address arg into word 0 */
    BDT_OP_READ_GUEST = 0x06,
    /* forget all counts and sequence numbers */
    BDT_OP_RESET = 0x07,
    /* print "bdt-print ARG" to QEMU's stdout, without flushing it */
    BDT_OP_PRINT = 0x08,
    /*
     * wait, at most 2 s, until ARG calls of this op are running at once
     * (parallel calls); word 1: 0 when they met, -1 when not
     */
    BDT_OP_MEET = 0x09,
    /*
     * read the batch (include/backdoor/abi.h) at offset ARG of the data
     * channel, word 0 of the slot bytes long; word 1: the number of
     * records, or -1.  Records of slot N must come with tags 0, 1, 2...
     * in order (the count goes on across batches), tag T with
     * BDT_RECORD_LEN(T) bytes BDT_RECORD_BYTE(T, i)
     */
    BDT_OP_BATCH = 0x0a,
    /* the same, but the records are only counted (in records_ok) */
    BDT_OP_BATCH_COUNT = 0x0b,
    /*
     * XOR the first word of the data of slot ARG of include/backdoor/abi.h
     * (the guest library's qemu_backdoor_slot()) with BDT_SLOT_XOR
     */
    BDT_OP_ABI_SLOT = 0x0c,
    /*
     * read the word at guest virtual address ARG again and again for word
     * 0 of the slot milliseconds (at most 2000); word 0: the reads made,
     * word 1: 0, or -1 when one failed
     */
    BDT_OP_READ_FOR = 0x0d,
    /*
     * exit(ARG) inside the callback, as a library may, while a READ_FOR
     * call is running (else exit(99)); only when QEMU's environment has
     * BDT_EXIT=1 (a fuzzer must not end QEMU), else a bad op
     */
    BDT_OP_EXIT = 0x0e,
    /*
     * nothing at all, not even counted: what a call costs without the
     * library's own work (its shared counters), for the benchmarks
     */
    BDT_OP_VOID = 0xff,
};

#define BDT_SLOT_XOR            0x5a5a5a5a5a5a5a5aULL

#define BDT_RECORD_LEN(t)       ((t) % 61)
#define BDT_RECORD_BYTE(t, i)   ((uint8_t)((t) * 7 + (i)))

/* BDT_OP_STATS, 64-bit words; helper results land in word 1 (0 or -1) */
struct bdt_stats {
    uint64_t init_calls;    /* qemu_backdoor_init() calls */
    uint64_t init_size;     /* its data_size */
    uint64_t commands;      /* commands handled, this one included */
    uint64_t seq_ok;        /* BDT_OP_SEQ in order */
    uint64_t seq_bad;       /* BDT_OP_SEQ out of order or repeated */
    uint64_t overlaps;      /* calls that started while another ran */
    uint64_t last_cmd;      /* the previous command */
    uint64_t bad_ops;       /* unknown ops or slots */
    uint64_t records_ok;    /* BDT_OP_BATCH records as expected */
    uint64_t records_bad;   /* out of order, or wrong length or bytes */
};

#endif /* BACKDOOR_TEST_OPS_H */
