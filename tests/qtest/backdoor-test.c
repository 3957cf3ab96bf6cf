/*
 * QTest for the backdoor PCI device (hw/misc/backdoor.c)
 *
 * Register-level checks that hold for any backdoor library, plus checks
 * of the callbacks that need the test library compiled in (configure
 * --with-backdoor=tests/backdoor/testlib).  Whether it is compiled in is
 * a property of the build, not of the library's answers: the environment
 * says it (BACKDOOR_TEST_LIB=1, set by whoever runs the test from the
 * build's configuration).  With it, the library's checks run and fail
 * when it does not answer; without it, they are not registered.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "hw/pci/pci_ids.h"
#include "hw/pci/pci_regs.h"
#include "hw/misc/backdoor.h"
#include "../backdoor/testlib/backdoor-test-ops.h"

#define DATA_SIZE   (64 * 1024)
#define DEVFN       QPCI_DEVFN(4, 0)

/* the test library is compiled in: check what it saw */
static bool testlib;

typedef struct {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar ctrl;
    QPCIBar data;
    uint64_t data_bar_size;
} Backdoor;

static void bd_map(Backdoor *b)
{
    uint64_t size;

    qpci_device_enable(b->dev);
    b->ctrl = qpci_iomap(b->dev, QEMU_BACKDOOR_CTRL_BAR, &size);
    g_assert_cmpuint(size, ==, QEMU_BACKDOOR_CTRL_LEN);
    b->data = qpci_iomap(b->dev, QEMU_BACKDOOR_DATA_BAR, &b->data_bar_size);
}

static void bd_start(Backdoor *b, const char *machine, const char *extra)
{
    b->qts = qtest_initf("-M %s -device backdoor,addr=04.0,data-size=%d %s",
                         machine, DATA_SIZE, extra ? extra : "");
    b->bus = qpci_new_pc(b->qts, NULL);
    b->dev = qpci_device_find(b->bus, DEVFN);
    g_assert_nonnull(b->dev);
    bd_map(b);
}

static void bd_stop(Backdoor *b)
{
    g_free(b->dev);
    qpci_free_pc(b->bus);
    qtest_quit(b->qts);
}

static uint64_t bd_count(Backdoor *b)
{
    return qtest_readq(b->qts, b->ctrl.addr + QEMU_BACKDOOR_CTRL_COUNT);
}

static void bd_cmd(Backdoor *b, uint64_t cmd)
{
    qtest_writeq(b->qts, b->ctrl.addr + QEMU_BACKDOOR_CTRL_CMD, cmd);
}

static uint64_t bd_word(Backdoor *b, unsigned slot, unsigned word)
{
    return qtest_readq(b->qts,
                       b->data.addr + slot * BDT_SLOT_SIZE + word * 8);
}

/*
 * Ask the test library for its counters (into @slot); it must answer.
 * st->commands counts this query too.
 */
static void bd_stats(Backdoor *b, unsigned slot, struct bdt_stats *st)
{
    uint64_t *w = (uint64_t *)st;

    g_assert_true(testlib);
    /* a value the test library always overwrites */
    qtest_writeq(b->qts, b->data.addr + slot * BDT_SLOT_SIZE + 8, ~0ULL);
    bd_cmd(b, BDT_CMD(BDT_OP_STATS, slot, 0));
    for (size_t i = 0; i < sizeof(*st) / 8; i++) {
        w[i] = bd_word(b, slot, i);
    }
    g_assert_cmpuint(st->init_calls, ==, 1);
    g_assert_cmpuint(st->init_size, ==, DATA_SIZE);
}

/*
 * With the test library: it saw @n commands in all, @last the one before
 * the query (through @slot), none overlapping or unknown
 */
static void bd_check_lib(Backdoor *b, unsigned slot, uint64_t n,
                         uint64_t last)
{
    struct bdt_stats st;

    if (!testlib) {
        return;
    }
    bd_stats(b, slot, &st);
    g_assert_cmpuint(st.commands, ==, n + 1);
    g_assert_cmphex(st.last_cmd, ==, last);
    g_assert_cmpuint(st.overlaps, ==, 0);
    g_assert_cmpuint(st.bad_ops, ==, 0);
}

