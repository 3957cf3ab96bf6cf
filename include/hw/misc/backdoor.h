/*
 * QEMU backdoor PCI device: guest-visible interface
 *
 * Shared by the device model (hw/misc/backdoor.c) and its qtest.  The
 * register map is described in docs/specs/backdoor.rst.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_BACKDOOR_H
#define HW_MISC_BACKDOOR_H

#define TYPE_BACKDOOR "backdoor"

/* PCI identity: QEMU's vendor ID, PCI_DEVICE_ID_REDHAT_BACKDOOR */
#define BACKDOOR_PCI_VENDOR_ID      0x1b36
#define BACKDOOR_PCI_DEVICE_ID      0x0015
#define BACKDOOR_PCI_REVISION       1

/* BAR numbers */
#define BACKDOOR_CTRL_BAR           0   /* 32-bit MMIO */
#define BACKDOOR_DATA_BAR           2   /* 64-bit prefetchable RAM */

/* Control BAR: 64-bit little-endian registers */
#define BACKDOOR_CTRL_BAR_SIZE      0x1000
#define BACKDOOR_REG_SIZE           0x00    /* r: data BAR size, bytes */
#define BACKDOOR_REG_CMD            0x08    /* w: send a command */
#define BACKDOOR_REG_COUNT          0x10    /* r: commands since reset */

/* Limits of the "data-size" property (powers of two) */
#define BACKDOOR_DATA_SIZE_MIN      (4 * 1024ULL)
#define BACKDOOR_DATA_SIZE_MAX      (1024 * 1024 * 1024ULL)
#define BACKDOOR_DATA_SIZE_DEFAULT  (1024 * 1024ULL)

#endif /* HW_MISC_BACKDOOR_H */
