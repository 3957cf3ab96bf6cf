/*
 * Backdoor test library: the callback library the tests compile into QEMU
 * (configure --with-backdoor=tests/backdoor/testlib).  It gives every test
 * an observable, deterministic behaviour; see backdoor-test-ops.h.  It
 * keeps the standard commands (qemu-backdoor-std.h) by chaining to
 * qemu_backdoor_std(), as docs/devel/backdoor.rst shows.
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
static uint32_t next_tag[BDT_SLOTS];
static int running;
static unsigned meeting;
static unsigned reading;    /* READ_FOR calls running */

#ifdef BDT_MUTANT
/*
 * A test library that misbehaves, to show that the delivery tests fail
 * when commands are lost, repeated or miscounted.  Compiled in only by
 * a file that defines BDT_MUTANT and includes this one; then the
 * environment variable BDT_MUTANT of QEMU
 * picks the misbehaviour (none when unset):
 *   drop:N      every Nth command is ignored (drop:1: no command is seen)
 *   dup:N       every Nth command is handled twice
 *   miscount:N  every Nth command is handled but not counted
 */
static enum { MUTANT_NONE, MUTANT_DROP, MUTANT_DUP, MUTANT_MISCOUNT } mutant;
static uint64_t mutant_every, mutant_seen;

static void mutant_init(void)
{
    static const char *const names[] = {
        [MUTANT_DROP] = "drop:", [MUTANT_DUP] = "dup:",
        [MUTANT_MISCOUNT] = "miscount:",
    };
    const char *env = getenv("BDT_MUTANT");

    for (int i = MUTANT_DROP; env && i <= MUTANT_MISCOUNT; i++) {
        if (g_str_has_prefix(env, names[i])) {
            mutant_every = g_ascii_strtoull(env + strlen(names[i]), NULL, 10);
            mutant = mutant_every ? i : MUTANT_NONE;
        }
    }
    if (env && mutant == MUTANT_NONE) {
        fprintf(stderr, "backdoor test library: bad BDT_MUTANT=%s\n", env);
        exit(1);
    }
}
#endif

/*
 * With BDT_PARALLEL=1 in QEMU's environment the library asks for parallel
 * calls (it is thread-safe: its counters are atomic, and the tests give
 * each thread a slot of its own).
 */
unsigned qemu_backdoor_flags(void)
{
    const char *env = getenv("BDT_PARALLEL");

    return env && !strcmp(env, "1") ? QEMU_BACKDOOR_F_PARALLEL : 0;
}

void qemu_backdoor_init(uint64_t size)
{
    stats.init_calls++;
    stats.init_size = size;
    data_size = size;
#ifdef BDT_MUTANT
    mutant_init();
#endif
    qemu_backdoor_std_init(size);
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
#elif defined(TARGET_RISCV64)
    cpu_env(cs)->gpr[10] = v;       /* a0 */
    return true;
#else
    return false;
#endif
}

static void check_record(uint32_t tag, const void *rec, size_t len,
                         void *opaque)
{
    uint32_t *next = opaque;
    const uint8_t *b = rec;
    bool good = tag == *next && len == BDT_RECORD_LEN(tag);

    for (size_t i = 0; good && i < len; i++) {
        good = b[i] == BDT_RECORD_BYTE(tag, i);
    }
    qatomic_inc(good ? &stats.records_ok : &stats.records_bad);
    *next = tag + 1;
}

static void count_record(uint32_t tag, const void *rec, size_t len,
                         void *opaque)
{
    (*(uint64_t *)opaque)++;
}

