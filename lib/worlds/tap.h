/*
 * tap.h — what the interposer needs from the tap world beyond the seam
 * (internal: srr__ names, not exported).  Under the interposer many
 * processes append to one trace, sockets cross fork and exec, and libc calls
 * that have no seam slot (dup2, close_range) still change which descriptor
 * names which socket.
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
/* Records a dup (newfd -1), dup2 (flags -1) or dup3 that returned r, done
 * outside the seam; the new descriptor shares old's socket.  Returns r. */
int srr__tap_dup(srr_world *tap, int old, int newfd, int flags, int r);
/* Handle h was closed outside the seam (fclose, close_range, dup2 over
 * it): a close event with args.via, when the tap knew it. */
void srr__tap_forget(srr_world *tap, int h, const char *via);
/* An `unsupported` event for a call the interposer saw but cannot route
 * (io_uring_setup, a raw syscall()). */
void srr__tap_note(srr_world *tap, const char *what, const char *call, int64_t ret, int err);

enum { SRR_TAP_FORK_PREPARE, SRR_TAP_FORK_PARENT, SRR_TAP_FORK_CHILD };
/* pthread_atfork's three moments: the table's lock is held across fork. */
void srr__tap_atfork(srr_world *tap, int phase);
int srr__tap_is(const srr_world *w);
/* The descriptor the trace is written through (the program must not close
 * it), and moving it elsewhere (dup2 onto it): the new one or -errno. */
int srr__tap_trace_fd(const srr_world *tap);
int srr__tap_move_trace_fd(srr_world *tap);

#endif
