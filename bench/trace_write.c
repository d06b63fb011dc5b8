/*
 * trace_write.c — what writing a trace costs: a small event (a 1-byte send
 * through the tap's writer) against a bare write(2) of the same line, and
 * bulk payload throughput against bare write(2)s of the same chunks.
 *
 * The ring rows write a shared trace (as under sockrr record) through the
 * event ring, with a consumer thread writing it to the file, as sockrr
 * does: what an event costs the traced program there.
 *
 * usage: trace_write DIR [EVENTS [MIB]]
 * prints rows: name value unit baseline baseline_value (tab-separated)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockrr.h"
#include "trace.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One event as the tap writes a 1-byte send (the line spelled out in
 * run_small is the same shape). */
static void small_event(srr_trace_writer *w)
{
    srr_jline *l = srr__trace_begin(w, "sendmsg", 1, 0);
    srr__jl_int(l, "sock", 3);
    srr__jl_int(l, "fd", 5);
    srr__jl_str(l, "family", "AF_INET");
    srr__jl_str(l, "stype", "SOCK_STREAM");
    srr__jl_str(l, "local", "127.0.0.1:40000");
    srr__jl_str(l, "peer", "127.0.0.1:8080");
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "flags", 16384);
    srr__jl_int(l, "iov", 1);
    srr__jl_close(l, '}');
    srr__trace_payload(w, l, "x", 1);
    srr__jl_int(l, "off", 12345);
    srr__trace_end(w);
}

/* A writer of path: a private one (ring 0), or a shared one whose events
 * go through an event ring that a consumer thread writes out (*cons), as
 * under sockrr record. */
static srr_trace_writer *writer_open(srr_world *clock, const char *path, int ring,
                                     srr_trace_ring **cons)
{
    srr_trace_meta meta = {.program = "trace_write", .payload_cap = -1,
                           .ring_size = ring ? (size_t)16 << 20 : 0};
    int error;
    if (!ring)
        return srr__trace_writer_open(path, &meta, clock, &error);
    char ctl[4200];
    snprintf(ctl, sizeof ctl, "%s.ctl", path);
    if (srr__trace_shared_create(path, ctl, &meta, clock, getpid()) < 0)
        return NULL;
    srr_trace_writer *w = srr__trace_writer_attach(path, ctl, clock, &error);
    *cons = srr__trace_ring_start(ctl, path, &error);
    unlink(ctl);
    return w && *cons ? w : NULL;
}

static void writer_done(srr_trace_writer *w, int ring, srr_trace_ring *cons)
{
    if (ring)
        srr__trace_ring_close(cons);
    srr__trace_writer_close(w);
}

/* Small events into path, against write(2)s of the same line into raw. */
static int run_small(srr_world *clock, const char *path, const char *raw, long events,
                     const char *name, int ring)
{
    srr_trace_ring *cons = NULL;
    srr_trace_writer *w = writer_open(clock, path, ring, &cons);
    int fd = open(raw, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!w || fd < 0) {
        perror("trace_write: open");
        return 1;
    }
    /* the line the writer makes, for the baseline to write */
    srr_jline *l = srr__trace_begin(w, "x", 0, 0);
    srr__trace_end(w);
    (void)l;
    const char line[] = "{\"type\":\"event\",\"seq\":2,\"t\":1388555166283,\"pid\":20139,\"tid\":20139,"
                        "\"op\":\"sendmsg\",\"ret\":1,\"sock\":3,\"fd\":5,\"family\":\"AF_INET\","
                        "\"stype\":\"SOCK_STREAM\",\"local\":\"127.0.0.1:40000\",\"peer\":"
                        "\"127.0.0.1:8080\",\"args\":{\"flags\":16384,\"iov\":1},\"data\":\"eA==\","
                        "\"len\":1,\"off\":12345}\n";
    size_t n = sizeof line - 1;
    double best_tap = 1e9, best_raw = 1e9;
    for (int round = 0; round < 3; round++) {
        double t0 = now_s();
        for (long i = 0; i < events; i++)
            small_event(w);
        double t1 = now_s();
        for (long i = 0; i < events; i++)
            if (write(fd, line, n) != (ssize_t)n)
                return 1;
        double t2 = now_s();
        if (t1 - t0 < best_tap)
            best_tap = t1 - t0;
        if (t2 - t1 < best_raw)
            best_raw = t2 - t1;
    }
    writer_done(w, ring, cons);
    close(fd);
    printf("%s\t%.0f\tns/event\twrite(2) of the line\t%.0f\n", name, best_tap / events * 1e9,
           best_raw / events * 1e9);
    return 0;
}

