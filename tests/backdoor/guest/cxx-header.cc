/*
 * The guest headers from C++: they compile, and the library's functions
 * link with C linkage (t-std.sh runs this under qemu-x86_64 -backdoor).
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <cstdint>
#include <cstdio>
#include <cstring>
#include "qemu-backdoor.h"
#include "qemu-backdoor-std.h"

static_assert(QEMU_BACKDOOR_GUEST_VERSION >= 0x10001,
              "the guest header has a version");

int main(int argc, char **argv)
{
    int64_t res = -QEMU_BACKDOOR_STD_ENOSYS;

    if (argc != 2 || qemu_backdoor_init(argv[1]) != 0) {
        std::fprintf(stderr, "no channel\n");
        return 2;
    }
    std::memcpy(qemu_backdoor_data(), &res, sizeof(res));
    qemu_backdoor(QEMU_BACKDOOR_STD_VERSION_CMD);
    std::memcpy(&res, qemu_backdoor_data(), sizeof(res));
    std::printf("c++ guest: host version %lld, guest header 0x%x\n",
                (long long)res, QEMU_BACKDOOR_GUEST_VERSION);
    qemu_backdoor_fini();
    return res == QEMU_BACKDOOR_STD_VERSION ? 0 : 1;
}
