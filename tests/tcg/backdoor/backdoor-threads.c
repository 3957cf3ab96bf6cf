/*
 * Backdoor channel, user mode: 8 guest threads x 100,000 commands
 *
 *   qemu-<arch> -backdoor DIR backdoor-threads DIR
 *
 * Every thread numbers its commands in a slot of its own; the library
 * checks that each arrives exactly once and in order, and that no two
 * calls ever overlap.  The threads start together, so several race for
 * the first store into the control page.
 *
 * With BDT_PARALLEL=1 in the environment (QEMU's and so the guest's) the
 * library asks for parallel calls: then calls may overlap, and everything
 * else must hold as before.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include <stdbool.h>
#include "bdtest.h"

#define THREADS     8
#define PER_THREAD  100000

static pthread_barrier_t start;

static void *worker(void *arg)
{
    uintptr_t n = (uintptr_t)arg;

    pthread_barrier_wait(&start);
    for (uint64_t i = 0; i < PER_THREAD; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_SEQ, n, i));
    }
    return NULL;
}

/* a call that waits in the library until a second one is there */
static void *meet(void *arg)
{
    uintptr_t n = (uintptr_t)arg;

    slot(n)[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_MEET, n, 2));
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t th[THREADS];
    const char *env = getenv("BDT_PARALLEL");
    bool parallel = env && !strcmp(env, "1");
    struct bdt_stats s;

    bdt_open(argv[1]);
    pthread_barrier_init(&start, NULL, THREADS);
    for (uintptr_t i = 0; i < THREADS; i++) {
        pthread_create(&th[i], NULL, worker, (void *)(i + 1));
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    s = stats(0);
    check(s.seq_ok == THREADS * PER_THREAD,
          "%d commands arrived in order, each once (seq_ok %" PRIu64 ")",
          THREADS * PER_THREAD, s.seq_ok);
    check(s.seq_bad == 0, "no command lost or repeated (seq_bad %" PRIu64
          ")", s.seq_bad);
    if (parallel) {
        printf("# %" PRIu64 " calls overlapped\n", s.overlaps);
        /* two calls that wait for each other inside the library meet */
        for (uintptr_t i = 0; i < 2; i++) {
            pthread_create(&th[i], NULL, meet, (void *)(i + 1));
        }
        for (int i = 0; i < 2; i++) {
            pthread_join(th[i], NULL);
        }
        check(slot(1)[1] == 0 && slot(2)[1] == 0,
              "two calls ran at the same time in the library");
    } else {
        check(s.overlaps == 0, "calls never overlapped (overlaps %" PRIu64
              ")", s.overlaps);
    }
    check(s.commands == THREADS * PER_THREAD + 1,
          "commands counted: %" PRIu64, s.commands);
    return bdt_exit();
}
