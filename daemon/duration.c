/*
 * duration.c — durations as written in the configuration ("5m", "4m30s").
 *
 * Only whole seconds: every threshold the timer compares against is then a
 * whole second, so phase changes coincide with the once-a-second ticks.
 */

#include <stdint.h>

#include "config.h"

/* A week is far beyond any slot, and keeps every sum well inside int64_t. */
#define DURATION_MAX_S	(7 * 24 * 60 * 60)

/* Returns the number of seconds in one unit, or 0 for an unknown unit. */
static int64_t
duration_unit(char c, int *rank)
{
	switch (c) {
	case 'h':
		*rank = 0;
		return (3600);
	case 'm':
		*rank = 1;
		return (60);
	case 's':
		*rank = 2;
		return (1);
	}
	return (0);
}

/* Parses "90", "5m", "4m30s", "1h2m3s": units in h, m, s order, each once. */
int
duration_parse(const char *s, int64_t *ms)
{
	const char	*p = s;
	int64_t		 total = 0, n, unit;
	int		 rank, next = 0, digits;

	if (s == NULL || *s == '\0')
		return (-1);

	while (*p != '\0') {
		n = 0;
		digits = 0;
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p - '0');
			/* Stop early so that a long run of digits cannot overflow. */
			if (n > DURATION_MAX_S)
				return (-1);
			digits++;
			p++;
		}
		if (digits == 0)
			return (-1);

		if (*p == '\0') {
			/* A bare number means seconds, but only on its own. */
			if (p - digits != s)
				return (-1);
			unit = 1;
		} else {
			unit = duration_unit(*p, &rank);
			if (unit == 0 || rank < next)
				return (-1);
			next = rank + 1;
			p++;
		}

		total += n * unit;
		if (total > DURATION_MAX_S)
			return (-1);
	}

	*ms = total * 1000;
	return (0);
}
