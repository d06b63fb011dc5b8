/*
 * test_trace_reader.c — the JSONL trace reader and event checker
 * (replay/read/reader.c, check.c) and base64: valid traces, one test per error
 * kind, torn last lines, a reader that goes on after a bad line, and base64
 * round trips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

#define HEADER                                                                                 \
    "{\"type\":\"header\",\"format\":\"sockrr-trace\",\"version\":1,\"sockrr\":\"0.1.0\","   \
    "\"program\":\"t\",\"argv\":[\"t\",\"-v\"],\"world\":\"kernel\",\"seed\":0,\"pid\":7,"    \
    "\"start_realtime_ns\":1795000000000000000,\"start_monotonic_ns\":5000000000,"           \
    "\"payload_cap\":-1}\n"

/* An event line: seq, then the members after "op". */
#define EV(seq, rest)                                                                          \
    "{\"type\":\"event\",\"seq\":" #seq ",\"t\":50000" #seq "0000,\"pid\":7,\"tid\":7," rest   \
    "}\n"
#define SOCKET_EV(seq)                                                                         \
    EV(seq, "\"op\":\"socket\",\"ret\":3,\"sock\":1,\"fd\":3,\"family\":\"AF_INET\","          \
            "\"stype\":\"SOCK_STREAM\",\"args\":{\"domain\":2,\"type\":1,\"protocol\":0}")
#define CLOSE_EV(seq) EV(seq, "\"op\":\"close\",\"ret\":0,\"sock\":1,\"fd\":3")

static char tmpdir[64];

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_trace_reader.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/trace.jsonl", tmpdir);
    unlink(path);
    return rmdir(tmpdir);
}

