/*
 * Backdoor channel, user mode: the guest remaps the channel
 *
 *   qemu-<arch> -backdoor DIR backdoor-mappings DIR
 *
 * Extra mappings of the control file, mprotect, mremap (moving, growing,
 * duplicating), munmap and MAP_FIXED over a control mapping: commands go
 * where a control mapping is, and nowhere else.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "bdtest.h"

#define CMD_OFF QEMU_BACKDOOR_CTRL_CMD

/* send a NOP through the control mapping at @c; return the signal */
static int send(void *c)
{
    return trap(st8_fn, (uint8_t *)c + CMD_OFF, BDT_CMD(BDT_OP_NOP, 0, 0));
}

/* whether QEMU grows a shared mapping of an ordinary file in place */
static int file_grows_in_place(void)
{
    uint8_t *m = mmap(NULL, 2 * CTRL_LEN, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = memfd_create("grow", 0), ok;

    if (m == MAP_FAILED || fd < 0 || ftruncate(fd, 2 * CTRL_LEN) < 0) {
        return 1;
    }
    munmap(m + CTRL_LEN, CTRL_LEN);
    mmap(m, CTRL_LEN, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    ok = mremap(m, CTRL_LEN, 2 * CTRL_LEN, 0) == m;
    munmap(m, 2 * CTRL_LEN);
    close(fd);
    return ok;
}

int main(int argc, char **argv)
{
    const char *dir = argv[1];
    uint8_t *c, *c2, *m, *d2;
    uint64_t n;
    int sig;

    bdt_open(dir);
    reset();

    /* a mapping of our own, next to the library's */
    c = map_ctrl(dir, CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    check(c != MAP_FAILED, "map the control file a second time");
    n = commands();
    sig = send(c);
    check(sig == 0 && commands() == n + 1,
          "a command through a second mapping (signal %d)", sig);
    check(ld8(c + CMD_OFF) == 0, "the command word reads back as 0");

    /* mprotect */
    check(mprotect(c, CTRL_LEN, PROT_READ) == 0, "mprotect PROT_READ");
    n = commands();
    sig = send(c);
    check(sig == SIGSEGV && commands() == n,
          "a store into a read-only control mapping: SIGSEGV, no command");
    check(ld8(c) == qemu_backdoor_data_size(), "it still reads");
    check(mprotect(c, CTRL_LEN, PROT_NONE) == 0, "mprotect PROT_NONE");
    sig = trap(ld8_fn, c, 0);
    check(sig == SIGSEGV, "a read of a PROT_NONE mapping: SIGSEGV");
    sig = send(c);
    check(sig == SIGSEGV && commands() == n,
          "a store into a PROT_NONE mapping: SIGSEGV, no command");
    check(mprotect(c, CTRL_LEN, PROT_READ | PROT_WRITE) == 0,
          "mprotect back to PROT_READ|PROT_WRITE");
    sig = send(c);
    check(sig == 0 && commands() == n + 1, "commands work again");

    /* mremap: move it */
    m = mmap(NULL, 3 * CTRL_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    munmap(m, 3 * CTRL_LEN);
    c2 = mremap(c, CTRL_LEN, CTRL_LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
                m + CTRL_LEN);
    check(c2 == m + CTRL_LEN, "mremap moves the control mapping");
    n = commands();
    sig = send(c2);
    check(sig == 0 && commands() == n + 1, "commands at the new address");
    sig = send(c);
    check(sig == SIGSEGV && commands() == n + 1,
          "the old address is gone: SIGSEGV, no command");

    /*
     * mremap: grow in place; only the file's page is the channel.  QEMU
     * cannot grow any file mapping in place on some targets (32-bit
     * guests, whose address space it reserves): the same must fail then.
     */
    c = c2;
    c2 = mremap(c, CTRL_LEN, 2 * CTRL_LEN, 0);
    if (file_grows_in_place()) {
        check(c2 == c, "mremap grows the control mapping in place");
        sig = send(c2);
        check(sig == 0 && commands() == n + 2, "commands after growing");
        sig = trap(st8_fn, c2 + CTRL_LEN + CMD_OFF, 1);
        check(sig == SIGSEGV || sig == SIGBUS,
              "a store past the control file's page faults (signal %d)", sig);
        c2 = mremap(c, 2 * CTRL_LEN, CTRL_LEN, 0);
        check(c2 == c, "mremap shrinks it back");
    } else {
        check(c2 == MAP_FAILED && send(c) == 0 && commands() == n + 2,
              "mremap cannot grow it in place, as any file mapping here; "
              "commands still work");
    }

#ifdef QEMU_BASE_10_0
    /* mremap of size 0 duplicates a shared mapping */
    c2 = mremap(c, 0, CTRL_LEN, MREMAP_MAYMOVE);
    check(c2 != MAP_FAILED && c2 != c, "mremap(old_size = 0) duplicates it");
    n = commands();
    check(send(c2) == 0 && send(c) == 0 && commands() == n + 2,
          "commands through both copies");
    munmap(c2, CTRL_LEN);
#else
    /*
     * mremap of size 0 duplicates a shared mapping on Linux; QEMU 10.2.2
     * fails it with EFAULT (10.0.13 has the fix), and may one day not
     */
    c2 = mremap(c, 0, CTRL_LEN, MREMAP_MAYMOVE);
    n = commands();
    if (c2 == MAP_FAILED) {
        check(errno == EFAULT && send(c) == 0 && commands() == n + 1,
              "mremap(old_size = 0) fails; commands still work");
    } else {
        check(c2 != c && send(c2) == 0 && send(c) == 0 &&
              commands() == n + 2,
              "mremap(old_size = 0) duplicates it; commands through both");
        munmap(c2, CTRL_LEN);
    }
#endif

    /* munmap, then ordinary memory at the same address */
    check(munmap(c, CTRL_LEN) == 0, "munmap the control mapping");
    n = commands();
    sig = send(c);
    check(sig == SIGSEGV && commands() == n,
          "a store after munmap: SIGSEGV, no command");
    m = mmap(c, CTRL_LEN, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check(m == c, "anonymous memory where the control mapping was");
    sig = send(m);
    check(sig == 0 && commands() == n &&
          ld8(m + CMD_OFF) == BDT_CMD(BDT_OP_NOP, 0, 0),
          "the same store instruction now writes plain memory");

    /* MAP_FIXED over a live control mapping */
    c = map_ctrl(dir, CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    check(send(c) == 0 && commands() == n + 1, "a fresh control mapping");
    m = mmap(c, CTRL_LEN, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    sig = send(m);
    check(m == c && sig == 0 && commands() == n + 1 &&
          ld8(m + CMD_OFF) == BDT_CMD(BDT_OP_NOP, 0, 0),
          "MAP_FIXED over it gives plain memory");
    munmap(m, CTRL_LEN);

    /* the data channel can be remapped like any shared memory */
    d2 = mremap(qemu_backdoor_data(), qemu_backdoor_data_size(),
                qemu_backdoor_data_size(), MREMAP_MAYMOVE);
    check(d2 != MAP_FAILED, "mremap the data channel");
    ((uint8_t *)d2)[BDT_SLOT_SIZE * 5] = 0x42;
    check(mprotect(d2, qemu_backdoor_data_size(), PROT_READ) == 0 &&
          mprotect(d2, qemu_backdoor_data_size(),
                   PROT_READ | PROT_WRITE) == 0, "mprotect the data channel");
    /* the library's pointer is stale now: reopen */
    munmap(d2, qemu_backdoor_data_size());
    qemu_backdoor_fini();
    check(qemu_backdoor_init(dir) == 0 &&
          ((uint8_t *)slot(5))[0] == 0x42,
          "data written through a moved mapping is in the data channel");
    qemu_backdoor(BDT_CMD(BDT_OP_XOR, 5, 1));
    check(((uint8_t *)slot(5))[0] == (0x42 ^ 0x5a), "and commands still work");
    return bdt_exit();
}
