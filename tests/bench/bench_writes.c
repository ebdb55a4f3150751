/*
 * bench_writes.c — load generator for durable writes. N keep-alive clients,
 * one attendee token each, PUT /api/v1/interests/{pitch} against a running
 * taktd: send, wait for the reply, send the next. The run ends by itself after
 * --seconds or --requests-max, whichever comes first, and prints one line of
 * key=value. HTTP/1.1 is written and parsed by hand on raw bufferevents so the
 * client stays far cheaper than the server it measures.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "bench_util.h"

const char bench_prog[] = "bench_writes";

#define BENCH_DRAIN_S		10	/* after --seconds, wait this long at most */
#define BENCH_IO_TIMEOUT_S	10	/* one reply may take this long at most */
#define BENCH_CLIENTS_MAX	4096
#define BENCH_RECONNECTS_MAX	20	/* per client, then it gives up */
#define BENCH_METRICS_MAX	(1024 * 1024)

enum client_state {
	CLIENT_CONNECTING,
	CLIENT_WAITING,		/* for the reply to the request in flight */
	CLIENT_DONE
};

struct bench;

/* One connection and the request it has in flight. */
struct client {
	struct bench		*b;
	size_t			 id;
	const char		*token;
	struct bufferevent	*bev;
	enum client_state	 state;
	bool			 inflight;
	struct bench_reply	 r;
	uint64_t		 sent_ns;
	unsigned long		 n;		/* requests this client sent */
	int			 reconnects;
};

/* The whole run. */
struct bench {
	struct event_base	*base;
	struct sockaddr_in	 sin;
	const char		*host;
	int			 port;
	char			**tokens;
	size_t			 ntokens;
	char			**pitches;
	size_t			 npitches;
	struct client		*clients;
	size_t			 nclients, active;
	unsigned long		 seconds;
	unsigned long long	 max_requests, issued, acked, errors, counter;
	bool			 stopping;
	uint64_t		 start_ns, end_ns;
	struct bench_samples	 lat_us;	/* per acknowledged request */
	struct event		*stop_ev, *drain_ev;
};

static void	client_connect(struct client *);
static void	client_next(struct client *);

/* Monotonic time in nanoseconds. */
static uint64_t
now_ns(void)
{
	return bench_clock_ns(CLOCK_MONOTONIC);
}

/*
 * Fetches /metrics (outside the measured run) and returns the writer's job
 * and commit counters; false on any failure.
 */
static bool
fetch_writer_stats(const struct bench *b, unsigned long long *writes,
    unsigned long long *commits)
{
	char	*buf;
	double	 w, c;
	bool	 ok;

	if ((buf = malloc(BENCH_METRICS_MAX)) == NULL)
		return false;
	ok = bench_http(&b->sin, b->host, b->port, 5000, "GET", "/metrics", NULL,
	    NULL, buf, BENCH_METRICS_MAX) == 200 &&
	    bench_metric(buf, "takt_writes_total", &w) &&
	    bench_metric(buf, "takt_write_commits_total", &c);
	free(buf);
	if (ok) {
		*writes = (unsigned long long)w;
		*commits = (unsigned long long)c;
	}
	return ok;
}

/* Reads the attendee tokens from a DATABASE.tokens file (KIND ID TOKEN). */
static void
load_tokens(struct bench *b, const char *path)
{
	FILE	*f;
	char	*line = NULL, kind[32], id[128], tok[512];
	size_t	 cap = 0;

	if ((f = fopen(path, "r")) == NULL)
		bench_die("cannot open", path);
	while (getline(&line, &cap, f) != -1) {
		if (sscanf(line, "%31s %127s %511s", kind, id, tok) != 3 ||
		    strcmp(kind, "attendee") != 0)
			continue;
		b->tokens = realloc(b->tokens, (b->ntokens + 1) * sizeof *b->tokens);
		if (b->tokens == NULL || (b->tokens[b->ntokens] = strdup(tok)) == NULL)
			bench_die("out of memory", NULL);
		b->ntokens++;
	}
	free(line);
	fclose(f);
	if (b->ntokens == 0)
		bench_die("no attendee tokens in", path);
}

