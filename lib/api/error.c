/*
 * error.c — error values with Python's exception kinds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int err_set(srr_error *err, srr_error_kind kind, int code, const char *text)
{
    if (err) {
        err->kind = kind;
        err->code = code;
        snprintf(err->text, sizeof err->text, "%s", text);
    }
    return -1;
}

int srr__err_os(srr_error *err, int errnum)
{
    char buf[128];
    /* GNU strerror_r returns the message, which may not be buf. */
    return err_set(err, SRR_ERR_OS, errnum, strerror_r(errnum, buf, sizeof buf));
}

int srr__err_os_msg(srr_error *err, int errnum, const char *msg)
{
    return err_set(err, SRR_ERR_OS, errnum, msg);
}

int srr__err_gai(srr_error *err, int eai, int sys_errno)
{
    if (eai == EAI_SYSTEM && sys_errno != 0)
        return srr__err_os(err, sys_errno);
    return err_set(err, SRR_ERR_GAI, eai, srr_gai_message(eai));
}

int srr__err_herror(srr_error *err, int h_err)
{
    return err_set(err, SRR_ERR_HERROR, h_err, srr_herror_message(h_err));
}

int srr__err_timeout(srr_error *err)
{
    return err_set(err, SRR_ERR_TIMEOUT, ETIMEDOUT, "timed out");
}

int srr__err_value(srr_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
        err->kind = SRR_ERR_VALUE;
        err->code = EINVAL;
    }
    return -1;
}

void srr__err_clear(srr_error *err)
{
    if (err) {
        err->kind = SRR_ERR_NONE;
        err->code = 0;
        err->text[0] = '\0';
    }
}

const char *srr_error_kind_name(srr_error_kind kind)
{
    switch (kind) {
    case SRR_ERR_NONE: return "none";
    case SRR_ERR_OS: return "OSError";
    case SRR_ERR_HERROR: return "herror";
    case SRR_ERR_GAI: return "gaierror";
    case SRR_ERR_TIMEOUT: return "timeout";
    case SRR_ERR_VALUE: return "ValueError";
    }
    return "unknown";
}

char *srr_error_format(const srr_error *err, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    if (!err) {
        snprintf(buf, len, "no error");
        return buf;
    }
    const char *name = NULL;
    switch (err->kind) {
    case SRR_ERR_OS: name = srr_errno_name(err->code); break;
    case SRR_ERR_GAI: name = srr_gai_name(err->code); break;
    case SRR_ERR_HERROR: name = srr_herror_name(err->code); break;
    default: break;
    }
    switch (err->kind) {
    case SRR_ERR_OS:
    case SRR_ERR_GAI:
    case SRR_ERR_HERROR:
        snprintf(buf, len, "%s: [Errno %d%s%s] %s", srr_error_kind_name(err->kind), err->code,
                 name ? " " : "", name ? name : "", err->text);
        break;
    default:
        snprintf(buf, len, "%s: %s", srr_error_kind_name(err->kind), err->text);
        break;
    }
    return buf;
}
