#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive a backdoor device through QEMU's qtest protocol, for t-modules.sh.

    qtest-pci.py QEMU DEVICE-OPTIONS STEP...

Starts QEMU (-M pc -accel qtest) with "-device backdoor,addr=04.0,
DEVICE-OPTIONS", maps the control BAR at 0xe0000000 and the data BAR at
0xe0100000, then runs each STEP and prints one line for each:

    size          the SIZE register
    count         the COUNT register
    put:TEXT      write TEXT at the start of the data channel
    get:N         the first N bytes of the data channel, as text
    cmd:N         send command N
    exit          wait for QEMU to exit by itself

Then ends QEMU with SIGTERM, unless the last step was "exit", and exits
with QEMU's exit status.
"""

import subprocess
import sys

CTRL, DATA = 0xe0000000, 0xe0100000
DEVFN = 0x04 << 3


def main():
    qemu, opts, steps = sys.argv[1], sys.argv[2], sys.argv[3:]
    dev = "backdoor,addr=04.0" + ("," + opts if opts else "")
    p = subprocess.Popen([qemu, "-M", "pc", "-accel", "qtest",
                          "-qtest", "stdio", "-qtest-log", "/dev/null",
                          "-display", "none", "-nodefaults",
                          "-device", dev],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)

    def q(line):
        p.stdin.write(line + "\n")
        p.stdin.flush()
        while True:
            r = p.stdout.readline()
            if not r:
                raise EOFError
            if r.split()[0] in ("OK", "FAIL", "ERR"):
                return r.split()

    def config(reg, val):
        q("outl 0xcf8 0x%x" % (0x80000000 | DEVFN << 8 | reg))
        q("outl 0xcfc 0x%x" % val)

    try:
        config(0x10, CTRL)              # BAR 0
        config(0x18, DATA)              # BAR 2, 64-bit
        config(0x1c, 0)
        config(0x04, 2)                 # memory space on
        for step in steps:
            what, _, arg = step.partition(":")
            if what == "size":
                print(int(q("readq 0x%x" % CTRL)[1], 16))
            elif what == "count":
                print(int(q("readq 0x%x" % (CTRL + 0x10))[1], 16))
            elif what == "put":
                print(q("write 0x%x %d 0x%s" % (DATA, len(arg),
                                                 arg.encode().hex()))[0])
            elif what == "get":
                r = q("read 0x%x %s" % (DATA, arg))
                print(bytes.fromhex(r[1][2:]).rstrip(b"\0").decode()
                      if r[0] == "OK" else r[0])
            elif what == "cmd":
                print(q("writeq 0x%x %s" % (CTRL + 0x08, arg))[0])
        if steps[-1:] != ["exit"]:
            p.terminate()
        p.stdin.close()
    except (BrokenPipeError, EOFError):
        print("QEMU exited")
    sys.exit(p.wait(timeout=60))


main()
