/*
 * What the guest programs of the user-mode and system-mode benchmarks
 * (userbench.c, sysbench.c) share
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef BENCH_GUEST_H
#define BENCH_GUEST_H

#include <stdbool.h>
#include "qemu-backdoor.h"

/*
 * TCG chains translated blocks only within a guest page: a measured loop
 * that straddled two pages would pay a lookup per iteration, and the
 * figures would depend on where the linker put it.  Each measured loop
 * gets a page of its own.
 */
#define MEASURED __attribute__((noinline, aligned(4096)))

/*
 * Write @n records of 16 bytes (a tracer's event: a timestamp and a
 * value) through @b, in place (qemu_backdoor_batch_reserve) or by copy
 * (@copy: _add), flushing after each one (@per_record) or when the batch
 * is full, and at the end.  Inlined into the measured function.
 */
static inline __attribute__((always_inline))
void write_records(struct qemu_backdoor_batch *b, long n, bool per_record,
                   bool copy)
{
    uint64_t rec[2];

    for (long i = 0; i < n; i++) {
        if (copy) {
            rec[0] = i;
            rec[1] = i * 3;
            qemu_backdoor_batch_add(b, 1, rec, sizeof(rec));
        } else {
            uint64_t *p = qemu_backdoor_batch_reserve(b, 1, 16);

            p[0] = i;
            p[1] = i * 3;
        }
        if (per_record) {
            qemu_backdoor_batch_flush(b);
        }
    }
    qemu_backdoor_batch_flush(b);
}

#endif /* BENCH_GUEST_H */
