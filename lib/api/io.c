/*
 * io.c — moving data: send/recv in all their Python forms, sendmsg and
 * recvmsg with ancillary data, sendall with one deadline for the whole call.
 * The API's own checks come first (a NULL buffer is a ValueError, as
 * Python cannot pass one); then what Linux refuses in its syscall layer
 * (lib/core/check.h), as the interposer checks it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

struct msg_ctx {
    struct msghdr *msg;
    int flags;
};

static ssize_t recv_once(srr_socket *s, void *p)
{
    struct msg_ctx *c = p;
    return s->world->ops->recvmsg(s->world, s->fd, c->msg, c->flags);
}

static ssize_t send_once(srr_socket *s, void *p)
{
    struct msg_ctx *c = p;
    return s->world->ops->sendmsg(s->world, s->fd, c->msg, c->flags);
}

static int check_buf(const void *buf, size_t len, srr_error *err)
{
    if (!buf && len > 0)
        return srr__err_value(err, "buffer is NULL");
    if (len > SSIZE_MAX)
        return srr__err_value(err, "buffer length too large");
    return 0;
}

/* recv and recvfrom in one: from may be NULL. */
static ssize_t recv_common(srr_socket *s, void *buf, size_t len, int flags, srr_addr *from,
                           srr_error *err)
{
    struct sockaddr_storage ss;
    struct iovec iov = {.iov_base = buf, .iov_len = srr__rw_clamp(len)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (from) {
        msg.msg_name = &ss;
        msg.msg_namelen = sizeof ss;
    }
    struct msg_ctx c = {.msg = &msg, .flags = srr__check_plain_flags(flags)};
    ssize_t n = srr__sock_call(s, 0, recv_once, &c, 0, err);
    if (n >= 0 && from) {
        /* a connected stream has no sender address to report */
        if (msg.msg_namelen == 0 ||
            srr_addr_from_sockaddr(from, (struct sockaddr *)&ss, msg.msg_namelen, NULL) < 0) {
            memset(from, 0, sizeof *from);
            from->family = AF_UNSPEC;
        }
    }
    return n;
}

ssize_t srr__recv_timed(srr_socket *s, void *buf, size_t len, int flags, srr_error *err)
{
    return recv_common(s, buf, len, flags, NULL, err);
}

ssize_t srr_recv(srr_socket *s, void *buf, size_t bufsize, int flags, srr_error *err)
{
    if (srr__check_open(s, err) < 0 || check_buf(buf, bufsize, err) < 0)
        return -1;
    return recv_common(s, buf, bufsize, flags, NULL, err);
}

/* recv_into's nbytes rule: 0 means the whole buffer, more than it is an error. */
static int into_len(size_t buflen, size_t nbytes, size_t *len, srr_error *err)
{
    if (nbytes > buflen)
        return srr__err_value(err, "buffer too small for requested bytes");
    *len = nbytes ? nbytes : buflen;
    return 0;
}

ssize_t srr_recv_into(srr_socket *s, void *buf, size_t buflen, size_t nbytes, int flags,
                      srr_error *err)
{
    size_t len = 0;
    if (srr__check_open(s, err) < 0 || check_buf(buf, buflen, err) < 0 ||
        into_len(buflen, nbytes, &len, err) < 0)
        return -1;
    return recv_common(s, buf, len, flags, NULL, err);
}

ssize_t srr_recvfrom(srr_socket *s, void *buf, size_t bufsize, int flags, srr_addr *from,
                     srr_error *err)
{
    if (srr__check_open(s, err) < 0 || check_buf(buf, bufsize, err) < 0)
        return -1;
    if (!from)
        return srr__err_value(err, "from is NULL");
    return recv_common(s, buf, bufsize, flags, from, err);
}

ssize_t srr_recvfrom_into(srr_socket *s, void *buf, size_t buflen, size_t nbytes, int flags,
                          srr_addr *from, srr_error *err)
{
    size_t len = 0;
    if (srr__check_open(s, err) < 0 || check_buf(buf, buflen, err) < 0 ||
        into_len(buflen, nbytes, &len, err) < 0)
        return -1;
    if (!from)
        return srr__err_value(err, "from is NULL");
    return recv_common(s, buf, len, flags, from, err);
}

/* send and sendto in one: a NULL sa sends on the connection. */
static ssize_t send_common(srr_socket *s, const void *buf, size_t len, int flags,
                           const struct sockaddr *sa, socklen_t salen, int64_t deadline,
                           srr_error *err)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = srr__rw_clamp(len)};
    struct msghdr msg = {.msg_name = (void *)sa, .msg_namelen = sa ? salen : 0,
                         .msg_iov = &iov, .msg_iovlen = 1};
    struct msg_ctx c = {.msg = &msg, .flags = srr__check_plain_flags(flags)};
    return srr__sock_call(s, 1, send_once, &c, deadline, err);
}

