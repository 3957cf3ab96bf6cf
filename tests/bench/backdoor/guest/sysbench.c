/*
 * Guest side of the system-mode benchmark (bench-system.sh): runs in a
 * Linux guest of qemu-system-x86_64 with -device backdoor -device edu,
 * as root, and prints "BENCH ROUND NAME VALUE UNIT" lines:
 *
 *   sysbench [CALLS [COPIES [ROUNDS [threads]]]]
 *
 * With "threads", only the calls per second from 1, 2 and 4 threads.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "qemu-backdoor.h"
#include "backdoor-test-ops.h"
#include "bench-guest.h"

#define EDU_VENDOR      0x1234
#define EDU_DEVICE      0x11e8
#define EDU_REG_LIVE    0x04    /* card liveness check: stores ~value */
#define VMPORT_PORT     0x5658
#define VMPORT_MAGIC    0x564d5868
#define VMPORT_GETVER   10
#define REPEAT          3
#define ARRAY_LEN(a)    (sizeof(a) / sizeof((a)[0]))

/* keep the compiler from merging or dropping the loops' memory accesses */
#define compiler_barrier() __asm__ __volatile__("" : : : "memory")

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static unsigned long sysfs_id(const char *dev, const char *what)
{
    char path[512], buf[32];
    unsigned long v = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", dev, what);
    f = fopen(path, "r");
    if (f) {
        if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%lx", &v) != 1) {
            v = 0;
        }
        fclose(f);
    }
    return v;
}

/* map BAR0 of the first device vendor:device */
static void *map_bar0(unsigned long vendor, unsigned long device, size_t len)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *de;
    void *p = MAP_FAILED;

    while (d && (de = readdir(d))) {
        char path[512];
        int fd;

        if (sysfs_id(de->d_name, "vendor") != vendor ||
            sysfs_id(de->d_name, "device") != device) {
            continue;
        }
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0",
                 de->d_name);
        fd = open(path, O_RDWR);
        if (fd >= 0) {
            p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            close(fd);
        }
        break;
    }
    if (d) {
        closedir(d);
    }
    return p == MAP_FAILED ? NULL : p;
}

/* the target of the plain stores: volatile, so that each one is done */
volatile uint64_t bench_var;

/* each returns the ns that @n operations took, or -1 if it cannot run */
static MEASURED double time_store(long n)
{
    double t = now_ns();

    for (long i = 0; i < n; i++) {
        bench_var = i;
        compiler_barrier();
    }
    return now_ns() - t;
}

static MEASURED double time_backdoor(long n)
{
    double t = now_ns();

    for (long i = 0; i < n; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_VOID, 0, i & 0xffff));
    }
    return now_ns() - t;
}

/* the same through qemu_backdoor_call(), which also returns rax */
static MEASURED double time_backdoor_call(long n)
{
    double t = now_ns();

    for (long i = 0; i < n; i++) {
        qemu_backdoor_call(BDT_CMD(BDT_OP_VOID, 0, i & 0xffff));
    }
    return now_ns() - t;
}

/* volatile: device registers */
static volatile uint32_t *edu;

static MEASURED double time_edu(long n)
{
    double t = now_ns();

    if (!edu) {
        return -1;
    }
    for (long i = 0; i < n; i++) {
        edu[EDU_REG_LIVE / 4] = i;
    }
    t = now_ns() - t;
    if (edu[EDU_REG_LIVE / 4] != (uint32_t)~(n - 1)) {
        printf("# edu did not answer as expected\n");
        return -1;
    }
    return t;
}

static MEASURED double time_vmport(long n)
{
    uint32_t eax, ebx = 0;
    double t = now_ns();

    for (long i = 0; i < n; i++) {
        __asm__ __volatile__("inl %%dx, %%eax"
                             : "=a"(eax), "+b"(ebx)
                             : "0"(VMPORT_MAGIC), "c"(VMPORT_GETVER),
                               "d"(VMPORT_PORT)
                             : "memory");
    }
    t = now_ns() - t;
    if (ebx != VMPORT_MAGIC) {
        printf("# vmport did not answer (ebx 0x%x)\n", ebx);
        return -1;
    }
    return t;
}

static const struct {
    const char *name;
    double (*time)(long n);
    int scale;          /* runs @scale times as many operations */
} ops[] = {
    { "store", time_store, 10 },
    { "backdoor", time_backdoor, 1 },
    { "backdoor-call", time_backdoor_call, 1 },
    { "edu-write", time_edu, 1 },
    { "vmport-in", time_vmport, 1 },
};

/*
 * Calls per second from @k threads, each pinned to a vCPU of its own.
 * The callers spin until all of them are on their vCPUs, and the time is
 * from the first start to the last end: the figure is the rate of the
 * calls, not how soon the guest kernel gets a new thread running on an
 * idle vCPU (up to a second under TCG, now and then).
 */
struct caller {
    int cpu;
    double start, end;
};

static long per_thread;
static int callers, callers_ready;

static MEASURED void *caller(void *arg)
{
    struct caller *c = arg;
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(c->cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
    sched_setaffinity(0, sizeof(set), &set);
    __atomic_fetch_add(&callers_ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&callers_ready, __ATOMIC_ACQUIRE) < callers) {
        /* spin: a thread that slept would wait for a wake-up */
    }
    c->start = now_ns();
    for (long i = 0; i < per_thread; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_VOID, 0, 0));
    }
    c->end = now_ns();
    return NULL;
}

