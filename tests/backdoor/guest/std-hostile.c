/*
 * Hostile requests for the standard commands, for t-std.sh: lengths,
 * offsets and names that do not fit the data channel, names with a NUL
 * inside, a message without a NUL that fills the channel.  QEMU must
 * answer each with an error (or a bounded result) and keep running.
 *
 *   std-hostile DIR       (under qemu-ARCH -backdoor DIR, with
 *                          QEMU_BACKDOOR_SHARE set)
 *
 * Prints one line per check; exits 0 when all pass.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu-backdoor.h"
#include "qemu-backdoor-std.h"

static unsigned char *data;
static uint64_t size;
static int failures;

static void set(unsigned off, uint64_t v)
{
    memcpy(data + off, &v, sizeof(v));
}

static int64_t call(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2)
{
    int64_t res = -QEMU_BACKDOOR_STD_ENOSYS;

    set(QEMU_BACKDOOR_STD_ARG(0), a0);
    set(QEMU_BACKDOOR_STD_ARG(1), a1);
    set(QEMU_BACKDOOR_STD_ARG(2), a2);
    memcpy(data, &res, sizeof(res));
    qemu_backdoor(cmd);
    memcpy(&res, data, sizeof(res));
    return res;
}

static void expect(const char *what, int ok, int64_t res)
{
    printf("%s - %s (result %lld)\n", ok ? "ok" : "not ok", what,
           (long long)res);
    failures += !ok;
}

int main(int argc, char **argv)
{
    const uint64_t big[] = { UINT64_MAX, 1ULL << 63, (1ULL << 63) - 1 };
    uint64_t room;
    int64_t res;
    unsigned i;

    if (argc != 2 || qemu_backdoor_init(argv[1]) < 0) {
        fprintf(stderr, "usage: std-hostile DIR (under qemu -backdoor DIR)\n");
        return 2;
    }
    data = qemu_backdoor_data();
    size = qemu_backdoor_data_size();

    /* a message without a NUL that claims more than the channel */
    memset(data + QEMU_BACKDOOR_STD_PAYLOAD, 'm',
           size - QEMU_BACKDOOR_STD_PAYLOAD);
    for (i = 0; i < 3; i++) {
        res = call(QEMU_BACKDOOR_STD_PRINT, big[i], 0, 0);
        expect("print: a length past the channel is cut to it",
               res > 0 && (uint64_t)res <= size - QEMU_BACKDOOR_STD_PAYLOAD,
               res);
    }

    /* names: empty, too long, past the channel, without or with a NUL */
    memset(data + QEMU_BACKDOOR_STD_PAYLOAD, 'n',
           size - QEMU_BACKDOOR_STD_PAYLOAD);
    for (i = 0; i < 2; i++) {
        uint64_t cmd = i ? QEMU_BACKDOOR_STD_GET : QEMU_BACKDOOR_STD_PUT;

        res = call(cmd, 0, 1, 0);
        expect("put/get: an empty name", res == -QEMU_BACKDOOR_STD_EINVAL,
               res);
        res = call(cmd, 0, 1, QEMU_BACKDOOR_STD_NAME_MAX + 1);
        expect("put/get: a name too long",
               res == -QEMU_BACKDOOR_STD_ENAMETOOLONG, res);
        res = call(cmd, 0, 1, UINT64_MAX);
        expect("put/get: a name length of 2^64-1",
               res == -QEMU_BACKDOOR_STD_ENAMETOOLONG, res);
        memcpy(data + QEMU_BACKDOOR_STD_PAYLOAD, "ab\0cdefg", 9);
        res = call(cmd, 0, 1, 8);
        expect("put/get: a NUL inside the name",
               res == -QEMU_BACKDOOR_STD_EINVAL, res);
        memcpy(data + QEMU_BACKDOOR_STD_PAYLOAD, "f", 2);
        res = call(cmd, UINT64_MAX, 1, 1);
        expect("put/get: an offset of 2^64-1", res < 0, res);
        res = call(cmd, (1ULL << 63) - 1, 1, 1);
        expect("put/get: an offset at the largest file offset", res < 0, res);
    }
    memcpy(data + QEMU_BACKDOOR_STD_PAYLOAD, "f", 2);
    for (i = 0; i < 3; i++) {
        res = call(QEMU_BACKDOOR_STD_PUT, 0, big[i], 1);
        expect("put: a length past the channel",
               res == -QEMU_BACKDOOR_STD_EINVAL, res);
    }
    room = size - QEMU_BACKDOOR_STD_DATA_OFFSET(1);
    res = call(QEMU_BACKDOOR_STD_PUT, 0, room, 1);
    expect("put: the whole room of the channel", res == (int64_t)room, res);
    for (i = 0; i < 3; i++) {
        res = call(QEMU_BACKDOOR_STD_GET, 0, big[i], 1);
        expect("get: asking for more than the channel holds",
               res == (int64_t)room, res);
    }

    /* commands of the standard range that do not exist */
    res = call(QEMU_BACKDOOR_STD(0), 0, 0, 0);
    expect("command 0 of the range is not handled",
           res == -QEMU_BACKDOOR_STD_ENOSYS, res);
    res = call(QEMU_BACKDOOR_STD(0xffffffffULL), 0, 0, 0);
    expect("command 0xffffffff of the range is not handled",
           res == -QEMU_BACKDOOR_STD_ENOSYS, res);

    res = call(QEMU_BACKDOOR_STD_VERSION_CMD, 0, 0, 0);
    expect("QEMU still answers", res == QEMU_BACKDOOR_STD_VERSION, res);
    return failures ? 1 : 0;
}
