/*
 * Backdoor channel, user mode: batched records
 *
 *   qemu-<arch> -backdoor DIR backdoor-batch DIR
 *
 * Four threads, each with a batch of its own in the data channel, write
 * 50,000 records of 0 to 60 bytes each, two threads by copy
 * (qemu_backdoor_batch_add) and two in place (qemu_backdoor_batch_reserve);
 * the test library checks that every record arrives once, in order, with
 * its bytes.  Then batches a
 * hostile guest could write: counts and lengths that do not fit are
 * refused, and the library reads nothing past the area.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include "bdtest.h"

#define THREADS     4
#define PER_THREAD  50000
#define AREA_SIZE   4096
#define AREA_OFF(t) (65536 + (t) * AREA_SIZE)

static void *writer(void *arg)
{
    uintptr_t n = (uintptr_t)arg;
    struct qemu_backdoor_batch b;
    uint8_t rec[64];

    slot(n)[0] = AREA_SIZE;
    if (qemu_backdoor_batch_init(&b, AREA_OFF(n), AREA_SIZE,
                                 BDT_CMD(BDT_OP_BATCH, n, AREA_OFF(n)))) {
        return (void *)1;
    }
    for (uint32_t tag = 0; tag < PER_THREAD; tag++) {
        /* odd threads write in place, even ones through a copy */
        uint8_t *p = n & 1 ? qemu_backdoor_batch_reserve(&b, tag,
                                                         BDT_RECORD_LEN(tag))
                           : rec;

        if (!p) {
            return (void *)1;
        }
        for (size_t i = 0; i < BDT_RECORD_LEN(tag); i++) {
            p[i] = BDT_RECORD_BYTE(tag, i);
        }
        if (!(n & 1) &&
            qemu_backdoor_batch_add(&b, tag, rec, BDT_RECORD_LEN(tag))) {
            return (void *)1;
        }
    }
    qemu_backdoor_batch_flush(&b);
    return NULL;
}

/* nothing written into @b since its last flush */
static int batch_empty(const struct qemu_backdoor_batch *b)
{
    return b->next == b->area + QEMU_BACKDOOR_BATCH_HEAD;
}

/* a batch of @used bytes whose first record says @len, read by slot 9 */
static int64_t hostile(uint64_t used, uint32_t len)
{
    uint8_t *area = (uint8_t *)qemu_backdoor_data() + AREA_OFF(0);
    uint32_t head[2] = { len, 0 };

    memcpy(area, &used, 8);
    memcpy(area + 8, head, 8);
    slot(9)[0] = 64;
    slot(9)[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_BATCH, 9, AREA_OFF(0)));
    return slot(9)[1];
}

int main(int argc, char **argv)
{
    pthread_t th[THREADS];
    struct qemu_backdoor_batch b;
    struct bdt_stats s;
    uint8_t big[4096] = { 0 };
    void *ret;
    int bad = 0;

    bdt_open(argv[1]);
    for (uintptr_t i = 0; i < THREADS; i++) {
        pthread_create(&th[i], NULL, writer, (void *)(i + 1));
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], &ret);
        bad |= ret != NULL;
    }
    check(!bad, "qemu_backdoor_batch_init, _add and _reserve succeeded");
    s = stats(0);
    check(s.records_ok == THREADS * PER_THREAD && s.records_bad == 0,
          "%d records arrived in order, each once, with their bytes "
          "(ok %" PRIu64 ", bad %" PRIu64 ")", THREADS * PER_THREAD,
          s.records_ok, s.records_bad);
    check(s.commands < THREADS * PER_THREAD / 50,
          "in few commands (%" PRIu64 ")", s.commands);

    /* the guest library refuses what cannot work */
    errno = 0;
    check(qemu_backdoor_batch_init(&b, 4, 64, 0) == -1 && errno == EINVAL,
          "a batch at an unaligned offset: EINVAL");
    errno = 0;
    check(qemu_backdoor_batch_init(&b, qemu_backdoor_data_size() - 64, 128,
                                   0) == -1 && errno == EINVAL,
          "a batch past the data channel: EINVAL");
    check(qemu_backdoor_batch_init(&b, AREA_OFF(0), 64, 0) == 0,
          "a 64-byte batch");
    errno = 0;
    check(qemu_backdoor_batch_add(&b, 0, big, 64 - 15) == -1 &&
          errno == EMSGSIZE && batch_empty(&b),
          "a record larger than the batch: EMSGSIZE");
    errno = 0;
    check(qemu_backdoor_batch_reserve(&b, 0, 64 - 15) == NULL &&
          errno == EMSGSIZE && batch_empty(&b),
          "room for a record larger than the batch: EMSGSIZE");
    errno = 0;
    check(qemu_backdoor_batch_reserve(&b, 0, SIZE_MAX - 3) == NULL &&
          errno == EMSGSIZE && batch_empty(&b),
          "room for a record of SIZE_MAX - 3 bytes: EMSGSIZE");
    errno = 0;
    check(qemu_backdoor_batch_reserve(&b, 0, SIZE_MAX - 7) == NULL &&
          errno == EMSGSIZE && batch_empty(&b),
          "room for a record of SIZE_MAX - 7 bytes (its size wraps to 0): "
          "EMSGSIZE");
    if (sizeof(size_t) > 4) {
        errno = 0;
        check(qemu_backdoor_batch_reserve(&b, 0, (size_t)UINT32_MAX + 1) ==
              NULL && errno == EMSGSIZE && batch_empty(&b),
              "room for a record of 4 GiB: EMSGSIZE");
    }
    /* a record that fills what is left exactly; the next one flushes */
    check(qemu_backdoor_batch_reserve(&b, 0, 64 - 16) != NULL &&
          b.next == b.end, "a record that fills the batch exactly");
    check(qemu_backdoor_batch_reserve(&b, 0, 0) != NULL &&
          b.next == b.area + QEMU_BACKDOOR_BATCH_HEAD + 8,
          "the record after it goes into a flushed batch");
    qemu_backdoor_batch_flush(&b);

    /* and QEMU's reader what does not fit */
    check(hostile(0, 0) == 0, "an empty batch: no record");
    check(hostile(16, 8) == 1, "a batch of one 8-byte record");
    check(hostile(64 - 8 + 8, 0) == -1, "a count past the area: refused");
    check(hostile(16, 9) == -1, "a record past the count: refused");
    check(hostile(48, UINT32_MAX) == -1, "a record of 4 GiB: refused");
    check(hostile(UINT64_MAX, 0) == -1, "a count of 2^64 - 1: refused");
    s = stats(0);
    check(s.records_ok + s.records_bad == THREADS * PER_THREAD + 1,
          "the library saw only the one good record (%" PRIu64 ")",
          s.records_ok + s.records_bad - THREADS * PER_THREAD);
    return bdt_exit();
}
