/*
 * User-mode backdoor benchmark: the guest side (see bench-user.sh)
 *
 *   userbench MODE [DIR] [COUNT]
 *
 * Prints "BENCH name value unit" lines; asserts nothing.
 *
 *   calls DIR      ns per backdoor call, through qemu_backdoor() and as
 *                  one inlined store
 *   ops DIR        ns per op: plain store, getppid(), pipe write+read;
 *                  memcpy bandwidth into the data channel and into
 *                  ordinary memory
 *   threads DIR    backdoor calls per second from 1, 2 and 4 threads
 *   batch DIR      records per second: batched (qemu_backdoor_batch_*),
 *                  written in place or by copy, and one command per
 *                  record (a batch of one)
 *   loop [DIR]     run time of a store-heavy loop; with DIR, after opening
 *                  the channel and sending one command
 *   magic          ns per store into the plugin peer's magic page
 *                  (MAGIC_ADDR, see magic-store-plugin.c)
 *
 * The library is the test library (tests/backdoor/testlib): command 0 is
 * its no-op, BDT_OP_BATCH reads and checks a batch.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "qemu-backdoor.h"
#include "backdoor-test-ops.h"
#include "bench-guest.h"

#define MAGIC_ADDR  0x200000000ULL
/* the test library's cheapest command: nothing, not even counted */
#define CMD_NOP     BDT_CMD(BDT_OP_VOID, 0, 0)

static double now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void report(const char *name, double value, const char *unit)
{
    printf("BENCH %s %.2f %s\n", name, value, unit);
    fflush(stdout);
}

/* best of three runs of @fn(@n), in ns per iteration */
static double best(double (*fn)(long), long n)
{
    double b = 1e30;

    for (int i = 0; i < 3; i++) {
        double t = fn(n) / n;
        b = t < b ? t : b;
    }
    return b;
}

/* volatile: every store of the loops must happen */
static volatile uint64_t sink[512];
static volatile uint64_t *ctrl_cmd;  /* volatile: see sink */

static MEASURED double t_store(long n)
{
    double t0 = now_ns();

    for (long i = 0; i < n; i++) {
        sink[0] = i;
    }
    return now_ns() - t0;
}

static MEASURED double t_call(long n)
{
    double t0 = now_ns();

    for (long i = 0; i < n; i++) {
        qemu_backdoor(CMD_NOP);
    }
    return now_ns() - t0;
}

static MEASURED double t_inline(long n)
{
    double t0 = now_ns();

    for (long i = 0; i < n; i++) {
        *ctrl_cmd = CMD_NOP;
    }
    return now_ns() - t0;
}

static MEASURED double t_getppid(long n)
{
    double t0 = now_ns();

    for (long i = 0; i < n; i++) {
        getppid();
    }
    return now_ns() - t0;
}

static int pfd[2];

static MEASURED double t_pipe(long n)
{
    char c = 0;
    double t0 = now_ns();

    for (long i = 0; i < n; i++) {
        if (write(pfd[1], &c, 1) != 1 || read(pfd[0], &c, 1) != 1) {
            abort();
        }
    }
    return now_ns() - t0;
}

static volatile uint64_t *magic;     /* volatile: see sink */

static MEASURED double t_magic(long n)
{
    double t0 = now_ns();

    for (long i = 0; i < n; i++) {
        magic[1] = CMD_NOP;
    }
    return now_ns() - t0;
}

/* MiB/s copying @total bytes into @dst in 64 KiB pieces */
static double copy_rate(void *dst, const void *src, size_t total)
{
    size_t chunk = 64 * 1024;
    double t0 = now_ns(), t;

    for (size_t done = 0; done < total; done += chunk) {
        memcpy(dst, src, chunk);
        __asm__ volatile("" : : "r"(dst) : "memory");
    }
    t = now_ns() - t0;
    return total / (1024.0 * 1024.0) / (t / 1e9);
}

static long per_thread;

static MEASURED void *caller(void *arg)
{
    for (long i = 0; i < per_thread; i++) {
        qemu_backdoor(CMD_NOP);
    }
    return arg;
}

static double calls_per_s(int threads, long n)
{
    pthread_t th[16];
    double t0, t;

    per_thread = n;
    t0 = now_ns();
    for (int i = 0; i < threads; i++) {
        pthread_create(&th[i], NULL, caller, NULL);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
    }
    t = now_ns() - t0;
    return threads * n / (t / 1e9);
}

/*
 * Records per second through a 64 KiB batch (write_records()); the
 * library counts them
 */
