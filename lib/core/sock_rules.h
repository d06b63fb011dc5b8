/*
 * sock_rules.h — what Linux answers from a socket's kind alone: its
 * family, type and protocol, the shape of an address given to it, and the
 * flags of a send.  One copy for every world that answers for sockets it
 * holds: the sim (which models them) and the replay (which plays them).
 * The front doors' checks (check.h) come first; a world's state (bound,
 * connected, listening) is the world's own, asked where Linux asks it.
 *
 * Each returns 0 or the negative errno, testing in Linux's order (af_inet,
 * af_inet6, af_unix; __inet_bind, __inet_stream_connect, udp_sendmsg,
 * unix_dgram_sendmsg) for the families the worlds hold: AF_INET, AF_INET6
 * and AF_UNIX.
 */
#ifndef SOCKRR_SOCK_RULES_H
#define SOCKRR_SOCK_RULES_H

#include <stddef.h>
#include <sys/socket.h>

/* socket(domain, base, protocol), base the type without its flags.  A
 * socket Linux makes but the worlds do not model (another family, a raw
 * socket, SCTP, seqpacket over IP) is refused as a kernel without it
 * would, with why (if not NULL) saying which, for the world's note ("" when
 * it is Linux's own refusal). */
int srr__rule_socket(int domain, int base, int protocol, char *why, size_t whylen);
/* socketpair's family: AF_UNIX only (IP says EOPNOTSUPP). */
int srr__rule_socketpair(int domain);
/* The protocol a socket of 0 gets. */
int srr__rule_default_proto(int domain, int base);

/* bind's address for a socket of family: *own is its length as the world
 * keeps it.  An AF_INET socket takes AF_UNSPEC with the any address. */
int srr__rule_bind_addr(int family, const struct sockaddr *sa, socklen_t len, socklen_t *own);
/* A stream connect's address (asked after the socket's state: a connected
 * socket says EISCONN first); *own as above. */
int srr__rule_stream_connect_addr(int family, const struct sockaddr *sa, socklen_t len,
                                  socklen_t *own);
/* A datagram connect's address (AF_UNSPEC, which drops the peer, is the
 * caller's to take first); *len becomes the address's own length. */
int srr__rule_dgram_peer(int family, const struct sockaddr *sa, socklen_t *len);
/* A datagram send's: its size and flags first (EMSGSIZE, EOPNOTSUPP for
 * MSG_OOB), then its address: 0 an address to send to, 1 none (the
 * socket's peer, or EDESTADDRREQ / ENOTCONN without one), or the errno. */
int srr__rule_dgram_send(int family, size_t size, int flags, const struct sockaddr *sa,
                         socklen_t namelen);

#endif
