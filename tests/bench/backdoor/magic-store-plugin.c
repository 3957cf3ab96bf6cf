/*
 * The no-patch peer of the user-mode backdoor, for bench-user.sh: a TCG
 * plugin that watches every guest store and treats an 8-byte store at
 * offset 8 of one "magic" page as a command (it counts them, and keeps
 * the last value).
 *
 *   qemu-x86_64 -plugin libmagic.so,page=0x200000000 prog
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t magic_page = 0x200000000ULL;
static uint64_t commands, last_cmd;

static void on_store(unsigned int vcpu, qemu_plugin_meminfo_t info,
                     uint64_t vaddr, void *udata)
{
    if (vaddr - magic_page == 8 && qemu_plugin_mem_size_shift(info) == 3) {
        qemu_plugin_mem_value v = qemu_plugin_mem_get_value(info);

        __atomic_fetch_add(&commands, 1, __ATOMIC_RELAXED);
        last_cmd = v.data.u64;
    }
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    for (size_t i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i),
                                         on_store, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_W, NULL);
    }
}

static void report_at_exit(qemu_plugin_id_t id, void *p)
{
    char buf[128];

    snprintf(buf, sizeof(buf), "magic-store: %" PRIu64 " commands, last 0x%"
             PRIx64 "\n", commands, last_cmd);
    qemu_plugin_outs(buf);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "page=", 5)) {
            magic_page = g_ascii_strtoull(argv[i] + 5, NULL, 0);
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, report_at_exit, NULL);
    return 0;
}
