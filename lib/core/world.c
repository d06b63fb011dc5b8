/*
 * world.c — what every world shares above its table: its base, its
 * capabilities, the control slot's dispatch, destroy.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "sockrr_world.h"

void srr_world_init(srr_world *w, const srr_world_ops *ops)
{
    w->ops = ops;
    w->default_timeout_ns = -1;
    w->caps = ops->version >= 3 ? ops->caps : 0;
}

void srr_world_wrap(srr_world *w, const srr_world_ops *ops, const srr_world *inner)
{
    srr_world_init(w, ops);
    w->caps |= srr_world_caps(inner);
    w->default_timeout_ns = inner->default_timeout_ns;
}

unsigned srr_world_caps(const srr_world *w)
{
    return w && w->ops->version >= 3 ? w->caps : 0;
}

int srr_world_control(srr_world *w, int op, void *arg)
{
    if (!w || w->ops->version < 3 || !w->ops->control)
        return -ENOTTY;
    return w->ops->control(w, op, arg);
}

int srr_world_no_control(srr_world *w, int op, void *arg)
{
    (void)w, (void)op, (void)arg;
    return -ENOTTY;
}

const char *srr_world_no_unsupported(srr_world *w)
{
    (void)w;
    return NULL;
}

void srr_world_free(srr_world *w)
{
    free(w);
}

void srr_world_destroy(srr_world *w)
{
    if (w)
        w->ops->destroy(w);
}
