/*
 * Backdoor channel: the guest-side library
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include "qemu-backdoor.h"
#include "qemu-backdoor-store.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PCI_DEVICES "/sys/bus/pci/devices"

static volatile uint64_t *bd_ctrl;   /* device registers or trapped page */
volatile uint64_t *qemu_backdoor_cmd_word;
static void *bd_data;
static uint64_t bd_data_size;
static unsigned bd_generation;          /* channels opened, forks */

/* Map @len bytes of @path shared; on failure return -1 with errno set. */
static void *map_file(const char *path, size_t len, off_t *file_size)
{
    struct stat st;
    void *p;
    int fd, err;

    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        goto fail;
    }
    if (file_size) {
        *file_size = st.st_size;
    }
    if (len == 0 || (off_t)len > st.st_size) {
        errno = EINVAL;
        goto fail;
    }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        goto fail;
    }
    close(fd);
    return p;

fail:
    err = errno;
    close(fd);
    errno = err;
    return NULL;
}

/*
 * Map the control channel at @ctrl_path, read the data size from it and
 * map that much of @data_path.  The device's registers are little-endian
 * (@mmio); the user-mode control file holds the size in the guest's order.
 */
static int map_channel(const char *ctrl_path, const char *data_path,
                       int mmio)
{
    volatile uint64_t *ctrl;    /* reads go to the device, not a cache */
    uint64_t size;
    void *data;
    int err;

    ctrl = map_file(ctrl_path, QEMU_BACKDOOR_CTRL_LEN, NULL);
    if (!ctrl) {
        return -1;
    }
    size = ctrl[QEMU_BACKDOOR_CTRL_SIZE / 8];
    if (mmio) {
        size = le64toh(size);
    }
    if (size == 0 || size > SIZE_MAX) {
        errno = EINVAL;
        goto fail;
    }
    data = map_file(data_path, size, NULL);
    if (!data) {
        goto fail;
    }
    bd_ctrl = ctrl;
    bd_data = data;
    bd_data_size = size;
    return 0;

fail:
    err = errno;
    munmap((void *)ctrl, QEMU_BACKDOOR_CTRL_LEN);
    errno = err;
    return -1;
}

/*
 * Whether a running QEMU serves the control page mapped at @ctrl.  Under
 * "qemu-<arch> -backdoor", QEMU keeps that page unwritable for the guest
 * whatever protection was asked for, and its /proc/self/maps says so;
 * the files a QEMU that has exited left behind map writable.  When the
 * maps cannot be read, assume the channel is served.
 */
static int user_channel_served(const volatile void *ctrl)
{
    unsigned long lo, hi, addr = (unsigned long)ctrl;
    char line[512], perms[8];
    int served = 1;
    FILE *f;

    f = fopen("/proc/self/maps", "re");
    if (!f) {
        return 1;
    }
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
            lo <= addr && addr < hi) {
            served = perms[1] != 'w';
            break;
        }
    }
    fclose(f);
    return served;
}

static int open_user(const char *base)
{
    char ctrl[PATH_MAX], data[PATH_MAX];

    if (snprintf(ctrl, sizeof(ctrl), "%s/%s", base,
                 QEMU_BACKDOOR_CTRL_FILE) >= (int)sizeof(ctrl) ||
        snprintf(data, sizeof(data), "%s/%s", base,
                 QEMU_BACKDOOR_DATA_FILE) >= (int)sizeof(data)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (map_channel(ctrl, data, 0) < 0) {
        return -1;
    }
    if (!user_channel_served(bd_ctrl)) {
        /* stale files, or not running under qemu-<arch> -backdoor */
        qemu_backdoor_fini();
        errno = ENODEV;
        return -1;
    }
    return 0;
}

static unsigned long read_id(const char *dev, const char *name)
{
    char path[PATH_MAX], buf[32];
    unsigned long id = 0;
    FILE *f;

    snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", dev, name);
    f = fopen(path, "re");
    if (f) {
        if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%lx", &id) != 1) {
            id = 0;
        }
        fclose(f);
    }
    return id;
}

/*
 * Make sure the device decodes memory accesses.  With no kernel driver
 * bound, nobody may have enabled it: SeaBIOS does, but other firmware
 * leaves devices it does not use disabled, and the BARs would then read
 * as all-ones.  Ask the kernel first ("enable"), and set the bit in the
 * command register if it is still clear.  Failures are left to the
 * mapping that follows to report (e.g. EACCES when not root).
 */
