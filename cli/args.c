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

int cli_option_first(char **argv, int *i, int word_ends)
{
    const char *a = argv[*i];
    if (strcmp(a, "--") == 0) {
        ++*i;
        return CLI_OPT_END;
    }
    if (word_ends && a[0] != '-')
        return CLI_OPT_END;
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 ? CLI_OPT_HELP : CLI_OPT_MORE;
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
