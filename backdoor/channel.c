/*
 * Backdoor channel: the QEMU-side core shared by the PCI device and the
 * linux-user interception
 *
 * Compiled once per target, like the user library it calls.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/thread.h"
#include "qemu/lockable.h"
#include "qemu/memalign.h"
#include "qemu/sys_membarrier.h"
#include "exec/cpu-common.h"
#include "exec/target_page.h"
#include "exec/tswap.h"
#include "hw/core/cpu.h"
#include "backdoor/abi.h"
#include "backdoor/channel.h"
#include "backdoor/qemu/qemu-backdoor.h"
#ifndef CONFIG_USER_ONLY
#ifdef QEMU_BASE_10_0
#include "exec/memory.h"
#include "exec/ramblock.h"
#else
#include "system/memory.h"
#include "system/ramblock.h"
#endif
#include "qemu/main-loop.h"
#include "system/hw_accel.h"
#include "system/runstate.h"
#include "system/system.h"
#endif
#include "trace.h"
#include "backdoor/backdoor-config.h"
#ifdef CONFIG_BACKDOOR_LOADABLE
#include <gmodule.h>
#endif

/* the library's entry points: the compiled-in ones, or a loaded library's */
typedef struct BackdoorLibrary {
    void (*init)(uint64_t data_size);
    void (*call)(uint64_t cmd, void *data);
    unsigned (*flags)(void);
    void (*exit)(void);
} BackdoorLibrary;

static BackdoorLibrary backdoor_lib = {
    .init = qemu_backdoor_init,
    .call = qemu_backdoor,
    .flags = qemu_backdoor_flags,   /* weak: NULL when not defined */
    .exit = qemu_backdoor_exit,
};
/* the file backdoor_lib was loaded from; NULL for the compiled-in one */
static char *backdoor_lib_path;

/*
 * Recursive: a library that calls exit() inside a callback runs the exit
 * notifier (backdoor_channel_exit()) in the thread that holds it.  It
 * serialises the calls in user mode; in system mode the BQL does (see
 * backdoor_call_serialised()).
 */
static QemuRecMutex backdoor_lock;
static bool backdoor_is_open;
static void *backdoor_data;
/* the size qemu_backdoor_init() was called with, 0 before */
static uint64_t backdoor_lib_size;
/* the vCPU whose command this thread is handling */
static __thread CPUState *backdoor_caller;
/*
 * The library asked for QEMU_BACKDOOR_F_PARALLEL: its calls do not take
 * backdoor_lock (nor, in system mode, the BQL).
 */
static bool backdoor_parallel;

/*
 * In parallel mode each vCPU says in a record of its own whether it is in
 * a call, so that the library's exit callback can wait for the calls of
 * other vCPUs without every call writing a shared counter.  A record
 * belongs to a cpu_index, which a new vCPU (user mode: a new guest thread)
 * takes over once the old one is gone; records are never freed.  Each is
 * on a cache line of its own, which only its vCPU writes.
 */
typedef struct BackdoorCaller {
    bool in_call;
    int cpu_index;
    struct BackdoorCaller *next;
} QEMU_ALIGNED(64) BackdoorCaller;

static BackdoorCaller *backdoor_callers;
static QemuMutex backdoor_callers_lock;
static __thread BackdoorCaller *backdoor_me;
/* set when QEMU exits: the channel never opens again */
static bool backdoor_exited;
/* the library's qemu_backdoor_exit() has been called, or is being */
static bool backdoor_exit_called;
#ifdef CONFIG_USER_ONLY
/* qemu_backdoor_quit() was called in this thread's callback, and how */
static __thread bool backdoor_quit_requested;
static __thread int backdoor_quit_status;
#endif

static void __attribute__((constructor)) backdoor_lock_init(void)
{
    qemu_rec_mutex_init(&backdoor_lock);
    qemu_mutex_init(&backdoor_callers_lock);
}