/* Writes len bytes to the test's trace file; returns its path. */
static const char *write_trace_n(const char *text, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/trace.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static const char *write_trace(const char *text)
{
    return write_trace_n(text, strlen(text));
}

static void assert_trace_error(const srr_parse_error *e, int code, long line,
                               const char *field)
{
    if (e->code != code || e->line != line || strcmp(e->field, field) != 0)
        fail_msg("got code %d line %ld field \"%s\" (\"%s\"), expected code %d line %ld field "
                 "\"%s\"",
                 (int)e->code, e->line, e->field, e->text, (int)code, line, field);
}

static void assert_text_has(const srr_parse_error *e, const char *part)
{
    if (!strstr(e->text, part))
        fail_msg("error text \"%s\" lacks \"%s\"", e->text, part);
}

/* Opening fails with code at line, field. */
static void expect_open_error(const char *text, srr_parse_code code, long line,
                              const char *field, srr_parse_error *err)
{
    srr_trace_reader *r = srr__trace_open(write_trace(text), err);
    if (r) {
        srr__trace_close(r);
        fail_msg("the trace opened; expected error code %d", (int)code);
    }
    assert_trace_error(err, code, line, field);
}

/* Reads a trace whose header is fine: the first next() after `good` valid
 * events fails with code, line, field. */
static void expect_event_error(const char *text, int good, srr_parse_code code, long line,
                               const char *field, srr_parse_error *err)
{
    srr_trace_reader *r = srr__trace_open(write_trace(text), err);
    assert_non_null(r);
    srr_json *ev;
    for (int i = 0; i < good; i++) {
        assert_int_equal(srr__trace_next(r, &ev, err), 1);
        srr__json_free(ev);
    }
    int rc = srr__trace_next(r, &ev, err);
    if (rc != -1) {
        srr__json_free(ev);
        srr__trace_close(r);
        fail_msg("next returned %d, expected -1 (code %d)", rc, (int)code);
    }
    assert_null(ev);
    srr__trace_close(r);
    assert_trace_error(err, code, line, field);
}

static void test_valid_trace_gives_header_and_every_event(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r =
        srr__trace_open(write_trace(HEADER SOCKET_EV(1) EV(2, "\"op\":\"listen\",\"ret\":0,"
                                                            "\"sock\":1,\"fd\":3,\"args\":{"
                                                            "\"backlog\":5}") CLOSE_EV(3)),
                        &err);
    assert_non_null(r);
    assert_int_equal(srr__trace_version(r), 1);
    assert_string_equal(srr__json_str(srr__json_get(srr__trace_header(r), "program")), "t");
    for (int seq = 1; seq <= 3; seq++) {
        srr_json *ev;
        assert_int_equal(srr__trace_next(r, &ev, &err), 1);
        assert_int_equal(srr__json_int(srr__json_get(ev, "seq")), seq);
        assert_int_equal(srr__trace_line(r), seq + 1);
        srr__json_free(ev);
    }
    srr_json *ev = (srr_json *)1;
    assert_int_equal(srr__trace_next(r, &ev, &err), 0);
    assert_null(ev);
    assert_int_equal(srr__trace_next(r, &ev, &err), 0);
    assert_int_equal(srr__trace_torn(r, &err), 0);
    srr__trace_close(r);
}

static void test_header_only_trace_has_no_events(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(write_trace(HEADER), &err);
    assert_non_null(r);
    srr_json *ev;
    assert_int_equal(srr__trace_next(r, &ev, &err), 0);
    assert_int_equal(srr__trace_torn(r, &err), 0);
    srr__trace_close(r);
}

static void test_missing_file_is_eio_naming_the_file(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_null(srr__trace_open("/nonexistent/dir/trace.jsonl", &err));
    assert_trace_error(&err, SRR_PARSE_EIO, 0, "");
    assert_string_equal(err.source, "/nonexistent/dir/trace.jsonl");
    assert_text_has(&err, "No such file");
}

static void test_empty_file_is_eheader(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_open_error("", SRR_PARSE_EHEADER, 1, "", &err);
    assert_text_has(&err, "empty file");
}

static void test_nul_bytes_are_ebinary(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(write_trace_n("\x01\x02\0\0\x03\n{}\n", 9), &err);
    assert_null(r);
    assert_trace_error(&err, SRR_PARSE_EBINARY, 1, "");
    assert_text_has(&err, "binary");
}

static void test_pcap_file_is_ebinary_and_named(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_null(srr__trace_open(write_trace_n("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8), &err));
    assert_trace_error(&err, SRR_PARSE_EBINARY, 1, "");
    assert_text_has(&err, "pcap");
}

static void test_control_bytes_or_bad_utf8_first_line_is_ebinary(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_open_error("\x89PNG\r\n\x1a\n", SRR_PARSE_EBINARY, 1, "", &err);
    expect_open_error("\x1f\x8b\x08", SRR_PARSE_EBINARY, 1, "", &err);
    assert_text_has(&err, "gzip");
    expect_open_error("\x03\x04text\n", SRR_PARSE_EBINARY, 1, "", &err);
    assert_text_has(&err, "0x03");
}

static void test_overlong_first_line_is_eheader_without_reading_on(void **state)
{
    (void)state;
    enum { N = 3 * 1024 * 1024 };
    char *text = malloc(N + 1);
    assert_non_null(text);
    memset(text, 'a', N);
    text[N] = '\0';
    srr_parse_error err;
    expect_open_error(text, SRR_PARSE_EHEADER, 1, "", &err);
    free(text);
    assert_text_has(&err, "longer than");
}

static void test_text_first_line_is_ejson_naming_the_token(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_open_error("hello world\n", SRR_PARSE_EJSON, 1, "", &err);
    assert_text_has(&err, "not a sockrr trace");
    assert_text_has(&err, "hello");
}

static void test_event_as_first_line_is_eheader(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_open_error(SOCKET_EV(1), SRR_PARSE_EHEADER, 1, "type", &err);
    assert_text_has(&err, "header");
}

static void test_wrong_format_is_eheader(void **state)
{
    (void)state;
    srr_parse_error err;
    char text[1024];
    snprintf(text, sizeof text, "%s", HEADER);
    memcpy(strstr(text, "sockrr-trace"), "sockrr-trade", 12);
    expect_open_error(text, SRR_PARSE_EHEADER, 1, "format", &err);
    assert_text_has(&err, "sockrr-trade");
}

static void test_newer_version_is_eversion_naming_both(void **state)
{
    (void)state;
    srr_parse_error err;
    char text[1024];
    snprintf(text, sizeof text, "%s", HEADER);
    strstr(text, "\"version\":1")[10] = '7';
    expect_open_error(text, SRR_PARSE_EVERSION, 1, "version", &err);
    assert_text_has(&err, "version 7");
    assert_text_has(&err, "up to 1");
}

static void test_header_member_of_wrong_type_is_etype(void **state)
{
    (void)state;
    srr_parse_error err;
    char text[1024];
    snprintf(text, sizeof text, "%s", HEADER);
    memcpy(strstr(text, "\"-v\""), "  42", 4); /* argv[1] becomes the integer 42 */
    expect_open_error(text, SRR_PARSE_ETYPE, 1, "argv[1]", &err);
    assert_text_has(&err, "42");
}

static void test_header_member_missing_is_emissing(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_open_error("{\"type\":\"header\",\"format\":\"sockrr-trace\",\"version\":1}\n",
                      SRR_PARSE_EMISSING, 1, "sockrr", &err);
}

static void test_torn_header_fails_open(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_open_error("{\"type\":\"header\",\"form", SRR_PARSE_ETORN, 1, "", &err);
}

static void test_stdin_is_read_for_dash(void **state)
{
    (void)state;
    srr_parse_error err;
    const char *path = write_trace(HEADER SOCKET_EV(1));
    int saved = dup(0), fd = open(path, O_RDONLY);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    srr_trace_reader *r = srr__trace_open("-", &err);
    srr_json *ev = NULL;
    int rc = r ? srr__trace_next(r, &ev, &err) : -2;
    srr__json_free(ev);
    srr__trace_close(r);
    dup2(saved, 0);
    close(saved);
    assert_int_equal(rc, 1);
}

static void test_broken_json_line_is_ejson(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER SOCKET_EV(1) "{\"type\":\"event\",\"seq\":2,\n", 1, SRR_PARSE_EJSON,
                       3, "", &err);
    assert_text_has(&err, "not JSON");
}

static void test_array_line_is_ejson(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER "[1,2]\n", 0, SRR_PARSE_EJSON, 2, "", &err);
    assert_text_has(&err, "not a JSON object");
}

static void test_duplicate_member_is_ejson(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER EV(1, "\"op\":\"close\",\"ret\":0,\"ret\":1,\"sock\":1,\"fd\":3"), 0,
                       SRR_PARSE_EJSON, 2, "", &err);
    assert_text_has(&err, "duplicate");
}

static void test_nul_in_event_line_is_ebinary(void **state)
{
    (void)state;
    static const char text[] = HEADER "{\"type\"\0:1}\n" CLOSE_EV(2);
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(write_trace_n(text, sizeof text - 1), &err);
    assert_non_null(r);
    srr_json *ev;
    assert_int_equal(srr__trace_next(r, &ev, &err), -1);
    assert_trace_error(&err, SRR_PARSE_EBINARY, 2, "");
    assert_int_equal(srr__trace_next(r, &ev, &err), 1); /* the next line is read */
    srr__json_free(ev);
    srr__trace_close(r);
}

static void test_reader_goes_on_after_a_bad_line(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r =
        srr__trace_open(write_trace(HEADER SOCKET_EV(1) "garbage\n" CLOSE_EV(3)), &err);
    assert_non_null(r);
    srr_json *ev;
    assert_int_equal(srr__trace_next(r, &ev, &err), 1);
    srr__json_free(ev);
    assert_int_equal(srr__trace_next(r, &ev, &err), -1);
    assert_trace_error(&err, SRR_PARSE_EJSON, 3, "");
    /* the lost line still took seq 2: no gap is reported for seq 3 */
    assert_int_equal(srr__trace_next(r, &ev, &err), 1);
    assert_int_equal(srr__json_int(srr__json_get(ev, "seq")), 3);
    srr__json_free(ev);
    assert_int_equal(srr__trace_next(r, &ev, &err), 0);
    srr__trace_close(r);
}

static void test_missing_member_is_emissing(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER EV(1, "\"op\":\"close\",\"sock\":1,\"fd\":3"), 0, SRR_PARSE_EMISSING,
                       2, "ret", &err);
}

