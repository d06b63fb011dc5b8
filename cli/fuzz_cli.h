/*
 * fuzz_cli.h — what `sockrr fuzz`'s files share (cmd_fuzz.c, fuzz_cases.c,
 * fuzz_afl.c).
 */
#ifndef SOCKRR_FUZZ_CLI_H
#define SOCKRR_FUZZ_CLI_H

#include <stddef.h>
#include <stdio.h>

/* sockrr fuzz seeds ...: argv[0] is "seeds". */
int cli_fuzz_seeds(int argc, char **argv);
/* Prints the test case at path (named name): an exit status. */
int cli_fuzz_show_file(const char *path, const char *name);
/* Writes afl-fuzz's dictionary of the seeds' words to out: an exit status. */
int cli_fuzz_dict(const char *const *seeds, size_t nseeds, const char *out);

struct launch_opts;
/* Plays the test case at input under o's fuzz world, traced to trace (or
 * NULL), the output to /dev/null when quiet, ended after timeout_s seconds
 * of real time (0: none): CMD's exit status, or -1 when it was ended. */
int cli_fuzz_play(const struct launch_opts *o, const char *input, const char *trace, int quiet,
                  int timeout_s);
/* The traces of every crash and hang afl-fuzz left in outdir's instances,
 * under INSTANCE/traces/: an exit status. */
int cli_fuzz_traces(const struct launch_opts *o, const char *outdir);
/* The network of o (--net) checked, and a world of it as o->clock (the
 * caller destroys it): 0, or the exit status (said). */
int cli_fuzz_net(struct launch_opts *o);
/* sockrr fuzz's usage (cmd_fuzz.c). */
void cli_fuzz_usage(FILE *out);
/* sockrr fuzz -i ... -o ... -- CMD (fuzz_afl.c). */
int cli_fuzz_campaign(int argc, char **argv);

#endif