/* the record of @cpu, whose thread this is, found on its first call */
static BackdoorCaller *backdoor_caller_get(CPUState *cpu)
{
    BackdoorCaller *me;

    if (backdoor_me) {
        return backdoor_me;
    }
    QEMU_LOCK_GUARD(&backdoor_callers_lock);
    for (me = backdoor_callers; me; me = me->next) {
        if (me->cpu_index == cpu->cpu_index) {
            break;
        }
    }
    if (!me) {
        me = qemu_memalign(__alignof__(BackdoorCaller), sizeof(*me));
        memset(me, 0, sizeof(*me));
        me->cpu_index = cpu->cpu_index;
        me->next = backdoor_callers;
        qatomic_store_release(&backdoor_callers, me);
    }
    backdoor_me = me;
    return me;
}

#ifndef CONFIG_USER_ONLY
static void backdoor_channel_drain(bool drop_bql);

/*
 * exit() runs this before QEMU's exit notifiers, whose runner QEMU
 * registered first: the wait for the parallel calls, which may let go of
 * the BQL, happens here rather than in the middle of the notifier list.
 */
static void backdoor_channel_atexit(void)
{
    backdoor_channel_drain(true);
}

static void backdoor_channel_exit_notify(Notifier *n, void *data)
{
    backdoor_channel_exit();
}

static Notifier backdoor_exit_notifier = {
    .notify = backdoor_channel_exit_notify,
};
#endif

#ifdef CONFIG_BACKDOOR_LOADABLE
static bool backdoor_lib_symbol(GModule *mod, const char *path,
                                const char *name, bool required,
                                gpointer *sym, Error **errp)
{
    if (!g_module_symbol(mod, name, sym)) {
        *sym = NULL;
    }
    if (!*sym && required) {
        error_setg(errp, "%s is not a backdoor library: it does not define "
                   "%s", path, name);
        return false;
    }
    return true;
}

/*
 * Load the library in @path.  It stays loaded until QEMU exits: its
 * state outlives an unplugged device, as a compiled-in library's does.
 */
static bool backdoor_lib_load(const char *path, Error **errp)
{
    BackdoorLibrary lib;
    const uint32_t *version;
    struct stat st;
    GModule *mod;

    /*
     * Only the file named: g_module_open() would look a name without a
     * "/" up in the linker's search path, and try other suffixes.
     */
    if (stat(path, &st) < 0) {
        error_setg_errno(errp, errno, "cannot load the backdoor library %s",
                         path);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "cannot load the backdoor library %s: not a "
                   "regular file", path);
        return false;
    }
    mod = g_module_open(path, G_MODULE_BIND_LOCAL);
    if (!mod) {
        error_setg(errp, "cannot load the backdoor library: %s",
                   g_module_error());
        return false;
    }
    if (!backdoor_lib_symbol(mod, path, "qemu_backdoor_api_version", true,
                             (gpointer *)&version, errp)) {
        goto fail;
    }
    if (*version != QEMU_BACKDOOR_API_VERSION) {
        error_setg(errp, "%s was built for version %" PRIu32 " of the "
                   "backdoor library interface; this QEMU has version %d",
                   path, *version, QEMU_BACKDOOR_API_VERSION);
        goto fail;
    }
    if (!backdoor_lib_symbol(mod, path, "qemu_backdoor_init", true,
                             (gpointer *)&lib.init, errp) ||
        !backdoor_lib_symbol(mod, path, "qemu_backdoor", true,
                             (gpointer *)&lib.call, errp) ||
        !backdoor_lib_symbol(mod, path, "qemu_backdoor_flags", false,
                             (gpointer *)&lib.flags, errp) ||
        !backdoor_lib_symbol(mod, path, "qemu_backdoor_exit", false,
                             (gpointer *)&lib.exit, errp)) {
        goto fail;
    }
    trace_backdoor_channel_load(path);
    backdoor_lib = lib;
    backdoor_lib_path = g_strdup(path);
    return true;

fail:
    g_module_close(mod);
    return false;
}
#else
static bool backdoor_lib_load(const char *path, Error **errp)
{
    error_setg(errp, "cannot load the backdoor library %s: this QEMU is "
               "built without support for loading modules; compile the "
               "library in with configure --with-backdoor", path);
    return false;
}
#endif

bool backdoor_channel_lib_loaded(const char *lib)
{
    g_autofree char *path = g_canonicalize_filename(lib, NULL);

    QEMU_LOCK_GUARD(&backdoor_lock);
    return backdoor_lib_size && !g_strcmp0(path, backdoor_lib_path);
}