/* Splits the comma-separated pitch list. */
static void
load_pitches(struct bench *b, const char *list)
{
	char	*copy, *p, *save = NULL;
	size_t	 i;

	if ((copy = strdup(list)) == NULL)
		bench_die("out of memory", NULL);
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		for (i = 0; p[i] != '\0'; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') ||
			    (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
				bench_die("a pitch id is [a-z0-9-]+, not", p);
		b->pitches = realloc(b->pitches,
		    (b->npitches + 1) * sizeof *b->pitches);
		if (b->pitches == NULL ||
		    (b->pitches[b->npitches] = strdup(p)) == NULL)
			bench_die("out of memory", NULL);
		b->npitches++;
	}
	free(copy);
	if (b->npitches == 0)
		bench_die("--pitches names no pitch", NULL);
}

/* Retires a client for good; the last one ends the loop. */
static void
client_finish(struct client *c)
{
	struct bench	*b = c->b;

	if (c->state == CLIENT_DONE)
		return;
	if (c->inflight)
		b->errors++;
	c->inflight = false;
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	c->bev = NULL;
	c->state = CLIENT_DONE;
	if (--b->active == 0) {
		b->end_ns = now_ns();
		event_base_loopexit(b->base, NULL);
	}
}

/* Drops the connection after an error and opens a new one, within bounds. */
static void
client_fail(struct client *c)
{
	struct bench	*b = c->b;

	if (c->inflight)
		b->errors++;
	c->inflight = false;
	bufferevent_free(c->bev);
	c->bev = NULL;
	if (b->stopping || ++c->reconnects > BENCH_RECONNECTS_MAX) {
		c->state = CLIENT_CONNECTING;	/* not DONE, so finish counts it */
		client_finish(c);
		return;
	}
	client_connect(c);
}

/* Writes the next PUT on the connection. */
static void
client_send(struct client *c)
{
	struct bench	*b = c->b;
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	const char	*pitch = b->pitches[(c->id + c->n) % b->npitches];
	const char	*level = c->n % 2 == 0 ? "follow_up" : "info";
	char		 body[128];
	int		 len;

	len = snprintf(body, sizeof body, "{\"level\":\"%s\",\"note\":\"bench %llu\"}",
	    level, ++b->counter);
	evbuffer_add_printf(out,
	    "PUT /api/v1/interests/%s HTTP/1.1\r\n"
	    "Host: %s:%d\r\n"
	    "Authorization: Bearer %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %d\r\n"
	    "\r\n"
	    "%s", pitch, b->host, b->port, c->token, len, body);
	c->n++;
	b->issued++;
	c->inflight = true;
	c->state = CLIENT_WAITING;
	bench_reply_reset(&c->r);
	c->sent_ns = now_ns();
}

/* Sends the next request, or retires the client when the run is over. */
static void
client_next(struct client *c)
{
	struct bench	*b = c->b;

	if (b->stopping || b->issued >= b->max_requests) {
		client_finish(c);
		return;
	}
	client_send(c);
}

/* Books a complete reply and moves on. */
static void
client_reply(struct client *c)
{
	struct bench	*b = c->b;

	c->inflight = false;
	if (c->r.status >= 200 && c->r.status < 300) {
		b->acked++;
		bench_samples_add(&b->lat_us,
		    (int64_t)((now_ns() - c->sent_ns) / 1000));
	} else {
		b->errors++;
		if (b->errors <= 3)
			fprintf(stderr, "bench_writes: HTTP %d\n", c->r.status);
	}
	if (c->r.close_after) {
		/* The server ends the connection: a fresh one is not a failure. */
		bufferevent_free(c->bev);
		c->bev = NULL;
		if (b->stopping || b->issued >= b->max_requests) {
			c->state = CLIENT_CONNECTING;
			client_finish(c);
		} else
			client_connect(c);
		return;
	}
	client_next(c);
}

/* Parses whatever of the reply has arrived (taktd never chunks these). */
static void
client_read(struct bufferevent *bev, void *arg)
{
	struct client	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	int		 rc;

	if (c->state != CLIENT_WAITING || evbuffer_get_length(in) == 0)
		return;
	if (!c->inflight) {
		/* Bytes nobody asked for: the stream is out of step. */
		client_fail(c);
		return;
	}
	if ((rc = bench_reply_head(&c->r, in)) == 1)
		rc = c->r.state == BENCH_REPLY_BODY ?
		    bench_reply_body(&c->r, in, NULL) : -1;
	if (rc == -1)
		client_fail(c);
	else if (rc == 1)
		client_reply(c);
}

/* Connection established, closed or timed out. */
static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct client	*c = arg;
	int		 one = 1;

	if (what & BEV_EVENT_CONNECTED) {
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof one);
		client_next(c);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		if (c->b->errors < 3)
			fprintf(stderr, "bench_writes: client %zu: %s\n", c->id,
			    (what & BEV_EVENT_TIMEOUT) ? "timeout" :
			    (what & BEV_EVENT_EOF) ? "connection closed" :
			    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		client_fail(c);
	}
}

