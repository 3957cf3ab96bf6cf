/*
 * Guest side of tests/backdoor/t-linux-guest.sh: runs inside a Linux
 * guest of qemu-system-x86_64 -device backdoor, with the test library
 * (tests/backdoor/testlib) compiled into QEMU.
 *
 *   bdguest CHECK [ARGS]
 *
 * Each CHECK prints "BDTEST ok NAME" or "BDTEST not ok NAME" lines (and
 * "# ..." comments) on stdout, which the host script collects.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qemu-backdoor.h"
#include "backdoor-test-ops.h"

static int failures;

/*
 * Memory that QEMU reads or writes behind the compiler's back (the data
 * channel, the control BAR, variables the library writes): volatile.
 */
typedef volatile uint64_t shared64;
/* the same, byte by byte */
typedef volatile uint8_t shared8;

static void result(int ok, const char *fmt, ...)
{
    va_list ap;

    printf("BDTEST %s ", ok ? "ok" : "not ok");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!ok) {
        failures++;
    }
}

static shared64 *slot_words(unsigned slot)
{
    return (shared64 *)((char *)qemu_backdoor_data() +
                                 slot * BDT_SLOT_SIZE);
}

static void stats(unsigned slot, struct bdt_stats *st)
{
    shared64 *w = slot_words(slot);
    uint64_t *out = (uint64_t *)st;

    qemu_backdoor(BDT_CMD(BDT_OP_STATS, slot, 0));
    for (size_t i = 0; i < sizeof(*st) / 8; i++) {
        out[i] = w[i];
    }
}

/*
 * The library saw exactly @n commands, the last one @last, since the
 * query @a (through @slot): this query not counted
 */
static void saw(unsigned slot, const struct bdt_stats *a, uint64_t n,
                uint64_t last, const char *what)
{
    struct bdt_stats b;

    stats(slot, &b);
    result(b.commands - a->commands == n + 1 && b.last_cmd == last,
           "%s: the library saw the %llu command(s) sent, once each "
           "(%llu; last 0x%llx)", what, (unsigned long long)n,
           (unsigned long long)(b.commands - a->commands - 1),
           (unsigned long long)b.last_cmd);
}

static void open_channel(void)
{
    if (qemu_backdoor_init(NULL) != 0) {
        result(0, "qemu_backdoor_init: %s", strerror(errno));
        exit(1);
    }
}

/* The specification's example left 0xbabe in slot 0 and sent 0xcafe */
static void check_seed(void)
{
    struct bdt_stats st;
    uint64_t word0;

    open_channel();
    word0 = slot_words(0)[0];
    stats(1, &st);
    result(word0 == 0xbabe, "seed example: data 0x%llx reached the data "
           "channel", (unsigned long long)word0);
    /* it runs first: its command and this STATS are all there was */
    result(st.init_calls == 1 && st.commands == 2 && st.last_cmd == 0xcafe,
           "seed example: command 0xcafe reached the library "
           "(last command 0x%llx, %llu commands)",
           (unsigned long long)st.last_cmd,
           (unsigned long long)st.commands);
}

static void check_basics(void)
{
    struct bdt_stats st;

    open_channel();
    stats(2, &st);
    result(qemu_backdoor_data_size() == st.init_size &&
           qemu_backdoor_data_size() >= BDT_SLOTS * BDT_SLOT_SIZE,
           "data size %llu, as the library was told",
           (unsigned long long)qemu_backdoor_data_size());
    result(st.init_calls == 1, "qemu_backdoor_init ran once in QEMU");
    errno = 0;
    result(qemu_backdoor_init(NULL) == -1 && errno == EBUSY,
           "a second qemu_backdoor_init fails with EBUSY");
}

/* guest writes, the library transforms, the guest reads back */
static void check_xor(void)
{
    struct bdt_stats a;
    shared8 *p;
    int ok = 1;

    open_channel();
    stats(10, &a);
    p = (shared8 *)slot_words(3);
    for (int i = 0; i < BDT_SLOT_SIZE; i++) {
        p[i] = i;
    }
    qemu_backdoor(BDT_CMD(BDT_OP_XOR, 3, BDT_SLOT_SIZE));
    for (int i = 0; i < BDT_SLOT_SIZE; i++) {
        ok &= p[i] == (uint8_t)(i ^ 0x5a);
    }
    result(ok, "data channel round trip (XOR in the library)");
    saw(10, &a, 1, BDT_CMD(BDT_OP_XOR, 3, BDT_SLOT_SIZE), "XOR");
}

