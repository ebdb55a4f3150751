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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "clock.h"
#include "connset.h"
#include "log.h"
#include "snapshot.h"
#include "sse.h"

struct sse_client {
	TAILQ_ENTRY(sse_client)	 entry;
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;
	struct stage		*stage;
};

static struct evbuffer	*sse_scratch;

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
	TAILQ_REMOVE(&c->stage->clients, c, entry);
	c->stage->nclients--;
	env->nstreams--;
	free(c);
}

/* Bytes queued on a client's connection and not yet taken by the kernel. */
static size_t
sse_backlog(struct sse_client *c)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);

	return bev != NULL ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

/* Drops a client that fell behind; its close callback frees it. */
static void
sse_drop(struct sse_client *c, const char *why)
{
	log_info("stream %s: dropping a client: %s", c->stage->id, why);
	env->metrics.sse_dropped++;
	evhttp_connection_free(c->evcon);
}

/* Queues raw bytes on one client, dropping it when over the bound. */
static void
sse_send(struct sse_client *c, const char *data, size_t len)
{
	if (sse_backlog(c) > SSE_OUTPUT_MAX) {
		sse_drop(c, "output buffer over bound");
		return;
	}
	evbuffer_add(sse_scratch, data, len);
	evhttp_send_reply_chunk(c->req, sse_scratch);
	evbuffer_drain(sse_scratch, evbuffer_get_length(sse_scratch));
}

/* Formats "event: E\nid: N\ndata: D\n\n" into a growing buffer. */
static char *
sse_format(const char *event, int64_t id, const char *data, size_t len,
    size_t *outlen)
{
	char	head[96];
	char	*out;
	int	n;

	if (id >= 0)
		n = snprintf(head, sizeof head, "event: %s\nid: %" PRId64 "\ndata: ",
		    event, id);
	else
		n = snprintf(head, sizeof head, "event: %s\ndata: ", event);
	if (n < 0 || (size_t)n >= sizeof head)
		return NULL;
	if ((out = malloc((size_t)n + len + 3)) == NULL)
		return NULL;
	memcpy(out, head, (size_t)n);
	memcpy(out + n, data, len);
	memcpy(out + n + len, "\n\n", 3);
	*outlen = (size_t)n + len + 2;
	return out;
}

/* Sends an event to every client of the stage. */
void
sse_broadcast(struct stage *st, const char *event, int64_t id,
    const char *data, size_t len)
{
	struct sse_client	*c, *next;
	char			*msg;
	size_t			 mlen;

	if (st->nclients == 0)
		return;
	if ((msg = sse_format(event, id, data, len, &mlen)) == NULL)
		return;
	for (c = TAILQ_FIRST(&st->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		sse_send(c, msg, mlen);
	}
	env->metrics.sse_events++;
	free(msg);
}

/* Keeps idle proxies from closing streams. */
void
sse_heartbeat(void)
{
	static const char	 beat[] = ": keep-alive\n\n";
	struct sse_client	*c, *next;
	size_t			 i;

	for (i = 0; i < env->nstages; i++) {
		for (c = TAILQ_FIRST(&env->stages[i].clients); c != NULL; c = next) {
			next = TAILQ_NEXT(c, entry);
			sse_send(c, beat, sizeof beat - 1);
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
	if (sse_scratch != NULL)
		evbuffer_free(sse_scratch);
	sse_scratch = NULL;
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
	char			*s;

	if (sse_scratch == NULL && (sse_scratch = evbuffer_new()) == NULL)
		return;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	c->req = req;
	c->evcon = evcon;
	c->stage = st;
	evhttp_add_header(h, "Content-Type", "text/event-stream; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Accel-Buffering", "no");
	evhttp_send_reply_start(req, 200, "OK");
	/*
	 * A stream is idle on the read side by design, so the 30 s idle timeout
	 * must not close it; a write that makes no progress still does.
	 */
	bev = evhttp_connection_get_bufferevent(evcon);
	if (bev != NULL)
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
		char	*msg;
		size_t	 mlen;

		if ((msg = sse_format("state", (int64_t)st->timer.seq, s, strlen(s), &mlen)) != NULL) {
			sse_send(c, msg, mlen);
			free(msg);
		}
		free(s);
	}
}