bool backdoor_channel_open(void *data, uint64_t size, const char *lib_arg,
                           Error **errp)
{
    /* the same file, however it is named, and relative to where QEMU runs */
    g_autofree char *lib = lib_arg ? g_canonicalize_filename(lib_arg, NULL)
                                   : NULL;

    QEMU_LOCK_GUARD(&backdoor_lock);

    if (lib_arg && !*lib_arg) {
        error_setg(errp, "lib= needs the name of a backdoor library");
        return false;
    }
    if (backdoor_is_open || backdoor_exited) {
        error_setg(errp, "a backdoor channel is already open; "
                   "QEMU supports one per process");
        return false;
    }
    if (backdoor_lib_size && g_strcmp0(lib, backdoor_lib_path)) {
        error_setg(errp, "the backdoor library %s is in use; QEMU uses one "
                   "library per process", backdoor_lib_path ?
                   backdoor_lib_path : "compiled into QEMU");
        return false;
    }
    if (backdoor_lib_size && backdoor_lib_size != size) {
        error_setg(errp, "the backdoor library was initialised for a data "
                   "channel of %" PRIu64 " bytes, not %" PRIu64,
                   backdoor_lib_size, size);
        return false;
    }
    trace_backdoor_channel_open(size);
    if (!backdoor_lib_size) {
        if (lib && !backdoor_lib_load(lib, errp)) {
            return false;
        }
#ifndef CONFIG_USER_ONLY
        qemu_add_exit_notifier(&backdoor_exit_notifier);
        atexit(backdoor_channel_atexit);
#endif
        if (backdoor_lib.flags) {
            backdoor_parallel = backdoor_lib.flags() &
                                QEMU_BACKDOOR_F_PARALLEL;
        }
        trace_backdoor_channel_init(backdoor_parallel);
        backdoor_lib.init(size);
        backdoor_lib_size = size;
    }
    qatomic_set(&backdoor_data, data);
    qatomic_store_release(&backdoor_is_open, true);
    return true;
}

void backdoor_channel_close(void)
{
    QEMU_LOCK_GUARD(&backdoor_lock);

    trace_backdoor_channel_close();
    qatomic_set(&backdoor_is_open, false);
    qatomic_set(&backdoor_data, NULL);
}

bool backdoor_channel_parallel(void)
{
    return backdoor_parallel;
}

/*
 * Close the channel for good and wait for the parallel calls that are
 * still running: the next ones find it closed.  A running call may wait
 * for the BQL (a library that reads guest memory mapped to a device takes
 * it), so with @drop_bql the wait lets go of the BQL if this thread holds
 * it.
 */
static void backdoor_channel_drain(bool drop_bql)
{
    WITH_QEMU_LOCK_GUARD(&backdoor_lock) {
        qatomic_set(&backdoor_is_open, false);
        backdoor_exited = true;
    }
    /* pairs with smp_mb_placeholder() in backdoor_channel_command() */
    smp_mb_global();
    for (BackdoorCaller *c = qatomic_load_acquire(&backdoor_callers); c;
         c = c->next) {
        while (c != backdoor_me && qatomic_load_acquire(&c->in_call)) {
#ifndef CONFIG_USER_ONLY
            if (drop_bql && bql_locked()) {
                bql_unlock();
                g_usleep(100);
                bql_lock();
                continue;
            }
#endif
            g_usleep(100);
        }
    }
}

void backdoor_channel_exit(void)
{
    bool call_exit;

    /*
     * System mode: backdoor_channel_atexit() waited for the calls already;
     * the calls that start now find the channel closed and do not wait
     * for the BQL, which the exit notifiers hold.
     */
    backdoor_channel_drain(false);
    WITH_QEMU_LOCK_GUARD(&backdoor_lock) {
        call_exit = backdoor_lib_size && !backdoor_exit_called &&
                    backdoor_lib.exit;
        backdoor_exit_called = true;
    }
    if (call_exit) {
        trace_backdoor_channel_exit();
        backdoor_lib.exit();
    }
}

