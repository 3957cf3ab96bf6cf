/*
 * Backdoor channel: the interface the guest sees
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef BACKDOOR_ABI_H
#define BACKDOOR_ABI_H

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

#endif /* BACKDOOR_ABI_H */
