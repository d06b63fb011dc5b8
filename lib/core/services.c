/*
 * services.c — lookups in the built-in services table (services.h).  The
 * table is in file order, as glibc's files backend reads /etc/services: the
 * first match wins.
 */
#include <stddef.h>
#include <string.h>

#include "services.h"

static const struct {
    const char *name;
    int port;
    const char *proto;
} services[] = {
#include "services_table.inc"
};
#define NSERVICES (sizeof services / sizeof services[0])

static int proto_matches(const char *want, const char *have)
{
    return !want || strcmp(want, have) == 0;
}

int srr__service_port(const char *name, const char *proto)
{
    for (size_t i = 0; i < NSERVICES; i++)
        if (strcmp(services[i].name, name) == 0 && proto_matches(proto, services[i].proto))
            return services[i].port;
    return -1;
}

const char *srr__service_name(int port, const char *proto)
{
    for (size_t i = 0; i < NSERVICES; i++)
        if (services[i].port == port && proto_matches(proto, services[i].proto))
            return services[i].name;
    return NULL;
}