static void backdoor_call(CPUState *cpu, uint64_t cmd)
{
    void *data;

    if (!qatomic_load_acquire(&backdoor_is_open)) {
        return;
    }
    /* NULL when the device was unplugged since is_open was read */
    data = qatomic_read(&backdoor_data);
    if (!data) {
        return;
    }
    trace_backdoor_channel_command(cpu ? cpu->cpu_index : -1, tswap64(cmd));
    backdoor_caller = cpu;
    backdoor_lib.call(cmd, data);
    backdoor_caller = NULL;
}

void qemu_backdoor_quit(int status)
{
    trace_backdoor_channel_quit(status);
#ifdef CONFIG_USER_ONLY
    /* backdoor_channel_command() exits once the library has returned */
    backdoor_quit_requested = true;
    backdoor_quit_status = status;
#else
    qemu_system_shutdown_request_with_code(SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
                                           status);
#endif
}

/*
 * One call at a time, and none while the exit path runs.  In system mode
 * the BQL does that: the device's control BAR is handled with the BQL
 * held unless the library takes parallel calls, and QEMU's exit notifiers
 * run with it held, so that a lock of the channel's own would only add
 * its cost to every call.  Without the BQL (user mode, or a parallel
 * library's write by no vCPU, such as DMA from an I/O thread) the
 * channel's lock keeps the call apart from the exit path.
 */
static void backdoor_call_serialised(CPUState *cpu, uint64_t cmd)
{
#ifndef CONFIG_USER_ONLY
    if (bql_locked()) {
        backdoor_call(cpu, cmd);
        return;
    }
#endif
    QEMU_LOCK_GUARD(&backdoor_lock);
    backdoor_call(cpu, cmd);
}

void backdoor_channel_command(CPUState *cpu, uint64_t cmd)
{
    if (backdoor_parallel && cpu) {
        BackdoorCaller *me = backdoor_caller_get(cpu);

        qatomic_set(&me->in_call, true);
        /* pairs with smp_mb_global() in backdoor_channel_exit() */
        smp_mb_placeholder();
        backdoor_call(cpu, cmd);
        qatomic_store_release(&me->in_call, false);
    } else {
        /* writes by no vCPU (qtest, DMA) too */
        backdoor_call_serialised(cpu, cmd);
    }
#ifdef CONFIG_USER_ONLY
    if (backdoor_quit_requested && cpu) {
        backdoor_quit_requested = false;
        /* outside the lock: the exit path calls qemu_backdoor_exit() */
        backdoor_user_quit(cpu, backdoor_quit_status);
    }
#endif
}

CPUState *qemu_backdoor_cpu(void)
{
    CPUState *cpu = backdoor_caller;

#ifndef CONFIG_USER_ONLY
    if (cpu) {
        /* fetch KVM's registers; they are written back before resuming */
        cpu_synchronize_state(cpu);
    }
#endif
    return cpu;
}

#ifndef CONFIG_USER_ONLY
/*
 * Whether the guest memory at @phys..@phys+@len can be touched without a
 * SIGBUS: RAM mapped from a file is only there up to the file's end, and
 * a shared memory-backend-file may be truncated by another process while
 * QEMU runs.  The guest's own accesses to such memory fault too; this
 * keeps the library's helpers from turning that host mistake into a
 * crash of QEMU in the middle of a callback.
 */
static bool backdoor_phys_backed(AddressSpace *as, hwaddr phys, hwaddr len,
                                 MemTxAttrs attrs, bool is_write)
{
    RCU_READ_LOCK_GUARD();

    while (len > 0) {
        hwaddr xlat, l = len;
        MemoryRegion *mr = address_space_translate(as, phys, &xlat, &l,
                                                   is_write, attrs);
        RAMBlock *rb;
        ram_addr_t offset;
        struct stat st;

        if (memory_region_is_ram(mr)) {
            rb = qemu_ram_block_from_host(memory_region_get_ram_ptr(mr) +
                                          xlat, false, &offset);
            if (rb && qemu_ram_get_fd(rb) >= 0 &&
                (fstat(qemu_ram_get_fd(rb), &st) ||
                 (S_ISREG(st.st_mode) &&
                  rb->fd_offset + offset + l > st.st_size))) {
                return false;
            }
        }
        phys += l;
        len -= l;
    }
    return true;
}

