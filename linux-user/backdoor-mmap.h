/*
 * linux-user backdoor channel: "-backdoor DIR" and the interception of
 * the guest's mappings of DIR/control (see backdoor-mmap.c)
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef LINUX_USER_BACKDOOR_MMAP_H
#define LINUX_USER_BACKDOOR_MMAP_H

#include "exec/abi_ptr.h"

/* Set while a channel is open; the mmap hooks do nothing otherwise. */
extern bool backdoor_user_enabled;

/* Command line: -backdoor DIR[,lib=FILE], -backdoor-size SIZE */
void backdoor_user_set_dir(const char *arg);
void backdoor_user_set_size(const char *size);

/*
 * Create DIR's files and open the channel, if -backdoor was given.
 * Reports a configuration error and exits with status 1 on failure.
 */
void backdoor_user_setup(void);

/*
 * At process exit (preexit_cleanup()): close the channel.  The exit path
 * ends in _exit(), so this is also where what the library wrote with
 * stdio gets flushed.
 */
void backdoor_user_exit(void);

/*
 * Hooks of linux-user/main.c and syscall.c.  Before fork() and execve(),
 * flush the host's stdio buffers, which the child would otherwise print
 * a second time, or which execve() would drop; after fork(), give the
 * child its own /proc/self/mem.
 */
void backdoor_user_fork_start(void);
void backdoor_user_fork_end(bool child);
void backdoor_user_exec(void);

/*
 * Hooks of linux-user/mmap.c.  All addresses are guest ones.
 *
 * backdoor_user_reserved: whether [start, start + len) overlaps QEMU's
 * own mapping of the data file, which the guest may not change.
 *
 * backdoor_user_mmap_ctrl, backdoor_user_mprotect: called before
 * target_mmap() and target_mprotect() change anything; when the call
 * concerns control mappings, make it themselves (with the guest's
 * result in *ret) and return true.
 *
 * The others are called with the mmap lock held after the guest's
 * mapping changed successfully.
 */
bool backdoor_user_reserved(abi_ulong start, abi_ulong len);
bool backdoor_user_mmap_ctrl(abi_ulong start, abi_ulong len, int target_prot,
                             int flags, int fd, off_t offset, abi_long *ret);
bool backdoor_user_mprotect(abi_ulong start, abi_ulong len, int target_prot,
                            int *ret);
void backdoor_user_mmap(abi_ulong start, abi_ulong len);
void backdoor_user_munmap(abi_ulong start, abi_ulong len);
void backdoor_user_mremap(abi_ulong old_addr, abi_ulong old_size,
                          abi_ulong new_addr, abi_ulong new_size);

/*
 * Hooks of linux-user/syscall.c: QEMU's descriptors are not the guest's
 * to close or replace.  backdoor_user_close_range() closes the range
 * with @close_range (the host's close_range(2)), around them.
 */
typedef int CloseRangeFn(int first, int last, int flags);
bool backdoor_user_fd_reserved(int fd);
int backdoor_user_close_range(unsigned int first, unsigned int last,
                              unsigned int flags, CloseRangeFn *close_range);

/*
 * Hooks of linux-user/signal.c, async-signal-safe.
 *
 * backdoor_user_is_ctrl: whether a guest write fault at @addr hit a
 * control mapping that the guest may write.
 *
 * backdoor_user_sigbus: QEMU itself touched its mapping of a channel
 * file that the guest truncated; detach the mapping from the file and
 * return true (the access can be retried), or return false if @host_addr
 * is not in such a mapping.
 */
bool backdoor_user_is_ctrl(abi_ptr addr);
bool backdoor_user_sigbus(void *host_addr);

#endif /* LINUX_USER_BACKDOOR_MMAP_H */
