/*
 * Backdoor channel, user mode: the callback reaches the calling thread
 *
 *   qemu-<arch> -backdoor DIR backdoor-helpers DIR
 *
 * qemu_backdoor_write_guest(), qemu_backdoor_read_guest() and the
 * registers of qemu_backdoor_cpu(), in the main thread and in another.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include "bdtest.h"

static volatile uint64_t target;     /* volatile: QEMU writes it */
static const uint64_t constant = 0x5eed5eed5eed5eedULL;

static void helpers(const char *who, int n)
{
    uint64_t *s = slot(n);
    uint8_t *unmapped;

    reset();
    target = 0;
    s[0] = 0xfeedfacecafebeefULL;
    s[1] = 1;
    qemu_backdoor(BDT_CMD(BDT_OP_WRITE_GUEST, n, (uintptr_t)&target));
    check(s[1] == 0 && target == 0xfeedfacecafebeefULL,
          "%s: the library writes guest memory", who);

    target = 0x0102030405060708ULL;
    s[0] = 0;
    s[1] = 1;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, n, (uintptr_t)&target));
    check(s[1] == 0 && s[0] == 0x0102030405060708ULL,
          "%s: the library reads guest memory", who);
    s[1] = 1;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, n, (uintptr_t)&constant));
    check(s[1] == 0 && s[0] == constant,
          "%s: ... read-only memory too", who);

    unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
                    -1, 0);
    munmap(unmapped, 4096);
    s[1] = 0;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, n, (uintptr_t)unmapped));
    check(s[1] == (uint64_t)-1, "%s: reading unmapped memory fails", who);
    s[1] = 0;
    qemu_backdoor(BDT_CMD(BDT_OP_WRITE_GUEST, n, (uintptr_t)unmapped));
    check(s[1] == (uint64_t)-1, "%s: writing unmapped memory fails", who);

    s[0] = 0x1122334455667788ULL + n;
    check(qemu_backdoor_call(BDT_CMD(BDT_OP_SET_REG, n, 0)) ==
          0x1122334455667788ULL + n,
          "%s: the library sets the return register", who);
    check(commands() == 6, "%s: the library saw the 6 commands, once each",
          who);
}

static void *thread(void *arg)
{
    helpers("second thread", 2);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t th;

    bdt_open(argv[1]);
    helpers("main thread", 1);
    pthread_create(&th, NULL, thread, NULL);
    pthread_join(th, NULL);
    return bdt_exit();
}
