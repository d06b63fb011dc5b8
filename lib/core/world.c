/*
 * world.c — what every world shares above its table.
 */
#include "sockrr_world.h"

void srr_world_destroy(srr_world *w)
{
    if (w)
        w->ops->destroy(w);
}
