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

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#define BENCH_DRAIN_S		10	/* after --seconds, wait this long at most */
#define BENCH_IO_TIMEOUT_S	10	/* one reply may take this long at most */
#define BENCH_CLIENTS_MAX	4096
#define BENCH_RECONNECTS_MAX	20	/* per client, then it gives up */
#define BENCH_LINE_MAX		8192	/* status line or one header */
#define BENCH_BODY_MAX		(1024 * 1024)
#define BENCH_METRICS_MAX	(1024 * 1024)

enum client_state {
	CLIENT_CONNECTING,
	CLIENT_STATUS,
	CLIENT_HEADERS,
	CLIENT_BODY,
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
	int			 status;
	size_t			 clen;
	bool			 chunked;
	bool			 close_after;
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
	uint32_t		*lat_us;
	size_t			 nlat, caplat;
	struct event		*stop_ev, *drain_ev;
};

static void	client_connect(struct client *);
static void	client_next(struct client *);

/* Prints a message and exits with status 2. */
static void
die(const char *msg, const char *arg)
{
	fprintf(stderr, "bench_writes: %s%s%s\n", msg, arg != NULL ? ": " : "",
	    arg != NULL ? arg : "");
	exit(2);
}

/* Monotonic time in nanoseconds. */
static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parses a decimal number in [min, max] or dies naming the option. */
static unsigned long long
parse_num(const char *s, unsigned long long min, unsigned long long max,
    const char *opt)
{
	unsigned long long	 v;
	char			*end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min ||
	    v > max)
		die("bad number for", opt);
	return v;
}

/* Reads the attendee tokens from a DATABASE.tokens file (KIND ID TOKEN). */
static void
load_tokens(struct bench *b, const char *path)
{
	FILE	*f;
	char	*line = NULL, kind[32], id[128], tok[512];
	size_t	 cap = 0;

	if ((f = fopen(path, "r")) == NULL)
		die("cannot open", path);
	while (getline(&line, &cap, f) != -1) {
		if (sscanf(line, "%31s %127s %511s", kind, id, tok) != 3 ||
		    strcmp(kind, "attendee") != 0)
			continue;
		b->tokens = realloc(b->tokens, (b->ntokens + 1) * sizeof *b->tokens);
		if (b->tokens == NULL || (b->tokens[b->ntokens] = strdup(tok)) == NULL)
			die("out of memory", NULL);
		b->ntokens++;
	}
	free(line);
	fclose(f);
	if (b->ntokens == 0)
		die("no attendee tokens in", path);
}

/* Splits the comma-separated pitch list. */
static void
load_pitches(struct bench *b, const char *list)
{
	char	*copy, *p, *save = NULL;
	size_t	 i;

	if ((copy = strdup(list)) == NULL)
		die("out of memory", NULL);
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		for (i = 0; p[i] != '\0'; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') ||
			    (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
				die("a pitch id is [a-z0-9-]+, not", p);
		b->pitches = realloc(b->pitches,
		    (b->npitches + 1) * sizeof *b->pitches);
		if (b->pitches == NULL ||
		    (b->pitches[b->npitches] = strdup(p)) == NULL)
			die("out of memory", NULL);
		b->npitches++;
	}
	free(copy);
	if (b->npitches == 0)
		die("--pitches names no pitch", NULL);
}

/* Remembers one acknowledged request's latency. */
static void
record_latency(struct bench *b, uint64_t ns)
{
	uint64_t	us = ns / 1000;

	if (b->nlat == b->caplat) {
		b->caplat = b->caplat == 0 ? 65536 : b->caplat * 2;
		if ((b->lat_us = realloc(b->lat_us,
		    b->caplat * sizeof *b->lat_us)) == NULL)
			die("out of memory", NULL);
	}
	b->lat_us[b->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
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
	c->state = CLIENT_STATUS;
	c->status = 0;
	c->clen = 0;
	c->chunked = false;
	c->close_after = false;
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
	if (c->status >= 200 && c->status < 300) {
		b->acked++;
		record_latency(b, now_ns() - c->sent_ns);
	} else {
		b->errors++;
		if (b->errors <= 3)
			fprintf(stderr, "bench_writes: HTTP %d\n", c->status);
	}
	if (c->close_after) {
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

/* Reads one header line; false when it is malformed. */
static bool
client_header(struct client *c, const char *line)
{
	const char		*v;
	unsigned long long	 n;
	char			*end;

	if ((v = strchr(line, ':')) == NULL)
		return false;
	for (v++; *v == ' ' || *v == '\t'; v++)
		;
	if (strncasecmp(line, "Content-Length:", 15) == 0) {
		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno != 0 || end == v || n > BENCH_BODY_MAX)
			return false;
		c->clen = (size_t)n;
	} else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0)
		c->chunked = strcasecmp(v, "identity") != 0;
	else if (strncasecmp(line, "Connection:", 11) == 0)
		c->close_after = strcasecmp(v, "close") == 0;
	return true;
}

/* Parses whatever of the reply has arrived. */
static void
client_read(struct bufferevent *bev, void *arg)
{
	struct client	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;
	bool		 ok;

	while (c->state == CLIENT_STATUS || c->state == CLIENT_HEADERS ||
	    c->state == CLIENT_BODY) {
		if (!c->inflight) {
			/* Bytes nobody asked for: the stream is out of step. */
			client_fail(c);
			return;
		}
		if (c->state == CLIENT_BODY) {
			if (evbuffer_get_length(in) < c->clen)
				return;
			evbuffer_drain(in, c->clen);
			client_reply(c);
			return;
		}
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			if (evbuffer_get_length(in) > BENCH_LINE_MAX)
				client_fail(c);
			return;
		}
		if (c->state == CLIENT_STATUS) {
			ok = sscanf(line, "HTTP/1.%*d %d", &c->status) == 1;
			c->state = CLIENT_HEADERS;
		} else if (len == 0) {
			/* A chunked reply is not what taktd sends: give up on it. */
			ok = !c->chunked;
			c->state = CLIENT_BODY;
		} else
			ok = client_header(c, line);
		free(line);
		if (!ok) {
			client_fail(c);
			return;
		}
	}
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
		die("cannot create a bufferevent", NULL);
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

/* Compares two latencies for qsort. */
static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The latency at quantile q in milliseconds (nearest rank). */
static double
quantile_ms(const struct bench *b, double q)
{
	size_t	rank;

	if (b->nlat == 0)
		return 0;
	rank = (size_t)(q * (double)b->nlat + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > b->nlat)
		rank = b->nlat;
	return b->lat_us[rank - 1] / 1000.0;
}

/* Reads one counter from Prometheus text; false when it is missing. */
static bool
metric_value(const char *text, const char *name, unsigned long long *v)
{
	const char	*p = text;
	size_t		 len = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ') {
			*v = strtoull(p + len + 1, NULL, 10);
			return true;
		}
		p += len;
	}
	return false;
}

