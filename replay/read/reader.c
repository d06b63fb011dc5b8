/*
 * reader.c — reads a JSONL trace as a stream (docs/trace-format.md): the
 * header on open, then one checked event per call.  Lines come from read(2)
 * into a buffer that holds one line at a time, so neither a long trace nor a
 * binary file without newlines is ever read whole: a NUL in the first bytes
 * ends the open before the rest of the file is looked at.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "trace.h"

enum {
    READER_CHUNK = 64 * 1024,
    /* A line holds one call's bytes in base64; larger means a broken file,
     * and the bound keeps a file without newlines from growing the buffer
     * without end. */
    READER_MAX_LINE = 256 * 1024 * 1024,
    /* The header is a few hundred bytes; a first line this long is some
     * other file, and reading on would only load more of it. */
    READER_MAX_HEADER = 1024 * 1024,
};

struct srr_trace_reader {
    int fd;
    int own_fd;          /* 0 for stdin */
    char source[256];
    char *buf;
    size_t cap, start, end; /* unconsumed bytes are buf[start, end) */
    size_t scanned;      /* buf[start, scanned) holds no '\n' */
    int eof;
    int failed;          /* a read error ended the stream */
    int discarding;      /* dropping the rest of an over-long line */
    size_t max_line;     /* READER_MAX_HEADER for line 1, then READER_MAX_LINE */
    long line;
    uint64_t read_total;  /* bytes read from fd so far */
    srr_json *header;
    int version;
    int64_t start_mono; /* header's start_monotonic_ns */
    long events;         /* valid events handed out */
    int have_prev;       /* prev_* below describe an earlier line */
    int64_t prev_seq;
    long prev_seq_line;
    int64_t prev_t;
    long prev_t_line;
    int torn;
    srr_parse_error torn_err;
    int (*more)(void *arg); /* following a file still being written */
    void *more_arg;
};

/* One line from reader_getline: text without its '\n'. */
struct reader_line {
    const char *text;
    size_t len;
    int torn;     /* the file ended before a '\n' */
    int too_long; /* longer than max_line: text is empty */
};

static void reader_seterr(srr_parse_error *err, const char *source, long line,
                          srr_parse_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void reader_seterr(srr_parse_error *err, const char *source, long line,
                          srr_parse_code code, const char *field, const char *fmt, ...)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    srr__parse_at(err, source, line, 0, -1);
    va_list ap;
    va_start(ap, fmt);
    srr__parse_vfail(err, code, field, fmt, ap);
    va_end(ap);
}

/* Reads more bytes after buf[end]; 1 read something, 0 end of file, -1 error. */
static int reader_fill(srr_trace_reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->scanned -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        if (r->cap >= r->max_line) {
            /* keep nothing of an over-long line: its text is never parsed */
            r->discarding = 1;
            r->end = r->scanned = 0;
        } else {
            if (srr__grow((void **)&r->buf, &r->cap, r->cap + 1, 1) < 0) {
                errno = ENOMEM;
                return -1;
            }
        }
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n > 0) {
            r->end += (size_t)n;
            r->read_total += (uint64_t)n;
            return 1;
        }
        if (n == 0 && r->more) {
            /* the writer may add more; once it says it is done, one last
             * read takes what it wrote before saying so */
            if (!r->more(r->more_arg))
                r->more = NULL;
            continue;
        }
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* The next line: 1 with *out, 0 at the end of the file, -1 on a read error
 * (errno set).  first: give up on the line as soon as a NUL shows (out->text
 * then holds what was read so far) or it outgrows max_line — for the first
 * line, where either means another kind of file, not to be read to its end. */
static int reader_getline(srr_trace_reader *r, struct reader_line *out, int first)
{
    memset(out, 0, sizeof *out);
    for (;;) {
        char *nl = memchr(r->buf + r->scanned, '\n', r->end - r->scanned);
        if (nl) {
            out->text = r->buf + r->start;
            out->len = (size_t)(nl - out->text);
            out->too_long = r->discarding;
            if (r->discarding)
                out->len = 0;
            r->discarding = 0;
            r->start = r->scanned = (size_t)(nl - r->buf) + 1;
            r->line++;
            return 1;
        }
        if (first && memchr(r->buf + r->start, '\0', r->end - r->start)) {
            out->text = r->buf + r->start;
            out->len = r->end - r->start;
            r->line++;
            return 1;
        }
        r->scanned = r->end;
        if (r->eof) {
            if (r->start == r->end && !r->discarding)
                return 0;
            out->text = r->buf + r->start;
            out->len = r->discarding ? 0 : r->end - r->start;
            out->torn = 1;
            out->too_long = r->discarding;
            r->discarding = 0;
            r->start = r->end = r->scanned = 0;
            r->line++;
            return 1;
        }
        int rc = reader_fill(r);
        if (rc < 0)
            return -1;
        if (first && r->discarding) {
            out->text = r->buf;
            out->too_long = 1;
            r->line++;
            return 1;
        }
        if (rc == 0)
            r->eof = 1;
    }
}

