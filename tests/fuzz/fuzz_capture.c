/*
 * fuzz_capture.c — a tcpdump capture (pcap or pcapng) as `sockrr convert`
 * and `sockrr replay CAPTURE` read it (replay/capture/): libpcap reads the
 * file, capture_link.c the headers, capture_flow.c and capture_tcp.c the
 * conversations.  A capture the converter takes must come out as a trace
 * the trace checker passes, every line of it: the replay world trusts it.
 *
 * libpcap is the system's and not instrumented: what it does with a bad
 * file is its own; what reaches sockrr's code is ours.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "fuzz.h"
#include "trace.h"

static void fail(const char *what, const srr_parse_error *e)
{
    char line[1024];
    fprintf(stderr, "fuzz_capture: %s: %s\n", what, srr__parse_error_format(e, line, sizeof line));
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file in, out;
    fuzz_file_init(&in, "capture");
    fuzz_file_init(&out, "trace");
    const char *path = fuzz_file_set(&in, data, size);
    fuzz_file_set(&out, NULL, 0);

    if (srr__capture_sniff(path) < 0)
        abort(); /* the memfd is there to read */
    srr_parse_error err;
    memset(&err, 0, sizeof err);
    if (srr__capture_to_trace(path, out.path, &err) < 0) {
        if (!err.text[0])
            fail("a refusal without a message", &err);
        return 0;
    }
    srr_trace_reader *r = srr__trace_open(out.path, &err);
    if (!r)
        fail("the converted trace's header is refused", &err);
    srr_json *ev;
    int rc;
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        if (rc < 0)
            fail("the converted trace has an invalid event", &err);
        srr__json_free(ev);
    }
    if (srr__trace_torn(r, &err))
        fail("the converted trace is torn", &err);
    srr__trace_close(r);
    return 0;
}
