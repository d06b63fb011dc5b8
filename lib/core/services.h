/*
 * services.h — the services database of the hermetic worlds: IANA's names
 * as Debian's netbase ships them (services_table.inc, written by
 * scripts/gen-services.sh), so a sim or fuzz run answers "http" the same on
 * every machine, netbase or not.  The kernel world keeps libc's, which reads
 * the host's /etc/services.
 */
#ifndef SOCKRR_SERVICES_H
#define SOCKRR_SERVICES_H

/* getservbyname: the port (host order) of name for proto ("tcp", "udp",
 * ...; NULL: any), or -1. */
int srr__service_port(const char *name, const char *proto);
/* getservbyport: the service's own name for port (host order) and proto
 * (NULL: any), or NULL. */
const char *srr__service_name(int port, const char *proto);

#endif
