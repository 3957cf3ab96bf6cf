#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: run every tests/bench/backdoor/bench-*.sh in turn.
#
#   tests/bench/backdoor/run-bench.sh [BENCH...]
#
# The benchmarks use the QEMU build in $BUILD (default: build/, the folder
# ./configure and make use) and print their figures; they assert nothing.
# Exit status: 0 when every benchmark ran.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
export BACKDOOR_TOP=$top
export BUILD=${BUILD:-$top/build}

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
