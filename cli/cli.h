/*
 * cli.h — the verbs of the sockrr command, one file each (cmd_<verb>.c).
 * Each gets argv with argv[0] = the verb and returns the process's exit
 * status: 0 success, 1 the input is bad or the work failed, 2 usage error.
 * Errors go to stderr as one line starting "sockrr VERB: ".
 */
#ifndef SOCKRR_CLI_H
#define SOCKRR_CLI_H

#include "exit_status.h"

int cli_show(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_convert(int argc, char **argv);
int cli_record(int argc, char **argv);
int cli_sim(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_fuzz(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_stats(int argc, char **argv);

/* Trace in to pcap out, errors reported as convert reports them, naming
 * the trace name (NULL: in); an exit status.  more (may be NULL) follows a
 * trace still being written (srr__trace_follow). */
int cli_convert_file(const char *in, const char *name, const char *out, int (*more)(void *arg),
                     void *arg);

struct srr_parse_error;
/* A capture's conversion error as one line: "sockrr VERB: FILE: packet N:
 * field: text" (a capture's place is a packet, not a line). */
void cli_capture_error(const char *verb, const char *capture, const struct srr_parse_error *err);

/* leftovers.c: the processes a sim or replay run leaves end with it.  adopt
 * makes sockrr the reaper of CMD's orphans (before CMD starts): 0 or
 * -errno; end ends what is still running once CMD has, and says which. */
int cli_leftovers_adopt(void);
void cli_leftovers_end(const char *verb);

#endif