/* @n commands in order on @slot; true when all were in order */
static void seq_run(unsigned slot, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_SEQ, slot, i));
    }
}

static void check_seq(uint64_t n)
{
    struct bdt_stats a, b;

    open_channel();
    stats(4, &a);
    seq_run(5, n);
    stats(4, &b);
    result(b.commands - a.commands == n + 1,
           "%llu commands delivered exactly once (library saw %llu)",
           (unsigned long long)n,
           (unsigned long long)(b.commands - a.commands - 1));
    result(b.seq_ok - a.seq_ok == n && b.seq_bad == a.seq_bad,
           "%llu commands in order (%llu in order, %llu not)",
           (unsigned long long)n, (unsigned long long)(b.seq_ok - a.seq_ok),
           (unsigned long long)(b.seq_bad - a.seq_bad));
    result(b.overlaps == 0, "no overlapping callbacks");
}

/*
 * One client (process or thread) on its own slot: SEQ commands, and XOR
 * round trips whose result must not be disturbed by the other clients.
 * Returns the number of bad round trips.
 */
static int client(unsigned slot, uint64_t n)
{
    shared64 *w = slot_words(slot);
    int bad = 0;

    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)slot << 40 | i;

        qemu_backdoor(BDT_CMD(BDT_OP_SEQ, slot, i));
        w[0] = v;
        qemu_backdoor(BDT_CMD(BDT_OP_XOR, slot, 8));
        bad += w[0] != (v ^ 0x5a5a5a5a5a5a5a5aULL);
    }
    return bad;
}

static void pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu % 2, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static void check_procs(int nproc, uint64_t n)
{
    struct bdt_stats a, b;
    int bad = 0, status;
    pid_t pids[64];

    open_channel();
    stats(6, &a);
    for (int i = 0; i < nproc; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            pin(i);
            _exit(client(32 + i, n) ? 1 : 0);
        }
    }
    for (int i = 0; i < nproc; i++) {
        if (waitpid(pids[i], &status, 0) != pids[i] ||
            !WIFEXITED(status) || WEXITSTATUS(status)) {
            bad++;
        }
    }
    stats(6, &b);
    result(bad == 0, "%d processes: own slots undisturbed", nproc);
    result(b.commands - a.commands == 2 * nproc * n + 1 &&
           b.seq_ok - a.seq_ok == nproc * n && b.seq_bad == a.seq_bad,
           "%d processes: %llu commands each, all delivered once, in order",
           nproc, (unsigned long long)(2 * n));
    result(b.overlaps == 0, "%d processes: no overlapping callbacks",
           nproc);
}

struct thread_arg {
    unsigned slot;
    uint64_t n;
    int bad;
};

static void *thread_main(void *opaque)
{
    struct thread_arg *t = opaque;

    pin(t->slot);
    t->bad = client(t->slot, t->n);
    return NULL;
}

/* @nthr client threads of @n rounds each, slots 64 up; bad round trips */
static int run_threads(int nthr, uint64_t n)
{
    struct thread_arg args[64];
    pthread_t thr[64];
    int bad = 0;

    for (int i = 0; i < nthr; i++) {
        args[i] = (struct thread_arg){ .slot = 64 + i, .n = n };
        pthread_create(&thr[i], NULL, thread_main, &args[i]);
    }
    for (int i = 0; i < nthr; i++) {
        pthread_join(thr[i], NULL);
        bad += args[i].bad;
    }
    return bad;
}

static void check_threads(int nthr, uint64_t n)
{
    struct bdt_stats a, b;
    int bad;

    open_channel();
    stats(7, &a);
    bad = run_threads(nthr, n);
    stats(7, &b);
    result(bad == 0, "%d threads: own slots undisturbed", nthr);
    result(b.commands - a.commands == 2 * nthr * n + 1 &&
           b.seq_ok - a.seq_ok == nthr * n && b.seq_bad == a.seq_bad,
           "%d threads: all commands delivered once, in order", nthr);
    result(b.overlaps == 0, "%d threads: no overlapping callbacks", nthr);
}

/*
 * The library in parallel mode (BDT_PARALLEL=1 in QEMU's environment):
 * @nthr threads, each pinned to a vCPU, still get every command once and
 * in order; then two calls that wait for each other inside the library
 * either meet (@meet: the calls ran at the same time) or time out after
 * 2 s each (the device's calls are serialised: the BQL).
 */
