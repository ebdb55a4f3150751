/* connset.h — the set of open HTTP connections, for max_connections. */
#ifndef TAKT_CONNSET_H
#define TAKT_CONNSET_H

#include <stdbool.h>
#include <stddef.h>

/* Adds p; returns 1 if added, 0 if already there, -1 on memory error. */
int	connset_add(const void *p);
/* True if p is in the set. */
bool	connset_has(const void *p);
/* Removes p if present. */
void	connset_del(const void *p);
/* How many are in the set. */
size_t	connset_count(void);
/* Frees the table. */
void	connset_free(void);

#endif
