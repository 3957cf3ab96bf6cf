# SPDX-License-Identifier: GPL-2.0-or-later
#
# The specification's guest example as a linux-user test, added to a TCG
# test folder's Makefile by t-tcg.sh (project only, not in the series):
#
#   make -C BUILD/tests/tcg/ARCH-linux-user -f Makefile \
#       -f tests/backdoor/seed-example.mak run-backdoor-seed BACKDOOR_SEED=FILE
#
# The example is extracted unchanged from FILE (never committed) by
# seed-example.sh.  It hard-codes the directory /tmp/backdoor, so runs of
# it are serialised with a lock file.

BACKDOOR_SEED_EXAMPLE = $(SRC_PATH)/tests/backdoor/seed-example.sh

backdoor-seed.c: $(BACKDOOR_SEED)
	BACKDOOR_SEED=$(BACKDOOR_SEED) $(BACKDOOR_SEED_EXAMPLE) \
		/tmp/my-backdoor-guest.c $@
backdoor-seed: backdoor-seed.c $(BACKDOOR_LIB)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -I$(BACKDOOR_GUEST) $< -o $@ \
		$(BACKDOOR_LIB) $(LDFLAGS)

run-backdoor-seed: backdoor-seed
	$(call run-test, $<, flock /tmp/qemu-backdoor-seed.lock \
		$(QEMU) $(QEMU_OPTS) -backdoor /tmp/backdoor \
		-trace backdoor_channel_command -D $(CURDIR)/$<.log $<)
	$(call quiet-command, \
		grep -q '^size: [1-9]' $<.out && \
		grep -q '^sending cmd: 0xcafe data: 0xbabe' $<.out && \
		grep -q 'backdoor_channel_command .*cmd 0xcafe' $<.log, \
		CHECK, $< output and the command QEMU received)
