/*
 * args.h — what the verbs share in reading their arguments (args.c).
 */
#ifndef SOCKRR_ARGS_H
#define SOCKRR_ARGS_H

#include <stddef.h>

/* A file a command line names: what it is for ("the trace (-o)"), its
 * path ("-": standard input, or output when out is set), NULL when not
 * given. */
typedef struct cli_file {
    const char *role;
    const char *path;
    int out;
} cli_file;

/* 0 when no output among files[0..n) is the same file (srr__same_file) as
 * another file given; else "sockrr VERB: PATH is both ROLE and ROLE" on
 * stderr and the usage status, before anything is written. */
int cli_files_distinct(const char *verb, const cli_file *files, size_t n);

#endif
