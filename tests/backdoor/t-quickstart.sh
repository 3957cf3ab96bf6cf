#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The README's quickstart works as printed: its blocks (each follows a line
# "<!-- quickstart: NAME -->") are written to files, QEMU is built with the
# library, and the guest program is compiled and run with the README's own
# command lines; what they print must be the README's output block.
#
# The build is the README's "./configure --with-backdoor=hello && make",
# made cheaper: with the check configurations' targets (run-tests.sh), so
# that all but the library are ccache's hits, and only qemu-x86_64, in
# $BACKDOOR_CHECK_DIR/quickstart (kept, so that a second run only
# recompiles the library).  With --target-list=x86_64-linux-user alone
# nearly every file was a ccache miss (another config-host.h).

. "$(dirname "$0")/lib.sh"

readme=$BACKDOOR_TOP/README.md
qs=$BACKDOOR_CHECK_DIR/quickstart

# block NAME: the lines of the fenced block that follows the marker NAME
block() {
    awk -v want="<!-- quickstart: $1 -->" '
        $0 == want { found = 1; next }
        found == 1 && /^```/ { found = 2; next }
        found == 2 && /^```$/ { exit }
        found == 2 { print }' "$readme"
}

top=$T/top
mkdir -p "$top"
bad=0
for name in hello/hello.c prog.c commands output; do
    mkdir -p "$(dirname "$top/$name")"
    block "$name" >"$top/$name"
    if [ -s "$top/$name" ]; then
        ok "README.md has the quickstart block $name"
    else
        not_ok "README.md has the quickstart block $name"
        bad=1
    fi
done
[ $bad = 0 ] || exit 0
mapfile -t cmds <"$top/commands"
if [ ${#cmds[@]} != 3 ] ||
        [ "${cmds[0]}" != "./configure --with-backdoor=hello && make" ]; then
    printf '  %s\n' "${cmds[@]}"
    not_ok "the quickstart commands: configure and make, compile, run"
    exit 0
fi
ok "the quickstart commands: configure and make, compile, run"

# ./configure --with-backdoor=hello && make, with fewer targets; the
# library is a copy of the README's, out of the scratch folder
mkdir -p "$qs-lib/hello"
cmp -s "$top/hello/hello.c" "$qs-lib/hello/hello.c" ||
    cp "$top/hello/hello.c" "$qs-lib/hello/hello.c"
# run-tests.sh's options for the check configurations: check_opts
# shellcheck source=check-opts.sh
. "$TESTS_DIR/check-opts.sh"
read -r -a configure_extra <<<"${BACKDOOR_CONFIGURE_EXTRA:-}"
start=$SECONDS
if { [ -f "$qs/config.mak" ] ||
        (cd "$BACKDOOR_TOP" && ./configure --skip-setup --build-dir="$qs" \
            --with-backdoor="$qs-lib/hello" "${check_opts[@]}" \
            "${configure_extra[@]}"); } \
        >"$T/build.log" 2>&1 &&
        make -C "$BACKDOOR_TOP" BUILD="$qs" QEMU_GOALS=qemu-x86_64 all \
            >>"$T/build.log" 2>&1; then
    ok "QEMU builds with the quickstart library ($((SECONDS - start)) s)"
else
    tail -n 20 "$T/build.log" | sed 's/^/  /'
    not_ok "QEMU builds with the quickstart library"
    exit 0
fi

# the other two lines as they are, from a folder that looks like the top
# of the repository with that build in build/
ln -s "$BACKDOOR_TOP/backdoor" "$top/backdoor"
ln -s "$qs" "$top/build"
if (cd "$top" && bash -e -c "${cmds[1]}") >"$T/cc.log" 2>&1; then
    ok "the guest program compiles: ${cmds[1]}"
else
    sed 's/^/  /' "$T/cc.log" | tail -n 10
    not_ok "the guest program compiles: ${cmds[1]}"
    exit 0
fi
(cd "$top" && timeout 60 bash -c "${cmds[2]}") >"$T/run.out" 2>&1
code=$?
if [ $code = 0 ] && diff "$top/output" "$T/run.out" >"$T/run.diff"; then
    ok "it runs and prints the README's output: ${cmds[2]}"
else
    echo "  exit status $code; README's output (<) and the run's (>):"
    sed 's/^/  /' "$T/run.diff"
    not_ok "it runs and prints the README's output: ${cmds[2]}"
fi
# the output block holds both sides' lines
grep -q '^\[qemu\] command 1: hello from the guest$' "$T/run.out" &&
    grep -q '^\[guest\] ' "$T/run.out" &&
    ok "the library received the guest's string, and the guest printed" ||
    not_ok "the library received the guest's string, and the guest printed"
exit 0