static void enable_memory(const char *dev)
{
    char path[PATH_MAX], c = 0;
    unsigned char cmd;
    int fd;

    snprintf(path, sizeof(path), PCI_DEVICES "/%s/enable", dev);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &c, 1) == 1 && c == '0' &&
            pwrite(fd, "1", 1, 0) != 1) {
            /* tried; the check below is what counts */
        }
        close(fd);
    }
    snprintf(path, sizeof(path), PCI_DEVICES "/%s/config", dev);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    /* low byte of the command register; bit 1: memory space enable */
    if (pread(fd, &cmd, 1, 4) == 1 && !(cmd & 2)) {
        cmd |= 2;
        if (pwrite(fd, &cmd, 1, 4) != 1) {
            /* the mapping will show whether the device answers */
        }
    }
    close(fd);
}

/*
 * Which of the data BAR's files to map.  Arm maps "resourceN" as Device
 * memory, where unaligned accesses and the cache-zeroing instruction of
 * memset() fault; "resourceN_wc" (the BAR is prefetchable) maps it as
 * Normal non-cacheable memory, which ordinary C code may use.  Elsewhere
 * the plain file already behaves as memory.  The Makefile says which.
 */
#ifdef QEMU_BACKDOOR_DATA_BAR_WC
#define DATA_BAR_SUFFIX "_wc"
#else
#define DATA_BAR_SUFFIX ""
#endif

static int open_system(void)
{
    char ctrl[PATH_MAX], data[PATH_MAX];
    struct dirent *de;
    DIR *dir;
    int ret = -1;

    dir = opendir(PCI_DEVICES);
    if (!dir) {
        errno = ENODEV;
        return -1;
    }
    errno = ENODEV;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.' ||
            read_id(de->d_name, "vendor") != QEMU_BACKDOOR_PCI_VENDOR ||
            read_id(de->d_name, "device") != QEMU_BACKDOOR_PCI_DEVICE) {
            continue;
        }
        /* sysfs names a BAR's file "resource" and the BAR's number */
        snprintf(ctrl, sizeof(ctrl), PCI_DEVICES "/%s/resource%d",
                 de->d_name, QEMU_BACKDOOR_CTRL_BAR);
        snprintf(data, sizeof(data), PCI_DEVICES "/%s/resource%d"
                 DATA_BAR_SUFFIX, de->d_name, QEMU_BACKDOOR_DATA_BAR);
        enable_memory(de->d_name);
        ret = map_channel(ctrl, data, 1);
        if (ret < 0 && errno == EPERM) {
            errno = EACCES;
        }
        break;
    }
    closedir(dir);
    return ret;
}

static int open_channel(const char *base)
{
    if (base && open_user(base) == 0) {
        /* qemu_backdoor() may store inline: see qemu-backdoor.h */
        qemu_backdoor_cmd_word = bd_ctrl + QEMU_BACKDOOR_CTRL_CMD / 8;
        return 0;
    }
    if (base && errno != ENOENT && errno != ENOTDIR) {
        /* the files are there but unusable: say why */
        return -1;
    }
    return open_system();
}

/* The child of a fork holds no slot: its threads claim their own */
static void forget_slots(void)
{
    bd_generation++;
}

int qemu_backdoor_init(const char *base)
{
    static int atfork;

    if (bd_ctrl) {
        errno = EBUSY;
        return -1;
    }
    if (!atfork) {
        pthread_atfork(NULL, NULL, forget_slots);
        atfork = 1;
    }
    bd_generation++;
    return open_channel(base);
}

int qemu_backdoor_fini(void)
{
    if (!bd_ctrl) {
        errno = EBADF;
        return -1;
    }
    munmap(bd_data, bd_data_size);
    qemu_backdoor_cmd_word = NULL;
    munmap((void *)bd_ctrl, QEMU_BACKDOOR_CTRL_LEN);
    bd_ctrl = NULL;
    bd_data = NULL;
    bd_data_size = 0;
    return 0;
}

uint64_t qemu_backdoor_data_size(void)
{
    return bd_data_size;
}

void *qemu_backdoor_data(void)
{
    return bd_data;
}

void qemu_backdoor_send(uint64_t cmd)
{
    qemu_backdoor_store(bd_ctrl + QEMU_BACKDOOR_CTRL_CMD / 8, cmd);
}

uint64_t qemu_backdoor_call(uint64_t cmd)
{
    return qemu_backdoor_store(bd_ctrl + QEMU_BACKDOOR_CTRL_CMD / 8, cmd);
}

/*
 * Batched records
 */

