/* Stand-in for QEMU's cpu.h: see backdoor/qemu/qemu-backdoor.h here */
