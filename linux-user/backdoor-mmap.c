/*
 * linux-user backdoor channel
 *
 * "qemu-<arch> -backdoor DIR" creates two files in DIR: "control" (one
 * page) and "data" (the data channel, -backdoor-size bytes).  QEMU maps
 * both itself and opens the channel with its mapping of the data file,
 * which the guest maps too and uses as ordinary shared memory.
 *
 * A guest mapping of the control file is recognised by the file's
 * identity (device and inode), whatever name or descriptor was used.
 * Its first page stays read-only on the host and loses PAGE_WRITE in the
 * guest's page flags, so reads see the file (the data size at offset 0,
 * zeros elsewhere) and the first store from a guest instruction faults.
 * The fault turns that instruction into a diverted store site
 * (include/user/store-divert.h): it is retranslated with its stores
 * going through a helper, and backdoor_user_store() below receives them
 * from then on, without another fault.  An 8-byte store at offset 0x08
 * is a command for the library; any other store into the page is dropped.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/file.h>
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/cutils.h"
#include "qemu/units.h"
#include "qemu/bswap.h"
#include "qapi/error.h"
#include "qemu.h"
#include "exec/page-protection.h"
#include "exec/tswap.h"
#include "user/page-protection.h"
#include "user/store-divert.h"
#include "backdoor/channel.h"
#include "backdoor-mmap.h"
#include "trace.h"

/* Layout of the control file, as in backdoor/guest/qemu-backdoor.h */
#define BD_CTRL_SIZE        0x00    /* data channel size, 64-bit */
#define BD_CTRL_CMD         0x08    /* command, 64-bit write */
#define BD_CTRL_LEN         4096

#define BD_CTRL_FILE        "control"
#define BD_DATA_FILE        "data"

#define BD_DATA_SIZE_MIN     (4 * KiB)
#define BD_DATA_SIZE_MAX     (1 * GiB)
#define BD_DATA_SIZE_DEFAULT (1 * MiB)

/*
 * The guest's control mappings.  Each entry is one word, so that the
 * store helper and the signal handler can read it without a lock: the
 * guest address of the intercepted page, ORed with BD_MAP_USED and the
 * guest's PROT_READ/WRITE/EXEC for it; 0 when free.  Written with the
 * mmap lock held.
 */
#define BD_MAP_PROT         (PROT_READ | PROT_WRITE | PROT_EXEC)
#define BD_MAP_USED         0x8
#define BD_MAX_MAPS         64

QEMU_BUILD_BUG_ON((BD_MAP_PROT | BD_MAP_USED) >= BD_CTRL_LEN);

static uint64_t bd_maps[BD_MAX_MAPS];
static int bd_nmaps;        /* entries in use are below this index */

bool backdoor_user_enabled;

static const char *bd_dir;
static uint64_t bd_size = BD_DATA_SIZE_DEFAULT;
static dev_t bd_ctrl_dev;
static ino_t bd_ctrl_ino;
/* QEMU's own mapping of the data file */
static void *bd_data;
/* set when a SIGBUS detached it from the file */
static bool bd_detached;

void backdoor_user_set_dir(const char *dir)
{
    bd_dir = dir;
}

void backdoor_user_set_size(const char *arg)
{
    uint64_t size;

    if (qemu_strtosz(arg, NULL, &size) < 0 || !is_power_of_2(size) ||
        size < BD_DATA_SIZE_MIN || size > BD_DATA_SIZE_MAX) {
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
    return w & ~(uint64_t)(BD_CTRL_LEN - 1);
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
    mprotect(g2h_untagged(start), BD_CTRL_LEN,
             prot & BD_MAP_PROT ? PROT_READ : PROT_NONE);
    if (flags & PAGE_WRITE) {
        flags |= PAGE_READ;
    }
    flags &= ~(PAGE_WRITE | PAGE_WRITE_ORG | PAGE_ANON | PAGE_PASSTHROUGH);
    page_set_flags(start, start + BD_CTRL_LEN - 1, flags);
}

static void bd_map_add(abi_ulong start, int prot)
{
    int i;

    for (i = 0; i < BD_MAX_MAPS; i++) {
        if (!bd_maps[i]) {
            break;
        }
    }
    bd_protect(start, prot);
    if (i == BD_MAX_MAPS) {
        /* stays read-only: stores into it raise SIGSEGV */
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: more than %d mappings of "
                      "the control file; the one at 0x" TARGET_ABI_FMT_lx
                      " is read-only\n", BD_MAX_MAPS, start);
        return;
    }
    qatomic_set(&bd_maps[i], (uint64_t)start | BD_MAP_USED |
                (prot & BD_MAP_PROT));
    if (i >= bd_nmaps) {
        qatomic_store_release(&bd_nmaps, i + 1);
    }
    trace_backdoor_user_map(start, prot);
}

/* Forget the control mappings in [start, start + len). */
static void bd_map_forget(abi_ulong start, abi_ulong len)
{
    for (int i = 0; i < bd_nmaps; i++) {
        uint64_t w = bd_maps[i];

        if (w && bd_map_start(w) - start < len) {
            qatomic_set(&bd_maps[i], 0);
            trace_backdoor_user_unmap(bd_map_start(w));
        }
    }
}