static int meet_ready;

static void *meet_main(void *opaque)
{
    struct thread_arg *t = opaque;

    pin(t->slot);
    /*
     * Both threads on their vCPUs before either calls: a call that waits
     * holds its vCPU, which must not be the one the other thread still
     * has to run on (or be moved from) to make its call.  They spin: a
     * thread that slept here would need the guest kernel to wake it on
     * its idle vCPU, which under TCG now and then takes a second or more
     * (the other call's wait is 2 s).
     */
    __atomic_fetch_add(&meet_ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&meet_ready, __ATOMIC_ACQUIRE) < 2) {
        /* spin */
    }
    slot_words(t->slot)[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_MEET, t->slot, 2));
    return NULL;
}

static shared64 *map_ctrl(void);
static uint64_t read_count(shared64 *ctrl);

static void check_parallel(int nthr, uint64_t n, bool meet)
{
    struct thread_arg args[2];
    pthread_t thr[2];
    struct bdt_stats a, b;
    shared64 *ctrl = map_ctrl();
    uint64_t count = 0;
    int bad, met;

    open_channel();
    stats(7, &a);
    count = ctrl ? read_count(ctrl) : 0;
    bad = run_threads(nthr, n);
    count = ctrl ? read_count(ctrl) - count : 0;
    stats(7, &b);
    result(count == 2 * nthr * n, "parallel mode, %d threads: COUNT went "
           "up by the %llu commands of every vCPU (%llu)", nthr,
           (unsigned long long)(2 * nthr * n), (unsigned long long)count);
    result(bad == 0, "parallel mode, %d threads: own slots undisturbed",
           nthr);
    result(b.commands - a.commands == 2 * nthr * n + 1 &&
           b.seq_ok - a.seq_ok == nthr * n && b.seq_bad == a.seq_bad,
           "parallel mode, %d threads: all commands delivered once, in "
           "order", nthr);
    printf("# parallel mode: %llu of %llu calls overlapped another\n",
           (unsigned long long)(b.overlaps - a.overlaps),
           (unsigned long long)(2 * nthr * n));

    meet_ready = 0;
    for (int i = 0; i < 2; i++) {
        args[i] = (struct thread_arg){ .slot = 80 + i };
        pthread_create(&thr[i], NULL, meet_main, &args[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(thr[i], NULL);
    }
    met = slot_words(80)[1] == 0 && slot_words(81)[1] == 0;
    if (meet) {
        result(met, "parallel mode: two calls on two vCPUs ran at the "
               "same time in the library");
    } else {
        result(!met && slot_words(80)[1] != 42 && slot_words(81)[1] != 42,
               "parallel mode: the device's calls are still serialised "
               "(two calls that wait for each other time out)");
    }
}

/* the library writes into, and reads from, guest virtual addresses */
static void check_guest_memory(void)
{
    static shared64 target;
    uint64_t *heap = malloc(64);
    struct bdt_stats a;
    shared64 *w;
    void *hole;

    open_channel();
    stats(10, &a);
    w = slot_words(8);
    target = 1;
    w[0] = 0x1122334455667788ULL;
    w[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_WRITE_GUEST, 8, (uintptr_t)&target));
    result(w[1] == 0 && target == 0x1122334455667788ULL,
           "WRITE_GUEST: the library wrote a guest variable by its "
           "virtual address (0x%llx)", (unsigned long long)target);

    heap[3] = 0xa5a5f00dULL;
    w[0] = 0;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, 8, (uintptr_t)&heap[3]));
    result(w[1] == 0 && w[0] == 0xa5a5f00dULL,
           "READ_GUEST: the library read guest heap memory");

    /* an unmapped page: the helper fails, nothing breaks */
    hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 4096);
    w[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_WRITE_GUEST, 8, (uintptr_t)hole));
    result(w[1] == (uint64_t)-1, "WRITE_GUEST to an unmapped address "
           "fails cleanly");
    saw(10, &a, 3, BDT_CMD(BDT_OP_WRITE_GUEST, 8, (uintptr_t)hole),
        "guest memory");
    free(heap);
}

/*
 * Open the file @name of the sysfs folder of the first PCI device
 * @vendor:@device (found by its PCI_ID in uevent), or return -1
 */
