/*
 * out_file.h — the files sockrr writes: traces, pcaps, converted captures
 * and the replay's index hold a program's payloads, so each ends up mode
 * 0600 whether it was created or was there before.
 */
#ifndef SOCKRR_OUT_FILE_H
#define SOCKRR_OUT_FILE_H

/* Opens path write-only and close-on-exec, created mode 0600; a regular
 * file that existed is made 0600 first and then emptied, so one that
 * cannot be made private is refused untouched.  Anything else (a FIFO,
 * /dev/null, a terminal) is opened as it is.  The descriptor, or -errno. */
int srr__out_open(const char *path);

#endif
