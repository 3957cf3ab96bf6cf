# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU with the backdoor series.  Run ./configure first (make does it with
# the defaults when it has not been run).
#
# "make help" lists the targets and what each costs.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD ?= $(TOP)/build
-include $(BUILD)/config.mak

NPROC := $(shell nproc 2>/dev/null || echo 2)
# guest architecture:compiler
GUEST_COMPILERS := x86_64:cc aarch64:aarch64-linux-gnu-gcc \
                   i386:i686-linux-gnu-gcc s390x:s390x-linux-gnu-gcc
prefix ?= $(shell sed -n 's/^ *Install prefix *: //p' $(BUILD)/qemu-build/configure.log 2>/dev/null)
DESTDIR ?=

# the QEMU release ./configure --qemu chose: check, demo, bench, fuzz and
# sanitize configure their own builds on the same one
export QEMU_BASE
export CCACHE_BASEDIR := $(BUILD)
export CCACHE_NOHASHDIR := 1

.PHONY: all configure assemble qemu guest-lib install uninstall check demo \
        bench fuzz sanitize series each-patch refresh help clean distclean \
        _assemble _refresh _qemu _guest-lib _install _uninstall

# The public goals configure with the defaults when ./configure has not
# been run, then do their work in a sub-make that reads config.mak.
all: configure
	$(SUBMAKE) _qemu _guest-lib
assemble qemu guest-lib install uninstall refresh: configure
	$(SUBMAKE) _$@

SUBMAKE = $(MAKE) -f $(TOP)/Makefile BUILD=$(BUILD)

configure:
	@[ -f $(BUILD)/config.mak ] || { cd $(TOP) && ./configure --build-dir=$(BUILD); }

# re-sync the project's files into the assembled tree (content-compared,
# so unchanged files keep their timestamps); stops when files were edited
# in the tree since (make refresh keeps them, FORCE_ASSEMBLE=1 drops them)
FORCE_ASSEMBLE ?=
_assemble:
	FORCE_ASSEMBLE=$(FORCE_ASSEMBLE) \
	    $(TOP)/build-aux/assemble.py $(QEMU_PRISTINE) $(QEMU_SRC)

# carry edits made in the assembled tree back into the overlay: new files
# copied, the patches that change edited QEMU files regenerated (an edited
# QEMU file that no patch changes goes into REFRESH_PATCH)
REFRESH_PATCH ?=
_refresh:
	REFRESH_PATCH=$(REFRESH_PATCH) \
	    $(TOP)/build-aux/assemble.py --refresh $(QEMU_PRISTINE) $(QEMU_SRC)

# QEMU_GOALS: what to build in QEMU's folder (default: everything)
QEMU_GOALS ?=
_qemu: _assemble
	$(MAKE) -C $(QEMU_BUILD) -j$(NPROC) $(QEMU_GOALS)
	$(TOP)/build-aux/link-firmware.sh $(QEMU_BUILD)

