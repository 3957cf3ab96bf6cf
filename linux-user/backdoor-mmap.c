/*
 * linux-user backdoor channel
 *
 * "qemu-<arch> -backdoor DIR" creates two files in DIR: "control" (one
 * page) and "data" (the data channel, -backdoor-size bytes).  QEMU maps
 * both itself and opens the channel with its mapping of the data file,
 * which the guest maps too and uses as ordinary shared memory.
 *
 * A guest mapping of the control file is recognised by the file's
 * identity (device and inode), whatever name or descriptor was used;
 * QEMU keeps the control file open, so that its inode number cannot be
 * given to another file.  QEMU makes such mappings itself, from its own
 * read-only descriptor, so that the host kernel refuses to ever make
 * them writable.  The guest's page flags lose PAGE_WRITE, so reads see
 * the file (the data size at offset 0, zeros elsewhere) and the first
 * store from a guest instruction faults.
 * The fault turns that instruction into a diverted store site
 * (include/user/store-divert.h): it is retranslated with its stores
 * going through a helper, and backdoor_user_store() below receives them
 * from then on, without another fault.  An 8-byte store at offset 0x08
 * is a command for the library; any other store into the page is dropped.
 *
 * Guest and QEMU share the address space and the descriptor table, so
 * QEMU's mapping of the data file and the descriptors it keeps are out
 * of the guest's reach: system calls that would unmap, move or change
 * them fail as for memory and descriptors the guest does not have.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <stdio_ext.h>
#include <sys/file.h>
#include <sys/resource.h>
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/cutils.h"
#include "qemu/keyval.h"
#include "qobject/qdict.h"
#include "qemu/bswap.h"
#include "qapi/error.h"
#include "qemu.h"
#include "user-internals.h"
#include "user-mmap.h"
#ifdef QEMU_BASE_10_0
#include "exec/exec-all.h"
#else
#include "exec/mmap-lock.h"
#include "exec/translation-block.h"
#endif
#include "hw/core/cpu.h"
#include "exec/page-protection.h"
#include "exec/tswap.h"
#include "user/page-protection.h"
#include "user/store-divert.h"
#include "backdoor/channel.h"
#include "backdoor/abi.h"
#include "backdoor-mmap.h"
#include "trace.h"

/*
 * The guest's control mappings.  Each entry is one word, so that the
 * store helper and the signal handler can read it without a lock: the
 * guest address of the intercepted page, ORed with BD_MAP_USED, the
 * guest's PROT_READ/WRITE/EXEC for it and BD_MAP_MAYWRITE when the
 * guest's descriptor allowed PROT_WRITE; 0 when free.  Written with the
 * mmap lock held.
 */
#define BD_MAP_PROT         (PROT_READ | PROT_WRITE | PROT_EXEC)
#define BD_MAP_USED         0x8
#define BD_MAP_MAYWRITE     0x10
#define BD_MAP_BITS         (BD_MAP_PROT | BD_MAP_MAYWRITE)
#define BD_MAX_MAPS         64

QEMU_BUILD_BUG_ON((BD_MAP_BITS | BD_MAP_USED) >= QEMU_BACKDOOR_CTRL_LEN);

static uint64_t bd_maps[BD_MAX_MAPS];
static int bd_nmaps;        /* entries in use are below this index */

bool backdoor_user_enabled;

static char *bd_dir;
/* lib=FILE: the library to load, NULL for the compiled-in one */
static char *bd_lib;
static uint64_t bd_size = QEMU_BACKDOOR_DATA_SIZE_DEFAULT;
/*
 * QEMU's descriptors: DIR (it holds the lock), the control file
 * (read-only; it keeps the inode and backs every control mapping) and
 * /proc/self/mem (for the library's guest memory accesses).
 */
static int bd_dir_fd = -1;
static int bd_ctrl_fd = -1;
static int bd_mem_fd = -1;
static dev_t bd_ctrl_dev;
static ino_t bd_ctrl_ino;
/* set while backdoor_user_mmap_ctrl() maps with bd_ctrl_fd; mmap lock */
static bool bd_mapping_ctrl;
/* QEMU's own mapping of the data file */
static void *bd_data;
/* set when a SIGBUS detached it from the file */
static bool bd_detached;