static int open_pci_file(unsigned long vendor, unsigned long device,
                         const char *name)
{
    char path[512], buf[64];
    struct dirent *de;
    int fd = -1;
    DIR *d;

    d = opendir("/sys/bus/pci/devices");
    while (d && (de = readdir(d))) {
        unsigned long v = 0, dev = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/uevent",
                 de->d_name);
        f = fopen(path, "r");
        if (!f) {
            continue;
        }
        while (fgets(buf, sizeof(buf), f) &&
               sscanf(buf, "PCI_ID=%lx:%lx", &v, &dev) != 2) {
            continue;
        }
        fclose(f);
        if (v == vendor && dev == device) {
            snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s",
                     de->d_name, name);
            fd = open(path, O_RDWR);
            break;
        }
    }
    if (d) {
        closedir(d);
    }
    return fd;
}

/* The same, of the backdoor device */
static int open_device_file(const char *name)
{
    return open_pci_file(QEMU_BACKDOOR_PCI_VENDOR, QEMU_BACKDOOR_PCI_DEVICE,
                         name);
}

/* Map the control BAR ourselves (its registers; our own stores) */
static shared64 *map_ctrl(void)
{
    char name[32];
    int fd;
    void *p;

    snprintf(name, sizeof(name), "resource%d", QEMU_BACKDOOR_CTRL_BAR);
    fd = open_device_file(name);
    if (fd < 0) {
        return NULL;
    }
    p = mmap(NULL, QEMU_BACKDOOR_CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
             fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

/* Register COUNT: commands since reset, from every vCPU */
static uint64_t read_count(shared64 *ctrl)
{
    return le64toh(ctrl[QEMU_BACKDOOR_CTRL_COUNT / 8]);
}

#ifdef __x86_64__
/*
 * The library sets rax in the callback.  The guest sees the new value
 * when the store ends QEMU's translation block: "rep stosq" (what the
 * guest library uses on x86_64 in system mode) or a store followed by a
 * branch (its other path).  A plain store alone may leave TCG with the
 * value it had cached.
 */
static void check_set_reg(void)
{
    shared64 *ctrl = map_ctrl();
    shared64 *w, *cmd_reg;
    uint64_t rax, want = 0x0123456789abcdefULL;
    uint64_t count = 1;
    struct bdt_stats a;
    void *dst;

    open_channel();
    stats(10, &a);
    w = slot_words(9);
    if (!ctrl) {
        result(0, "SET_REG: map the control BAR: %s", strerror(errno));
        return;
    }
    cmd_reg = ctrl + QEMU_BACKDOOR_CTRL_CMD / 8;
    dst = (void *)cmd_reg;

    w[0] = want;
    w[1] = 42;
    rax = BDT_CMD(BDT_OP_SET_REG, 9, 0);
    __asm__ __volatile__("rep stosq"
                         : "+a"(rax), "+D"(dst), "+c"(count)
                         : : "memory");
    result(w[1] == 0 && rax == want, "SET_REG: the guest reads the rax the "
           "library set, after rep stosq (0x%llx)", (unsigned long long)rax);

    w[0] = ++want;
    __asm__ __volatile__("movq %1, (%2)\n\tjmp 1f\n1:"
                         : "=a"(rax)
                         : "r"(BDT_CMD(BDT_OP_SET_REG, 9, 0)),
                           "r"(cmd_reg), "0"(0xdeadULL)
                         : "memory");
    result(rax == want, "SET_REG: the guest reads the rax the library set, "
           "after a store and a branch (0x%llx)", (unsigned long long)rax);

    w[0] = ++want;
    __asm__ __volatile__("movq %1, (%2)\n\t"
                         : "=a"(rax)
                         : "r"(BDT_CMD(BDT_OP_SET_REG, 9, 0)),
                           "r"(cmd_reg), "0"(0xdeadULL)
                         : "memory");
    printf("# SET_REG with a plain store: rax 0x%llx (%s)\n",
           (unsigned long long)rax,
           rax == want ? "new value" : "stale value");
    saw(10, &a, 3, BDT_CMD(BDT_OP_SET_REG, 9, 0), "SET_REG");
}
#else
/*
 * Elsewhere the library sets the register that holds a function's
 * result (x0 on aarch64), and the guest library's store returns it.
 */
static void check_set_reg(void)
{
    shared64 *w;
    uint64_t ret, want = 0x0123456789abcdefULL;
    struct bdt_stats a;

    open_channel();
    stats(10, &a);
    w = slot_words(9);
    w[0] = want;
    w[1] = 42;
    ret = qemu_backdoor_call(BDT_CMD(BDT_OP_SET_REG, 9, 0));
    result(w[1] == 0 && ret == want, "SET_REG: qemu_backdoor_call() returns "
           "the register the library set (0x%llx)", (unsigned long long)ret);
    w[0] = ++want;
    ret = qemu_backdoor_call(BDT_CMD(BDT_OP_SET_REG, 9, 0));
    result(ret == want, "SET_REG: and again, with another value (0x%llx)",
           (unsigned long long)ret);
    saw(10, &a, 2, BDT_CMD(BDT_OP_SET_REG, 9, 0), "SET_REG");
}
#endif

/* qemu_backdoor_init as a user without privileges: EACCES */
static void check_nonroot(void)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        if (setgid(65534) || setuid(65534)) {
            _exit(2);
        }
        errno = 0;
        _exit(qemu_backdoor_init(NULL) == -1 && errno == EACCES ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "not root: qemu_backdoor_init fails with EACCES");
}

/*
 * Turn the device's memory decoding off behind the guest library's back
 * (as firmware that leaves unused devices disabled would), then open the
 * channel: the library must turn it on again.
 */
static void check_decode_off(void)
{
    int fd = open_device_file("config"), ok;
    unsigned char cmd = 0;

    if (fd < 0 || pread(fd, &cmd, 1, 4) != 1) {
        result(0, "decoding off: read the command register");
        return;
    }
    cmd &= ~2;
    ok = pwrite(fd, &cmd, 1, 4) == 1 && pread(fd, &cmd, 1, 4) == 1 &&
         !(cmd & 2);
    result(ok, "decoding off: memory decoding turned off");
    open_channel();
    ok = pread(fd, &cmd, 1, 4) == 1 && (cmd & 2);
    close(fd);
    result(ok, "decoding off: qemu_backdoor_init turned it back on");
    result(qemu_backdoor_data_size() >= BDT_SLOTS * BDT_SLOT_SIZE,
           "decoding off: the data size reads right (%llu)",
           (unsigned long long)qemu_backdoor_data_size());
    qemu_backdoor_fini();
    check_xor();
}

/*
 * Batched records: 100,000 records of 0 to 60 bytes through a 4 KiB batch
 * at 64 KiB into the data channel, each checked by the library; odd ones
 * written in place (qemu_backdoor_batch_reserve), even ones by copy
 */
static void check_batch(void)
{
    const uint64_t off = 65536, size = 4096, n = 100000;
    struct qemu_backdoor_batch b;
    struct bdt_stats a, z;
    uint8_t rec[64];
    int ok = 1;

    open_channel();
    qemu_backdoor(BDT_CMD(BDT_OP_RESET, 0, 0));
    stats(10, &a);
    slot_words(11)[0] = size;
    if (qemu_backdoor_batch_init(&b, off, size,
                                 BDT_CMD(BDT_OP_BATCH, 11, off))) {
        result(0, "batch: qemu_backdoor_batch_init: %s", strerror(errno));
        return;
    }
    for (uint32_t tag = 0; ok && tag < n; tag++) {
        uint8_t *p = tag & 1 ? qemu_backdoor_batch_reserve(&b, tag,
                                                           BDT_RECORD_LEN(tag))
                             : rec;

        ok = p != NULL;
        for (size_t i = 0; ok && i < BDT_RECORD_LEN(tag); i++) {
            p[i] = BDT_RECORD_BYTE(tag, i);
        }
        if (ok && !(tag & 1)) {
            ok = !qemu_backdoor_batch_add(&b, tag, rec, BDT_RECORD_LEN(tag));
        }
    }
    qemu_backdoor_batch_flush(&b);
    stats(10, &z);
    result(ok && z.records_ok == n && z.records_bad == 0,
           "batch: %llu records arrived in order, each once, with their "
           "bytes (ok %llu, bad %llu)", (unsigned long long)n,
           (unsigned long long)z.records_ok,
           (unsigned long long)z.records_bad);
    result(z.commands - a.commands < n / 50, "batch: in %llu commands",
           (unsigned long long)(z.commands - a.commands - 1));
}

/*
 * Slots (qemu_backdoor_slot()): @k threads, not pinned, so that the
 * scheduler moves them between vCPUs, and a forked process take a slot
 * each and send @n commands each; every command finds its sender's data
 */
static void *slot_main(void *opaque)
{
    struct thread_arg *t = opaque;
    shared64 *p = qemu_backdoor_slot(&t->slot);

    if (!p) {
        t->bad = t->n;
        return NULL;
    }
    for (uint64_t i = 0; i < t->n; i++) {
        uint64_t v = (uint64_t)t->slot << 48 | i;

        p[0] = v;
        qemu_backdoor(BDT_CMD(BDT_OP_ABI_SLOT, 0, t->slot));
        t->bad += p[0] != (v ^ BDT_SLOT_XOR);
    }
    return NULL;
}

static void check_slots(uint64_t n, int k)
{
    struct thread_arg args[16], mine = { .n = n };
    pthread_t thr[16];
    uint8_t *data;
    uint64_t size, bad = 0;
    int distinct = 1, status = -1;
    pid_t pid;

    open_channel();
    data = qemu_backdoor_data();
    size = qemu_backdoor_data_size();
    /* the other checks' test-library slots wrote over the slots' heads */
    for (uint64_t s = 0; s < QEMU_BACKDOOR_SLOTS(size); s++) {
        memset(data + s * QEMU_BACKDOOR_SLOT_SIZE(size), 0,
               QEMU_BACKDOOR_SLOT_HEAD);
    }
    k = k > 16 ? 16 : k;
    pid = fork();
    if (pid == 0) {
        slot_main(&mine);
        _exit(mine.bad ? 1 : 0);
    }
    for (int i = 0; i < k; i++) {
        args[i] = (struct thread_arg){ .n = n };
        pthread_create(&thr[i], NULL, slot_main, &args[i]);
    }
    for (int i = 0; i < k; i++) {
        pthread_join(thr[i], NULL);
        bad += args[i].bad;
        for (int j = 0; j < i; j++) {
            distinct &= args[i].slot != args[j].slot;
        }
    }
    waitpid(pid, &status, 0);
    result(bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "slots: %d threads and a process, %llu commands each, found "
           "their own data (%llu wrong)", k, (unsigned long long)n,
           (unsigned long long)bad);
    result(distinct, "slots: the %d threads hold different slots", k);
}

/*
 * Guest memory whose host file shrinks under it: ivshmem-plain's BAR 2
 * over a memory-backend-file that the host script truncates when this
 * prints TRUNCATE-NOW, then it writes a line to the second serial port.
 * The library's READ_GUEST and WRITE_GUEST of that memory fail instead
 * of killing QEMU with SIGBUS, and the channel keeps working.
 */
static void check_truncated(void)
{
    /* ivshmem-plain: 1af4:1110, the shared memory in BAR 2 */
    int fd = open_pci_file(0x1af4, 0x1110, "resource2");
    struct bdt_stats a;
    char line[16];
    shared64 *w;
    void *shm;
    int tty;

    if (fd < 0) {
        result(0, "truncated: no ivshmem-plain device");
        return;
    }
    shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (shm == MAP_FAILED) {
        result(0, "truncated: mmap ivshmem's BAR 2: %s", strerror(errno));
        return;
    }
    open_channel();
    stats(10, &a);
    w = slot_words(8);
    w[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, 8, (uintptr_t)shm));
    result(w[1] == 0, "truncated: READ_GUEST of file-backed guest memory");

    tty = open("/dev/ttyS1", O_RDONLY | O_NOCTTY);
    printf("TRUNCATE-NOW\n");
    fflush(stdout);
    if (tty < 0 || read(tty, line, sizeof(line)) <= 0) {
        result(0, "truncated: wait on /dev/ttyS1: %s", strerror(errno));
        return;
    }
    close(tty);

    w[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, 8, (uintptr_t)shm));
    result(w[1] == (uint64_t)-1, "truncated: READ_GUEST of memory past "
           "the end of its host file fails");
    w[0] = 0x600d;
    w[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_WRITE_GUEST, 8, (uintptr_t)shm + 64));
    result(w[1] == (uint64_t)-1, "truncated: WRITE_GUEST of it fails");
    saw(10, &a, 3, BDT_CMD(BDT_OP_WRITE_GUEST, 8, (uintptr_t)shm + 64),
        "truncated");
}

