/*
 * sse.c — stream clients. An event is formatted once into one buffer and
 * copied to each client's connection; a client whose connection holds more
 * than SSE_OUTPUT_MAX unsent bytes is reading too slowly and is dropped, so
 * a stalled phone never grows the daemon.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "clock.h"
#include "connset.h"
#include "fanout.h"
#include "http.h"
#include "log.h"
#include "snapshot.h"
#include "sse.h"

struct sse_client {
	TAILQ_ENTRY(sse_client)	 entry;
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;
	struct bufferevent	*bev;
	evutil_socket_t		 fd;
	bool			 chunked;	/* HTTP/1.1: each event is one chunk */
	uint64_t		 joined;	/* sse_joins when it joined */
	struct stage		*stage;
};

/*
 * One event, formatted once for every client: "<hex>\r\n" EVENT "\r\n", so a
 * chunked (HTTP/1.1) client gets all of it and an HTTP/1.0 one the middle.
 */
struct sse_msg {
	char	*buf;
	size_t	 len;		/* the whole chunk */
	size_t	 raw_off;	/* where the event itself starts */
	size_t	 raw_len;
};

/*
 * A broadcast to thousands of clients is sent SSE_SLICE clients per loop
 * turn, so an API request or a new stream waits for one slice, not for the
 * whole fan-out. Clients that joined after it began are skipped (their
 * first state is newer); a new event for the stage first finishes the one
 * under way, so every client sees events in order.
 */
struct sse_bcast {
	struct sse_msg		 msg;
	struct sse_client	*next;		/* the next client to serve */
	uint64_t		 joins;		/* sse_joins when it began */
	bool			 active;
	struct event		*ev;
	struct fanout_item	*items;		/* a slice's sends, kept between ticks */
	struct sse_client	**who;		/* the client of each item */
	size_t			 cap;
};

static uint64_t		 sse_joins;

/* Forgets a client; called when its connection is freed, for any reason. */
static void
sse_client_closed(struct evhttp_connection *evcon, void *arg)
{
	struct sse_client *c = arg;

	connset_del(evcon);
	env->nconnections = connset_count();
	/*
	 * When the peer went away, libevent has already detached the request
	 * from the connection and will not free it; ending the reply does.
	 * When we drop the client ourselves the request is still attached and
	 * is freed with the connection right after this callback.
	 */
	if (evhttp_request_get_connection(c->req) == NULL)
		evhttp_send_reply_end(c->req);
	if (c->stage->bcast != NULL && c->stage->bcast->next == c)
		c->stage->bcast->next = TAILQ_NEXT(c, entry);
	TAILQ_REMOVE(&c->stage->clients, c, entry);
	c->stage->nclients--;
	env->nstreams--;
	free(c);
}

/* Bytes queued on a client's connection and not yet taken by the kernel. */
static size_t
sse_backlog(struct sse_client *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* Drops a client that fell behind; its close callback frees it. */
static void
sse_drop(struct sse_client *c, const char *why)
{
	log_info("stream %s: dropping a client: %s", c->stage->id, why);
	env->metrics.sse_dropped++;
	evhttp_connection_free(c->evcon);
}

/* The bytes of m for c: the whole chunk, or the bare event (HTTP/1.0). */
static const char *
sse_bytes(const struct sse_client *c, const struct sse_msg *m, size_t *n)
{
	*n = c->chunked ? m->len : m->raw_len;
	return c->chunked ? m->buf : m->buf + m->raw_off;
}

/*
 * Sends an event to one client. When nothing is queued for it, the bytes go
 * straight to the socket (no write event to arm and disarm per client per
 * tick: that was most of the fan-out's cost); only what the kernel does not
 * take is queued, in order, on the connection, and a client whose queue has
 * passed SSE_OUTPUT_MAX is reading too slowly and is dropped.
 */
static void
sse_send(struct sse_client *c, const struct sse_msg *m)
{
	size_t		 n;
	const char	*p = sse_bytes(c, m, &n);
	size_t		 queued = sse_backlog(c);
	ssize_t		 w;

	if (queued > SSE_OUTPUT_MAX) {
		sse_drop(c, "output buffer over bound");
		return;
	}
	if (queued == 0 && c->fd >= 0) {
		w = send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		}
		/* Errors other than a full buffer show up on the queued write. */
	}
	if (n > 0)
		bufferevent_write(c->bev, p, n);
}

