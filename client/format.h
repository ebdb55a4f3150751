/*
 * format.h — how times, durations and snapshots read in a terminal.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define FORMAT_NONE	INT64_MIN	/* a time that is null */

int64_t		 format_ms(const json_t *, const char *);
const char	*format_str(const json_t *, const char *);
char		*format_countdown(int64_t, char *, size_t);
char		*format_signed(int64_t, char *, size_t);
char		*format_clock(int64_t, char *, size_t);
char		*format_pad(const char *, size_t, char *, size_t);
size_t		 format_width(const char *);
char		*format_state(const json_t *, int64_t, const char *, char *,
		    size_t);
int64_t		 format_now_ms(void);

#endif
