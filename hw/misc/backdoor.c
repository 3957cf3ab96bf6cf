/*
 * QEMU backdoor PCI device
 *
 * Gives a guest the two halves of the backdoor channel (backdoor/): a
 * control BAR whose command register calls the backdoor library compiled
 * into QEMU, and a data BAR of plain RAM that the guest and the library
 * share.  Guest-visible interface: docs/specs/backdoor.rst.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/memalign.h"
#include "qemu/module.h"
#include "qemu/stats64.h"
#include "qemu/units.h"
#include "qapi/error.h"
#ifdef QEMU_BASE_10_0
#include "exec/memory.h"
#else
#include "system/memory.h"
#endif
#include "hw/boards.h"
#include "hw/core/cpu.h"
#include "hw/pci/pci_device.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "migration/blocker.h"
#include "migration/vmstate.h"
#include "hw/misc/backdoor.h"
#include "backdoor/channel.h"
#include "trace.h"

OBJECT_DECLARE_SIMPLE_TYPE(BackdoorState, BACKDOOR)

/* the guest library finds the device by the IDs of the shared header */
QEMU_BUILD_BUG_ON(PCI_VENDOR_ID_REDHAT != QEMU_BACKDOOR_PCI_VENDOR);
QEMU_BUILD_BUG_ON(PCI_DEVICE_ID_REDHAT_BACKDOOR != QEMU_BACKDOOR_PCI_DEVICE);

/*
 * Register COUNT, counted by each vCPU in a counter of its own, on a cache
 * line of its own: one counter that every vCPU adds to would make
 * concurrent commands (a library taking parallel calls) wait for each
 * other's cache misses.
 */
typedef struct BackdoorCount {
    Stat64 n;
} QEMU_ALIGNED(64) BackdoorCount;

struct BackdoorState {
    PCIDevice parent_obj;

    /* Properties */
    uint64_t data_size;
    bool migratable;
    char *lib;

    /* Internal state */
    MemoryRegion ctrl;
    MemoryRegion data;
    Error *migration_blocker;
    bool channel_open;
    /*
     * Commands delivered since the last reset (register COUNT): a counter
     * for each possible vCPU, and the last one for writes by no vCPU
     */
    BackdoorCount *counts;
    unsigned ncounts;
    uint64_t migrated_count;
};

static void backdoor_count(BackdoorState *s, CPUState *cpu)
{
    unsigned i = s->ncounts - 1;

    if (cpu && cpu->cpu_index >= 0 && cpu->cpu_index < i) {
        i = cpu->cpu_index;
    }
    stat64_add(&s->counts[i].n, 1);
}

static uint64_t backdoor_count_get(BackdoorState *s)
{
    uint64_t sum = 0;

    for (unsigned i = 0; i < s->ncounts; i++) {
        sum += stat64_get(&s->counts[i].n);
    }
    return sum;
}

static void backdoor_count_set(BackdoorState *s, uint64_t value)
{
    for (unsigned i = 0; i < s->ncounts; i++) {
        stat64_set(&s->counts[i].n, i == s->ncounts - 1 ? value : 0);
    }
}

/*
 * Reads: the 64-bit registers may be read whole, or as two aligned 32-bit
 * halves (for guests without 64-bit loads).  Anything else reads as 0.
 */
static bool backdoor_reg_read(BackdoorState *s, hwaddr addr, unsigned size,
                              uint64_t *val)
{
    hwaddr reg = addr & ~(hwaddr)7;
    unsigned shift = (addr & 7) * 8;
    uint64_t v;

    if (!(size == 8 && shift == 0) && !(size == 4 && (addr & 3) == 0)) {
        return false;
    }
    switch (reg) {
    case QEMU_BACKDOOR_CTRL_SIZE:
        v = s->data_size;
        break;
    case QEMU_BACKDOOR_CTRL_COUNT:
        v = backdoor_count_get(s);
        break;
    default:
        return false;
    }
    *val = size == 8 ? v : (uint32_t)(v >> shift);
    return true;
}

static uint64_t backdoor_ctrl_read(void *opaque, hwaddr addr, unsigned size)
{
    BackdoorState *s = opaque;
    uint64_t val = 0;

    if (!backdoor_reg_read(s, addr, size, &val)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: ignored read of %u byte(s) at offset 0x%"
                      HWADDR_PRIx "\n", __func__, size, addr);
    }
    trace_backdoor_ctrl_read(addr, size, val);
    return val;
}