int qemu_backdoor_batch_init(struct qemu_backdoor_batch *b, uint64_t offset,
                             uint64_t size, uint64_t cmd)
{
    if (!bd_data || offset % 8 || size % 8 ||
        size < QEMU_BACKDOOR_BATCH_HEAD + QEMU_BACKDOOR_RECORD_HEAD ||
        offset > bd_data_size || size > bd_data_size - offset) {
        errno = EINVAL;
        return -1;
    }
    b->area = (uint8_t *)bd_data + offset;
    b->next = b->area + QEMU_BACKDOOR_BATCH_HEAD;
    b->end = b->area + size;
    b->cmd = cmd;
    return 0;
}

void qemu_backdoor_batch_flush(struct qemu_backdoor_batch *b)
{
    uint8_t *first = b->area + QEMU_BACKDOOR_BATCH_HEAD;
    uint64_t used = b->next - first;

    if (!used) {
        return;
    }
    /* the records are in place before the count that publishes them */
    __atomic_store_n((uint64_t *)b->area, used, __ATOMIC_RELEASE);
    qemu_backdoor(b->cmd);
    b->next = first;
}

void *qemu_backdoor_batch_reserve_flush(struct qemu_backdoor_batch *b,
                                        uint32_t tag, size_t len)
{
    size_t room = b->end - b->area - QEMU_BACKDOOR_BATCH_HEAD;

    if (len > room - QEMU_BACKDOOR_RECORD_HEAD ||
        qemu_backdoor_batch_record_size(len) > room) {
        errno = EMSGSIZE;
        return NULL;
    }
    qemu_backdoor_batch_flush(b);
    return qemu_backdoor_batch_reserve(b, tag, len);
}

/*
 * Slots.  The first word of a slot's header is the thread ID of the
 * thread that holds it (0: none), claimed with a compare-and-swap, so that
 * the threads of every process using the channel agree.
 */

static __thread int bd_slot = -1;       /* the thread's slot, or -1 */
static __thread unsigned bd_slot_gen;   /* bd_generation when claimed */

static uint64_t *slot_holder(unsigned n)
{
    return (uint64_t *)((uint8_t *)bd_data +
                        n * QEMU_BACKDOOR_SLOT_SIZE(bd_data_size));
}

/*
 * Whether the thread @tid has ended (its ID may come back, much later).
 * A word that is no thread ID (left from an earlier use of the memory)
 * holds nothing; kill() must not see it as a process group.
 */
static int thread_gone(uint64_t tid)
{
    if (tid == 0 || tid > INT_MAX) {
        return 1;
    }
    return kill((pid_t)tid, 0) < 0 && errno == ESRCH;
}

uint64_t qemu_backdoor_slot_size(void)
{
    if (!bd_data || bd_data_size < QEMU_BACKDOOR_SLOT_MIN) {
        return 0;
    }
    return QEMU_BACKDOOR_SLOT_SIZE(bd_data_size) - QEMU_BACKDOOR_SLOT_HEAD;
}

void *qemu_backdoor_slot(unsigned *n)
{
    unsigned count, i, pass;
    uint64_t tid;
    int err = errno;

    if (!qemu_backdoor_slot_size()) {
        errno = EINVAL;
        return NULL;
    }
    if (bd_slot < 0 || bd_slot_gen != bd_generation) {
        tid = (uint64_t)syscall(SYS_gettid);
        count = QEMU_BACKDOOR_SLOTS(bd_data_size);
        bd_slot = -1;
        /* a free slot first; then one whose thread has ended */
        for (pass = 0; pass < 2 && bd_slot < 0; pass++) {
            for (i = 0; i < count; i++) {
                uint64_t *holder = slot_holder(i);
                uint64_t old = __atomic_load_n(holder, __ATOMIC_RELAXED);

                if (old && old != tid && (pass == 0 || !thread_gone(old))) {
                    continue;
                }
                if (__atomic_compare_exchange_n(holder, &old, tid, 0,
                                                __ATOMIC_ACQUIRE,
                                                __ATOMIC_RELAXED)) {
                    bd_slot = i;
                    bd_slot_gen = bd_generation;
                    break;
                }
            }
        }
        errno = err;
        if (bd_slot < 0) {
            errno = EBUSY;
            return NULL;
        }
    }
    *n = bd_slot;
    return (uint8_t *)slot_holder(bd_slot) + QEMU_BACKDOOR_SLOT_HEAD;
}

void qemu_backdoor_slot_release(void)
{
    uint64_t tid;

    if (bd_slot >= 0 && bd_slot_gen == bd_generation && bd_data) {
        tid = (uint64_t)syscall(SYS_gettid);
        __atomic_compare_exchange_n(slot_holder(bd_slot), &tid, 0, 0,
                                    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
    }
    bd_slot = -1;
}
