/*
 * input.c — the files a verb reads (input.h).  A verb may read its input
 * more than once: check and convert look at the first bytes to tell a
 * trace from a config or a capture, replay reads the trace in the CLI and
 * again in the program's processes, as sim does its network.  A pipe gives
 * its bytes once and a FIFO hangs a second open, so those are copied to a
 * temporary file first, and read from there under the user's name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "in_file.h"
#include "input.h"
#include "out_file.h"

int cli_temp(const char *verb, const char *what, char *path, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, len, "%s/sockrr-%s-XXXXXX", dir && *dir ? dir : "/tmp", what);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "sockrr %s: %s: %s\n", verb, path, strerror(errno));
        path[0] = '\0';
    }
    return fd;
}

/* Everything from fd into out; 0 or -errno (-EIO for a short write). */
static int input_copy(int fd, int out)
{
    static char buf[1 << 16];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return w < 0 ? -errno : -EIO;
            off += w;
        }
    }
}

int cli_input_open(const char *verb, const char *arg, cli_input *in)
{
    int std = strcmp(arg, "-") == 0;
    in->name = std ? "<stdin>" : arg;
    in->temp = 0;
    struct stat st;
    int have = std ? fstat(STDIN_FILENO, &st) == 0 : stat(arg, &st) == 0;
    if (!have || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode))) {
        /* read where it is; a reader opening "-" reads standard input */
        snprintf(in->path, sizeof in->path, "%s", std && have ? "/dev/stdin" : arg);
        return 0;
    }
    int fd = std ? STDIN_FILENO : open(arg, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "sockrr %s: %s: %s\n", verb, in->name, strerror(errno));
        return SRR_EXIT_FAIL;
    }
    int out = cli_temp(verb, "input", in->path, sizeof in->path);
    int r = out < 0 ? 0 : input_copy(fd, out);
    if (out >= 0 && close(out) < 0 && r == 0)
        r = -errno;
    if (!std)
        close(fd);
    if (out < 0)
        return SRR_EXIT_FAIL;
    in->temp = 1;
    if (r < 0) {
        fprintf(stderr, "sockrr %s: %s: cannot copy it into %s: %s\n", verb, in->name, in->path,
                strerror(-r));
        cli_input_done(in);
        return SRR_EXIT_FAIL;
    }
    return 0;
}

void cli_input_done(cli_input *in)
{
    if (in->temp)
        unlink(in->path);
    in->temp = 0;
}

int cli_read_file(const char *verb, const char *path, const char *name, unsigned char **data,
                  size_t *len)
{
    int r = srr__file_read(path, (size_t)1 << 30, data, len);
    if (r < 0) {
        fprintf(stderr, "sockrr %s: %s: %s\n", verb, name ? name : path,
                r == -EFBIG ? "larger than 1 GiB" : strerror(-r));
        return SRR_EXIT_FAIL;
    }
    return 0;
}

int cli_write_file(const char *verb, const char *path, const void *p, size_t n)
{
    int fd = srr__out_open(path);
    const char *b = p;
    int e = fd < 0 ? -fd : 0;
    while (!e && n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            e = errno;
        else
            b += w, n -= (size_t)w;
    }
    if (fd >= 0 && close(fd) < 0 && !e)
        e = errno;
    if (e) {
        fprintf(stderr, "sockrr %s: %s: %s\n", verb, path, strerror(e));
        return SRR_EXIT_FAIL;
    }
    return 0;
}
