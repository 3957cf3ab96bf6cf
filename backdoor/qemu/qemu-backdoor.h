/*
 * Backdoor channel: the interface of the user-provided callback library
 *
 * The C sources given to "configure --with-backdoor=DIR" are compiled into
 * every emulator, once per target and with that target's headers (so they
 * may include "cpu.h" and use tswap64()).  They must define the two
 * callbacks below.  Without --with-backdoor a built-in default library is
 * used (backdoor/qemu/default-backdoor.c).
 *
 * A library can instead be a shared object that QEMU loads at run time
 * (-device backdoor,lib=FILE.so or -backdoor DIR,lib=FILE.so), in builds
 * with module or plugin support.  Its sources define
 * QEMU_BACKDOOR_MODULE before including this header (pkg-config
 * qemu-backdoor does it), cannot use QEMU's internal headers, and must
 * export qemu_backdoor_api_version (QEMU_BACKDOOR_DECLARE_VERSION).
 *
 * See docs/backdoor.txt for the whole picture.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QEMU_BACKDOOR_H
#define QEMU_BACKDOOR_H

#ifdef QEMU_BACKDOOR_MODULE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* opaque outside QEMU */
typedef struct CPUState CPUState;
#define QEMU_BACKDOOR_EXPORT __attribute__((visibility("default")))

/* a library may be written in C++: its entry points keep their C names */
#ifdef \
    __cplusplus