/* Why a line is not JSON: the tree reader's words, and where. */
static void reader_not_json(const srr_trace_reader *r, const srr_parse_error *jerr,
                            srr_parse_error *err)
{
    if (jerr->code == SRR_PARSE_EIO) {
        reader_seterr(err, r->source, r->line, SRR_PARSE_EIO, "", "%s", jerr->text);
        return;
    }
    char text[160];
    const char *t = jerr->text;
    snprintf(text, sizeof text, "%.150s", strncmp(t, "not JSON: ", 10) == 0 ? t + 10 : t);
    /* a line is the reader's whole input: its places are columns */
    char *l1 = strstr(text, "line 1, column");
    if (l1)
        memmove(l1, l1 + 8, strlen(l1 + 8) + 1);
    /* the message quotes the bytes near the problem: keep control bytes
     * off the terminal and the one-line layout */
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    reader_seterr(err, r->source, r->line, SRR_PARSE_EJSON, "", "not JSON: %s (column %d)", text,
                  jerr->column);
}

/* Parses one line into an object; NULL with *err (line and source set). */
static srr_json *reader_parse(const srr_trace_reader *r, const struct reader_line *ln,
                            srr_parse_error *err)
{
    if (ln->too_long) {
        reader_seterr(err, r->source, r->line, SRR_PARSE_EJSON, "",
                      "line longer than %zu bytes: not a trace line", r->max_line);
        return NULL;
    }
    const char *nul = memchr(ln->text, '\0', ln->len);
    if (nul) {
        reader_seterr(err, r->source, r->line, SRR_PARSE_EBINARY, "",
                      "binary data: a NUL byte at column %zu (a trace is JSON text)",
                      (size_t)(nul - ln->text) + 1);
        return NULL;
    }
    if (ln->len == 0 || (ln->len == 1 && ln->text[0] == '\r')) {
        reader_seterr(err, r->source, r->line, SRR_PARSE_EJSON, "",
                      "empty line (every line is one JSON object)");
        return NULL;
    }
    /* the tree reader skips a byte order mark, which a trace's lines never
     * hold */
    if (ln->len >= 3 && memcmp(ln->text, "\xef\xbb\xbf", 3) == 0) {
        reader_seterr(err, r->source, r->line, SRR_PARSE_EJSON, "",
                      "not JSON: a byte order mark (column 1)");
        return NULL;
    }
    srr_parse_error jerr;
    srr_json *v = srr__json_parse(ln->text, ln->len, r->source, &jerr);
    if (!v) {
        reader_not_json(r, &jerr, err);
        return NULL;
    }
    if (!srr__json_is(v, SRR_JSON_OBJECT)) {
        reader_seterr(err, r->source, r->line, SRR_PARSE_EJSON, "",
                      "%s, not a JSON object (every line is one object)", srr__trace_type_name(v));
        srr__json_free(v);
        return NULL;
    }
    return v;
}

/* What each header member must be: a JSON type and, for integers, a minimum. */
enum reader_htype { RH_STR, RH_INT, RH_STRARRAY };

static const struct reader_hmember {
    const char *name;
    enum reader_htype type;
    int64_t min;
} reader_header_members[] = {
    {"sockrr", RH_STR, 0},
    {"program", RH_STR, 0},
    {"argv", RH_STRARRAY, 0},
    {"world", RH_STR, 0},
    {"seed", RH_INT, 0},
    {"pid", RH_INT, 0},
    {"start_realtime_ns", RH_INT, 0},
    {"start_monotonic_ns", RH_INT, 0},
    {"payload_cap", RH_INT, -1},
};

