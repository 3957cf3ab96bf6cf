#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The project's test command (make check):
#
#   tests/backdoor/run-tests.sh [TEST...]
#
# 1. installs what is missing (build-aux/setup-host.sh);
# 2. builds the configurations the tests use, each in its own folder under
#    $BACKDOOR_CHECK_DIR (default build/check), sharing ccache hits:
#      main     --with-backdoor=tests/backdoor/testlib: everything
#      default  no --with-backdoor (the built-in library): the emulators
#      demo     --with-backdoor=contrib/backdoor/lib (make demo): the same
#      seed     --with-backdoor=<the specification's example library>:
#               qemu-x86_64
#      mutant   --with-backdoor=<the test library built to misbehave on
#               demand, see t-mutant.sh>: qemu-x86_64, qemu-system-x86_64
#               and the device's qtest
#    BACKDOOR_BUILDS (default "main default demo seed mutant") names the
#    ones to build, BACKDOOR_CONFIGURE_EXTRA adds configure options to each (make
#    sanitize: BACKDOOR_BUILDS=main and --enable-asan --enable-ubsan),
#    BACKDOOR_MAIN_GOALS what to build of main (default: everything);
# 3. runs every tests/backdoor/t-*.sh (or the TESTs named), each printing
#    TAP-style lines: "ok - NAME", "not ok - NAME", "ok - NAME # SKIP why";
# 4. ends with one line: "N passed, N failed, N skipped".
#
# Exit status 0 when nothing failed.

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export BACKDOOR_TOP=$top
export BACKDOOR_CHECK_DIR=${BACKDOOR_CHECK_DIR:-$top/build/check}
mkdir -p "$BACKDOOR_CHECK_DIR"
log_dir=$BACKDOOR_CHECK_DIR/logs
rm -rf "$log_dir"
mkdir -p "$log_dir"

passed=0 failed=0 skipped=0
failures=()

# record RESULT NAME [REASON]
record() {
    case $1 in
    ok) passed=$((passed + 1)); echo "ok - $2" ;;
    skip) skipped=$((skipped + 1)); echo "ok - $2 # SKIP $3" ;;
    *) failed=$((failed + 1)); failures+=("$2"); echo "not ok - $2" ;;
    esac
}

start=$(date +%s)
"$top/build-aux/setup-host.sh" check || {
    record fail "setup: install the packages the tests need"
    echo "$passed passed, $failed failed, $skipped skipped"
    exit 1
}

# the configurations' targets and cross compilers: check_opts
# shellcheck source=check-opts.sh
. "$top/tests/backdoor/check-opts.sh"
# for the tests that configure a build of their own (t-demo.sh), so that
# it shares the configurations' ccache hits
export BACKDOOR_CHECK_OPTS="${check_opts[*]}"

# build NAME GOALS [configure options]: configure and build one
# configuration; GOALS are what to build in QEMU's folder ("" for all).
# All use the same targets and features, so that they share ccache hits.
build() {
    local name=$1 goals=$2 dir=$BACKDOOR_CHECK_DIR/$1 t0
    shift 2
    t0=$(date +%s)
    rm -f "$dir/.built"
    if (cd "$top" &&
        ./configure --skip-setup --build-dir="$dir" "${check_opts[@]}" "$@" \
            "${configure_extra[@]}" &&
        make -C "$top" BUILD="$dir" QEMU_GOALS="$goals" all) \
        >"$log_dir/build-$name.log" 2>&1; then
        record ok "build: $name configuration ($(($(date +%s) - t0)) s)"
        touch "$dir/.built"
    else
        tail -n 40 "$log_dir/build-$name.log" | sed 's/^/# /'
        record fail "build: $name configuration (log: $log_dir/build-$name.log)"
    fi
}

read -r -a configure_extra <<<"${BACKDOOR_CONFIGURE_EXTRA:-}"
builds=" ${BACKDOOR_BUILDS:-main default demo seed mutant} "
# wanted NAME: whether configuration NAME is to be built
wanted() {
    [[ $builds == *" $1 "* ]]
}

if [ -z "${BACKDOOR_SKIP_BUILD:-}" ]; then
    emulators="qemu-system-x86_64 qemu-x86_64 pc-bios/optionrom/all"
    wanted main && build main "${BACKDOOR_MAIN_GOALS:-}" \
        --with-backdoor="$top/tests/backdoor/testlib"
    # t-std.sh runs the standard commands under every linux-user target
    wanted default && build default \
        "$emulators qemu-system-aarch64 qemu-aarch64 qemu-i386 qemu-s390x"
    wanted demo &&
        build demo "$emulators" --with-backdoor="$top/contrib/backdoor/lib"
fi
if [ -z "${BACKDOOR_SKIP_BUILD:-}" ] && wanted seed; then
    seed_dir=$BACKDOOR_CHECK_DIR/seed-lib
    mkdir -p "$seed_dir"
    if "$here/seed-example.sh" /tmp/my-backdoor-qemu/backdoor.c \
        "$seed_dir/backdoor.c"; then
        build seed qemu-x86_64 --with-backdoor="$seed_dir"
    else
        rm -f "$seed_dir/backdoor.c"
        record skip "build: seed configuration" \
            "the specification (shared/seed/backdoor-2011.txt) is not beside the repository"
    fi
fi
if [ -z "${BACKDOOR_SKIP_BUILD:-}" ] && wanted mutant; then
    # the test library with its misbehaviours compiled in (BDT_MUTANT)
    mutant_dir=$BACKDOOR_CHECK_DIR/mutant-lib
    mkdir -p "$mutant_dir"
    printf '%s\n' "/* the test library, misbehaving on demand (t-mutant.sh) */" \
        "#define BDT_MUTANT 1" \
        "#include \"$top/tests/backdoor/testlib/backdoor-test-lib.c\"" \
        >"$mutant_dir/backdoor-mutant.c"
    build mutant "qemu-x86_64 qemu-system-x86_64 tests/qtest/backdoor-test" \
        --with-backdoor="$mutant_dir"
fi

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    tests=("$here"/t-*.sh)
fi
for t in "${tests[@]}"; do
    [ -f "$t" ] || t=$here/$t
    name=$(basename "$t" .sh)
    echo "# $name"
    while IFS= read -r line; do
        case $line in
        "ok - "*" # SKIP "*)
            rest=${line#ok - }
            record skip "$name: ${rest%% # SKIP *}" "${rest#* # SKIP }" ;;
        "ok - "*) record ok "$name: ${line#ok - }" ;;
        "not ok - "*) record fail "$name: ${line#not ok - }" ;;
        *) echo "# $line" ;;
        esac
    done < <(bash "$t" 2>"$log_dir/$name.stderr"; echo "exit $?" >"$log_dir/$name.exit")
    code=$(sed -n 's/^exit //p' "$log_dir/$name.exit")
    if [ "$code" != 0 ]; then
        sed 's/^/# /' "$log_dir/$name.stderr" | tail -n 20
        record fail "$name: script exited with status $code"
    fi
done

echo "# took $(($(date +%s) - start)) s"
for f in "${failures[@]}"; do
    echo "# FAILED: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
