/*
 * The demo's guest program, for the library in contrib/backdoor/lib
 *
 *   backdoor-demo [DIR]
 *
 * DIR is the user-mode channel directory (qemu-<arch> -backdoor DIR);
 * in a system-mode guest the device is used and DIR does not matter.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "qemu-backdoor.h"

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp/backdoor";
    char *data;
    uint64_t words;

    if (qemu_backdoor_init(dir) != 0) {
        fprintf(stderr, "backdoor-demo: qemu_backdoor_init: %s\n",
                strerror(errno));
        return 1;
    }
    data = qemu_backdoor_data();
    printf("[guest] data channel of %" PRIu64 " bytes\n",
           qemu_backdoor_data_size());

    snprintf(data, qemu_backdoor_data_size(), "hello from the guest");
    qemu_backdoor(1);                   /* print it */
    qemu_backdoor(2);                   /* upper-case it */
    printf("[guest] the library changed the data to: %s\n", data);
    words = qemu_backdoor_call(3);      /* count the words */
    printf("[guest] the library counted %" PRIu64 " words\n", words);

    qemu_backdoor_fini();
    return 0;
}
