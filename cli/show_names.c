/*
 * show_names.c — constants by name for `sockrr show`: the tables (AF_*,
 * SOCK_*, MSG_*, SO_*, ...) and the printers that use them.
 */
#define _GNU_SOURCE /* AI_IDN, POLLRDHUP, MSG_* and SO_* extensions */
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <time.h>

#include "show.h"
#include "show_names.h"

#define NM(x) {x, #x}

static const struct show_name show_af_names[] = {
    NM(AF_UNSPEC), NM(AF_UNIX), NM(AF_INET), NM(AF_INET6), NM(AF_NETLINK), NM(AF_PACKET),
};
static const struct show_name show_socktype_names[] = {
    NM(SOCK_STREAM), NM(SOCK_DGRAM), NM(SOCK_RAW), NM(SOCK_SEQPACKET), NM(SOCK_RDM),
};
static const struct show_name show_sockflags_names[] = {NM(SOCK_NONBLOCK), NM(SOCK_CLOEXEC)};
static const struct show_name show_ipproto_names[] = {
    NM(IPPROTO_IP), NM(IPPROTO_ICMP), NM(IPPROTO_TCP), NM(IPPROTO_UDP), NM(IPPROTO_IPV6),
    NM(IPPROTO_ICMPV6), NM(IPPROTO_SCTP), NM(IPPROTO_RAW),
};
static const struct show_name show_msg_names[] = {
    NM(MSG_OOB), NM(MSG_PEEK), NM(MSG_DONTROUTE), NM(MSG_CTRUNC), NM(MSG_PROXY),
    NM(MSG_TRUNC), NM(MSG_DONTWAIT), NM(MSG_EOR), NM(MSG_WAITALL), NM(MSG_FIN),
    NM(MSG_SYN), NM(MSG_CONFIRM), NM(MSG_RST), NM(MSG_ERRQUEUE), NM(MSG_NOSIGNAL),
    NM(MSG_MORE), NM(MSG_WAITFORONE), NM(MSG_ZEROCOPY), NM(MSG_FASTOPEN),
    NM(MSG_CMSG_CLOEXEC),
};
static const struct show_name show_shut_names[] = {NM(SHUT_RD), NM(SHUT_WR), NM(SHUT_RDWR)};
static const struct show_name show_level_names[] = {
    NM(SOL_SOCKET), NM(IPPROTO_IP), NM(IPPROTO_TCP), NM(IPPROTO_UDP), NM(IPPROTO_IPV6),
};
static const struct show_name show_so_names[] = {
    NM(SO_DEBUG), NM(SO_REUSEADDR), NM(SO_TYPE), NM(SO_ERROR), NM(SO_DONTROUTE),
    NM(SO_BROADCAST), NM(SO_SNDBUF), NM(SO_RCVBUF), NM(SO_KEEPALIVE), NM(SO_OOBINLINE),
    NM(SO_NO_CHECK), NM(SO_PRIORITY), NM(SO_LINGER), NM(SO_BSDCOMPAT), NM(SO_REUSEPORT),
    NM(SO_PASSCRED), NM(SO_PEERCRED), NM(SO_RCVLOWAT), NM(SO_SNDLOWAT), NM(SO_RCVTIMEO),
    NM(SO_SNDTIMEO), NM(SO_BINDTODEVICE), NM(SO_ACCEPTCONN), NM(SO_SNDBUFFORCE),
    NM(SO_RCVBUFFORCE), NM(SO_PROTOCOL), NM(SO_DOMAIN), NM(SO_TIMESTAMP), NM(SO_MARK),
};
static const struct show_name show_tcpopt_names[] = {
    NM(TCP_NODELAY), NM(TCP_MAXSEG), NM(TCP_CORK), NM(TCP_KEEPIDLE), NM(TCP_KEEPINTVL),
    NM(TCP_KEEPCNT), NM(TCP_SYNCNT), NM(TCP_LINGER2), NM(TCP_DEFER_ACCEPT),
    NM(TCP_WINDOW_CLAMP), NM(TCP_INFO), NM(TCP_QUICKACK), NM(TCP_CONGESTION),
    NM(TCP_USER_TIMEOUT), NM(TCP_FASTOPEN), NM(TCP_NOTSENT_LOWAT),
};
static const struct show_name show_ipopt_names[] = {
    NM(IP_TOS), NM(IP_TTL), NM(IP_HDRINCL), NM(IP_OPTIONS), NM(IP_PKTINFO), NM(IP_RECVERR),
    NM(IP_MTU_DISCOVER), NM(IP_MULTICAST_IF), NM(IP_MULTICAST_TTL), NM(IP_MULTICAST_LOOP),
    NM(IP_ADD_MEMBERSHIP), NM(IP_DROP_MEMBERSHIP), NM(IP_FREEBIND), NM(IP_TRANSPARENT),
};
static const struct show_name show_ipv6opt_names[] = {
    NM(IPV6_UNICAST_HOPS), NM(IPV6_MULTICAST_IF), NM(IPV6_MULTICAST_HOPS),
    NM(IPV6_MULTICAST_LOOP), NM(IPV6_JOIN_GROUP), NM(IPV6_LEAVE_GROUP), NM(IPV6_V6ONLY),
    NM(IPV6_RECVPKTINFO), NM(IPV6_PKTINFO), NM(IPV6_RECVERR), NM(IPV6_TCLASS),
};
static const struct show_name show_udpopt_names[] = {{1, "UDP_CORK"}};
static const struct show_name show_scm_names[] = {
    NM(SCM_RIGHTS), NM(SCM_CREDENTIALS), NM(SO_TIMESTAMP),
};
static const struct show_name show_ai_names[] = {
    NM(AI_PASSIVE), NM(AI_CANONNAME), NM(AI_NUMERICHOST), NM(AI_V4MAPPED), NM(AI_ALL),
    NM(AI_ADDRCONFIG), NM(AI_IDN), NM(AI_CANONIDN), NM(AI_NUMERICSERV),
};
static const struct show_name show_ni_names[] = {
    NM(NI_NUMERICHOST), NM(NI_NUMERICSERV), NM(NI_NOFQDN), NM(NI_NAMEREQD), NM(NI_DGRAM),
    NM(NI_IDN),
};
static const struct show_name show_fcntl_names[] = {
    NM(F_DUPFD), NM(F_GETFD), NM(F_SETFD), NM(F_GETFL), NM(F_SETFL), NM(F_GETOWN),
    NM(F_SETOWN), NM(F_DUPFD_CLOEXEC),
};
static const struct show_name show_oflags_names[] = {
    NM(O_WRONLY), NM(O_RDWR), NM(O_APPEND), NM(O_NONBLOCK), NM(O_ASYNC), NM(O_DIRECT),
    NM(O_NOATIME), NM(O_CLOEXEC),
};
static const struct show_name show_fdflags_names[] = {NM(FD_CLOEXEC)};
static const struct show_name show_ioctl_names[] = {
    NM(FIONREAD), NM(FIONBIO), NM(SIOCOUTQ), NM(SIOCATMARK), NM(FIOASYNC),
};
static const struct show_name show_pollev_names[] = {
    NM(POLLIN), NM(POLLPRI), NM(POLLOUT), NM(POLLERR), NM(POLLHUP), NM(POLLNVAL),
    NM(POLLRDNORM), NM(POLLRDBAND), NM(POLLWRNORM), NM(POLLWRBAND), NM(POLLRDHUP),
};
static const struct show_name show_clock_names[] = {
    NM(CLOCK_REALTIME), NM(CLOCK_MONOTONIC), NM(CLOCK_PROCESS_CPUTIME_ID),
    NM(CLOCK_THREAD_CPUTIME_ID), NM(CLOCK_MONOTONIC_RAW), NM(CLOCK_REALTIME_COARSE),
    NM(CLOCK_MONOTONIC_COARSE), NM(CLOCK_BOOTTIME),
};
static const struct show_name show_herrno_names[] = {
    NM(HOST_NOT_FOUND), NM(TRY_AGAIN), NM(NO_RECOVERY), NM(NO_DATA),
};


