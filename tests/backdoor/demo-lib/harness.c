/*
 * The demo library (contrib/backdoor/lib/backdoor-demo.c) in a host
 * program, under AddressSanitizer: a data channel of SIZE bytes allocated
 * exactly (ASan catches any access past it), and a "guest" that does what
 * a real one may.
 *
 *   harness SIZE SECONDS
 *
 * Prints one "ok - " or "not ok - " line per check; exits 1 on a failure
 * (and ASan aborts on an access out of bounds).
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "backdoor/qemu/qemu-backdoor.h"

static CPUState cpu = { .cpu_index = 0 };
static int failures;
static char *data;
static size_t size;
static volatile int stop;       /* volatile: the guest thread polls it */

CPUState *qemu_backdoor_cpu(void)
{
    return &cpu;
}

static void check(int ok, const char *what)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", what);
    fflush(stdout);
    failures += !ok;
}

/* a guest on another vCPU, rewriting the end of the data channel */
static void *guest(void *arg)
{
    volatile char *d = data;    /* volatile: it races with the library */

    while (!stop) {
        for (size_t i = size - 64; i < size; i++) {
            d[i] = 'x';
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    double seconds = argc > 2 ? atof(argv[2]) : 2;
    char *copy;
    pthread_t th;
    time_t end;
    long n;

    size = 4096;
    if (argc > 1) {
        sscanf(argv[1], "%zu", &size);
    }
    data = malloc(size);
    copy = malloc(size);
    qemu_backdoor_init(size);

    /* a string that fills the channel: no terminator anywhere */
    memset(data, 'a', size);
    memcpy(data, "two words ", 10);
    memcpy(copy, data, size);
    qemu_backdoor(1, data);
    check(!memcmp(copy, data, size),
          "command 1 on unterminated data: the data channel is unchanged");
    cpu.env.regs[R_EAX] = 0;
    qemu_backdoor(3, data);
    check(!memcmp(copy, data, size),
          "command 3 on unterminated data: the data channel is unchanged");
    check(cpu.env.regs[R_EAX] == 3, "command 3 counts the words it read");

    /* command 2 upper-cases the string, and only the string */
    memset(data, 'z', size);
    strcpy(data, "hello from the guest");
    qemu_backdoor(2, data);
    check(!strcmp(data, "HELLO FROM THE GUEST") &&
          data[strlen(data) + 1] == 'z',
          "command 2 upper-cases the string in place, and nothing after it");

    /* commands while another vCPU rewrites the data */
    memset(data, 'a', size);
    pthread_create(&th, NULL, guest, NULL);
    end = time(NULL) + (time_t)seconds;
    for (n = 0; time(NULL) <= end; n++) {
        qemu_backdoor(2 + n % 2, data);
    }
    stop = 1;
    pthread_join(th, NULL);
    /* ASan checks that they stayed within the channel */
    printf("# %ld commands under concurrent writes\n", n);
    check(n > 0, "commands ran while another thread rewrote the channel");
    free(copy);
    free(data);
    return failures ? 1 : 0;
}