static void test_missing_op_member_is_emissing_with_path(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER EV(1, "\"op\":\"connect\",\"ret\":0,\"sock\":1,\"fd\":3,"
                                    "\"args\":{}"),
                       0, SRR_PARSE_EMISSING, 2, "args.addr", &err);
}

static void test_member_of_wrong_type_is_etype(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER "{\"type\":\"event\",\"seq\":\"1\",\"t\":5000000001,\"pid\":7,"
                              "\"tid\":7,\"op\":\"close\",\"ret\":0,\"sock\":1,\"fd\":3}\n",
                       0, SRR_PARSE_ETYPE, 2, "seq", &err);
    assert_text_has(&err, "\"1\"");
}

static void test_fraction_is_not_an_integer(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER EV(1, "\"op\":\"close\",\"ret\":0.0,\"sock\":1,\"fd\":3"), 0,
                       SRR_PARSE_ETYPE, 2, "ret", &err);
}

static void test_negative_len_is_evalue(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER EV(1, "\"op\":\"sendmsg\",\"ret\":-1,\"errno\":\"EPIPE\","
                                    "\"errno_num\":32,\"sock\":1,\"fd\":3,\"len\":-1,"
                                    "\"args\":{\"flags\":0,\"iov\":5}"),
                       0, SRR_PARSE_EVALUE, 2, "len", &err);
}

static void test_unknown_op_is_evalue(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER EV(1, "\"op\":\"frobnicate\",\"ret\":0"), 0, SRR_PARSE_EVALUE, 2,
                       "op", &err);
    assert_text_has(&err, "frobnicate");
}

static void test_unknown_members_are_allowed(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(
        write_trace(HEADER EV(1, "\"op\":\"close\",\"ret\":0,\"sock\":1,\"fd\":3,"
                                 "\"future\":{\"x\":[1.5]},\"args\":{\"later\":\"y\"}")),
        &err);
    assert_non_null(r);
    srr_json *ev;
    assert_int_equal(srr__trace_next(r, &ev, &err), 1);
    srr__json_free(ev);
    srr__trace_close(r);
}

