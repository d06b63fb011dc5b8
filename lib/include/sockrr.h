/*
 * sockrr.h — the BSD socket API with the semantics of Python's `socket`
 * module (shared/seed-socket-api.rst), over a pluggable world.
 *
 * Conventions:
 *  - Every fallible call takes a trailing `srr_error *err` (may be NULL) and
 *    returns -1 (or NULL) on failure with *err filled; 0, a count or an
 *    object on success.  Nothing here exits, aborts or prints.
 *  - Timeouts are seconds as double, as in Python; SRR_TIMEOUT_NONE (-1.0)
 *    stands for None (blocking mode), 0.0 for non-blocking mode.
 *  - Addresses are srr_addr values (the Python tuples): host strings may be
 *    names, numeric, "" (any) or "<broadcast>"; AF_UNIX paths are bytes and
 *    a leading NUL names Linux's abstract namespace.
 *  - Constants (AF_*, SOCK_*, SO_*, MSG_*, SOL_*, SCM_*, IPPROTO_*, IPPORT_*,
 *    INADDR_*, IP_*, IPV6_*, EAI_*, AI_*, NI_*, TCP_*) are the system's own,
 *    all reachable through this one header.
 *  - Suffixes: `_into` fills caller buffers (as Python's recv_into); `_ex`
 *    returns an error indicator instead of failing (connect_ex).
 */
#ifndef SOCKRR_H
#define SOCKRR_H

#include <netinet/in.h>  /* IPPROTO_*, IPPORT_*, INADDR_*, IP_*, IPV6_* */
#include <netinet/tcp.h> /* TCP_* */
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "sockrr_world.h"
#include "sockrr/worlds.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRR_VERSION "0.1.0"

/* ------------------------------------------------------------------ errors */

/* Python's exception classes, as values. */
typedef enum srr_error_kind {
    SRR_ERR_NONE = 0,
    SRR_ERR_OS,      /* OSError: code is an errno */
    SRR_ERR_HERROR,  /* socket.herror: code is an h_errno */
    SRR_ERR_GAI,     /* socket.gaierror: code is an EAI_* value */
    SRR_ERR_TIMEOUT, /* socket.timeout: code is ETIMEDOUT */
    SRR_ERR_VALUE,   /* ValueError / TypeError / OverflowError: a bad argument; code EINVAL */
} srr_error_kind;

typedef struct srr_error {
    srr_error_kind kind;
    int code;
    char text[200]; /* the message, e.g. "timed out", "Name or service not known" */
} srr_error;

/* "[Errno 111] ECONNREFUSED: Connection refused" style, always NUL-ended.
 * Returns buf. */
char *srr_error_format(const srr_error *err, char *buf, size_t len);
/* "OSError", "herror", "gaierror", "timeout", "ValueError". */
const char *srr_error_kind_name(srr_error_kind kind);
/* Symbolic names from the one table: "ECONNREFUSED", "EAI_NONAME",
 * "HOST_NOT_FOUND"; NULL when unknown. */
const char *srr_errno_name(int err);
const char *srr_gai_name(int eai);
const char *srr_herror_name(int h_err);
/* Messages: strerror-like, gai_strerror-like, hstrerror-like, never NULL. */
const char *srr_gai_message(int eai);
const char *srr_herror_message(int h_err);

/* --------------------------------------------------------------- addresses */

#define SRR_HOST_MAX 256
#define SRR_PATH_MAX 108 /* sizeof sun_path */

typedef struct srr_addr {
    int family;                 /* AF_INET, AF_INET6, AF_UNIX; AF_UNSPEC = unset or invalid */
    char host[SRR_HOST_MAX];    /* INET/INET6; results are numeric ("::1", "%scope" kept out) */
    int port;                   /* 0..65535; anything else is a VALUE error when used */
    uint32_t flowinfo;          /* INET6 */
    uint32_t scope_id;          /* INET6 */
    char path[SRR_PATH_MAX];    /* AF_UNIX: bytes, not NUL-terminated when full */
    size_t pathlen;             /* AF_UNIX: bytes in path; path[0]=='\0' = abstract; 0 = unnamed */
} srr_addr;

/* Fill *a.  Return 0, or -1 when host/path does not fit or is NULL, in which
 * case a->family is AF_UNSPEC so a later use fails with a VALUE error. */
