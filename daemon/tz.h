/*
 * tz.h — showing times in the event's time zone. The C library only knows
 * the process-wide TZ, so the zone is switched for the length of one render
 * and put back exactly as it was. Event-loop thread only: no other thread
 * may call localtime meanwhile (the log writes UTC for that reason).
 */
#ifndef TAKT_TZ_H
#define TAKT_TZ_H

#include <stdbool.h>

/* What TZ was before tz_enter. */
struct tz_saved {
	char	*old;
	bool	 had;
};

/* Switches TZ to tz (NULL or "" means UTC); 0, or -1 with nothing changed. */
int	tz_enter(struct tz_saved *, const char *tz);
/* Restores TZ, unset included. */
void	tz_leave(struct tz_saved *);

#endif
