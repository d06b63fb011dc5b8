/*
 * path.c — AF_UNIX socket names as files: os.unlink for a socket's name,
 * asked of the world first.  A world with names of its own (the sim, whose
 * names are no files) removes its own; the others leave it to the machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "internal.h"

int srr_unlink(srr_world *w, const char *path, srr_error *err)
{
    if (!w || !path)
        return srr__err_value(err, "world or path is NULL");
    srr_path p = {.path = path};
    int r = srr_world_control(w, SRR_CTL_PATH_UNLINK, &p);
    if (r == 1)
        return 0;
    if (r == 0) /* the world keeps the names, and none is there */
        return srr__err_os(err, ENOENT);
    if (r != -ENOTTY)
        return srr__err_os(err, -r);
    return unlink(path) < 0 ? srr__err_os(err, errno) : 0;
}
