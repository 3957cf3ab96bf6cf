/*
 * Backdoor channel, user mode: exactly once while the mappings change
 *
 *   qemu-<arch> -backdoor DIR backdoor-churn DIR
 *
 * 8 threads send numbered commands through one shared mapping of the
 * control file, first each through 64 store instructions that have never
 * stored to it (each faults once), then 100,000 through one instruction.
 * Meanwhile another thread keeps changing mappings: it maps the control
 * file again over that mapping (MAP_FIXED), mprotects it to what it
 * already is, and maps, mprotects and unmaps pages beside it.  Every
 * command must arrive exactly once and in order, and no thread may see a
 * signal.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include "bdtest.h"

#define THREADS     8
#define FIRST       64
#define PER_THREAD  100000

static uint8_t *ctrl;
static int ctrl_fd;
static pthread_barrier_t start;
static volatile int done;       /* volatile: polled by the churn thread */
static uint64_t churned;

/*
 * FIRST store instructions of their own (the counter keeps the compiler
 * from merging the functions).
 */
static unsigned first_calls[FIRST];
#define ST(a, b) \
    static BDT_NOINLINE void st_##a##b(void *p, uint64_t v) \
    { \
        BDT_STORE(uint64_t, p, v); \
        __atomic_fetch_add(&first_calls[a * 8 + b], 1, __ATOMIC_RELAXED); \
    }
#define ST8(a) ST(a, 0) ST(a, 1) ST(a, 2) ST(a, 3) \
               ST(a, 4) ST(a, 5) ST(a, 6) ST(a, 7)
ST8(0) ST8(1) ST8(2) ST8(3) ST8(4) ST8(5) ST8(6) ST8(7)

static void (*const first_fn[FIRST])(void *, uint64_t) = {
    st_00, st_01, st_02, st_03, st_04, st_05, st_06, st_07,
    st_10, st_11, st_12, st_13, st_14, st_15, st_16, st_17,
    st_20, st_21, st_22, st_23, st_24, st_25, st_26, st_27,
    st_30, st_31, st_32, st_33, st_34, st_35, st_36, st_37,
    st_40, st_41, st_42, st_43, st_44, st_45, st_46, st_47,
    st_50, st_51, st_52, st_53, st_54, st_55, st_56, st_57,
    st_60, st_61, st_62, st_63, st_64, st_65, st_66, st_67,
    st_70, st_71, st_72, st_73, st_74, st_75, st_76, st_77,
};

static void *worker(void *arg)
{
    uintptr_t n = (uintptr_t)arg;
    uint64_t seq = 0;

    pthread_barrier_wait(&start);
    for (int i = 0; i < FIRST; i++) {
        first_fn[(i + n * 8) % FIRST](ctrl + QEMU_BACKDOOR_CTRL_CMD,
                                      BDT_CMD(BDT_OP_SEQ, n, seq++));
    }
    for (int i = 0; i < PER_THREAD; i++) {
        st8(ctrl + QEMU_BACKDOOR_CTRL_CMD, BDT_CMD(BDT_OP_SEQ, n, seq++));
    }
    return NULL;
}

static void *churn(void *arg)
{
    uint8_t *side = arg;

    pthread_barrier_wait(&start);
    while (!done) {
        void *p;

        if (mmap(ctrl, CTRL_LEN, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_FIXED, ctrl_fd, 0) != ctrl ||
            mprotect(ctrl, CTRL_LEN, PROT_READ | PROT_WRITE) != 0) {
            printf("not ok - remapping the control file: %s\n",
                   strerror(errno));
            exit(1);
        }
        p = mmap(side, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (p != MAP_FAILED) {
            *(volatile uint8_t *)p = 1;     /* volatile: touch it */
            mprotect(p, 4096, PROT_READ);
            munmap(p, 4096);
        }
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            mprotect(p, 4096, PROT_READ | PROT_EXEC);
            munmap(p, 4096);
        }
        churned++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t th[THREADS], ch;
    char path[4096];
    struct bdt_stats s;
    uint8_t *area;
    unsigned first = 0;

    bdt_open(argv[1]);
    snprintf(path, sizeof(path), "%s/" QEMU_BACKDOOR_CTRL_FILE, argv[1]);
    ctrl_fd = open(path, O_RDWR);
    /* the control mapping, then a page that the churn thread remaps */
    area = mmap(NULL, 2 * CTRL_LEN, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ctrl = mmap(area, CTRL_LEN, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_FIXED, ctrl_fd, 0);
    if (ctrl_fd < 0 || ctrl == MAP_FAILED) {
        printf("not ok - map %s: %s\n", path, strerror(errno));
        return 1;
    }
    pthread_barrier_init(&start, NULL, THREADS + 1);
    pthread_create(&ch, NULL, churn, area + CTRL_LEN);
    for (uintptr_t i = 0; i < THREADS; i++) {
        pthread_create(&th[i], NULL, worker, (void *)(i + 1));
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    done = 1;
    pthread_join(ch, NULL);

    for (int i = 0; i < FIRST; i++) {
        first += first_calls[i];
    }
    s = stats(0);
    check(first == THREADS * FIRST, "%u first stores made", first);
    check(churned > 0, "the mappings changed %" PRIu64 " times meanwhile",
          churned);
    check(s.seq_ok == THREADS * (FIRST + PER_THREAD) && s.seq_bad == 0,
          "%d commands arrived exactly once and in order (in order %"
          PRIu64 ", lost or repeated %" PRIu64 ")",
          THREADS * (FIRST + PER_THREAD), s.seq_ok, s.seq_bad);
    check(s.commands == THREADS * (FIRST + PER_THREAD) + bdt_queries,
          "the library saw no other command (%" PRIu64 ")", s.commands);
    return bdt_exit();
}
