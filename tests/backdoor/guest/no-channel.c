/*
 * Guest library without a channel: every entry point must fail cleanly
 * with the documented errno.
 *
 *   no-channel EMPTY_DIR BAD_DIR
 *
 * EMPTY_DIR exists and holds no channel files; BAD_DIR holds a "control"
 * file too short to be a control channel.  Prints one line per check and
 * exits 0 when all pass.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "qemu-backdoor.h"

static int failures;

static void expect(const char *what, int ret, int want_errno)
{
    int err = errno;

    if (ret == -1 && err == want_errno) {
        printf("ok - %s: -1, %s\n", what, strerror(err));
    } else {
        printf("not ok - %s: returned %d, errno %s, want -1 and %s\n",
               what, ret, strerror(err), strerror(want_errno));
        failures++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s EMPTY_DIR BAD_DIR\n", argv[0]);
        return 2;
    }

    errno = 0;
    expect("init with a missing directory",
           qemu_backdoor_init("/nonexistent/backdoor"), ENODEV);
    errno = 0;
    expect("init with a directory without channel files",
           qemu_backdoor_init(argv[1]), ENODEV);
    errno = 0;
    expect("init with no directory and no device",
           qemu_backdoor_init(NULL), ENODEV);
    errno = 0;
    expect("init with a truncated control file",
           qemu_backdoor_init(argv[2]), EINVAL);
    errno = 0;
    expect("fini without init", qemu_backdoor_fini(), EBADF);

    if (qemu_backdoor_data() == NULL && qemu_backdoor_data_size() == 0) {
        printf("ok - data and data size are NULL and 0 when closed\n");
    } else {
        printf("not ok - data %p size %llu when closed\n",
               qemu_backdoor_data(),
               (unsigned long long)qemu_backdoor_data_size());
        failures++;
    }
    return failures ? 1 : 0;
}
