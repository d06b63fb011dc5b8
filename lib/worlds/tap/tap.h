/*
 * tap.h — the tap made for a process started under `sockrr record` or
 * `sockrr sim -o` (internal: srr__ names, not exported).  Many processes
 * append to one trace and sockets cross fork and exec; what libc calls
 * without a seam slot do (dup2, close_range, fork) reaches the tap through
 * the control slot (sockrr_world.h).
 */
#ifndef SOCKRR_TAP_H
#define SOCKRR_TAP_H

#include <stdint.h>

#include "sockrr_world.h"

/* A tap over inner that appends to a trace shared with other processes
 * (srr__trace_shared_create made it).  key_of names a socket the same way
 * in every process (the interposer: its inode), so a socket inherited
 * across exec keeps its id; it returns 0 for a handle that is no socket.
 * NULL with -errno in *error; inner is then the caller's. */
srr_world *srr__tap_attach(srr_world *inner, const char *trace_path, const char *ctl_path,
                           uint64_t (*key_of)(int handle), int *error);

#endif
