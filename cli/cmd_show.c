#define _GNU_SOURCE /* AI_IDN, POLLRDHUP, MSG_* and SO_* extensions */
/*
 * cmd_show.c — `sockrr show TRACE`: one line per event in the manner of
 * `strace -yy`: descriptors annotated with protocol and addresses, constants
 * by name, errno by name and message, payloads as short C-escaped previews
 * (-x: a full hex dump under the line).
 *
 * This file is the command: options, filters, the event loop.  show.h
 * names the rest: show_ops.c (one printer per op, in one table),
 * show_values.c (strings, payload previews, hex dumps, return values),
 * show_socks.c (what is known of each socket id, learnt from the events
 * as they stream past), show_names.c (constants by name).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "env_world.h"
#include "grow.h"
#include "out_file.h"
#include "show.h"
#include "trace.h"

struct show_filter {
    int by_pid, by_sock;
    int64_t pid, sock;
    char **ops; /* NULL: every op */
    size_t nops, ops_cap;
};

static int show_has_sock(const srr_json *ev, int64_t id)
{
    static const char *const members[] = {"sock", "new_sock"};
    for (size_t i = 0; i < COUNT(members); i++) {
        const srr_json *v = srr__json_get(ev, members[i]);
        if (v && srr__json_int(v) == id)
            return 1;
    }
    const srr_json *socks = srr__json_get(ev, "socks");
    for (size_t i = 0; i < srr__json_size(socks); i++)
        if (srr__json_int(srr__json_at(socks, i)) == id)
            return 1;
    const srr_json *fds = show_arg(ev, "fds");
    for (size_t i = 0; srr__json_is(fds, SRR_JSON_ARRAY) && i < srr__json_size(fds); i++) {
        const srr_json *s = srr__json_get(srr__json_at(fds, i), "sock");
        if (s && srr__json_int(s) == id)
            return 1;
    }
    return 0;
}

static int show_match(const struct show_filter *f, const srr_json *ev)
{
    if (!f)
        return 1;
    if (f->by_pid && show_int(ev, "pid") != f->pid)
        return 0;
    if (f->by_sock && !show_has_sock(ev, f->sock))
        return 0;
    if (!f->ops)
        return 1;
    const char *op = show_str(ev, "op");
    for (size_t i = 0; i < f->nops; i++)
        if (strcmp(f->ops[i], op) == 0)
            return 1;
    return 0;
}

static void show_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr show [-x] [--pid N] [--sock N] [--op NAME[,NAME...]] TRACE\n"
            "       sockrr show [--svg FILE] [--html FILE] [--pid N] [--sock N] [--op ...] TRACE\n"
            "\n"
            "Prints a trace (\"-\" reads stdin) one event per line, strace -yy style:\n"
            "  SEQ +SECONDS [PID] op(args) = result\n"
            "with the time relative to the start of the trace.\n"
            "\n"
            "  -x           a hex and ASCII dump of each payload under its line\n"
            "  --svg FILE   draw the trace as a sequence diagram instead: a lane per\n"
            "               socket, peer and process, an arrow per message with its\n"
            "               size and a preview, connects, closes, errors and waits\n"
            "               marked, a time axis (virtual under sim and replay);\n"
            "               repeats fold into one row; every row's tooltip is its line;\n"
            "               clock reads (now) only when --op names them\n"
            "  --html FILE  the same diagram in one self-contained page, with zoom\n"
            "  --pid N      only the events of process N\n"
            "  --sock N     only the events about socket id N\n"
            "  --op LIST    only these ops (comma-separated; the option may repeat)\n"
            "  -h, --help   this text\n"
            "\n"
            "Stops at the first invalid line ('sockrr check' lists every problem).\n"
            "exit status: 0 shown; 1 the trace is invalid or unreadable; 2 usage error.\n");
}

/* --pid or --sock N: sets *out and *on; -1 (with a message) when N is no
 * number. */
static int show_parse_id(const char *option, const char *s, int64_t *out, int *on)
{
    uint64_t v;
    if (srr__env_decimal(s, INT64_MAX, &v) < 0) {
        fprintf(stderr, "sockrr show: %s wants a number, got '%s'\n", option, s);
        return -1;
    }
    *out = (int64_t)v;
    *on = 1;
    return 0;
}

