/*
 * fuzz_cases.c — the fuzz world's test cases on the command line: made
 * from recordings (`sockrr fuzz seeds`), printed (`sockrr fuzz show`),
 * and the dictionary of their tokens afl-fuzz is given (-x).
 *
 * A recording becomes one test case per process that received anything:
 * what it received, one message a receive, in order.  The slots are the
 * connections in the order the peer opens them when the case plays: those
 * the process made in the order it made them, those it accepted in the
 * order they first brought bytes (the peer dials a listener when a new
 * slot's first message comes); its datagram sockets in the order they
 * first received.  A receive that peeks moves nothing, and one whose
 * payload the trace cut (capped) is left out.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "capture.h"
#include "cli.h"
#include "fuzz_case.h"
#include "fuzz_cli.h"
#include "grow.h"
#include "input.h"
#include "launch.h"
#include "out_file.h"
#include "show.h"
#include "trace.h"

/* One process's case, as it is built. */
typedef struct seed_proc {
    int64_t pid;
    int64_t socks[SRR_FUZZ_SLOTS];  /* stream slots: trace sock ids */
    size_t nsocks;
    int64_t dgrams[SRR_FUZZ_SLOTS]; /* datagram slots */
    size_t ndgrams;
    unsigned char *buf;
    size_t len, cap;
    size_t messages, dropped;
    unsigned char ended[SRR_FUZZ_SLOTS]; /* the slot's FIN or RST is in */
} seed_proc;

/* A socket's kind, from its socket event: events after it may not say
 * (a trace made from a capture names it there alone). */
typedef struct seed_sock {
    int64_t sock;
    int stream;
} seed_sock;

typedef struct seed_set {
    seed_proc *procs;
    size_t n, cap;
    seed_sock *socks;
    size_t nsocks, capsocks;
} seed_set;

static int seed_sock_kind(const seed_set *set, int64_t sock)
{
    for (size_t i = 0; i < set->nsocks; i++)
        if (set->socks[i].sock == sock)
            return set->socks[i].stream;
    return -1;
}

static int seed_sock_add(seed_set *set, int64_t sock, int stream)
{
    if (sock < 0 || seed_sock_kind(set, sock) >= 0)
        return 0;
    if (srr__grow((void **)&set->socks, &set->capsocks, set->nsocks + 1, sizeof *set->socks) < 0)
        return -ENOMEM;
    set->socks[set->nsocks++] = (seed_sock){sock, stream};
    return 0;
}

static seed_proc *seed_proc_of(seed_set *set, int64_t pid)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->procs[i].pid == pid)
            return &set->procs[i];
    seed_proc *p = srr__push((void **)&set->procs, &set->cap, &set->n, sizeof *set->procs);
    if (p)
        p->pid = pid;
    return p;
}

/* The slot of sock among ids[0..*n), added when add; -1 none (or full). */
static int seed_slot(int64_t *ids, size_t *n, int64_t sock, int add)
{
    for (size_t i = 0; i < *n; i++)
        if (ids[i] == sock)
            return (int)i;
    if (!add || *n >= SRR_FUZZ_SLOTS)
        return -1;
    ids[*n] = sock;
    return (int)(*n)++;
}

static int64_t ev_int(const srr_json *ev, const char *key, int64_t dflt)
{
    const srr_json *v = srr__json_get(ev, key);
    return v && srr__json_is(v, SRR_JSON_INT) ? srr__json_int(v) : dflt;
}

static const char *ev_str(const srr_json *ev, const char *key)
{
    const srr_json *v = srr__json_get(ev, key);
    return v && srr__json_is(v, SRR_JSON_STRING) ? srr__json_str(v) : NULL;
}

/* Sets the last message of slot to end with a FIN or RST; with no message
 * of the slot yet, an empty one does. */
