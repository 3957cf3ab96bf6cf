/*
 * Backdoor channel, user mode: the control and data channels
 *
 *   qemu-<arch> -backdoor DIR [-backdoor-size SIZE] backdoor-roundtrip DIR SIZE
 *
 * The control file gives the data size, a command reaches the library
 * once with the data channel QEMU shares with the guest, and results come
 * back through the data channel and the return register.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "bdtest.h"

int main(int argc, char **argv)
{
    uint64_t size = 0;
    uint64_t *ctrl;
    struct bdt_stats s;
    uint8_t *d, *last;
    int i, ok;

    if (argc < 3 || sscanf(argv[2], "%" SCNu64, &size) != 1) {
        printf("not ok - usage: backdoor-roundtrip DIR SIZE\n");
        return 1;
    }
    bdt_open(argv[1]);
    d = qemu_backdoor_data();

    check(qemu_backdoor_data_size() == size,
          "data channel size %" PRIu64 " (want %" PRIu64 ")",
          qemu_backdoor_data_size(), size);
    ctrl = map_ctrl(argv[1], CTRL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    check(ctrl != MAP_FAILED && ld8(ctrl) == size,
          "reading the control mapping gives the data size");

    s = stats(0);
    check(s.init_calls == 1 && s.init_size == size,
          "qemu_backdoor_init ran once, with the data size");

    /* the library transforms data in place: a round trip */
    for (i = 0; i < BDT_SLOT_SIZE; i++) {
        d[BDT_SLOT_SIZE + i] = i;
    }
    qemu_backdoor(BDT_CMD(BDT_OP_XOR, 1, BDT_SLOT_SIZE));
    for (ok = 1, i = 0; i < BDT_SLOT_SIZE; i++) {
        ok &= d[BDT_SLOT_SIZE + i] == (uint8_t)(i ^ 0x5a);
    }
    check(ok, "data written by the guest, changed by the library, read back");
    qemu_backdoor(BDT_CMD(BDT_OP_XOR, 1, BDT_SLOT_SIZE));
    for (ok = 1, i = 0; i < BDT_SLOT_SIZE; i++) {
        ok &= d[BDT_SLOT_SIZE + i] == (uint8_t)i;
    }
    check(ok, "second round trip restores the data");

    /* the whole channel is shared: the last slot too */
    last = d + size - BDT_SLOT_SIZE;
    memset(last, 0xa5, BDT_SLOT_SIZE);
    if (size / BDT_SLOT_SIZE - 1 < BDT_SLOTS) {
        qemu_backdoor(BDT_CMD(BDT_OP_XOR, size / BDT_SLOT_SIZE - 1, 4));
        check(last[0] == (0xa5 ^ 0x5a) && last[3] == (0xa5 ^ 0x5a) &&
              last[4] == 0xa5, "the last slot of the data channel is shared");
    }

    /* each command is seen once, with its exact value */
    reset();
    for (i = 0; i < 1000; i++) {
        qemu_backdoor(BDT_CMD(BDT_OP_SEQ, 2, i));
    }
    qemu_backdoor(BDT_CMD(BDT_OP_NOP, 0, 0x123456789abcULL));
    s = stats(0);
    check(s.seq_ok == 1000 && s.seq_bad == 0,
          "1000 commands in order, each once (seq_ok %" PRIu64 ", bad %"
          PRIu64 ")", s.seq_ok, s.seq_bad);
    check(s.commands == 1002, "commands counted: %" PRIu64 " (want 1002)",
          s.commands);
    check(s.last_cmd == BDT_CMD(BDT_OP_NOP, 0, 0x123456789abcULL),
          "the library saw all 64 bits of the command");

    /* the return register: what the library leaves in rax / x0 */
    slot(3)[0] = 0x0123456789abcdefULL;
    check(qemu_backdoor_call(BDT_CMD(BDT_OP_SET_REG, 3, 0)) ==
          0x0123456789abcdefULL, "qemu_backdoor_call returns the register "
          "the library set");
    reset();
    qemu_backdoor_call(BDT_CMD(BDT_OP_NOP, 7, 0xabcdef));
    s = stats(0);
    check(s.commands == 2 && s.last_cmd == BDT_CMD(BDT_OP_NOP, 7, 0xabcdef),
          "qemu_backdoor_call of a command that sets no register reaches "
          "the library once (commands %" PRIu64 ")", s.commands - 1);

    /* stores to the data channel are plain memory: no command */
    reset();
    for (i = 0; i < 1000; i++) {
        st8(d + 8 * BDT_SLOT_SIZE, i);
    }
    check(commands() == 0, "stores into the data channel send nothing");

    /* close and open again */
    check(qemu_backdoor_init(argv[1]) == -1 && errno == EBUSY,
          "a second init fails with EBUSY");
    check(qemu_backdoor_fini() == 0 && qemu_backdoor_data() == NULL,
          "fini closes the channel");
    check(qemu_backdoor_init(argv[1]) == 0 &&
          qemu_backdoor_data_size() == size, "init again after fini");
    s = stats(0);
    check(s.init_calls == 1, "the library was not initialised again");
    return bdt_exit();
}
