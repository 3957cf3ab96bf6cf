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
#      main     --with-backdoor=tests/backdoor/testlib, the default targets
#      default  no --with-backdoor (the built-in library)
#      seed     --with-backdoor=<the specification's example library>
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
"$top/build-aux/setup-host.sh" all || {
    record fail "setup: install the packages the tests need"
    echo "$passed passed, $failed failed, $skipped skipped"
    exit 1
}

# build NAME [configure options]: configure and build one configuration
build() {
    local name=$1 dir=$BACKDOOR_CHECK_DIR/$1 t0
    shift
    t0=$(date +%s)
    if (cd "$top" && ./configure --skip-setup --build-dir="$dir" "$@" &&
        make -C "$top" BUILD="$dir" all) >"$log_dir/build-$name.log" 2>&1; then
        record ok "build: $name configuration ($(($(date +%s) - t0)) s)"
        touch "$dir/.built"
    else
        rm -f "$dir/.built"
        tail -n 40 "$log_dir/build-$name.log" | sed 's/^/# /'
        record fail "build: $name configuration (log: $log_dir/build-$name.log)"
    fi
}

if [ -z "${BACKDOOR_SKIP_BUILD:-}" ]; then
    build main --with-backdoor="$top/tests/backdoor/testlib"
    build default --target-list=x86_64-softmmu,x86_64-linux-user
    seed_dir=$BACKDOOR_CHECK_DIR/seed-lib
    mkdir -p "$seed_dir"
    if "$here/seed-example.sh" /tmp/my-backdoor-qemu/backdoor.c \
        "$seed_dir/backdoor.c"; then
        build seed --with-backdoor="$seed_dir" \
            --target-list=x86_64-softmmu,x86_64-linux-user
    else
        record skip "build: seed configuration" \
            "the specification (shared/seed/backdoor-2011.txt) is not beside the repository"
    fi
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
