/*
 * Stand-in for QEMU's backdoor/qemu/qemu-backdoor.h, so that the demo
 * library (contrib/backdoor/lib/backdoor-demo.c) compiles into a host
 * program: tests/backdoor/demo-lib/harness.c.  Only what the library uses.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QEMU_BACKDOOR_H
#define QEMU_BACKDOOR_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>            /* g_ascii_*(), MIN() */

/* a little-endian x86_64 guest on a little-endian host */
#define TARGET_X86_64 1
#define R_EAX 0

static inline uint64_t tswap64(uint64_t v)
{
    return v;
}

typedef struct CPUArchState {
    uint64_t regs[16];
} CPUArchState;

typedef struct CPUState {
    int cpu_index;
    CPUArchState env;
} CPUState;

static inline CPUArchState *cpu_env(CPUState *cs)
{
    return &cs->env;
}

void qemu_backdoor_init(uint64_t data_size);
void qemu_backdoor(uint64_t cmd, void *data);
CPUState *qemu_backdoor_cpu(void);

#endif
