/*
 * Backdoor channel, user mode: misuse has a defined result
 *
 *   qemu-<arch> -backdoor DIR backdoor-misuse DIR
 *
 * Partial, misplaced, vector and atomic stores into the control page,
 * mappings with the wrong size, offset or type, system calls writing into
 * the control page, a truncated data file, and commands without init.
 * None may crash QEMU or send a command; see docs/user/main.rst.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <sys/wait.h>
#include <time.h>
#include "bdtest.h"

#define CMD_OFF QEMU_BACKDOOR_CTRL_CMD

static void st1_fn(void *p, uint64_t v)
{
    st1(p, v);
}

static void st2_fn(void *p, uint64_t v)
{
    st2(p, v);
}

static void st4_fn(void *p, uint64_t v)
{
    st4(p, v);
}

/* a 16-byte vector store of two copies of @v */
typedef uint64_t bdt_v2u64 __attribute__((vector_size(16), aligned(16)));

static BDT_NOINLINE void st16_fn(void *p, uint64_t v)
{
    volatile bdt_v2u64 *dst = p;    /* the store must happen, as one */
    bdt_v2u64 two = { v, v };

    *dst = two;     /* one 16-byte vector store */
}

/* an atomic exchange, done in QEMU by a helper */
static BDT_NOINLINE void xchg_fn(void *p, uint64_t v)
{
    __atomic_exchange_n((uint64_t *)p, v, __ATOMIC_SEQ_CST);
}

/* an atomic add */
static BDT_NOINLINE void add_fn(void *p, uint64_t v)
{
    __atomic_fetch_add((uint64_t *)p, v, __ATOMIC_SEQ_CST);
}

#ifdef BDT_REP_MOVSB
/* a string copy of @v: "rep movsb", 8 one-byte stores */
static BDT_NOINLINE void rep_movsb_fn(void *p, uint64_t v)
{
    const void *src = &v;
    size_t n = sizeof(v);

    asm volatile("rep movsb" : "+D"(p), "+S"(src), "+c"(n) : : "memory");
}
#endif

#ifdef BDT_REP_MOVSQ
/* the same as one "rep movsq" of one quadword: one 8-byte store */
static BDT_NOINLINE void rep_movsq_fn(void *p, uint64_t v)
{
    const void *src = &v;
    size_t n = 1;

    asm volatile("rep movsq" : "+D"(p), "+S"(src), "+c"(n) : : "memory");
}
#endif

/* a command without qemu_backdoor_init: the library's pointer is NULL */
static void send_without_init(void *p, uint64_t v)
{
    qemu_backdoor(v);
}