static void test_seq_gap_is_reported_once(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r =
        srr__trace_open(write_trace(HEADER SOCKET_EV(1) CLOSE_EV(3) CLOSE_EV(4)), &err);
    assert_non_null(r);
    srr_json *ev;
    assert_int_equal(srr__trace_next(r, &ev, &err), 1);
    srr__json_free(ev);
    assert_int_equal(srr__trace_next(r, &ev, &err), -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 3, "seq");
    assert_text_has(&err, "expected 2, got 3");
    assert_int_equal(srr__trace_next(r, &ev, &err), 1);
    srr__json_free(ev);
    srr__trace_close(r);
}

static void test_first_seq_must_be_1(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER CLOSE_EV(2), 0, SRR_PARSE_EVALUE, 2, "seq", &err);
}

static void test_time_going_backwards_is_evalue(void **state)
{
    (void)state;
    srr_parse_error err;
    expect_event_error(HEADER SOCKET_EV(1) "{\"type\":\"event\",\"seq\":2,\"t\":5000000001,"
                                          "\"pid\":7,\"tid\":7,\"op\":\"close\",\"ret\":0,"
                                          "\"sock\":1,\"fd\":3}\n",
                       1, SRR_PARSE_EVALUE, 3, "t", &err);
    assert_text_has(&err, "backwards");
}

static void test_equal_times_are_fine(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(
        write_trace(HEADER SOCKET_EV(1) "{\"type\":\"event\",\"seq\":2,\"t\":5000010000,"
                                        "\"pid\":7,\"tid\":8,\"op\":\"close\",\"ret\":0,"
                                        "\"sock\":1,\"fd\":3}\n"),
        &err);
    assert_non_null(r);
    srr_json *ev;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(srr__trace_next(r, &ev, &err), 1);
        srr__json_free(ev);
    }
    srr__trace_close(r);
}

static void test_torn_last_line_ends_the_stream(void **state)
{
    (void)state;
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(
        write_trace(HEADER SOCKET_EV(1) CLOSE_EV(2) "{\"type\":\"event\",\"seq\":3,\"t\":5"), &err);
    assert_non_null(r);
    srr_json *ev;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(srr__trace_next(r, &ev, &err), 1);
        srr__json_free(ev);
    }
    assert_int_equal(srr__trace_torn(r, &err), 0);
    assert_int_equal(srr__trace_next(r, &ev, &err), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(srr__trace_torn(r, &err), 1);
    assert_trace_error(&err, SRR_PARSE_ETORN, 4, "");
    assert_text_has(&err, "2 events before it are valid");
    assert_int_equal(srr__trace_next(r, &ev, &err), 0);
    srr__trace_close(r);
}

static void test_complete_json_without_newline_is_still_torn(void **state)
{
    (void)state;
    srr_parse_error err;
    char text[2048];
    snprintf(text, sizeof text, "%s%s", HEADER, SOCKET_EV(1));
    text[strlen(text) - 1] = '\0'; /* drop the final newline */
    srr_trace_reader *r = srr__trace_open(write_trace(text), &err);
    assert_non_null(r);
    srr_json *ev;
    assert_int_equal(srr__trace_next(r, &ev, &err), 0);
    assert_int_equal(srr__trace_torn(r, &err), 1);
    assert_text_has(&err, "0 events");
    srr__trace_close(r);
}

static void test_line_longer_than_a_read_chunk(void **state)
{
    (void)state;
    enum { N = 300000 }; /* bytes of payload: base64 400000, several read chunks */
    unsigned char *raw = malloc(N);
    char *b64 = malloc(srr__b64_len(N) + 1);
    char *text = malloc(srr__b64_len(N) + 1024);
    assert_true(raw && b64 && text);
    for (size_t i = 0; i < N; i++)
        raw[i] = (unsigned char)(i * 7);
    srr__b64_encode(raw, N, b64);
    int n = sprintf(text,
                    HEADER SOCKET_EV(1) "{\"type\":\"event\",\"seq\":2,\"t\":5000020000,\"pid\":7,"
                                        "\"tid\":7,\"op\":\"sendmsg\",\"ret\":%d,\"sock\":1,"
                                        "\"fd\":3,\"args\":{\"flags\":0,\"iov\":%d},\"data\":\"%s\","
                                        "\"len\":%d,\"off\":0}\n" CLOSE_EV(3),
                    N, N, b64, N);
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(write_trace_n(text, (size_t)n), &err);
    free(text);
    assert_non_null(r);
    srr_json *ev;
    int got = 0, rc;
    while ((rc = srr__trace_next(r, &ev, &err)) == 1) {
        if (got == 1)
            assert_string_equal(srr__json_str(srr__json_get(ev, "data")), b64);
        srr__json_free(ev);
        got++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(got, 3);
    srr__trace_close(r);
    free(raw);
    free(b64);
}

/* ------------------------------------------------- one event at a time */

/* check_event on text; returns 0 or -1 with *err. */
static int check_text(const char *text, srr_parse_error *err)
{
    srr_parse_error jerr;
    srr_json *ev = srr__json_parse(text, strlen(text), NULL, &jerr);
    if (!ev)
        fail_msg("test JSON does not parse: %s: %s", jerr.text, text);
    memset(err, 0, sizeof *err);
    int rc = srr__trace_check_event(ev, err);
    srr__json_free(ev);
    return rc;
}

#define COMMON "\"type\":\"event\",\"seq\":1,\"t\":1,\"pid\":1,\"tid\":1,"

static void test_failed_call_needs_errno(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON "\"op\":\"close\",\"ret\":-1,\"sock\":1,\"fd\":3}", &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EMISSING, 0, "errno");
}