int srr_addr_inet(srr_addr *a, const char *host, int port);
int srr_addr_inet6(srr_addr *a, const char *host, int port, uint32_t flowinfo, uint32_t scope_id);
int srr_addr_unix(srr_addr *a, const char *path);
int srr_addr_unix_abstract(srr_addr *a, const void *name, size_t len); /* name without the NUL */
/* "127.0.0.1:80", "[::1]:80", "/tmp/s", "@abstract"; returns buf. */
char *srr_addr_format(const srr_addr *a, char *buf, size_t len);
/* A numeric sockaddr to srr_addr (no resolution).  -1 + VALUE error for an
 * unknown family or short length. */
int srr_addr_from_sockaddr(srr_addr *a, const struct sockaddr *sa, socklen_t len, srr_error *err);

/* ------------------------------------------------------------------ socket */

#define SRR_TIMEOUT_NONE (-1.0)

typedef struct srr_socket srr_socket;

/* socket(family, type, proto): non-inheritable; starts in the world's default
 * timeout mode. */
srr_socket *srr_socket_new(srr_world *w, int family, int type, int proto, srr_error *err);
/* socketpair([family[, type[, proto]]]): family 0 means AF_UNIX, type 0
 * SOCK_STREAM. */
int srr_socketpair(srr_world *w, int family, int type, int proto, srr_socket *pair[2],
                   srr_error *err);
/* fromfd(fd, family, type, proto): duplicates fd (a handle of w). */
srr_socket *srr_fromfd(srr_world *w, int fd, int family, int type, int proto, srr_error *err);
/* socket(fileno=fd): adopts fd without duplicating it; family/type/proto
 * are read from the socket when passed as -1. */
srr_socket *srr_socket_from_fileno(srr_world *w, int fd, int family, int type, int proto,
                                   srr_error *err);
/* create_connection(address, timeout, source_address): resolves host for
 * AF_UNSPEC and tries every result in turn; returns the first that connects,
 * else the last error.  source may be NULL. */
srr_socket *srr_create_connection(srr_world *w, const char *host, int port, double timeout,
                                  const srr_addr *source, srr_error *err);
/* create_connection with the default timeout (the seed's "no timeout
 * supplied" case). */
srr_socket *srr_create_connection_default(srr_world *w, const char *host, int port,
                                          const srr_addr *source, srr_error *err);

/* close(): releases the handle once every makefile() stream is closed too,
 * and frees the object (on a detached socket it only frees).  NULL is a
 * no-op.  Returns 0 or -1 with the close error; the object is freed either
 * way. */
int srr_close(srr_socket *s, srr_error *err);
/* os.unlink(path) for an AF_UNIX socket's name: a filesystem name outlives
 * its socket (bind again: EADDRINUSE) until it is unlinked.  The sim keeps
 * such names in the world, not as files, and removes them here; the
 * kernel world unlinks the file. */
int srr_unlink(srr_world *w, const char *path, srr_error *err);
/* detach(): closed state without closing; returns the handle (-1 if closed). */
int srr_detach(srr_socket *s);
/* dup(): a new object on a duplicated, non-inheritable handle, in the
 * original's timeout mode (CPython's dup() copies gettimeout()). */
srr_socket *srr_dup(srr_socket *s, srr_error *err);
int srr_fileno(const srr_socket *s); /* -1 once closed */
int srr_family(const srr_socket *s);
int srr_type(const srr_socket *s);   /* without SOCK_NONBLOCK / SOCK_CLOEXEC */
int srr_proto(const srr_socket *s);
srr_world *srr_socket_world(const srr_socket *s);
int srr_get_inheritable(srr_socket *s, srr_error *err); /* 1, 0, or -1 */
int srr_set_inheritable(srr_socket *s, int inheritable, srr_error *err);

int srr_bind(srr_socket *s, const srr_addr *addr, srr_error *err);
int srr_listen(srr_socket *s, int backlog, srr_error *err); /* backlog < 0 is taken as 0 */
/* accept(): *conn gets the new socket; peer may be NULL.  Timeout rule: with
 * a default timeout set the new socket takes it, else it is blocking. */
int srr_accept(srr_socket *s, srr_socket **conn, srr_addr *peer, srr_error *err);
int srr_connect(srr_socket *s, const srr_addr *addr, srr_error *err);
/* connect_ex(): 0 or the errno of the connect itself (timeout gives EAGAIN in
 * timeout mode, as CPython); -1 with *err for other problems (bad address,
 * resolution failure). */
int srr_connect_ex(srr_socket *s, const srr_addr *addr, srr_error *err);
int srr_getsockname(srr_socket *s, srr_addr *addr, srr_error *err);
int srr_getpeername(srr_socket *s, srr_addr *addr, srr_error *err);
/* getsockopt(level, optname) -> int */
int srr_getsockopt_int(srr_socket *s, int level, int name, int *value, srr_error *err);
/* getsockopt(level, optname, buflen) -> bytes: returns the length stored. */
ssize_t srr_getsockopt_buf(srr_socket *s, int level, int name, void *buf, size_t buflen,
                           srr_error *err);
