/*
 * qemu-backdoor: the standard commands from a guest shell
 *
 * A static guest program, the way gem5's m5 is: it sends the standard
 * commands of qemu-backdoor-std.h (or any command) through the channel.
 * See docs/interop/backdoor-guest.rst.
 *
 * Copyright (c) 2026 The QEMU backdoor channel authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include "qemu-backdoor.h"
#include "qemu-backdoor-std.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* exit statuses */
#define EXIT_USAGE      2   /* bad command line */
#define EXIT_NOCHANNEL  3   /* no channel, or no standard commands */

static const char *prog = "qemu-backdoor";
static uint8_t *bd;         /* the data channel */
static uint64_t bd_size;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: %s [-d DIR] COMMAND [ARG...]\n"
        "\n"
        "Sends a command through QEMU's backdoor channel.  In user mode\n"
        "(qemu-<arch> -backdoor DIR) give DIR with -d or $QEMU_BACKDOOR_DIR;\n"
        "without it the PCI device is used (system mode, -device backdoor).\n"
        "\n"
        "Standard commands (QEMU's built-in library, or a library that\n"
        "keeps them):\n"
        "  version             print the host's command set version and\n"
        "                      features\n"
        "  print MSG...        print MSG on the host (stderr or its log)\n"
        "  exit [STATUS]       end QEMU with STATUS (default 0)\n"
        "  time                print host CLOCK_REALTIME and CLOCK_MONOTONIC\n"
        "                      in nanoseconds\n"
        "  roi begin|end       mark a region of interest; QEMU reports them\n"
        "                      at exit (end prints the region's time, ns,\n"
        "                      and its guest instructions where QEMU counts\n"
        "                      them: system mode, TCG, -icount)\n"
        "  put FILE [NAME]     copy guest FILE to NAME (default: FILE's base\n"
        "                      name) in the host directory QEMU shares\n"
        "  get NAME [FILE]     copy NAME from the host directory to FILE\n"
        "                      (default: NAME's base name)\n"
        "Any library:\n"
        "  cmd N [DATA-FILE]   send command N, with DATA-FILE's contents at\n"
        "                      the start of the data channel\n"
        "\n"
        "Exit status: 0 done, 1 the command failed, %d usage, %d no channel\n"
        "or no standard commands in QEMU's library.\n",
        prog, EXIT_USAGE, EXIT_NOCHANNEL);
}

static void put64(unsigned off, uint64_t v)
{
    memcpy(bd + off, &v, sizeof(v));
}

static uint64_t get64(unsigned off)
{
    uint64_t v;

    memcpy(&v, bd + off, sizeof(v));
    return v;
}

/* Send standard command @cmd; return its result, exit when unsupported. */
static int64_t std_call(uint64_t cmd)
{
    int64_t res;

    put64(QEMU_BACKDOOR_STD_RESULT, (uint64_t)-QEMU_BACKDOOR_STD_ENOSYS);
    qemu_backdoor(cmd);
    res = (int64_t)get64(QEMU_BACKDOOR_STD_RESULT);
    if (res == -QEMU_BACKDOOR_STD_ENOSYS) {
        fprintf(stderr, "%s: QEMU's backdoor library does not implement "
                "the standard commands\n", prog);
        exit(EXIT_NOCHANNEL);
    }
    return res;
}

static int fail(const char *what, int64_t res)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror((int)-res));
    return 1;
}

static int do_version(void)
{
    int64_t res = std_call(QEMU_BACKDOOR_STD_VERSION_CMD);
    uint64_t features = get64(QEMU_BACKDOOR_STD_ARG(0));

    if (res < 0) {
        return fail("version", res);
    }
    printf("host %" PRId64 " guest %d features 0x%016" PRIx64
           " data channel %" PRIu64 " bytes\n",
           res, QEMU_BACKDOOR_STD_VERSION, features, bd_size);
    return 0;
}