static double calls_per_s(int k, long n)
{
    pthread_t th[16];
    struct caller c[16];
    double start = 1e300, end = 0;

    per_thread = n / k;
    callers = k;
    callers_ready = 0;
    for (int i = 0; i < k; i++) {
        c[i].cpu = i;
        pthread_create(&th[i], NULL, caller, &c[i]);
    }
    for (int i = 0; i < k; i++) {
        pthread_join(th[i], NULL);
        start = c[i].start < start ? c[i].start : start;
        end = c[i].end > end ? c[i].end : end;
    }
    return per_thread * k / ((end - start) / 1e9);
}

/*
 * records of 16 bytes per second through a 64 KiB batch at 64 KiB into
 * the data channel (write_records()); the test library counts them
 */
static MEASURED double records_per_s(long n, bool per_record, bool copy)
{
    const uint64_t off = 65536, size = 65536;
    struct qemu_backdoor_batch b;
    volatile uint64_t *w = qemu_backdoor_data();
    double t;

    w[0] = size;
    if (qemu_backdoor_batch_init(&b, off, size,
                                 BDT_CMD(BDT_OP_BATCH_COUNT, 0, off))) {
        return -1;
    }
    t = now_ns();
    write_records(&b, n, per_record, copy);
    return n / ((now_ns() - t) / 1e9);
}

/*
 * Calls per second from 1, 2 and 4 threads, as many as there are vCPUs.
 * 10 * @n calls take a tenth of a second or more, so that a guest timer
 * tick or a host thread running meanwhile does not decide the figure.
 */
static void bench_threads(int r, long n)
{
    for (int k = 1; k <= 4 && k <= sysconf(_SC_NPROCESSORS_ONLN); k *= 2) {
        printf("BENCH %d threads-%d %.0f calls/s\n", r, k,
               calls_per_s(k, 10 * n));
    }
}

/*
 * One round: every operation once, in turn, so that they all see the same
 * host load; "BENCH ROUND NAME VALUE UNIT" lines
 */
static void bench_round(int r, long n)
{
    for (size_t i = 0; i < ARRAY_LEN(ops); i++) {
        double t = ops[i].time(n * ops[i].scale);

        if (t >= 0) {
            printf("BENCH %d %s %.1f ns\n", r, ops[i].name,
                   t / (n * ops[i].scale));
        }
    }
    bench_threads(r, n);
    /* a tenth of a second or more each, as in bench_threads() */
    printf("BENCH %d records-call %.0f records/s\n", r,
           records_per_s(2 * n, true, false));
    printf("BENCH %d records-batch %.0f records/s\n", r,
           records_per_s(20 * n, false, false));
    printf("BENCH %d records-copy %.0f records/s\n", r,
           records_per_s(20 * n, false, true));
    fflush(stdout);
}

/* ns for @rounds memcpy of @len bytes from @src into @dst */
static double copy_time(void *dst, const void *src, size_t len, int rounds)
{
    double t = now_ns();

    for (int i = 0; i < rounds; i++) {
        memcpy(dst, src, len);
        compiler_barrier();
    }
    return now_ns() - t;
}

/*
 * memcpy bandwidth into ordinary RAM and into the data channel; the two
 * are measured in turn, several times, so that both see the same host
 * load, and the best run of each counts
 */
static void bench_copy(int rounds)
{
    size_t len = qemu_backdoor_data_size();
    char *src = malloc(len), *ram = malloc(len);
    double best_ram = 1e30, best_data = 1e30, t;

    memset(src, 0x3c, len);
    memset(ram, 0, len);
    memset(qemu_backdoor_data(), 0, len);
    for (int r = 0; r < 2 * REPEAT; r++) {
        t = copy_time(ram, src, len, rounds);
        best_ram = t < best_ram ? t : best_ram;
        t = copy_time(qemu_backdoor_data(), src, len, rounds);
        best_data = t < best_data ? t : best_data;
    }
    printf("BENCH 0 memcpy-ram %.0f MiB/s\n",
           (double)len * rounds / (1024.0 * 1024.0) / (best_ram / 1e9));
    printf("BENCH 0 memcpy-data %.0f MiB/s\n",
           (double)len * rounds / (1024.0 * 1024.0) / (best_data / 1e9));
    if (memcmp(qemu_backdoor_data(), src, len)) {
        printf("# the data channel did not keep what was copied\n");
    }
    free(src);
    free(ram);
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int copies = 100, rounds = 10;
    /* "threads": the calls per second from threads only */
    bool threads_only = argc > 4 && !strcmp(argv[4], "threads");
    cpu_set_t set;

    if ((argc > 1 && sscanf(argv[1], "%ld", &n) != 1) ||
        (argc > 2 && sscanf(argv[2], "%d", &copies) != 1) ||
        (argc > 3 && sscanf(argv[3], "%d", &rounds) != 1)) {
        fprintf(stderr, "%s: bad number\n", argv[0]);
        return 2;
    }
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof(set), &set);
    if (qemu_backdoor_init(NULL) != 0) {
        printf("# qemu_backdoor_init: %s\n", strerror(errno));
        return 1;
    }
    edu = map_bar0(EDU_VENDOR, EDU_DEVICE, 4096);
    if (!edu) {
        printf("# no edu device: %s\n", strerror(errno));
    }
    if (iopl(3) < 0) {
        printf("# iopl: %s\n", strerror(errno));
    }
    for (int r = 1; r <= rounds; r++) {
        if (threads_only) {
            bench_threads(r, n);
            fflush(stdout);
        } else {
            bench_round(r, n);
        }
    }
    if (!threads_only) {
        bench_copy(copies);
    }
    return 0;
}
