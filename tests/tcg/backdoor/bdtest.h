/*
 * Shared helpers of the linux-user backdoor tests (tests/tcg/backdoor)
 *
 * Each test runs as "qemu-<arch> -backdoor DIR test DIR [ARGS...]", with
 * QEMU built with the test library (tests/backdoor/testlib), prints one
 * "ok - ..." or "not ok - ..." line per check and exits 0 when all pass.
 * A QEMU whose library does not answer as the test library does fails
 * them ("not ok", exit 1): nothing is skipped.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef BDTEST_H
#define BDTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-backdoor.h"
#include "backdoor-test-ops.h"

#define CTRL_LEN  QEMU_BACKDOOR_CTRL_LEN

#define BDT_NOINLINE __attribute__((noinline, unused))

static int bdt_failures;

static inline void __attribute__((format(printf, 2, 3)))
check(int ok, const char *fmt, ...)
{
    va_list ap;

    printf("%s - ", ok ? "ok" : "not ok");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!ok) {
        bdt_failures++;
    }
}

static inline int bdt_exit(void)
{
    return bdt_failures ? 1 : 0;
}

/* slot @n of the data channel */
static inline uint64_t *slot(int n)
{
    return (uint64_t *)((uint8_t *)qemu_backdoor_data() + n * BDT_SLOT_SIZE);
}

/* STATS queries since the last reset() */
static uint64_t bdt_queries;

/* the test library's counters, through slot @n */
static inline struct bdt_stats stats(int n)
{
    struct bdt_stats s;

    qemu_backdoor(BDT_CMD(BDT_OP_STATS, n, 0));
    bdt_queries++;
    memcpy(&s, slot(n), sizeof(s));
    return s;
}

/* zero the test library's counters */
static inline void reset(void)
{
    qemu_backdoor(BDT_CMD(BDT_OP_RESET, 0, 0));
    bdt_queries = 0;
}

/* commands the library handled since reset(), not counting queries */
static inline uint64_t commands(void)
{
    return stats(0).commands - bdt_queries;
}

/*
 * Open the channel in @dir and make sure QEMU's library answers as the
 * test library does; a failed check, and exit 1, when it cannot.
 */
static inline void bdt_open(const char *dir)
{
    struct bdt_stats s;

    if (qemu_backdoor_init(dir) != 0) {
        printf("not ok - qemu_backdoor_init(%s): %s\n", dir, strerror(errno));
        exit(1);
    }
    memset(slot(0), 0, BDT_SLOT_SIZE);
    s = stats(0);
    if (s.init_calls != 1 || s.init_size != qemu_backdoor_data_size() ||
        s.commands != 1) {
        printf("not ok - the test library answers (init_calls %" PRIu64
               ", init_size %" PRIu64 ", commands %" PRIu64 "; is QEMU "
               "built with tests/backdoor/testlib?)\n",
               s.init_calls, s.init_size, s.commands);
        exit(1);
    }
    reset();
}

/* map the control file of @dir with the given arguments */
static inline void *map_ctrl(const char *dir, size_t len, int prot, int flags,
                      off_t off)
{
    char path[4096];
    void *p;
    int fd;

    snprintf(path, sizeof(path), "%s/" QEMU_BACKDOOR_CTRL_FILE, dir);
    fd = open(path, O_RDWR);
    if (fd < 0) {
        return MAP_FAILED;
    }
    p = mmap(NULL, len, prot, flags, fd, off);
    close(fd);
    return p;
}

/*
 * Stores of each width, one store instruction each: atomic stores, so that
 * no compiler splits them (i386's 8-byte one is an SSE store) or,
 * unoptimised, copies the value from memory to memory; but plain volatile
 * stores with BDT_PLAIN_STORES (riscv64, where GCC 12 makes an atomic
 * store an amoswap, a read-modify-write, which sends no command).
 * noinline, so that each is a store site of its own.
 */
#ifdef BDT_PLAIN_STORES
#define BDT_STORE(type, p, v) (*(volatile type *)(p) = (v)) /* one store */
#else
#define BDT_STORE(type, p, v) \
    __atomic_store_n((type *)(p), (v), __ATOMIC_RELAXED)
#endif

static BDT_NOINLINE void st1(void *p, uint8_t v)
{
    BDT_STORE(uint8_t, p, v);
}

static BDT_NOINLINE void st2(void *p, uint16_t v)
{
    BDT_STORE(uint16_t, p, v);
}

static BDT_NOINLINE void st4(void *p, uint32_t v)
{
    BDT_STORE(uint32_t, p, v);
}

static BDT_NOINLINE void st8(void *p, uint64_t v)
{
    BDT_STORE(uint64_t, p, v);
}

static BDT_NOINLINE uint64_t ld8(const void *p)
{
    return *(const volatile uint64_t *)p;    /* volatile: one load */
}

/*
 * Run @fn(@p, @v) and return the signal it raised (SIGSEGV, SIGBUS), or
 * 0 if it returned normally.
 */
static sigjmp_buf bdt_jmp;
static volatile sig_atomic_t bdt_sig;   /* volatile: set by a handler */

static inline void bdt_on_signal(int sig)
{
    bdt_sig = sig;
    siglongjmp(bdt_jmp, 1);
}

static inline int trap(void (*fn)(void *, uint64_t), void *p, uint64_t v)
{
    struct sigaction sa, old_segv, old_bus;
    int sig = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = bdt_on_signal;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    if (sigsetjmp(bdt_jmp, 1) == 0) {
        fn(p, v);
    } else {
        sig = bdt_sig;
    }
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return sig;
}

static inline void st8_fn(void *p, uint64_t v)
{
    st8(p, v);
}

static inline void ld8_fn(void *p, uint64_t v)
{
    (void)v;
    ld8(p);
}

#endif /* BDTEST_H */
