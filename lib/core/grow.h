/*
 * grow.h — room in a growing array: the one place sockrr doubles a buffer
 * (the replay world's tables and payloads, the trace writer's socket
 * registry past its shared slots, the test helpers' streams).
 */
#ifndef SOCKRR_GROW_H
#define SOCKRR_GROW_H

#include <stddef.h>

/* Makes *v (of *cap elements of size bytes) hold at least need elements,
 * doubling from 8; the new elements are zeroed.  0, or -1 with *v and
 * *cap as they were (out of memory, or a size that overflows). */
int srr__grow(void **v, size_t *cap, size_t need, size_t size);

/* One more element at the end of *v, which holds *n: a pointer to it,
 * zeroed, with *n counting it; NULL when memory is short. */
void *srr__push(void **v, size_t *cap, size_t *n, size_t size);

#endif