static void test_errno_must_match_its_number(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON "\"op\":\"close\",\"ret\":-1,\"errno\":\"EBADF\","
                                "\"errno_num\":4,\"sock\":1,\"fd\":3}",
                                &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "errno");
    assert_text_has(&err, "EINTR");
    assert_int_equal(check_text("{" COMMON "\"op\":\"close\",\"ret\":-1,\"errno\":\"EBADF\","
                                "\"sock\":1,\"fd\":3}",
                                &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EMISSING, 0, "errno_num");
}

static void test_unnamed_errno_is_E_question(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON "\"op\":\"close\",\"ret\":-1,\"errno\":\"E?\","
                                "\"errno_num\":4000,\"sock\":1,\"fd\":3}",
                                &err),
                     0);
    assert_int_equal(check_text("{" COMMON "\"op\":\"close\",\"ret\":-1,\"errno\":\"E?\","
                                "\"errno_num\":9,\"sock\":1,\"fd\":3}",
                                &err),
                     -1);
}

static void test_ret_below_minus_one_is_evalue(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON "\"op\":\"close\",\"ret\":-9,\"sock\":1,\"fd\":3}", &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "ret");
}

#define SEND "\"op\":\"sendmsg\",\"sock\":1,\"fd\":3,\"args\":{\"flags\":0,\"iov\":9},"

static void test_data_must_be_base64(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":5,\"data\":\"aGVsbG8\",\"len\":5}", &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "data");
    assert_text_has(&err, "aGVsbG8");
}

static void test_data_must_decode_to_len(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":6,\"data\":\"aGVsbG8=\",\"len\":6}", &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "data");
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":5,\"data\":\"aGVsbG8=\",\"len\":5}", &err),
                     0);
}

static void test_capped_data_may_be_shorter(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":9,\"data\":\"aGVsbG8=\",\"len\":9,"
                                "\"capped\":true}",
                                &err),
                     0);
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":3,\"data\":\"aGVsbG8=\",\"len\":3,"
                                "\"capped\":true}",
                                &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "data");
}

static void test_len_must_equal_ret(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":4,\"data\":\"aGVsbG8=\",\"len\":5}", &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "len");
}

static void test_successful_send_needs_data(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":4}", &err), -1);
    assert_trace_error(&err, SRR_PARSE_EMISSING, 0, "data");
    assert_int_equal(check_text("{" COMMON SEND "\"ret\":-1,\"errno\":\"EAGAIN\","
                                "\"errno_num\":11}",
                                &err),
                     0);
}