void backdoor_user_mmap(abi_ulong start, abi_ulong len, int target_prot,
                        int flags, int fd, off_t offset)
{
    struct stat st;

    if (!backdoor_user_enabled) {
        return;
    }
    bd_map_forget(start, len);
    if ((flags & MAP_ANONYMOUS) || fd < 0 || fstat(fd, &st) < 0 ||
        st.st_dev != bd_ctrl_dev || st.st_ino != bd_ctrl_ino) {
        return;
    }
    if ((flags & MAP_TYPE) == MAP_PRIVATE) {
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: private mapping of the "
                      "control file at 0x" TARGET_ABI_FMT_lx ": ordinary "
                      "memory, stores into it send nothing\n", start);
        return;
    }
    if (offset != 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: mapping of the control "
                      "file at offset 0x%llx: beyond the file, not "
                      "intercepted\n", (unsigned long long)offset);
        return;
    }
    if (len != BD_CTRL_LEN) {
        qemu_log_mask(LOG_GUEST_ERROR, "backdoor: mapping of the control "
                      "file with length 0x" TARGET_ABI_FMT_lx ": only its "
                      "first page is the control channel\n", len);
    }
    bd_map_add(start, target_prot);
}

void backdoor_user_mprotect(abi_ulong start, abi_ulong len, int target_prot)
{
    if (!backdoor_user_enabled) {
        return;
    }
    for (int i = 0; i < bd_nmaps; i++) {
        uint64_t w = bd_maps[i];
        abi_ulong page = bd_map_start(w);

        if (w && page - start < len) {
            bd_protect(page, target_prot);
            qatomic_set(&bd_maps[i], (uint64_t)page | BD_MAP_USED |
                        (target_prot & BD_MAP_PROT));
            trace_backdoor_user_map(page, target_prot);
        }
    }
}

void backdoor_user_munmap(abi_ulong start, abi_ulong len)
{
    if (backdoor_user_enabled) {
        bd_map_forget(start, len);
    }
}

void backdoor_user_mremap(abi_ulong old_addr, abi_ulong old_size,
                          abi_ulong new_addr, abi_ulong new_size)
{
    abi_ulong moved[BD_MAX_MAPS];
    abi_ulong src_size = old_size ? old_size : new_size;
    int prots[BD_MAX_MAPS];
    int n = 0;

    if (!backdoor_user_enabled) {
        return;
    }
    /*
     * The control pages in the old range move with it, or are copied
     * by an mremap of old size 0 (which duplicates new_size bytes of a
     * shared mapping), as long as they fit in the new size.
     */
    for (int i = 0; i < bd_nmaps; i++) {
        uint64_t w = bd_maps[i];
        abi_ulong off = bd_map_start(w) - old_addr;

        if (w && off < src_size && off < new_size) {
            moved[n] = new_addr + off;
            prots[n++] = w & BD_MAP_PROT;
        }
    }
    bd_map_forget(old_addr, old_size);
    bd_map_forget(new_addr, new_size);
    for (int i = 0; i < n; i++) {
        bd_map_add(moved[i], prots[i]);
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

        if (w && addr - bd_map_start(w) < BD_CTRL_LEN) {
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

        if (!w || addr >= page + BD_CTRL_LEN || addr + size <= page) {
            continue;
        }
        if (!(w & PROT_WRITE)) {
            /* the ordinary store raises SIGSEGV */
            return false;
        }
        if (addr == page + BD_CTRL_CMD && size == 8) {
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
                          size, addr - page, BD_CTRL_CMD);
        }
        return true;
    }
    return false;
}

/*
 * Start-up
 */

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
 * Create DIR/@name afresh: whatever has that name is removed first (a
 * symbolic link is removed, never followed), and O_EXCL makes sure the
 * file opened is the new regular file, inside DIR.
 */
static int bd_create(int dfd, const char *name, size_t len, struct stat *st)
{
    int fd;

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
    if (ftruncate(fd, len) < 0 || fstat(fd, st) < 0) {
        bd_fail("-backdoor %s: cannot size '%s': %s", bd_dir, name,
                strerror(errno));
    }
    return fd;
}

void backdoor_user_setup(void)
{
    Error *err = NULL;
    struct stat st;
    uint64_t size;
    int dfd, fd;

    if (!bd_dir) {
        return;
    }
    if (!*bd_dir) {
        bd_fail("-backdoor: the directory name is empty");
    }
    if (qemu_real_host_page_size() != TARGET_PAGE_SIZE ||
        TARGET_PAGE_SIZE != BD_CTRL_LEN) {
        bd_fail("-backdoor: needs 4 KiB pages on the host and the guest");
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

    fd = bd_create(dfd, BD_DATA_FILE, bd_size, &st);
    bd_data = mmap(NULL, bd_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (bd_data == MAP_FAILED) {
        bd_fail("-backdoor %s: cannot map '%s': %s", bd_dir, BD_DATA_FILE,
                strerror(errno));
    }
    close(fd);

    fd = bd_create(dfd, BD_CTRL_FILE, BD_CTRL_LEN, &st);
    size = tswap64(bd_size);
    if (pwrite(fd, &size, sizeof(size), BD_CTRL_SIZE) != sizeof(size)) {
        bd_fail("-backdoor %s: cannot write '%s'", bd_dir, BD_CTRL_FILE);
    }
    close(fd);
    bd_ctrl_dev = st.st_dev;
    bd_ctrl_ino = st.st_ino;
    /* dfd stays open: it holds the lock */

    if (!backdoor_channel_open(bd_data, bd_size, &err)) {
        error_reportf_err(err, "-backdoor %s: ", bd_dir);
        exit(EXIT_FAILURE);
    }
    store_divert_set_handler(backdoor_user_store);
    backdoor_user_enabled = true;
    trace_backdoor_user_setup(bd_dir, bd_size);
}

void backdoor_user_exit(void)
{
    if (backdoor_user_enabled) {
        backdoor_channel_close();
    }
    /* the library may have printed; _exit() would drop what is buffered */
    fflush(stdout);
    fflush(stderr);
}
