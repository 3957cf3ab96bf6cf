# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The configure options of make check's QEMU configurations
# (run-tests.sh), which t-quickstart.sh and the benchmark's build
# (tests/bench/backdoor/run-bench.sh) reuse for ccache's hits: the default
# targets, aarch64 (system mode: the virt machine, with the host's
# libfdt), a 32-bit and a big-endian linux-user target, where the store
# code of the series has other widths and byte orders, and riscv64.

# shellcheck disable=SC2034 # for the scripts that source this file
check_opts=("--target-list=x86_64-softmmu,aarch64-softmmu,x86_64-linux-user,aarch64-linux-user,i386-linux-user,s390x-linux-user,riscv64-linux-user"
            --cross-cc-s390x=s390x-linux-gnu-gcc
            --cross-cc-riscv64=riscv64-linux-gnu-gcc)
