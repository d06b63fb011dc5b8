/*
 * input.h — the files a verb reads, as the user named them (input.c): a
 * pipe, a FIFO or standard input is read once, so a verb may look at its
 * first bytes and then read it all, or hand it to the program's processes.
 */
#ifndef SOCKRR_INPUT_H
#define SOCKRR_INPUT_H

#include <limits.h>
#include <stddef.h>

typedef struct cli_input {
    const char *name;    /* as the user named it; "<stdin>" for "-" */
    char path[PATH_MAX]; /* where to read it, as often as needed */
    int temp;            /* path is sockrr's copy, removed by cli_input_done */
} cli_input;

/* arg ("-": standard input) made readable again and again: a regular file
 * (or one that does not exist: its reader says so) is read where it is;
 * anything else (a pipe, a FIFO, a terminal) is read once, to its end,
 * into a file of sockrr's own in $TMPDIR.  0, or the exit status with one
 * line said ("sockrr VERB: NAME: ..."). */
int cli_input_open(const char *verb, const char *arg, cli_input *in);
/* Removes the copy, if one was made. */
void cli_input_done(cli_input *in);

/* A new empty file of sockrr's own, $TMPDIR/sockrr-WHAT-XXXXXX (mode
 * 0600), its name in path: the open descriptor, or -1 with one line said
 * and path "". */
int cli_temp(const char *verb, const char *what, char *path, size_t len);

/* A whole file (at most 1 GiB) into *data (malloc'd) and *len: 0, or the
 * exit status with "sockrr VERB: NAME: why" said (NAME NULL: path). */
int cli_read_file(const char *verb, const char *path, const char *name, unsigned char **data,
                  size_t *len);
/* p[0..n) as the whole of path (srr__out_open: mode 0600): 0, or the
 * exit status with the line said. */
int cli_write_file(const char *verb, const char *path, const void *p, size_t n);

#endif