int main(int argc, char **argv)
{
    const char *dir = argv[1];
    uint64_t size, n, cmd = BDT_CMD(BDT_OP_NOP, 0, 0);
    uint8_t *c, *p;
    char path[4096];
    int sig, fd, pfd[2], status, ret;
    pid_t pid;

    bdt_open(dir);
    size = qemu_backdoor_data_size();
    c = map_ctrl(dir, CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    check(c != MAP_FAILED, "map the control file");

    /* partial and misplaced stores: dropped */
    n = commands();
    sig = trap(st1_fn, c + CMD_OFF, 0xff) | trap(st2_fn, c + CMD_OFF, 0xffff) |
          trap(st4_fn, c + CMD_OFF, 0xffffffff) |
          trap(st4_fn, c + CMD_OFF + 4, 0xffffffff) |
          trap(st1_fn, c + CMD_OFF + 7, 0xff);
    check(sig == 0 && commands() == n && ld8(c + CMD_OFF) == 0,
          "1, 2 and 4-byte stores into the command word: no command, "
          "nothing stored");
    sig = trap(st8_fn, c, 0x1234) | trap(st8_fn, c + 0x10, cmd) |
          trap(st8_fn, c + CTRL_LEN - 8, cmd) | trap(st8_fn, c + 0xc, cmd);
    check(sig == 0 && commands() == n && ld8(c) == size,
          "8-byte stores elsewhere in the page: no command, the size "
          "word unchanged");

    /* vector and atomic stores */
    sig = trap(st16_fn, c, cmd);
#ifdef BDT_SPLIT_VECTOR_STORES
    /* the target stores 16 bytes as two 8-byte stores (s390x) */
    check(sig == 0 && commands() == n + 1 && ld8(c + CMD_OFF) == 0,
          "a 16-byte vector store: two 8-byte stores, one command");
    n++;
#else
    check(sig == 0 && commands() == n && ld8(c + CMD_OFF) == 0,
          "a 16-byte vector store: dropped, no command");
#endif
#ifdef BDT_REP_MOVSB
    /* string instructions store element by element */
    sig = trap(rep_movsb_fn, c + CMD_OFF, cmd);
    check(sig == 0 && commands() == n && ld8(c + CMD_OFF) == 0,
          "rep movsb of 8 bytes into the command word: no command");
#endif
#ifdef BDT_REP_MOVSQ
    sig = trap(rep_movsq_fn, c + CMD_OFF, cmd);
    check(sig == 0 && commands() == n + 1 && ld8(c + CMD_OFF) == 0,
          "rep movsq of one quadword: one 8-byte store, one command");
    n++;
#endif
    sig = trap(xchg_fn, c + CMD_OFF, cmd);
    check(sig == SIGSEGV && commands() == n,
          "an atomic exchange into the command word: SIGSEGV, no command");
    sig = trap(add_fn, c + CMD_OFF, 1);
    check(sig == SIGSEGV && commands() == n,
          "an atomic add into the command word: SIGSEGV, no command");

    /*
     * The store instructions above now go through QEMU's helper: they
     * must still write ordinary memory exactly.
     */
    {
        uint8_t buf[32], want[32];
        uint64_t v = 0x0807060504030201ULL;

        memset(buf, 0xee, sizeof(buf));
        memset(want, 0xee, sizeof(want));
        st1(buf + 1, 0x11);
        st2(buf + 2, 0x2222);
        st4(buf + 4, 0x44444444);
        st8(buf + 8, v);
        st16_fn(buf + 16, v);
        want[1] = 0x11;
        memcpy(want + 2, &(uint16_t){ 0x2222 }, 2);
        memcpy(want + 4, &(uint32_t){ 0x44444444 }, 4);
        memcpy(want + 8, &v, 8);
        memcpy(want + 16, &v, 8);
        memcpy(want + 24, &v, 8);
        check(!memcmp(buf, want, sizeof(buf)),
              "the same store instructions write ordinary memory exactly");
    }

    /* a system call writing into the control page: EFAULT */
    check(pipe(pfd) == 0 && write(pfd[1], &cmd, 8) == 8, "pipe");
    errno = 0;
    check(read(pfd[0], c + CMD_OFF, 8) == -1 && errno == EFAULT &&
          commands() == n, "read(2) into the control page: EFAULT");
    /* (or, done by the vDSO in guest code, stores that are dropped) */
    errno = 0;
    ret = clock_gettime(CLOCK_MONOTONIC, (struct timespec *)c);
    check(((ret == -1 && errno == EFAULT) || ret == 0) && ld8(c) == size &&
          commands() == n, "clock_gettime into the control page: EFAULT "
          "(%d)", ret);
    close(pfd[0]);
    close(pfd[1]);
    munmap(c, CTRL_LEN);

    /* MAP_PRIVATE: a private copy */
    c = map_ctrl(dir, CTRL_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
    check(c != MAP_FAILED, "MAP_PRIVATE mapping of the control file");
    sig = trap(st8_fn, c + CMD_OFF, cmd);
    check(sig == 0 && commands() == n && ld8(c + CMD_OFF) == cmd &&
          ld8(c) == size, "stores into it stay private: no command");
    munmap(c, CTRL_LEN);

    /* wrong length: the first page is the control page */
    c = map_ctrl(dir, 2 * CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    check(c != MAP_FAILED, "an 8 KiB mapping of the control file");
    sig = trap(st8_fn, c + CMD_OFF, cmd);
    check(sig == 0 && commands() == n + 1, "commands through its first page");
    sig = trap(ld8_fn, c + CTRL_LEN, 0);
    check(sig == SIGBUS, "its second page is past the file: SIGBUS");
    munmap(c, 2 * CTRL_LEN);

    /* wrong offset: past the end of the file */
    n = commands();
    c = map_ctrl(dir, CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, CTRL_LEN);
    check(c != MAP_FAILED, "a mapping of the control file at offset 4096");
    sig = trap(st8_fn, c + CMD_OFF, cmd);
    check(sig == SIGBUS && commands() == n,
          "stores into it: SIGBUS, no command");
    munmap(c, CTRL_LEN);

    /* writing the file through a descriptor changes nothing in QEMU */
    snprintf(path, sizeof(path), "%s/" QEMU_BACKDOOR_CTRL_FILE, dir);
    fd = open(path, O_RDWR);
    check(fd >= 0 && pwrite(fd, &cmd, 8, CMD_OFF) == 8 && commands() == n,
          "pwrite(2) into the control file sends nothing");
    close(fd);

    /* a command before init: the guest gets SIGSEGV, QEMU carries on */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        qemu_backdoor_fini();
        _exit(trap(send_without_init, NULL, cmd));
    }
    check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == SIGSEGV,
          "qemu_backdoor() without init: SIGSEGV in the guest");

    /*
     * Last: shrink the data file under QEMU.  The library still gets its
     * commands (QEMU's side becomes private zeroed memory, with a
     * warning: the XOR below turns slot 1 into 0x5a bytes there); the
     * guest's own mapping of the truncated file gives SIGBUS.
     */
    snprintf(path, sizeof(path), "%s/" QEMU_BACKDOOR_DATA_FILE, dir);
    check(truncate(path, 0) == 0, "truncate the data file");
    qemu_backdoor(BDT_CMD(BDT_OP_XOR, 1, BDT_SLOT_SIZE));
    qemu_backdoor(BDT_CMD(BDT_OP_NOP, 0, 0));
    p = qemu_backdoor_data();
    sig = trap(ld8_fn, p, 0);
    check(sig == SIGBUS, "the guest's data mapping: SIGBUS");
    check(qemu_backdoor_call(BDT_CMD(BDT_OP_SET_REG, 1, 0)) ==
          0x5a5a5a5a5a5a5a5aULL,
          "QEMU survives; the library works on its private copy");
    return bdt_exit();
}