static void test_ids_and_size(const void *opaque)
{
    const char *machine = opaque;
    Backdoor b;

    bd_start(&b, machine, NULL);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_VENDOR_ID), ==,
                    QEMU_BACKDOOR_PCI_VENDOR);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_DEVICE_ID), ==,
                    QEMU_BACKDOOR_PCI_DEVICE);
    g_assert_cmphex(qpci_config_readw(b.dev, PCI_CLASS_DEVICE), ==,
                    PCI_CLASS_OTHERS);
    g_assert_cmphex(qpci_config_readl(b.dev, PCI_BASE_ADDRESS_0 +
                                      4 * QEMU_BACKDOOR_DATA_BAR) &
                    ~PCI_BASE_ADDRESS_MEM_MASK, ==,
                    PCI_BASE_ADDRESS_SPACE_MEMORY |
                    PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmpuint(b.data_bar_size, ==, DATA_SIZE);

    /* SIZE, whole and as 32-bit halves */
    g_assert_cmpuint(qtest_readq(b.qts, b.ctrl.addr + QEMU_BACKDOOR_CTRL_SIZE),
                     ==, DATA_SIZE);
    g_assert_cmpuint(qtest_readl(b.qts, b.ctrl.addr + QEMU_BACKDOOR_CTRL_SIZE),
                     ==, DATA_SIZE);
    g_assert_cmpuint(qtest_readl(b.qts,
                                 b.ctrl.addr + QEMU_BACKDOOR_CTRL_SIZE + 4),
                     ==, 0);
    g_assert_cmpuint(bd_count(&b), ==, 0);
    bd_stop(&b);
}

/* Every 64-bit write of CMD is one command, and one library call */
static void test_commands(void)
{
    struct bdt_stats st;
    Backdoor b;

    bd_start(&b, "pc", NULL);
    bd_cmd(&b, BDT_CMD(BDT_OP_NOP, 0, 1));
    g_assert_cmpuint(bd_count(&b), ==, 1);

    for (int i = 0; i < 100; i++) {
        bd_cmd(&b, BDT_CMD(BDT_OP_SEQ, 3, i));
        g_assert_cmpuint(bd_count(&b), ==, 2 + i);
    }
    if (!testlib) {
        bd_stop(&b);
        return;
    }
    bd_stats(&b, 1, &st);
    /* the NOP, 100 SEQ commands and this STATS */
    g_assert_cmpuint(st.commands, ==, 102);
    g_assert_cmpuint(st.seq_ok, ==, 100);
    g_assert_cmpuint(st.seq_bad, ==, 0);
    g_assert_cmpuint(st.overlaps, ==, 0);
    g_assert_cmpuint(st.bad_ops, ==, 0);
    g_assert_cmphex(st.last_cmd, ==, BDT_CMD(BDT_OP_SEQ, 3, 99));
    g_assert_cmpuint(bd_count(&b), ==, 102);
    bd_stop(&b);
}

/* The data BAR is the library's data channel, seen both ways */
static void test_data_channel(void)
{
    uint8_t buf[BDT_SLOT_SIZE], out[BDT_SLOT_SIZE];
    Backdoor b;

    bd_start(&b, "pc", NULL);

    /* plain RAM: what the guest writes, it reads back */
    for (int i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 7 + 1;
    }
    qpci_memwrite(b.dev, b.data, DATA_SIZE - sizeof(buf), buf, sizeof(buf));
    qpci_memread(b.dev, b.data, DATA_SIZE - sizeof(buf), out, sizeof(out));
    g_assert_cmpmem(buf, sizeof(buf), out, sizeof(out));
    g_assert_cmpuint(bd_count(&b), ==, 0);
    bd_stop(&b);
}