static int seed_end(seed_proc *p, unsigned slot, srr_fuzz_kind kind)
{
    if (p->ended[slot])
        return 0; /* EOF read again */
    p->ended[slot] = 1;
    srr_fuzz_case c;
    if (srr__fuzz_decode(p->buf, p->len, &c) < 0)
        return -ENOMEM;
    int done = 0;
    if (c.n && c.msgs[c.n - 1].slot == slot && c.msgs[c.n - 1].kind == SRR_FUZZ_DATA) {
        /* the head of the last message: rewrite its kind in place */
        size_t at = (size_t)(c.msgs[c.n - 1].data - p->buf) - (c.msgs[c.n - 1].len > 255 ? 3 : 2);
        p->buf[at] = (unsigned char)((p->buf[at] & ~0x18u) | (unsigned)kind << 3);
        done = 1;
    }
    srr__fuzz_case_free(&c);
    if (done)
        return 0;
    p->messages++;
    return srr__fuzz_encode(&p->buf, &p->len, &p->cap, slot, kind, "", 0);
}

static int seed_event(seed_set *set, const srr_json *ev)
{
    const char *op = ev_str(ev, "op"), *stype = ev_str(ev, "stype");
    int64_t ret = ev_int(ev, "ret", -1), pid = ev_int(ev, "pid", 0);
    int64_t sock = ev_int(ev, "sock", -1);
    const char *err = ev_str(ev, "errno");
    if (!op)
        return 0;
    if (stype && seed_sock_add(set, sock, strcmp(stype, "SOCK_DGRAM") != 0) < 0)
        return -ENOMEM;
    if (strcmp(op, "socket") == 0 && ret >= 0) {
        const srr_json *args = srr__json_get(ev, "args");
        int type = (int)ev_int(args, "type", SOCK_STREAM) & 0xf;
        if (seed_sock_add(set, sock, type != SOCK_DGRAM) < 0)
            return -ENOMEM;
    }
    if (strcmp(op, "accept4") == 0 && ret >= 0 &&
        seed_sock_add(set, ev_int(ev, "new_sock", -1), 1) < 0)
        return -ENOMEM;
    int stream = seed_sock_kind(set, sock) != 0; /* unknown: a stream's */
    seed_proc *p = seed_proc_of(set, pid);
    if (!p)
        return -ENOMEM;
    if (strcmp(op, "connect") == 0 && stream &&
               (ret == 0 || (err && strcmp(err, "EINPROGRESS") == 0))) {
        if (seed_slot(p->socks, &p->nsocks, ev_int(ev, "sock", -1), 1) < 0)
            p->dropped++;
    } else if (strcmp(op, "recvmsg") == 0) {
        const srr_json *args = srr__json_get(ev, "args");
        if ((ev_int(args, "flags", 0) & MSG_PEEK) || srr__json_is_true(srr__json_get(ev, "capped")))
            return 0;
        /* an accepted connection's slot comes with its first bytes */
        int slot = stream ? seed_slot(p->socks, &p->nsocks, sock, ret != 0)
                          : seed_slot(p->dgrams, &p->ndgrams, sock, 1);
        if (slot < 0) {
            p->dropped += ret > 0;
            return 0;
        }
        if (stream && ret == 0)
            return seed_end(p, (unsigned)slot, SRR_FUZZ_DATA_FIN);
        if (stream && err && strcmp(err, "ECONNRESET") == 0)
            return seed_end(p, (unsigned)slot, SRR_FUZZ_DATA_RST);
        const char *data = ev_str(ev, "data");
        if (ret < 0 || !data)
            return 0;
        unsigned char *bytes = NULL;
        size_t n = 0;
        if (srr__b64_decode(data, strlen(data), &bytes, &n) < 0)
            return 0; /* the trace's checker said so already */
        int r = srr__fuzz_encode(&p->buf, &p->len, &p->cap, (unsigned)slot,
                                 stream ? SRR_FUZZ_DATA : SRR_FUZZ_DATAGRAM, bytes, n);
        free(bytes);
        p->messages++;
        return r;
    }
    return 0;
}