static void backdoor_ctrl_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    BackdoorState *s = opaque;

    trace_backdoor_ctrl_write(addr, size, val);
    if (addr != QEMU_BACKDOOR_CTRL_CMD || size != 8) {
        /* the registers are read-only, and a command is one 64-bit write */
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: ignored write of %u byte(s) at offset 0x%"
                      HWADDR_PRIx " (value 0x%" PRIx64 ")\n",
                      __func__, size, addr, val);
        return;
    }
    backdoor_count(s, current_cpu);
    /*
     * The library wants the command as the bytes the guest stored (it
     * decodes them with tswap64()); the memory core decoded those bytes
     * as a little-endian number, so turn them back into bytes.
     */
    backdoor_channel_command(current_cpu, cpu_to_le64(val));
}

/*
 * The memory core passes every access through unchanged (any width from
 * 1 to 8 bytes, aligned or not), so that the callbacks decide, and log,
 * what is ignored.  docs/specs/backdoor.rst says when they run without
 * the BQL, and the channel core serialises the library's calls unless it
 * takes parallel calls.
 */
static const MemoryRegionOps backdoor_ctrl_ops = {
    .read = backdoor_ctrl_read,
    .write = backdoor_ctrl_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

static void backdoor_realize(PCIDevice *pdev, Error **errp)
{
    BackdoorState *s = BACKDOOR(pdev);

    if (!is_power_of_2(s->data_size) ||
        s->data_size < QEMU_BACKDOOR_DATA_SIZE_MIN ||
        s->data_size > QEMU_BACKDOOR_DATA_SIZE_MAX) {
        error_setg(errp, "backdoor: data-size must be a power of two "
                   "from %llu KiB to %llu GiB, not %" PRIu64 " bytes",
                   QEMU_BACKDOOR_DATA_SIZE_MIN / KiB,
                   QEMU_BACKDOOR_DATA_SIZE_MAX / GiB, s->data_size);
        return;
    }

    /* no interrupts */
    pdev->config[PCI_INTERRUPT_PIN] = 0;

    if (!s->counts) {
        s->ncounts = MACHINE(qdev_get_machine())->smp.max_cpus + 1;
        s->counts = qemu_memalign(__alignof__(BackdoorCount),
                                  s->ncounts * sizeof(BackdoorCount));
    }
    memset(s->counts, 0, s->ncounts * sizeof(BackdoorCount));

    memory_region_init_io(&s->ctrl, OBJECT(s), &backdoor_ctrl_ops, s,
                          "backdoor-ctrl", QEMU_BACKDOOR_CTRL_LEN);
    pci_register_bar(pdev, QEMU_BACKDOOR_CTRL_BAR,
                     PCI_BASE_ADDRESS_SPACE_MEMORY, &s->ctrl);

    /* also registers the RAM for migration */
    if (!memory_region_init_ram(&s->data, OBJECT(s), "backdoor-data",
                                s->data_size, errp)) {
        return;
    }
    pci_register_bar(pdev, QEMU_BACKDOOR_DATA_BAR,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_PREFETCH |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->data);

    if (!s->migratable) {
        error_setg(&s->migration_blocker, "backdoor: migration is disabled "
                   "by migratable=off: the state of the backdoor library "
                   "compiled into QEMU cannot be migrated");
        if (migrate_add_blocker(&s->migration_blocker, errp) < 0) {
            goto fail;
        }
    }

    /*
     * Loading code into QEMU is for the command line, as with TCG plugins:
     * a hot-plugged device may only name the library already loaded.
     */
    if (s->lib && DEVICE(pdev)->hotplugged &&
        !backdoor_channel_lib_loaded(s->lib)) {
        error_setg(errp, "backdoor: lib= loads a library only on the "
                   "command line, not on a hot-plugged device");
        goto fail;
    }
    /* fails if another device (or user mode) already owns the channel */
    if (!backdoor_channel_open(memory_region_get_ram_ptr(&s->data),
                               s->data_size, s->lib, errp)) {
        goto fail;
    }
    s->channel_open = true;
#ifndef QEMU_BASE_10_0
    /* a library that takes concurrent calls gets them without the BQL */
    if (backdoor_channel_parallel()) {
        memory_region_enable_lockless_io(&s->ctrl);
    }
#endif
    return;

fail:
    migrate_del_blocker(&s->migration_blocker);
    vmstate_unregister_ram(&s->data, DEVICE(s));
}

static void backdoor_exit(PCIDevice *pdev)
{
    BackdoorState *s = BACKDOOR(pdev);

    if (s->channel_open) {
        backdoor_channel_close();
        s->channel_open = false;
    }
    migrate_del_blocker(&s->migration_blocker);
    /* the RAM block may outlive us a little (RCU); free its name now */
    vmstate_unregister_ram(&s->data, DEVICE(s));
}

/*
 * The counters go with the object, not with unrealize: a vCPU outside the
 * BQL may still be in backdoor_ctrl_write() while the device is unplugged,
 * and the memory region keeps the object alive until it is done (RCU).
 */
static void backdoor_finalize(Object *obj)
{
    BackdoorState *s = BACKDOOR(obj);

    qemu_vfree(s->counts);
}

static void backdoor_reset_hold(Object *obj, ResetType type)
{
    BackdoorState *s = BACKDOOR(obj);

    trace_backdoor_reset(backdoor_count_get(s));
    backdoor_count_set(s, 0);
}

/*
 * The data BAR is RAM and migrates as such; the library's own state lives
 * outside QEMU's device model and is not migrated (migratable=off refuses
 * migration and snapshots instead).
 */
static int backdoor_pre_save(void *opaque)
{
    BackdoorState *s = opaque;

    s->migrated_count = backdoor_count_get(s);
    return 0;
}

static int backdoor_post_load(void *opaque, int version_id)
{
    BackdoorState *s = opaque;

    backdoor_count_set(s, s->migrated_count);
    return 0;
}

static const VMStateDescription vmstate_backdoor = {
    .name = TYPE_BACKDOOR,
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = backdoor_pre_save,
    .post_load = backdoor_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, BackdoorState),
        VMSTATE_UINT64(migrated_count, BackdoorState),
        VMSTATE_END_OF_LIST()
    },
};

