/*
 * A region of interest around a loop of a known number of instructions,
 * for t-linux-guest-std.sh: "std-icount N" runs N iterations of a
 * two-instruction loop between ROI_BEGIN and ROI_END and prints
 *
 *   std-icount: features 0x..., N iterations, I instructions, T ns
 *
 * with I the count ROI_END returned ("-" when QEMU did not count them).
 * The test checks I against 2 * N.  Exit status 0 when both commands
 * succeeded.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu-backdoor.h"
#include "qemu-backdoor-std.h"

static uint64_t get(unsigned off)
{
    uint64_t v;

    memcpy(&v, (char *)qemu_backdoor_data() + off, sizeof(v));
    return v;
}

static void put(unsigned off, uint64_t v)
{
    memcpy((char *)qemu_backdoor_data() + off, &v, sizeof(v));
}

static int64_t call(uint64_t cmd)
{
    put(QEMU_BACKDOOR_STD_RESULT, (uint64_t)-QEMU_BACKDOOR_STD_ENOSYS);
    qemu_backdoor(cmd);
    return (int64_t)get(QEMU_BACKDOOR_STD_RESULT);
}

/* @n iterations of exactly two instructions each */
static void loop(uint64_t n)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
#elif defined(__aarch64__)
    __asm__ volatile("1: subs %0, %0, #1\n\tb.ne 1b" : "+r"(n) : : "cc");
#else
#error "std-icount: no two-instruction loop for this architecture"
#endif
}

int main(int argc, char **argv)
{
    uint64_t n, features, insns;
    int64_t ns;

    if (argc != 2 || (n = strtoull(argv[1], NULL, 0)) == 0) {
        fprintf(stderr, "usage: std-icount N (N > 0)\n");
        return 2;
    }
    if (qemu_backdoor_init(NULL) < 0) {
        perror("std-icount: no backdoor channel");
        return 1;
    }
    if (call(QEMU_BACKDOOR_STD_VERSION_CMD) < 0) {
        fprintf(stderr, "std-icount: no standard commands\n");
        return 1;
    }
    features = get(QEMU_BACKDOOR_STD_ARG(0));
    if (call(QEMU_BACKDOOR_STD_ROI_BEGIN) != 0) {
        fprintf(stderr, "std-icount: roi begin failed\n");
        return 1;
    }
    loop(n);
    /* what a QEMU that does not count leaves there */
    put(QEMU_BACKDOOR_STD_ARG(0), 0);
    ns = call(QEMU_BACKDOOR_STD_ROI_END);
    insns = get(QEMU_BACKDOOR_STD_ARG(0));
    if (ns < 0) {
        fprintf(stderr, "std-icount: roi end failed\n");
        return 1;
    }
    if (insns == UINT64_MAX) {
        printf("std-icount: features 0x%016" PRIx64 ", %" PRIu64
               " iterations, - instructions, %" PRId64 " ns\n",
               features, n, ns);
    } else {
        printf("std-icount: features 0x%016" PRIx64 ", %" PRIu64
               " iterations, %" PRIu64 " instructions, %" PRId64 " ns\n",
               features, n, insns, ns);
    }
    return 0;
}
