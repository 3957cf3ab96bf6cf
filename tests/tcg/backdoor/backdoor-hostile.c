/*
 * Backdoor channel, user mode: a guest that attacks QEMU's side
 *
 *   QEMU_BACKDOOR=DIR qemu-<arch> backdoor-hostile DIR [TEST]
 *
 * Guest and QEMU share one address space and one file descriptor table.
 * QEMU's own mapping of DIR/data and the descriptors it keeps must be out
 * of the guest's reach, a guest page that cannot be read (a truncated
 * file) must make the library's helpers fail rather than QEMU, what the
 * library printed must not be duplicated by fork (nor may the flush
 * before fork hang), a forked child's helpers reach its own memory, the
 * channel's
 * environment must not leak into the guest's, and only the real control
 * file may ever be a control mapping.  TEST runs one of them alone.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "bdtest.h"
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/shm.h>
#include <sys/wait.h>

static const char *dir;

/*
 * The guest's and QEMU's mappings of DIR/data, from /proc/self/map_files
 * (host addresses, which a 32-bit guest may not be able to name)
 */
static int find_data_mappings(unsigned long long *starts,
                              unsigned long long *ends, int max)
{
    char want[PATH_MAX], path[PATH_MAX + 32], link[PATH_MAX];
    DIR *d = opendir("/proc/self/map_files");
    struct dirent *e;
    int n = 0;

    snprintf(path, sizeof(path), "%s/" QEMU_BACKDOOR_DATA_FILE, dir);
    if (!d || !realpath(path, want)) {
        return -1;
    }
    while ((e = readdir(d)) && n < max) {
        ssize_t len;

        snprintf(path, sizeof(path), "/proc/self/map_files/%s", e->d_name);
        len = readlink(path, link, sizeof(link) - 1);
        if (len < 0) {
            continue;
        }
        link[len] = 0;
        if (!strcmp(link, want) &&
            sscanf(e->d_name, "%llx-%llx", &starts[n], &ends[n]) == 2) {
            n++;
        }
    }
    closedir(d);
    return n;
}

/* @failed: whether the system call @what failed, as it must */
static void fails(int failed, const char *what)
{
    int err = errno;

    check(failed, "%s fails (%s)", what, failed ? strerror(err) : "it did not");
}

/* XOR a pattern through the library: the data channel still works */
static int data_channel_works(void)
{
    uint8_t *d = (uint8_t *)slot(3);

    memset(d, 0x0f, 16);
    qemu_backdoor(BDT_CMD(BDT_OP_XOR, 3, 16));
    for (int i = 0; i < 16; i++) {
        if (d[i] != (0x0f ^ 0x5a)) {
            return 0;
        }
    }
    return 1;
}

