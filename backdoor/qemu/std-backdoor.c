/*
 * Backdoor channel: the standard command set
 *
 * The commands of backdoor/guest/qemu-backdoor-std.h, which the built-in
 * library implements and a user library may keep by chaining to
 * qemu_backdoor_std() (docs/devel/backdoor.rst).  Two environment
 * variables configure them, in both modes:
 *
 *   QEMU_BACKDOOR_LOG=FILE     PRINT appends to FILE instead of stderr
 *   QEMU_BACKDOOR_SHARE=DIR    PUT and GET copy files inside DIR (without
 *                              it they fail with EACCES)
 *
 * Everything the guest wrote is hostile: the request is copied out of the
 * data channel once, every length and offset is checked against the
 * channel's size, and names may not leave DIR.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "backdoor/qemu/qemu-backdoor.h"
#include "backdoor/guest/qemu-backdoor-std.h"
#include "qemu/units.h"
#include "exec/tswap.h"
#ifndef CONFIG_USER_ONLY
#include "hw/core/cpu.h"
#ifdef QEMU_BASE_10_0
#include "system/cpu-timers.h"
#else
#include "exec/icount.h"
#endif
#endif
#ifdef CONFIG_LINUX
#include <sys/syscall.h>
#include <linux/openat2.h>
#endif

#define STD_WORDS       (QEMU_BACKDOOR_STD_PAYLOAD / 8)
#define STD_PRINT_MAX   (64 * KiB)

static uint64_t std_size;
static char *std_log;
static char *std_share;

/*
 * what the report at exit says where QEMU does not count instructions: in
 * system mode where they are counted, in user mode nothing
 */
#ifdef CONFIG_USER_ONLY
#define STD_NO_ICOUNT   ""
#else
#define STD_NO_ICOUNT   " (guest instructions are counted with -icount, " \
                        "under TCG)"
#endif

/*
 * regions of interest, in host CLOCK_MONOTONIC nanoseconds and, where
 * QEMU counts them (std_icount()), guest instructions
 */
static bool std_roi_open;
static int64_t std_roi_start;
static int64_t std_roi_total;
static uint64_t std_roi_count;
static int64_t std_roi_icount_start;
static uint64_t std_roi_insns;

static int64_t std_clock_ns(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The guest instructions QEMU has executed so far, on all vCPUs, or -1
 * where it does not count them.  It counts them in system mode under TCG
 * with -icount; not in user mode, not without -icount, not under KVM
 * (which has no -icount).  QEMU allows the read outside a vCPU, and in a
 * vCPU at an I/O access, where commands run.
 */
static int64_t std_icount(void)
{
#ifndef CONFIG_USER_ONLY
    CPUState *cpu = current_cpu;

    if (icount_enabled() &&
        (!cpu || !cpu->running || cpu->neg.can_do_io)) {
        return icount_get_raw();
    }
#endif
    return -1;
}

/*
 * End the open region; return its host nanoseconds, and in @insns its
 * guest instructions, or -1 where they are not counted.
 */
static int64_t std_roi_close(int64_t *insns)
{
    int64_t ns = std_clock_ns(CLOCK_MONOTONIC) - std_roi_start;
    int64_t icount = std_icount();

    *insns = -1;
    if (icount >= 0 && std_roi_icount_start >= 0) {
        *insns = icount - std_roi_icount_start;
        std_roi_insns += *insns;
    }
    std_roi_total += ns;
    std_roi_count++;
    std_roi_open = false;
    return ns;
}

/* the guest's number for the host's @err */
static int64_t std_error(int err)
{
    switch (err) {
    case EPERM:
        return -QEMU_BACKDOOR_STD_EPERM;
    case ENOENT:
        return -QEMU_BACKDOOR_STD_ENOENT;
    case EACCES:
        return -QEMU_BACKDOOR_STD_EACCES;
    case EEXIST:
        return -QEMU_BACKDOOR_STD_EEXIST;
    case ENOTDIR:
        return -QEMU_BACKDOOR_STD_ENOTDIR;
    case EISDIR:
        return -QEMU_BACKDOOR_STD_EISDIR;
    case EINVAL:
        return -QEMU_BACKDOOR_STD_EINVAL;
    case EFBIG:
        return -QEMU_BACKDOOR_STD_EFBIG;
    case ENOSPC:
        return -QEMU_BACKDOOR_STD_ENOSPC;
    case ENAMETOOLONG:
        return -QEMU_BACKDOOR_STD_ENAMETOOLONG;
    case ELOOP:
    case EXDEV:
        return -QEMU_BACKDOOR_STD_ELOOP;
    default:
        return -QEMU_BACKDOOR_STD_EIO;
    }
}

/* Write @len bytes to the log file, or to stderr; return 0 or an errno. */
static int std_output(const char *buf, size_t len)
{
    int fd = STDERR_FILENO, err = 0;

    if (std_log) {
        /* opened each time: in user mode the guest shares QEMU's files */
        fd = open(std_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            return errno;
        }
    }
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            break;
        }
        buf += n;
        len -= n;
    }
    if (std_log) {
        close(fd);
    }
    return err;
}