/* Checks a header member against its row; 0 or -1 with *err. */
static int reader_check_hmember(const srr_trace_reader *r, const srr_json *h,
                                const struct reader_hmember *m, srr_parse_error *err)
{
    const srr_json *v = srr__json_get(h, m->name);
    char tok[48];
    if (!v) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EMISSING, m->name,
                      "missing: every header has it");
        return -1;
    }
    switch (m->type) {
    case RH_STR:
        if (!srr__json_is(v, SRR_JSON_STRING))
            goto bad_type;
        return 0;
    case RH_INT:
        if (!srr__json_is(v, SRR_JSON_INT))
            goto bad_type;
        if (srr__json_int(v) < m->min) {
            reader_seterr(err, r->source, 1, SRR_PARSE_EVALUE, m->name,
                          "must be >= %" PRId64 ", got %" PRId64, m->min,
                          srr__json_int(v));
            return -1;
        }
        return 0;
    case RH_STRARRAY:
        if (!srr__json_is(v, SRR_JSON_ARRAY))
            goto bad_type;
        for (size_t i = 0; i < srr__json_size(v); i++) {
            const srr_json *a = srr__json_at(v, i);
            if (!srr__json_is(a, SRR_JSON_STRING)) {
                char field[64];
                snprintf(field, sizeof field, "%s[%zu]", m->name, i);
                reader_seterr(err, r->source, 1, SRR_PARSE_ETYPE, field,
                              "expected a string, got %s %s", srr__trace_type_name(a),
                              srr__trace_token(a, tok, sizeof tok));
                return -1;
            }
        }
        return 0;
    }
bad_type:
    reader_seterr(err, r->source, 1, SRR_PARSE_ETYPE, m->name, "expected %s, got %s %s",
                  m->type == RH_STR ? "a string" : m->type == RH_INT ? "an integer" : "an array",
                  srr__trace_type_name(v), srr__trace_token(v, tok, sizeof tok));
    return -1;
}

/* The header checks: what it is (type, format), whether this reader may read
 * it (version), then its members.  0 or -1 with *err. */
static int reader_check_header(srr_trace_reader *r, const srr_json *h, srr_parse_error *err)
{
    char tok[48];
    const srr_json *type = srr__json_get(h, "type");
    const char *tname = srr__json_str(type);
    if (!tname || strcmp(tname, "header") != 0) {
        if (tname && strcmp(tname, "event") == 0)
            reader_seterr(err, r->source, 1, SRR_PARSE_EHEADER, "type",
                          "the first line is an event, not the header (header missing?)");
        else
            reader_seterr(err, r->source, 1, SRR_PARSE_EHEADER, "type",
                          "the first line must be the header (\"type\":\"header\"), got %s",
                          type ? srr__trace_token(type, tok, sizeof tok) : "no type");
        return -1;
    }
    const srr_json *format = srr__json_get(h, "format");
    if (!srr__json_str(format) || strcmp(srr__json_str(format), SRR_TRACE_FORMAT) != 0) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EHEADER, "format",
                      "expected \"" SRR_TRACE_FORMAT "\", got %s",
                      format ? srr__trace_token(format, tok, sizeof tok) : "nothing");
        return -1;
    }
    const srr_json *version = srr__json_get(h, "version");
    if (!version) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EMISSING, "version",
                      "missing: every header has it");
        return -1;
    }
    if (!srr__json_is(version, SRR_JSON_INT)) {
        reader_seterr(err, r->source, 1, SRR_PARSE_ETYPE, "version",
                      "expected an integer, got %s %s", srr__trace_type_name(version),
                      srr__trace_token(version, tok, sizeof tok));
        return -1;
    }
    int64_t v = srr__json_int(version);
    if (v > SRR_TRACE_VERSION) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EVERSION, "version",
                      "trace version %" PRId64
                      " is newer than this reader, which reads versions up to %d",
                      v, SRR_TRACE_VERSION);
        return -1;
    }
    if (v < 1) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EVALUE, "version",
                      "must be >= 1, got %" PRId64, v);
        return -1;
    }
    r->version = (int)v;
    for (size_t i = 0; i < sizeof reader_header_members / sizeof reader_header_members[0]; i++)
        if (reader_check_hmember(r, h, &reader_header_members[i], err) < 0)
            return -1;
    r->start_mono = srr__json_int(srr__json_get(h, "start_monotonic_ns"));
    return 0;
}

