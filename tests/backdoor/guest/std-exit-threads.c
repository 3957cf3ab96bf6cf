/*
 * The standard EXIT command while other guest threads send commands, for
 * t-std.sh: the process must end with the status given, promptly, after
 * the library's exit callback (the open region of interest is reported).
 *
 *   std-exit-threads DIR     (under qemu-ARCH -backdoor DIR)
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "qemu-backdoor.h"
#include "qemu-backdoor-std.h"

static void *sender(void *arg)
{
    for (;;) {
        qemu_backdoor(0x1234);  /* not a standard command: traced only */
    }
    return arg;
}

int main(int argc, char **argv)
{
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    uint64_t status = 5;
    int64_t res = -QEMU_BACKDOOR_STD_ENOSYS;
    pthread_t t;
    int i;

    if (argc != 2 || qemu_backdoor_init(argv[1]) < 0) {
        fprintf(stderr, "usage: std-exit-threads DIR\n");
        return 2;
    }
    memcpy(qemu_backdoor_data(), &res, sizeof(res));
    qemu_backdoor(QEMU_BACKDOOR_STD_ROI_BEGIN);
    for (i = 0; i < 3; i++) {
        pthread_create(&t, NULL, sender, NULL);
    }
    nanosleep(&ts, NULL);
    memcpy((char *)qemu_backdoor_data() + QEMU_BACKDOOR_STD_ARG(0), &status,
           sizeof(status));
    qemu_backdoor(QEMU_BACKDOOR_STD_EXIT);
    fprintf(stderr, "std-exit-threads: EXIT returned\n");
    return 1;
}