/*
 * exit() in the callback of one vCPU while a parallel call on the other
 * reads guest memory that is MMIO (BAR 0 of a pci-testdev): that read
 * takes the BQL, which QEMU's exit path holds.  QEMU must still exit,
 * with exit()'s status (the library exits with 99 instead if the read
 * was not running then): the test checks that.  The program returns
 * only when QEMU did not exit.
 */
static int reader_started;

static void *reader_main(void *opaque)
{
    pin(0);
    slot_words(90)[0] = 2000;
    __atomic_store_n(&reader_started, 1, __ATOMIC_RELEASE);
    qemu_backdoor(BDT_CMD(BDT_OP_READ_FOR, 90, (uintptr_t)opaque));
    return NULL;
}

static void check_exit_mmio(int status)
{
    int fd = open_pci_file(0x1b36, 0x0005, "resource0");
    void *mmio = fd < 0 ? MAP_FAILED :
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    shared64 *w;
    struct timespec t0, t;
    pthread_t thr;

    if (mmio == MAP_FAILED) {
        result(0, "exit-mmio: map BAR 0 of the pci-testdev");
        return;
    }
    open_channel();
    /* the library can read that memory: 10 ms of reads, all good */
    w = slot_words(90);
    w[0] = 10;
    w[1] = 42;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_FOR, 90, (uintptr_t)mmio));
    result(w[1] == 0 && w[0] > 0, "exit-mmio: the library reads the "
           "pci-testdev's MMIO BAR (%llu reads)", (unsigned long long)w[0]);
    printf("# exit-mmio: exit(%d) while the other vCPU reads MMIO\n",
           status);
    pthread_create(&thr, NULL, reader_main, mmio);
    pin(1);
    /* spin, not sleep: see meet_main() */
    while (!__atomic_load_n(&reader_started, __ATOMIC_ACQUIRE)) {
        /* spin */
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000000000LL +
             (t.tv_nsec - t0.tv_nsec) < 300000000LL);
    qemu_backdoor(BDT_CMD(BDT_OP_EXIT, 91, status));
    pthread_join(thr, NULL);
    result(0, "exit-mmio: QEMU exited in the library's exit()");
}