/* Formats "event: E\nid: N\ndata: D\n\n" once, framed as a chunk too. */
static int
sse_format(struct sse_msg *m, const char *event, int64_t id, const char *data,
    size_t len)
{
	char	head[96], hex[24];
	int	n, h;

	if (id >= 0)
		n = snprintf(head, sizeof head, "event: %s\nid: %" PRId64 "\ndata: ",
		    event, id);
	else
		n = snprintf(head, sizeof head, "event: %s\ndata: ", event);
	if (n < 0 || (size_t)n >= sizeof head)
		return -1;
	m->raw_len = (size_t)n + len + 2;
	h = snprintf(hex, sizeof hex, "%zx\r\n", m->raw_len);
	m->raw_off = (size_t)h;
	m->len = m->raw_off + m->raw_len + 2;
	if ((m->buf = malloc(m->len)) == NULL)
		return -1;
	memcpy(m->buf, hex, (size_t)h);
	memcpy(m->buf + h, head, (size_t)n);
	memcpy(m->buf + h + n, data, len);
	memcpy(m->buf + h + n + len, "\n\n\r\n", 4);
	return 0;
}

/* Serves up to max clients of the broadcast under way; true when done. */
static bool
sse_bcast_run(struct stage *st, size_t max)
{
	struct sse_bcast	*b = st->bcast;
	struct sse_client	*c;
	size_t			 n = 0, ni = 0, i, cap;
	struct fanout_item	*items;
	struct sse_client	**who;

	/* The arrays grow to the largest slice once, not per tick. */
	cap = max < st->nclients ? max : st->nclients;
	if (cap > b->cap) {
		void *more_items = realloc(b->items, cap * sizeof *b->items);
		void *more_who = more_items != NULL ? realloc(b->who, cap * sizeof *b->who) : NULL;

		if (more_items != NULL)
			b->items = more_items;
		if (more_who != NULL) {
			b->who = more_who;
			b->cap = cap;
		}
	}
	cap = b->cap;
	items = b->items;
	who = b->who;
	while ((c = b->next) != NULL && n < max) {
		/* Move on first: dropping c frees it. */
		b->next = TAILQ_NEXT(c, entry);
		if (c->joined > b->joins)
			continue;
		n++;
		if (sse_backlog(c) != 0 ||
		    c->fd < 0 || ni == cap) {
			sse_send(c, &b->msg);	/* queued behind what is there */
			continue;
		}
		items[ni].fd = c->fd;
		items[ni].p = sse_bytes(c, &b->msg, &items[ni].n);
		who[ni++] = c;
	}
	/* No callback runs until this returns, so every who[] is still alive. */
	fanout_send(items, ni);
	for (i = 0; i < ni; i++) {
		if (items[i].sent < items[i].n)
			bufferevent_write(who[i]->bev, items[i].p + items[i].sent,
			    items[i].n - items[i].sent);
	}
	if (b->next != NULL)
		return false;
	b->active = false;
	free(b->msg.buf);
	b->msg.buf = NULL;
	return true;
}

/* The next loop turn of a sliced broadcast. */
static void
sse_bcast_continue(evutil_socket_t fd, short what, void *arg)
{
	struct stage	*st = arg;
	struct timeval	 now = { 0, 0 };

	(void)fd;
	(void)what;
	if (st->bcast->active && !sse_bcast_run(st, SSE_SLICE))
		evtimer_add(st->bcast->ev, &now);
}

/* Sends an event to every client of the stage, a slice per loop turn. */
void
sse_broadcast(struct stage *st, const char *event, int64_t id,
    const char *data, size_t len)
{
	struct sse_bcast	*b = st->bcast;
	struct timeval		 now = { 0, 0 };

	if (st->nclients == 0)
		return;
	if (b == NULL) {
		if ((b = calloc(1, sizeof *b)) == NULL)
			return;
		b->ev = evtimer_new(env->base, sse_bcast_continue, st);
		if (b->ev == NULL) {
			free(b);
			return;
		}
		st->bcast = b;
	}
	/* Events stay in order: the one under way reaches everyone first. */
	if (b->active)
		sse_bcast_run(st, SIZE_MAX);
	if (sse_format(&b->msg, event, id, data, len) == -1)
		return;
	b->next = TAILQ_FIRST(&st->clients);
	b->joins = sse_joins;
	b->active = true;
	env->metrics.sse_events++;
	if (!sse_bcast_run(st, SSE_SLICE))
		evtimer_add(b->ev, &now);
}

