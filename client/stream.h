/*
 * stream.h — follows GET /api/v1/stages/{stage}/stream and reconnects with
 * backoff whenever the daemon goes away.
 */
#ifndef STREAM_H
#define STREAM_H

#include <stdbool.h>

#include <jansson.h>

struct http_client;
struct stream;

struct stream_cbs {
	/* An event arrived; data is its JSON or NULL. */
	void	(*sc_event)(const char *, const json_t *, void *);
	/* The stream came up (true) or went away (false, with why). */
	void	(*sc_link)(bool, const char *, void *);
	/* The server refused the stream (not 200): it will not be retried. */
	void	(*sc_refused)(int, const char *, void *);
};

struct stream	*stream_new(struct http_client *, const char *,
		    const struct stream_cbs *, void *);
void		 stream_start(struct stream *);
void		 stream_free(struct stream *);
bool		 stream_up(const struct stream *);
bool		 stream_ever_up(const struct stream *);
int		 stream_retry_ms(const struct stream *);

#endif