/* -backdoor DIR[,lib=FILE], where a comma in DIR or FILE is doubled */
void backdoor_user_set_dir(const char *arg)
{
    Error *err = NULL;
    QDict *opts = keyval_parse(arg, "dir", NULL, &err);
    const QDictEntry *e;

    if (!opts) {
        error_reportf_err(err, "-backdoor %s: ", arg);
        exit(EXIT_FAILURE);
    }
    for (e = qdict_first(opts); e; e = qdict_next(opts, e)) {
        if ((strcmp(e->key, "dir") && strcmp(e->key, "lib")) ||
            qobject_type(e->value) != QTYPE_QSTRING) {
            error_report("-backdoor %s: unknown option '%s' "
                         "(expected DIR[,lib=FILE])", arg, e->key);
            exit(EXIT_FAILURE);
        }
    }
    g_free(bd_dir);
    g_free(bd_lib);
    bd_dir = g_strdup(qdict_get_try_str(opts, "dir"));
    bd_lib = g_strdup(qdict_get_try_str(opts, "lib"));
    qobject_unref(opts);
    if (!bd_dir || !*bd_dir) {
        error_report("-backdoor %s: the directory name is empty", arg);
        exit(EXIT_FAILURE);
    }
}

void backdoor_user_set_size(const char *arg)
{
    uint64_t size;

    if (qemu_strtosz(arg, NULL, &size) < 0 || !is_power_of_2(size) ||
        size < QEMU_BACKDOOR_DATA_SIZE_MIN ||
        size > QEMU_BACKDOOR_DATA_SIZE_MAX) {
        error_report("-backdoor-size: '%s' is not a power of two from "
                     "4K to 1G", arg);
        exit(EXIT_FAILURE);
    }
    bd_size = size;
}

/*
 * Mapping bookkeeping, with the mmap lock held
 */

static abi_ulong bd_map_start(uint64_t w)
{
    return w & ~(uint64_t)(QEMU_BACKDOOR_CTRL_LEN - 1);
}

/* the entry for the control page at @page, or -1 */
static int bd_map_find(abi_ulong page)
{
    for (int i = 0; i < bd_nmaps; i++) {
        uint64_t w = bd_maps[i];

        if (w && bd_map_start(w) == page) {
            return i;
        }
    }
    return -1;
}

/*
 * Keep the control page at @start unwritable: read-only on the host (or
 * no access, if the guest asked for none), and without PAGE_WRITE for
 * the guest, so that syscalls writing into it fail with EFAULT and
 * page_unprotect() never makes it writable.
 */
static void bd_protect(abi_ulong start, int prot)
{
    int flags = page_get_flags(start);

    if (!(flags & PAGE_VALID)) {
        return;
    }
    mprotect(g2h_untagged(start), QEMU_BACKDOOR_CTRL_LEN,
             prot & BD_MAP_PROT ? PROT_READ : PROT_NONE);
#ifdef QEMU_BASE_10_0
    flags &= ~(PAGE_READ | PAGE_WRITE | PAGE_EXEC | PAGE_WRITE_ORG |
               PAGE_ANON | PAGE_PASSTHROUGH);
    flags |= (prot & (PROT_READ | PROT_WRITE) ? PAGE_READ : 0) |
             (prot & PROT_EXEC ? PAGE_EXEC : 0);
    page_set_flags(start, start + QEMU_BACKDOOR_CTRL_LEN - 1, flags);
#else
    page_set_flags(start, start + QEMU_BACKDOOR_CTRL_LEN - 1,
                   (prot & (PROT_READ | PROT_WRITE) ? PAGE_READ : 0) |
                   (prot & PROT_EXEC ? PAGE_EXEC : 0),
                   PAGE_READ | PAGE_WRITE | PAGE_EXEC | PAGE_ANON |
                   PAGE_PASSTHROUGH);
#endif
}

/*
 * Make @start a control page with the guest protection and
 * BD_MAP_MAYWRITE in @bits.  An entry for the same page is changed in
 * place, with one store, so that a concurrent store into the page always
 * finds one.
 */
