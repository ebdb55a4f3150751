/*
 * stream.c — one SSE connection at a time. When it ends for any reason but
 * a refusal, the next attempt waits 0.5 s, doubling to 5 s, so a restarting
 * daemon is found again soon without being hammered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "http.h"
#include "sse.h"
#include "stream.h"

#define STREAM_BACKOFF_MIN_MS	500
#define STREAM_BACKOFF_MAX_MS	5000
/* Comments come every 15 s; silence for three of them means a dead link. */
#define STREAM_IDLE_S		45

struct stream {
	struct http_client		*st_http;
	char				*st_path;
	struct stream_cbs		 st_cbs;
	void				*st_arg;
	struct evhttp_connection	*st_conn;
	struct event			*st_retry;
	struct sse_parser		 st_parser;
	struct evbuffer			*st_refusal;	/* body of a non-200 */
	int				 st_status;
	int				 st_backoff_ms;
	int				 st_next_ms;
	bool				 st_up;
	bool				 st_ever_up;
	bool				 st_failed;
	enum evhttp_request_error	 st_error;
};

static void	stream_connect(struct stream *);

/* Hands a parsed event to the owner with its data decoded. */
static void
stream_sse(const char *event, const char *id, const char *data, void *arg)
{
	struct stream	*s = arg;
	json_t		*j = json_loads(data, JSON_DECODE_ANY, NULL);

	(void)id;
	if (s->st_cbs.sc_event != NULL)
		s->st_cbs.sc_event(event, j, s->st_arg);
	json_decref(j);
}

/* Builds a stream for a stage; nothing happens until stream_start(). */
struct stream *
stream_new(struct http_client *http, const char *stage,
    const struct stream_cbs *cbs, void *arg)
{
	struct stream	*s;
	char		*e = http_escape(stage);

	if ((s = calloc(1, sizeof *s)) == NULL)
		abort();
	if (asprintf(&s->st_path, "/api/v1/stages/%s/stream", e) == -1)
		abort();
	free(e);
	s->st_http = http;
	s->st_cbs = *cbs;
	s->st_arg = arg;
	s->st_backoff_ms = STREAM_BACKOFF_MIN_MS;
	sse_parser_init(&s->st_parser, stream_sse, s);
	if ((s->st_refusal = evbuffer_new()) == NULL)
		abort();
	return s;
}

/* Ends the stream and frees everything. */
void
stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	if (s->st_retry != NULL)
		event_free(s->st_retry);
	if (s->st_conn != NULL)
		evhttp_connection_free(s->st_conn);
	sse_parser_free(&s->st_parser);
	evbuffer_free(s->st_refusal);
	free(s->st_path);
	free(s);
}

/* True while events are flowing. */
bool
stream_up(const struct stream *s)
{
	return s->st_up;
}

/* True once any connection succeeded. */
bool
stream_ever_up(const struct stream *s)
{
	return s->st_ever_up;
}

/* How long the pending reconnect waits. */
int
stream_retry_ms(const struct stream *s)
{
	return s->st_next_ms;
}

/* Timer: drops the old connection (never inside its own callback) and retries. */
static void
stream_retry(evutil_socket_t fd, short what, void *arg)
{
	struct stream	*s = arg;

	(void)fd;
	(void)what;
	stream_connect(s);
}

/* Names a failed request's reason for the link indicator. */
static const char *
stream_error_name(const struct stream *s)
{
	if (!s->st_failed)
		return "stream ended";
	switch (s->st_error) {
	case EVREQ_HTTP_TIMEOUT:
		return "stream timed out";
	case EVREQ_HTTP_EOF:
		return "connection closed";
	default:
		return "cannot connect";
	}
}

/* Schedules the next attempt and tells the owner the link is down. */
static void
stream_lost(struct stream *s, const char *why)
{
	struct timeval	tv;

	s->st_up = false;
	s->st_next_ms = s->st_backoff_ms;
	tv.tv_sec = s->st_backoff_ms / 1000;
	tv.tv_usec = (s->st_backoff_ms % 1000) * 1000;
	s->st_backoff_ms *= 2;
	if (s->st_backoff_ms > STREAM_BACKOFF_MAX_MS)
		s->st_backoff_ms = STREAM_BACKOFF_MAX_MS;
	evtimer_add(s->st_retry, &tv);
	if (s->st_cbs.sc_link != NULL)
		s->st_cbs.sc_link(false, why, s->st_arg);
}