static MEASURED double records_per_s(long n, bool per_record, bool copy)
{
    const uint64_t off = 65536, size = 65536;
    struct qemu_backdoor_batch b;
    uint64_t *w = qemu_backdoor_data();
    struct bdt_stats st;
    double t0;

    /* the library's tags start again at 0 */
    qemu_backdoor(BDT_CMD(BDT_OP_RESET, 0, 0));
    w[0] = size;
    if (qemu_backdoor_batch_init(&b, off, size,
                                 BDT_CMD(BDT_OP_BATCH_COUNT, 0, off))) {
        perror("qemu_backdoor_batch_init");
        exit(1);
    }
    t0 = now_ns();
    write_records(&b, n, per_record, copy);
    t0 = now_ns() - t0;
    /* the library checked them all: its counters say so */
    qemu_backdoor(BDT_CMD(BDT_OP_STATS, 0, 0));
    memcpy(&st, w, sizeof(st));
    if (st.records_ok != (uint64_t)n || st.records_bad) {
        fprintf(stderr, "userbench: the library got %" PRIu64 " records "
                "right and %" PRIu64 " wrong, of %ld\n", st.records_ok,
                st.records_bad, n);
        exit(1);
    }
    return n / (t0 / 1e9);
}

/* the store-heavy loop: 64 Mi stores over a 32 KiB buffer */
static MEASURED void store_loop(void)
{
    static uint64_t buf[4096];
    double t0 = now_ns();

    for (long r = 0; r < 16 * 1024; r++) {
        for (int i = 0; i < 4096; i++) {
            buf[i] = r + i;
        }
        __asm__ volatile("" : : "r"(buf) : "memory");
    }
    report("loop", (now_ns() - t0) / 1e6, "ms");
}

static void open_channel(const char *dir)
{
    char path[4096];
    int fd;

    if (qemu_backdoor_init(dir) != 0) {
        perror("qemu_backdoor_init");
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/control", dir);
    fd = open(path, O_RDWR);
    ctrl_cmd = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (ctrl_cmd == MAP_FAILED) {
        perror("mmap control");
        exit(1);
    }
    ctrl_cmd += 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 3 ? atol(argv[3]) : 2000000;

    if (!strcmp(mode, "ops") && argc > 2) {
        size_t total = 128 << 20, size;
        double ram_rate = 0, data_rate = 0;
        void *src, *ram;

        open_channel(argv[2]);
        report("store", best(t_store, 10 * n), "ns");
        report("getppid", best(t_getppid, n / 10), "ns");
        if (pipe(pfd) == 0) {
            report("pipe", best(t_pipe, n / 20), "ns");
        }
        size = qemu_backdoor_data_size();
        if (size > 64 * 1024) {
            size = 64 * 1024;
        }
        src = calloc(1, size);
        ram = calloc(1, size);
        /* alternate, and keep the best of three of each */
        for (int i = 0; i < 3; i++) {
            double r = copy_rate(ram, src, total);
            double d = copy_rate(qemu_backdoor_data(), src, total);

            ram_rate = r > ram_rate ? r : ram_rate;
            data_rate = d > data_rate ? d : data_rate;
        }
        report("memcpy-ram", ram_rate, "MiB/s");
        report("memcpy-data", data_rate, "MiB/s");
        return 0;
    }
    if (!strcmp(mode, "calls") && argc > 2) {
        open_channel(argv[2]);
        report("call", best(t_call, n), "ns");
        report("inline", best(t_inline, n), "ns");
        return 0;
    }
    if (!strcmp(mode, "threads") && argc > 2) {
        open_channel(argv[2]);
        report("threads-1", calls_per_s(1, n), "calls/s");
        report("threads-2", calls_per_s(2, n / 2), "calls/s");
        report("threads-4", calls_per_s(4, n / 4), "calls/s");
        return 0;
    }
    if (!strcmp(mode, "batch") && argc > 2) {
        open_channel(argv[2]);
        report("records-call", records_per_s(n, true, false), "records/s");
        report("records-batch", records_per_s(n, false, false), "records/s");
        report("records-copy", records_per_s(n, false, true), "records/s");
        return 0;
    }
    if (!strcmp(mode, "loop")) {
        if (argc > 2) {
            open_channel(argv[2]);
            qemu_backdoor(CMD_NOP);
        }
        store_loop();
        return 0;
    }
    if (!strcmp(mode, "magic")) {
        magic = mmap((void *)MAGIC_ADDR, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (magic != (void *)MAGIC_ADDR) {
            perror("mmap magic page");
            return 1;
        }
        report("magic", best(t_magic, n), "ns");
        return 0;
    }
    fprintf(stderr, "usage: %s calls|ops|threads|batch DIR [N] | "
            "loop [DIR] | magic [N]\n", argv[0]);
    return 2;
}