/* 1 MiB payload events into path, against plain writes of the same bytes. */
static int run_bulk(srr_world *clock, const char *path, const char *raw, long mib,
                    const char *name, int encode_baseline, int ring)
{
    srr_trace_ring *cons = NULL;
    size_t chunk = 1 << 20;
    char *buf = malloc(chunk);
    srr_trace_writer *w = writer_open(clock, path, ring, &cons);
    int fd = open(raw, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!buf || !w || fd < 0) {
        perror("trace_write: open");
        return 1;
    }
    for (size_t i = 0; i < chunk; i++)
        buf[i] = (char)(i * 131);
    double t0 = now_s();
    for (long i = 0; i < mib; i++) {
        srr_jline *l = srr__trace_begin(w, "sendmsg", (int64_t)chunk, 0);
        srr__trace_payload(w, l, buf, chunk);
        srr__trace_end(w);
    }
    if (ring) { /* the trace is written when the consumer has written it all */
        writer_done(w, ring, cons);
        w = NULL;
    }
    double t1 = now_s();
    char *enc = encode_baseline ? malloc(srr__b64_len(chunk) + 1) : NULL;
    for (long i = 0; i < mib; i++) {
        if (enc)
            srr__b64_encode(buf, chunk, enc);
        else if (write(fd, buf, chunk) != (ssize_t)chunk)
            return 1;
    }
    double t2 = now_s();
    free(enc);
    int werr = w ? srr__trace_writer_error(w) : 0;
    if (w)
        writer_done(w, 0, cons);
    close(fd);
    free(buf);
    if (werr) {
        fprintf(stderr, "trace_write: write error %d\n", werr);
        return 1;
    }
    printf("%s\t%.0f\tMB/s\t%s\t%.0f\n", name, mib * 1.048576 / (t1 - t0),
           encode_baseline ? "base64 encoding alone" : "write(2) of the raw bytes",
           mib * 1.048576 / (t2 - t1));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: trace_write DIR [EVENTS [MIB]]\n");
        return 2;
    }
    long events = argc > 2 ? atol(argv[2]) : 200000;
    long mib = argc > 3 ? atol(argv[3]) : 512;
    char path[4096], raw[4096];
    snprintf(path, sizeof path, "%s/bench-trace.jsonl", argv[1]);
    snprintf(raw, sizeof raw, "%s/bench-raw.out", argv[1]);
    srr_world *clock = srr_world_kernel();
    /* Into a file, then into /dev/null: the second shows the writer's own
     * cost with the file system taken out. */
    int rc = run_small(clock, path, raw, events, "trace_small_event_file", 0) ||
             run_small(clock, path, raw, events, "trace_small_event_ring_file", 1) ||
             run_small(clock, "/dev/null", "/dev/null", events, "trace_small_event_devnull", 0) ||
             run_bulk(clock, path, raw, mib, "trace_payload_file", 0, 0) ||
             run_bulk(clock, path, raw, mib, "trace_payload_ring_file", 0, 1) ||
             run_bulk(clock, "/dev/null", "/dev/null", mib * 4, "trace_payload_devnull", 1, 0);
    unlink(path);
    unlink(raw);
    srr_world_destroy(clock);
    return rc;
}