/* Reads one trace into set: 0, or the exit status (said). */
static int seed_read(const char *path, const char *name, seed_set *set)
{
    srr_parse_error e;
    srr_trace_reader *r = srr__trace_open_as(path, name, &e);
    if (!r) {
        char line[600];
        fprintf(stderr, "sockrr fuzz: %s\n", srr__parse_error_format(&e, line, sizeof line));
        return SRR_EXIT_FAIL;
    }
    srr_json *ev;
    int got, rc = 0;
    while (rc == 0 && (got = srr__trace_next(r, &ev, &e)) == 1) {
        if (seed_event(set, ev) < 0) {
            fprintf(stderr, "sockrr fuzz: %s\n", strerror(ENOMEM));
            rc = SRR_EXIT_FAIL;
        }
        srr__json_free(ev);
    }
    if (rc == 0 && got < 0) {
        char line[600];
        fprintf(stderr, "sockrr fuzz: %s\n", srr__parse_error_format(&e, line, sizeof line));
        rc = SRR_EXIT_FAIL;
    }
    srr__trace_close(r);
    return rc;
}

/* The base name of path without its extension, for seed names. */
static void seed_stem(const char *path, char *out, size_t len)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, len, "%s", b);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

/* One input (a trace or a capture) into DIR: 0 or the exit status. */
static int seed_one(const char *arg, const char *dir, size_t *written)
{
    cli_input in;
    int rc = cli_input_open("fuzz", arg, &in);
    if (rc)
        return rc;
    char conv[PATH_MAX] = "";
    const char *trace = in.path;
    if (srr__capture_sniff(in.path) == 1) {
        int fd = cli_temp("fuzz", "capture", conv, sizeof conv);
        srr_parse_error e;
        memset(&e, 0, sizeof e);
        if (fd < 0 || (close(fd), srr__capture_to_trace_as(in.path, in.name, conv, &e) < 0)) {
            if (fd >= 0)
                cli_capture_error("fuzz", in.name, &e);
            if (conv[0])
                unlink(conv);
            cli_input_done(&in);
            return SRR_EXIT_FAIL;
        }
        trace = conv;
    }
    seed_set set = {0};
    rc = seed_read(trace, in.name, &set);
    char stem[256];
    seed_stem(in.name, stem, sizeof stem);
    for (size_t i = 0; rc == 0 && i < set.n; i++) {
        seed_proc *p = &set.procs[i];
        if (p->dropped)
            fprintf(stderr, "sockrr fuzz: %s: process %lld: %zu receives on connections past "
                            "the %d a test case has are left out\n",
                    in.name, (long long)p->pid, p->dropped, SRR_FUZZ_SLOTS);
        if (!p->messages)
            continue;
        char out[PATH_MAX];
        snprintf(out, sizeof out, "%s/%s-p%lld", dir, stem, (long long)p->pid);
        rc = cli_write_file("fuzz", out, p->buf, p->len);
        if (rc == 0) {
            printf("%s: %zu messages from process %lld of %s\n", out, p->messages,
                   (long long)p->pid, in.name);
            (*written)++;
        }
    }
    for (size_t i = 0; i < set.n; i++)
        free(set.procs[i].buf);
    free(set.procs);
    free(set.socks);
    if (conv[0])
        unlink(conv);
    cli_input_done(&in);
    return rc;
}

int cli_fuzz_seeds(int argc, char **argv)
{
    const char *dir = NULL;
    char **inputs = calloc((size_t)argc, sizeof *inputs);
    size_t ninputs = 0;
    if (!inputs)
        return SRR_EXIT_FAIL;
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        if (cli_is_output(argv[i])) {
            if (!(dir = cli_output_value("fuzz", argc, argv, &i)))
                rc = SRR_EXIT_USAGE;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: sockrr fuzz seeds TRACE|CAPTURE... -o DIR\n"
                   "\n"
                   "Makes test cases from recordings (sockrr record traces, or tcpdump\n"
                   "captures): one per process that received anything, its receives as the\n"
                   "peer's messages, in order.  DIR is created if needed.\n");
            free(inputs);
            return SRR_EXIT_OK;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = cli_usage_error("fuzz", "unknown option ", argv[i]);
        } else {
            inputs[ninputs++] = argv[i];
        }
    }
    if (!rc && !dir)
        rc = cli_usage_error("fuzz", "seeds needs -o DIR", "");
    if (!rc && !ninputs)
        rc = cli_usage_error("fuzz", "seeds needs a trace or capture", "");
    if (!rc && mkdir(dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "sockrr fuzz: %s: %s\n", dir, strerror(errno));
        rc = SRR_EXIT_FAIL;
    }
    size_t written = 0;
    for (size_t i = 0; !rc && i < ninputs; i++)
        rc = seed_one(inputs[i], dir, &written);
    free(inputs);
    if (!rc && !written) {
        fprintf(stderr, "sockrr fuzz: no process of the recordings received anything: no seed "
                        "was written\n");
        rc = SRR_EXIT_FAIL;
    }
    return rc;
}

