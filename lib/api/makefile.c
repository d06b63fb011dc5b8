/*
 * makefile.c — a stdio stream over a socket (Python's makefile), through
 * fopencookie so reads and writes keep the socket's timeout mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* stdio only sees -1 and errno; a timeout shows as ETIMEDOUT. */
static ssize_t makefile_errno(const srr_error *e)
{
    errno = e->kind == SRR_ERR_OS ? e->code : e->kind == SRR_ERR_TIMEOUT ? ETIMEDOUT : EIO;
    return -1;
}

static ssize_t makefile_read(void *cookie, char *buf, size_t len)
{
    srr_socket *s = cookie;
    srr_error e;
    if (s->fd < 0) {
        errno = EBADF;
        return -1;
    }
    ssize_t n = srr__recv_timed(s, buf, len, 0, &e);
    return n < 0 ? makefile_errno(&e) : n;
}

static ssize_t makefile_write(void *cookie, const char *buf, size_t len)
{
    srr_socket *s = cookie;
    srr_error e;
    if (s->fd < 0) {
        errno = EBADF;
        return 0; /* stdio's cookie write reports failure with 0 */
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = srr__send_timed(s, buf + done, len - done, MSG_NOSIGNAL, &e);
        if (n < 0) {
            makefile_errno(&e);
            return done; /* 0 = error to stdio; a short count keeps what went out */
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static int makefile_close(void *cookie)
{
    srr__socket_unref(cookie);
    return 0;
}

FILE *srr_makefile(srr_socket *s, const char *mode, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return NULL;
    if (!mode) {
        srr__err_value(err, "mode is NULL");
        return NULL;
    }
    /* CPython: only r, w, b; reading = "r" in mode or not writing */
    if (mode[strspn(mode, "rwb")] != '\0') {
        srr__err_value(err, "invalid mode '%s' (only r, w, b allowed)", mode);
        return NULL;
    }
    int w = strchr(mode, 'w') != NULL;
    int r = strchr(mode, 'r') != NULL || !w;
    cookie_io_functions_t io = {
        .read = r ? makefile_read : NULL,
        .write = w ? makefile_write : NULL,
        .seek = NULL,
        .close = makefile_close,
    };
    FILE *f = fopencookie(s, r && w ? "r+" : r ? "r" : "w", io);
    if (!f) {
        srr__err_os(err, errno ? errno : ENOMEM);
        return NULL;
    }
    s->io_refs++;
    return f;
}
