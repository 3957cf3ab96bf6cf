/*
 * Backdoor channel, user mode: many store instructions
 *
 *   qemu-<arch> -backdoor DIR backdoor-sites DIR [N]
 *
 * Makes N (default 10000) copies of a function of one store instruction,
 * and sends one numbered command through each: every instruction faults
 * once and becomes a diverted store site.  QEMU keeps a bounded table of
 * them, so this also runs past its limit; every command must still
 * arrive exactly once, in order.  (The Makefile checks the table's size
 * in QEMU's trace.)
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "bdtest.h"

/*
 * Each site is a copy of st8() (bdtest.h): a store and a return, which
 * do not depend on where they are.
 */
#define SITE_SIZE 64

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[2]) : 10000;
    struct bdt_stats s;
    uint8_t *code, *ctrl;

    bdt_open(argv[1]);
    ctrl = map_ctrl(argv[1], CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    code = mmap(NULL, n * SITE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ctrl == MAP_FAILED || code == MAP_FAILED) {
        printf("not ok - mappings: %s\n", strerror(errno));
        return 1;
    }
    for (long i = 0; i < n; i++) {
        memcpy(code + i * SITE_SIZE, (void *)st8, SITE_SIZE);
    }
    __builtin___clear_cache((char *)code, (char *)code + n * SITE_SIZE);
    for (long i = 0; i < n; i++) {
        void (*fn)(void *, uint64_t) =
            (void (*)(void *, uint64_t))(code + i * SITE_SIZE);

        fn(ctrl + QEMU_BACKDOOR_CTRL_CMD, BDT_CMD(BDT_OP_SEQ, 1, i));
    }
    s = stats(0);
    check(s.seq_ok == n && s.seq_bad == 0, "%ld commands through as many "
          "store instructions arrived in order (%" PRIu64 ", %" PRIu64
          " out of order)", n, s.seq_ok, s.seq_bad);
    check(s.commands == (uint64_t)n + bdt_queries,
          "the library saw no other command (%" PRIu64 ")", s.commands);
    return bdt_exit();
}