static void bd_map_set(abi_ulong start, int bits)
{
    int i = bd_map_find(start);

    bd_protect(start, bits);
    if (i < 0) {
        for (i = 0; i < BD_MAX_MAPS && bd_maps[i]; i++) {
            continue;
        }
    }
    if (i == BD_MAX_MAPS) {
        /* stays read-only: stores into it raise SIGSEGV */
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: more than %d mappings of "
                      "the control file; the one at 0x" TARGET_ABI_FMT_lx
                      " is read-only\n", BD_MAX_MAPS, start);
        return;
    }
    qatomic_set(&bd_maps[i], (uint64_t)start | BD_MAP_USED |
                (bits & BD_MAP_BITS));
    if (i >= bd_nmaps) {
        qatomic_store_release(&bd_nmaps, i + 1);
    }
    trace_backdoor_user_map(start, bits & BD_MAP_PROT);
}

/* Forget the control mappings in [start, start + len) but @keep. */
static void bd_map_forget(abi_ulong start, abi_ulong len, abi_ulong keep)
{
    for (int i = 0; i < bd_nmaps; i++) {
        uint64_t w = bd_maps[i];

        if (w && bd_map_start(w) - start < len && bd_map_start(w) != keep) {
            qatomic_set(&bd_maps[i], 0);
            trace_backdoor_user_unmap(bd_map_start(w));
        }
    }
}

/* offset of the first control page in [start + off, start + len), or len */
static abi_ulong bd_map_next(abi_ulong start, abi_ulong off, abi_ulong len)
{
    abi_ulong next = len;

    for (int i = 0; i < bd_nmaps; i++) {
        uint64_t w = bd_maps[i];
        abi_ulong o = bd_map_start(w) - start;

        if (w && o >= off && o < next) {
            next = o;
        }
    }
    return next;
}

bool backdoor_user_reserved(abi_ulong start, abi_ulong len)
{
    uintptr_t host = (uintptr_t)g2h_untagged(start);

    return bd_data && host < (uintptr_t)bd_data + bd_size &&
           host + len > (uintptr_t)bd_data;
}

bool backdoor_user_fd_reserved(int fd)
{
    return fd >= 0 && (fd == bd_dir_fd || fd == bd_ctrl_fd ||
                       fd == bd_mem_fd);
}

int backdoor_user_close_range(unsigned int first, unsigned int last,
                              unsigned int flags, CloseRangeFn *close_range)
{
    int fds[] = { bd_dir_fd, bd_ctrl_fd, bd_mem_fd };

    if (first > last) {
        errno = EINVAL;
        return -1;
    }
    /* close around QEMU's descriptors, in increasing order */
    for (int i = 0; i < ARRAY_SIZE(fds); i++) {
        for (int j = i + 1; j < ARRAY_SIZE(fds); j++) {
            if (fds[j] < fds[i]) {
                int t = fds[i];

                fds[i] = fds[j];
                fds[j] = t;
            }
        }
        if (fds[i] < 0 || fds[i] < first || fds[i] > last) {
            continue;
        }
        if (fds[i] > first && close_range(first, fds[i] - 1, flags) < 0) {
            return -1;
        }
        if (fds[i] == last) {
            return 0;
        }
        first = fds[i] + 1;
    }
    return close_range(first, last, flags);
}

/* whether the guest's @fd is open on the control file */
static bool bd_is_ctrl_fd(int fd)
{
    struct stat st;

    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == bd_ctrl_dev &&
           st.st_ino == bd_ctrl_ino;
}