/* The library sees the data channel, and the guest sees its changes */
static void test_library_data(void)
{
    uint8_t buf[BDT_SLOT_SIZE], out[BDT_SLOT_SIZE];
    Backdoor b;

    bd_start(&b, "pc", NULL);
    for (int i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 7 + 1;
    }
    /* guest -> library -> guest: the library XORs the slot in place */
    qpci_memwrite(b.dev, b.data, 5 * BDT_SLOT_SIZE, buf, sizeof(buf));
    bd_cmd(&b, BDT_CMD(BDT_OP_XOR, 5, 100));
    qpci_memread(b.dev, b.data, 5 * BDT_SLOT_SIZE, out, sizeof(out));
    for (int i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(out[i], ==, i < 100 ? buf[i] ^ 0x5a : buf[i]);
    }
    /* library -> guest: STATS lands in the slot the command names */
    g_assert_cmpuint(bd_word(&b, 7, 2), ==, 0);
    bd_cmd(&b, BDT_CMD(BDT_OP_STATS, 7, 0));
    g_assert_cmpuint(bd_word(&b, 7, 1), ==, DATA_SIZE);
    /* the XOR and this STATS */
    g_assert_cmpuint(bd_word(&b, 7, 2), ==, 2);
    g_assert_cmphex(bd_word(&b, 7, 6), ==, BDT_CMD(BDT_OP_XOR, 5, 100));
    g_assert_cmpuint(bd_count(&b), ==, 2);
    bd_stop(&b);
}

/* No vCPU under qtest: helpers that need the calling vCPU fail cleanly */
static void test_no_cpu_helpers(void)
{
    Backdoor b;

    bd_start(&b, "pc", NULL);
    qtest_writeq(b.qts, b.data.addr + 2 * BDT_SLOT_SIZE, 0x1234);
    qtest_writeq(b.qts, b.data.addr + 2 * BDT_SLOT_SIZE + 8, 0);
    bd_cmd(&b, BDT_CMD(BDT_OP_WRITE_GUEST, 2, 0x1000));
    g_assert_cmphex(bd_word(&b, 2, 1), ==, (uint64_t)-1);
    qtest_writeq(b.qts, b.data.addr + 2 * BDT_SLOT_SIZE + 8, 0);
    bd_cmd(&b, BDT_CMD(BDT_OP_SET_REG, 2, 0));
    g_assert_cmphex(bd_word(&b, 2, 1), ==, (uint64_t)-1);
    bd_check_lib(&b, 3, 2, BDT_CMD(BDT_OP_SET_REG, 2, 0));
    bd_stop(&b);
}

static void test_reset(void)
{
    Backdoor b;

    bd_start(&b, "pc", NULL);
    for (int i = 0; i < 10; i++) {
        bd_cmd(&b, BDT_CMD(BDT_OP_NOP, 0, i));
    }
    g_assert_cmpuint(bd_count(&b), ==, 10);
    qtest_writeq(b.qts, b.data.addr + 64, 0xfeedf00d);

    qtest_system_reset(b.qts);
    /* the BARs are unmapped by the reset: map them again */
    bd_map(&b);
    g_assert_cmpuint(bd_count(&b), ==, 0);
    g_assert_cmpuint(qtest_readq(b.qts, b.ctrl.addr + QEMU_BACKDOOR_CTRL_SIZE),
                     ==, DATA_SIZE);
    /* the data channel is memory: a reset leaves it alone */
    g_assert_cmphex(qtest_readq(b.qts, b.data.addr + 64), ==, 0xfeedf00d);
    bd_cmd(&b, BDT_CMD(BDT_OP_NOP, 0, 10));
    g_assert_cmpuint(bd_count(&b), ==, 1);

    /* the library is not reset with the device: it has seen them all */
    bd_check_lib(&b, 1, 11, BDT_CMD(BDT_OP_NOP, 0, 10));
    bd_stop(&b);
}

/*
 * The value a read of @size bytes at @off should return, while COUNT is 0:
 * SIZE whole, or its low half; everything else reads as 0.
 */
static uint64_t expected_read(uint64_t off, unsigned size)
{
    if (off == QEMU_BACKDOOR_CTRL_SIZE && (size == 8 || size == 4)) {
        return DATA_SIZE;
    }
    return 0;
}

/*
 * Every width at every offset of the control BAR, aligned or not: reads
 * return the register or 0, and only an aligned 64-bit write of CMD is a
 * command.  Then the same over the data BAR, which is plain memory.
 */
static const unsigned access_sizes[] = { 1, 2, 4, 8 };

static uint64_t read_n(QTestState *qts, uint64_t addr, unsigned size)
{
    switch (size) {
    case 1:
        return qtest_readb(qts, addr);
    case 2:
        return qtest_readw(qts, addr);
    case 4:
        return qtest_readl(qts, addr);
    default:
        return qtest_readq(qts, addr);
    }
}

