/*
 * fuzz_trace.c — a JSONL trace as `sockrr check` and `sockrr convert` read
 * it: the reader (replay/read/reader.c) opens it and checks its header,
 * every event goes through the checker (check.c), and every event the
 * checker passes is turned into packets (lib/trace/pcap*.c), which trust
 * what the checker promised.  Each line is also read by the in-place
 * scanner (jscan.c) the replay world uses, and where the tree reader
 * (json.c) takes the line too, both must read the same members the same.
 *
 * Findings: a crash, a leak, undefined behaviour; an abort() below is a
 * promise broken (the two readers disagreeing, an error without a message).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jscan.h"
#include "trace.h"

/* The members the replay world's first pass reads, and args' (load.c). */
static const char *const ev_keys[] = {"type", "op", "pid", "ret", "sock", "t", "errno_num",
                                      "local", "peer", "args", "data", "from", "new_sock",
                                      "new_local", "new_peer", "value", "name", "seq"};
static const char *const arg_keys[] = {"domain", "type", "addr", "flags", "level",
                                       "name", "to", "timeout_ns", "fds"};
#define NEV (sizeof ev_keys / sizeof ev_keys[0])
#define NARG (sizeof arg_keys / sizeof arg_keys[0])

/* A message must say something: an error without text is no error report. */
static void need_text(const srr_parse_error *e)
{
    char line[1024];
    srr__parse_error_format(e, line, sizeof line);
    if (!e->text[0]) {
        fprintf(stderr, "fuzz_trace: an error without text: %s\n", line);
        abort();
    }
}

/* What jscan read of member k against the tree's member of the same name. */
static void same_member(const srr_json *tree, const char *key, const srr_jsval *v)
{
    const srr_json *t = srr__json_get(tree, key);
    if (!t || v->type == SRR_JS_NONE)
        return; /* an escaped key is a key only to the tree */
    int64_t x;
    int jint = srr__jscan_int(v, &x) == 0;
    if (srr__json_is(t, SRR_JSON_INT) != jint || (jint && x != srr__json_int(t))) {
        fprintf(stderr, "fuzz_trace: member %s: jscan and the tree read different integers\n",
                key);
        abort();
    }
    char buf[256];
    if (srr__jscan_str(v, buf, sizeof buf) == 0 &&
        (!srr__json_is(t, SRR_JSON_STRING) || strcmp(buf, srr__json_str(t)) != 0)) {
        fprintf(stderr, "fuzz_trace: member %s: jscan and the tree read different strings\n",
                key);
        abort();
    }
    if (srr__jscan_is(v, "event") != (srr__json_str(t) && strcmp(srr__json_str(t), "event") == 0 &&
                                      !v->escaped)) {
        if (!v->escaped) {
            fprintf(stderr, "fuzz_trace: member %s: jscan_is and the tree disagree\n", key);
            abort();
        }
    }
}

/* One line through jscan, and against the tree when the tree takes it. */
static void scan_line(const char *line, size_t len)
{
    srr_jsval v[NEV], a[NARG];
    size_t bad = 0;
    int rc = srr__jscan_object(line, len, ev_keys, v, NEV, &bad);
    if (rc < 0 && bad > len) {
        fprintf(stderr, "fuzz_trace: jscan's offset %zu is past the line's %zu bytes\n", bad,
                len);
        abort();
    }
    /* the tree reader skips a byte order mark; the trace reader refuses a
     * line with one before either reads it */
    if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
        return;
    srr_parse_error jerr;
    srr_json *tree = srr__json_parse(line, len, NULL, &jerr);
    int object = tree && srr__json_is(tree, SRR_JSON_OBJECT);
    if (object && rc < 0) {
        fprintf(stderr, "fuzz_trace: jscan refuses an object the tree reads (at %zu)\n", bad);
        abort();
    }
    if (rc == 0) {
        for (size_t i = 0; i < NEV; i++)
            if (object)
                same_member(tree, ev_keys[i], &v[i]);
        const srr_jsval *args = &v[9];
        if (args->type == SRR_JS_OBJECT) {
            int arc = srr__jscan_object(args->p, args->n, arg_keys, a, NARG, NULL);
            if (arc < 0) {
                fprintf(stderr, "fuzz_trace: jscan refuses the args it skipped as an object\n");
                abort();
            }
            for (size_t i = 0; object && i < NARG; i++)
                same_member(srr__json_get(tree, "args"), arg_keys[i], &a[i]);
        }
    }
    srr__json_free(tree);
}

static void scan_lines(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        scan_line(p, n);
        p += n + 1;
    }
}

/* The checker passes a payload by looking at it (srr__b64_valid); the
 * pcap view and the replay decode it: they must agree on it. */
static void same_payload(const srr_json *data)
{
    if (!data)
        return;
    unsigned char *bytes;
    size_t n;
    const char *s = srr__json_str(data);
    size_t len = srr__json_strlen(data);
    if (srr__b64_decode(s, len, &bytes, &n) != 0 || n != srr__b64_decoded_len(s, len)) {
        fprintf(stderr, "fuzz_trace: a payload the checker passed does not decode as it said\n");
        abort();
    }
    free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file in, out;
    fuzz_file_init(&in, "trace");
    fuzz_file_init(&out, "pcap");
    const char *path = fuzz_file_set(&in, data, size);

    scan_lines(data, size);

    srr_parse_error err;
    memset(&err, 0, sizeof err);
    srr_trace_reader *r = srr__trace_open(path, &err);
    if (!r) {
        need_text(&err);
        return 0;
    }
    memset(&err, 0, sizeof err);
    srr_pcap_synth *p = srr__pcap_open(out.path, srr__trace_header(r), &err);
    if (!p) {
        need_text(&err);
        abort(); /* a memfd can always be written */
    }
    srr_json *ev;
    int rc, pcap_ok = 1;
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        if (rc < 0) {
            need_text(&err);
            continue;
        }
        if (srr__trace_check_event(ev, &err) < 0) {
            fprintf(stderr, "fuzz_trace: an event the reader passed fails the checker\n");
            abort();
        }
        same_payload(srr__json_get(ev, "data"));
        /* convert stops at its first refusal; so does this */
        if (pcap_ok && srr__pcap_event(p, ev, &err) < 0) {
            need_text(&err);
            pcap_ok = 0;
        }
        srr__json_free(ev);
    }
    if (srr__trace_torn(r, &err))
        need_text(&err);
    srr__trace_close(r);
    if (srr__pcap_close(p, &err) < 0)
        need_text(&err);
    return 0;
}