static const Property backdoor_properties[] = {
    DEFINE_PROP_SIZE("data-size", BackdoorState, data_size,
                     QEMU_BACKDOOR_DATA_SIZE_DEFAULT),
    DEFINE_PROP_BOOL("migratable", BackdoorState, migratable, true),
    DEFINE_PROP_STRING("lib", BackdoorState, lib),
};

#ifdef QEMU_BASE_10_0
static void backdoor_class_init(ObjectClass *klass, void *data)
#else
static void backdoor_class_init(ObjectClass *klass, const void *data)
#endif
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    g_autofree char *desc = NULL;

    k->realize = backdoor_realize;
    k->exit = backdoor_exit;
    k->vendor_id = PCI_VENDOR_ID_REDHAT;
    k->device_id = PCI_DEVICE_ID_REDHAT_BACKDOOR;
    k->revision = QEMU_BACKDOOR_PCI_REVISION;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "Backdoor channel to a library in QEMU";
    dc->vmsd = &vmstate_backdoor;
    rc->phases.hold = backdoor_reset_hold;
    device_class_set_props(dc, backdoor_properties);
    desc = g_strdup_printf("size of the data channel (BAR %d) shared with "
                           "the backdoor library: a power of two from "
                           "%llu KiB to %llu GiB", QEMU_BACKDOOR_DATA_BAR,
                           QEMU_BACKDOOR_DATA_SIZE_MIN / KiB,
                           QEMU_BACKDOOR_DATA_SIZE_MAX / GiB);
    object_class_property_set_description(klass, "data-size", desc);
    object_class_property_set_description(klass, "migratable",
        "on: the data channel migrates as RAM (the library's own state "
        "does not); off: block migration and snapshots");
    object_class_property_set_description(klass, "lib",
        "a backdoor library (shared object) to load at start instead of "
        "the one compiled into QEMU; one library per QEMU process");
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo backdoor_types[] = {
    {
        .name = TYPE_BACKDOOR,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(BackdoorState),
        .instance_finalize = backdoor_finalize,
        .class_init = backdoor_class_init,
#ifdef QEMU_BASE_10_0
        .interfaces = (InterfaceInfo[]) {
#else
        .interfaces = (const InterfaceInfo[]) {
#endif
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(backdoor_types)