static void show_filter_free(struct show_filter *f)
{
    for (size_t i = 0; i < f->nops; i++)
        free(f->ops[i]);
    free(f->ops);
}

/* show_picture's filter: show_match on a struct show_filter */
static int show_match_any(const void *f, const srr_json *ev)
{
    return show_match(f, ev);
}

static int show_run(const char *path, const struct show_filter *f, int hexdump)
{
    srr_parse_error err;
    char msg[1024];
    srr_trace_reader *r = srr__trace_open(path, &err);
    if (!r) {
        fprintf(stderr, "sockrr show: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
        return SRR_EXIT_FAIL;
    }
    struct show_ctx c = {.out = stdout, .hexdump = hexdump};
    int64_t start = srr__json_int(srr__json_get(srr__trace_header(r), "start_monotonic_ns"));
    int status = SRR_EXIT_OK, rc;
    srr_json *ev;
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        if (rc < 0) {
            fflush(stdout); /* the events before the error come first */
            fprintf(stderr, "sockrr show: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
            status = SRR_EXIT_FAIL;
            break;
        }
        show_learn(&c.socks, ev);
        if (show_match(f, ev))
            show_event(&c, ev, start);
        srr__json_free(ev);
    }
    if (status == SRR_EXIT_OK && srr__trace_torn(r, &err)) {
        fflush(stdout);
        fprintf(stderr, "sockrr show: warning: %s\n",
                srr__parse_error_format(&err, msg, sizeof msg));
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "sockrr show: writing the output: %s\n", strerror(errno));
        status = SRR_EXIT_FAIL;
    }
    show_socks_free(&c.socks);
    srr__trace_close(r);
    return status;
}

int cli_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"pid", required_argument, NULL, 'p'},
        {"sock", required_argument, NULL, 's'},
        {"op", required_argument, NULL, 'o'},
        {"svg", required_argument, NULL, 'S'},
        {"html", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct show_filter f = {0};
    const char *svg = NULL, *html = NULL;
    int hexdump = 0, opt, status = SRR_EXIT_USAGE;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":xh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'x': hexdump = 1; break;
        case 'h':
            show_usage(stdout);
            status = SRR_EXIT_OK;
            goto out;
        case 'p':
            if (show_parse_id("--pid", optarg, &f.pid, &f.by_pid) < 0)
                goto out;
            break;
        case 's':
            if (show_parse_id("--sock", optarg, &f.sock, &f.by_sock) < 0)
                goto out;
            break;
        case 'o':
            if (show_ops_add("show", NULL, optarg, &f.ops, &f.nops, &f.ops_cap) < 0)
                goto out;
            break;
        case 'S': svg = optarg; break;
        case 'H': html = optarg; break;
        case ':':
            fprintf(stderr, "sockrr show: '%s' needs a value (see sockrr show --help)\n",
                    argv[optind - 1]);
            goto out;
        default:
            if (optopt && optopt != '?')
                fprintf(stderr, "sockrr show: bad option '-%c' (see sockrr show --help)\n", optopt);
            else
                fprintf(stderr, "sockrr show: bad option '%s' (see sockrr show --help)\n",
                        argv[optind - 1]);
            goto out;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "sockrr show: %s (see sockrr show --help)\n",
                optind >= argc ? "no trace given" : "one trace at a time");
        goto out;
    }
    if ((svg && html && !strcmp(svg, "-") && !strcmp(html, "-")) ||
        (svg && srr__same_file(svg, argv[optind])) || (html && srr__same_file(html, argv[optind])) ||
        (svg && html && srr__same_file(svg, html))) {
        fprintf(stderr, "sockrr show: the trace, --svg and --html must be three files\n");
        goto out;
    }
    if (svg || html)
        status = show_picture(argv[optind], show_match_any, &f, f.ops != NULL, svg, html);
    else
        status = show_run(argv[optind], &f, hexdump);
out:
    show_filter_free(&f);
    return status;
}
