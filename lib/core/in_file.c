/*
 * in_file.c — a whole file read into memory (in_file.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "grow.h"
#include "in_file.h"

int srr__file_read(const char *path, size_t max, unsigned char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    unsigned char *b = NULL;
    size_t n = 0, cap = 0;
    int e = 0;
    for (;;) {
        if (n + 1 >= cap && srr__grow((void **)&b, &cap, n + 16384, 1) < 0) {
            e = -ENOMEM;
            break;
        }
        ssize_t r = read(fd, b + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = -errno;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            e = -EFBIG;
            break;
        }
    }
    close(fd);
    if (e) {
        free(b);
        return e;
    }
    if (!b && !(b = malloc(1))) /* an empty file */
        return -ENOMEM;
    b[n] = '\0';
    *data = b;
    *len = n;
    return 0;
}