int srr_setsockopt_int(srr_socket *s, int level, int name, int value, srr_error *err);
int srr_setsockopt_buf(srr_socket *s, int level, int name, const void *buf, size_t len,
                       srr_error *err);
int srr_shutdown(srr_socket *s, int how, srr_error *err);

/* Timeout modes ("Notes on socket timeouts"). */
double srr_gettimeout(const srr_socket *s); /* SRR_TIMEOUT_NONE, 0.0, or seconds */
int srr_settimeout(srr_socket *s, double seconds, srr_error *err);
int srr_setblocking(srr_socket *s, int blocking, srr_error *err);
/* Python 3.7's getblocking(): 1 unless non-blocking (timeout 0.0), as CPython. */
int srr_getblocking(const srr_socket *s);
double srr_getdefaulttimeout(const srr_world *w);
int srr_setdefaulttimeout(srr_world *w, double seconds, srr_error *err);

/* Data.  Counts are bytes; 0 from recv means end of stream. */
ssize_t srr_recv(srr_socket *s, void *buf, size_t bufsize, int flags, srr_error *err);
ssize_t srr_recv_into(srr_socket *s, void *buf, size_t buflen, size_t nbytes, int flags,
                      srr_error *err); /* nbytes 0 = buflen; nbytes > buflen is a VALUE error */
ssize_t srr_recvfrom(srr_socket *s, void *buf, size_t bufsize, int flags, srr_addr *from,
                     srr_error *err);
ssize_t srr_recvfrom_into(srr_socket *s, void *buf, size_t buflen, size_t nbytes, int flags,
                          srr_addr *from, srr_error *err);
ssize_t srr_send(srr_socket *s, const void *buf, size_t len, int flags, srr_error *err);
/* sendall(): sends everything or fails; under a timeout the whole call has
 * the timeout (CPython 3.5+), not each piece. */
int srr_sendall(srr_socket *s, const void *buf, size_t len, int flags, srr_error *err);
ssize_t srr_sendto(srr_socket *s, const void *buf, size_t len, int flags, const srr_addr *to,
                   srr_error *err);

/* Ancillary data, as Python's (level, type, data) tuples. */
typedef struct srr_cmsg {
    int level;
    int type;
    const void *data;
    size_t len;
} srr_cmsg;

/* Received message metadata (the rest of Python's recvmsg tuple). */
typedef struct srr_msginfo {
    int flags;             /* msg_flags: MSG_TRUNC, MSG_CTRUNC, MSG_EOR, ... */
    size_t anclen;         /* bytes of ancillary data stored in anc */
    srr_addr addr;         /* sender, family AF_UNSPEC when none */
} srr_msginfo;

/* sendmsg(buffers, ancdata, flags, address): to may be NULL. */
ssize_t srr_sendmsg(srr_socket *s, const struct iovec *bufs, size_t nbufs, const srr_cmsg *anc,
                    size_t nanc, int flags, const srr_addr *to, srr_error *err);
/* recvmsg(bufsize, ancbufsize, flags): anc may be NULL with ancbufsize 0.
 * Parse anc with srr_cmsg_parse. */
ssize_t srr_recvmsg(srr_socket *s, void *buf, size_t bufsize, void *anc, size_t ancbufsize,
                    int flags, srr_msginfo *info, srr_error *err);
/* recvmsg_into(buffers, ancbufsize, flags): scatter into bufs. */
ssize_t srr_recvmsg_into(srr_socket *s, const struct iovec *bufs, size_t nbufs, void *anc,
                         size_t ancbufsize, int flags, srr_msginfo *info, srr_error *err);
/* Splits received ancillary data into items (pointing into anc); returns the
 * number of items (which may exceed max: only max are stored). */
size_t srr_cmsg_parse(const void *anc, size_t anclen, srr_cmsg *items, size_t max);
/* CMSG_LEN / CMSG_SPACE: 0 when length is out of range (Python's
 * OverflowError), else the value. */
size_t srr_cmsg_len(size_t length);
size_t srr_cmsg_space(size_t length);

/* makefile(mode): a stdio stream over the socket, honouring its timeout (a
 * timeout shows as a stream error with errno ETIMEDOUT).  mode: letters from
 * "r", "w", "b" only, as CPython: "w" writes, "r" (or no "w") reads, "rw"
 * does both.  The socket stays open until both it and every stream are
 * closed. */
