/*
 * Backdoor test library: the callback library the tests compile into QEMU
 * (configure --with-backdoor=tests/backdoor/testlib).  It gives every test
 * an observable, deterministic behaviour; see backdoor-test-ops.h.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "backdoor/qemu/qemu-backdoor.h"
#include "cpu.h"
#include "backdoor-test-ops.h"

static struct bdt_stats stats;
static uint64_t data_size;
static uint64_t next_seq[BDT_SLOTS];
static int running;

void qemu_backdoor_init(uint64_t size)
{
    stats.init_calls++;
    stats.init_size = size;
    data_size = size;
}

static uint64_t get_word(uint8_t *slot, int i)
{
    uint64_t v;

    memcpy(&v, slot + i * 8, 8);
    return tswap64(v);
}

static void put_word(uint8_t *slot, int i, uint64_t v)
{
    v = tswap64(v);
    memcpy(slot + i * 8, &v, 8);
}

static bool set_return_reg(uint64_t v)
{
    CPUState *cs = qemu_backdoor_cpu();

    if (!cs) {
        return false;
    }
#if defined(TARGET_X86_64)
    cpu_env(cs)->regs[R_EAX] = v;
    return true;
#elif defined(TARGET_I386)
    /* a 64-bit result is edx:eax */
    cpu_env(cs)->regs[R_EAX] = (uint32_t)v;
    cpu_env(cs)->regs[R_EDX] = v >> 32;
    return true;
#elif defined(TARGET_AARCH64)
    cpu_env(cs)->xregs[0] = v;
    return true;
#elif defined(TARGET_S390X)
    cpu_env(cs)->regs[2] = v;
    return true;
#else
    return false;
#endif
}

void qemu_backdoor(uint64_t raw, void *data)
{
    uint64_t cmd = tswap64(raw);
    unsigned op = cmd >> 56, n = (cmd >> 48) & 0xff;
    uint64_t arg = cmd & BDT_ARG_MASK, v;
    uint8_t *slot = (uint8_t *)data + n * BDT_SLOT_SIZE;
    uint64_t *w = (uint64_t *)&stats;

    if (qatomic_fetch_inc(&running)) {
        stats.overlaps++;
    }
    stats.commands++;
    if ((uint64_t)(n + 1) * BDT_SLOT_SIZE > data_size) {
        stats.bad_ops++;
        goto out;
    }

    switch (op) {
    case BDT_OP_NOP:
        break;
    case BDT_OP_XOR:
        for (uint64_t i = 0; i < arg && i < BDT_SLOT_SIZE; i++) {
            slot[i] ^= 0x5a;
        }
        break;
    case BDT_OP_SEQ:
        if (arg == next_seq[n]) {
            stats.seq_ok++;
        } else {
            stats.seq_bad++;
        }
        next_seq[n] = arg + 1;
        break;
    case BDT_OP_STATS:
        for (size_t i = 0; i < sizeof(stats) / 8; i++) {
            put_word(slot, i, w[i]);
        }
        break;
    case BDT_OP_WRITE_GUEST:
        v = get_word(slot, 0);
        put_word(slot, 1, qemu_backdoor_write_guest(arg, &v, 8) ? -1 : 0);
        break;
    case BDT_OP_READ_GUEST:
        if (qemu_backdoor_read_guest(arg, &v, 8) == 0) {
            put_word(slot, 0, tswap64(v));
            put_word(slot, 1, 0);
        } else {
            put_word(slot, 1, -1);
        }
        break;
    case BDT_OP_SET_REG:
        put_word(slot, 1, set_return_reg(get_word(slot, 0)) ? 0 : -1);
        break;
    case BDT_OP_RESET:
        v = stats.init_calls;
        memset(&stats, 0, sizeof(stats));
        memset(next_seq, 0, sizeof(next_seq));
        stats.init_calls = v;
        stats.init_size = data_size;
        break;
    case BDT_OP_PRINT:
        printf("bdt-print %" PRIu64 "\n", arg);
        break;
    default:
        stats.bad_ops++;
        break;
    }
out:
    stats.last_cmd = cmd;
    qatomic_dec(&running);
}

/* the tests look for this line once at QEMU's exit */
void qemu_backdoor_exit(void)
{
    fprintf(stderr, "bdt-exit: %" PRIu64 " commands\n", stats.commands);
}
