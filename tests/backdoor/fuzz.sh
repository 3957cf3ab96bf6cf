#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fuzz the backdoor device with QEMU's generic-fuzz (libFuzzer), as
# make fuzz does:
#
#   tests/backdoor/fuzz.sh [--build-only] [--time=SECONDS] [DIR]
#
# 1. configures and builds, in DIR (default build/fuzz), qemu-fuzz-x86_64
#    with clang, --enable-fuzzing --enable-asan --enable-ubsan, the test
#    library (tests/backdoor/testlib) and the x86_64-softmmu target only;
# 2. runs generic-fuzz over the device's BARs for SECONDS (default
#    $FUZZ_TIME, else 600), on a pc machine with -device backdoor, keeping
#    the corpus in DIR/corpus (it grows from run to run);
# 3. prints the figures: executions, exec/s, coverage (libFuzzer's cov and
#    ft), crashes.
#
# A crash (ASan, UBSan, an abort, a leak, a hang) fails the run: the input
# is kept in DIR/crashes/ and the command that replays it is printed.
# The full log of the run is DIR/fuzz.log.
#
# Environment: FUZZ_TIME (seconds), FUZZ_CC (default clang),
# FUZZ_ARGS (more libFuzzer options, e.g. "-jobs=2"),
# FUZZ_SKIP_SETUP=1 (do not install missing packages).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

time=${FUZZ_TIME:-600}
build_only=no
dir=$top/build/fuzz
for opt in "$@"; do
    case $opt in
    --build-only) build_only=yes ;;
    --time=*) time=${opt#*=} ;;
    -*) echo "usage: $0 [--build-only] [--time=SECONDS] [DIR]" >&2; exit 2 ;;
    *) dir=$opt ;;
    esac
done
case $time in
'' | *[!0-9]*) echo "fuzz: the time must be a number of seconds, not '$time'" >&2
               exit 2 ;;
esac

note() {
    echo "==> $*" >&2
}

# 1. the build
if [ -z "${FUZZ_SKIP_SETUP:-}" ]; then
    "$top/build-aux/setup-host.sh" fuzz
fi
cc=${FUZZ_CC:-clang}
cxx=${cc/clang/clang++}
command -v "$cc" >/dev/null || {
    echo "fuzz: no $cc (Debian: apt-get install clang libclang-rt-dev)" >&2
    exit 1
}
# The allowlist below goes into every compiler command: a copy named
# after its content, at a path that does not depend on the clone, lets
# ccache reuse a build made in another folder (and not a stale one).
cov_dir=${BACKDOOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-backdoor}
cov=$cov_dir/fuzz-coverage-$(sha256sum "$here/fuzz-coverage.txt" | cut -c1-16).txt
mkdir -p "$cov_dir"
[ -f "$cov" ] || cp "$here/fuzz-coverage.txt" "$cov"
opts=(--with-backdoor="$top/tests/backdoor/testlib"
      --target-list=x86_64-softmmu
      # the pc machine needs no device tree; without it the build does not
      # depend on whether the host has libfdt (ccache hits across hosts)
      --disable-fdt
      --enable-fuzzing --enable-asan --enable-ubsan
      # QEMU instruments hw/ and net/ for coverage; fuzz-coverage.txt adds
      # the channel core and the library (-fsanitize=fuzzer-no-link here
      # too, or the option is "unused" in meson's compiler checks)
      "--extra-cflags=-fsanitize=fuzzer-no-link -fsanitize-coverage-allowlist=$cov"
      --extra-ldflags=-fsanitize=fuzzer-no-link)
ccache=
command -v ccache >/dev/null && ccache="ccache "
opts+=(--cxx="$ccache$cxx")

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
qb=$dir/qemu-build
fuzzer=$qb/qemu-fuzz-x86_64
t0=$(date +%s)
# configure again only when the options changed (a new configure makes
# ninja recompile everything, through ccache)
stamp="$cc ${opts[*]}"
if [ ! -f "$dir/config.mak" ] || [ "$(cat "$dir/.fuzz-options" 2>/dev/null)" != "$stamp" ]; then
    note "configuring the fuzzer build in $dir"
    rm -f "$dir/.fuzz-options"
    (cd "$top" && CC=$cc ./configure --skip-setup --build-dir="$dir" "${opts[@]}")
    echo "$stamp" >"$dir/.fuzz-options"
fi
note "building qemu-fuzz-x86_64 in $qb"
make -C "$top" --no-print-directory BUILD="$dir" \
    QEMU_GOALS=qemu-fuzz-x86_64 qemu >"$dir/build.log" 2>&1 || {
    tail -n 30 "$dir/build.log" >&2
    echo "fuzz: the build failed (log: $dir/build.log)" >&2
    exit 1
}
note "built in $(($(date +%s) - t0)) s"
[ $build_only = yes ] && exit 0