extern "C" {
#endif
#else
/*
 * The library's sources start with this header rather than with
 * "qemu/osdep.h", so it provides QEMU's base environment for them.
 */
#include "qemu/osdep.h"
/* tswap64(), for the commands, which are in guest byte order */
#include "exec/tswap.h"
#define QEMU_BACKDOOR_EXPORT
#endif

/*
 * The version of this interface.  QEMU loads a library only if it was
 * built for the same version; it changes when an entry point or a helper
 * changes incompatibly.
 */
#define QEMU_BACKDOOR_API_VERSION   1

/*
 * A library loaded at run time declares the version it was built for,
 * once, at file scope: QEMU_BACKDOOR_DECLARE_VERSION;
 */
#define QEMU_BACKDOOR_DECLARE_VERSION \
    const uint32_t qemu_backdoor_api_version = QEMU_BACKDOOR_API_VERSION
/* exported, and not file-local in C++ as a const definition alone would be */
extern QEMU_BACKDOOR_EXPORT const uint32_t qemu_backdoor_api_version;

/**
 * qemu_backdoor_init: set up the library
 * @data_size: size in bytes of the data channel
 *
 * Called once per QEMU process, when the channel is created (device
 * realize in system mode, start-up in user mode), before any command.
 */
QEMU_BACKDOOR_EXPORT void qemu_backdoor_init(uint64_t data_size);

/**
 * qemu_backdoor: handle one command written by the guest
 * @cmd: the 64-bit value the guest wrote into the control channel, in
 *       guest byte order (use tswap64(), or qemu_backdoor_tswap64() in
 *       a library loaded at run time, to read it as a number)
 * @data: QEMU's own mapping of the data channel, @data_size bytes, shared
 *        with the guest; its contents are in guest byte order too
 *
 * Called once for each command, in the thread of the vCPU that wrote it,
 * in the order that vCPU wrote them.  Calls never overlap: QEMU
 * serialises them, unless the library asks for QEMU_BACKDOOR_F_PARALLEL.
 * Helpers below give access to that vCPU's memory and registers while the
 * call runs.
 */
QEMU_BACKDOOR_EXPORT void qemu_backdoor(uint64_t cmd, void *data);

/*
 * QEMU_BACKDOOR_F_PARALLEL: the library is thread-safe.  Its calls of
 * qemu_backdoor() may then run at the same time in several vCPU threads
 * (user mode: guest threads), without the lock that serialises them
 * otherwise; each vCPU's commands still arrive once each and in order.
#ifdef QEMU_BASE_10_0
 * In system mode QEMU 10.0 still handles the device's registers under
 * its global lock, so calls do not overlap there yet.
#else
 * In system mode they run without QEMU's global lock (BQL) as well.
#endif
 */
#define QEMU_BACKDOOR_F_PARALLEL    (1u << 0)

/**
 * qemu_backdoor_flags: optional; the QEMU_BACKDOOR_F_* the library wants
 *
 * Called once, before qemu_backdoor_init().  Without it the flags are 0:
 * calls are serialised.
 */
QEMU_BACKDOOR_EXPORT unsigned qemu_backdoor_flags(void) __attribute__((weak));

/**
 * qemu_backdoor_exit: optional; called once when QEMU exits
 *
 * A library may define it to report or release what it holds.  It runs
 * after the last call of qemu_backdoor(), which is never called again,
 * and only if qemu_backdoor_init() was called.  A forked user-mode guest
 * is a QEMU process of its own, with its own copy of the library: its
 * copy's qemu_backdoor_exit() runs when that process exits.
 *
 * After a system-mode device is unplugged, qemu_backdoor() is not called
 * until a device is plugged again (qemu_backdoor_init() is not called
 * again: the library keeps its state).
 */
QEMU_BACKDOOR_EXPORT void qemu_backdoor_exit(void) __attribute__((weak));

/*
 * Helpers for the callbacks.  They are valid only inside qemu_backdoor(),
 * under TCG and KVM alike, in system and user mode.
 */

/**
 * qemu_backdoor_cpu: the vCPU that issued the current command
 *
 * Its architectural state (cpu_env()) is up to date and may be changed:
 * under KVM the registers are fetched first and written back before the
 * vCPU resumes.  Returns NULL outside a callback.
 */
CPUState *qemu_backdoor_cpu(void);

/**
 * qemu_backdoor_read_guest: copy guest memory into @buf
 * @vaddr: guest virtual address, translated with the calling vCPU's MMU
 *
 * Returns 0 on success, -1 if some of the range is not mapped or cannot
 * be read: memory mapped from a file past the file's end (a truncated
 * file, or in system mode a memory-backend-file another process shrank)
 * fails here instead of raising SIGBUS.
 */
int qemu_backdoor_read_guest(uint64_t vaddr, void *buf, size_t len);

/**
 * qemu_backdoor_write_guest: copy @buf into guest memory
 * @vaddr: guest virtual address, translated with the calling vCPU's MMU
 *
 * Like a debugger's write, it does not check the guest's write
 * protection: read-only guest pages are written too.
 *
 * Returns 0 on success, -1 if some of the range is not mapped or cannot
 * be written: memory past the end of the file it is mapped from, as for
 * qemu_backdoor_read_guest(), or in user mode a control mapping.
 */
int qemu_backdoor_write_guest(uint64_t vaddr, const void *buf, size_t len);

/**
 * qemu_backdoor_tswap64: swap @value between guest and host byte order
 *
 * tswap64() for libraries loaded at run time, which cannot include
 * "cpu.h": qemu_backdoor_tswap64(@cmd) is the command as a number.
 */
uint64_t qemu_backdoor_tswap64(uint64_t value);

/*
 * Batched records (the guest library's qemu_backdoor_batch_*()): the guest
 * writes records into an area of the data channel and hands them over
 * with one command of its choosing; the library reads them with this.
 */

/**
 * QemuBackdoorRecordFn: called for each record of a batch
 * @tag: the record's tag, as a number
 * @rec: its @len bytes of payload, in the data channel: a hostile guest
 *       may change them meanwhile, so copy what must stay consistent
 * @opaque: what qemu_backdoor_batch_foreach() was given
 */
typedef void QemuBackdoorRecordFn(uint32_t tag, const void *rec, size_t len,
                                  void *opaque);

/**
 * qemu_backdoor_batch_foreach: call @fn for each record of a batch
 * @area: the batch, in the data channel (@data + the area's offset)
 * @size: the area's size in bytes
 *
 * Reads each count and header once, and never past @area + @size.
 * Returns the number of records, or -1 when the area is malformed (a
 * count or a record that does not fit); the records before the bad one
 * have been handed to @fn.
 */
int64_t qemu_backdoor_batch_foreach(const void *area, size_t size,
                                    QemuBackdoorRecordFn *fn, void *opaque);

/**
 * qemu_backdoor_slot_data: the data of a slot of the data channel (the
 * guest library's qemu_backdoor_slot(), include/backdoor/abi.h)
 * @data: the data channel, as qemu_backdoor() gets it
 * @data_size: its size, as qemu_backdoor_init() got it
 * @n: the slot's number, as the command carries it
 * @size: where to put the size of the slot's data
 *
 * Returns the slot's data, or NULL when there is no slot @n.
 */
void *qemu_backdoor_slot_data(void *data, uint64_t data_size, uint64_t n,
                              uint64_t *size);

/**
 * qemu_backdoor_quit: end QEMU with exit status @status
 *
 * May be called from qemu_backdoor() only.  In system mode it requests
 * a shutdown, as a guest power-off does, and QEMU then exits with
 * @status (unless -no-shutdown or -action shutdown=pause keeps it); the
 * guest runs on until the main loop handles the request.  In user mode
 * the calling guest process ends as if it had called exit_group(@status)
 * once qemu_backdoor() returns (that call does not return to the guest).
 * Either way qemu_backdoor_exit() runs before QEMU exits.
 */
void qemu_backdoor_quit(int status);

/*
 * The standard command set (backdoor/guest/qemu-backdoor-std.h), which
 * the built-in library implements.  A user library keeps it by calling
 * these three from its own callbacks (docs/devel/backdoor.rst):
 *
 *     void qemu_backdoor_init(uint64_t data_size)
 *     {
 *         qemu_backdoor_std_init(data_size);
 *     }
 *
 *     void qemu_backdoor(uint64_t cmd, void *data)
 *     {
 *         if (qemu_backdoor_std(cmd, data)) {
 *             return;
 *         }
 *         ... the library's own commands ...
 *     }
 *
 *     void qemu_backdoor_exit(void)
 *     {
 *         qemu_backdoor_std_exit();
 *     }
 */

/**
 * qemu_backdoor_std_init: set up the standard commands
 * @data_size: the size given to qemu_backdoor_init()
 *
 * Reads the environment variables QEMU_BACKDOOR_LOG (a file the PRINT
 * command appends to, instead of stderr) and QEMU_BACKDOOR_SHARE (the
 * host directory that PUT and GET copy files in).
 */
void qemu_backdoor_std_init(uint64_t data_size);

/**
 * qemu_backdoor_std: handle @cmd if it is a standard command
 *
 * Takes the arguments of qemu_backdoor().  Returns true when @cmd is one
 * of the standard commands (it has then been handled), false otherwise
 * (nothing was done; the caller handles @cmd itself).
 */
bool qemu_backdoor_std(uint64_t cmd, void *data);

/**
 * qemu_backdoor_std_exit: report at exit
 *
 * Prints what the region-of-interest commands measured, if anything.
 */
void qemu_backdoor_std_exit(void);

#if defined(QEMU_BACKDOOR_MODULE) && defined( \
    __cplusplus)
}
#endif

#endif /* QEMU_BACKDOOR_H */