static void test_qemu_mapping(void)
{
    unsigned long long starts[8], ends[8], q = 0;
    uintptr_t guest = (uintptr_t)qemu_backdoor_data();
    size_t size = 0;
    void *qp;
    int n = find_data_mappings(starts, ends, 8), id;

    for (int i = 0; i < n; i++) {
        if (starts[i] != guest) {
            q = starts[i];
            size = ends[i] - starts[i];
        }
    }
    check(n == 2 && q, "QEMU's mapping of DIR/data found beside the "
          "guest's (%d mappings)", n);
    if (!q) {
        return;
    }
    if (q + size - 1 > UINTPTR_MAX) {
        check(data_channel_works(), "QEMU's mapping is beyond the guest's "
              "address space; the data channel works");
        return;
    }
    qp = (void *)(uintptr_t)q;
    fails(munmap(qp, size) == -1, "munmap of QEMU's mapping");
    fails(mprotect(qp, 4096, PROT_NONE) == -1,
          "mprotect of QEMU's mapping");
    fails(mremap(qp, size, 2 * size, MREMAP_MAYMOVE) == MAP_FAILED,
          "mremap of QEMU's mapping");
    fails(mmap(qp, 4096, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED,
          "mmap(MAP_FIXED) over QEMU's mapping");
    fails(mremap(qemu_backdoor_data(), 4096, 4096,
                 MREMAP_MAYMOVE | MREMAP_FIXED, qp) == MAP_FAILED,
          "mremap onto QEMU's mapping");
    id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    fails(id >= 0 && shmat(id, qp, SHM_REMAP) == (void *)-1,
          "shmat(SHM_REMAP) over QEMU's mapping");
    shmctl(id, IPC_RMID, NULL);
    check(data_channel_works(), "the data channel still works");
}

/* a guest page backed by a file the guest truncated */
static void test_truncated_page(void)
{
    char path[PATH_MAX];
    uint64_t *s = slot(4);
    uint8_t *p;
    int fd;

    snprintf(path, sizeof(path), "%s/truncated", dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 8192) < 0) {
        check(0, "create %s: %s", path, strerror(errno));
        return;
    }
    p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    p[4096] = 1;
    if (ftruncate(fd, 0) < 0) {
        check(0, "truncate %s: %s", path, strerror(errno));
        return;
    }
    s[1] = 0;
    qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, 4, (uintptr_t)p + 4096));
    check(s[1] == (uint64_t)-1, "qemu_backdoor_read_guest() of a truncated "
          "file's page returns -1 (%" PRId64 ")", (int64_t)s[1]);
    s[0] = 0x1234;
    s[1] = 0;
    qemu_backdoor(BDT_CMD(BDT_OP_WRITE_GUEST, 4, (uintptr_t)p));
    check(s[1] == (uint64_t)-1, "qemu_backdoor_write_guest() to it returns "
          "-1 (%" PRId64 ")", (int64_t)s[1]);
    check(data_channel_works(), "QEMU carries on");
    munmap(p, 8192);
    close(fd);
    unlink(path);
}

/*
 * What the library printed before a fork is printed once: a child writes
 * its prints into a file and forks a grandchild that exits at once.
 */
static void test_fork_prints_once(void)
{
    char path[PATH_MAX], buf[256];
    int fd, status, lines = 0;
    ssize_t len;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/prints", dir);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0) {
            _exit(2);
        }
        qemu_backdoor(BDT_CMD(BDT_OP_PRINT, 0, 42));
        pid = fork();
        if (pid == 0) {
            _exit(0);
        }
        waitpid(pid, &status, 0);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    fd = open(path, O_RDONLY);
    len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    buf[len > 0 ? len : 0] = 0;
    for (char *p = buf; (p = strstr(p, "bdt-print 42\n")); p++) {
        lines++;
    }
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0 && lines == 1,
          "a print of the library before a fork comes out once (%d times)",
          lines);
    close(fd);
    unlink(path);
}

static void test_environment(void)
{
    check(!getenv("QEMU_BACKDOOR") && !getenv("QEMU_BACKDOOR_SIZE"),
          "QEMU_BACKDOOR and QEMU_BACKDOOR_SIZE are not in the guest's "
          "environment");
}

static void test_close_all(void)
{
    int dfd, low = 0;

    /* shells put files on fixed low numbers */
    for (int fd = 3; fd < 16; fd++) {
        low += dup2(1, fd) == fd;
    }
    check(low == 13, "dup2 onto descriptors 3 to 15 works (%d of 13)", low);
    for (int fd = 3; fd < 1024; fd++) {
        flock(fd, LOCK_UN);
        fcntl(fd, F_SETFD, 0);
        close(fd);
    }
    close_range(3, ~0U, 0);
    check(data_channel_works(), "the channel works after the guest closed "
          "every descriptor from 3");
    check(map_ctrl(dir, CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0)
          != MAP_FAILED, "the control file can still be mapped");
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    check(dfd >= 0 && flock(dfd, LOCK_EX | LOCK_NB) == -1 &&
          errno == EWOULDBLOCK, "QEMU still holds DIR's lock");
    close(dfd);
}

/*
 * Once DIR/control is unlinked and unmapped, a new file that gets its
 * inode number is an ordinary file: a store into a shared mapping of it
 * reaches the file.  Closes the channel.
 */