static void write_n(QTestState *qts, uint64_t addr, unsigned size,
                    uint64_t val)
{
    switch (size) {
    case 1:
        qtest_writeb(qts, addr, val);
        break;
    case 2:
        qtest_writew(qts, addr, val);
        break;
    case 4:
        qtest_writel(qts, addr, val);
        break;
    default:
        qtest_writeq(qts, addr, val);
        break;
    }
}

static void test_bad_ctrl_access(void)
{
    QTestState *qts;
    uint64_t base, v;
    Backdoor b;

    bd_start(&b, "pc", NULL);
    qts = b.qts;
    base = b.ctrl.addr;
    for (uint64_t off = 0; off < QEMU_BACKDOOR_CTRL_LEN; off++) {
        for (int i = 0; i < ARRAY_SIZE(access_sizes); i++) {
            unsigned size = access_sizes[i];

            if (off + size > QEMU_BACKDOOR_CTRL_LEN) {
                continue;
            }
            v = read_n(qts, base + off, size);
            if (v != expected_read(off, size)) {
                g_error("read of %u byte(s) at 0x%" PRIx64 ": 0x%" PRIx64
                        ", expected 0x%" PRIx64, size, off, v,
                        expected_read(off, size));
            }
            /* everything but a command */
            if (size != 8 || off != QEMU_BACKDOOR_CTRL_CMD) {
                write_n(qts, base + off, size, 0xa5a5a5a5a5a5a5a5ULL);
            }
        }
    }
    /* none of that was a command */
    g_assert_cmpuint(bd_count(&b), ==, 0);

    /* accesses that straddle the end of the BAR */
    qtest_writeq(qts, base + QEMU_BACKDOOR_CTRL_LEN - 4, ~0ULL);
    qtest_readq(qts, base + QEMU_BACKDOOR_CTRL_LEN - 1);
    g_assert_cmpuint(bd_count(&b), ==, 0);
    /* and the library saw none */
    bd_check_lib(&b, 0, 0, 0);
    bd_stop(&b);
}

static void test_bad_data_access(void)
{
    QTestState *qts;
    uint64_t base, want;
    Backdoor b;

    bd_start(&b, "pc", NULL);
    qts = b.qts;
    base = b.data.addr;
    /* the first and last pages, every offset and width */
    for (uint64_t off = 0; off < DATA_SIZE; off++) {
        if (off == 4096) {
            off = DATA_SIZE - 4096;
        }
        for (int i = 0; i < ARRAY_SIZE(access_sizes); i++) {
            unsigned size = access_sizes[i];

            if (off + size > DATA_SIZE) {
                continue;
            }
            want = (0x0102030405060708ULL * (off + 1)) >> (64 - 8 * size);
            write_n(qts, base + off, size, want);
            g_assert_cmphex(read_n(qts, base + off, size), ==, want);
        }
    }
    g_assert_cmpuint(bd_count(&b), ==, 0);
    /* straddling the end of the data BAR */
    qtest_writeq(qts, base + DATA_SIZE - 3, ~0ULL);
    qtest_readq(qts, base + DATA_SIZE - 3);
    g_assert_cmpuint(bd_count(&b), ==, 0);
    bd_check_lib(&b, 0, 0, 0);
    bd_stop(&b);
}

/* Garbage in config space, then the device still answers (or is off) */
static void test_bad_config_access(void)
{
    Backdoor b;

    bd_start(&b, "pc", NULL);
    for (int off = 0; off < 256; off++) {
        qpci_config_readb(b.dev, off);
        qpci_config_writeb(b.dev, off, 0xff);
        if (!(off & 1)) {
            qpci_config_readw(b.dev, off);
            qpci_config_writew(b.dev, off, 0xffff);
        }
        if (!(off & 3)) {
            qpci_config_readl(b.dev, off);
            qpci_config_writel(b.dev, off, 0xffffffff);
        }
    }
    /* map it again from scratch and use it */
    qpci_config_writel(b.dev,
                       PCI_BASE_ADDRESS_0 + 4 * QEMU_BACKDOOR_DATA_BAR + 4, 0);
    bd_map(&b);
    g_assert_cmpuint(qtest_readq(b.qts, b.ctrl.addr + QEMU_BACKDOOR_CTRL_SIZE),
                     ==, DATA_SIZE);
    bd_cmd(&b, BDT_CMD(BDT_OP_NOP, 0, 0xc0f));
    g_assert_cmpuint(bd_count(&b), ==, 1);
    bd_check_lib(&b, 0, 1, BDT_CMD(BDT_OP_NOP, 0, 0xc0f));
    bd_stop(&b);
}

