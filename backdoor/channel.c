/*
 * Backdoor channel: the QEMU-side core shared by the PCI device and the
 * linux-user interception
 *
 * Compiled once per target, like the user library it calls.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/thread.h"
#include "qemu/lockable.h"
#include "exec/cpu-common.h"
#include "exec/tswap.h"
#include "hw/core/cpu.h"
#include "backdoor/channel.h"
#include "backdoor/qemu/qemu-backdoor.h"
#ifndef CONFIG_USER_ONLY
#include "system/hw_accel.h"
#include "system/runstate.h"
#include "system/system.h"
#endif
#include "trace.h"

static QemuMutex backdoor_lock;
static bool backdoor_is_open;
static void *backdoor_data;
/* the size qemu_backdoor_init() was called with, 0 before */
static uint64_t backdoor_lib_size;
/* the vCPU whose command is being handled; protected by backdoor_lock */
static CPUState *backdoor_caller;
/* set by backdoor_channel_exit(): the channel never opens again */
static bool backdoor_exited;
#ifdef CONFIG_USER_ONLY
/* qemu_backdoor_quit() was called: the exit status; protected by the lock */
static bool backdoor_quit_requested;
static int backdoor_quit_status;
#endif

static void __attribute__((constructor)) backdoor_lock_init(void)
{
    qemu_mutex_init(&backdoor_lock);
}

#ifndef CONFIG_USER_ONLY
static void backdoor_channel_exit_notify(Notifier *n, void *data)
{
    backdoor_channel_exit();
}
#endif

bool backdoor_channel_open(void *data, uint64_t size, Error **errp)
{
    QEMU_LOCK_GUARD(&backdoor_lock);

    if (backdoor_is_open || backdoor_exited) {
        error_setg(errp, "a backdoor channel is already open; "
                   "QEMU supports one per process");
        return false;
    }
    if (backdoor_lib_size && backdoor_lib_size != size) {
        error_setg(errp, "the backdoor library was initialised for a data "
                   "channel of %" PRIu64 " bytes, not %" PRIu64,
                   backdoor_lib_size, size);
        return false;
    }
    trace_backdoor_channel_open(size);
    if (!backdoor_lib_size) {
#ifndef CONFIG_USER_ONLY
        static Notifier exit_notifier = {
            .notify = backdoor_channel_exit_notify,
        };

        qemu_add_exit_notifier(&exit_notifier);
#endif
        qemu_backdoor_init(size);
        backdoor_lib_size = size;
    }
    backdoor_data = data;
    backdoor_is_open = true;
    return true;
}

void backdoor_channel_close(void)
{
    QEMU_LOCK_GUARD(&backdoor_lock);

    trace_backdoor_channel_close();
    backdoor_is_open = false;
    backdoor_data = NULL;
}

void backdoor_channel_exit(void)
{
    QEMU_LOCK_GUARD(&backdoor_lock);

    backdoor_is_open = false;
    backdoor_data = NULL;
    if (backdoor_lib_size && !backdoor_exited && qemu_backdoor_exit) {
        trace_backdoor_channel_exit();
        qemu_backdoor_exit();
    }
    backdoor_exited = true;
}

void backdoor_channel_command(CPUState *cpu, uint64_t cmd)
{
#ifdef CONFIG_USER_ONLY
    bool quit = false;
    int status = 0;
#endif

    WITH_QEMU_LOCK_GUARD(&backdoor_lock) {
        if (!backdoor_is_open) {
            return;
        }
        trace_backdoor_channel_command(cpu ? cpu->cpu_index : -1,
                                       tswap64(cmd));
        backdoor_caller = cpu;
        qemu_backdoor(cmd, backdoor_data);
        backdoor_caller = NULL;
#ifdef CONFIG_USER_ONLY
        quit = backdoor_quit_requested;
        status = backdoor_quit_status;
        backdoor_quit_requested = false;
#endif
    }
#ifdef CONFIG_USER_ONLY
    if (quit && cpu) {
        /* outside the lock: the exit path calls qemu_backdoor_exit() */
        backdoor_user_quit(cpu, status);
    }
#endif
}

void qemu_backdoor_quit(int status)
{
    trace_backdoor_channel_quit(status);
#ifdef CONFIG_USER_ONLY
    /* backdoor_channel_command() exits once the library has returned */
    backdoor_quit_requested = true;
    backdoor_quit_status = status;
#else
    qemu_system_shutdown_request_with_code(SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
                                           status);
#endif
}

CPUState *qemu_backdoor_cpu(void)
{
    CPUState *cpu = backdoor_caller;

#ifndef CONFIG_USER_ONLY
    if (cpu) {
        /* fetch KVM's registers; they are written back before resuming */
        cpu_synchronize_state(cpu);
    }
#endif
    return cpu;
}

static int backdoor_guest_rw(uint64_t vaddr, void *buf, size_t len,
                             bool is_write)
{
    CPUState *cpu = qemu_backdoor_cpu();

    if (!cpu) {
        return -1;
    }
#ifdef CONFIG_USER_ONLY
    return backdoor_user_memory_rw(cpu, vaddr, buf, len, is_write);
#else
    return cpu_memory_rw_debug(cpu, vaddr, buf, len, is_write) ? -1 : 0;
#endif
}

int qemu_backdoor_read_guest(uint64_t vaddr, void *buf, size_t len)
{
    return backdoor_guest_rw(vaddr, buf, len, false);
}

int qemu_backdoor_write_guest(uint64_t vaddr, const void *buf, size_t len)
{
    return backdoor_guest_rw(vaddr, (void *)buf, len, true);
}