/* Frees a stage's broadcast state. */
void
sse_stage_free(struct stage *st)
{
	if (st->bcast == NULL)
		return;
	event_free(st->bcast->ev);
	free(st->bcast->msg.buf);
	free(st->bcast->items);
	free(st->bcast->who);
	free(st->bcast);
	st->bcast = NULL;
}

/* Keeps idle proxies from closing streams. */
void
sse_heartbeat(void)
{
	static char		 beat[] = "e\r\n: keep-alive\n\n\r\n";
	static const struct sse_msg m = { beat, sizeof beat - 1, 3, 14 };
	struct sse_client	*c, *next;
	size_t			 i;

	for (i = 0; i < env->nstages; i++) {
		for (c = TAILQ_FIRST(&env->stages[i].clients); c != NULL; c = next) {
			next = TAILQ_NEXT(c, entry);
			sse_send(c, &m);
		}
	}
}

/* Tells every client why the stream ends, then closes it. */
void
sse_close_all(const char *reason)
{
	struct sse_client	*c;
	char			 data[128];
	size_t			 i;
	int			 n;

	n = snprintf(data, sizeof data, "{\"reason\":\"%s\"}", reason);
	for (i = 0; i < env->nstages; i++) {
		struct stage *st = &env->stages[i];

		sse_broadcast(st, "close", -1, data, (size_t)n);
		if (st->bcast != NULL && st->bcast->active)
			sse_bcast_run(st, SIZE_MAX);
		while ((c = TAILQ_FIRST(&st->clients)) != NULL) {
			evhttp_send_reply_end(c->req);
			/* reply_end does not free a chunked connection at once. */
			evhttp_connection_set_closecb(c->evcon, NULL, NULL);
			TAILQ_REMOVE(&st->clients, c, entry);
			st->nclients--;
			env->nstreams--;
			free(c);
		}
	}
}

/* Sets a stream socket to notice a vanished peer (phone out of Wi-Fi). */
static void
sse_tune_socket(struct evhttp_connection *evcon)
{
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(evcon);
	evutil_socket_t		 fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	int			 on = 1, idle = 30, intvl = 10, cnt = 3;
	unsigned int		 user_timeout = 60000;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout,
	    sizeof user_timeout);
}

/* A stream's headers, the same for GET and HEAD. */
static void
sse_headers(struct evhttp_request *req)
{
	http_headers(req, "text/event-stream; charset=utf-8");
	/* A proxy in front must pass each event on at once. */
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "X-Accel-Buffering", "no");
}

/* HEAD on a stream: GET's headers, no events and no length (GET has none). */
void
sse_head(struct evhttp_request *req)
{
	sse_headers(req);
	evhttp_send_reply(req, 200, "OK", NULL);
}

/* Starts the chunked reply, registers the client and sends the state. */
void
sse_open(struct stage *st, struct evhttp_request *req)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent	*bev;
	struct sse_client	*c;
	struct timeval		 wtv = { SSE_WRITE_TIMEOUT_S, 0 };
	json_t			*snap;
	const char		*tenc;
	char			*s;

	bev = evhttp_connection_get_bufferevent(evcon);
	if (bev == NULL || (c = calloc(1, sizeof *c)) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	c->req = req;
	c->evcon = evcon;
	c->stage = st;
	c->joined = ++sse_joins;
	sse_headers(req);
	evhttp_send_reply_start(req, 200, "OK");
	/* evhttp chose chunked framing for an HTTP/1.1 client; we frame alike. */
	tenc = evhttp_find_header(h, "Transfer-Encoding");
	c->chunked = tenc != NULL && strcasecmp(tenc, "chunked") == 0;
	c->bev = bev;
	c->fd = bufferevent_getfd(bev);
	/*
	 * A stream is idle on the read side by design, so the 30 s idle timeout
	 * must not close it; a write that makes no progress still does.
	 */
	bufferevent_set_timeouts(bev, NULL, &wtv);
	sse_tune_socket(evcon);
	/* Replaces the connection-count callback: this one does both jobs. */
	evhttp_connection_set_closecb(evcon, sse_client_closed, c);
	TAILQ_INSERT_TAIL(&st->clients, c, entry);
	st->nclients++;
	env->nstreams++;
	snap = snapshot_state(st, clock_now_ms());
	s = json_dumps(snap, JSON_COMPACT);
	json_decref(snap);
	if (s != NULL) {
		struct sse_msg m;

		if (sse_format(&m, "state", (int64_t)st->timer.seq, s, strlen(s)) == 0) {
			sse_send(c, &m);
			free(m.buf);
		}
		free(s);
	}
}
