/*
 * fuzz_duration.c — libFuzzer harness for duration_parse().
 *
 * Besides crashes, checks what a parsed duration must be: whole seconds,
 * 0 up to a week, and only ever made of digits and the units h, m, s. A
 * canonical rewrite of the value ("1h2m3s") must parse back to the same.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define FUZZ_DURATION_MAX_MS	(INT64_C(7) * 24 * 3600 * 1000)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Stops the run on a broken invariant, naming it and the input. */
static void
fuzz_duration_fail(const char *what, const char *s)
{
	fprintf(stderr, "fuzz_duration: %s: \"%s\"\n", what, s);
	abort();
}

/* Parses one input as a NUL-terminated string. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, canon[64];
	const char	*p;
	int64_t		 ms = -1, again = -1, sec;
	int		 r;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	r = duration_parse(s, &ms);
	if (r != 0 && r != -1)
		fuzz_duration_fail("result neither 0 nor -1", s);
	if (r == 0) {
		if (ms < 0 || ms > FUZZ_DURATION_MAX_MS)
			fuzz_duration_fail("out of range", s);
		if (ms % 1000 != 0)
			fuzz_duration_fail("not whole seconds", s);
		for (p = s; *p != '\0'; p++) {
			if (strchr("0123456789hms", *p) == NULL)
				fuzz_duration_fail("accepted a stray byte", s);
		}
		sec = ms / 1000;
		(void)snprintf(canon, sizeof canon, "%lldh%lldm%llds",
		    (long long)(sec / 3600), (long long)(sec % 3600 / 60),
		    (long long)(sec % 60));
		if (duration_parse(canon, &again) != 0 || again != ms)
			fuzz_duration_fail("canonical form differs", s);
	}
	/* NULL and the empty string are never durations. */
	if (duration_parse(NULL, &again) != -1 ||
	    duration_parse("", &again) != -1)
		fuzz_duration_fail("NULL or empty accepted", s);
	free(s);
	return (0);
}