# the guest library, for every guest architecture whose compiler is here
_guest-lib:
	@set -e; for ac in $(GUEST_COMPILERS); do \
	    a=$${ac%%:*}; cc=$${ac#*:}; \
	    if echo '#include <stdio.h>' | $$cc -E - >/dev/null 2>&1; then \
	        $(MAKE) -s -C $(TOP)/backdoor/guest CC=$$cc O=$(BUILD)/guest/$$a; \
	    else \
	        echo "guest library for $$a not built: no $$cc with a C library" >&2; \
	    fi; \
	done

# make install stages everything in $(STAGE) (QEMU's own install with
# DESTDIR, the guest libraries, the headers, the pkg-config files), then
# install-tree.sh copies it under $(DESTDIR)$(prefix) and keeps the list of
# what it put there in share/qemu-backdoor/install-manifest, which make
# uninstall reads.  The guest tools go to lib/qemu-backdoor-guest/ARCH,
# with the udev rule for a guest's administrator to copy beside them.
STAGE = $(BUILD)/install-stage
S = $(STAGE)$(prefix)
# the architecture whose guest library goes into PREFIX/lib (the one "cc"
# builds for)
HOST_GUEST_ARCH := x86_64
_install: _qemu _guest-lib
	rm -rf $(STAGE)
	$(MAKE) -C $(QEMU_BUILD) install DESTDIR=$(STAGE)
	install -d $(S)/lib
	$(MAKE) -C $(TOP)/backdoor/guest install-headers DESTDIR=$(STAGE) \
	    includedir=$(prefix)/include
	install -m 644 $(BUILD)/guest/$(HOST_GUEST_ARCH)/libqemu-backdoor-guest.a $(S)/lib/
	if [ -d $(QEMU_BUILD)/pc-bios/optionrom ]; then \
	    install -d $(S)/share/qemu && \
	    install -m 644 $(QEMU_BUILD)/pc-bios/optionrom/*.bin \
	        $(S)/share/qemu/; \
	fi
	set -e; for ac in $(GUEST_COMPILERS); do \
	    a=$${ac%%:*}; \
	    [ -f $(BUILD)/guest/$$a/libqemu-backdoor-guest.a ] || continue; \
	    install -d $(S)/lib/qemu-backdoor-guest/$$a; \
	    install -m 644 $(BUILD)/guest/$$a/libqemu-backdoor-guest.a \
	        $(S)/lib/qemu-backdoor-guest/$$a/; \
	    install -m 755 $(BUILD)/guest/$$a/qemu-backdoor \
	        $(S)/lib/qemu-backdoor-guest/$$a/; \
	done
	$(MAKE) -C $(TOP)/backdoor/guest install-udev DESTDIR=$(STAGE) \
	    udevrulesdir=$(prefix)/lib/qemu-backdoor-guest
	install -d $(S)/include/qemu-backdoor-host
	install -m 644 $(QEMU_SRC)/backdoor/qemu/qemu-backdoor.h \
	    $(S)/include/qemu-backdoor-host/
	install -d $(S)/lib/pkgconfig
	$(TOP)/build-aux/write-pc.sh guest $(prefix) $(HOST_GUEST_ARCH) \
	    $(TOP)/backdoor/guest/qemu-backdoor.h \
	    >$(S)/lib/pkgconfig/qemu-backdoor-guest.pc
	$(TOP)/build-aux/write-pc.sh host $(prefix) $(QEMU_SRC)/VERSION \
	    >$(S)/lib/pkgconfig/qemu-backdoor.pc
	$(TOP)/build-aux/install-tree.sh install $(S) $(DESTDIR)$(prefix)

_uninstall:
	$(TOP)/build-aux/install-tree.sh uninstall $(DESTDIR)$(prefix)

check:
	$(TOP)/tests/backdoor/run-tests.sh

demo:
	$(TOP)/demo/run-demo.sh

# its own build of QEMU with the test library, in $(BUILD)/bench
bench:
	BUILD=$(BUILD) $(TOP)/tests/bench/backdoor/run-bench.sh

# clang + libFuzzer + ASan + UBSan build in $(BUILD)/fuzz, then QEMU's
# generic-fuzz over the device for FUZZ_TIME seconds (corpus kept there)
FUZZ_TIME ?= 600
fuzz:
	FUZZ_TIME=$(FUZZ_TIME) $(TOP)/tests/backdoor/fuzz.sh $(BUILD)/fuzz

# the test library's configuration with ASan + UBSan in $(BUILD)/sanitize,
# and the tests that use it
sanitize:
	BACKDOOR_CHECK_DIR=$(BUILD)/sanitize $(TOP)/tests/backdoor/sanitize.sh

# the series as mails, in $(BUILD)/series (the git tree in $(BUILD)/series/qemu)
series:
	$(TOP)/build-aux/make-series.py "$$($(TOP)/build-aux/fetch-qemu.sh $(QEMU_BASE))" $(BUILD)/series

# each patch of the series applied in turn, built, and the tests its tree
# holds by then run (the qtest, the x86_64 linux-user TCG tests), in
# $(BUILD)/each-patch
each-patch: series
	$(TOP)/build-aux/build-each-patch.sh --test $(BUILD)/series \
	    $(BUILD)/each-patch

# what each target does and costs (2 cores; figures from README.md)
help:
	@echo 'Targets (times measured on 2 cores; see README.md):'
	@echo '  ./configure --qemu=10.0|10.2  choose the QEMU release (default in'
	@echo '                 build-aux/qemu-pins/default)'
	@echo '  all (default)  assemble build/qemu-src, build QEMU and the guest'
	@echo '                 library: about 9 min with an empty ccache, 22-72 s'
	@echo '                 with its hits, seconds when nothing changed'
	@echo '  assemble       only re-sync build/qemu-src from the overlay: 2-3 s'
	@echo '  refresh        carry edits made in build/qemu-src back into the'
	@echo '                 overlay (new files, patch hunks): seconds'
	@echo '                 (REFRESH_PATCH=patches/series/NNNN-... for an edited'
	@echo '                 QEMU file no patch changes yet)'
	@echo '  FORCE_ASSEMBLE=1  with all/assemble: discard such edits instead'
	@echo '  install        make all, then install under the prefix (DESTDIR),'
	@echo '                 with pkg-config files and a manifest of the files'
	@echo '  uninstall      remove what make install put (from the manifest)'
	@echo '  check          build the five test configurations and run every'
	@echo '                 tests/backdoor/t-*.sh: about 13 min with an empty'
	@echo '                 ccache, plus the fuzzer build (19 min empty, 1 min'
	@echo '                 with hits) and its 60 s run'
	@echo '  demo           build (again: what changed) and run the demo in'
	@echo '                 both modes'
	@echo '  bench          the benchmarks, with their own build (about 4 min)'
	@echo '  fuzz           libFuzzer build (19 min empty ccache, 1 min with'
	@echo '                 hits), then FUZZ_TIME seconds of fuzzing (600)'
	@echo '  sanitize       ASan+UBSan build (about 33 min empty ccache) and the'
	@echo '                 qtest and tcg tests on it (23 s)'
	@echo '  series         export the series as mails in build/series: about'
	@echo '                 1.5 min (a git tree of QEMU, one commit a patch)'
	@echo '  each-patch     make series, then apply, build and test each patch'
	@echo '                 in turn in build/each-patch (the qtest and the'
	@echo '                 x86_64 TCG tests, once a patch has them): about 4 min'
	@echo '                 with ccache hits'
	@echo '  clean          clean the QEMU build and the guest libraries'
	@echo '  distclean      remove build/'

clean:
	[ ! -d "$(QEMU_BUILD)" ] || $(MAKE) -C $(QEMU_BUILD) clean
	rm -rf $(BUILD)/guest

distclean:
	rm -rf $(BUILD)
