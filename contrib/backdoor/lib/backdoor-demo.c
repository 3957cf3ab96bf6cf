/*
 * The demo's callback library (configure --with-backdoor=contrib/backdoor/lib)
 *
 * Commands (the data channel holds a NUL-terminated string):
 *   1  print the string, with the number of the calling vCPU
 *   2  turn the string to upper case, in place
 *   3  count the words of the string; the count is the guest's return
 *      value of the call (written to rax / x0)
 *
 * The guest may change the data channel at any time, also while a
 * command runs: the library reads it once, into a bounded copy of its
 * own, and uses only that copy.  Strings longer than DEMO_MAX_LEN - 1
 * bytes are cut there.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "backdoor/qemu/qemu-backdoor.h"
#include "cpu.h"

#define DEMO_MAX_LEN 4096

static uint64_t demo_size;

void qemu_backdoor_init(uint64_t data_size)
{
    demo_size = data_size;
    fprintf(stderr, "[qemu] demo library ready, data channel of %" PRIu64
            " bytes\n", data_size);
}

static void demo_set_return(CPUState *cs, uint64_t v)
{
#if defined(TARGET_X86_64) || defined(TARGET_I386)
    cpu_env(cs)->regs[R_EAX] = v;
#elif defined(TARGET_AARCH64)
    cpu_env(cs)->xregs[0] = v;
#endif
}

void qemu_backdoor(uint64_t cmd, void *data)
{
    char s[DEMO_MAX_LEN];
    CPUState *cs = qemu_backdoor_cpu();
    size_t len = MIN(demo_size, sizeof(s) - 1);
    uint64_t words = 0;
    bool in_word = false;

    /* one read of the guest's data, into our copy, terminated */
    memcpy(s, data, len);
    s[len] = '\0';
    len = strlen(s);
    switch (tswap64(cmd)) {
    case 1:
        fprintf(stderr, "[qemu] vCPU %d says: %s\n",
                cs ? cs->cpu_index : -1, s);
        break;
    case 2:
        for (size_t i = 0; i < len; i++) {
            s[i] = g_ascii_toupper(s[i]);
        }
        /* one write back: the string, without its terminator */
        memcpy(data, s, len);
        break;
    case 3:
        for (size_t i = 0; i < len; i++) {
            if (g_ascii_isspace(s[i])) {
                in_word = false;
            } else if (!in_word) {
                in_word = true;
                words++;
            }
        }
        if (cs) {
            demo_set_return(cs, words);
        }
        break;
    default:
        fprintf(stderr, "[qemu] unknown command 0x%" PRIx64 "\n",
                tswap64(cmd));
    }
}
