/*
 * Guest side of the system-mode benchmark (bench-system.sh): runs in a
 * Linux guest of qemu-system-x86_64 with -device backdoor -device edu,
 * as root, and prints "BENCH NAME VALUE UNIT" lines.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "qemu-backdoor.h"

#define EDU_VENDOR      0x1234
#define EDU_DEVICE      0x11e8
#define EDU_REG_LIVE    0x04    /* card liveness check: stores ~value */
#define VMPORT_PORT     0x5658
#define VMPORT_MAGIC    0x564d5868
#define VMPORT_GETVER   10
#define REPEAT          3

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

static void report(const char *name, double best, long n)
{
    printf("BENCH %s %.1f ns\n", name, best / n);
}

/* the target of the plain stores: volatile, so that each one is done */
volatile uint64_t bench_var;

static void bench_store(long n)
{
    double best = 1e30;

    for (int r = 0; r < REPEAT; r++) {
        double t = now_ns();

        for (long i = 0; i < n; i++) {
            bench_var = i;
            compiler_barrier();
        }
        t = now_ns() - t;
        best = t < best ? t : best;
    }
    report("store", best, n);
}

static void bench_backdoor(long n)
{
    double best = 1e30;

    for (int r = 0; r < REPEAT; r++) {
        double t = now_ns();

        for (long i = 0; i < n; i++) {
            qemu_backdoor(i & 0xffff);
        }
        t = now_ns() - t;
        best = t < best ? t : best;
    }
    report("backdoor", best, n);
}

static void bench_edu(long n)
{
    /* volatile: device registers */
    volatile uint32_t *edu = map_bar0(EDU_VENDOR, EDU_DEVICE, 4096);
    double best = 1e30;

    if (!edu) {
        printf("# no edu device: %s\n", strerror(errno));
        return;
    }
    for (int r = 0; r < REPEAT; r++) {
        double t = now_ns();

        for (long i = 0; i < n; i++) {
            edu[EDU_REG_LIVE / 4] = i;
        }
        t = now_ns() - t;
        best = t < best ? t : best;
    }
    if (edu[EDU_REG_LIVE / 4] != (uint32_t)~(n - 1)) {
        printf("# edu did not answer as expected\n");
        return;
    }
    report("edu-write", best, n);
}

static void bench_vmport(long n)
{
    double best = 1e30;
    uint32_t eax, ebx = 0;

    if (iopl(3) < 0) {
        printf("# iopl: %s\n", strerror(errno));
        return;
    }
    for (int r = 0; r < REPEAT; r++) {
        double t = now_ns();

        for (long i = 0; i < n; i++) {
            __asm__ __volatile__("inl %%dx, %%eax"
                                 : "=a"(eax), "+b"(ebx)
                                 : "0"(VMPORT_MAGIC), "c"(VMPORT_GETVER),
                                   "d"(VMPORT_PORT)
                                 : "memory");
        }
        t = now_ns() - t;
        best = t < best ? t : best;
    }
    if (ebx != VMPORT_MAGIC) {
        printf("# vmport did not answer (ebx 0x%x)\n", ebx);
        return;
    }
    report("vmport-in", best, n);
}

/* MiB/s of memcpy of @src into @dst, @len bytes, @rounds times */
static double copy_rate(void *dst, const void *src, size_t len, int rounds)
{
    double best = 1e30;

    for (int r = 0; r < REPEAT; r++) {
        double t = now_ns();

        for (int i = 0; i < rounds; i++) {
            memcpy(dst, src, len);
            compiler_barrier();
        }
        t = now_ns() - t;
        best = t < best ? t : best;
    }
    return (double)len * rounds / (1024.0 * 1024.0) / (best / 1e9);
}

static void bench_copy(int rounds)
{
    size_t len = qemu_backdoor_data_size();
    char *src = malloc(len), *ram = malloc(len);

    memset(src, 0x3c, len);
    memset(ram, 0, len);
    memset(qemu_backdoor_data(), 0, len);
    printf("BENCH memcpy-ram %.0f MiB/s\n", copy_rate(ram, src, len, rounds));
    printf("BENCH memcpy-data %.0f MiB/s\n",
           copy_rate(qemu_backdoor_data(), src, len, rounds));
    if (memcmp(qemu_backdoor_data(), src, len)) {
        printf("# the data channel did not keep what was copied\n");
    }
    free(src);
    free(ram);
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int rounds = 100;
    cpu_set_t set;

    if ((argc > 1 && sscanf(argv[1], "%ld", &n) != 1) ||
        (argc > 2 && sscanf(argv[2], "%d", &rounds) != 1)) {
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
    bench_store(n * 10);
    bench_backdoor(n);
    bench_edu(n);
    bench_vmport(n);
    bench_copy(rounds);
    return 0;
}