/* Opens the client's connection; the request follows once it is up. */
static void
client_connect(struct client *c)
{
	struct bench	*b = c->b;
	struct timeval	 tv = { BENCH_IO_TIMEOUT_S, 0 };

	c->state = CLIENT_CONNECTING;
	c->inflight = false;
	if ((c->bev = bufferevent_socket_new(b->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		bench_die("cannot create a bufferevent", NULL);
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&b->sin,
	    sizeof b->sin) == -1) {
		b->errors++;
		bufferevent_free(c->bev);
		c->bev = NULL;
		client_finish(c);
	}
}

/* --seconds have passed: no new requests; replies in flight still count. */
static void
bench_stop(evutil_socket_t fd, short what, void *arg)
{
	struct bench	*b = arg;

	(void)fd;
	(void)what;
	b->stopping = true;
}

/* The drain bound has passed too: whatever is still in flight is an error. */
static void
bench_drain_over(evutil_socket_t fd, short what, void *arg)
{
	struct bench	*b = arg;
	size_t		 i;

	(void)fd;
	(void)what;
	fprintf(stderr, "bench_writes: replies still missing after %d s\n",
	    BENCH_DRAIN_S);
	for (i = 0; i < b->nclients; i++)
		client_finish(&b->clients[i]);
	if (b->end_ns == 0)
		b->end_ns = now_ns();
	event_base_loopbreak(b->base);
}

/* Prints the usage and exits with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_writes --port P --tokens FILE --pitches a,b,c\n"
	    "           [--host 127.0.0.1] [--clients N] [--seconds S]\n"
	    "           [--requests-max M] [--metrics]\n");
	exit(2);
}

/* Parses the options, runs the load and prints the result line. */
int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host",		required_argument, NULL, 'H' },
		{ "port",		required_argument, NULL, 'p' },
		{ "tokens",		required_argument, NULL, 't' },
		{ "pitches",		required_argument, NULL, 'P' },
		{ "clients",		required_argument, NULL, 'c' },
		{ "seconds",		required_argument, NULL, 's' },
		{ "requests-max",	required_argument, NULL, 'm' },
		{ "metrics",		no_argument,	   NULL, 'M' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bench		 b;
	struct timeval		 tv;
	const char		*tokens = NULL, *pitches = NULL;
	unsigned long long	 w0 = 0, c0 = 0, w1 = 0, c1 = 0;
	bool			 metrics = false, have_metrics = false;
	double			 secs;
	struct rusage		 ru;
	size_t			 i;
	int			 ch;

	memset(&b, 0, sizeof b);
	b.host = "127.0.0.1";
	b.nclients = 64;
	b.seconds = 10;
	b.max_requests = 10000000;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': b.host = optarg; break;
		case 'p': b.port = (int)bench_parse_num(optarg, 1, 65535, "--port"); break;
		case 't': tokens = optarg; break;
		case 'P': pitches = optarg; break;
		case 'c':
			b.nclients = (size_t)bench_parse_num(optarg, 1, BENCH_CLIENTS_MAX,
			    "--clients");
			break;
		case 's':
			b.seconds = (unsigned long)bench_parse_num(optarg, 1, 3600,
			    "--seconds");
			break;
		case 'm':
			b.max_requests = bench_parse_num(optarg, 1, 1000000000ULL,
			    "--requests-max");
			break;
		case 'M': metrics = true; break;
		default: usage();
		}
	}
	if (optind != argc || b.port == 0 || tokens == NULL || pitches == NULL)
		usage();
	b.sin.sin_family = AF_INET;
	b.sin.sin_port = htons((uint16_t)b.port);
	if (inet_pton(AF_INET, b.host, &b.sin.sin_addr) != 1)
		bench_die("--host must be an IPv4 address", b.host);
	load_tokens(&b, tokens);
	load_pitches(&b, pitches);

	if (metrics && !fetch_writer_stats(&b, &w0, &c0))
		bench_die("cannot read /metrics before the run", NULL);
	if ((b.base = event_base_new()) == NULL)
		bench_die("cannot create the event loop", NULL);
	if ((b.clients = calloc(b.nclients, sizeof *b.clients)) == NULL)
		bench_die("out of memory", NULL);
	b.stop_ev = evtimer_new(b.base, bench_stop, &b);
	b.drain_ev = evtimer_new(b.base, bench_drain_over, &b);
	if (b.stop_ev == NULL || b.drain_ev == NULL)
		bench_die("cannot create timers", NULL);
	tv.tv_sec = (time_t)b.seconds;
	tv.tv_usec = 0;
	evtimer_add(b.stop_ev, &tv);
	tv.tv_sec = (time_t)(b.seconds + BENCH_DRAIN_S);
	evtimer_add(b.drain_ev, &tv);

	b.start_ns = now_ns();
	b.active = b.nclients;
	for (i = 0; i < b.nclients; i++) {
		b.clients[i].b = &b;
		b.clients[i].id = i;
		b.clients[i].token = b.tokens[i % b.ntokens];
		client_connect(&b.clients[i]);
	}
	if (b.active > 0)
		event_base_dispatch(b.base);
	if (b.end_ns == 0)
		b.end_ns = now_ns();
	if (metrics)
		have_metrics = fetch_writer_stats(&b, &w1, &c1);

	secs = (double)(b.end_ns - b.start_ns) / 1e9;
	printf("clients=%zu acked=%llu errors=%llu seconds=%.3f writes_per_s=%.1f "
	    "p50_ms=%.2f p99_ms=%.2f", b.nclients, b.acked, b.errors, secs,
	    secs > 0 ? (double)b.acked / secs : 0.0, bench_quantile_k(&b.lat_us, 0.50),
	    bench_quantile_k(&b.lat_us, 0.99));
	if (have_metrics)
		printf(" writes=%llu commits=%llu writes_per_commit=%.2f",
		    w1 - w0, c1 - c0,
		    c1 > c0 ? (double)(w1 - w0) / (double)(c1 - c0) : 0.0);
	else if (metrics)
		printf(" writes=? commits=? writes_per_commit=?");
	/* Our own CPU per write: the load generator shares the machine. */
	if (getrusage(RUSAGE_SELF, &ru) == 0 && b.acked > 0)
		printf(" client_cpu_us_per_write=%.1f",
		    ((double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec +
		    (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec) /
		    (double)b.acked);
	printf("\n");

	event_free(b.stop_ev);
	event_free(b.drain_ev);
	event_base_free(b.base);
	free(b.clients);
	bench_samples_free(&b.lat_us);
	for (i = 0; i < b.ntokens; i++)
		free(b.tokens[i]);
	free(b.tokens);
	for (i = 0; i < b.npitches; i++)
		free(b.pitches[i]);
	free(b.pitches);
	return b.acked > 0 && b.errors == 0 ? 0 : 1;
}