static void G_GNUC_PRINTF(1, 2) std_report(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    std_output(msg, strlen(msg));
}

void qemu_backdoor_std_init(uint64_t data_size)
{
    const char *log = g_getenv("QEMU_BACKDOOR_LOG");
    const char *share = g_getenv("QEMU_BACKDOOR_SHARE");

    std_size = data_size;
    /*
     * Absolute now: in user mode the guest's chdir() moves QEMU's current
     * directory too.
     */
    std_log = log && *log ? g_canonicalize_filename(log, NULL) : NULL;
    std_share = share && *share ? g_canonicalize_filename(share, NULL) : NULL;
}

void qemu_backdoor_std_exit(void)
{
    if (std_roi_open) {
        int64_t insns;

        std_roi_close(&insns);
        std_report("qemu-backdoor: roi: the last region was still open "
                   "at exit\n");
    }
    if (std_roi_count) {
        int64_t sec = std_roi_total / 1000000000;
        int64_t nsec = std_roi_total % 1000000000;
        g_autofree char *insns = std_roi_icount_start >= 0 ?
            g_strdup_printf(", %" PRIu64 " guest instructions", std_roi_insns) :
            g_strdup(STD_NO_ICOUNT);

        std_report("qemu-backdoor: roi: %" PRIu64 " region%s, %" PRId64
                   ".%09" PRId64 " s host time%s\n", std_roi_count,
                   std_roi_count == 1 ? "" : "s", sec, nsec, insns);
    }
}

/*
 * Whether @name is a relative path whose parts are neither empty nor
 * "." nor "..", so that it cannot leave the directory lexically.
 */
static bool std_name_ok(const char *name)
{
    const char *p = name;

    if (!*name || *name == '/') {
        return false;
    }
    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.')) {
            return false;
        }
        p += n;
        if (*p == '/') {
            p++;
            if (!*p) {
                return false;   /* a trailing slash names a directory */
            }
        }
    }
    return true;
}

/*
 * Open @name below the directory @dfd, following no symbolic link: one
 * part at a time, each with O_NOFOLLOW.  For kernels without openat2().
 */
static int std_open_walk(int dfd, const char *name, int flags)
{
    g_autofree char *copy = g_strdup(name);
    char *part = copy, *slash;
    int fd = dfd, next;

    while ((slash = strchr(part, '/'))) {
        *slash = '\0';
        next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                      O_CLOEXEC);
        if (fd != dfd) {
            close(fd);
        }
        if (next < 0) {
            return -1;
        }
        fd = next;
        part = slash + 1;
    }
    next = openat(fd, part, flags | O_NOFOLLOW, 0644);
    if (fd != dfd) {
        int err = errno;

        close(fd);
        errno = err;
    }
    return next;
}

