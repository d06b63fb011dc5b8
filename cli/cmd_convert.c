/*
 * cmd_convert.c — `sockrr convert TRACE -o OUT.pcap`: the pcap view of a
 * trace (docs/pcap.md), written as the trace streams past.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "capture.h"
#include "cli.h"
#include "progress.h"
#include "input.h"
#include "trace.h"

static void convert_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr convert TRACE -o OUT.pcap\n"
            "       sockrr convert CAPTURE -o OUT.jsonl\n"
            "\n"
            "Writes the IP packets a trace implies (TCP with handshakes, sequence\n"
            "numbers and FIN/RST; UDP; AF_UNIX shown as synthetic TCP/UDP over\n"
            "127.88.0.0/16) as a classic pcap with nanosecond timestamps, link type\n"
            "RAW, mode 0600.  TRACE '-' reads standard input (it, a pipe or a FIFO is\n"
            "read once, into a temporary file in $TMPDIR); a pcap OUT '-' writes\n"
            "standard output (sockrr convert t.jsonl -o - | tshark -r -).\n"
            "\n"
            "A CAPTURE (pcap or pcapng, as tcpdump -w writes) goes the other way: its\n"
            "TCP and UDP conversations, reassembled, as a trace of two processes, the\n"
            "clients (pid 1) and the servers (pid 2): what sockrr replay plays from a\n"
            "capture (docs/replay.md), to read with sockrr show.\n"
            "\n"
            "  -o, --output FILE   the pcap (of a trace) or the trace (of a capture) to\n"
            "                      write (required)\n"
            "  -h, --help          this text\n"
            "\n"
            "exit status: 0 written (a torn last line is warned about and left out);\n"
            "1 the input is invalid or the output cannot be written; 2 usage error (an\n"
            "output that is the input included).\n");
}

static int convert_usage_error(const char *what)
{
    fprintf(stderr, "sockrr convert: %s (see sockrr convert --help)\n", what);
    return SRR_EXIT_USAGE;
}

/* One line: "sockrr convert: [PREFIX]FILE:LINE: FIELD: message". */
static void convert_report(const char *prefix, const srr_parse_error *err)
{
    char buf[sizeof err->source + sizeof err->field + sizeof err->text + 64];
    srr__parse_error_format(err, buf, sizeof buf);
    fprintf(stderr, "sockrr convert: %s%s\n", prefix, buf);
}

void cli_capture_error(const char *verb, const char *capture, const srr_parse_error *err)
{
    char at[32] = "";
    if (err->line > 0)
        snprintf(at, sizeof at, " packet %ld:", err->line);
    fprintf(stderr, "sockrr %s: %s:%s %s%s%s\n", verb, err->source[0] ? err->source : capture, at,
            err->field, err->field[0] ? ": " : "", err->text);
}

/* A capture (pcap, pcapng) to the trace of its conversations. */
static int convert_capture(const cli_input *in, const char *out)
{
    if (strcmp(out, "-") == 0)
        return convert_usage_error("a capture converts to a trace file, not to standard output");
    srr_parse_error err;
    memset(&err, 0, sizeof err);
    if (srr__capture_to_trace_as(in->path, in->name, out, &err) < 0) {
        cli_capture_error("convert", in->name, &err);
        return SRR_EXIT_FAIL;
    }
    return SRR_EXIT_OK;
}

/* The conversion itself: in (a trace; name in messages) to out (a pcap).
 * Exit status. */
int cli_convert_file(const char *in, const char *name, const char *out, int (*more)(void *arg),
                     void *arg)
{
    srr_parse_error err;
    memset(&err, 0, sizeof err);
    srr_trace_reader *r = srr__trace_open_as(in, name, &err);
    if (!r) {
        convert_report("", &err);
        return SRR_EXIT_FAIL;
    }
    if (more)
        srr__trace_follow(r, more, arg);
    srr_pcap_synth *p = srr__pcap_open(out, srr__trace_header(r), &err);
    if (!p) {
        convert_report("", &err);
        srr__trace_close(r);
        return SRR_EXIT_FAIL;
    }

    int status = SRR_EXIT_OK;
    srr_json *ev;
    int got;
    cli_progress prog; /* not while following a run: it has its own pace */
    cli_progress_start(&prog, "convert", name, more ? NULL : in);
    prog.on &= !more;
    while ((got = srr__trace_next(r, &ev, &err)) != 0) {
        cli_progress_update(&prog, srr__trace_offset(r));
        if (got < 0) {
            convert_report("", &err);
            status = SRR_EXIT_FAIL;
            break;
        }
        memset(&err, 0, sizeof err);
        int rc = srr__pcap_event(p, ev, &err);
        srr__json_free(ev);
        if (rc < 0) {
            /* the synthesizer knows the field, the reader knows where */
            if (!err.source[0])
                srr__parse_at(&err, name ? name : in, srr__trace_line(r), 0, -1);
            convert_report("", &err);
            status = SRR_EXIT_FAIL;
            break;
        }
    }
    cli_progress_end(&prog);
    if (status == SRR_EXIT_OK && srr__trace_torn(r, &err))
        convert_report("warning: ", &err);
    srr__trace_close(r);
    memset(&err, 0, sizeof err);
    if (srr__pcap_close(p, &err) < 0 && status == SRR_EXIT_OK) {
        convert_report("", &err);
        status = SRR_EXIT_FAIL;
    }
    /* A half-written pcap of an invalid trace would pass for the whole; but
     * only a regular file is ours to remove (not /dev/full, not a FIFO). */
    struct stat st;
    if (status != SRR_EXIT_OK && strcmp(out, "-") != 0 && lstat(out, &st) == 0 &&
        S_ISREG(st.st_mode))
        unlink(out);
    return status;
}

int cli_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int options = 1; /* until "--" */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && a[0] == '-' && a[1]) {
            if (strcmp(a, "--") == 0) {
                options = 0;
            } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                convert_usage(stdout);
                return SRR_EXIT_OK;
            } else if (cli_is_output(a)) {
                if (out)
                    return convert_usage_error("more than one -o");
                if (!(out = cli_output_value("convert", argc, argv, &i)))
                    return SRR_EXIT_USAGE;
            } else {
                char msg[300];
                snprintf(msg, sizeof msg, "unknown option '%.200s'", a);
                return convert_usage_error(msg);
            }
            continue;
        }
        if (in)
            return convert_usage_error("more than one trace");
        in = a;
    }
    if (!in)
        return convert_usage_error("no trace given");
    if (!out || !*out)
        return convert_usage_error("no output given (-o OUT.pcap)");
    if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
        return convert_usage_error("will not write a pcap to a terminal");
    const cli_file files[] = {{"the input", in, 0}, {"the output (-o)", out, 1}};
    int rc = cli_files_distinct("convert", files, 2);
    if (rc)
        return rc;

    /* read once: its first bytes say whether it is a capture or a trace */
    cli_input input;
    if ((rc = cli_input_open("convert", in, &input)) != 0)
        return rc;
    rc = srr__capture_sniff(input.path) == 1
             ? convert_capture(&input, out)
             : cli_convert_file(input.path, input.name, out, NULL, NULL);
    cli_input_done(&input);
    return rc;
}
