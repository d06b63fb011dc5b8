/*
 * fuzz.h — what the libFuzzer targets share: a file holding the input
 * (the readers under test open paths, not buffers), and a reader that
 * decodes an input into numbers for the targets that build calls from it.
 *
 * The files are memfds named by /proc/self/fd/N: nothing touches the disk,
 * and two targets running at once (or two engineers) never share one.
 * The targets are built with -D_GNU_SOURCE (memfd_create).
 */
#ifndef SOCKRR_FUZZ_H
#define SOCKRR_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A file the target writes and the code under test opens by name. */
typedef struct fuzz_file {
    int fd;
    char path[64];
} fuzz_file;

/* Made once per process: a target that cannot have its file is no fuzzer,
 * and saying so beats fuzzing nothing. */
static inline void fuzz_file_init(fuzz_file *f, const char *name)
{
    if (f->path[0])
        return;
    f->fd = memfd_create(name, MFD_CLOEXEC);
    if (f->fd < 0) {
        perror("fuzz: memfd_create");
        abort();
    }
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* The file now holds exactly data[0, len). */
static inline const char *fuzz_file_set(fuzz_file *f, const uint8_t *data, size_t len)
{
    if (ftruncate(f->fd, 0) < 0 || (len && pwrite(f->fd, data, len, 0) != (ssize_t)len)) {
        perror("fuzz: writing the input file");
        abort();
    }
    return f->path;
}

/* The file's bytes, in a buffer the caller frees (NULL when empty). */
static inline uint8_t *fuzz_file_get(const fuzz_file *f, size_t *len)
{
    off_t n = lseek(f->fd, 0, SEEK_END);
    *len = 0;
    if (n <= 0)
        return NULL;
    uint8_t *buf = malloc((size_t)n);
    if (!buf || pread(f->fd, buf, (size_t)n, 0) != n) {
        perror("fuzz: reading an output file");
        abort();
    }
    *len = (size_t)n;
    return buf;
}

/* The input, read front to back; past its end every read gives 0, so
 * every input decodes to some call. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t n;
} fuzz_in;

static inline uint8_t fuzz_u8(fuzz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint64_t fuzz_bytes_le(fuzz_in *in, unsigned k)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < k; i++)
        v |= (uint64_t)fuzz_u8(in) << (8 * i);
    return v;
}

/* A number: one byte picks an edge from table (lengths at their limits,
 * -1, INT_MAX, the end of user space: the values the checks compare
 * against, which a fuzzer is slow to hit byte by byte), or, past the
 * table, the next `raw` bytes as they are. */
static inline uint64_t fuzz_pick(fuzz_in *in, const uint64_t *table, size_t ntable, unsigned raw)
{
    uint8_t sel = fuzz_u8(in);
    if (sel < ntable)
        return table[sel];
    return fuzz_bytes_le(in, raw);
}

/* n bytes of the input copied into a heap block of exactly n bytes (0
 * past the input's end), so that a read past what the caller gave is an
 * ASan report, not a silent read of a neighbouring field. */
static inline void *fuzz_block(fuzz_in *in, size_t n)
{
    uint8_t *b = malloc(n); /* ASan reports any access to malloc(0)'s block */
    if (!b && !(b = malloc(1)))
        abort();
    for (size_t i = 0; i < n; i++)
        b[i] = fuzz_u8(in);
    return b;
}

#endif
