/*
 * clocksync.h — estimates the daemon's clock offset from GET /api/v1/time
 * round trips, so deadlines can be rendered locally between ticks.
 */
#ifndef CLOCKSYNC_H
#define CLOCKSYNC_H

#include <stdbool.h>
#include <stdint.h>

struct http_client;

struct clocksync {
	struct http_client	*cs_http;
	int64_t			 cs_offset_ms;	/* server − local */
	int64_t			 cs_rtt_ms;	/* of the sample used */
	int64_t			 cs_best_rtt;	/* of this round */
	int64_t			 cs_best_offset;
	int64_t			 cs_sent_ms;
	int			 cs_left;
	bool			 cs_valid;
	bool			 cs_busy;
};

void	clocksync_init(struct clocksync *, struct http_client *);
void	clocksync_start(struct clocksync *, int);
int64_t	clocksync_now(const struct clocksync *);

#endif
