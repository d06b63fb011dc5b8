/*
 * stdio_calls.c — stdio on sockets: fdopen.  glibc's FILE reads and writes
 * its descriptor with its own internal calls, which no LD_PRELOAD library
 * sees: over the kernel the bytes would go untraced, and over a world with
 * handles of its own they would go to the placeholder descriptor.  So a
 * FILE opened on a world's socket is a FILE of ours (fopencookie) whose
 * reads, writes and close go through the interposer's read, write and
 * close, and so through the world; fileno still gives the descriptor.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "preload.h"

typedef struct stdio_sock {
    int fd;
    FILE *f;
    struct stdio_sock *next;
} stdio_sock;

/* Every FILE of ours, for fclose to tell (their close is the world's). */
static stdio_sock *files;
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

int srr__stdio_is_ours(FILE *f)
{
    if (!atomic_load_explicit((_Atomic(stdio_sock *) *)&files, memory_order_relaxed))
        return 0; /* no FILE of ours anywhere: no lock */
    int ours = 0;
    pthread_mutex_lock(&files_lock);
    for (stdio_sock *c = files; c && !ours; c = c->next)
        ours = c->f == f;
    pthread_mutex_unlock(&files_lock);
    return ours;
}

static ssize_t sock_read(void *c, char *buf, size_t len)
{
    return read(((stdio_sock *)c)->fd, buf, len);
}

static ssize_t sock_write(void *c, const char *buf, size_t len)
{
    /* stdio wants all of it, or an error: a socket may take a part */
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(((stdio_sock *)c)->fd, buf + done, len - done);
        if (n < 0)
            return done ? (ssize_t)done : -1;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static int sock_close(void *p)
{
    stdio_sock *c = p;
    pthread_mutex_lock(&files_lock);
    for (stdio_sock **q = &files; *q; q = &(*q)->next)
        if (*q == c) {
            *q = c->next;
            break;
        }
    pthread_mutex_unlock(&files_lock);
    int r = close(c->fd);
    free(c);
    return r;
}

FILE *fdopen(int fd, const char *mode)
{
    int h;
    if (!srr__sock_world(fd, &h))
        return REAL(fdopen)(fd, mode);
    stdio_sock *c = malloc(sizeof *c);
    if (!c) {
        errno = ENOMEM;
        return NULL;
    }
    c->fd = fd;
    /* a socket has no position: no seek, as fdopen's FILE fails to seek */
    cookie_io_functions_t io = {sock_read, sock_write, NULL, sock_close};
    FILE *f = fopencookie(c, mode, io);
    if (!f) {
        free(c);
        return NULL;
    }
    f->_fileno = fd; /* fileno(f) is the program's descriptor, as with fdopen */
    c->f = f;
    pthread_mutex_lock(&files_lock);
    c->next = files;
    files = c;
    pthread_mutex_unlock(&files_lock);
    return f;
}
