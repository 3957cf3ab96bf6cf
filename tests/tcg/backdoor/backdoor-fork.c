/*
 * Backdoor channel, user mode: fork
 *
 *   qemu-<arch> -backdoor DIR backdoor-fork DIR
 *
 * A forked child is a copy of QEMU too: it keeps the channel (its own
 * copy of the library, the same shared data channel), can also open the
 * channel itself, and the parent's channel keeps working.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <sys/wait.h>
#include "bdtest.h"

static int child_inherits(void)
{
    struct bdt_stats s;
    uint8_t *d = (uint8_t *)slot(2);

    for (int i = 0; i < 100; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_SEQ, 1, i));
    }
    d[0] = 0x11;
    qemu_backdoor(BDT_CMD(BDT_OP_XOR, 2, 1));
    s = stats(0);
    /*
     * the parent had sent 10 commands to slot 1 before forking; then 100
     * SEQ, an XOR and this STATS
     */
    return s.init_calls == 1 && s.seq_bad == 1 && s.seq_ok == 109 &&
           s.commands == 10 + 100 + 2 ? 0 : 1;
}

static int child_opens(const char *dir)
{
    struct bdt_stats s;

    qemu_backdoor_fini();
    if (qemu_backdoor_init(dir) != 0) {
        return 2;
    }
    qemu_backdoor(BDT_CMD(BDT_OP_NOP, 0, 0));
    s = stats(0);
    /* the parent's 10 SEQ, this NOP and this STATS */
    return s.init_calls == 1 && s.commands == 10 + 2 ? 0 : 1;
}

static int run_child(int (*fn)(const char *), const char *dir)
{
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        _exit(fn(dir));
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int child_inherits_fn(const char *dir)
{
    (void)dir;
    return child_inherits();
}

int main(int argc, char **argv)
{
    struct bdt_stats s;
    uint8_t *d;
    int ret;

    bdt_open(argv[1]);
    d = (uint8_t *)slot(2);
    for (int i = 0; i < 10; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_SEQ, 1, i));
    }

    ret = run_child(child_inherits_fn, argv[1]);
    check(ret == 0, "a forked child sends commands through the inherited "
          "channel (exit %d)", ret);
    check(d[0] == (0x11 ^ 0x5a),
          "the data channel is shared with the child (0x%02x)", d[0]);

    ret = run_child(child_opens, argv[1]);
    check(ret == 0, "a forked child closes and opens the channel again "
          "(exit %d)", ret);

    /* the parent's library state is its own */
    for (int i = 10; i < 20; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_SEQ, 1, i));
    }
    s = stats(0);
    check(s.seq_ok == 20 && s.seq_bad == 0,
          "the parent's channel keeps working after the children "
          "(seq_ok %" PRIu64 ", bad %" PRIu64 ")", s.seq_ok, s.seq_bad);
    check(s.commands == 20 + 1, "the parent's library saw the parent's "
          "commands only, once each (%" PRIu64 ")", s.commands - 1);
    return bdt_exit();
}