static void handle(uint64_t raw, void *data)
{
    uint64_t cmd = tswap64(raw);
    unsigned op = cmd >> 56, n = (cmd >> 48) & 0xff;
    uint64_t arg = cmd & BDT_ARG_MASK, v;
    uint8_t *slot = (uint8_t *)data + n * BDT_SLOT_SIZE;
    uint64_t *w = (uint64_t *)&stats;

    if (op == BDT_OP_VOID) {
        return;
    }
    if (qatomic_fetch_inc(&running)) {
        qatomic_inc(&stats.overlaps);
    }
    qatomic_inc(&stats.commands);
    if ((uint64_t)(n + 1) * BDT_SLOT_SIZE > data_size) {
        qatomic_inc(&stats.bad_ops);
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
            qatomic_inc(&stats.seq_ok);
        } else {
            qatomic_inc(&stats.seq_bad);
        }
        next_seq[n] = arg + 1;
        break;
    case BDT_OP_STATS:
        for (size_t i = 0; i < sizeof(stats) / 8; i++) {
            put_word(slot, i, w[i]);
        }
        break;
    case BDT_OP_WRITE_GUEST:
        /* the guest's byte order, in guest memory */
        v = tswap64(get_word(slot, 0));
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
    case BDT_OP_READ_FOR: {
        int64_t end = g_get_monotonic_time() +
                      MIN(get_word(slot, 0), 2000) * 1000;
        uint64_t reads = 0;
        int err = 0;

        qatomic_inc(&reading);
        do {
            err |= qemu_backdoor_read_guest(arg, &v, 8);
            reads++;
        } while (g_get_monotonic_time() < end);
        qatomic_dec(&reading);
        put_word(slot, 0, reads);
        put_word(slot, 1, err ? -1 : 0);
        break;
    }
    case BDT_OP_EXIT:
        if (!g_strcmp0(getenv("BDT_EXIT"), "1")) {
            exit(qatomic_read(&reading) ? arg : 99);
        }
        qatomic_inc(&stats.bad_ops);
        break;
    case BDT_OP_SET_REG:
        put_word(slot, 1, set_return_reg(get_word(slot, 0)) ? 0 : -1);
        break;
    case BDT_OP_RESET:
        v = stats.init_calls;
        memset(&stats, 0, sizeof(stats));
        memset(next_seq, 0, sizeof(next_seq));
        memset(next_tag, 0, sizeof(next_tag));
        qatomic_set(&meeting, 0);
        stats.init_calls = v;
        stats.init_size = data_size;
        break;
    case BDT_OP_MEET: {
        int64_t end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

        qatomic_inc(&meeting);
        while (qatomic_read(&meeting) < arg && g_get_monotonic_time() < end) {
            g_usleep(100);
        }
        put_word(slot, 1, qatomic_read(&meeting) >= arg ? 0 : -1);
        break;
    }
    case BDT_OP_BATCH:
    case BDT_OP_BATCH_COUNT: {
        uint64_t size = get_word(slot, 0), count = 0;

        if (arg > data_size || size > data_size - arg) {
            put_word(slot, 1, -1);
        } else if (op == BDT_OP_BATCH) {
            put_word(slot, 1, qemu_backdoor_batch_foreach(
                         (uint8_t *)data + arg, size, check_record,
                         &next_tag[n]));
        } else {
            put_word(slot, 1, qemu_backdoor_batch_foreach(
                         (uint8_t *)data + arg, size, count_record, &count));
            qatomic_add(&stats.records_ok, count);
        }
        break;
    }
    case BDT_OP_ABI_SLOT: {
        uint64_t size;
        uint8_t *p = qemu_backdoor_slot_data(data, data_size, arg, &size);

        if (p && size >= 8) {
            put_word(p, 0, get_word(p, 0) ^ BDT_SLOT_XOR);
        } else {
            qatomic_inc(&stats.bad_ops);
        }
        break;
    }
    case BDT_OP_PRINT:
        printf("bdt-print %" PRIu64 "\n", arg);
        break;
    default:
        qatomic_inc(&stats.bad_ops);
        break;
    }
out:
    qatomic_set(&stats.last_cmd, cmd);
    qatomic_dec(&running);
}

void qemu_backdoor(uint64_t raw, void *data)
{
    if (qemu_backdoor_std(raw, data)) {
        return;
    }
#ifdef BDT_MUTANT
    if (mutant != MUTANT_NONE && ++mutant_seen % mutant_every == 0) {
        switch (mutant) {
        case MUTANT_DROP:
            return;
        case MUTANT_DUP:
            handle(raw, data);
            break;
        default:
            handle(raw, data);
            qatomic_dec(&stats.commands);
            return;
        }
    }
#endif
    handle(raw, data);
}

/* the tests look for this line once at QEMU's exit */
void qemu_backdoor_exit(void)
{
    fprintf(stderr, "bdt-exit: %" PRIu64 " commands\n", stats.commands);
    qemu_backdoor_std_exit();
}
