/*
 * Diverted stores: send the guest stores of chosen instructions through
 * a helper (user-mode emulation only)
 *
 * A page that must see every guest store (a trap page) is kept read-only
 * on the host.  The first store from an instruction faults; the fault
 * handler calls store_divert_fault(), which records the instruction's
 * guest pc as a "diverted store site", discards the translations that
 * hold it and restarts the instruction.  From then on the translator
 * emits every store of that instruction as a call to a helper, which
 * offers it to the handler installed with store_divert_set_handler() and
 * performs an ordinary store when the handler declines.  Later stores
 * from the site cost a helper call, not a fault.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef USER_STORE_DIVERT_H
#define USER_STORE_DIVERT_H

#include "exec/vaddr.h"
#include "exec/memopidx.h"

/**
 * StoreDivertFn: handle one diverted store
 * @cpu: the vCPU that executes the store
 * @addr: guest virtual address of the store
 * @lo: the value, or its low 64 bits for a 16-byte store
 * @hi: the high 64 bits of a 16-byte store, else 0
 * @oi: size, byte order and mmu index of the access
 * @ra: host return address into the generated code, for unwinding
 *
 * Runs in the vCPU thread, between instructions as far as the guest can
 * tell; the guest's registers are in the CPU state and may be changed.
 * Returns true when the store has been consumed, false to let the
 * helper perform it as an ordinary store (faulting as usual).
 */
typedef bool StoreDivertFn(CPUState *cpu, vaddr addr, uint64_t lo,
                           uint64_t hi, MemOpIdx oi, uintptr_t ra);

/**
 * store_divert_set_handler: install the handler of diverted stores
 *
 * Call once at start-up, before any guest code runs.
 */
void store_divert_set_handler(StoreDivertFn *fn);

/**
 * store_divert_handle: offer a diverted store to the handler
 *
 * Called by the helper.  Returns true if the handler consumed it.
 */
bool store_divert_handle(CPUState *cpu, vaddr addr, uint64_t lo,
                         uint64_t hi, MemOpIdx oi, uintptr_t ra);

/**
 * store_divert_fault: divert the stores of a faulting instruction
 * @cpu: the vCPU
 * @old_set: the signal mask to restore (from the signal's ucontext)
 * @host_pc: the host pc of the fault, adjusted by adjust_signal_pc()
 *
 * Called from the host SIGSEGV handler, for a write fault that generated
 * code (not a helper) took on a trap page.  Records the instruction as a
 * diverted store site and restarts it, or restarts it at once when
 * another thread got there first; does not return in either case.
 * Returns (with nothing changed but the guest pc, which now points to
 * the faulting instruction) when the instruction's stores are already
 * diverted and it still faulted: the caller should then raise the guest
 * signal as for any other fault.
 */
void store_divert_fault(CPUState *cpu, sigset_t *old_set, uintptr_t host_pc);

/**
 * store_divert_site: whether the instruction at @pc is a diverted site
 *
 * Called by the translator, with the mmap lock held.
 */
bool store_divert_site(vaddr pc);

#endif /* USER_STORE_DIVERT_H */