bool backdoor_user_mmap_ctrl(abi_ulong start, abi_ulong len, int target_prot,
                             int flags, int fd, off_t offset, abi_long *ret)
{
    int mode, err = 0;

    if (!backdoor_user_enabled || (flags & MAP_ANONYMOUS) ||
        !bd_is_ctrl_fd(fd)) {
        return false;
    }
    mmap_lock();
    if (bd_mapping_ctrl) {
        /* the call below, with bd_ctrl_fd */
        mmap_unlock();
        return false;
    }
    if ((flags & MAP_TYPE) == MAP_PRIVATE) {
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: private mapping of the "
                      "control file: ordinary memory, stores into it send "
                      "nothing\n");
        mmap_unlock();
        return false;
    }
    if (offset != 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: mapping of the control "
                      "file at offset 0x%llx: beyond the file, not "
                      "intercepted\n", (unsigned long long)offset);
        mmap_unlock();
        return false;
    }
    if (len != QEMU_BACKDOOR_CTRL_LEN) {
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: mapping of the control "
                      "file with length 0x" TARGET_ABI_FMT_lx ": only its "
                      "first page is the control channel\n", len);
    }

    /* the checks mmap() makes of the guest's descriptor */
    mode = fcntl(fd, F_GETFL);
    if (mode & O_PATH) {
        err = EBADF;
    } else if ((mode & O_ACCMODE) == O_WRONLY ||
               ((target_prot & PROT_WRITE) && (mode & O_ACCMODE) != O_RDWR)) {
        err = EACCES;
    }
    if (err) {
        mmap_unlock();
        errno = err;
        *ret = -1;
        return true;
    }
    bd_mapping_ctrl = true;
    *ret = target_mmap(start, len, target_prot & ~PROT_WRITE, flags,
                       bd_ctrl_fd, 0);
    bd_mapping_ctrl = false;
    if (*ret != -1) {
        bd_map_forget(*ret, len, *ret);
        bd_map_set(*ret, target_prot |
                   ((mode & O_ACCMODE) == O_RDWR ? BD_MAP_MAYWRITE : 0));
    }
    mmap_unlock();
    return true;
}

void backdoor_user_mmap(abi_ulong start, abi_ulong len)
{
    /* backdoor_user_mmap_ctrl() updates the control mapping itself */
    if (backdoor_user_enabled && !bd_mapping_ctrl) {
        bd_map_forget(start, len, -1);
    }
}

bool backdoor_user_mprotect(abi_ulong start, abi_ulong len, int target_prot,
                            int *ret)
{
    abi_ulong off, next;

    if (!backdoor_user_enabled) {
        return false;
    }
    mmap_lock();
    if (bd_map_next(start, 0, len) == len) {
        mmap_unlock();
        return false;
    }
    /*
     * The control pages never get PROT_WRITE on the host (the kernel
     * would refuse it): protect them here, and the rest of the range as
     * usual.  Like the kernel, refuse PROT_WRITE for a mapping made
     * from a descriptor that was not open for writing.
     */
    *ret = 0;
    for (off = 0; off < len && *ret == 0; off = next + QEMU_BACKDOOR_CTRL_LEN) {
        int maywrite = 0;

        next = bd_map_next(start, off, len);
        if (next < len) {
            maywrite = bd_maps[bd_map_find(start + next)] & BD_MAP_MAYWRITE;
            if ((target_prot & PROT_WRITE) && !maywrite) {
                *ret = -TARGET_EACCES;
                break;
            }
        }
        if (next > off) {
            *ret = target_mprotect(start + off, next - off, target_prot);
        }
        if (next < len && *ret == 0) {
            bd_map_set(start + next, target_prot | maywrite);
        }
    }
    mmap_unlock();
    return true;
}

void backdoor_user_munmap(abi_ulong start, abi_ulong len)
{
    if (backdoor_user_enabled) {
        bd_map_forget(start, len, -1);
    }
}

void backdoor_user_mremap(abi_ulong old_addr, abi_ulong old_size,
                          abi_ulong new_addr, abi_ulong new_size)
{
    abi_ulong moved[BD_MAX_MAPS];
    int bits[BD_MAX_MAPS];
    int n = 0;

    if (!backdoor_user_enabled) {
        return;
    }
    if (new_addr == old_addr) {
        /* resized in place: the pages that remain keep their entries */
        if (old_size > new_size) {
            bd_map_forget(old_addr + new_size, old_size - new_size, -1);
        }
        return;
    }
    /*
     * The control pages in the old range move with it, as long as they
     * fit in the new size.  An mremap of old size 0 duplicates the
     * mapping at old_addr, whose control page can only be its first.
     */
    for (int i = 0; i < bd_nmaps; i++) {
        uint64_t w = bd_maps[i];
        abi_ulong off = bd_map_start(w) - old_addr;

        if (w && off < (old_size ? old_size : 1) && off < new_size) {
            moved[n] = new_addr + off;
            bits[n++] = w & BD_MAP_BITS;
        }
    }
    bd_map_forget(old_addr, old_size, -1);
    bd_map_forget(new_addr, new_size, -1);
    for (int i = 0; i < n; i++) {
        bd_map_set(moved[i], bits[i]);
    }
}

