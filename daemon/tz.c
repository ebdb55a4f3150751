/* tz.c — switching the process time zone for one computation. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tz.h"

/* Saves TZ and switches to tz so localtime_r and mktime use its rules. */
int
tz_enter(struct tz_saved *z, const char *tz)
{
	const char	*env = getenv("TZ");

	z->old = NULL;
	z->had = env != NULL;
	if (env != NULL && (z->old = strdup(env)) == NULL)
		return -1;
	if (tz == NULL || *tz == '\0')
		tz = "UTC";
	if (setenv("TZ", tz, 1) != 0) {
		free(z->old);
		z->old = NULL;
		return -1;
	}
	tzset();
	return 0;
}

/* Puts TZ back exactly as it was. */
void
tz_leave(struct tz_saved *z)
{
	if (z->had)
		(void)setenv("TZ", z->old, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	free(z->old);
	z->old = NULL;
}
