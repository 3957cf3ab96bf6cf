/*
 * Region-of-interest commands from one guest process: two closed regions
 * and one left open at exit, for t-std.sh.  QEMU's report at exit is
 * what the test checks.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "qemu-backdoor.h"
#include "qemu-backdoor-std.h"

static int64_t call(uint64_t cmd)
{
    int64_t res = -QEMU_BACKDOOR_STD_ENOSYS;

    memcpy(qemu_backdoor_data(), &res, sizeof(res));
    qemu_backdoor(cmd);
    memcpy(&res, qemu_backdoor_data(), sizeof(res));
    return res;
}

int main(int argc, char **argv)
{
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    int i;

    if (argc != 2 || qemu_backdoor_init(argv[1]) < 0) {
        fprintf(stderr, "usage: std-roi DIR (under qemu -backdoor DIR)\n");
        return 2;
    }
    for (i = 0; i < 2; i++) {
        if (call(QEMU_BACKDOOR_STD_ROI_BEGIN) != 0) {
            fprintf(stderr, "roi begin failed\n");
            return 1;
        }
        nanosleep(&ts, NULL);
        /* at least the 50 ms slept */
        if (call(QEMU_BACKDOOR_STD_ROI_END) < 50 * 1000 * 1000) {
            fprintf(stderr, "roi end: too short or failed\n");
            return 1;
        }
    }
    /* a region still open when the process exits */
    call(QEMU_BACKDOOR_STD_ROI_BEGIN);
    printf("std-roi done\n");
    return 0;
}