/* A second device is refused: there is one channel per process */
static void test_second_device(void)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) gerr = NULL;
    QDict *resp;
    Backdoor b;
    int status;

    bd_start(&b, "pc", NULL);
    resp = qtest_qmp(b.qts, "{'execute': 'device_add', 'arguments':"
                     " {'driver': 'backdoor', 'id': 'bd2'}}");
    g_assert_true(qdict_haskey(resp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(resp, "error"),
                                          "desc"), "already open"));
    qobject_unref(resp);
    /* the first one still works */
    bd_cmd(&b, BDT_CMD(BDT_OP_NOP, 0, 2));
    g_assert_cmpuint(bd_count(&b), ==, 1);
    bd_check_lib(&b, 0, 1, BDT_CMD(BDT_OP_NOP, 0, 2));
    bd_stop(&b);

    /* and on the command line, QEMU exits with the reason */
    if (qemu) {
        const char *argv[] = {
            "timeout", "60", qemu, "-M", "pc", "-accel", "qtest",
            "-display", "none", "-nodefaults",
            "-device", "backdoor", "-device", "backdoor",
            NULL
        };

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                                   G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                                   &err, &status, &gerr));
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        g_assert_nonnull(strstr(err, "already open"));
    }
}

/* Unplug closes the channel: a new device may then open it again */
static void test_unplug(void)
{
    QTestState *qts;
    const char *desc;
    QDict *resp;
    Backdoor b;

    qts = qtest_initf("-M pc -device backdoor,id=bd,addr=04.0,data-size=%d",
                      DATA_SIZE);
    qpci_unplug_acpi_device_test(qts, "bd", 4);

    /* the same size again: fine, also at the same address */
    qtest_qmp_assert_success(qts, "{'execute': 'device_add', 'arguments':"
                             " {'driver': 'backdoor', 'id': 'bd',"
                             "  'addr': '04.0', 'data-size': %d}}",
                             DATA_SIZE);
    b.qts = qts;
    b.bus = qpci_new_pc(qts, NULL);
    b.dev = qpci_device_find(b.bus, DEVFN);
    g_assert_nonnull(b.dev);
    bd_map(&b);
    g_assert_cmpuint(qtest_readq(qts, b.ctrl.addr + QEMU_BACKDOOR_CTRL_SIZE),
                     ==, DATA_SIZE);
    bd_cmd(&b, BDT_CMD(BDT_OP_NOP, 0, 0x91));
    g_assert_cmpuint(bd_count(&b), ==, 1);
    /* the library was not initialised again, and saw this command once */
    bd_check_lib(&b, 0, 1, BDT_CMD(BDT_OP_NOP, 0, 0x91));
    g_free(b.dev);
    qpci_free_pc(b.bus);

    /* another size: the library was initialised for this one, refused */
    qpci_unplug_acpi_device_test(qts, "bd", 4);
    resp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                     " {'driver': 'backdoor', 'id': 'bd',"
                     "  'data-size': %d}}", 2 * DATA_SIZE);
    g_assert_true(qdict_haskey(resp, "error"));
    desc = qdict_get_str(qdict_get_qdict(resp, "error"), "desc");
    if (!strstr(desc, "initialised for a data channel of 65536 bytes, "
                "not 131072")) {
        g_error("device_add with another data-size: unexpected error: %s",
                desc);
    }
    qobject_unref(resp);
    qtest_quit(qts);
}