static void test_gai_failure_needs_gai_and_system_errno(void **state)
{
    (void)state;
    srr_parse_error err;
#define GAI                                                                                    \
    "\"op\":\"getaddrinfo\",\"args\":{\"node\":\"x\",\"service\":null,\"family\":0,"            \
    "\"socktype\":0,\"protocol\":0,\"flags\":0},"
    assert_int_equal(check_text("{" COMMON GAI "\"ret\":-2}", &err), -1);
    assert_trace_error(&err, SRR_PARSE_EMISSING, 0, "gai");
    assert_int_equal(check_text("{" COMMON GAI "\"ret\":-2,\"gai\":\"EAI_AGAIN\"}", &err), -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "gai");
    assert_int_equal(check_text("{" COMMON GAI "\"ret\":-2,\"gai\":\"EAI_NONAME\"}", &err), 0);
    assert_int_equal(check_text("{" COMMON GAI "\"ret\":-11,\"gai\":\"EAI_SYSTEM\"}", &err), -1);
    assert_trace_error(&err, SRR_PARSE_EMISSING, 0, "errno");
    assert_int_equal(check_text("{" COMMON GAI "\"ret\":0,\"answers\":[{\"family\":2,"
                                "\"socktype\":1,\"protocol\":6,\"addr\":7}]}",
                                &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_ETYPE, 0, "answers[0].addr");
#undef GAI
}

static void test_poll_revents_match_fds(void **state)
{
    (void)state;
    srr_parse_error err;
    assert_int_equal(check_text("{" COMMON "\"op\":\"poll\",\"ret\":1,\"args\":{\"timeout_ns\":-1,"
                                "\"fds\":[{\"fd\":3,\"events\":1}]},\"revents\":[1,0]}",
                                &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_EVALUE, 0, "revents");
    assert_int_equal(check_text("{" COMMON "\"op\":\"poll\",\"ret\":1,\"args\":{\"timeout_ns\":-1,"
                                "\"fds\":[{\"fd\":3,\"sock\":\"1\",\"events\":1}]},"
                                "\"revents\":[1]}",
                                &err),
                     -1);
    assert_trace_error(&err, SRR_PARSE_ETYPE, 0, "args.fds[0].sock");
}

/* One minimal successful event per op, each valid; and each stops being
 * valid when its first required member goes. */
static const struct {
    const char *text;
    const char *required; /* a member whose removal is EMISSING, as "args.x" or "x" */
} op_cases[] = {
    {"\"op\":\"socket\",\"ret\":3,\"sock\":1,\"fd\":3,\"args\":{\"domain\":2,\"type\":1,\"protocol\":0}",
     "args.protocol"},
    {"\"op\":\"socketpair\",\"ret\":0,\"socks\":[1,2],\"fds\":[3,4],\"args\":{\"domain\":1,"
     "\"type\":1,\"protocol\":0}",
     "socks"},
    {"\"op\":\"bind\",\"ret\":0,\"sock\":1,\"fd\":3,\"local\":\"/x\",\"args\":{\"addr\":\"/x\"}", "args.addr"},
    {"\"op\":\"listen\",\"ret\":0,\"sock\":1,\"fd\":3,\"args\":{\"backlog\":1}", "args.backlog"},
    {"\"op\":\"accept4\",\"ret\":4,\"sock\":1,\"fd\":3,\"new_sock\":2,\"new_fd\":4,\"args\":{\"flags\":0}",
     "new_sock"},
    {"\"op\":\"connect\",\"ret\":0,\"sock\":1,\"fd\":3,\"args\":{\"addr\":\"[::1]:1\"}", "fd"},
    {"\"op\":\"sendmsg\",\"ret\":0,\"sock\":1,\"fd\":3,\"data\":\"\",\"len\":0,\"args\":{\"flags\":0,\"iov\":0}",
     "args.iov"},
    {"\"op\":\"recvmsg\",\"ret\":1,\"sock\":1,\"fd\":3,\"data\":\"eA==\",\"len\":1,\"from\":\"\","
     "\"args\":{\"flags\":0,\"size\":9}",
     "args.size"},
    {"\"op\":\"shutdown\",\"ret\":0,\"sock\":1,\"fd\":3,\"args\":{\"how\":2}", "args.how"},
    {"\"op\":\"close\",\"ret\":0,\"sock\":1,\"fd\":3", "sock"},
    {"\"op\":\"getsockopt\",\"ret\":0,\"sock\":1,\"fd\":3,\"value\":\"AQAAAA==\",\"args\":{"
     "\"level\":1,\"name\":2,\"size\":4}",
     "value"},
    {"\"op\":\"setsockopt\",\"ret\":0,\"sock\":1,\"fd\":3,\"args\":{\"level\":1,\"name\":2,"
     "\"value\":\"AQAAAA==\"}",
     "args.value"},
    {"\"op\":\"getsockname\",\"ret\":0,\"sock\":1,\"fd\":3,\"addr\":\"1.2.3.4:5\"", "addr"},
    {"\"op\":\"getpeername\",\"ret\":0,\"sock\":1,\"fd\":3,\"addr\":\"\"", "addr"},
    {"\"op\":\"fcntl\",\"ret\":2,\"sock\":1,\"fd\":3,\"args\":{\"cmd\":3}", "args.cmd"},
    {"\"op\":\"ioctl\",\"ret\":0,\"sock\":1,\"fd\":3,\"value\":0,\"args\":{\"request\":21531}",
     "args.request"},
    {"\"op\":\"poll\",\"ret\":0,\"revents\":[],\"args\":{\"timeout_ns\":0,\"fds\":[]}", "revents"},
    {"\"op\":\"getaddrinfo\",\"ret\":0,\"answers\":[],\"args\":{\"node\":null,\"service\":\"80\","
     "\"family\":0,\"socktype\":0,\"protocol\":0,\"flags\":1}",
     "answers"},
    {"\"op\":\"getnameinfo\",\"ret\":0,\"host\":\"h\",\"serv\":\"s\",\"args\":{\"addr\":\"1.2.3.4:5\","
     "\"flags\":0}",
     "serv"},
    {"\"op\":\"gethostbyname2_r\",\"ret\":0,\"hostent\":{\"name\":\"h\",\"aliases\":[],"
     "\"addrtype\":2,\"addrs\":[\"1.2.3.4\"]},\"args\":{\"name\":\"h\",\"af\":2}",
     "args.af"},
    {"\"op\":\"gethostbyaddr_r\",\"ret\":0,\"h_errno\":\"HOST_NOT_FOUND\",\"args\":{\"addr\":\"::1\","
     "\"type\":10}",
     "args.type"},
    {"\"op\":\"gethostname\",\"ret\":0,\"name\":\"h\"", "name"},
    {"\"op\":\"sethostname\",\"ret\":0,\"args\":{\"name\":\"h\"}", "args.name"},
    {"\"op\":\"if_nameindex\",\"ret\":0,\"ifaces\":[[1,\"lo\"]]", "ifaces"},
    {"\"op\":\"now\",\"ret\":0,\"value\":5,\"args\":{\"clock\":1}", "value"},
    {"\"op\":\"sleep\",\"ret\":0,\"args\":{\"clock\":1,\"ns\":10}", "args.ns"},
    {"\"op\":\"unsupported\",\"ret\":-1,\"errno\":\"ENOSYS\",\"errno_num\":38,\"args\":{\"what\":\"x\"}",
     "args.what"},
};

/* Takes the member key out of obj (the tree is the test's to change). */
static void drop_member(srr_json *obj, const char *key)
{
    const srr_json_member *m = srr__json_member(obj, key);
    assert_non_null(m);
    size_t i = (size_t)(m - obj->u.obj.members);
    memmove(&obj->u.obj.members[i], &obj->u.obj.members[i + 1],
            (obj->u.obj.n - i - 1) * sizeof *obj->u.obj.members);
    obj->u.obj.n--;
}

static void test_every_op_has_a_minimal_valid_event(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof op_cases / sizeof op_cases[0]; i++) {
        char text[1024];
        srr_parse_error err;
        snprintf(text, sizeof text, "{" COMMON "%s}", op_cases[i].text);
        if (check_text(text, &err) != 0)
            fail_msg("case %zu: %s: %s", i, err.field, err.text);
        srr_json *ev = srr__json_parse(text, strlen(text), NULL, &err);
        assert_non_null(ev);
        const char *req = op_cases[i].required;
        if (strncmp(req, "args.", 5) == 0)
            drop_member((srr_json *)srr__json_get(ev, "args"), req + 5);
        else
            drop_member(ev, req);
        memset(&err, 0, sizeof err);
        int rc = srr__trace_check_event(ev, &err);
        srr__json_free(ev);
        if (rc != -1 || err.code != SRR_PARSE_EMISSING || strcmp(err.field, req) != 0)
            fail_msg("case %zu without %s: rc %d code %d field \"%s\" (%s)", i, req, rc,
                     (int)err.code, err.field, err.text);
    }
}

/* ------------------------------------------------------------ base64 */

static void test_base64_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const vec[][2] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        char out[16];
        size_t n = srr__b64_encode(vec[i][0], strlen(vec[i][0]), out);
        assert_int_equal(n, srr__b64_len(strlen(vec[i][0])));
        assert_string_equal(out, vec[i][1]);
        unsigned char *dec;
        size_t dn;
        assert_int_equal(srr__b64_decode(vec[i][1], strlen(vec[i][1]), &dec, &dn), 0);
        assert_int_equal(dn, strlen(vec[i][0]));
        assert_memory_equal(dec, vec[i][0], dn);
        free(dec);
    }
}

