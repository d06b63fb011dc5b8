/*
 * dlist.h — a doubly linked list kept through two fields of its nodes,
 * with a head and a tail pointer: append and unlink in one place for
 * every such list (capture flows, pcap connections and sockets).
 */
#ifndef SOCKRR_DLIST_H
#define SOCKRR_DLIST_H

#include <stddef.h>

/* n, whose fields prev and next link it, at the end of the list head..tail. */
#define SRR_DLIST_APPEND(head, tail, n, prev, next)                                                \
    do {                                                                                           \
        (n)->prev = (tail);                                                                        \
        (n)->next = NULL;                                                                          \
        if (tail)                                                                                  \
            (tail)->next = (n);                                                                    \
        else                                                                                       \
            (head) = (n);                                                                          \
        (tail) = (n);                                                                              \
    } while (0)

/* n at the start of the list: the end of it read backwards. */
#define SRR_DLIST_PREPEND(head, tail, n, prev, next) SRR_DLIST_APPEND(tail, head, n, next, prev)

/* n off the list head..tail; its own links left as they were. */
#define SRR_DLIST_UNLINK(head, tail, n, prev, next)                                                \
    do {                                                                                           \
        if ((n)->prev)                                                                             \
            (n)->prev->next = (n)->next;                                                           \
        else                                                                                       \
            (head) = (n)->next;                                                                    \
        if ((n)->next)                                                                             \
            (n)->next->prev = (n)->prev;                                                           \
        else                                                                                       \
            (tail) = (n)->prev;                                                                    \
    } while (0)

#endif
