#define _GNU_SOURCE /* EAI_NODATA and the other glibc extensions */
/*
 * names.c — the one table of error names and messages (libuv's UV_ERRNO_MAP
 * habit): errno, EAI_* and h_errno values to their symbolic names, used by
 * error values, traces, the CLI and logs.
 */
#include <errno.h>
#include <netdb.h>
#include <stddef.h>

#include "sockrr.h"
#include "errno_map.h"

const char *srr_errno_name(int err)
{
    switch (err) {
#define SRR_ERRNO_CASE(name) case name: return #name;
        SRR_ERRNO_MAP(SRR_ERRNO_CASE)
#undef SRR_ERRNO_CASE
    default:
        return NULL;
    }
}

/* glibc's EAI_* values and messages (the ones getaddrinfo can return). */
#define SRR_GAI_MAP(X)                                                                      \
    X(EAI_BADFLAGS, "Bad value for ai_flags")                                               \
    X(EAI_NONAME, "Name or service not known")                                              \
    X(EAI_AGAIN, "Temporary failure in name resolution")                                    \
    X(EAI_FAIL, "Non-recoverable failure in name resolution")                               \
    X(EAI_FAMILY, "ai_family not supported")                                                \
    X(EAI_SOCKTYPE, "ai_socktype not supported")                                            \
    X(EAI_SERVICE, "Servname not supported for ai_socktype")                                \
    X(EAI_MEMORY, "Memory allocation failure")                                              \
    X(EAI_SYSTEM, "System error")                                                           \
    X(EAI_OVERFLOW, "Argument buffer overflow")                                             \
    X(EAI_NODATA, "No address associated with hostname")                                    \
    X(EAI_ADDRFAMILY, "Address family for hostname not supported")                          \
    X(EAI_INPROGRESS, "Processing request in progress")                                     \
    X(EAI_CANCELED, "Request canceled")                                                     \
    X(EAI_NOTCANCELED, "Request not canceled")                                              \
    X(EAI_ALLDONE, "All requests done")                                                     \
    X(EAI_INTR, "Interrupted by a signal")                                                  \
    X(EAI_IDN_ENCODE, "Parameter string not correctly encoded")

#define SRR_HERROR_MAP(X)                                                                   \
    X(HOST_NOT_FOUND, "Unknown host")                                                       \
    X(TRY_AGAIN, "Host name lookup failure")                                                \
    X(NO_RECOVERY, "Unknown server error")                                                  \
    X(NO_DATA, "No address associated with name")

const char *srr_gai_name(int eai)
{
    switch (eai) {
#define SRR_NAME_CASE(name, msg) case name: return #name;
        SRR_GAI_MAP(SRR_NAME_CASE)
    default:
        return NULL;
    }
}

const char *srr_gai_message(int eai)
{
    switch (eai) {
#define SRR_MSG_CASE(name, msg) case name: return msg;
        SRR_GAI_MAP(SRR_MSG_CASE)
    default:
        return "Unknown error";
    }
}

const char *srr_herror_name(int h_err)
{
    switch (h_err) {
        SRR_HERROR_MAP(SRR_NAME_CASE)
    default:
        return NULL;
    }
}

const char *srr_herror_message(int h_err)
{
    switch (h_err) {
        SRR_HERROR_MAP(SRR_MSG_CASE)
    default:
        return "Resolver internal error";
    }
}
