/* sse.h — Server-Sent Events streams of a stage (SPEC §5). */
#ifndef TAKT_SSE_H
#define TAKT_SSE_H

#include <stddef.h>
#include <stdint.h>

#include <event2/http.h>

#include "taktd.h"

#define SSE_OUTPUT_MAX		(256 * 1024)	/* unsent bytes before a client is dropped */
#define SSE_HEARTBEAT_S		15
#define SSE_WRITE_TIMEOUT_S	60
#define SSE_SLICE		1024		/* clients served per loop turn */

/* Turns a request into a stream of st and sends the current state. */
void	sse_open(struct stage *st, struct evhttp_request *req);
/* Answers HEAD on a stream with the stream's headers only. */
void	sse_head(struct evhttp_request *req);
/* Sends one event to every client of st; a negative id means no id line. */
void	sse_broadcast(struct stage *st, const char *event, int64_t id,
	    const char *data, size_t len);
/* Sends a comment line to every client of every stage. */
void	sse_heartbeat(void);
/* Frees what the streams of st still hold (at exit). */
void	sse_stage_free(struct stage *st);
/* Sends a final event to every client and closes the streams. */
void	sse_close_all(const char *reason);

#endif