/*
 * Open the regular file @name inside the share directory; return the
 * descriptor, or -1 with errno set.
 */
static int std_open(const char *name, int flags)
{
    struct stat st;
    int dfd, fd, err;

    flags |= O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;   /* a FIFO must not block */
    if (!std_share) {
        errno = EACCES;
        return -1;
    }
    if (!std_name_ok(name)) {
        errno = EACCES;
        return -1;
    }
    dfd = open(std_share, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        return -1;
    }
    fd = -1;
    errno = ENOSYS;
#if defined(CONFIG_LINUX) && defined(SYS_openat2)
    {
        struct open_how how = {
            .flags = flags,
            .mode = flags & O_CREAT ? 0644 : 0,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                       RESOLVE_NO_MAGICLINKS,
        };

        fd = syscall(SYS_openat2, dfd, name, &how, sizeof(how));
    }
#endif
    if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
        /* no openat2(), or a seccomp filter refusing it */
        fd = std_open_walk(dfd, name, flags);
    }
    err = errno;
    close(dfd);
    if (fd < 0) {
        errno = err;
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

/*
 * The name and data area of a PUT or GET request: copy the name out of
 * the channel into @name (QEMU_BACKDOOR_STD_NAME_MAX + 1 bytes) and
 * return the data's offset in the channel, or a negated error.
 */
static int64_t std_file_request(const uint64_t *w, const uint8_t *data,
                                char *name)
{
    uint64_t name_len = w[3];
    uint64_t off;

    if (name_len == 0) {
        return -QEMU_BACKDOOR_STD_EINVAL;
    }
    if (name_len > QEMU_BACKDOOR_STD_NAME_MAX) {
        return -QEMU_BACKDOOR_STD_ENAMETOOLONG;
    }
    off = QEMU_BACKDOOR_STD_DATA_OFFSET(name_len);
    if (off > std_size) {
        return -QEMU_BACKDOOR_STD_EINVAL;
    }
    memcpy(name, data + QEMU_BACKDOOR_STD_PAYLOAD, name_len);
    name[name_len] = '\0';
    if (strlen(name) != name_len) {
        return -QEMU_BACKDOOR_STD_EINVAL;
    }
    return off;
}

static int64_t std_put(uint64_t *w, uint8_t *data)
{
    char name[QEMU_BACKDOOR_STD_NAME_MAX + 1];
    int64_t off = std_file_request(w, data, name);
    uint64_t pos = w[1], len = w[2];
    ssize_t done;
    int fd;

    if (off < 0) {
        return off;
    }
    if (len > std_size - off || pos > INT64_MAX - len) {
        return -QEMU_BACKDOOR_STD_EINVAL;
    }
    fd = std_open(name, O_WRONLY | (pos == 0 ? O_CREAT | O_TRUNC : 0));
    if (fd < 0) {
        return std_error(errno);
    }
    do {
        done = pwrite(fd, data + off, len, pos);
    } while (done < 0 && errno == EINTR);
    close(fd);
    return done < 0 ? std_error(errno) : done;
}

static int64_t std_get(uint64_t *w, uint8_t *data)
{
    char name[QEMU_BACKDOOR_STD_NAME_MAX + 1];
    int64_t off = std_file_request(w, data, name);
    uint64_t pos = w[1], len = w[2];
    struct stat st;
    ssize_t done;
    int fd;

    if (off < 0) {
        return off;
    }
    len = MIN(len, std_size - off);
    if (pos > INT64_MAX - len) {
        return -QEMU_BACKDOOR_STD_EINVAL;
    }
    fd = std_open(name, O_RDONLY);
    if (fd < 0) {
        return std_error(errno);
    }
    do {
        done = pread(fd, data + off, len, pos);
    } while (done < 0 && errno == EINTR);
    if (done >= 0 && fstat(fd, &st) == 0) {
        w[4] = st.st_size;
    }
    close(fd);
    return done < 0 ? std_error(errno) : done;
}

static int64_t std_print(const uint64_t *w, const uint8_t *data)
{
    uint64_t len = MIN(w[1], MIN(std_size - QEMU_BACKDOOR_STD_PAYLOAD,
                                 STD_PRINT_MAX));
    g_autofree char *msg = g_malloc(len + 1);
    int err;

    memcpy(msg, data + QEMU_BACKDOOR_STD_PAYLOAD, len);
    msg[len] = '\0';
    len = strlen(msg);
    err = std_output(msg, len);
    return err ? std_error(err) : (int64_t)len;
}

bool qemu_backdoor_std(uint64_t cmd, void *data)
{
    uint64_t w[STD_WORDS];
    int64_t result, insns;
    int i;

    cmd = tswap64(cmd);
    if ((cmd & QEMU_BACKDOOR_STD_MASK) != QEMU_BACKDOOR_STD_BASE ||
        cmd < QEMU_BACKDOOR_STD_VERSION_CMD || cmd > QEMU_BACKDOOR_STD_GET) {
        return false;
    }
    if (std_size < QEMU_BACKDOOR_STD_PAYLOAD + 8) {
        return false;   /* qemu_backdoor_std_init() was not called */
    }
    /* one copy of the request; the guest may change the channel meanwhile */
    memcpy(w, data, sizeof(w));
    for (i = 0; i < STD_WORDS; i++) {
        w[i] = tswap64(w[i]);
    }

    switch (cmd) {
    case QEMU_BACKDOOR_STD_VERSION_CMD:
        w[1] = 0;
        for (i = 1; i <= (QEMU_BACKDOOR_STD_GET & 63); i++) {
            w[1] |= QEMU_BACKDOOR_STD_FEATURE(i);
        }
        if (std_share) {
            w[1] |= QEMU_BACKDOOR_STD_FEATURE_FILES;
        }
        if (std_icount() >= 0) {
            w[1] |= QEMU_BACKDOOR_STD_FEATURE_ICOUNT;
        }
        result = QEMU_BACKDOOR_STD_VERSION;
        break;
    case QEMU_BACKDOOR_STD_PRINT:
        result = std_print(w, data);
        break;
    case QEMU_BACKDOOR_STD_EXIT:
        result = 0;
        /* in user mode this does not return */
        w[0] = tswap64(result);
        memcpy(data, &w[0], sizeof(w[0]));
        qemu_backdoor_quit((int)w[1]);
        return true;
    case QEMU_BACKDOOR_STD_TIME:
        w[1] = std_clock_ns(CLOCK_REALTIME);
        w[2] = std_clock_ns(CLOCK_MONOTONIC);
        result = 0;
        break;
    case QEMU_BACKDOOR_STD_ROI_BEGIN:
        std_roi_open = true;
        std_roi_icount_start = std_icount();
        std_roi_start = std_clock_ns(CLOCK_MONOTONIC);
        result = 0;
        break;
    case QEMU_BACKDOOR_STD_ROI_END:
        if (!std_roi_open) {
            result = -QEMU_BACKDOOR_STD_EINVAL;
            break;
        }
        result = std_roi_close(&insns);
        /* the region's guest instructions, or all-ones */
        w[1] = insns;
        break;
    case QEMU_BACKDOOR_STD_PUT:
        result = std_put(w, data);
        break;
    case QEMU_BACKDOOR_STD_GET:
        result = std_get(w, data);
        break;
    default:
        return false;
    }

    /* the result, then the words the command may have set */
    w[0] = result;
    for (i = 0; i < STD_WORDS; i++) {
        w[i] = tswap64(w[i]);
    }
    memcpy((uint8_t *)data + 8, &w[1], 8 * 4);
    memcpy(data, &w[0], 8);
    return true;
}