/*
 * Fetches /metrics with a blocking HTTP/1.0 GET (outside the measured run)
 * and returns the writer's job and commit counters; false on any failure.
 */
static bool
fetch_writer_stats(const struct bench *b, unsigned long long *writes,
    unsigned long long *commits)
{
	struct timeval	 tv = { 5, 0 };
	char		*buf, req[256];
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, reqlen;
	bool		 ok = false;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if ((buf = malloc(BENCH_METRICS_MAX + 1)) == NULL ||
	    connect(fd, (const struct sockaddr *)&b->sin, sizeof b->sin) == -1)
		goto out;
	reqlen = snprintf(req, sizeof req,
	    "GET /metrics HTTP/1.0\r\nHost: %s:%d\r\n\r\n", b->host, b->port);
	if (write(fd, req, (size_t)reqlen) != reqlen)
		goto out;
	while (len < BENCH_METRICS_MAX &&
	    (n = read(fd, buf + len, BENCH_METRICS_MAX - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	ok = strncmp(buf, "HTTP/1.", 7) == 0 && strstr(buf, " 200 ") != NULL &&
	    metric_value(buf, "takt_writes_total", writes) &&
	    metric_value(buf, "takt_write_commits_total", commits);
out:
	free(buf);
	close(fd);
	return ok;
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
		case 'p': b.port = (int)parse_num(optarg, 1, 65535, "--port"); break;
		case 't': tokens = optarg; break;
		case 'P': pitches = optarg; break;
		case 'c':
			b.nclients = (size_t)parse_num(optarg, 1, BENCH_CLIENTS_MAX,
			    "--clients");
			break;
		case 's':
			b.seconds = (unsigned long)parse_num(optarg, 1, 3600,
			    "--seconds");
			break;
		case 'm':
			b.max_requests = parse_num(optarg, 1, 1000000000ULL,
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
		die("--host must be an IPv4 address", b.host);
	load_tokens(&b, tokens);
	load_pitches(&b, pitches);

	if (metrics && !fetch_writer_stats(&b, &w0, &c0))
		die("cannot read /metrics before the run", NULL);
	if ((b.base = event_base_new()) == NULL)
		die("cannot create the event loop", NULL);
	if ((b.clients = calloc(b.nclients, sizeof *b.clients)) == NULL)
		die("out of memory", NULL);
	b.stop_ev = evtimer_new(b.base, bench_stop, &b);
	b.drain_ev = evtimer_new(b.base, bench_drain_over, &b);
	if (b.stop_ev == NULL || b.drain_ev == NULL)
		die("cannot create timers", NULL);
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
	qsort(b.lat_us, b.nlat, sizeof *b.lat_us, cmp_u32);
	printf("clients=%zu acked=%llu errors=%llu seconds=%.3f writes_per_s=%.1f "
	    "p50_ms=%.2f p99_ms=%.2f", b.nclients, b.acked, b.errors, secs,
	    secs > 0 ? (double)b.acked / secs : 0.0, quantile_ms(&b, 0.50),
	    quantile_ms(&b, 0.99));
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
	free(b.lat_us);
	for (i = 0; i < b.ntokens; i++)
		free(b.tokens[i]);
	free(b.tokens);
	for (i = 0; i < b.npitches; i++)
		free(b.pitches[i]);
	free(b.pitches);
	return b.acked > 0 && b.errors == 0 ? 0 : 1;
}
