/*
 * Backdoor channel, user mode: a program that never opens the channel
 *
 *   qemu-<arch> -backdoor DIR backdoor-noinit [WAIT_FILE [READY_FILE]]
 *   qemu-<arch> backdoor-noinit --stale DIR
 *
 * Runs as under plain QEMU.  With WAIT_FILE, first creates READY_FILE
 * (if given) and waits until WAIT_FILE exists (the start-up tests use it
 * to keep a QEMU running).  With --stale, checks that the files an
 * earlier QEMU left in DIR are not taken for a channel.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "qemu-backdoor.h"

int main(int argc, char **argv)
{
    char path[64];
    uint64_t v = 0;
    uint8_t *p;
    int fd, ok;

    if (argc == 3 && !strcmp(argv[1], "--stale")) {
        int ret = qemu_backdoor_init(argv[2]);
        int err = errno;

        printf("%s - init with files no QEMU serves: %d (%s)\n",
               ret == -1 && err == ENODEV ? "ok" : "not ok", ret,
               strerror(err));
        return ret == -1 && err == ENODEV ? 0 : 1;
    }
    if (argc > 2) {
        close(open(argv[2], O_WRONLY | O_CREAT, 0600));
    }
    if (argc > 1) {
        for (int i = 0; i < 600 * 100 && access(argv[1], F_OK) != 0; i++) {
            usleep(10000);
        }
    }
    /*
     * No channel for it, and its own shared file mappings are ordinary
     * memory: a store into one reaches the file, and nothing else.
     */
    snprintf(path, sizeof(path), "/tmp/backdoor-noinit.XXXXXX");
    fd = mkstemp(path);
    unlink(path);
    ok = fd >= 0 && ftruncate(fd, 4096) == 0;
    p = ok ? mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
           : MAP_FAILED;
    if (p != MAP_FAILED) {
        /* volatile: one store, at the command word's offset */
        *(volatile uint64_t *)(p + QEMU_BACKDOOR_CTRL_CMD) = 0x1234;
        ok = pread(fd, &v, 8, QEMU_BACKDOOR_CTRL_CMD) == 8 && v == 0x1234 &&
             pread(fd, &v, 8, 0) == 8 && v == 0;
    }
    ok &= p != MAP_FAILED && qemu_backdoor_data() == NULL &&
          qemu_backdoor_data_size() == 0;
    printf("%s - a program that never calls qemu_backdoor_init runs "
           "(no channel; a shared file mapping is plain memory)\n",
           ok ? "ok" : "not ok");
    return ok ? 0 : 1;
}
