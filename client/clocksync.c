/*
 * clocksync.c — NTP's idea in miniature: of a few sequential round trips to
 * GET /api/v1/time, the one with the shortest round trip bounds the error
 * best, and the server's time is taken to be at its midpoint.
 */
#include <string.h>

#include "clocksync.h"
#include "format.h"
#include "http.h"

static void	clocksync_send(struct clocksync *);

/* Prepares an estimator; the offset is 0 until a round finishes. */
void
clocksync_init(struct clocksync *cs, struct http_client *http)
{
	memset(cs, 0, sizeof *cs);
	cs->cs_http = http;
}

/* Local wall time corrected to the server's clock. */
int64_t
clocksync_now(const struct clocksync *cs)
{
	return format_now_ms() + cs->cs_offset_ms;
}

/* Takes one sample and sends the next, or settles the round. */
static void
clocksync_done(struct http_reply *r, void *arg)
{
	struct clocksync	*cs = arg;
	int64_t			 now = format_now_ms(), rtt, server;

	if (r->status == 200 && (server = format_ms(r->json,
	    "server_time_ms")) != FORMAT_NONE) {
		rtt = now - cs->cs_sent_ms;
		if (cs->cs_best_rtt < 0 || rtt < cs->cs_best_rtt) {
			cs->cs_best_rtt = rtt;
			cs->cs_best_offset = server - (cs->cs_sent_ms + rtt / 2);
		}
	} else
		cs->cs_left = 0;	/* the daemon is away: try next round */
	if (--cs->cs_left > 0) {
		clocksync_send(cs);
		return;
	}
	cs->cs_busy = false;
	if (cs->cs_best_rtt >= 0) {
		cs->cs_offset_ms = cs->cs_best_offset;
		cs->cs_rtt_ms = cs->cs_best_rtt;
		cs->cs_valid = true;
	}
}

/* Sends one GET /api/v1/time. */
static void
clocksync_send(struct clocksync *cs)
{
	cs->cs_sent_ms = format_now_ms();
	if (http_request(cs->cs_http, EVHTTP_REQ_GET, "/api/v1/time", NULL,
	    clocksync_done, cs) == -1)
		cs->cs_busy = false;
}

/* Starts a round of n samples unless one is running. */
void
clocksync_start(struct clocksync *cs, int n)
{
	if (cs->cs_busy)
		return;
	cs->cs_busy = true;
	cs->cs_left = n;
	cs->cs_best_rtt = -1;
	clocksync_send(cs);
}