static void test_base64_round_trips_every_length(void **state)
{
    (void)state;
    unsigned char in[300];
    char enc[401];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof in; i++) {
        x = x * 1103515245u + 12345u;
        in[i] = (unsigned char)(x >> 16);
    }
    for (size_t len = 0; len <= sizeof in; len++) {
        size_t n = srr__b64_encode(in, len, enc);
        assert_int_equal(n, srr__b64_len(len));
        assert_int_equal(strlen(enc), n);
        unsigned char *dec;
        size_t dn;
        assert_int_equal(srr__b64_decode(enc, n, &dec, &dn), 0);
        assert_int_equal(dn, len);
        assert_memory_equal(dec, in, len);
        free(dec);
    }
}

static void test_base64_rejects_invalid_input(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Zg=",      /* not a multiple of 4 */
        "Zg",       /* padding missing */
        "Z===",     /* one character cannot hold a byte */
        "Zg=a",     /* text after padding */
        "Zm9v!A==", /* outside the alphabet */
        "Zg==Zg==", /* padding in the middle */
        "Zm9v\nYg==", "====", "Zm-_",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char *dec = (unsigned char *)1;
        size_t dn = 9;
        if (srr__b64_decode(bad[i], strlen(bad[i]), &dec, &dn) != -EINVAL)
            fail_msg("\"%s\" decoded", bad[i]);
        assert_null(dec);
        /* the checker asks srr__b64_valid, which must say the same */
        if (srr__b64_valid(bad[i], strlen(bad[i])))
            fail_msg("\"%s\" called valid", bad[i]);
    }
}

