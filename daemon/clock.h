/* clock.h — the daemon's one source of time. */
#ifndef TAKT_CLOCK_H
#define TAKT_CLOCK_H

#include <stdint.h>

/* Anchors the monotonic clock to wall time; call once at start-up. */
void	clock_init(void);
/* Milliseconds on CLOCK_MONOTONIC, expressed as unix time since clock_init. */
int64_t	clock_now_ms(void);
/* The same in microseconds, for scheduling timers precisely. */
int64_t	clock_now_us(void);

#endif
