# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for the tests/backdoor/t-*.sh scripts, which run-tests.sh runs.
# A script prints one TAP-style line per test case and exits 0; anything
# else it prints is kept as a comment.

set -uo pipefail
BACKDOOR_TOP=${BACKDOOR_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BACKDOOR_CHECK_DIR=${BACKDOOR_CHECK_DIR:-$BACKDOOR_TOP/build/check}
# shellcheck disable=SC2034 # for the scripts that source this file
TESTS_DIR=$BACKDOOR_TOP/tests/backdoor
# a scratch folder for the calling script, removed at exit
T=$(mktemp -d "${TMPDIR:-/tmp}/bd-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
skip() { echo "ok - $1 # SKIP $2"; }

# check NAME COMMAND...: ok when COMMAND succeeds; else show its output
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$name"
    else
        printf '%s\n' "$out" | tail -n 20 | sed 's/^/  /'
        not_ok "$name"
    fi
}

# qemu_build NAME: the QEMU build folder of check configuration NAME, or
# nothing when that configuration did not build
qemu_build() {
    [ -f "$BACKDOOR_CHECK_DIR/$1/.built" ] &&
        echo "$BACKDOOR_CHECK_DIR/$1/qemu-build"
}

# qemu_base_of QEMU_BUILD: the QEMU release ("10.2") a build folder
# (qemu_build's answer) was configured from
qemu_base_of() {
    cut -d. -f1-2 "$1/../qemu-src/VERSION"
}

# guest_lib ARCH NAME: the guest library built by configuration NAME
guest_lib() {
    echo "$BACKDOOR_CHECK_DIR/$2/guest/$1/libqemu-backdoor-guest.a"
}

# export_series PRISTINE DIR LIST: make series from the QEMU tree PRISTINE
# into DIR, its mails listed in LIST; on failure show why, report it and
# fail
export_series() {
    if ! "$BACKDOOR_TOP/build-aux/make-series.py" "$1" "$2" \
            >"$3" 2>"$T/series.err"; then
        sed 's/^/  /' "$T/series.err"
        not_ok "make series exports the series"
        return 1
    fi
}
