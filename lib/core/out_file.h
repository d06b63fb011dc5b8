/*
 * out_file.h — the files sockrr writes: traces, pcaps, converted captures
 * and the replay's index hold a program's payloads, so each ends up mode
 * 0600 whether it was created or was there before; and an output is never
 * a file the same command reads, or another of its outputs.
 */
#ifndef SOCKRR_OUT_FILE_H
#define SOCKRR_OUT_FILE_H

/* Opens path write-only and close-on-exec, created mode 0600; a regular
 * file that existed is made 0600 first and then emptied, so one that
 * cannot be made private is refused untouched.  Anything else (a FIFO,
 * /dev/null, a terminal) is opened as it is.  The descriptor, or -errno. */
int srr__out_open(const char *path);

/* 1 when a and b name one file: the same inode when both exist, else the
 * same absolute path (its directory resolved), so an output not created
 * yet is caught too; 0 otherwise. */
int srr__same_file(const char *a, const char *b);

#endif
