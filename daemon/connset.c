/*
 * connset.c — an open-addressing hash set of pointers. libevent 2.1 gives no
 * hook when a server connection is created, so the first request on each
 * connection adds it here and its close callback removes it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "connset.h"

#define CONNSET_TOMB	((const void *)1)

static const void	**connset_tab;
static size_t		  connset_cap;		/* power of two */
static size_t		  connset_n;
static size_t		  connset_used;		/* live + tombstones */

/* Hashes a pointer (allocation addresses share low zero bits). */
static size_t
connset_hash(const void *p)
{
	uint64_t	x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* Rebuilds the table with room for twice the live entries. */
static int
connset_grow(void)
{
	const void	**old = connset_tab;
	size_t		  oldcap = connset_cap, i, ncap = 64;

	while (ncap < (connset_n + 1) * 4)
		ncap *= 2;
	if ((connset_tab = calloc(ncap, sizeof *connset_tab)) == NULL) {
		connset_tab = old;
		return -1;
	}
	connset_cap = ncap;
	connset_n = connset_used = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL && old[i] != CONNSET_TOMB)
			connset_add(old[i]);
	free(old);
	return 0;
}

/* Inserts p unless present. */
int
connset_add(const void *p)
{
	size_t	i, tomb = SIZE_MAX;

	if ((connset_used + 1) * 2 > connset_cap && connset_grow() == -1)
		return -1;
	for (i = connset_hash(p) & (connset_cap - 1);; i = (i + 1) & (connset_cap - 1)) {
		if (connset_tab[i] == p)
			return 0;
		if (connset_tab[i] == CONNSET_TOMB && tomb == SIZE_MAX)
			tomb = i;
		if (connset_tab[i] == NULL)
			break;
	}
	if (tomb != SIZE_MAX)
		i = tomb;
	else
		connset_used++;
	connset_tab[i] = p;
	connset_n++;
	return 1;
}

/* Looks p up. */
bool
connset_has(const void *p)
{
	size_t	i;

	if (connset_cap == 0)
		return false;
	for (i = connset_hash(p) & (connset_cap - 1); connset_tab[i] != NULL;
	    i = (i + 1) & (connset_cap - 1))
		if (connset_tab[i] == p)
			return true;
	return false;
}

/* Removes p, leaving a tombstone so later probes still find their keys. */
void
connset_del(const void *p)
{
	size_t	i;

	if (connset_cap == 0)
		return;
	for (i = connset_hash(p) & (connset_cap - 1); connset_tab[i] != NULL;
	    i = (i + 1) & (connset_cap - 1)) {
		if (connset_tab[i] == p) {
			connset_tab[i] = CONNSET_TOMB;
			connset_n--;
			return;
		}
	}
}

/* The number of live entries. */
size_t
connset_count(void)
{
	return connset_n;
}

/* Releases the table. */
void
connset_free(void)
{
	free(connset_tab);
	connset_tab = NULL;
	connset_cap = connset_n = connset_used = 0;
}