static int do_print(int argc, char **argv)
{
    size_t room = bd_size - QEMU_BACKDOOR_STD_PAYLOAD, len = 0, pos;
    char *msg;
    int i;

    for (i = 0; i < argc; i++) {
        len += strlen(argv[i]) + 1;
    }
    msg = malloc(len + 1);
    if (!msg) {
        return fail("print", -ENOMEM);
    }
    msg[0] = '\0';
    for (i = 0; i < argc; i++) {
        strcat(msg, argv[i]);
        strcat(msg, i + 1 < argc ? " " : "\n");
    }
    if (argc == 0) {
        strcpy(msg, "\n");
    }
    len = strlen(msg);
    /* a long message goes in pieces of the data channel's size */
    for (pos = 0; pos < len; pos += room) {
        size_t n = len - pos < room ? len - pos : room;
        int64_t res;

        memcpy(bd + QEMU_BACKDOOR_STD_PAYLOAD, msg + pos, n);
        put64(QEMU_BACKDOOR_STD_ARG(0), n);
        res = std_call(QEMU_BACKDOOR_STD_PRINT);
        if (res < 0) {
            free(msg);
            return fail("print", res);
        }
    }
    free(msg);
    return 0;
}

/* A decimal or 0x-prefixed hexadecimal number that fits 64 bits */
static int parse_u64(const char *s, uint64_t *v)
{
    unsigned base = 10;
    uint64_t n = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s) {
        return -1;
    }
    for (; *s; s++) {
        unsigned d;

        if (*s >= '0' && *s <= '9') {
            d = *s - '0';
        } else if (base == 16 && *s >= 'a' && *s <= 'f') {
            d = *s - 'a' + 10;
        } else if (base == 16 && *s >= 'A' && *s <= 'F') {
            d = *s - 'A' + 10;
        } else {
            return -1;
        }
        if (n > (UINT64_MAX - d) / base) {
            return -1;
        }
        n = n * base + d;
    }
    *v = n;
    return 0;
}

static int do_exit(const char *arg)
{
    uint64_t status = 0;
    int64_t res;

    if (arg && (parse_u64(arg, &status) < 0 || status > 255)) {
        fprintf(stderr, "%s: exit: '%s' is not a status from 0 to 255\n",
                prog, arg);
        return EXIT_USAGE;
    }
    put64(QEMU_BACKDOOR_STD_ARG(0), status);
    res = std_call(QEMU_BACKDOOR_STD_EXIT);
    if (res < 0) {
        return fail("exit", res);
    }
    /* in system mode QEMU shuts down soon; user mode never gets here */
    sleep(60);
    fprintf(stderr, "%s: exit: QEMU did not exit\n", prog);
    return 1;
}

static int do_time(void)
{
    int64_t res = std_call(QEMU_BACKDOOR_STD_TIME);

    if (res < 0) {
        return fail("time", res);
    }
    printf("%" PRIu64 " %" PRIu64 "\n", get64(QEMU_BACKDOOR_STD_ARG(0)),
           get64(QEMU_BACKDOOR_STD_ARG(1)));
    return 0;
}

static int do_roi(const char *what)
{
    int64_t res;

    if (!strcmp(what, "begin")) {
        res = std_call(QEMU_BACKDOOR_STD_ROI_BEGIN);
    } else if (!strcmp(what, "end")) {
        /* "not counted", also from a QEMU that predates the count */
        put64(QEMU_BACKDOOR_STD_ARG(0), UINT64_MAX);
        res = std_call(QEMU_BACKDOOR_STD_ROI_END);
    } else {
        fprintf(stderr, "%s: roi: say begin or end\n", prog);
        return EXIT_USAGE;
    }
    if (res < 0) {
        return fail(res == -QEMU_BACKDOOR_STD_EINVAL ?
                    "roi: no region was begun" : "roi", res);
    }
    if (!strcmp(what, "end")) {
        uint64_t insns = get64(QEMU_BACKDOOR_STD_ARG(0));

        /* the guest instructions, where QEMU counts them */
        if (insns != UINT64_MAX) {
            printf("%" PRId64 " %" PRIu64 "\n", res, insns);
        } else {
            printf("%" PRId64 "\n", res);
        }
    }
    return 0;
}