ssize_t srr__send_timed(srr_socket *s, const void *buf, size_t len, int flags, srr_error *err)
{
    return send_common(s, buf, len, flags, NULL, 0, 0, err);
}

ssize_t srr_send(srr_socket *s, const void *buf, size_t len, int flags, srr_error *err)
{
    if (srr__check_open(s, err) < 0 || check_buf(buf, len, err) < 0)
        return -1;
    return send_common(s, buf, len, flags, NULL, 0, 0, err);
}

int srr_sendall(srr_socket *s, const void *buf, size_t len, int flags, srr_error *err)
{
    if (srr__check_open(s, err) < 0 || check_buf(buf, len, err) < 0)
        return -1;
    /* One deadline for the whole call (CPython 3.5+), not one per piece. */
    int64_t deadline;
    if (srr__deadline(s, &deadline, err) < 0)
        return -1;
    const char *p = buf;
    do {
        ssize_t n = send_common(s, p, len, flags, NULL, 0, deadline, err);
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    } while (len > 0);
    return 0;
}

ssize_t srr_sendto(srr_socket *s, const void *buf, size_t len, int flags, const srr_addr *to,
                   srr_error *err)
{
    if (srr__check_open(s, err) < 0 || check_buf(buf, len, err) < 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t salen;
    if (srr__addr_to_sockaddr(s->world, s->family, to, &ss, &salen, err) < 0)
        return -1;
    return send_common(s, buf, len, flags, (struct sockaddr *)&ss, salen, 0, err);
}

static int check_iov(const struct iovec *bufs, size_t nbufs, srr_error *err)
{
    if (!bufs && nbufs > 0)
        return srr__err_value(err, "buffers are NULL");
    if (nbufs > IOV_MAX)
        return srr__err_value(err, "too many buffers (%zu > %d)", nbufs, IOV_MAX);
    size_t total = 0;
    for (size_t i = 0; i < nbufs; i++) {
        if (check_buf(bufs[i].iov_base, bufs[i].iov_len, err) < 0)
            return -1;
        if (bufs[i].iov_len > SSIZE_MAX - total)
            return srr__err_value(err, "message too long");
        total += bufs[i].iov_len;
    }
    return 0;
}

ssize_t srr_sendmsg(srr_socket *s, const struct iovec *bufs, size_t nbufs, const srr_cmsg *anc,
                    size_t nanc, int flags, const srr_addr *to, srr_error *err)
{
    if (srr__check_open(s, err) < 0 || check_iov(bufs, nbufs, err) < 0)
        return -1;
    if (!anc && nanc > 0)
        return srr__err_value(err, "ancillary items are NULL");
    struct msghdr msg = {.msg_iov = (struct iovec *)bufs, .msg_iovlen = nbufs};
    struct sockaddr_storage ss;
    if (to) {
        if (srr__addr_to_sockaddr(s->world, s->family, to, &ss, &msg.msg_namelen, err) < 0)
            return -1;
        msg.msg_name = &ss;
    }
    size_t space = 0;
    for (size_t i = 0; i < nanc; i++) {
        size_t one = srr_cmsg_space(anc[i].len);
        if ((!anc[i].data && anc[i].len > 0) || one == 0 || one > INT_MAX - space)
            return srr__err_value(err, "ancillary data item %zu is invalid or too large", i);
        space += one;
    }
    void *control = NULL;
    if (space > 0) {
        control = calloc(1, space);
        if (!control)
            return srr__err_os(err, ENOMEM);
        msg.msg_control = control;
        msg.msg_controllen = space;
        struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
        for (size_t i = 0; i < nanc; i++, h = CMSG_NXTHDR(&msg, h)) {
            h->cmsg_level = anc[i].level;
            h->cmsg_type = anc[i].type;
            h->cmsg_len = CMSG_LEN(anc[i].len);
            if (anc[i].len)
                memcpy(CMSG_DATA(h), anc[i].data, anc[i].len);
        }
    }
    int bad = srr__check_sendmsg(&msg, flags, &msg);
    if (bad < 0) {
        free(control);
        return srr__err_os(err, -bad);
    }
    struct msg_ctx c = {.msg = &msg, .flags = srr__check_plain_flags(flags)};
    ssize_t n = srr__sock_call(s, 1, send_once, &c, 0, err);
    free(control);
    return n;
}

ssize_t srr_recvmsg_into(srr_socket *s, const struct iovec *bufs, size_t nbufs, void *anc,
                         size_t ancbufsize, int flags, srr_msginfo *info, srr_error *err)
{
    if (srr__check_open(s, err) < 0 || check_iov(bufs, nbufs, err) < 0)
        return -1;
    if ((!anc && ancbufsize > 0) || ancbufsize > INT_MAX)
        return srr__err_value(err, "invalid ancillary buffer");
    struct sockaddr_storage ss;
    struct msghdr msg = {.msg_name = &ss, .msg_namelen = sizeof ss,
                         .msg_iov = (struct iovec *)bufs, .msg_iovlen = nbufs,
                         .msg_control = ancbufsize ? anc : NULL, .msg_controllen = ancbufsize};
    int bad = srr__check_recvmsg(&msg, flags, &msg);
    if (bad < 0)
        return srr__err_os(err, -bad);
    struct msg_ctx c = {.msg = &msg, .flags = srr__check_plain_flags(flags)};
    ssize_t n = srr__sock_call(s, 0, recv_once, &c, 0, err);
    if (n < 0 || !info)
        return n;
    info->flags = msg.msg_flags;
    info->anclen = msg.msg_control ? msg.msg_controllen : 0;
    if (msg.msg_namelen == 0 ||
        srr_addr_from_sockaddr(&info->addr, (struct sockaddr *)&ss, msg.msg_namelen, NULL) < 0) {
        memset(&info->addr, 0, sizeof info->addr);
        info->addr.family = AF_UNSPEC;
    }
    return n;
}

ssize_t srr_recvmsg(srr_socket *s, void *buf, size_t bufsize, void *anc, size_t ancbufsize,
                    int flags, srr_msginfo *info, srr_error *err)
{
    struct iovec iov = {.iov_base = buf, .iov_len = bufsize};
    return srr_recvmsg_into(s, &iov, 1, anc, ancbufsize, flags, info, err);
}

size_t srr_cmsg_parse(const void *anc, size_t anclen, srr_cmsg *items, size_t max)
{
    const unsigned char *base = anc;
    size_t count = 0, off = 0;
    if (!anc)
        return 0;
    while (anclen - off >= sizeof(struct cmsghdr)) {
        struct cmsghdr h; /* copied: the caller's buffer need not be aligned */
        memcpy(&h, base + off, sizeof h);
        if (h.cmsg_len < CMSG_LEN(0))
            break;
        size_t len = h.cmsg_len > anclen - off ? anclen - off : h.cmsg_len; /* MSG_CTRUNC */
        if (items && count < max) {
            items[count].level = h.cmsg_level;
            items[count].type = h.cmsg_type;
            items[count].data = base + off + CMSG_LEN(0);
            items[count].len = len - CMSG_LEN(0);
        }
        count++;
        /* a length past the buffer ends it (and would overflow CMSG_ALIGN) */
        if (h.cmsg_len >= anclen - off)
            break;
        off += CMSG_ALIGN(h.cmsg_len);
    }
    return count;
}

size_t srr_cmsg_len(size_t length)
{
    if (length > (size_t)INT_MAX - CMSG_LEN(0))
        return 0;
    return CMSG_LEN(length);
}

size_t srr_cmsg_space(size_t length)
{
    if (length > (size_t)INT_MAX - CMSG_SPACE(0) - sizeof(long))
        return 0;
    return CMSG_SPACE(length);
}