const struct show_table show_af = {show_af_names, COUNT(show_af_names)};
const struct show_table show_ai = {show_ai_names, COUNT(show_ai_names)};
const struct show_table show_clock = {show_clock_names, COUNT(show_clock_names)};
const struct show_table show_fcntl = {show_fcntl_names, COUNT(show_fcntl_names)};
const struct show_table show_fdflags = {show_fdflags_names, COUNT(show_fdflags_names)};
const struct show_table show_herrno = {show_herrno_names, COUNT(show_herrno_names)};
const struct show_table show_ioctl = {show_ioctl_names, COUNT(show_ioctl_names)};
const struct show_table show_ipopt = {show_ipopt_names, COUNT(show_ipopt_names)};
const struct show_table show_ipproto = {show_ipproto_names, COUNT(show_ipproto_names)};
const struct show_table show_ipv6opt = {show_ipv6opt_names, COUNT(show_ipv6opt_names)};
const struct show_table show_level = {show_level_names, COUNT(show_level_names)};
const struct show_table show_msg = {show_msg_names, COUNT(show_msg_names)};
const struct show_table show_ni = {show_ni_names, COUNT(show_ni_names)};
const struct show_table show_oflags = {show_oflags_names, COUNT(show_oflags_names)};
const struct show_table show_pollev = {show_pollev_names, COUNT(show_pollev_names)};
const struct show_table show_scm = {show_scm_names, COUNT(show_scm_names)};
const struct show_table show_shut = {show_shut_names, COUNT(show_shut_names)};
const struct show_table show_so = {show_so_names, COUNT(show_so_names)};
const struct show_table show_sockflags = {show_sockflags_names, COUNT(show_sockflags_names)};
const struct show_table show_socktype = {show_socktype_names, COUNT(show_socktype_names)};
const struct show_table show_tcpopt = {show_tcpopt_names, COUNT(show_tcpopt_names)};
const struct show_table show_udpopt = {show_udpopt_names, COUNT(show_udpopt_names)};