/* cpu_memory_rw_debug(), minus the pages that would raise SIGBUS */
static int backdoor_system_memory_rw(CPUState *cpu, vaddr addr, void *ptr,
                                     size_t len, bool is_write)
{
    uint8_t *buf = ptr;

    while (len > 0) {
        vaddr page = addr & TARGET_PAGE_MASK;
        size_t l = MIN(len, page + TARGET_PAGE_SIZE - addr);
        MemTxAttrs attrs;
        hwaddr phys = cpu_get_phys_page_attrs_debug(cpu, page, &attrs);
        AddressSpace *as;

        if (phys == -1) {
            return -1;
        }
        phys += addr & ~TARGET_PAGE_MASK;
        as = cpu_get_address_space(cpu, cpu_asidx_from_attrs(cpu, attrs));
        if (!backdoor_phys_backed(as, phys, l, attrs, is_write) ||
            address_space_rw(as, phys, attrs, buf, l, is_write) != MEMTX_OK) {
            return -1;
        }
        addr += l;
        buf += l;
        len -= l;
    }
    return 0;
}
#endif

static int backdoor_guest_rw(uint64_t vaddr, void *buf, size_t len,
                             bool is_write)
{
    CPUState *cpu = qemu_backdoor_cpu();

    if (!cpu) {
        return -1;
    }
#ifdef CONFIG_USER_ONLY
    return backdoor_user_memory_rw(cpu, vaddr, buf, len, is_write);
#else
    return backdoor_system_memory_rw(cpu, vaddr, buf, len, is_write);
#endif
}

int qemu_backdoor_read_guest(uint64_t vaddr, void *buf, size_t len)
{
    return backdoor_guest_rw(vaddr, buf, len, false);
}

int qemu_backdoor_write_guest(uint64_t vaddr, const void *buf, size_t len)
{
    return backdoor_guest_rw(vaddr, (void *)buf, len, true);
}

uint64_t qemu_backdoor_tswap64(uint64_t value)
{
    return tswap64(value);
}

int64_t qemu_backdoor_batch_foreach(const void *area, size_t size,
                                    QemuBackdoorRecordFn *fn, void *opaque)
{
    const uint8_t *p = area;
    uint64_t used;
    size_t off = QEMU_BACKDOOR_BATCH_HEAD;
    int64_t n = 0;

    if (size < QEMU_BACKDOOR_BATCH_HEAD) {
        return -1;
    }
    /* read once: the guest may change the area while we walk it */
    memcpy(&used, p, sizeof(used));
    used = tswap64(used);
    if (used > size - QEMU_BACKDOOR_BATCH_HEAD) {
        return -1;
    }
    while (off < QEMU_BACKDOOR_BATCH_HEAD + used) {
        uint32_t head[2];
        size_t len, next;

        if (QEMU_BACKDOOR_BATCH_HEAD + used - off <
            QEMU_BACKDOOR_RECORD_HEAD) {
            return -1;
        }
        memcpy(head, p + off, sizeof(head));
        len = tswap32(head[0]);
        next = off + QEMU_BACKDOOR_RECORD_HEAD +
               ROUND_UP(len, QEMU_BACKDOOR_RECORD_ALIGN);
        if (len > used || next > QEMU_BACKDOOR_BATCH_HEAD + used) {
            return -1;
        }
        fn(tswap32(head[1]), p + off + QEMU_BACKDOOR_RECORD_HEAD, len,
           opaque);
        off = next;
        n++;
    }
    return n;
}

void *qemu_backdoor_slot_data(void *data, uint64_t data_size, uint64_t n,
                              uint64_t *size)
{
    uint64_t slot = QEMU_BACKDOOR_SLOT_SIZE(data_size);

    if (data_size < QEMU_BACKDOOR_SLOT_MIN ||
        n >= QEMU_BACKDOOR_SLOTS(data_size)) {
        return NULL;
    }
    *size = slot - QEMU_BACKDOOR_SLOT_HEAD;
    return (uint8_t *)data + n * slot + QEMU_BACKDOOR_SLOT_HEAD;
}
