/*
 * args.c — what the verbs share in reading their arguments (args.h).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "env_world.h"
#include "launch.h"
#include "out_file.h"

/* "-" as the file behind it, so a redirection to the input is caught too. */
static const char *args_real(const cli_file *f)
{
    if (strcmp(f->path, "-") != 0)
        return f->path;
    return f->out ? "/dev/stdout" : "/dev/stdin";
}

int cli_files_distinct(const char *verb, const cli_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!files[i].out || !files[i].path)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j == i || !files[j].path || (files[j].out && j > i))
                continue; /* two outputs: said once */
            if (srr__same_file(args_real(&files[i]), args_real(&files[j]))) {
                fprintf(stderr, "sockrr %s: %s is both %s and %s: nothing written\n", verb,
                        files[i].path, files[j].role, files[i].role);
                return SRR_EXIT_USAGE;
            }
        }
    }
    return 0;
}

/* What the option loop asks first of argv[*i]: "--" ends the options
 * (*i moves past it); so does a word that is no option when word_ends;
 * -h and --help ask for the usage. */
enum { ARGS_MORE, ARGS_END, ARGS_HELP };
static int args_first(char **argv, int *i, int word_ends)
{
    const char *a = argv[*i];
    if (strcmp(a, "--") == 0) {
        ++*i;
        return ARGS_END;
    }
    if (word_ends && a[0] != '-')
        return ARGS_END;
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 ? ARGS_HELP : ARGS_MORE;
}

int cli_is_output(const char *arg)
{
    return cli_option_is(arg, "-o") || cli_option_is(arg, "--output");
}

const char *cli_output_value(const char *verb, int argc, char **argv, int *i)
{
    return cli_option_value(verb, argc, argv, i, argv[*i][1] == 'o' ? "-o" : "--output",
                            "a file name");
}

int cli_option_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    return arg[n] == '\0' || name[1] != '-' || arg[n] == '=';
}

const char *cli_option_value(const char *verb, int argc, char **argv, int *i, const char *name,
                             const char *noun)
{
    const char *a = argv[*i], *v;
    size_t n = strlen(name);
    if (a[n] != '\0')
        v = a + n + (a[n] == '=' && name[1] == '-');
    else
        v = *i + 1 < argc ? argv[++*i] : NULL;
    if (v && *v && strcmp(v, "--") != 0)
        return v;
    char what[128];
    snprintf(what, sizeof what, "%s needs %s%s", name, noun, v && *v ? ", not " : "");
    cli_usage_error(verb, what, v && *v ? v : "");
    return NULL;
}

int cli_number(const char *verb, const char *name, const char *v, uint64_t min, uint64_t max,
               uint64_t *out)
{
    if (srr__env_decimal(v, max, out) == 0 && *out >= min)
        return 0;
    char what[160], arg[200];
    snprintf(what, sizeof what, "%s needs a number from %" PRIu64 " to %" PRIu64 ", not ", name,
             min, max);
    snprintf(arg, sizeof arg, "'%.180s'", v ? v : "");
    return cli_usage_error(verb, what, arg);
}

/* The numeric variables of env_world.h a user may set, and their bounds:
 * those of the options they stand for. */
static const struct args_var {
    int var;
    uint64_t min, max;
} args_vars[] = {
    {SRR_ENV_SEED, 0, UINT64_MAX},
    {SRR_ENV_RECHUNK, 1, INT_MAX},
    {SRR_ENV_REPLAY_PID, 1, INT_MAX},
};

int cli_var_number(const char *verb, int var, const char *name, const char *v, uint64_t *out)
{
    for (size_t i = 0; i < sizeof args_vars / sizeof args_vars[0]; i++)
        if (args_vars[i].var == var)
            return cli_number(verb, name, v, args_vars[i].min, args_vars[i].max, out);
    return cli_number(verb, name, v, 0, UINT64_MAX, out);
}

