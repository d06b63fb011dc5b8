/*
 * world_assert.h — what the front doors' argument check (lib/core/check.h)
 * guarantees every slot of a world, stated as assertions at the slots'
 * entry (the sim's, the replay's, the tap's).  A failing one is a caller
 * that went around the check: the bug is there, not in the world.
 */
#ifndef SOCKRR_WORLD_ASSERT_H
#define SOCKRR_WORLD_ASSERT_H

#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "check.h"

/* bind, connect: an address at least as long as its family field. */
static inline void srr__assert_sockaddr(const struct sockaddr *sa, socklen_t len)
{
    assert(sa && len >= sizeof(sa_family_t) && len <= sizeof(struct sockaddr_storage));
    (void)sa, (void)len;
}

/* An out-address: both or neither, and a length that is not negative. */
static inline void srr__assert_addr_out(const struct sockaddr *sa, const socklen_t *len)
{
    assert((sa == NULL) == (len == NULL));
    assert(!len || (int)*len >= 0);
    (void)sa, (void)len;
}

/* A message as the check leaves it: readable, a name no longer than any
 * address, pieces whose lengths sum within ssize_t, buffers behind every
 * length (a receive with MSG_TRUNC excepted: TCP discards then). */
static inline void srr__assert_msg(const struct msghdr *m, int flags, int receiving)
{
    assert(m && !(flags & SRR_MSG_CMSG_COMPAT));
    assert(m->msg_namelen <= sizeof(struct sockaddr_storage));
    assert(m->msg_name || m->msg_namelen == 0);
    assert(m->msg_iovlen <= IOV_MAX && (m->msg_iov || m->msg_iovlen == 0));
    assert(receiving || m->msg_control || m->msg_controllen == 0);
#ifndef NDEBUG
    size_t total = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++) {
        size_t len = m->msg_iov[i].iov_len;
        assert(m->msg_iov[i].iov_base || len == 0 || (receiving && (flags & MSG_TRUNC)));
        assert(len <= (size_t)SSIZE_MAX - total);
        total += len;
    }
#endif
    (void)m, (void)flags, (void)receiving;
}

#endif
