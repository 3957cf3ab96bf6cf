# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers to boot a small Linux guest under qemu-system-x86_64: Debian's
# kernel (package linux-image-amd64, fetched with apt-get download and
# kept in a cache, never installed) and a busybox initramfs whose /init
# runs a script.  Sourced by tests/backdoor/t-linux-guest.sh and the
# system-mode benchmark.

# guest_kernel: print the path of a cached vmlinuz, fetching it when
# needed (build-aux/fetch-guest-kernel.sh); fails, with a reason on
# stderr, when it cannot be had
guest_kernel() {
    "$(dirname "${BASH_SOURCE[0]}")/../../build-aux/fetch-guest-kernel.sh"
}

# guest_initramfs ROOT SCRIPT OUT: pack ROOT (guest programs in ROOT/bin)
# with a static busybox into OUT; the guest's /init sets up the usual file
# systems, runs SCRIPT (a file of shell commands) and powers off
guest_initramfs() {
    local root=$1 script=$2 out=$3 bb
    # busybox-static's busybox; the guest has no shared libraries
    bb=$(command -v busybox) || bb=/bin/busybox
    [ -x "$bb" ] && ! ldd "$bb" >/dev/null 2>&1 || {
        echo "no static busybox (package busybox-static)" >&2
        return 1
    }
    command -v cpio >/dev/null || {
        echo "no cpio" >&2
        return 1
    }
    mkdir -p "$root"/bin "$root"/proc "$root"/sys "$root"/dev "$root"/tmp
    cp "$bb" "$root/bin/busybox"
    cp "$script" "$root/bin/guest-script"
    cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "GUEST-START"
sh /bin/guest-script
echo "GUEST-DONE"
poweroff -f
EOF
    chmod +x "$root/init" "$root"/bin/*
    (cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
}

# guest_run QEMU KERNEL INITRD LOG TIMEOUT [QEMU ARGS...]: boot, with the
# guest's console in LOG; fails when QEMU fails or runs over TIMEOUT s.
# The machine is $GUEST_MACHINE (default pc).
guest_run() {
    local qemu=$1 kernel=$2 initrd=$3 log=$4 limit=$5
    shift 5
    timeout -k 5 "$limit" "$qemu" -M "${GUEST_MACHINE:-pc}" -m 512 \
        -nodefaults -no-reboot \
        -display none -serial "file:$log" \
        -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0 panic=-1 quiet loglevel=3" "$@"
}