/* ------------------------------------------------------ error format */

static void test_error_format_places_line_and_field(void **state)
{
    (void)state;
    srr_parse_error e = {.source = "t.jsonl", .line = 3, .field = "args.addr",
                         .code = SRR_PARSE_ETYPE, .text = "expected a string"};
    char buf[512];
    assert_string_equal(srr__parse_error_format(&e, buf, sizeof buf),
                        "t.jsonl:3: args.addr: expected a string");
    e.field[0] = '\0';
    assert_string_equal(srr__parse_error_format(&e, buf, sizeof buf),
                        "t.jsonl:3: expected a string");
    e.line = 0;
    assert_string_equal(srr__parse_error_format(&e, buf, sizeof buf), "t.jsonl: expected a string");
    char small[8];
    srr__parse_error_format(&e, small, sizeof small);
    assert_string_equal(small, "t.jsonl");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_trace_gives_header_and_every_event),
        cmocka_unit_test(test_header_only_trace_has_no_events),
        cmocka_unit_test(test_missing_file_is_eio_naming_the_file),
        cmocka_unit_test(test_empty_file_is_eheader),
        cmocka_unit_test(test_nul_bytes_are_ebinary),
        cmocka_unit_test(test_pcap_file_is_ebinary_and_named),
        cmocka_unit_test(test_control_bytes_or_bad_utf8_first_line_is_ebinary),
        cmocka_unit_test(test_overlong_first_line_is_eheader_without_reading_on),
        cmocka_unit_test(test_text_first_line_is_ejson_naming_the_token),
        cmocka_unit_test(test_event_as_first_line_is_eheader),
        cmocka_unit_test(test_wrong_format_is_eheader),
        cmocka_unit_test(test_newer_version_is_eversion_naming_both),
        cmocka_unit_test(test_header_member_of_wrong_type_is_etype),
        cmocka_unit_test(test_header_member_missing_is_emissing),
        cmocka_unit_test(test_torn_header_fails_open),
        cmocka_unit_test(test_stdin_is_read_for_dash),
        cmocka_unit_test(test_broken_json_line_is_ejson),
        cmocka_unit_test(test_array_line_is_ejson),
        cmocka_unit_test(test_duplicate_member_is_ejson),
        cmocka_unit_test(test_nul_in_event_line_is_ebinary),
        cmocka_unit_test(test_reader_goes_on_after_a_bad_line),
        cmocka_unit_test(test_missing_member_is_emissing),
        cmocka_unit_test(test_missing_op_member_is_emissing_with_path),
        cmocka_unit_test(test_member_of_wrong_type_is_etype),
        cmocka_unit_test(test_fraction_is_not_an_integer),
        cmocka_unit_test(test_negative_len_is_evalue),
        cmocka_unit_test(test_unknown_op_is_evalue),
        cmocka_unit_test(test_unknown_members_are_allowed),
        cmocka_unit_test(test_seq_gap_is_reported_once),
        cmocka_unit_test(test_first_seq_must_be_1),
        cmocka_unit_test(test_time_going_backwards_is_evalue),
        cmocka_unit_test(test_equal_times_are_fine),
        cmocka_unit_test(test_torn_last_line_ends_the_stream),
        cmocka_unit_test(test_complete_json_without_newline_is_still_torn),
        cmocka_unit_test(test_line_longer_than_a_read_chunk),
        cmocka_unit_test(test_failed_call_needs_errno),
        cmocka_unit_test(test_errno_must_match_its_number),
        cmocka_unit_test(test_unnamed_errno_is_E_question),
        cmocka_unit_test(test_ret_below_minus_one_is_evalue),
        cmocka_unit_test(test_data_must_be_base64),
        cmocka_unit_test(test_data_must_decode_to_len),
        cmocka_unit_test(test_capped_data_may_be_shorter),
        cmocka_unit_test(test_len_must_equal_ret),
        cmocka_unit_test(test_successful_send_needs_data),
        cmocka_unit_test(test_gai_failure_needs_gai_and_system_errno),
        cmocka_unit_test(test_poll_revents_match_fds),
        cmocka_unit_test(test_every_op_has_a_minimal_valid_event),
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_round_trips_every_length),
        cmocka_unit_test(test_base64_rejects_invalid_input),
        cmocka_unit_test(test_error_format_places_line_and_field),
    };
    return cmocka_run_group_tests_name("test_trace_reader", tests, group_setup, group_teardown);
}
