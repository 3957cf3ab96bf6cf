/*
 * Backdoor channel: the standard command set
 *
 * The numbers and the data channel layout of the commands that QEMU's
 * built-in library implements (and that a user library keeps when it
 * chains to qemu_backdoor_std()).  Shared by the host library and the
 * guest tool qemu-backdoor; see docs/interop/backdoor-guest.rst.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QEMU_BACKDOOR_STD_H
#define QEMU_BACKDOOR_STD_H

/* Version of the command set below; bumped when a command is added */
#define QEMU_BACKDOOR_STD_VERSION       1

/*
 * Commands are 0x51454d55 ("QEMU") in the high 32 bits and the command
 * in the low 32 bits; a user library may use any other number.
 */
#define QEMU_BACKDOOR_STD_BASE          0x51454d5500000000ULL
#define QEMU_BACKDOOR_STD_MASK          0xffffffff00000000ULL
#define QEMU_BACKDOOR_STD(n)            (QEMU_BACKDOOR_STD_BASE | (n))

#define QEMU_BACKDOOR_STD_VERSION_CMD   QEMU_BACKDOOR_STD(0x01)
#define QEMU_BACKDOOR_STD_PRINT         QEMU_BACKDOOR_STD(0x02)
#define QEMU_BACKDOOR_STD_EXIT          QEMU_BACKDOOR_STD(0x03)
#define QEMU_BACKDOOR_STD_TIME          QEMU_BACKDOOR_STD(0x04)
#define QEMU_BACKDOOR_STD_ROI_BEGIN     QEMU_BACKDOOR_STD(0x05)
#define QEMU_BACKDOOR_STD_ROI_END       QEMU_BACKDOOR_STD(0x06)
#define QEMU_BACKDOOR_STD_PUT           QEMU_BACKDOOR_STD(0x07)
#define QEMU_BACKDOOR_STD_GET           QEMU_BACKDOOR_STD(0x08)

/* Feature bits returned by QEMU_BACKDOOR_STD_VERSION_CMD: 1 << command */
#define QEMU_BACKDOOR_STD_FEATURE(cmd)  (1ULL << ((cmd) & 63))
/* the user named a directory for PUT and GET */
#define QEMU_BACKDOOR_STD_FEATURE_FILES (1ULL << 63)
/* ROI_END counts guest instructions (system mode, TCG, -icount) */
#define QEMU_BACKDOOR_STD_FEATURE_ICOUNT (1ULL << 62)

/*
 * The request at the start of the data channel: 64-bit words, in the
 * guest's byte order.  The guest fills in the arguments and sets
 * "result" to -QEMU_BACKDOOR_STD_ENOSYS before sending the command, so
 * that a library without the standard set leaves it unchanged.
 *
 *   word 0  result: >= 0 success, < 0 a negated error below
 *   word 1..6 arguments (per command), also results where noted
 *   word 7  reserved, 0
 *   byte 64 payload: a name and/or data (QEMU_BACKDOOR_STD_PAYLOAD)
 *
 * VERSION_CMD  result: QEMU_BACKDOOR_STD_VERSION; arg[0] out: features
 * PRINT        arg[0]: message length; payload: the message (it ends at
 *              the first NUL or after arg[0] bytes); result: bytes written
 * EXIT         arg[0]: exit status; in user mode the QEMU process exits
 *              and the command does not return; in system mode QEMU
 *              shuts down soon after it returns with result 0
 * TIME         arg[0] out: host CLOCK_REALTIME, arg[1] out: host
 *              CLOCK_MONOTONIC, in nanoseconds; result 0
 * ROI_BEGIN    starts a region of interest; result 0
 * ROI_END      ends it; result: its host elapsed time in nanoseconds;
 *              arg[0] out: the guest instructions QEMU executed in it, on
 *              every vCPU (guest kernel included), where QEMU counts them:
 *              system mode under TCG with -icount (the VERSION_CMD
 *              feature QEMU_BACKDOOR_STD_FEATURE_ICOUNT); elsewhere (user
 *              mode, no -icount, KVM) all-ones.  QEMU reports the regions
 *              when it exits
 * PUT          arg[0]: offset in the host file, arg[1]: data length,
 *              arg[2]: name length; payload: the name (relative to the
 *              directory the user named, without "." or ".." parts), then
 *              the data at the next multiple of 8.  Offset 0 creates or
 *              truncates the file.  result: bytes written
 * GET          arg[0]: offset, arg[1]: most bytes wanted, arg[2]: name
 *              length; payload as for PUT.  result: bytes read into the
 *              data part (0 at the end of the file); arg[3] out: the
 *              file's size
 */
#define QEMU_BACKDOOR_STD_RESULT        0
#define QEMU_BACKDOOR_STD_ARG(i)        (8 * (1 + (i)))
#define QEMU_BACKDOOR_STD_PAYLOAD       64

/* where the data of PUT and GET starts for a name of @name_len bytes */
#define QEMU_BACKDOOR_STD_DATA_OFFSET(name_len) \
    (QEMU_BACKDOOR_STD_PAYLOAD + (((name_len) + 1 + 7) & ~7ULL))

/* longest name of PUT and GET, without its NUL */
#define QEMU_BACKDOOR_STD_NAME_MAX      1023

/*
 * Errors (negated in "result"); the numbers are Linux's generic errno
 * values, so that a Linux guest of any architecture can name them.
 */
#define QEMU_BACKDOOR_STD_EPERM         1
#define QEMU_BACKDOOR_STD_ENOENT        2
#define QEMU_BACKDOOR_STD_EIO           5
#define QEMU_BACKDOOR_STD_EACCES        13
#define QEMU_BACKDOOR_STD_EEXIST        17
#define QEMU_BACKDOOR_STD_ENOTDIR       20
#define QEMU_BACKDOOR_STD_EISDIR        21
#define QEMU_BACKDOOR_STD_EINVAL        22
#define QEMU_BACKDOOR_STD_EFBIG         27
#define QEMU_BACKDOOR_STD_ENOSPC        28
#define QEMU_BACKDOOR_STD_ENAMETOOLONG  36
#define QEMU_BACKDOOR_STD_ENOSYS        38
#define QEMU_BACKDOOR_STD_ELOOP         40

#endif /* QEMU_BACKDOOR_STD_H */
