#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: run every tests/bench/backdoor/bench-*.sh in turn.
#
#   tests/bench/backdoor/run-bench.sh [BENCH...]
#
# The benchmarks measure QEMU with the test library compiled in
# (tests/backdoor/testlib: a no-op command, batches, and parallel mode on
# demand), so the figures do not depend on the library a build has.  This
# script configures and builds that QEMU in $BUILD/bench (BUILD defaults
# to build/; qemu-x86_64 and qemu-system-x86_64 only; with ccache's hits
# from make check about a minute, else about 8 minutes on 2 cores), unless
# BENCH_BUILD names a build to use as it is.  The benchmarks print their
# figures and assert nothing.  Exit status: 0 when every benchmark ran.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
export BACKDOOR_TOP=$top
BUILD=${BUILD:-$top/build}

if [ -n "${BENCH_BUILD:-}" ]; then
    export BUILD=$BENCH_BUILD
else
    export BUILD=$BUILD/bench
    lib=$top/tests/backdoor/testlib
    # the targets of make check's configurations (check_opts), whose
    # ccache hits the build then gets (only two emulators are built)
    # shellcheck source=../../backdoor/check-opts.sh
    . "$top/tests/backdoor/check-opts.sh"
    echo "== building QEMU with the test library in $BUILD"
    mkdir -p "$BUILD"
    if ! { grep -qx "BACKDOOR_LIB=$lib" "$BUILD/config.mak" 2>/dev/null ||
           (cd "$top" && ./configure --build-dir="$BUILD" \
                --with-backdoor="$lib" "${check_opts[@]}"); } \
            >"$BUILD.log" 2>&1 ||
       ! make -C "$top" BUILD="$BUILD" \
            QEMU_GOALS="qemu-x86_64 qemu-system-x86_64" all \
            >>"$BUILD.log" 2>&1; then
        tail -n 30 "$BUILD.log" >&2
        echo "run-bench: the build failed (log: $BUILD.log)" >&2
        exit 1
    fi
fi

benches=("$@")
if [ ${#benches[@]} -eq 0 ]; then
    benches=("$here"/bench-*.sh)
fi
status=0
for b in "${benches[@]}"; do
    [ -f "$b" ] || b=$here/$b
    echo "== $(basename "$b" .sh)"
    bash "$b" || {
        echo "== $(basename "$b" .sh) failed" >&2
        status=1
    }
done
exit $status