/*
 * Signal handler hooks
 */

bool backdoor_user_is_ctrl(abi_ptr addr)
{
    int n = qatomic_load_acquire(&bd_nmaps);

    for (int i = 0; i < n; i++) {
        uint64_t w = qatomic_read(&bd_maps[i]);

        if (w && addr - bd_map_start(w) < QEMU_BACKDOOR_CTRL_LEN) {
            return w & PROT_WRITE;
        }
    }
    return false;
}

bool backdoor_user_sigbus(void *host_addr)
{
    if (!bd_data || (uintptr_t)host_addr - (uintptr_t)bd_data >= bd_size) {
        return false;
    }
    /* zero pages in place of the file; mmap is async-signal-safe */
    if (mmap(bd_data, bd_size, PROT_READ | PROT_WRITE,
             MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) {
        return false;
    }
    bd_detached = true;
    return true;
}

/*
 * The store helper's handler: every store of a diverted instruction
 * comes here first.
 */
static bool backdoor_user_store(CPUState *cpu, vaddr addr, uint64_t lo,
                                uint64_t hi, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int n = qatomic_load_acquire(&bd_nmaps);

    for (int i = 0; i < n; i++) {
        uint64_t w = qatomic_read(&bd_maps[i]);
        vaddr page = bd_map_start(w);

        if (!w || addr >= page + QEMU_BACKDOOR_CTRL_LEN ||
            addr + size <= page) {
            continue;
        }
        if (!(w & PROT_WRITE) || addr < page ||
            addr + size > page + QEMU_BACKDOOR_CTRL_LEN) {
            /*
             * The ordinary store raises SIGSEGV, also for a store that
             * writes the page beside too: it would be lost otherwise.
             */
            return false;
        }
        if (addr == page + QEMU_BACKDOOR_CTRL_CMD && size == 8) {
            /* the command as the guest's bytes store it */
            uint64_t cmd = mop & MO_BSWAP ? bswap64(lo) : lo;

            backdoor_channel_command(cpu, cmd);
            if (unlikely(qatomic_read(&bd_detached))) {
                qatomic_set(&bd_detached, false);
                warn_report("backdoor: the guest shrank the data file; "
                            "QEMU's side of the data channel is now "
                            "private memory");
            }
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "backdoor: %u-byte store at "
                          "offset 0x%" VADDR_PRIx " of the control page "
                          "ignored: commands are 8-byte stores at 0x%x\n",
                          size, addr - page, QEMU_BACKDOOR_CTRL_CMD);
        }
        return true;
    }
    return false;
}

/*
 * Start-up
 */

/* The targets whose stores into the control page the tests intercept */
#if defined(TARGET_I386) || defined(TARGET_S390X) || \
    defined(TARGET_RISCV64) || (defined(TARGET_AARCH64) && !TARGET_BIG_ENDIAN)
#define BACKDOOR_TARGET_TESTED true
#else
#define BACKDOOR_TARGET_TESTED false
#endif

static G_NORETURN void bd_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void bd_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
    exit(EXIT_FAILURE);
}

/*
 * Move QEMU's descriptor @fd to the top of the first 1024 (or of the
 * descriptor limit, if lower), out of the way of guests that use fixed
 * low numbers (a shell's "exec 4>file").
 */
static int bd_fd_high(int fd)
{
    struct rlimit rl;
    int high;

    if (fd < 0 || getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        return fd;
    }
    high = fcntl(fd, F_DUPFD_CLOEXEC, (int)MIN(rl.rlim_cur, 1024) - 8);
    if (high < 0) {
        return fd;
    }
    close(fd);
    return high;
}

/*
 * Create DIR/@name afresh: whatever has that name is removed first (a
 * symbolic link is removed, never followed), and O_EXCL makes sure the
 * file opened is the new regular file, inside DIR.  Its blocks are
 * allocated now, so that a full file system or a file size limit is an
 * error here rather than a SIGBUS or SIGXFSZ once the guest runs.
 */
