/*
 * busy.h — whether this thread is inside sockrr holding one of its locks
 * (the sim's, the trace writer's, the tap's table).  Code sockrr calls
 * under those locks may come back through the interposer: ASan's malloc
 * reads the clock while it allocates, and the clock under `sockrr sim` is
 * the world's.  The interposer's clock then answers from libc instead of
 * taking the lock again.  Per thread: it says what this thread is doing.
 */
#ifndef SOCKRR_BUSY_H
#define SOCKRR_BUSY_H

extern __thread int srr__busy;

#endif
