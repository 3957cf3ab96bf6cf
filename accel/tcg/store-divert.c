/*
 * Diverted stores (user-mode emulation): see include/user/store-divert.h
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#ifdef QEMU_BASE_10_0
#include "exec/exec-all.h"
#endif
#include "exec/page-protection.h"
#include "exec/translation-block.h"
#ifndef QEMU_BASE_10_0
#include "accel/tcg/cpu-ops.h"
#include "hw/core/cpu.h"
#endif
#include "tcg/tcg.h"
#include "user/store-divert.h"
#include "internal-common.h"
#ifdef QEMU_BASE_10_0
#include "internal-target.h"
#endif
#include "trace.h"

static StoreDivertFn *divert_fn;

/*
 * The guest pcs of the diverted store sites, as uint64_t keys, consulted
 * when an instruction is translated.  Protected by the mmap lock, which
 * the translator holds too.
 *
 * A guest that generates code could make any number of sites, so the
 * table is emptied when it is full.  That is always correct: the
 * translations that divert stay as they are (the helper performs
 * ordinary stores itself), and a site translated again without the
 * helper faults once more on its next store into a trap page.
 */
#define STORE_DIVERT_MAX_SITES 4096

static GHashTable *divert_sites;
static unsigned divert_site_count;

void store_divert_set_handler(StoreDivertFn *fn)
{
    qatomic_set(&divert_fn, fn);
}

bool store_divert_handle(CPUState *cpu, vaddr addr, uint64_t lo,
                         uint64_t hi, MemOpIdx oi, uintptr_t ra)
{
    StoreDivertFn *fn = qatomic_read(&divert_fn);

    return fn && fn(cpu, addr, lo, hi, oi, ra);
}

bool store_divert_site(vaddr pc)
{
    uint64_t key = pc;

    assert_memory_lock();
    return divert_site_count && g_hash_table_contains(divert_sites, &key);
}

void store_divert_fault(CPUState *cpu, sigset_t *old_set, uintptr_t host_pc)
{
    TranslationBlock *tb = tcg_tb_lookup(host_pc);
    uint64_t *key;
#ifdef QEMU_BASE_10_0
    uint64_t cs_base;
    uint32_t flags;
#endif
    vaddr pc;

    if (!tb || !qatomic_read(&divert_fn)) {
        return;
    }

    /*
     * Like page_unprotect(), this runs in a synchronous SIGSEGV handler
     * taken in generated code, where no lock of this thread is held.
     */
    mmap_lock();
    cpu_restore_state_from_tb(cpu, tb, host_pc);
    if (!(tb_cflags(tb) & CF_INVALID)) {
#ifdef QEMU_BASE_10_0
        cpu_get_tb_cpu_state(cpu_env(cpu), &pc, &cs_base, &flags);
#else
        pc = cpu->cc->tcg_ops->get_tb_cpu_state(cpu).pc;
#endif
        if (!divert_sites) {
            divert_sites = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                 g_free, NULL);
        }
        if (divert_site_count == STORE_DIVERT_MAX_SITES) {
            g_hash_table_remove_all(divert_sites);
            divert_site_count = 0;
        }
        key = g_new(uint64_t, 1);
        *key = pc;
        if (!g_hash_table_add(divert_sites, key)) {
            /*
             * Already diverted, yet this translation still stores
             * directly: the store is not made by the generic store
             * emitters.  Let the guest see the fault.
             */
            mmap_unlock();
            return;
        }
        divert_site_count++;
        trace_store_divert_site(pc, divert_site_count);
        /* Retranslate every block that holds the instruction. */
#ifdef QEMU_BASE_10_0
        tb_invalidate_phys_range(pc, pc);
#else
        tb_invalidate_phys_range(cpu, pc, pc);
#endif
    }
    /*
     * Otherwise another thread diverted the site and invalidated this
     * block after it started: just run the instruction again.
     */
    mmap_unlock();
    sigprocmask(SIG_SETMASK, old_set, NULL);
    cpu_loop_exit_noexc(cpu);
}