FILE *srr_makefile(srr_socket *s, const char *mode, srr_error *err);

/* -------------------------------------------------------------- resolver */

/* One entry of getaddrinfo's list: (family, type, proto, canonname, sockaddr). */
typedef struct srr_addrinfo {
    int family;
    int type;
    int proto;
    char canonname[SRR_HOST_MAX]; /* "" unless AI_CANONNAME, and only on the first */
    srr_addr addr;
} srr_addrinfo;

typedef struct srr_addrinfo_list {
    size_t count;
    srr_addrinfo *items;
} srr_addrinfo_list;

/* getaddrinfo(host, port, family, type, proto, flags).  host NULL = None;
 * port is a service name or number string, or NULL.  Fills *out (free with
 * srr_addrinfo_list_free). */
int srr_getaddrinfo(srr_world *w, const char *host, const char *port, int family, int type,
                    int proto, int flags, srr_addrinfo_list *out, srr_error *err);
void srr_addrinfo_list_free(srr_addrinfo_list *list);

/* Python's hostent triple (hostname, aliaslist, ipaddrlist). */
typedef struct srr_hostent {
    char name[SRR_HOST_MAX];
    size_t naliases;
    char **aliases;
    size_t naddrs;
    char **addrs; /* numeric strings */
} srr_hostent;
void srr_hostent_free(srr_hostent *h);

/* gethostbyname(name): IPv4 numeric string into buf. */
int srr_gethostbyname(srr_world *w, const char *name, char *buf, size_t len, srr_error *err);
int srr_gethostbyname_ex(srr_world *w, const char *name, srr_hostent *out, srr_error *err);
int srr_gethostbyaddr(srr_world *w, const char *ip, srr_hostent *out, srr_error *err);
/* getfqdn([name]): name NULL or "" = this host. Never fails for a resolver
 * miss (returns name as given, as Python); -1 only for bad arguments. */
int srr_getfqdn(srr_world *w, const char *name, char *buf, size_t len, srr_error *err);
int srr_gethostname(srr_world *w, char *buf, size_t len, srr_error *err);
int srr_sethostname(srr_world *w, const char *name, srr_error *err);
/* getnameinfo(sockaddr, flags) -> (host, port) */
int srr_getnameinfo(srr_world *w, const srr_addr *addr, int flags, char *host, size_t hostlen,
                    char *serv, size_t servlen, srr_error *err);
/* getprotobyname / getservbyname / getservbyport read the local databases
 * (/etc/protocols, /etc/services): they are not network calls. */
int srr_getprotobyname(const char *name, srr_error *err); /* protocol number */
int srr_getservbyname(const char *name, const char *proto, srr_error *err); /* port, proto may be NULL */
int srr_getservbyport(int port, const char *proto, char *buf, size_t len, srr_error *err);

/* ---------------------------------------------------------------- network
 * interfaces, as the world sees them */

typedef struct srr_ifname {
    unsigned index;
    char name[IF_NAMESIZE];
} srr_ifname;
/* if_nameindex(): *out is a malloc'd array of *count items (free()). */
int srr_if_nameindex(srr_world *w, srr_ifname **out, size_t *count, srr_error *err);
unsigned srr_if_nametoindex(srr_world *w, const char *name, srr_error *err); /* 0 on error */
int srr_if_indextoname(srr_world *w, unsigned index, char *buf, size_t len, srr_error *err);
/* has_ipv6: whether the world can make an AF_INET6 socket. */
int srr_has_ipv6(srr_world *w);

/* ------------------------------------------------ conversions (pure) */

uint32_t srr_ntohl(uint32_t x);
uint16_t srr_ntohs(uint16_t x);
uint32_t srr_htonl(uint32_t x);
uint16_t srr_htons(uint16_t x);
/* inet_aton(ip_string) -> 4 packed bytes (accepts the short forms, as libc) */
int srr_inet_aton(const char *ip, unsigned char out[4], srr_error *err);
/* inet_ntoa(packed_ip): packed must be exactly 4 bytes. */
int srr_inet_ntoa(const void *packed, size_t len, char *buf, size_t buflen, srr_error *err);
/* inet_pton(family, ip_string): returns the packed length (4 or 16). */
int srr_inet_pton(int family, const char *ip, void *out, size_t outlen, srr_error *err);
/* inet_ntop(family, packed_ip): packed length must match the family. */
int srr_inet_ntop(int family, const void *packed, size_t len, char *buf, size_t buflen,
                  srr_error *err);

#ifdef __cplusplus
}
#endif
#endif
