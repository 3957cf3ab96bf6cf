/*
 * A second backdoor library loaded at run time, for t-modules.sh: it
 * keeps the standard command set (qemu-backdoor print, exit, ...) and
 * answers its own commands by writing "chain N" into the data channel.
 * It asks for parallel calls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <qemu-backdoor.h>

QEMU_BACKDOOR_DECLARE_VERSION;

unsigned qemu_backdoor_flags(void)
{
    return QEMU_BACKDOOR_F_PARALLEL;
}

void qemu_backdoor_init(uint64_t data_size)
{
    qemu_backdoor_std_init(data_size);
}

void qemu_backdoor(uint64_t cmd, void *data)
{
    if (qemu_backdoor_std(cmd, data)) {
        return;
    }
    fprintf(stderr, "chain: command %llu\n",
            (unsigned long long)qemu_backdoor_tswap64(cmd));
    snprintf(data, 32, "chain %llu",
             (unsigned long long)qemu_backdoor_tswap64(cmd));
}

void qemu_backdoor_exit(void)
{
    qemu_backdoor_std_exit();
}
