#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Backdoor channel, user mode: what -backdoor does with its directory
#
#   backdoor-startup.sh QEMU PROG WORKDIR
#
# PROG is backdoor-noinit.  A directory QEMU cannot use must make it exit
# with status 1 and a message before the guest runs; files planted in the
# directory must never make QEMU write outside it.  Prints one line per
# check; exits 1 if one failed.

set -u
qemu=$1 prog=$2 w=$3
failures=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

rm -rf "$w"
mkdir -p "$w"
chmod 700 "$w"

# expect_fail NAME PATTERN QEMU-ARGS...: exit status 1, a message
# matching PATTERN, and the guest never ran; QEMU runs under the command
# in the array "wrap", if set
wrap=()
expect_fail() {
    local name=$1 pattern=$2 out code
    shift 2
    out=$("${wrap[@]}" "$qemu" "$@" "$prog" 2>&1)
    code=$?
    if [ $code = 1 ] && printf '%s' "$out" | grep -q -- "$pattern" &&
        ! printf '%s' "$out" | grep -q "never calls"; then
        ok "$name: exit 1, \"$(printf '%s' "$out" | head -n 1)\""
    else
        not_ok "$name: exit $code, output: $out"
    fi
}

# runs NAME QEMU-ARGS...: the guest runs and QEMU exits 0
runs() {
    local name=$1 out code
    shift
    out=$("$@" 2>&1)
    code=$?
    if [ $code = 0 ] && printf '%s' "$out" | grep -q "never calls"; then
        ok "$name"
    else
        not_ok "$name: exit $code, output: $out"
    fi
}

# a missing directory is created, private
runs "a missing directory is created" "$qemu" -backdoor "$w/new" "$prog"
mode=$(stat -c %a "$w/new" 2>/dev/null)
[ "$mode" = 700 ] && ok "... with mode 0700" || not_ok "mode $mode, want 700"
[ -f "$w/new/control" ] && [ "$(stat -c %s "$w/new/control")" = 4096 ] &&
    [ "$(stat -c %s "$w/new/data")" = 1048576 ] &&
    ok "control (4096 bytes) and data (1 MiB) are created" ||
    not_ok "control and data files: $(ls -l "$w/new" 2>&1)"
[ -f "$w/new/control" ] && [ -f "$w/new/data" ] &&
    ok "the files stay after QEMU exits" || not_ok "files gone at exit"
out=$("$qemu" "$prog" --stale "$w/new" 2>&1) &&
    ok "a guest without -backdoor does not take them for a channel" ||
    not_ok "stale files: $out"
runs "the environment variable QEMU_BACKDOOR works" \
    env QEMU_BACKDOOR="$w/env" "$qemu" "$prog"
[ -f "$w/env/control" ] && ok "... and creates the files" ||
    not_ok "QEMU_BACKDOOR made no files"
runs "-backdoor-size 64K" "$qemu" -backdoor "$w/size" -backdoor-size 64K \
    "$prog"
[ "$(stat -c %s "$w/size/data" 2>/dev/null)" = 65536 ] &&
    ok "... makes a 64 KiB data file" || not_ok "data file size wrong"
runs "QEMU_BACKDOOR_SIZE=8M" env QEMU_BACKDOOR_SIZE=8M \
    "$qemu" -backdoor "$w/size" "$prog"
[ "$(stat -c %s "$w/size/data" 2>/dev/null)" = 8388608 ] &&
    ok "... makes an 8 MiB data file" || not_ok "data file size wrong"

# the library's optional exit callback (the test library prints a line)
n=$("$qemu" -backdoor "$w/exit" "$prog" 2>&1 | grep -c '^bdt-exit: ')
[ "$n" = 1 ] && ok "the library's qemu_backdoor_exit() runs once at exit" ||
    not_ok "qemu_backdoor_exit() ran $n times"

# directories QEMU cannot use
expect_fail "the parent directory is missing" "cannot create the directory" \
    -backdoor "$w/no/such/dir"
touch "$w/file"
expect_fail "DIR is a regular file" "cannot open the directory" \
    -backdoor "$w/file"
mkdir -m 700 "$w/real"
ln -s "$w/real" "$w/link"
expect_fail "DIR is a symbolic link" "symbolic link" -backdoor "$w/link"
mkdir -m 777 "$w/open"
chmod 777 "$w/open"
expect_fail "DIR is writable by others" "writable by other users" \
    -backdoor "$w/open"
mkdir -m 700 "$w/sub"
mkdir "$w/sub/control"
expect_fail "DIR/control is a directory" "cannot replace 'control'" \
    -backdoor "$w/sub"
