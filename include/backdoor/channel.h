/*
 * Backdoor channel: the QEMU-side core shared by the PCI device and the
 * linux-user interception
 *
 * There is one channel per QEMU process.  Its owner (the device, or
 * linux-user's -backdoor) opens it with the host mapping of the data
 * channel; each guest command is then passed to the user library through
 * backdoor_channel_command(), which serialises the calls unless the
 * library takes parallel calls.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef BACKDOOR_CHANNEL_H
#define BACKDOOR_CHANNEL_H

/**
 * backdoor_channel_open: create the process's channel
 * @data: host address of the data channel
 * @size: its size in bytes
 * @lib: the shared object to load the library from (relative to QEMU's
 *       working directory), or NULL for the library compiled into QEMU
 *
 * The first successful call loads @lib and runs the library's
 * qemu_backdoor_init(@size).  Fails if a channel is already open, if
 * @lib cannot be loaded, or if @lib or @size differ from those of an
 * earlier (since closed) channel: the library stays the same for the
 * life of the process.
 */
bool backdoor_channel_open(void *data, uint64_t size, const char *lib,
                           Error **errp);

/**
 * backdoor_channel_lib_loaded: whether the library was loaded from @lib
 * @lib: a shared object's file name, relative to QEMU's working directory
 *
 * True once a channel was opened with the library in @lib.
 */
bool backdoor_channel_lib_loaded(const char *lib);

/**
 * backdoor_channel_close: close the channel opened by backdoor_channel_open
 */
void backdoor_channel_close(void);

/**
 * backdoor_channel_parallel: whether the library takes concurrent calls
 *
 * True once the channel was opened with a library that asked for
 * QEMU_BACKDOOR_F_PARALLEL: backdoor_channel_command() then takes no lock
 * and may be called from several threads at once.
 */
bool backdoor_channel_parallel(void);

/**
 * backdoor_channel_exit: close the channel for good, at process exit
 *
 * Calls the library's optional qemu_backdoor_exit() once, if the library
 * was initialised.  System mode calls it from an exit notifier.
 */
void backdoor_channel_exit(void);

/**
 * backdoor_channel_command: deliver one guest command to the library
 * @cpu: the vCPU that wrote it
 * @cmd: the command, in guest byte order
 *
 * Calls qemu_backdoor(), one call at a time (system mode: with the BQL
 * held) unless the library takes parallel calls; does nothing if no
 * channel is open.
 */
void backdoor_channel_command(CPUState *cpu, uint64_t cmd);

#ifdef CONFIG_USER_ONLY
/**
 * backdoor_user_quit: end the process as the guest's exit_group() does
 * @cpu: the vCPU that sent the command, running generated code
 *
 * Runs QEMU's exit path (which calls the library's exit callback) and
 * exits with @status.  Does not return.
 */
G_NORETURN void backdoor_user_quit(CPUState *cpu, int status);

/**
 * backdoor_user_memory_rw: the library's access to guest memory
 *
 * Like cpu_memory_rw_debug(), but returns -1 instead of raising SIGBUS
 * for a page QEMU cannot access (linux-user/backdoor-mmap.c).
 */
int backdoor_user_memory_rw(CPUState *cpu, vaddr addr, void *buf, size_t len,
                            bool is_write);
#endif

#endif /* BACKDOOR_CHANNEL_H */
