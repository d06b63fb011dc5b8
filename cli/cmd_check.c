/*
 * cmd_check.c — `sockrr check FILE...`: validates traces and lists every
 * problem, one "FILE:LINE: FIELD: message" line each on stderr, so a
 * script (or an editor's error list) can walk them.  Valid files get one
 * summary line on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "cli.h"
#include "progress.h"
#include "grow.h"
#include "input.h"
#include "sim_config.h"
#include "trace.h"

static void check_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr check FILE...\n"
            "\n"
            "Validates each trace (docs/trace-format.md) and prints every problem to\n"
            "stderr as FILE:LINE: FIELD: message.  A torn last line (a writer killed\n"
            "mid-line) is a problem too.  A sim network config (docs/sim-config.md: a\n"
            "JSON object whose first line has no \"type\") is checked as one, its first\n"
            "problem as FILE:LINE:COLUMN: FIELD: message.  \"-\" reads standard input;\n"
            "it, a pipe or a FIFO is read once, into a temporary file in $TMPDIR.\n"
            "\n"
            "  -h, --help   this text\n"
            "\n"
            "exit status: 0 all valid; 1 a problem was found; 2 usage error.\n");
}

static void check_print(const srr_parse_error *e)
{
    char line[1024];
    fprintf(stderr, "%s\n", srr__parse_error_format(e, line, sizeof line));
}

/* A sim network config rather than a trace: its first non-blank character
 * is '{' and its first line has no "type" member, which every line of a
 * trace has (docs/sim-config.md). */
static int check_is_config(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[4096];
    int c;
    while ((c = fgetc(f)) != EOF && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
        ;
    int config = 0;
    if (c == '{') {
        ungetc(c, f);
        if (!fgets(line, sizeof line, f) || !strstr(line, "\"type\""))
            config = 1;
    }
    fclose(f);
    return config;
}

static int check_config(const cli_input *in)
{
    srr_parse_error e;
    char line[1024];
    sim_config *c = srr__sim_config_load_as(in->path, in->name, &e);
    if (!c) {
        fprintf(stderr, "%s\n", srr__parse_error_format(&e, line, sizeof line));
        return 1;
    }
    printf("%s: valid sim config: %zu host%s, %zu dns name%s, %zu service%s, %zu fault rule%s\n",
           in->name, c->nhosts, c->nhosts == 1 ? "" : "s", c->ndns, c->ndns == 1 ? "" : "s",
           c->nservices, c->nservices == 1 ? "" : "s", c->nfaults, c->nfaults == 1 ? "" : "s");
    srr__sim_config_free(c);
    return 0;
}

/* Stream continuity: each socket's bytes in each direction follow on
 * (off of one event = off + len of the one before).  The first event of a
 * direction may start anywhere: a trace can pick a connection up mid-way,
 * and after a lost event (a full ring dropped events) it does again. */
struct check_offsets {
    int64_t *next; /* [2 * sock + dir]: the offset the next event must have; -1 none yet */
    size_t n;
};

static int check_continuity(struct check_offsets *o, const srr_json *ev, srr_parse_error *err,
                            long line, const char *source)
{
    const char *op = srr__json_str(srr__json_get(ev, "op"));
    if (op && strcmp(op, "lost") == 0) {
        /* events went missing here: every direction starts afresh */
        for (size_t j = 0; j < o->n; j++)
            o->next[j] = -1;
        return 0;
    }
    const srr_json *off = srr__json_get(ev, "off"), *len = srr__json_get(ev, "len");
    int64_t sock = srr__json_int(srr__json_get(ev, "sock"));
    if (!op || !srr__json_is(off, SRR_JSON_INT) || !srr__json_is(len, SRR_JSON_INT) || sock <= 0 ||
        sock > 1000000)
        return 0;
    int dir = strcmp(op, "sendmsg") == 0 ? 0 : strcmp(op, "recvmsg") == 0 ? 1 : -1;
    if (dir < 0)
        return 0;
    size_t i = 2 * (size_t)sock + (size_t)dir;
    if (i >= o->n) {
        size_t was = o->n;
        if (srr__grow((void **)&o->next, &o->n, i + 1, sizeof *o->next) < 0)
            return 0;
        for (size_t j = was; j < o->n; j++)
            o->next[j] = -1;
    }
    int64_t want = o->next[i];
    int peek =
        dir == 1 &&
        (srr__json_int(srr__json_get(srr__json_get(ev, "args"), "flags")) & MSG_PEEK);
    if (!peek)
        o->next[i] = srr__json_int(off) + srr__json_int(len);
    if (want < 0 || srr__json_int(off) == want)
        return 0;
    srr__parse_at(err, source, line, 0, -1);
    srr__parse_fail(
        err, SRR_PARSE_EVALUE, "off",
        "%lld, but socket %lld's %s bytes so far end at %lld (bytes missing or repeated)",
        (long long)srr__json_int(off), (long long)sock, dir ? "received" : "sent",
        (long long)want);
    return -1;
}

/* Validates one trace; 0 valid, 1 not. */
static int check_trace(const cli_input *in)
{
    struct check_offsets offsets = {0};
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open_as(in->path, in->name, &err);
    if (!r) {
        check_print(&err);
        return 1;
    }
    long events = 0, problems = 0;
    srr_json *ev;
    int rc;
    cli_progress prog;
    cli_progress_start(&prog, "check", in->name, in->path);
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        cli_progress_update(&prog, srr__trace_offset(r));
        if (rc < 0) {
            cli_progress_end(&prog);
            check_print(&err);
            problems++;
            continue;
        }
        events++;
        if (check_continuity(&offsets, ev, &err, srr__trace_line(r), in->name) < 0) {
            cli_progress_end(&prog);
            check_print(&err);
            problems++;
        }
        srr__json_free(ev);
    }
    cli_progress_end(&prog);
    if (srr__trace_torn(r, &err)) {
        check_print(&err);
        problems++;
    }
    if (problems == 0)
        printf("%s: valid: version %d, %ld event%s\n", in->name, srr__trace_version(r), events,
               events == 1 ? "" : "s");
    srr__trace_close(r);
    free(offsets.next);
    return problems ? 1 : 0;
}

/* Validates one file, read once (a pipe's bytes do not come twice): a
 * config or a trace; 0 valid, 1 not. */
static int check_file(const char *arg)
{
    cli_input in;
    if (cli_input_open("check", arg, &in) != 0)
        return 1;
    int rc = check_is_config(in.path) ? check_config(&in) : check_trace(&in);
    cli_input_done(&in);
    return rc;
}

int cli_check(int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        check_usage(stdout);
        return SRR_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "--") == 0)
        first = 2;
    else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
        fprintf(stderr, "sockrr check: unknown option '%s' (see sockrr check --help)\n", argv[1]);
        return SRR_EXIT_USAGE;
    }
    if (first >= argc) {
        fprintf(stderr, "sockrr check: no trace given (see sockrr check --help)\n");
        return SRR_EXIT_USAGE;
    }
    int status = SRR_EXIT_OK;
    for (int i = first; i < argc; i++)
        if (check_file(argv[i]) != 0)
            status = SRR_EXIT_FAIL;
    fflush(stdout);
    return status;
}