expect_fail "-backdoor-size not a power of two" "power of two" \
    -backdoor "$w/new" -backdoor-size 3M
expect_fail "-backdoor-size too small" "power of two" \
    -backdoor "$w/new" -backdoor-size 1K
expect_fail "-backdoor-size not a size" "power of two" \
    -backdoor "$w/new" -backdoor-size lots
expect_fail "an empty -backdoor" "empty" -backdoor ""
if [ "$(id -u)" = 0 ]; then
    mkdir -m 700 "$w/other"
    chown 1:1 "$w/other"
    expect_fail "DIR belongs to another user" "another user" \
        -backdoor "$w/other"
else
    echo "ok - DIR belongs to another user # SKIP needs root to make one"
fi

# host limits: reported at start, never a signal once the guest runs
wrap=(sh -c 'ulimit -f 64 && exec "$@"' sh)
expect_fail "a file size limit below the data channel's size" \
    "file size limit" -backdoor "$w/fsize"
wrap=()
runs "the data file's blocks are reserved at start" \
    "$qemu" -backdoor "$w/blocks" "$prog"
blocks=$(stat -c '%b * %B' "$w/blocks/data" 2>/dev/null)
[ "$((${blocks:-0}))" -ge 1048576 ] && ok "... ($((${blocks:-0})) bytes)" ||
    not_ok "the data file has $((${blocks:-0})) bytes allocated"
# on a tmpfs of SIZE mounted on MNT in a private mount namespace, with
# MNT/bd created, then read-only or not (MODE: ro or rw)
in_tmpfs() {
    unshare -rm sh -c 'mount -t tmpfs -o "size=$1,mode=700" none "$2" &&
        mkdir -m 700 "$2/bd" &&
        if [ "$3" = ro ]; then mount -o remount,ro "$2"; fi &&
        shift 3 && exec "$@"' sh "$@"
}
if unshare -rm true 2>/dev/null; then
    mkdir -p "$w/mnt"
    wrap=(in_tmpfs 512k "$w/mnt" rw)
    expect_fail "a file system too small for the data channel" \
        "No space left on device" -backdoor "$w/mnt/bd"
    wrap=(in_tmpfs 4m "$w/mnt" ro)
    expect_fail "a read-only file system" "Read-only file system" \
        -backdoor "$w/mnt/bd"
    wrap=()
else
    echo "ok - host limits on a tmpfs # SKIP no private mount namespace here"
fi

# a second QEMU on a directory in use
rm -f "$w/stop" "$w/ready"
"$qemu" -backdoor "$w/busy" "$prog" "$w/stop" "$w/ready" >/dev/null 2>&1 &
first=$!
for _ in $(seq 600); do
    [ -e "$w/ready" ] && break
    sleep 0.1
done
if [ -e "$w/ready" ]; then
    expect_fail "DIR in use by another QEMU" "in use by another QEMU" \
        -backdoor "$w/busy"
else
    not_ok "the first QEMU did not start"
fi
touch "$w/stop"
wait $first && ok "the first QEMU carries on and exits 0" ||
    not_ok "the first QEMU failed"
runs "DIR is free again once it has exited" \
    "$qemu" -backdoor "$w/busy" "$prog"

# planted files never make QEMU write outside DIR
mkdir -m 700 "$w/planted"
echo victim >"$w/victim-c"
echo victim >"$w/victim-d"
ln -s "$w/victim-c" "$w/planted/control"
ln "$w/victim-d" "$w/planted/data"
runs "symlink and hard link planted in DIR" \
    "$qemu" -backdoor "$w/planted" "$prog"
[ "$(cat "$w/victim-c")" = victim ] && [ "$(cat "$w/victim-d")" = victim ] &&
    ok "the files they point to are untouched" ||
    not_ok "a planted link was written through"
[ ! -L "$w/planted/control" ] && [ -f "$w/planted/control" ] &&
    [ "$(stat -c %h "$w/planted/data")" = 1 ] &&
    ok "DIR's files were replaced by new ones" ||
    not_ok "planted links still there"

# stale files of an earlier QEMU are replaced
printf 'stale' >"$w/new/data"
runs "stale files" "$qemu" -backdoor "$w/new" "$prog"
[ "$(stat -c %s "$w/new/data")" = 1048576 ] &&
    [ -z "$(tr -d '\0' <"$w/new/data")" ] &&
    ok "... are replaced by a fresh, zeroed data file" ||
    not_ok "stale data file kept"

rm -rf "$w"
[ $failures = 0 ]