/* Recognisable non-JSON files, for a message better than "not JSON". */
static const char *reader_magic(const unsigned char *p, size_t len)
{
    if (len >= 4 && ((p[0] == 0xd4 && p[1] == 0xc3 && p[2] == 0xb2 && p[3] == 0xa1) ||
                     (p[0] == 0xa1 && p[1] == 0xb2 && p[2] == 0xc3 && p[3] == 0xd4) ||
                     (p[0] == 0x4d && p[1] == 0x3c && p[2] == 0xb2 && p[3] == 0xa1) ||
                     (p[0] == 0xa1 && p[1] == 0xb2 && p[2] == 0x3c && p[3] == 0x4d)))
        return "a pcap capture";
    if (len >= 4 && p[0] == 0x0a && p[1] == 0x0d && p[2] == 0x0d && p[3] == 0x0a)
        return "a pcapng capture";
    if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return "gzip data";
    return NULL;
}

/* The first line: binary and non-JSON files get their own messages. */
static srr_json *reader_first_line(srr_trace_reader *r, srr_parse_error *err)
{
    struct reader_line ln;
    int rc = reader_getline(r, &ln, 1);
    if (rc < 0) {
        reader_seterr(err, r->source, 0, SRR_PARSE_EIO, "", "cannot read: %s", strerror(errno));
        return NULL;
    }
    if (rc == 0) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EHEADER, "",
                      "empty file: no header line (not a trace, or the writer never started)");
        return NULL;
    }
    if (ln.too_long) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EHEADER, "",
                      "the first line is longer than %d bytes: not a sockrr trace",
                      READER_MAX_HEADER);
        return NULL;
    }
    const char *magic = reader_magic((const unsigned char *)ln.text, ln.len);
    if (magic) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EBINARY, "",
                      "binary file (%s), not a JSONL trace", magic);
        return NULL;
    }
    if (memchr(ln.text, '\0', ln.len)) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EBINARY, "",
                      "binary file (NUL bytes), not a JSONL trace");
        return NULL;
    }
    for (size_t i = 0; i < ln.len; i++) {
        unsigned char c = (unsigned char)ln.text[i];
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
            reader_seterr(err, r->source, 1, SRR_PARSE_EBINARY, "",
                          "binary file (byte 0x%02x at column %zu), not a JSONL trace", c, i + 1);
            return NULL;
        }
    }
    if (ln.torn) {
        reader_seterr(err, r->source, 1, SRR_PARSE_ETORN, "",
                      "torn header line (no newline: the writer was killed?)");
        return NULL;
    }
    if (!srr__json_utf8_valid(ln.text, ln.len)) {
        reader_seterr(err, r->source, 1, SRR_PARSE_EBINARY, "",
                      "binary file (not UTF-8 text), not a JSONL trace");
        return NULL;
    }
    srr_json *h = reader_parse(r, &ln, err);
    r->max_line = READER_MAX_LINE;
    if (!h && err && err->code == SRR_PARSE_EJSON) {
        char text[sizeof err->text];
        snprintf(text, sizeof text, "%s", err->text);
        snprintf(err->text, sizeof err->text, "not a sockrr trace: %.200s", text);
    }
    return h;
}

void srr__trace_follow(srr_trace_reader *r, int (*more)(void *arg), void *arg)
{
    r->more = more;
    r->more_arg = arg;
}

srr_trace_reader *srr__trace_open(const char *path, srr_parse_error *err)
{
    return srr__trace_open_as(path, NULL, err);
}

srr_trace_reader *srr__trace_open_as(const char *path, const char *name, srr_parse_error *err)
{
    const char *source = name ? name : strcmp(path, "-") == 0 ? "<stdin>" : path;
    srr_trace_reader *r = calloc(1, sizeof *r);
    char *buf = malloc(READER_CHUNK);
    if (!r || !buf) {
        reader_seterr(err, source, 0, SRR_PARSE_EIO, "", "out of memory");
        free(r);
        free(buf);
        return NULL;
    }
    r->buf = buf;
    r->cap = READER_CHUNK;
    r->max_line = READER_MAX_HEADER;
    snprintf(r->source, sizeof r->source, "%s", source);
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            reader_seterr(err, source, 0, SRR_PARSE_EIO, "", "cannot open: %s", strerror(errno));
            srr__trace_close(r);
            return NULL;
        }
        r->own_fd = 1;
    }
    r->header = reader_first_line(r, err);
    if (!r->header || reader_check_header(r, r->header, err) < 0) {
        srr__trace_close(r);
        return NULL;
    }
    return r;
}

