/*
 * clock.c — time for the daemon. The timer must not jump when NTP steps the
 * wall clock, yet its times must mean something after a restart; so we read
 * CLOCK_MONOTONIC and express it in unix time, anchored once at start-up.
 */
#include <time.h>

#include "clock.h"

static int64_t	clock_anchor_wall_us;
static int64_t	clock_anchor_mono_us;

/* Reads a clock in microseconds. */
static int64_t
clock_read_us(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Records the wall time that corresponds to the monotonic clock now. */
void
clock_init(void)
{
	clock_anchor_mono_us = clock_read_us(CLOCK_MONOTONIC);
	clock_anchor_wall_us = clock_read_us(CLOCK_REALTIME);
}

/* Monotonic time as unix microseconds. */
int64_t
clock_now_us(void)
{
	return clock_anchor_wall_us +
	    (clock_read_us(CLOCK_MONOTONIC) - clock_anchor_mono_us);
}

/* Monotonic time as unix milliseconds. */
int64_t
clock_now_ms(void)
{
	return clock_now_us() / 1000;
}
