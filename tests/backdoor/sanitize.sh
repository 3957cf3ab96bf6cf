#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The project's tests against an ASan+UBSan build of the test library's
# configuration, as make sanitize does:
#
#   tests/backdoor/sanitize.sh [TEST...]
#
# Builds only the "main" configuration (--with-backdoor=tests/backdoor/testlib,
# every default target) with --enable-asan --enable-ubsan, in
# $BACKDOOR_CHECK_DIR (default build/sanitize), then runs the tests that use
# it (default: t-tcg.sh t-qtest.sh; SANITIZE_TESTS or arguments name others)
# through run-tests.sh.  Only what those tests need is built (SANITIZE_GOALS,
# QEMU's ninja targets; empty builds everything, which t-qemu-suites.sh
# needs).  Ends like make check: "N passed, N failed, N skipped".
#
# Any sanitizer report fails the test that triggered it: UBSan reports stop
# QEMU (halt_on_error), like ASan's.  Leak checking is off by default
# (QEMU does not free everything at exit); ASAN_OPTIONS=detect_leaks=1
# turns it on.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

export BACKDOOR_CHECK_DIR=${BACKDOOR_CHECK_DIR:-$top/build/sanitize}
export BACKDOOR_BUILDS=main
# what t-tcg.sh and t-qtest.sh use
export BACKDOOR_MAIN_GOALS=${SANITIZE_GOALS-qemu-system-x86_64 qemu-x86_64 qemu-aarch64 tests/qtest/backdoor-test pc-bios/optionrom/all}
export BACKDOOR_CONFIGURE_EXTRA="--enable-asan --enable-ubsan ${BACKDOOR_CONFIGURE_EXTRA:-}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    read -r -a tests <<<"${SANITIZE_TESTS:-t-tcg.sh t-qtest.sh}"
fi
exec "$here/run-tests.sh" "${tests[@]}"