/*
 * Put the name of a PUT or GET request in the channel; return the room
 * for data, or 0 when the name does not fit.
 */
static uint64_t set_name(const char *name)
{
    size_t len = strlen(name);
    uint64_t off = QEMU_BACKDOOR_STD_DATA_OFFSET(len);

    if (len == 0 || len > QEMU_BACKDOOR_STD_NAME_MAX || off >= bd_size) {
        fprintf(stderr, "%s: '%s': the name is empty or too long\n",
                prog, name);
        return 0;
    }
    memcpy(bd + QEMU_BACKDOOR_STD_PAYLOAD, name, len + 1);
    put64(QEMU_BACKDOOR_STD_ARG(2), len);
    return bd_size - off;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    return done;
}

static int write_full(int fd, const void *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        buf = (const char *)buf + n;
        len -= n;
    }
    return 0;
}

static int do_put(const char *file, const char *name)
{
    char *copy = strdup(file);
    uint64_t room, pos = 0;
    unsigned data_off;
    char *buf;
    int fd, ret = 1;

    if (!copy) {
        return fail("put", -ENOMEM);
    }
    if (!name) {
        name = basename(copy);
    }
    room = set_name(name);
    if (!room) {
        free(copy);
        return 1;
    }
    data_off = bd_size - room;
    fd = open(file, O_RDONLY | O_CLOEXEC);
    buf = malloc(room);
    if (fd < 0 || !buf) {
        fprintf(stderr, "%s: put: %s: %s\n", prog, file, strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t n = read_full(fd, buf, room);
        int64_t res;

        if (n < 0) {
            fprintf(stderr, "%s: put: %s: %s\n", prog, file,
                    strerror(errno));
            goto out;
        }
        /* the name again: the host does not keep it between chunks */
        set_name(name);
        memcpy(bd + data_off, buf, n);
        put64(QEMU_BACKDOOR_STD_ARG(0), pos);
        put64(QEMU_BACKDOOR_STD_ARG(1), n);
        res = std_call(QEMU_BACKDOOR_STD_PUT);
        if (res < 0 || res != n) {
            fprintf(stderr, "%s: put: %s: %s\n", prog, name,
                    res < 0 ? strerror((int)-res) : "short write");
            goto out;
        }
        pos += n;
        if ((uint64_t)n < room) {
            break;
        }
    }
    ret = 0;
out:
    if (fd >= 0) {
        close(fd);
    }
    free(buf);
    free(copy);
    return ret;
}

static int do_get(const char *name, const char *file)
{
    char *copy = strdup(name);
    uint64_t room, pos = 0;
    unsigned data_off;
    int fd = -1, ret = 1;

    if (!copy) {
        return fail("get", -ENOMEM);
    }
    if (!file) {
        file = basename(copy);
    }
    room = set_name(name);
    if (!room) {
        free(copy);
        return 1;
    }
    data_off = bd_size - room;
    for (;;) {
        int64_t res;

        set_name(name);
        put64(QEMU_BACKDOOR_STD_ARG(0), pos);
        put64(QEMU_BACKDOOR_STD_ARG(1), room);
        res = std_call(QEMU_BACKDOOR_STD_GET);
        if (res < 0 || (uint64_t)res > room) {
            fprintf(stderr, "%s: get: %s: %s\n", prog, name,
                    res < 0 ? strerror((int)-res) : "bad length");
            goto out;
        }
        /* created once the host file is known to be readable */
        if (fd < 0) {
            fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0) {
                fprintf(stderr, "%s: get: %s: %s\n", prog, file,
                        strerror(errno));
                goto out;
            }
        }
        if (res == 0) {
            break;
        }
        if (write_full(fd, bd + data_off, res) < 0) {
            fprintf(stderr, "%s: get: %s: %s\n", prog, file,
                    strerror(errno));
            goto out;
        }
        pos += res;
    }
    ret = 0;
out:
    if (fd >= 0 && close(fd) < 0 && ret == 0) {
        fprintf(stderr, "%s: get: %s: %s\n", prog, file, strerror(errno));
        ret = 1;
    }
    free(copy);
    return ret;
}