/* ------------------------------------------------------------------ show */

int cli_fuzz_show_file(const char *path, const char *name)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = cli_read_file("fuzz", path, name, &data, &len);
    if (rc)
        return rc;
    srr_fuzz_case c;
    if (srr__fuzz_decode(data, len, &c) < 0) {
        free(data);
        fprintf(stderr, "sockrr fuzz: %s\n", strerror(ENOMEM));
        return SRR_EXIT_FAIL;
    }
    printf("# %s: %zu bytes, %zu messages\n", name, len, c.n);
    for (size_t i = 0; i < c.n; i++) {
        const srr_fuzz_msg *m = &c.msgs[i];
        printf("%4zu slot %u %-8s %5zu ", i + 1, m->slot, srr__fuzz_kind_name(m->kind), m->len);
        show_bytes(stdout, m->data, m->len);
        putchar('\n');
    }
    srr__fuzz_case_free(&c);
    free(data);
    return SRR_EXIT_OK;
}

/* ------------------------------------------------------------ dictionary */

/* The words of the seeds (runs of 3 to 32 letters, digits and '_-/.'), and
 * the format's heads of a new message for each slot: what AFL++'s -x mode
 * splices in whole.  0, or the exit status. */
int cli_fuzz_dict(const char *const *seeds, size_t nseeds, const char *out)
{
    FILE *f = fopen(out, "we");
    if (!f) {
        fprintf(stderr, "sockrr fuzz: %s: %s\n", out, strerror(errno));
        return SRR_EXIT_FAIL;
    }
    for (unsigned s = 0; s < 4; s++)
        fprintf(f, "head_%u=\"\\x%02x\"\n", s, s);
    char **seen = NULL;
    size_t nseen = 0, capseen = 0;
    for (size_t i = 0; i < nseeds; i++) {
        unsigned char *data = NULL;
        size_t len = 0;
        if (cli_read_file("fuzz", seeds[i], seeds[i], &data, &len))
            continue;
        srr_fuzz_case c;
        if (srr__fuzz_decode(data, len, &c) == 0) {
            for (size_t m = 0; m < c.n; m++) {
                const unsigned char *p = c.msgs[m].data;
                size_t n = c.msgs[m].len, j = 0;
                while (j < n) {
                    size_t k = j;
                    while (k < n && (isalnum(p[k]) || (p[k] && strchr("_-/.", p[k]))))
                        k++;
                    if (k - j >= 3 && k - j <= 32 && nseen < 256) {
                        char word[33];
                        memcpy(word, p + j, k - j);
                        word[k - j] = '\0';
                        int dup = 0;
                        for (size_t w = 0; w < nseen && !dup; w++)
                            dup = strcmp(seen[w], word) == 0;
                        if (!dup &&
                            srr__grow((void **)&seen, &capseen, nseen + 1, sizeof *seen) == 0 &&
                            (seen[nseen] = strdup(word))) {
                            fprintf(f, "w%zu=\"%s\"\n", nseen, word);
                            nseen++;
                        }
                    }
                    j = k + 1;
                }
            }
            srr__fuzz_case_free(&c);
        }
        free(data);
    }
    for (size_t w = 0; w < nseen; w++)
        free(seen[w]);
    free(seen);
    if (fclose(f) != 0) {
        fprintf(stderr, "sockrr fuzz: %s: %s\n", out, strerror(errno));
        return SRR_EXIT_FAIL;
    }
    return SRR_EXIT_OK;
}