const char *show_lookup(const struct show_name *t, size_t n, long long v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == v)
            return t[i].name;
    return NULL;
}

void show_enum(FILE *out, const struct show_name *t, size_t n, long long v)
{
    const char *name = show_lookup(t, n, v);
    if (name)
        fputs(name, out);
    else
        fprintf(out, "%lld", v);
}

/* "A|B|0x40"; "0" for no bits.  Bits without a name stay as hex. */
void show_flags(FILE *out, const struct show_name *t, size_t n, long long v)
{
    if (v == 0) {
        fputs("0", out);
        return;
    }
    const char *sep = "";
    unsigned long long rest = (unsigned long long)v;
    for (size_t i = 0; i < n; i++) {
        unsigned long long bit = (unsigned long long)t[i].value;
        if (bit && (rest & bit) == bit) {
            fprintf(out, "%s%s", sep, t[i].name);
            sep = "|";
            rest &= ~bit;
        }
    }
    if (rest)
        fprintf(out, "%s%#llx", sep, rest);
}

/* SOCK_STREAM|SOCK_CLOEXEC */
void show_socktype_flags(FILE *out, long long v)
{
    SHOW_ENUM(out, show_socktype, v & 0xf);
    if (v & ~0xfLL) {
        fputs("|", out);
        SHOW_FLAGS(out, show_sockflags, v & ~0xfLL);
    }
}

void show_protocol(FILE *out, long long domain, long long proto)
{
    if (domain == AF_INET || domain == AF_INET6)
        SHOW_ENUM(out, show_ipproto, proto);
    else
        fprintf(out, "%lld", proto);
}

void show_sockopt_name(FILE *out, long long level, long long name)
{
    switch (level) {
    case SOL_SOCKET: SHOW_ENUM(out, show_so, name); break;
    case IPPROTO_TCP: SHOW_ENUM(out, show_tcpopt, name); break;
    case IPPROTO_IP: SHOW_ENUM(out, show_ipopt, name); break;
    case IPPROTO_IPV6: SHOW_ENUM(out, show_ipv6opt, name); break;
    case IPPROTO_UDP: SHOW_ENUM(out, show_udpopt, name); break;
    default: fprintf(out, "%lld", name);
    }
}

/* O_RDONLY has no bit: it is the absence of the access-mode bits. */
void show_oflags_value(FILE *out, long long v)
{
    if ((v & O_ACCMODE) == O_RDONLY) {
        fputs("O_RDONLY", out);
        if (v & ~(long long)O_ACCMODE) {
            fputs("|", out);
            SHOW_FLAGS(out, show_oflags, v & ~(long long)O_ACCMODE);
        }
        return;
    }
    SHOW_FLAGS(out, show_oflags, v);
}

