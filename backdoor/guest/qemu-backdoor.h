/*
 * Backdoor channel: the guest-side library
 *
 * Link guest programs against libqemu-backdoor-guest.a.  The same calls
 * work in a guest of qemu-system-* with "-device backdoor" (the device is
 * found through sysfs; needs root) and under qemu-<arch> -backdoor DIR
 * (the files in DIR are mapped).
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QEMU_BACKDOOR_GUEST_H
#define QEMU_BACKDOOR_GUEST_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The channel's layout (QEMU_BACKDOOR_CTRL_*, the file names, the PCI
 * IDs): the header QEMU itself uses.  make install puts it beside this
 * one as qemu-backdoor-abi.h and rewrites the line below to match.
 */
#include "../../include/backdoor/abi.h"

/* C++ sees these declarations with C linkage */
#ifdef \
    __cplusplus
extern "C" {
#endif

/*
 * Version of this interface: (major << 16) | minor.  The minor number
 * grows when something is added; the major one would change if a call
 * changed.  1.1 added qemu-backdoor-std.h, the qemu-backdoor tool,
 * batched records and slots; 1.2 added qemu_backdoor_batch_reserve().
 */
#define QEMU_BACKDOOR_GUEST_VERSION_MAJOR   1
#define QEMU_BACKDOOR_GUEST_VERSION_MINOR   2
#define QEMU_BACKDOOR_GUEST_VERSION \
    ((QEMU_BACKDOOR_GUEST_VERSION_MAJOR << 16) | \
     QEMU_BACKDOOR_GUEST_VERSION_MINOR)

/**
 * qemu_backdoor_init: open the channel
 * @base: user-mode directory (the DIR of -backdoor DIR), or NULL
 *
 * When @base holds the channel's files they are mapped (user mode).
 * Otherwise the PCI device is looked for in sysfs and its BARs are mapped
 * (system mode); @base is then not used.
 *
 * Returns 0, or -1 with errno set:
 *   ENODEV  no channel: neither files in @base that a running
 *           qemu-<arch> -backdoor serves (files a QEMU left behind when
 *           it exited do not count) nor the device
 *   EACCES  the device is there but its BARs cannot be mapped (not root)
 *   EBUSY   the channel is already open in this process
 *   EINVAL  the channel's files or BARs have an unusable size
 *   or the errno of the failing open() or mmap().
 */
int qemu_backdoor_init(const char *base);

/**
 * qemu_backdoor_fini: close the channel opened by qemu_backdoor_init
 *
 * Returns 0, or -1 with errno EBADF when the channel is not open.
 */
int qemu_backdoor_fini(void);

/* Size of the data channel in bytes; 0 when the channel is not open */
uint64_t qemu_backdoor_data_size(void);

/* Start of the data channel; NULL when the channel is not open */
void *qemu_backdoor_data(void);

/*
 * The command word of a user-mode channel, NULL otherwise: there
 * qemu_backdoor() stores inline, a call and a return less
 */
extern volatile uint64_t *qemu_backdoor_cmd_word;

/*
 * qemu_backdoor() out of line: 32-bit guests, and system mode, where the
 * library's store ends TCG's translation block (faster there, and the
 * library's changes to registers are seen at once)
 */
void qemu_backdoor_send(uint64_t cmd);

/*
 * Send @cmd: calls the library in QEMU once, and returns when it is done.
 * The channel must be open.  Uses one 64-bit store, so several threads may
 * call it at once.  Inline in user mode on 64-bit guests, where that store
 * is one instruction, after a release fence, so that the program's stores
 * into the data channel come before it.  A plain store, since an atomic
 * one may be a read-modify-write, which sends nothing (GCC 12 makes
 * __atomic_store_n() an amoswap on riscv64).
 */
static inline void qemu_backdoor(uint64_t cmd)
{
    volatile uint64_t *word = qemu_backdoor_cmd_word;  /* trapped page */

    if (sizeof(void *) == 8 && word) {
        __atomic_thread_fence(__ATOMIC_RELEASE);
        *word = cmd;
    } else {
        qemu_backdoor_send(cmd);
    }
}

/*
 * Send @cmd like qemu_backdoor(), and return the value the library left in
 * the guest's return register (rax on x86_64, x0 on aarch64, a0 on riscv64;
 * see qemu_backdoor_cpu() in QEMU).  When the library does not set it, the
 * result is not meaningful (@cmd on x86_64, 0 elsewhere).
 */
uint64_t qemu_backdoor_call(uint64_t cmd);

/*
 * Slots: each thread that asks gets a slot of the data channel of its own
 * (include/backdoor/abi.h), so that threads and processes sending
 * commands at the same time do not write over each other's data.  The
 * command says which slot its data is in; the library in QEMU finds it
 * with qemu_backdoor_slot_data().
 */

/**
 * qemu_backdoor_slot: the calling thread's slot of the data channel
 * @n: where to put the slot's number, for the commands to carry
 *
 * A thread's first call claims a free slot, which stays the thread's
 * until it calls qemu_backdoor_slot_release(), the channel is closed, or
 * the process forks (the child claims one of its own).  The slot of a
 * thread that has ended without releasing it is claimed again once no
 * slot is free.  Returns the slot's data, qemu_backdoor_slot_size()
 * bytes, or NULL with errno EBUSY when every slot is taken, or EINVAL when
 * the channel is not open.
 */
void *qemu_backdoor_slot(unsigned *n);

/* qemu_backdoor_slot_release: give the calling thread's slot back */
void qemu_backdoor_slot_release(void);

/* Size of the data of a slot; 0 when the channel is not open */
uint64_t qemu_backdoor_slot_size(void);

/*
 * Batched records: many small records for the price of one command.  A
 * batch is an area of the data channel that the program sets aside (one
 * per thread: a batch is not thread-safe); records are written into it
 * with plain stores, and one command hands them all to the library in
 * QEMU, which reads them with qemu_backdoor_batch_foreach(), each once and
 * in order.  The layout is in include/backdoor/abi.h.
 */
struct qemu_backdoor_batch {
    /*
     * The library's, not the program's.  Pointers, so that a record
     * costs a compare and a few stores, with no arithmetic on the area.
     */
    uint8_t *area;      /* the area, in the data channel */
    uint8_t *next;      /* where the next record goes */
    uint8_t *end;       /* the end of the area */
    uint64_t cmd;       /* the command that hands the records over */
};

/**
 * qemu_backdoor_batch_init: set up @b over an area of the data channel
 * @offset: where the area starts in the data channel, a multiple of 8
 * @size: its size in bytes, a multiple of 8, at least 16
 * @cmd: the command qemu_backdoor_batch_flush() sends; the library in
 *       QEMU must know it (and @offset) to read the records
 *
 * Returns 0, or -1 with errno EINVAL (bad area, or the channel not open).
 */
int qemu_backdoor_batch_init(struct qemu_backdoor_batch *b, uint64_t offset,
                             uint64_t size, uint64_t cmd);

/**
 * qemu_backdoor_batch_flush: hand the records written so far to the
 * library (one command; nothing when there are none)
 */
void qemu_backdoor_batch_flush(struct qemu_backdoor_batch *b);

/* qemu_backdoor_batch_reserve() when the record does not fit: flush first */
void *qemu_backdoor_batch_reserve_flush(struct qemu_backdoor_batch *b,
                                        uint32_t tag, size_t len);

/* The bytes a record of @len payload bytes takes in a batch */
static inline size_t qemu_backdoor_batch_record_size(size_t len)
{
    return QEMU_BACKDOOR_RECORD_HEAD +
           ((len + QEMU_BACKDOOR_RECORD_ALIGN - 1) &
            ~(size_t)(QEMU_BACKDOOR_RECORD_ALIGN - 1));
}

/**
 * qemu_backdoor_batch_reserve: append a record of @len payload bytes whose
 * payload the caller writes in place, flushing first when it does not fit
 * in what is left of the area
 * @tag: a number the library receives with the record
 *
 * Returns where the payload goes, in the data channel: the caller stores
 * its fields there directly, before the next flush, with no copy through
 * a buffer.  Inline, so that a record costs a few stores and no call.
 * Returns NULL with errno EMSGSIZE when the record is larger than the
 * area can ever hold.
 */
static inline void *qemu_backdoor_batch_reserve(struct qemu_backdoor_batch *b,
                                                uint32_t tag, size_t len)
{
    size_t need = qemu_backdoor_batch_record_size(len);
    uint8_t *p = b->next;
    uint32_t head[2];

    /* need < len: a length so large that rounding it up wrapped */
    if (need > (size_t)(b->end - p) || need < len) {
        return qemu_backdoor_batch_reserve_flush(b, tag, len);
    }
    b->next = p + need;
    head[0] = (uint32_t)len;
    head[1] = tag;
    /* one 8-byte store: records start at multiples of 8 */
    __builtin_memcpy(__builtin_assume_aligned(p, 8), head, sizeof(head));
    return p + QEMU_BACKDOOR_RECORD_HEAD;
}

/**
 * qemu_backdoor_batch_add: append a copy of the @len bytes at @rec as a
 * record, flushing first when it does not fit in what is left of the area
 * @tag: a number the library receives with the record
 *
 * Returns 0, or -1 with errno EMSGSIZE when the record is larger than the
 * area can ever hold.
 */
static inline int qemu_backdoor_batch_add(struct qemu_backdoor_batch *b,
                                          uint32_t tag, const void *rec,
                                          size_t len)
{
    void *p = qemu_backdoor_batch_reserve(b, tag, len);

    if (!p) {
        return -1;
    }
    __builtin_memcpy(p, rec, len);
    return 0;
}

#ifdef \
    __cplusplus
}
#endif

#endif /* QEMU_BACKDOOR_GUEST_H */
