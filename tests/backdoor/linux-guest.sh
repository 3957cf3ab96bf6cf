# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers to boot a small Linux guest under qemu-system-x86_64 (pc or
# q35) or qemu-system-aarch64 (virt): Debian's kernel (package
# linux-image-amd64 or -arm64, fetched with apt-get download and kept in
# a cache, never installed) and a busybox initramfs whose /init runs a
# script.  GUEST_ARCH (x86_64, the default, or aarch64) says which.
# Sourced by tests/backdoor/t-linux-guest*.sh, the system-mode benchmark
# and the demo.

_guest_fetch() {
    "$(dirname "${BASH_SOURCE[0]}")/../../build-aux/fetch-guest-kernel.sh" "$@"
}

# guest_debian_arch: GUEST_ARCH's name for Debian
guest_debian_arch() {
    case ${GUEST_ARCH:-x86_64} in
    aarch64) echo arm64 ;;
    *) echo amd64 ;;
    esac
}

# guest_cc: the C compiler for GUEST_ARCH's programs, or fail
guest_cc() {
    case ${GUEST_ARCH:-x86_64} in
    x86_64) echo cc ;;
    aarch64) echo aarch64-linux-gnu-gcc ;;
    *) return 1 ;;
    esac
}

# guest_kernel: print the path of a cached vmlinuz, fetching it when
# needed (build-aux/fetch-guest-kernel.sh); fails, with a reason on
# stderr, when it cannot be had
guest_kernel() {
    _guest_fetch "$(guest_debian_arch)"
}

# guest_busybox: print the path of a static busybox for GUEST_ARCH: the
# host's (package busybox-static) for x86_64, else a fetched one
guest_busybox() {
    local bb
    if [ "$(guest_debian_arch)" != amd64 ]; then
        _guest_fetch --busybox "$(guest_debian_arch)"
        return
    fi
    bb=$(command -v busybox) || bb=/bin/busybox
    [ -x "$bb" ] && ! ldd "$bb" >/dev/null 2>&1 || {
        echo "no static busybox (package busybox-static)" >&2
        return 1
    }
    echo "$bb"
}

# guest_initramfs ROOT SCRIPT OUT: pack ROOT (guest programs in ROOT/bin)
# with a static busybox into OUT; the guest's /init sets up the usual file
# systems, runs SCRIPT (a file of shell commands) and powers off
guest_initramfs() {
    local root=$1 script=$2 out=$3 bb
    # the guest has no shared libraries
    bb=$(guest_busybox) || return 1
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
# The machine is $GUEST_MACHINE (default pc, or virt for aarch64).
guest_run() {
    local qemu=$1 kernel=$2 initrd=$3 log=$4 limit=$5 machine console
    shift 5
    case ${GUEST_ARCH:-x86_64} in
    aarch64)
        machine=(-M "${GUEST_MACHINE:-virt}" -cpu cortex-a57)
        console=ttyAMA0
        ;;
    *)
        machine=(-M "${GUEST_MACHINE:-pc}")
        console=ttyS0
        ;;
    esac
    timeout -k 5 "$limit" "$qemu" "${machine[@]}" -m 512 \
        -nodefaults -no-reboot \
        -display none -serial "file:$log" \
        -kernel "$kernel" -initrd "$initrd" \
        -append "console=$console panic=-1 quiet loglevel=3" "$@"
}