const srr_json *srr__trace_header(const srr_trace_reader *r)
{
    return r->header;
}

int srr__trace_version(const srr_trace_reader *r)
{
    return r->version;
}

long srr__trace_line(const srr_trace_reader *r)
{
    return r->line;
}

uint64_t srr__trace_offset(const srr_trace_reader *r)
{
    return r->read_total - (r->end - r->start);
}

int srr__trace_torn(const srr_trace_reader *r, srr_parse_error *err)
{
    if (r->torn && err)
        *err = r->torn_err;
    return r->torn;
}

/* seq and t across lines.  seq must count lines: an unreadable line still
 * takes a number, so expecting prev + (lines since) reports a gap once rather
 * than on every later line; both checks then resync to what the line says. */
static int reader_check_order(srr_trace_reader *r, const srr_json *ev, int report,
                              srr_parse_error *err)
{
    const srr_json *seq = srr__json_get(ev, "seq");
    const srr_json *t = srr__json_get(ev, "t");
    int rc = 0;
    if (srr__json_is(seq, SRR_JSON_INT)) {
        int64_t s = srr__json_int(seq);
        int64_t want = r->have_prev ? r->prev_seq + (r->line - r->prev_seq_line) : r->line - 1;
        if (report && s != want) {
            reader_seterr(err, r->source, r->line, SRR_PARSE_EVALUE, "seq",
                          "expected %" PRId64 ", got %" PRId64 " (%s)",
                          want, s, s > want ? "a gap: events missing" : "numbers out of order");
            report = 0;
            rc = -1;
        }
        r->prev_seq = s;
        r->prev_seq_line = r->line;
        r->have_prev = 1;
    }
    if (srr__json_is(t, SRR_JSON_INT)) {
        int64_t v = srr__json_int(t);
        if (report && r->prev_t_line > 0 && v < r->prev_t) {
            reader_seterr(err, r->source, r->line, SRR_PARSE_EVALUE, "t",
                          "%" PRId64 " is before the previous event's %"
                          PRId64 " (line %ld): time went backwards",
                          v, r->prev_t, r->prev_t_line);
            rc = -1;
        } else if (report && r->prev_t_line == 0 && v < r->start_mono) {
            reader_seterr(err, r->source, r->line, SRR_PARSE_EVALUE, "t",
                          "%" PRId64 " is before the header's start_monotonic_ns %"
                          PRId64, v, r->start_mono);
            rc = -1;
        }
        r->prev_t = v;
        r->prev_t_line = r->line;
    }
    return rc;
}

int srr__trace_next(srr_trace_reader *r, srr_json **event, srr_parse_error *err)
{
    *event = NULL;
    if (r->torn || r->failed)
        return 0;
    struct reader_line ln;
    int rc = reader_getline(r, &ln, 0);
    if (rc < 0) {
        r->failed = 1; /* reported once; the stream ends there */
        reader_seterr(err, r->source, r->line + 1, SRR_PARSE_EIO, "", "cannot read: %s",
                      strerror(errno));
        return -1;
    }
    if (rc == 0)
        return 0;
    if (ln.torn) {
        r->torn = 1;
        reader_seterr(&r->torn_err, r->source, r->line, SRR_PARSE_ETORN, "",
                      "torn last line (the writer was killed?); %ld event%s before it %s valid",
                      r->events, r->events == 1 ? "" : "s", r->events == 1 ? "is" : "are");
        return 0;
    }
    srr_json *ev = reader_parse(r, &ln, err);
    if (!ev)
        return -1;
    if (srr__trace_check_event(ev, err) < 0) {
        srr__parse_at(err, r->source, r->line, 0, -1);
        reader_check_order(r, ev, 0, NULL);
        srr__json_free(ev);
        return -1;
    }
    if (reader_check_order(r, ev, 1, err) < 0) {
        srr__json_free(ev);
        return -1;
    }
    r->events++;
    *event = ev;
    return 1;
}

void srr__trace_close(srr_trace_reader *r)
{
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    srr__json_free(r->header);
    free(r->buf);
    free(r);
}
