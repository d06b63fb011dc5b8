/*
 * args.h — what the verbs share in reading their arguments (args.c).
 */
#ifndef SOCKRR_ARGS_H
#define SOCKRR_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct launch_opts;

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

/* -o FILE or --output FILE: whether arg is it, and its value as
 * cli_option_value gives it. */
int cli_is_output(const char *arg);
const char *cli_output_value(const char *verb, int argc, char **argv, int *i);

/* 1 when arg is the option name: "--name" or "--name=VALUE" for a long
 * one, "-x" or "-xVALUE" for a short one. */
int cli_option_is(const char *arg, const char *name);
/* The value of the option name at argv[*i]: the part after "=" (or after
 * a short name), else the next argument (*i moves past it).  NULL, with
 * "sockrr VERB: NAME needs NOUN" said, when there is none or it is empty
 * or "--" (the end of the options, never a value). */
const char *cli_option_value(const char *verb, int argc, char **argv, int *i, const char *name,
                             const char *noun);
/* v as a decimal number from min to max into *out: 0, or the usage status
 * with "sockrr VERB: NAME needs a number from MIN to MAX, not 'V'" said.
 * name is the option's, or the environment variable's that stands for it. */
int cli_number(const char *verb, const char *name, const char *v, uint64_t min, uint64_t max,
               uint64_t *out);

/* cli_option_value, then cli_number of it: 0 with *out, or the usage
 * status (said). */
int cli_option_number(const char *verb, int argc, char **argv, int *i, const char *name,
                      const char *noun, uint64_t min, uint64_t max, uint64_t *out);

/* The numbers a user may also give through the environment, as the
 * launcher hands them to the preload (env_world.h): SRR_ENV_SEED (sim
 * --seed), SRR_ENV_RECHUNK (replay --rechunk), SRR_ENV_REPLAY_PID (replay
 * --pid).  cli_var_number reads the option name's value v for variable
 * var, within the variable's bounds, as cli_number does.  cli_env_number
 * reads the variable itself: 0 with *text NULL when it is not set, 0 with
 * *text and *out when it is good, else the usage status (said, naming the
 * variable and its value).  cli_env_check does so for every one of them:
 * a bad value is said by any verb that launches, never dropped. */
int cli_var_number(const char *verb, int var, const char *name, const char *v, uint64_t *out);
int cli_env_number(const char *verb, int var, uint64_t *out, const char **text);
int cli_env_check(const char *verb);

/* The options launching verbs share, as bits of cli_args.common, read
 * into the launch_opts: -o/--output TRACE, --pcap FILE (which needs a
 * trace), --net FILE, --payload-cap N, and the trace's event ring:
 * --ring-size BYTES and --ring-full wait|drop. */
enum { CLI_ARG_OUT = 1, CLI_ARG_PCAP = 2, CLI_ARG_NET = 4, CLI_ARG_CAP = 8, CLI_ARG_RING = 16 };

/* What a verb's own reader answers of argv[*i], which no shared option
 * took (it may move *i past a value): taken; not its own (an unknown
 * option, said by the caller); or minus an exit status it has said. */
enum { CLI_OWN_TAKEN = 1, CLI_OWN_NOT = 0 };

/* A launching verb's command line: [OPTIONS] [WORDS] -- CMD. */
typedef struct cli_args {
    const char *verb;
    const char *synopsis; /* said when CMD is missing */
    void (*usage)(FILE *out); /* -h and --help print it on stdout */
    unsigned common;      /* CLI_ARG_* */
    int word_ends;        /* a word that is no option starts CMD (no "--" needed) */
    int (*own)(void *ctx, int argc, char **argv, int *i); /* or NULL */
    void *ctx;
} cli_args;

/* Reads argv up to CMD into o and through spec->own: the index of CMD
 * (at least 1), or minus the exit status (0 after the usage was asked
 * for; a usage error said). */
int cli_launch_args(const cli_args *spec, int argc, char **argv, struct launch_opts *o);

#endif