static void test_bad_data_size(void)
{
    static const uint64_t bad[] = {
        3000, 0, 1024, 96 * 1024, 2ULL << 30, 1ULL << 40, ~0ULL,
    };
    QTestState *qts = qtest_init("-M pc");

    for (int i = 0; i < ARRAY_SIZE(bad); i++) {
        QDict *resp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                                " {'driver': 'backdoor', 'id': 'bd',"
                                "  'data-size': %" PRIu64 "}}", bad[i]);
        const char *desc;

        g_assert_true(qdict_haskey(resp, "error"));
        desc = qdict_get_str(qdict_get_qdict(resp, "error"), "desc");
        if (!strstr(desc, "power of two")) {
            g_error("data-size=%" PRIu64 ": unexpected error: %s",
                    bad[i], desc);
        }
        qobject_unref(resp);
    }
    /* and a good one, after all those failures */
    qtest_qmp_assert_success(qts, "{'execute': 'device_add', 'arguments':"
                             " {'driver': 'backdoor', 'id': 'bd',"
                             "  'data-size': 8192}}");
    qtest_quit(qts);
}

/* the names of the properties of @type that qom-list-properties lists */
static QList *bd_list_properties(QTestState *qts, const char *type)
{
    QDict *resp = qtest_qmp(qts, "{'execute': 'qom-list-properties',"
                            " 'arguments': {'typename': %s}}", type);
    QList *props = qdict_get_qlist(resp, "return");

    g_assert(props);
    qobject_ref(props);
    qobject_unref(resp);
    return props;
}

static bool bd_has_property(QList *props, const char *name)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(props, e) {
        QDict *p = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(p, "name"), name)) {
            return true;
        }
    }
    return false;
}

/*
 * Every property the device adds to a PCI device's has a description of
 * its own, not only its type's ("on/off"), so that -device backdoor,help
 * explains it.
 */
static void test_property_descriptions(void)
{
    QTestState *qts = qtest_init("-M pc");
    QList *mine = bd_list_properties(qts, TYPE_BACKDOOR);
    QList *pci = bd_list_properties(qts, "pci-device");
    QListEntry *e;
    unsigned n = 0;
    char *help;

    QLIST_FOREACH_ENTRY(mine, e) {
        QDict *p = qobject_to(QDict, qlist_entry_obj(e));
        const char *name = qdict_get_str(p, "name");
        const char *desc = qdict_get_try_str(p, "description");

        if (bd_has_property(pci, name)) {
            continue;
        }
        g_test_message("property %s: %s", name, desc ? desc : "(none)");
        g_assert_nonnull(desc);
        g_assert_cmpstr(desc, !=, "on/off");
        g_assert_cmpstr(desc, !=, "on/off/auto");
        n++;
    }
    g_assert_cmpuint(n, >=, 2);

    /* and the help shows them */
    help = qtest_hmp(qts, "device_add %s,help", TYPE_BACKDOOR);
    g_assert(strstr(help, "data-size=<size>"));
    g_assert(strstr(help, "size of the data channel"));
    g_free(help);

    qobject_unref(mine);
    qobject_unref(pci);
    qtest_quit(qts);
}

static void test_migration_blocker(void)
{
    QDict *resp;
    Backdoor b;

    bd_start(&b, "pc", "-global backdoor.migratable=off");
    resp = qtest_qmp(b.qts, "{'execute': 'migrate', 'arguments':"
                     " {'uri': 'exec:cat >/dev/null'}}");
    g_assert_true(qdict_haskey(resp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(resp, "error"),
                                          "desc"), "backdoor"));
    qobject_unref(resp);
    bd_stop(&b);
}

/* Wait until a QMP query's "return"."status" leaves @busy states */
static char *wait_status(QTestState *qts, const char *cmd, const char *key,
                         const char *const *busy)
{
    for (int i = 0; i < 6000; i++) {
        QDict *rsp = qtest_qmp(qts, "{'execute': %s}", cmd);
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *st = ret && qdict_haskey(ret, key) ?
                         qdict_get_str(ret, key) : "";
        bool waiting = false;

        for (int j = 0; busy[j]; j++) {
            waiting |= !strcmp(st, busy[j]);
        }
        if (!waiting) {
            char *out = g_strdup(st);

            qobject_unref(rsp);
            return out;
        }
        qobject_unref(rsp);
        g_usleep(10 * 1000);
    }
    return g_strdup("timeout");
}

