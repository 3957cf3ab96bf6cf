/*
 * QEMU backdoor PCI device
 *
 * The guest-visible layout (PCI IDs, BARs, registers) is defined in
 * backdoor/abi.h, shared with linux-user and the guest library, and
 * described in docs/specs/backdoor.rst.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_BACKDOOR_H
#define HW_MISC_BACKDOOR_H

#include "backdoor/abi.h"

#define TYPE_BACKDOOR "backdoor"

#endif /* HW_MISC_BACKDOOR_H */