static void test_inode_reuse(void)
{
    char path[PATH_MAX];
    struct stat st;
    ino_t ino;
    int reused = -1;

    snprintf(path, sizeof(path), "%s/" QEMU_BACKDOOR_CTRL_FILE, dir);
    if (stat(path, &st) < 0 || qemu_backdoor_fini() < 0 || unlink(path) < 0) {
        check(0, "unlink %s: %s", path, strerror(errno));
        return;
    }
    ino = st.st_ino;
    for (int i = 0; i < 64 && reused < 0; i++) {
        uint64_t v = 0;
        int fd;

        snprintf(path, sizeof(path), "%s/reuse-%d", dir, i);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == ino &&
            ftruncate(fd, 4096) == 0) {
            uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                              MAP_SHARED, fd, 0);

            st8(p + QEMU_BACKDOOR_CTRL_CMD, 0x1122334455667788ULL);
            reused = pread(fd, &v, 8, QEMU_BACKDOOR_CTRL_CMD) == 8 &&
                     v == 0x1122334455667788ULL;
            munmap(p, 4096);
        }
        close(fd);
    }
    if (reused < 0) {
        printf("# the control file's inode number was not reused\n");
    }
    check(reused != 0, "a file with the control file's old inode number "
          "is an ordinary file");
}

/*
 * In a forked child, the library's guest memory helpers reach the
 * child's memory, not the parent's.
 */
static void test_fork_memory(void)
{
    static volatile uint64_t var = 1;   /* volatile: the library writes it */
    uint64_t *s = slot(5);
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        s[0] = 0xdeadbeef;
        qemu_backdoor(BDT_CMD(BDT_OP_WRITE_GUEST, 5, (uintptr_t)&var));
        if (s[1] != 0 || var != 0xdeadbeef) {
            _exit(1);
        }
        var = 0x5678;
        qemu_backdoor(BDT_CMD(BDT_OP_READ_GUEST, 5, (uintptr_t)&var));
        _exit(s[1] == 0 && s[0] == 0x5678 ? 0 : 2);
    }
    waitpid(pid, &status, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0 && var == 1,
          "a forked child's qemu_backdoor_read/write_guest() reach the "
          "child's memory (status %d, parent's variable 0x%" PRIx64 ")",
          status, (uint64_t)var);
}

static int pipe_fds[2];

static void *drain(void *arg)
{
    static char buf[65536];

    usleep(200000);
    while (read(pipe_fds[0], buf, sizeof(buf)) > 0) {
        continue;
    }
    return NULL;
}

/*
 * fork() while stdout is a full pipe that another thread drains, with
 * output of the library waiting in QEMU's buffer: QEMU's flush before
 * the fork must not stop the thread that would drain it.
 */
static void test_fork_full_pipe(void)
{
    static char junk[4096];
    int status = -1, flags, i;
    pthread_t th;
    pid_t pid, child;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        if (pipe(pipe_fds) < 0 || dup2(pipe_fds[1], 1) < 0) {
            _exit(2);
        }
        qemu_backdoor(BDT_CMD(BDT_OP_PRINT, 0, 42));
        flags = fcntl(pipe_fds[1], F_GETFL);
        fcntl(pipe_fds[1], F_SETFL, flags | O_NONBLOCK);
        while (write(pipe_fds[1], junk, sizeof(junk)) > 0) {
            continue;
        }
        fcntl(pipe_fds[1], F_SETFL, flags);
        pthread_create(&th, NULL, drain, NULL);
        child = fork();
        if (child == 0) {
            _exit(0);
        }
        waitpid(child, NULL, 0);
        _exit(0);
    }
    for (i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++) {
        usleep(100000);
    }
    if (i == 300) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    check(i < 300 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "fork() returns while stdout is a full pipe another thread drains");
}

/*
 * Mappings at the edges: an mremap of old size 0 copies only the mapping
 * at its address; PROT_WRITE needs a descriptor open for writing; a
 * store that also writes the page beside the control page is not lost.
 */