# 2. the run
export QEMU_FUZZ_ARGS='-device backdoor'
export QEMU_FUZZ_OBJECTS='backdoor*'
# UBSan reports are errors, not warnings
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$dir/corpus" "$dir/crashes"
# Seeds: generic-fuzz inputs that send each of the test library's commands
# (backdoor-test-ops.h) and read the registers, so that the fuzzer starts
# from commands that reach the library instead of having to find the
# 17-byte write that makes one.  An input is a list of operations
# separated by "FUZZ"; OP_WRITE (3) is {size 3 = 8 bytes, region 0 = the
# control BAR, 2 bytes of padding, offset u32, value u64}, OP_READ (2)
# {size, region, padding, offset u32}.  Regenerated at each run.
rm -rf "$dir/seeds"
mkdir -p "$dir/seeds"
python3 - "$dir/seeds" <<'PY'
import struct
import sys

out = sys.argv[1]


def write(value, offset=8):     # QEMU_BACKDOOR_CTRL_CMD
    return struct.pack("<BBBxxIQ", 3, 3, 0, offset, value)


def read(offset):               # QEMU_BACKDOOR_CTRL_SIZE 0, QEMU_BACKDOOR_CTRL_COUNT 16
    return struct.pack("<BBBxxI", 2, 3, 0, offset)


def cmd(op, slot=0, arg=0):
    return op << 56 | slot << 48 | arg


cmds = [cmd(0), cmd(1, 0, 256), cmd(2, 1, 0), cmd(2, 1, 1), cmd(3, 2),
        cmd(4, 3, 0x1000), cmd(5, 3), cmd(6, 3, 0x1000), cmd(7),
        cmd(8, 0, 42), cmd(9), cmd(1, 255, 255)]
for n, c in enumerate(cmds):
    with open(f"{out}/cmd-{n:02d}", "wb") as f:
        f.write(write(c))
with open(f"{out}/all", "wb") as f:
    f.write(b"FUZZ".join([read(0)] + [write(c) for c in cmds] + [read(16)]))
PY
touch "$dir/.fuzz-start"
log=$dir/fuzz.log
read -r -a extra <<<"${FUZZ_ARGS:-}"
note "fuzzing the backdoor device for $time s (log: $log)"
set +e
# a crash report that hangs (seen with libFuzzer's out-of-memory report
# under ASan) is stopped 5 minutes after the end
(cd "$dir" && timeout -k 10 $((time + 300)) "$fuzzer" --fuzz-target=generic-fuzz \
    -max_total_time="$time" -print_final_stats=1 \
    -artifact_prefix="$dir/crashes/" "${extra[@]}" "$dir/corpus" "$dir/seeds") \
    >"$log" 2>&1
status=$?
set -e

# 3. the figures
stat() {
    sed -n "s/^stat::$1: *//p" "$log" | tail -n 1
}
# the last status line: "#N  REDUCE cov: C ft: F corp: ... exec/s: E ..."
last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
field() {
    printf '%s\n' "$last" | sed -n "s/.* $1: \\([0-9]*\\).*/\\1/p"
}
execs=$(stat number_of_executed_units)
rate=$(stat average_exec_per_sec)
cov=$(field cov) ft=$(field ft) corp=$(field corp)
regions=$(sed -n 's/^  \* \(backdoor[^ ]*\) .*/\1/p' "$log" | sort | tr '\n' ' ')
crashes=()
while IFS= read -r f; do
    crashes+=("$f")
done < <(find "$dir/crashes" -type f -newer "$dir/.fuzz-start" \
         \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' \
         -o -name 'timeout-*' \) 2>/dev/null | sort)

echo "fuzzed regions: ${regions:-none}"
echo "executions: ${execs:-?} in $time s (${rate:-?} exec/s)"
echo "coverage: cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?} inputs ($dir/corpus)"
if [ $status -eq 0 ] && [ ${#crashes[@]} -eq 0 ] && [ -n "$execs" ] &&
    [ -n "$regions" ]; then
    echo "crashes: 0"
    exit 0
fi
echo "crashes: ${#crashes[@]} (libFuzzer exit status $status)"
grep -E -m 20 'ERROR: |runtime error: |SUMMARY: |==[0-9]+==|deadly signal|No fuzzable' \
    "$log" | sed 's/^/  /'
for f in "${crashes[@]}"; do
    echo "reproducer: $f"
    echo "  replay: (cd $dir && QEMU_FUZZ_ARGS='$QEMU_FUZZ_ARGS'" \
        "QEMU_FUZZ_OBJECTS='$QEMU_FUZZ_OBJECTS' $fuzzer" \
        "--fuzz-target=generic-fuzz $f)"
done
exit 1