/* The default: migration works, with COUNT and the data channel */
static void test_migration(void)
{
    static const char *const migrating[] = {
        "", "none", "setup", "active", "device", NULL
    };
    static const char *const incoming[] = { "inmigrate", NULL };
    g_autofree char *dir = g_dir_make_tmp("backdoor-test-XXXXXX", NULL);
    g_autofree char *uri = g_strdup_printf("file:%s/state", dir);
    g_autofree char *st = NULL, *file = g_strdup_printf("%s/state", dir);
    uint64_t count;
    Backdoor a, b;

    bd_start(&a, "pc", NULL);
    for (int i = 0; i < 3; i++) {
        bd_cmd(&a, BDT_CMD(BDT_OP_NOP, 0, i));
    }
    bd_check_lib(&a, 0, 3, BDT_CMD(BDT_OP_NOP, 0, 2));
    /* the query is a command too */
    count = testlib ? 4 : 3;
    g_assert_cmpuint(bd_count(&a), ==, count);
    qtest_writeq(a.qts, a.data.addr + DATA_SIZE - 8, 0x5eed5eed5eedULL);
    qtest_qmp_assert_success(a.qts, "{'execute': 'migrate', 'arguments':"
                             " {'uri': %s}}", uri);
    st = wait_status(a.qts, "query-migrate", "status", migrating);
    g_assert_cmpstr(st, ==, "completed");
    g_free(st);

    b = a;
    b.qts = qtest_initf("-M pc -device backdoor,addr=04.0,data-size=%d "
                        "-incoming %s", DATA_SIZE, uri);
    st = wait_status(b.qts, "query-status", "status", incoming);
    g_assert_cmpstr(st, ==, "running");
    /* the BARs come back where the source had them */
    g_assert_cmpuint(bd_count(&b), ==, count);
    g_assert_cmphex(qtest_readq(b.qts, b.data.addr + DATA_SIZE - 8), ==,
                    0x5eed5eed5eedULL);
    g_assert_cmpuint(qtest_readq(b.qts, b.ctrl.addr + QEMU_BACKDOOR_CTRL_SIZE),
                     ==, DATA_SIZE);
    bd_cmd(&b, BDT_CMD(BDT_OP_NOP, 0, 3));
    g_assert_cmpuint(bd_count(&b), ==, count + 1);
    /* the destination's library is its own: it saw this command only */
    bd_check_lib(&b, 0, 1, BDT_CMD(BDT_OP_NOP, 0, 3));
    qtest_quit(b.qts);
    bd_stop(&a);
    unlink(file);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_device(TYPE_BACKDOOR)) {
        g_test_message("no backdoor device in this QEMU");
        return g_test_run();
    }
    testlib = !g_strcmp0(g_getenv("BACKDOOR_TEST_LIB"), "1");
    if (!testlib) {
        g_test_message("BACKDOOR_TEST_LIB is not 1: the checks of the test "
                       "library are not run");
    }
    qtest_add_data_func("/backdoor/pc/ids-and-size", "pc",
                        test_ids_and_size);
    if (qtest_has_machine("q35")) {
        qtest_add_data_func("/backdoor/q35/ids-and-size", "q35",
                            test_ids_and_size);
    }
    qtest_add_func("/backdoor/commands", test_commands);
    qtest_add_func("/backdoor/data-channel", test_data_channel);
    if (testlib) {
        qtest_add_func("/backdoor/library/data", test_library_data);
        qtest_add_func("/backdoor/library/no-cpu-helpers",
                       test_no_cpu_helpers);
    }
    qtest_add_func("/backdoor/reset", test_reset);
    qtest_add_func("/backdoor/bad-access/ctrl", test_bad_ctrl_access);
    qtest_add_func("/backdoor/bad-access/data", test_bad_data_access);
    qtest_add_func("/backdoor/bad-access/config", test_bad_config_access);
    qtest_add_func("/backdoor/second-device", test_second_device);
    qtest_add_func("/backdoor/unplug", test_unplug);
    qtest_add_func("/backdoor/bad-data-size", test_bad_data_size);
    qtest_add_func("/backdoor/property-descriptions",
                   test_property_descriptions);
    qtest_add_func("/backdoor/migration", test_migration);
    qtest_add_func("/backdoor/migration-blocker", test_migration_blocker);
    return g_test_run();
}