int cli_env_number(const char *verb, int var, uint64_t *out, const char **text)
{
    *text = getenv(srr__env_names[var]);
    return *text ? cli_var_number(verb, var, srr__env_names[var], *text, out) : 0;
}

int cli_env_check(const char *verb)
{
    for (size_t i = 0; i < sizeof args_vars / sizeof args_vars[0]; i++) {
        uint64_t n;
        const char *text;
        int rc = cli_env_number(verb, args_vars[i].var, &n, &text);
        if (rc)
            return rc;
    }
    return 0;
}

int cli_option_number(const char *verb, int argc, char **argv, int *i, const char *name,
                      const char *noun, uint64_t min, uint64_t max, uint64_t *out)
{
    const char *v = cli_option_value(verb, argc, argv, i, name, noun);
    return v ? cli_number(verb, name, v, min, max, out) : SRR_EXIT_USAGE;
}

/* A shared option of spec at argv[*i] into o: 1 taken, 0 not one, or
 * minus the usage status (said). */
static int args_common(const cli_args *spec, int argc, char **argv, int *i, launch_opts *o)
{
    const char *a = argv[*i];
    const char **file = NULL, *name = NULL;
    if ((spec->common & CLI_ARG_OUT) && cli_is_output(a)) {
        o->trace = cli_output_value(spec->verb, argc, argv, i);
        return o->trace ? 1 : -SRR_EXIT_USAGE;
    }
    if ((spec->common & CLI_ARG_PCAP) && cli_option_is(a, "--pcap"))
        file = &o->pcap, name = "--pcap";
    else if ((spec->common & CLI_ARG_NET) && cli_option_is(a, "--net"))
        file = &o->net, name = "--net";
    if (file) {
        *file = cli_option_value(spec->verb, argc, argv, i, name, "a file name");
        return *file ? 1 : -SRR_EXIT_USAGE;
    }
    if ((spec->common & CLI_ARG_CAP) && cli_option_is(a, "--payload-cap")) {
        uint64_t n;
        int rc = cli_option_number(spec->verb, argc, argv, i, "--payload-cap", "a byte count", 0,
                                   INT64_MAX, &n);
        o->payload_cap = (int64_t)n;
        return rc ? -rc : 1;
    }
    if ((spec->common & CLI_ARG_RING) && cli_option_is(a, "--ring-size")) {
        uint64_t n;
        int rc = cli_option_number(spec->verb, argc, argv, i, "--ring-size", "a byte count",
                                   (uint64_t)1 << 16, (uint64_t)1 << 30, &n);
        o->ring_size = (size_t)n;
        return rc ? -rc : 1;
    }
    if ((spec->common & CLI_ARG_RING) && cli_option_is(a, "--ring-full")) {
        const char *v = cli_option_value(spec->verb, argc, argv, i, "--ring-full", "wait or drop");
        if (!v)
            return -SRR_EXIT_USAGE;
        if (strcmp(v, "wait") != 0 && strcmp(v, "drop") != 0)
            return -cli_usage_error(spec->verb, "--ring-full takes wait or drop, not ", v);
        o->ring_drop = strcmp(v, "drop") == 0;
        return 1;
    }
    return 0;
}

int cli_launch_args(const cli_args *spec, int argc, char **argv, launch_opts *o)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int first = args_first(argv, &i, spec->word_ends);
        if (first == ARGS_END)
            break;
        if (first == ARGS_HELP) {
            spec->usage(stdout);
            return -SRR_EXIT_OK;
        }
        int rc = args_common(spec, argc, argv, &i, o);
        if (rc == 0 && spec->own)
            rc = spec->own(spec->ctx, argc, argv, &i);
        if (rc < 0)
            return rc;
        if (rc == CLI_OWN_NOT)
            return -cli_usage_error(spec->verb, "unknown option ", a);
    }
    if (i >= argc)
        return -cli_usage_error(spec->verb, "no command given: ", spec->synopsis);
    if (o->pcap && !o->trace)
        return -cli_usage_error(spec->verb, "--pcap needs a trace: give -o TRACE too", "");
    return i;
}
