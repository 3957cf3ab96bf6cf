/*
 * Backdoor channel: the interface the guest sees
 *
 * The one definition of the channel's layout, shared by QEMU (the PCI
 * device hw/misc/backdoor.c, linux-user's -backdoor, their tests) and by
 * the guest library in backdoor/guest/, which installs it with its own
 * header.  docs/specs/backdoor.rst describes what each value means; the
 * documentation includes this file rather than repeating the values.
 *
 * Plain C preprocessor definitions: no QEMU or host header is needed, so
 * that guest code built outside QEMU can include it.  (It is QEMU's own
 * interface, not one imported from Linux, so it does not live in
 * include/standard-headers/.)
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef BACKDOOR_ABI_H
#define BACKDOOR_ABI_H

/* pci-ids: "-device backdoor" */
#define QEMU_BACKDOOR_PCI_VENDOR    0x1b36  /* PCI_VENDOR_ID_REDHAT */
#define QEMU_BACKDOOR_PCI_DEVICE    0x0015  /* PCI_DEVICE_ID_REDHAT_BACKDOOR */
#define QEMU_BACKDOOR_PCI_REVISION  1
#define QEMU_BACKDOOR_CTRL_BAR      0       /* control channel, 32-bit MMIO */
#define QEMU_BACKDOOR_DATA_BAR      2       /* data channel, 64-bit RAM */
/* pci-ids end */

/*
 * ctrl: the control channel, one page of 64-bit registers (little-endian
 * on the PCI device, the guest's byte order in user mode)
 */
#define QEMU_BACKDOOR_CTRL_LEN      0x1000  /* bytes */
#define QEMU_BACKDOOR_CTRL_SIZE     0x00    /* r: data channel size, bytes */
#define QEMU_BACKDOOR_CTRL_CMD      0x08    /* w: send a 64-bit command */
#define QEMU_BACKDOOR_CTRL_COUNT    0x10    /* r: commands since reset (PCI) */
/* ctrl end */

/* files: the channel's files in the directory of qemu-<arch> -backdoor DIR */
#define QEMU_BACKDOOR_CTRL_FILE     "control"
#define QEMU_BACKDOOR_DATA_FILE     "data"
/* files end */

/* data-size: the sizes the data channel may have (powers of two) */
#define QEMU_BACKDOOR_DATA_SIZE_MIN     0x1000ULL       /* 4 KiB */
#define QEMU_BACKDOOR_DATA_SIZE_MAX     0x40000000ULL   /* 1 GiB */
#define QEMU_BACKDOOR_DATA_SIZE_DEFAULT 0x100000ULL     /* 1 MiB */
/* data-size end */

/*
 * batch: records that the guest writes into an area of the data channel
 * with plain stores and hands over with one command (the guest library's
 * qemu_backdoor_batch_*(), qemu_backdoor_batch_foreach() in QEMU).  The
 * area starts with a 64-bit count of the record bytes that follow it;
 * each record is a 32-bit payload length, a 32-bit tag of the guest's
 * choosing and the payload, padded to a multiple of 8 bytes.  All in the
 * guest's byte order.
 */
#define QEMU_BACKDOOR_BATCH_HEAD    8   /* bytes before the first record */
#define QEMU_BACKDOOR_RECORD_HEAD   8   /* bytes before a record's payload */
#define QEMU_BACKDOOR_RECORD_ALIGN  8   /* a record's size is a multiple */
/* batch end */

/*
 * slots: the data channel cut into QEMU_BACKDOOR_SLOTS(size) slots of
 * QEMU_BACKDOOR_SLOT_SIZE(size) bytes, slot N at N times that, which the
 * guest library hands out one to a thread (qemu_backdoor_slot()), so that
 * threads and processes sending commands at once keep their data apart.
 * The first QEMU_BACKDOOR_SLOT_HEAD bytes of a slot are the guest
 * library's (who holds it); the rest is the data of the commands that
 * name the slot, which the library in QEMU finds with
 * qemu_backdoor_slot_data().  How a command names its slot is the
 * library's business (the slot's number in some bits of it, say).
 */
#define QEMU_BACKDOOR_SLOT_HEAD     64          /* bytes */
#define QEMU_BACKDOOR_SLOT_MIN      0x1000ULL   /* the smallest slot */
#define QEMU_BACKDOOR_SLOTS_MAX     64
#define QEMU_BACKDOOR_SLOTS(size) \
    ((size) / QEMU_BACKDOOR_SLOT_MIN < QEMU_BACKDOOR_SLOTS_MAX ? \
     (size) / QEMU_BACKDOOR_SLOT_MIN : QEMU_BACKDOOR_SLOTS_MAX)
#define QEMU_BACKDOOR_SLOT_SIZE(size)   ((size) / QEMU_BACKDOOR_SLOTS(size))
/* slots end */

#endif /* BACKDOOR_ABI_H */
