/*
 * iface.c — network interfaces as the world sees them, and has_ipv6.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int srr_if_nameindex(srr_world *w, srr_ifname **out, size_t *count, srr_error *err)
{
    if (!w || !out || !count)
        return srr__err_value(err, "world, out or count is NULL");
    struct if_nameindex *list = NULL;
    int r = w->ops->if_nameindex(w, &list);
    if (r < 0)
        return srr__err_os(err, -r);
    size_t n = 0;
    while (list[n].if_index != 0 || list[n].if_name)
        n++;
    srr_ifname *v = calloc(n ? n : 1, sizeof *v);
    if (!v) {
        w->ops->if_freenameindex(w, list);
        return srr__err_os(err, ENOMEM);
    }
    for (size_t i = 0; i < n; i++) {
        v[i].index = list[i].if_index;
        snprintf(v[i].name, sizeof v[i].name, "%s", list[i].if_name ? list[i].if_name : "");
    }
    w->ops->if_freenameindex(w, list);
    *out = v;
    *count = n;
    return 0;
}

unsigned srr_if_nametoindex(srr_world *w, const char *name, srr_error *err)
{
    if (!name) {
        srr__err_value(err, "name is NULL");
        return 0;
    }
    srr_ifname *v;
    size_t n;
    if (srr_if_nameindex(w, &v, &n, err) < 0)
        return 0;
    unsigned idx = 0;
    for (size_t i = 0; i < n && !idx; i++)
        if (strcmp(v[i].name, name) == 0)
            idx = v[i].index;
    free(v);
    if (!idx)
        srr__err_os_msg(err, ENODEV, "no interface with this name");
    return idx;
}

int srr_if_indextoname(srr_world *w, unsigned index, char *buf, size_t len, srr_error *err)
{
    if (!buf || len == 0)
        return srr__err_value(err, "buffer is NULL");
    srr_ifname *v;
    size_t n;
    if (srr_if_nameindex(w, &v, &n, err) < 0)
        return -1;
    int r = srr__err_os(err, ENXIO);
    for (size_t i = 0; i < n; i++) {
        if (v[i].index == index) {
            if (strlen(v[i].name) >= len) {
                r = srr__err_value(err, "buffer too small for interface name");
            } else {
                strcpy(buf, v[i].name);
                srr__err_clear(err);
                r = 0;
            }
            break;
        }
    }
    free(v);
    return r;
}

int srr_has_ipv6(srr_world *w)
{
    if (!w)
        return 0;
    int fd = w->ops->socket(w, AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    w->ops->close(w, fd);
    return 1;
}