/* Reads whatever part of the body has arrived. */
static void
stream_chunk(struct evhttp_request *req, void *arg)
{
	struct stream	*s = arg;
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);

	if (s->st_status != 200) {
		evbuffer_add_buffer(s->st_refusal, in);
		return;
	}
	/* Chunks are small (a snapshot at most), so one contiguous copy is cheap. */
	if (len > 0) {
		sse_parser_feed(&s->st_parser, (const char *)evbuffer_pullup(in,
		    -1), len);
		evbuffer_drain(in, len);
	}
}

/* The answer's head: 200 means the stream is up. */
static int
stream_header(struct evhttp_request *req, void *arg)
{
	struct stream	*s = arg;

	s->st_status = evhttp_request_get_response_code(req);
	if (s->st_status == 200) {
		s->st_up = true;
		s->st_ever_up = true;
		s->st_backoff_ms = STREAM_BACKOFF_MIN_MS;
		if (s->st_cbs.sc_link != NULL)
			s->st_cbs.sc_link(true, NULL, s->st_arg);
	}
	return 0;
}

/* Remembers why the request failed; the done callback follows. */
static void
stream_error(enum evhttp_request_error e, void *arg)
{
	struct stream	*s = arg;

	s->st_failed = true;
	s->st_error = e;
}

/* The request ended: a refusal is final, anything else is retried. */
static void
stream_done(struct evhttp_request *req, void *arg)
{
	struct stream		*s = arg;
	struct http_reply	 r;
	char			 buf[128];
	size_t			 len;

	if (req != NULL && s->st_status == 0)
		s->st_status = evhttp_request_get_response_code(req);
	if (s->st_status != 0 && s->st_status != 200) {
		memset(&r, 0, sizeof r);
		r.status = s->st_status;
		if (req != NULL)
			evbuffer_add_buffer(s->st_refusal,
			    evhttp_request_get_input_buffer(req));
		len = evbuffer_get_length(s->st_refusal);
		r.body = (char *)evbuffer_pullup(s->st_refusal, -1);
		r.json = r.body != NULL ? json_loadb(r.body, len, 0, NULL) : NULL;
		if (s->st_cbs.sc_refused != NULL)
			s->st_cbs.sc_refused(s->st_status,
			    http_reply_message(&r, buf, sizeof buf), s->st_arg);
		json_decref(r.json);
		return;
	}
	stream_lost(s, s->st_status == 200 && !s->st_failed ? "stream ended" :
	    stream_error_name(s));
}

/* Opens a fresh connection and asks for the stream. */
static void
stream_connect(struct stream *s)
{
	struct evhttp_request	*req;
	char			 uri[2048];

	if (s->st_conn != NULL) {
		evhttp_connection_free(s->st_conn);
		s->st_conn = NULL;
	}
	sse_parser_reset(&s->st_parser);
	evbuffer_drain(s->st_refusal, evbuffer_get_length(s->st_refusal));
	s->st_status = 0;
	s->st_failed = false;
	if ((s->st_conn = http_client_connect(s->st_http, STREAM_IDLE_S)) == NULL) {
		stream_lost(s, "cannot connect");
		return;
	}
	if ((req = evhttp_request_new(stream_done, s)) == NULL)
		abort();
	evhttp_request_set_chunked_cb(req, stream_chunk);
	evhttp_request_set_header_cb(req, stream_header);
	evhttp_request_set_error_cb(req, stream_error);
	http_client_prepare(s->st_http, req);
	evhttp_remove_header(evhttp_request_get_output_headers(req), "Accept");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Accept",
	    "text/event-stream");
	http_client_url(s->st_http, s->st_path, uri, sizeof uri);
	if (evhttp_make_request(s->st_conn, req, EVHTTP_REQ_GET, uri) == -1)
		stream_lost(s, "cannot connect");
}

/* Makes the first attempt now. */
void
stream_start(struct stream *s)
{
	if (s->st_retry == NULL)
		s->st_retry = evtimer_new(http_client_base(s->st_http),
		    stream_retry, s);
	stream_connect(s);
}
