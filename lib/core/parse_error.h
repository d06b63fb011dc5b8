/*
 * parse_error.h — a problem in something a user gave sockrr to read (a
 * trace, a capture, a sim config), in the manner of jansson's
 * json_error_t: where (source, line, column, offset), which member, a
 * code, and a text that names the offending token.  One type for every
 * reader, printed one way: "source:line:column: field: text".
 */
#ifndef SOCKRR_PARSE_ERROR_H
#define SOCKRR_PARSE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum srr_parse_code {
    SRR_PARSE_OK = 0,
    SRR_PARSE_EIO,        /* the input cannot be opened or read */
    SRR_PARSE_EJSON,      /* not JSON, or a trace line that is not a JSON object */
    SRR_PARSE_EHEADER,    /* a trace's first line is not a valid header */
    SRR_PARSE_EVERSION,   /* a format version newer than this reader */
    SRR_PARSE_EMISSING,   /* a required member is absent */
    SRR_PARSE_ETYPE,      /* a member has the wrong JSON type */
    SRR_PARSE_EVALUE,     /* a value is out of range or inconsistent */
    SRR_PARSE_ETORN,      /* a trace's last line has no newline (a killed writer) */
    SRR_PARSE_EBINARY,    /* the file holds NUL bytes or is not text */
    SRR_PARSE_EUNKNOWN,   /* a config key that is not in the format */
    SRR_PARSE_EDUPLICATE, /* a duplicate host, address or key */
    SRR_PARSE_EREF,       /* names a host or service that does not exist */
    SRR_PARSE_ENEVER,     /* a fault rule that can never match */
} srr_parse_code;

typedef struct srr_parse_error {
    char source[256]; /* the file's name, or "<string>" */
    long line;        /* 1-based; 0 when not about a line (a capture's: its packet) */
    int column;       /* 1-based; 0 when not known */
    long long offset; /* bytes into the source; -1 when not known */
    char field[128];  /* the member's path: "args.addr", "hosts.db.addrs[1]"; "" none */
    int code;         /* srr_parse_code */
    char text[256];
} srr_parse_error;

/* Where the problem is: source (NULL: as it was), line, column and offset
 * (0, 0, -1 where not known). */
void srr__parse_at(srr_parse_error *e, const char *source, long line, int column,
                   long long offset);
/* "source:line:column: field: text" into buf (the parts that are known);
 * returns buf. */
char *srr__parse_error_format(const srr_parse_error *e, char *buf, size_t len);
/* Fills e's code, field and text (e may be NULL; where is the caller's);
 * returns -1. */
int srr__parse_fail(srr_parse_error *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int srr__parse_vfail(srr_parse_error *e, int code, const char *field, const char *fmt,
                     va_list ap) __attribute__((format(printf, 4, 0)));

#endif
