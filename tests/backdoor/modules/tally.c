/*
 * A backdoor library loaded at run time, for t-modules.sh: it counts the
 * commands, prints each with the first bytes of the data channel, and
 * ends QEMU with status 7 on command 99 (qemu_backdoor_quit()), or with 5
 * on command 98 (exit() in the callback).  -DBROKEN=N builds the broken
 * variants the test expects QEMU to refuse.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-backdoor.h>

#if BROKEN == 1
/* no version symbol */
#elif BROKEN == 2
QEMU_BACKDOOR_EXPORT const uint32_t qemu_backdoor_api_version =
    QEMU_BACKDOOR_API_VERSION + 1;
#else
QEMU_BACKDOOR_DECLARE_VERSION;
#endif

static uint64_t count;

void qemu_backdoor_init(uint64_t data_size)
{
    fprintf(stderr, "tally: init, %llu bytes\n",
            (unsigned long long)data_size);
}

#if BROKEN != 3
void qemu_backdoor(uint64_t cmd, void *data)
{
    uint64_t n = qemu_backdoor_tswap64(cmd);
    char text[9] = "";

    memcpy(text, data, 8);
    count++;
    fprintf(stderr, "tally: command %llu, data '%s'\n",
            (unsigned long long)n, text);
    if (n == 99) {
        qemu_backdoor_quit(7);
    }
    if (n == 98) {
        exit(5);    /* not what a library should do; QEMU must still exit */
    }
}
#endif

void qemu_backdoor_exit(void)
{
    fprintf(stderr, "tally: %llu commands\n", (unsigned long long)count);
}