static int do_cmd(const char *num, const char *data_file)
{
    uint64_t cmd;

    if (parse_u64(num, &cmd) < 0) {
        fprintf(stderr, "%s: cmd: '%s' is not a number\n", prog, num);
        return EXIT_USAGE;
    }
    if (data_file) {
        int fd = open(data_file, O_RDONLY | O_CLOEXEC);
        ssize_t n;
        char extra;

        if (fd < 0) {
            fprintf(stderr, "%s: cmd: %s: %s\n", prog, data_file,
                    strerror(errno));
            return 1;
        }
        n = read_full(fd, bd, bd_size);
        if (n >= 0 && (uint64_t)n == bd_size && read(fd, &extra, 1) > 0) {
            fprintf(stderr, "%s: cmd: %s is larger than the data channel "
                    "(%" PRIu64 " bytes)\n", prog, data_file, bd_size);
            close(fd);
            return 1;
        }
        close(fd);
        if (n < 0) {
            fprintf(stderr, "%s: cmd: %s: %s\n", prog, data_file,
                    strerror(errno));
            return 1;
        }
    }
    qemu_backdoor(cmd);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("QEMU_BACKDOOR_DIR");
    const char *cmd;

    if (argc > 1 && !strcmp(argv[1], "-d")) {
        if (argc < 3) {
            usage(stderr);
            return EXIT_USAGE;
        }
        dir = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
        !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    argv += 2;
    argc -= 2;

#define NEED_ARGS(lo, hi) \
    do { \
        if (argc < (lo) || argc > (hi)) { \
            usage(stderr); \
            return EXIT_USAGE; \
        } \
    } while (0)

    if (!strcmp(cmd, "version") || !strcmp(cmd, "time")) {
        NEED_ARGS(0, 0);
    } else if (!strcmp(cmd, "print")) {
        NEED_ARGS(0, argc);
    } else if (!strcmp(cmd, "exit")) {
        NEED_ARGS(0, 1);
    } else if (!strcmp(cmd, "roi")) {
        NEED_ARGS(1, 1);
    } else if (!strcmp(cmd, "put") || !strcmp(cmd, "get") ||
               !strcmp(cmd, "cmd")) {
        NEED_ARGS(1, 2);
    } else {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
        usage(stderr);
        return EXIT_USAGE;
    }

    if (qemu_backdoor_init(dir && *dir ? dir : NULL) < 0) {
        int err = errno;

        fprintf(stderr, "%s: no backdoor channel: %s\n", prog,
                err == ENODEV ? (dir && *dir ?
                "no QEMU serves one in that directory, and there is no "
                "backdoor device" : "no backdoor device (in user mode, "
                "give -d DIR)") :
                err == EACCES ? "the backdoor device is not accessible "
                "(run as root, or as a member of the group the "
                "administrator's udev rule names, qemu-backdoor by "
                "default)" : strerror(err));
        return EXIT_NOCHANNEL;
    }
    bd = qemu_backdoor_data();
    bd_size = qemu_backdoor_data_size();
    if (bd_size < QEMU_BACKDOOR_STD_PAYLOAD + 64) {
        fprintf(stderr, "%s: the data channel is too small\n", prog);
        return EXIT_NOCHANNEL;
    }

    if (!strcmp(cmd, "version")) {
        return do_version();
    } else if (!strcmp(cmd, "print")) {
        return do_print(argc, argv);
    } else if (!strcmp(cmd, "exit")) {
        return do_exit(argc ? argv[0] : NULL);
    } else if (!strcmp(cmd, "time")) {
        return do_time();
    } else if (!strcmp(cmd, "roi")) {
        return do_roi(argv[0]);
    } else if (!strcmp(cmd, "put")) {
        return do_put(argv[0], argc > 1 ? argv[1] : NULL);
    } else if (!strcmp(cmd, "get")) {
        return do_get(argv[0], argc > 1 ? argv[1] : NULL);
    }
    return do_cmd(argv[0], argc > 1 ? argv[1] : NULL);
}