static void test_mapping_edges(void)
{
    char path[PATH_MAX];
    uint8_t *a, *c, *d;
    uint64_t v = 0, before;
    int mfd, fd, sig;

    snprintf(path, sizeof(path), "%s/" QEMU_BACKDOOR_CTRL_FILE, dir);
    mfd = memfd_create("bd", 0);
    fd = open(path, O_RDWR);
    a = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mfd < 0 || fd < 0 || a == MAP_FAILED || ftruncate(mfd, 8192) < 0) {
        check(0, "mapping edges: set-up: %s", strerror(errno));
        return;
    }
    mmap(a, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, mfd, 0);
    c = mmap(a + 4096, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
             fd, 0);
    d = mremap(a, 0, 8192, MREMAP_MAYMOVE);
    before = commands();
#ifdef QEMU_BASE_10_0
    sig = trap(st8_fn, d + 4096 + 8, 0x1234);
    pread(mfd, &v, 8, 4096 + 8);
    check(d != MAP_FAILED && sig == 0 && v == 0x1234 && commands() == before,
          "mremap(old size 0) of the mapping before a control page copies "
          "no control page");
#else
    /* QEMU 10.2.2 fails mremap(old size 0) with EFAULT: nothing to copy */
    if (d == MAP_FAILED) {
        check(errno == EFAULT && commands() == before,
              "mremap(old size 0) of the mapping before a control page "
              "fails, and copies no control page");
    } else {
        sig = trap(st8_fn, d + 4096 + 8, 0x1234);
        pread(mfd, &v, 8, 4096 + 8);
        check(sig == 0 && v == 0x1234 && commands() == before,
              "mremap(old size 0) of the mapping before a control page "
              "copies no control page");
    }
#endif

    memset(a + 8192, 0x11, 4096);
    sig = trap(st8_fn, c + 4092, 0x3333333333333333ULL);
    check((sig == SIGSEGV || sig == SIGBUS || a[8192] == 0x33) &&
          commands() == before, "a store across the end of the control page "
          "is not dropped (signal %d)", sig);

    close(fd);
    fd = open(path, O_RDONLY);
    c = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    fails(c != MAP_FAILED && mprotect(c, 4096, PROT_READ | PROT_WRITE) == -1 &&
          errno == EACCES, "mprotect(PROT_WRITE) of a mapping from an "
          "O_RDONLY descriptor");
    close(fd);
    fd = open(path, O_PATH);
    fails(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED,
          "mmap of an O_PATH descriptor");
    close(fd);
    close(mfd);
}

static const struct {
    const char *name;
    void (*fn)(void);
    int commands;       /* that the parent's library sees; -1: closes */
} tests[] = {
    { "environment", test_environment, 0 },
    { "qemu-mapping", test_qemu_mapping, 1 },
    { "truncated-page", test_truncated_page, 3 },
    { "fork-prints-once", test_fork_prints_once, 0 },
    { "fork-memory", test_fork_memory, 0 },
    { "fork-full-pipe", test_fork_full_pipe, 0 },
    { "mapping-edges", test_mapping_edges, 0 },
    { "close-all", test_close_all, 1 },
    { "inode-reuse", test_inode_reuse, -1 },
};

static int selected(int argc, char **argv, int i)
{
    return argc < 3 || !strcmp(argv[2], tests[i].name);
}

int main(int argc, char **argv)
{
    int n = sizeof(tests) / sizeof(tests[0]);
    struct bdt_stats s;
    int sent = 0;

    dir = argv[1];
    bdt_open(dir);
    for (int i = 0; i < n; i++) {
        if (tests[i].commands >= 0 && selected(argc, argv, i)) {
            tests[i].fn();
            sent += tests[i].commands;
        }
    }
    s = stats(0);
    check(s.bad_ops == 0 && s.commands == sent + bdt_queries,
          "the library saw exactly the commands sent (%" PRIu64 ")",
          s.commands);
    for (int i = 0; i < n; i++) {
        if (tests[i].commands < 0 && selected(argc, argv, i)) {
            tests[i].fn();
        }
    }
    return bdt_exit();
}
