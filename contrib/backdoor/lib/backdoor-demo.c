/*
 * The demo's callback library (configure --with-backdoor=contrib/backdoor/lib)
 *
 * Commands (the data channel holds a NUL-terminated string):
 *   1  print the string, with the number of the calling vCPU
 *   2  turn the string to upper case, in place
 *   3  count the words of the string; the count is the guest's return
 *      value of the call (written to rax / x0)
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "backdoor/qemu/qemu-backdoor.h"
#include "cpu.h"

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
    char *s = data;
    CPUState *cs = qemu_backdoor_cpu();
    uint64_t words = 0;
    bool in_word = false;

    /* the guest may have left no terminator: stop at the end */
    s[demo_size - 1] = '\0';
    switch (tswap64(cmd)) {
    case 1:
        fprintf(stderr, "[qemu] vCPU %d says: %s\n",
                cs ? cs->cpu_index : -1, s);
        break;
    case 2:
        for (; *s; s++) {
            *s = g_ascii_toupper(*s);
        }
        break;
    case 3:
        for (; *s; s++) {
            if (g_ascii_isspace(*s)) {
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
