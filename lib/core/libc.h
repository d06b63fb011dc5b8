/*
 * libc.h — the libc functions the library calls that a preload library also
 * defines.  Inside libsockrr-preload.so a call to socket() by name would land
 * in the interposer's own socket(); so the kernel world and the trace writer
 * call through this table instead.  Two files fill it, and the build picks
 * one: lib/core/libc_direct.c (libc's symbols, in libsockrr) and
 * interpose/libc_next.c (dlsym(RTLD_NEXT), in the preload library).
 */
#ifndef SOCKRR_LIBC_H
#define SOCKRR_LIBC_H

#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

/* X(name, return type, parameter list) for every entry. */
#define SRR_LIBC_FUNCS(X)                                                                      \
    X(socket, int, (int, int, int))                                                            \
    X(socketpair, int, (int, int, int, int[2]))                                                \
    X(bind, int, (int, const struct sockaddr *, socklen_t))                                    \
    X(listen, int, (int, int))                                                                 \
    X(accept4, int, (int, struct sockaddr *, socklen_t *, int))                                \
    X(connect, int, (int, const struct sockaddr *, socklen_t))                                 \
    X(send, ssize_t, (int, const void *, size_t, int))                                         \
    X(sendto, ssize_t, (int, const void *, size_t, int, const struct sockaddr *, socklen_t))   \
    X(sendmsg, ssize_t, (int, const struct msghdr *, int))                                     \
    X(recvmsg, ssize_t, (int, struct msghdr *, int))                                           \
    X(shutdown, int, (int, int))                                                               \
    X(close, int, (int))                                                                       \
    X(getsockopt, int, (int, int, int, void *, socklen_t *))                                   \
    X(setsockopt, int, (int, int, int, const void *, socklen_t))                               \
    X(getsockname, int, (int, struct sockaddr *, socklen_t *))                                 \
    X(getpeername, int, (int, struct sockaddr *, socklen_t *))                                 \
    X(fcntl, int, (int, int, ...))                                                             \
    X(ioctl, int, (int, unsigned long, ...))                                                   \
    X(ppoll, int, (struct pollfd *, nfds_t, const struct timespec *, const sigset_t *))        \
    X(getaddrinfo, int,                                                                        \
      (const char *, const char *, const struct addrinfo *, struct addrinfo **))               \
    X(freeaddrinfo, void, (struct addrinfo *))                                                 \
    X(getnameinfo, int,                                                                        \
      (const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int))         \
    X(gethostbyname2_r, int,                                                                   \
      (const char *, int, struct hostent *, char *, size_t, struct hostent **, int *))         \
    X(gethostbyaddr_r, int,                                                                    \
      (const void *, socklen_t, int, struct hostent *, char *, size_t, struct hostent **,      \
       int *))                                                                                 \
    X(gethostname, int, (char *, size_t))                                                      \
    X(sethostname, int, (const char *, size_t))                                                \
    X(if_nameindex, struct if_nameindex *, (void))                                             \
    X(if_freenameindex, void, (struct if_nameindex *))                                         \
    X(clock_gettime, int, (clockid_t, struct timespec *))                                      \
    X(clock_nanosleep, int, (clockid_t, int, const struct timespec *, struct timespec *))      \
    X(write, ssize_t, (int, const void *, size_t))                                             \
    X(pthread_cond_wait, int, (pthread_cond_t *, pthread_mutex_t *))                           \
    X(pthread_cond_clockwait, int,                                                             \
      (pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *))               \
    X(pthread_cond_broadcast, int, (pthread_cond_t *))                                         \
    X(open, int, (const char *, int, ...))

#define SRR_LIBC_FIELD(name, ret, params) ret(*name) params;
typedef struct srr_libc {
    SRR_LIBC_FUNCS(SRR_LIBC_FIELD)
} srr_libc;
#undef SRR_LIBC_FIELD

extern srr_libc srr__libc;

#endif