/* where there is no device: ENODEV, with or without a user-mode path */
static int check_nodev(void)
{
    int ok;

    errno = 0;
    ok = qemu_backdoor_init(NULL) == -1 && errno == ENODEV;
    errno = 0;
    ok &= qemu_backdoor_init("/nonexistent/backdoor") == -1 &&
          errno == ENODEV;
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    unsigned long long n = 1000;
    int k = 4;

    if ((argc > 2 && sscanf(argv[2], "%llu", &n) != 1) ||
        (argc > 3 && sscanf(argv[3], "%d", &k) != 1)) {
        fprintf(stderr, "%s: bad number\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(what, "nodev")) {
        return check_nodev();
    } else if (!strcmp(what, "seed")) {
        check_seed();
    } else if (!strcmp(what, "basics")) {
        check_basics();
    } else if (!strcmp(what, "xor")) {
        check_xor();
    } else if (!strcmp(what, "seq")) {
        check_seq(n);
    } else if (!strcmp(what, "procs")) {
        check_procs(k > 64 ? 64 : k, n);
    } else if (!strcmp(what, "threads")) {
        check_threads(k > 64 ? 64 : k, n);
    } else if (!strcmp(what, "parallel") || !strcmp(what, "serialised")) {
        check_parallel(k > 64 ? 64 : k, n, !strcmp(what, "parallel"));
    } else if (!strcmp(what, "memory")) {
        check_guest_memory();
    } else if (!strcmp(what, "set-reg")) {
        check_set_reg();
    } else if (!strcmp(what, "decode-off")) {
        check_decode_off();
    } else if (!strcmp(what, "nonroot")) {
        check_nonroot();
    } else if (!strcmp(what, "truncated")) {
        check_truncated();
    } else if (!strcmp(what, "batch")) {
        check_batch();
    } else if (!strcmp(what, "slots")) {
        check_slots(n, k);
    } else if (!strcmp(what, "exit-mmio")) {
        check_exit_mmio(n);
    } else {
        fprintf(stderr, "usage: %s seed|basics|xor|seq N|procs N K|"
                "threads N K|parallel N K|serialised N K|memory|set-reg|"
                "decode-off|nonroot|truncated|batch|slots N K|"
                "exit-mmio STATUS|nodev\n",
                argv[0]);
        return 2;
    }
    return failures ? 1 : 0;
}
