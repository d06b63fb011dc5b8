/*
 * in_file.h — a whole file read into memory: the one place sockrr does
 * (a sim config, a fuzz test case, a seed).
 */
#ifndef SOCKRR_IN_FILE_H
#define SOCKRR_IN_FILE_H

#include <stddef.h>

/* path's bytes, at most max, into *data (malloc'd, with a NUL after the
 * last byte, which *len does not count): 0, or -errno (-EFBIG past max). */
int srr__file_read(const char *path, size_t max, unsigned char **data, size_t *len);

#endif
