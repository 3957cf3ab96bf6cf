/*
 * Backdoor channel, user mode: slots of the data channel
 *
 *   qemu-<arch> -backdoor DIR backdoor-slots DIR
 *
 * 8 threads claim a slot each with qemu_backdoor_slot(): the slots
 * differ, and each of a thread's 20,000 commands finds that thread's data
 * in its slot while all of them send commands at once (in parallel mode
 * too, with BDT_PARALLEL=1).  Then: a thread keeps its slot; a forked
 * child claims one of its own; once every slot is held (those of ended
 * threads claimed again) the next claim fails with EBUSY; a slot given
 * back is the next one claimed; and the library refuses a slot number
 * that does not exist.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include <stdbool.h>
#include <sys/wait.h>
#include "bdtest.h"

#define THREADS     8
#define PER_THREAD  20000
#define QUERY       255     /* the test library's slot for stats() */

static pthread_barrier_t start;
static unsigned worker_slot[THREADS];
static long worker_bad[THREADS];

/* one command on slot @n, whose data is @p: the library XORs word 0 */
static bool slot_command(volatile uint64_t *p, unsigned n, uint64_t v)
{
    p[0] = v;
    qemu_backdoor(BDT_CMD(BDT_OP_ABI_SLOT, 0, n));
    return p[0] == (v ^ BDT_SLOT_XOR);
}

static void *worker(void *arg)
{
    uintptr_t t = (uintptr_t)arg;
    volatile uint64_t *p;   /* volatile: the library writes into it */

    p = qemu_backdoor_slot(&worker_slot[t]);
    pthread_barrier_wait(&start);
    if (!p) {
        worker_bad[t] = -1;
        return NULL;
    }
    for (uint64_t i = 0; i < PER_THREAD; i++) {
        if (!slot_command(p, worker_slot[t], (uint64_t)t << 56 | i)) {
            worker_bad[t]++;
        }
    }
    return NULL;
}

/* holders: every slot held at once */
static pthread_barrier_t held, checked, released;
static unsigned holder_slot[QEMU_BACKDOOR_SLOTS_MAX];
static bool holder_ok[QEMU_BACKDOOR_SLOTS_MAX];

static void *holder(void *arg)
{
    uintptr_t h = (uintptr_t)arg;

    holder_ok[h] = qemu_backdoor_slot(&holder_slot[h]) != NULL;
    pthread_barrier_wait(&held);
    pthread_barrier_wait(&checked);     /* the claim that must fail */
    if (h == 0) {
        qemu_backdoor_slot_release();
    }
    pthread_barrier_wait(&released);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t th[QEMU_BACKDOOR_SLOTS_MAX];
    uint64_t size, slots, bad_before;
    volatile uint64_t *p;   /* volatile: the library writes into it */
    unsigned mine, again, n;
    bool distinct = true, all = true;
    int status;
    pid_t pid;

    bdt_open(argv[1]);
    size = qemu_backdoor_data_size();
    slots = QEMU_BACKDOOR_SLOTS(size);
    /* bdt_open()'s query wrote into slot 0's header: make it free */
    memset(qemu_backdoor_data(), 0, QEMU_BACKDOOR_SLOT_HEAD);
    check(slots >= THREADS + 1 && qemu_backdoor_slot_size() ==
          QEMU_BACKDOOR_SLOT_SIZE(size) - QEMU_BACKDOOR_SLOT_HEAD,
          "%" PRIu64 " slots of %" PRIu64 " bytes of data", slots,
          qemu_backdoor_slot_size());

    pthread_barrier_init(&start, NULL, THREADS);
    for (uintptr_t t = 0; t < THREADS; t++) {
        pthread_create(&th[t], NULL, worker, (void *)t);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        for (int u = 0; u < t; u++) {
            distinct &= worker_slot[t] != worker_slot[u];
        }
    }
    for (int t = 0; t < THREADS; t++) {
        check(worker_bad[t] == 0, "thread %d: its %d commands found its "
              "data in slot %u (%ld wrong)", t, PER_THREAD, worker_slot[t],
              worker_bad[t]);
    }
    check(distinct, "the %d threads got %d different slots", THREADS,
          THREADS);

    p = qemu_backdoor_slot(&mine);
    check(p && qemu_backdoor_slot(&again) == p && again == mine,
          "a thread keeps its slot (%u)", mine);

    pid = fork();
    if (pid == 0) {
        volatile uint64_t *c;   /* volatile: as p */

        c = qemu_backdoor_slot(&n);
        exit(c && n != mine && slot_command(c, n, 1234) ? 0 : 1);
    }
    check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0,
          "a forked child claims a slot of its own, and uses it");
    check(slot_command(p, mine, 5678), "the parent's slot still works");
    qemu_backdoor_slot_release();

    /*
     * Every slot held: the ones of the ended workers and child are
     * claimed again, and then there is none left
     */
    pthread_barrier_init(&held, NULL, slots + 1);
    pthread_barrier_init(&checked, NULL, slots + 1);
    pthread_barrier_init(&released, NULL, slots + 1);
    for (uintptr_t h = 0; h < slots; h++) {
        pthread_create(&th[h], NULL, holder, (void *)h);
    }
    pthread_barrier_wait(&held);
    for (uint64_t h = 0; h < slots; h++) {
        all &= holder_ok[h];
    }
    check(all, "%" PRIu64 " threads hold the %" PRIu64 " slots at once",
          slots, slots);
    errno = 0;
    check(qemu_backdoor_slot(&n) == NULL && errno == EBUSY,
          "with every slot held a claim fails with EBUSY");
    pthread_barrier_wait(&checked);
    pthread_barrier_wait(&released);
    check(qemu_backdoor_slot(&n) != NULL && n == holder_slot[0],
          "the slot given back (%u) is the one claimed next (%u)",
          holder_slot[0], n);
    for (uint64_t h = 0; h < slots; h++) {
        pthread_join(th[h], NULL);
    }

    bad_before = stats(QUERY).bad_ops;
    qemu_backdoor(BDT_CMD(BDT_OP_ABI_SLOT, 0, slots));
    check(stats(QUERY).bad_ops == bad_before + 1,
          "the library refuses slot %" PRIu64 ", which does not exist",
          slots);
    return bdt_exit();
}
