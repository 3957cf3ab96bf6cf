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
#include <string.h>
#include <unistd.h>
#include "qemu-backdoor.h"

int main(int argc, char **argv)
{
    char buf[64];

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
    snprintf(buf, sizeof(buf), "%d", 6 * 7);
    printf("ok - a program that never calls qemu_backdoor_init runs (%s)\n",
           buf);
    return strcmp(buf, "42") != 0;
}
