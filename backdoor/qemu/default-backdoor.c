/*
 * Backdoor channel: the default callback library
 *
 * Used when QEMU is configured without --with-backdoor, so that the
 * channel always works: it implements the standard command set
 * (backdoor/guest/qemu-backdoor-std.h, used by the guest tool
 * qemu-backdoor), and reports every other command through QEMU's trace
 * events, which the default "log" trace backend prints to QEMU's log:
 *
 *   qemu-system-x86_64 -device backdoor -trace 'backdoor_default_*' ...
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "backdoor/qemu/qemu-backdoor.h"
#include "exec/tswap.h"
#include "backdoor/trace.h"

static uint64_t default_data_size;

void qemu_backdoor_init(uint64_t data_size)
{
    default_data_size = data_size;
    trace_backdoor_default_init(data_size);
    qemu_backdoor_std_init(data_size);
}

void qemu_backdoor_exit(void)
{
    qemu_backdoor_std_exit();
}

void qemu_backdoor(uint64_t cmd, void *data)
{
    uint64_t first = 0;

    if (qemu_backdoor_std(cmd, data)) {
        return;
    }
    if (default_data_size >= sizeof(first)) {
        memcpy(&first, data, sizeof(first));
    }
    trace_backdoor_default_command(tswap64(cmd), tswap64(first));
}