static int bd_create(int dfd, const char *name, size_t len, struct stat *st)
{
    int fd, err;

    if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT) {
        bd_fail("-backdoor %s: cannot replace '%s': %s", bd_dir, name,
                strerror(errno));
    }
    fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
                O_CLOEXEC, 0600);
    if (fd < 0) {
        bd_fail("-backdoor %s: cannot create '%s': %s", bd_dir, name,
                strerror(errno));
    }
    err = posix_fallocate(fd, 0, len);
    if (err) {
        bd_fail("-backdoor %s: cannot allocate the %zu bytes of '%s': %s%s",
                bd_dir, len, name, strerror(err), err == EFBIG ?
                " (the file size limit, ulimit -f, is lower)" : "");
    }
    if (fstat(fd, st) < 0) {
        bd_fail("-backdoor %s: '%s': %s", bd_dir, name, strerror(errno));
    }
    return fd;
}

void backdoor_user_setup(void)
{
    struct sigaction ign = { .sa_handler = SIG_IGN }, old_xfsz;
    Error *err = NULL;
    struct stat st;
    uint64_t size;
    int dfd, fd;

    if (!bd_dir) {
        return;
    }
    if (qemu_real_host_page_size() != TARGET_PAGE_SIZE ||
        TARGET_PAGE_SIZE != QEMU_BACKDOOR_CTRL_LEN) {
        bd_fail("-backdoor: not available for this guest: the channel needs "
                "4 KiB pages, and the guest's are %d KiB, the host's %d KiB",
                (int)(TARGET_PAGE_SIZE / 1024),
                (int)(qemu_real_host_page_size() / 1024));
    }
    if (!BACKDOOR_TARGET_TESTED) {
        bd_fail("-backdoor: not available for this guest: the interception "
                "of its stores is not tested on %s", TARGET_NAME);
    }

    /* A missing DIR is created private; an existing one must be ours. */
    if (mkdir(bd_dir, 0700) < 0 && errno != EEXIST) {
        bd_fail("-backdoor %s: cannot create the directory: %s", bd_dir,
                strerror(errno));
    }
    dfd = open(bd_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        int saved = errno;

        bd_fail("-backdoor %s: cannot open the directory: %s", bd_dir,
                lstat(bd_dir, &st) == 0 && S_ISLNK(st.st_mode) ?
                "it is a symbolic link" : strerror(saved));
    }
    if (fstat(dfd, &st) < 0) {
        bd_fail("-backdoor %s: %s", bd_dir, strerror(errno));
    }
    if (st.st_uid != geteuid()) {
        bd_fail("-backdoor %s: the directory belongs to another user",
                bd_dir);
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        bd_fail("-backdoor %s: the directory is writable by other users "
                "(mode %o); use a private one", bd_dir,
                (unsigned)(st.st_mode & 07777));
    }
    /*
     * One QEMU per DIR.  The lock is held until this QEMU and every
     * process its guest forked have exited.
     */
    if (flock(dfd, LOCK_EX | LOCK_NB) < 0) {
        bd_fail("-backdoor %s: %s", bd_dir, errno == EWOULDBLOCK ?
                "the directory is in use by another QEMU" : strerror(errno));
    }

    /* a write past the file size limit fails with EFBIG instead */
    sigaction(SIGXFSZ, &ign, &old_xfsz);

    fd = bd_create(dfd, QEMU_BACKDOOR_DATA_FILE, bd_size, &st);
    bd_data = mmap(NULL, bd_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (bd_data == MAP_FAILED) {
        bd_fail("-backdoor %s: cannot map '%s': %s", bd_dir,
                QEMU_BACKDOOR_DATA_FILE, strerror(errno));
    }
    close(fd);

    fd = bd_create(dfd, QEMU_BACKDOOR_CTRL_FILE, QEMU_BACKDOOR_CTRL_LEN, &st);
    bd_ctrl_dev = st.st_dev;
    bd_ctrl_ino = st.st_ino;
    size = tswap64(bd_size);
    if (pwrite(fd, &size, sizeof(size), QEMU_BACKDOOR_CTRL_SIZE) !=
        sizeof(size)) {
        bd_fail("-backdoor %s: cannot write '%s': %s", bd_dir,
                QEMU_BACKDOOR_CTRL_FILE, strerror(errno));
    }
    sigaction(SIGXFSZ, &old_xfsz, NULL);
    close(fd);
    fd = openat(dfd, QEMU_BACKDOOR_CTRL_FILE,
                O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (!bd_is_ctrl_fd(fd)) {
        bd_fail("-backdoor %s: cannot open '%s' again", bd_dir,
                QEMU_BACKDOOR_CTRL_FILE);
    }
    bd_ctrl_fd = bd_fd_high(fd);
    bd_dir_fd = bd_fd_high(dfd);
    /* without /proc, guest memory is accessed as cpu_memory_rw_debug() does */
    bd_mem_fd = bd_fd_high(open("/proc/self/mem", O_RDWR | O_CLOEXEC));

    if (!backdoor_channel_open(bd_data, bd_size, bd_lib, &err)) {
        error_reportf_err(err, "-backdoor %s: ", bd_dir);
        exit(EXIT_FAILURE);
    }
    store_divert_set_handler(backdoor_user_store);
    backdoor_user_enabled = true;
    trace_backdoor_user_setup(bd_dir, bd_size);
}

int backdoor_user_memory_rw(CPUState *cpu, vaddr addr, void *buf, size_t len,
                            bool is_write)
{
    ssize_t done;

    if (bd_mem_fd < 0) {
        return cpu_memory_rw_debug(cpu, addr, buf, len, is_write);
    }
    if (len == 0) {
        return 0;
    }
    /*
     * Through /proc/self/mem, which ignores the host protection (like
     * cpu_memory_rw_debug()) and fails with EIO where a direct access
     * would raise SIGBUS (a page beyond the end of a truncated file).
     */
    addr = cpu_untagged_addr(cpu, addr);
    mmap_lock();
    if (!page_check_range(addr, len, PAGE_VALID)) {
        mmap_unlock();
        return -1;
    }
    if (is_write) {
#ifdef QEMU_BASE_10_0
        tb_invalidate_phys_range(addr, addr + len - 1);
#else
        tb_invalidate_phys_range(cpu, addr, addr + len - 1);
#endif
        done = pwrite(bd_mem_fd, buf, len, (off_t)(uintptr_t)g2h(cpu, addr));
    } else {
        done = pread(bd_mem_fd, buf, len, (off_t)(uintptr_t)g2h(cpu, addr));
    }
    mmap_unlock();
    return done == len ? 0 : -1;
}

void backdoor_user_fork_start(void)
{
    /*
     * A child would print again what the library left in stdio buffers.
     * Not in the exclusive section that follows: writing may block until
     * another guest thread reads the other end of a pipe.
     */
    fflush(NULL);
}

void backdoor_user_fork_end(bool child)
{
    int fd;

    if (!child || !backdoor_user_enabled) {
        return;
    }
    /* what other threads printed since the flush is the parent's */
    __fpurge(stdout);
    __fpurge(stderr);
    /* /proc/self/mem stays the parent's memory */
    fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    if (fd < 0 || dup3(fd, bd_mem_fd, O_CLOEXEC) < 0) {
        close(bd_mem_fd);
        bd_mem_fd = -1;
    }
    close(fd);
}

void backdoor_user_exec(void)
{
    /* the library's qemu_backdoor_exit() does not run; its output does */
    fflush(NULL);
}

void backdoor_user_quit(CPUState *cpu, int status)
{
    /*
     * The command came from a store in generated code, so this vCPU is
     * inside cpu_exec().  It never goes back: leave the running state,
     * as cpu_loop() does before a system call, so that the exit path can
     * stop the other vCPUs, then exit like exit_group().
     */
    cpu_exec_end(cpu);
    preexit_cleanup(cpu_env(cpu), status);
    _exit(status);
}

void backdoor_user_exit(void)
{
    /*
     * The library may have printed; _exit() would drop what is buffered.
     * Flush while the other threads run: one may drain a pipe.
     */
    fflush(NULL);
    if (backdoor_user_enabled) {
        /*
         * The process is exiting: stop the other threads for good, so
         * that none sends a command or forks after the library's exit
         * callback (a child would inherit a closed channel).
         */
        start_exclusive();
        backdoor_channel_exit();
        fflush(NULL);
    }
}
