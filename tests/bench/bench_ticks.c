/*
 * bench_ticks.c — measures how late countdown ticks arrive. It reads
 * GET /api/v1/stages/{stage}/stream of one or more stages (HTTP/1.1, chunked,
 * parsed by hand on raw bufferevents) and, for every "event: tick", takes
 * the delay = arrival time (CLOCK_REALTIME) - the tick's server_time_ms,
 * which is the exact crossing instant on the daemon's clock. With --start it
 * first starts a pitch on each stage with the moderator token, spacing the
 * stages so that their crossings spread over the second; with --actions it
 * also sends a moderator action (a hidden message, i.e. one stage commit)
 * --lead-ms before every crossing, on the crossing's own stage or, with
 * --actions-on, on another one, to see whether a commit delays the tick.
 * The run ends by itself after --warmup + --seconds and prints one line of
 * key=value; ticks that arrive during --warmup are not counted. With
 * --start-only it starts the pitches and exits at once.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
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

const char bench_prog[] = "bench_ticks";

#define TICKS_STAGES_MAX	64
#define TICKS_SAMPLES_MAX	1000000
#define TICKS_STREAM_TIMEOUT_S	5	/* a tick comes every second */
#define TICKS_IO_TIMEOUT_S	10	/* one action's reply may take this long */
#define TICKS_RECONNECTS_MAX	20	/* for the action connection */
#define TICKS_EVENT_MAX		(1024 * 1024)	/* one SSE event */
#define TICKS_REPLY_MAX		(1024 * 1024)	/* a blocking reply */
#define TICKS_ACTION_LEAD_MS	5	/* default: act this long before a crossing */
#define TICKS_PROBE_US		10000	/* the reader's own timer, for noise */


/* Latencies or delays in microseconds, signed (a clock may step). */
struct ticks;

/* One stage: its stream and the timer that fires its actions. */
struct stream {
	struct ticks		*t;
	const char		*stage;
	struct bufferevent	*bev;
	struct bench_reply		 r;
	struct evbuffer		*sse;		/* body bytes not yet parsed */
	struct event		*action_ev;
	int64_t			 last_remaining;
	bool			 have_last;
	bool			 done;
};

/* The connection that carries moderator actions, one at a time. */
struct actconn {
	struct ticks		*t;
	struct bufferevent	*bev;
	struct bench_reply		 r;
	bool			 connected, inflight;
	const char		*pending;	/* stage of the action to send */
	uint64_t		 sent_ns;
	int			 reconnects;
};

/* The whole run. */
struct ticks {
	struct event_base	*base;
	struct sockaddr_in	 sin;
	const char		*host;
	int			 port;
	const char		*stages[TICKS_STAGES_MAX];
	size_t			 nstages;
	struct stream		 streams[TICKS_STAGES_MAX];
	struct actconn		 act;
	char			*token;		/* moderator */
	bool			 actions;
	const char		*action_stage;	/* NULL: the crossing's own */
	long			 lead_ms;
	unsigned long		 warmup, seconds;
	uint64_t		 start_ns, measure_ns;
	struct bench_samples	 delay, action_lat;
	unsigned long long	 ticks_seen, missed, errors, actions_sent,
				 actions_skipped, action_errors, counter;
	struct event		*stop_ev;
	struct event		*probe_ev;
	uint64_t		 probe_due_ns;
	uint64_t		 probe_late_max_ns;
};

static void	act_connect(struct actconn *);

/* Monotonic time in nanoseconds. */
static uint64_t
now_ns(void)
{
	return bench_clock_ns(CLOCK_MONOTONIC);
}

/* Wall-clock time in microseconds since the epoch. */
static int64_t
wall_us(void)
{
	return (int64_t)(bench_clock_ns(CLOCK_REALTIME) / 1000);
}

/* Dies unless id is a well-formed stage id. */
static void
check_stage(const char *id)
{
	size_t	i;

	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
			bench_die("a stage id is [a-z0-9-]+, not", id);
	if (i == 0)
		bench_die("empty stage id", NULL);
}

/* Splits the comma-separated stage list (the strings stay in list). */
static void
parse_stages(struct ticks *t, char *list)
{
	char	*p, *save = NULL;

	for (p = strtok_r(list, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		check_stage(p);
		if (t->nstages == TICKS_STAGES_MAX)
			bench_die("too many stages", NULL);
		t->stages[t->nstages++] = p;
	}
	if (t->nstages == 0)
		bench_die("--stages names no stage", NULL);
}

/*
 * Starts the next pitch on every stage, stage i at 1000 * i / N ms after
 * the first, so the stages' crossings are evenly spread over the second.
 */
static void
start_stages(const struct ticks *t)
{
	struct timespec	 at;
	char		 path[256], *buf;
	uint64_t	 t0 = now_ns(), when;
	size_t		 i;
	int		 status;

	if ((buf = malloc(TICKS_REPLY_MAX)) == NULL)
		bench_die("out of memory", NULL);
	for (i = 0; i < t->nstages; i++) {
		when = t0 + 1000000000u * i / t->nstages;
		at.tv_sec = (time_t)(when / 1000000000u);
		at.tv_nsec = (long)(when % 1000000000u);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at,
		    NULL) == EINTR)
			;
		snprintf(path, sizeof path, "/api/v1/stages/%s/start",
		    t->stages[i]);
		status = bench_http(&t->sin, t->host, t->port,
		    TICKS_IO_TIMEOUT_S * 1000, "POST", path, t->token, NULL, buf,
		    TICKS_REPLY_MAX);
		if (status != 200) {
			fprintf(stderr, "bench_ticks: POST %s: HTTP %d\n%s\n",
			    path, status, buf);
			bench_die("cannot start a pitch on", t->stages[i]);
		}
	}
	free(buf);
}

/*
 * Prints the daemon's own figures from /metrics: the worst lateness of its
 * tick timer and the ticks it sent since it started (all stages).
 */
static void
print_metrics(const struct ticks *t)
{
	char	*buf;
	double	 late, sent;

	if ((buf = malloc(TICKS_REPLY_MAX)) == NULL)
		bench_die("out of memory", NULL);
	if (bench_http(&t->sin, t->host, t->port,
	    TICKS_IO_TIMEOUT_S * 1000, "GET", "/metrics", NULL, NULL, buf,
	    TICKS_REPLY_MAX) == 200 &&
	    bench_metric(buf, "takt_tick_late_max_seconds", &late) &&
	    bench_metric(buf, "takt_ticks_total", &sent))
		printf(" tick_late_max_ms=%.3f server_ticks=%.0f", late * 1000.0,
		    sent);
	else
		printf(" tick_late_max_ms=? server_ticks=?");
	free(buf);
}

/* Sends the pending action if the connection is up and free. */
static void
act_send(struct actconn *a)
{
	struct ticks	*t = a->t;
	struct evbuffer	*out;
	char		 body[96];
	int		 len;

	if (a->pending == NULL || !a->connected || a->inflight)
		return;
	out = bufferevent_get_output(a->bev);
	len = snprintf(body, sizeof body,
	    "{\"text\":\"bench %llu\",\"visible\":false}", ++t->counter);
	evbuffer_add_printf(out,
	    "POST /api/v1/stages/%s/message HTTP/1.1\r\n"
	    "Host: %s:%d\r\n"
	    "Authorization: Bearer %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %d\r\n"
	    "\r\n"
	    "%s", a->pending, t->host, t->port, t->token, len, body);
	a->pending = NULL;
	a->inflight = true;
	a->sent_ns = now_ns();
	bench_reply_reset(&a->r);
	t->actions_sent++;
}

/* Drops the action connection after an error; the next action reconnects. */
static void
act_fail(struct actconn *a, const char *why)
{
	struct ticks	*t = a->t;

	if (t->action_errors++ < 3)
		fprintf(stderr, "bench_ticks: action connection: %s\n", why);
	a->inflight = false;
	a->connected = false;
	a->pending = NULL;
	if (a->bev != NULL)
		bufferevent_free(a->bev);
	a->bev = NULL;
}

/* Parses whatever of an action's reply has arrived. */
static void
act_read(struct bufferevent *bev, void *arg)
{
	struct actconn	*a = arg;
	struct ticks	*t = a->t;
	struct evbuffer	*in = bufferevent_get_input(bev);
	int		 rc;

	if (!a->inflight) {
		act_fail(a, "bytes nobody asked for");
		return;
	}
	if ((rc = bench_reply_head(&a->r, in)) == 1)
		rc = a->r.state == BENCH_REPLY_BODY ? bench_reply_body(&a->r, in, NULL) : -1;
	if (rc == 0)
		return;
	if (rc == -1) {
		act_fail(a, "malformed reply");
		return;
	}
	a->inflight = false;
	if (a->r.status == 200)
		bench_samples_add(&t->action_lat, (int64_t)((now_ns() - a->sent_ns) /
		    1000));
	else if (t->action_errors++ < 3)
		fprintf(stderr, "bench_ticks: action: HTTP %d\n", a->r.status);
	if (a->r.close_after) {
		bufferevent_free(a->bev);
		a->bev = NULL;
		a->connected = false;
	}
}

/* Action connection established, closed or timed out. */
static void
act_event(struct bufferevent *bev, short what, void *arg)
{
	struct actconn	*a = arg;
	int		 one = 1;

	if (what & BEV_EVENT_CONNECTED) {
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof one);
		a->connected = true;
		act_send(a);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		act_fail(a, (what & BEV_EVENT_TIMEOUT) ? "timeout" :
		    (what & BEV_EVENT_EOF) ? "closed" : "error");
}

/* Opens the action connection, within the reconnect bound. */
static void
act_connect(struct actconn *a)
{
	struct ticks	*t = a->t;
	struct timeval	 tv = { TICKS_IO_TIMEOUT_S, 0 };

	if (a->reconnects++ > TICKS_RECONNECTS_MAX)
		return;
	if ((a->bev = bufferevent_socket_new(t->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		bench_die("cannot create a bufferevent", NULL);
	bufferevent_setcb(a->bev, act_read, NULL, act_event, a);
	bufferevent_set_timeouts(a->bev, &tv, &tv);
	bufferevent_enable(a->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(a->bev, (struct sockaddr *)&t->sin,
	    sizeof t->sin) == -1)
		act_fail(a, "cannot connect");
}

/* A crossing is near: send an action on that stage, unless one is pending. */
static void
act_fire(evutil_socket_t fd, short what, void *arg)
{
	struct stream	*s = arg;
	struct actconn	*a = &s->t->act;

	(void)fd;
	(void)what;
	if (a->inflight || a->pending != NULL) {
		s->t->actions_skipped++;
		return;
	}
	a->pending = s->t->action_stage != NULL ? s->t->action_stage : s->stage;
	if (a->bev == NULL)
		act_connect(a);
	else
		act_send(a);
}

/* Books one tick that arrived at wall time arrival_us. */
static void
stream_tick(struct stream *s, const char *data, int64_t arrival_us)
{
	struct ticks	*t = s->t;
	struct timeval	 tv;
	int64_t		 server_ms, remaining, wait_us;

	if (!bench_json_int(data, "server_time_ms", &server_ms) ||
	    !bench_json_int(data, "remaining_ms", &remaining)) {
		if (t->errors++ < 3)
			fprintf(stderr, "bench_ticks: bad tick: %s\n", data);
		return;
	}
	if (now_ns() >= t->measure_ns) {
		t->ticks_seen++;
		bench_samples_add(&t->delay, arrival_us - server_ms * 1000);
		/* Each crossing is one second: a bigger step skipped some. */
		if (s->have_last && s->last_remaining - remaining > 1000)
			t->missed += (uint64_t)((s->last_remaining - remaining) /
			    1000 - 1);
	}
	s->last_remaining = remaining;
	s->have_last = true;
	/* One action per crossing: a tick never postpones a pending one. */
	if (t->actions && !evtimer_pending(s->action_ev, NULL)) {
		wait_us = (server_ms + 1000 - t->lead_ms) * 1000 - wall_us();
		if (wait_us > 0) {
			tv.tv_sec = (time_t)(wait_us / 1000000);
			tv.tv_usec = (suseconds_t)(wait_us % 1000000);
			evtimer_add(s->action_ev, &tv);
		}
	}
}

/* Splits the parsed body into SSE events and handles the ticks. */
static void
stream_events(struct stream *s, int64_t arrival_us)
{
	struct evbuffer_ptr	 p;
	char			*ev, *line, *next, *event = NULL, *data = NULL;
	size_t			 len;

	for (;;) {
		p = evbuffer_search(s->sse, "\n\n", 2, NULL);
		if (p.pos < 0) {
			if (evbuffer_get_length(s->sse) > TICKS_EVENT_MAX) {
				s->t->errors++;
				evbuffer_drain(s->sse, evbuffer_get_length(s->sse));
			}
			return;
		}
		len = (size_t)p.pos;
		if ((ev = malloc(len + 1)) == NULL)
			bench_die("out of memory", NULL);
		evbuffer_remove(s->sse, ev, len);
		evbuffer_drain(s->sse, 2);
		ev[len] = '\0';
		event = data = NULL;
		for (line = ev; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			line[strcspn(line, "\r")] = '\0';
			if (strncmp(line, "event:", 6) == 0)
				event = line + 6 + (line[6] == ' ');
			else if (strncmp(line, "data:", 5) == 0)
				data = line + 5 + (line[5] == ' ');
		}
		if (event != NULL && data != NULL && strcmp(event, "tick") == 0)
			stream_tick(s, data, arrival_us);
		free(ev);
	}
}

/* Ends one stream for good after an error. */
static void
stream_fail(struct stream *s, const char *why)
{
	if (s->t->errors++ < 3)
		fprintf(stderr, "bench_ticks: stream %s: %s\n", s->stage, why);
	if (s->bev != NULL)
		bufferevent_free(s->bev);
	s->bev = NULL;
	s->done = true;
}

/* Parses whatever of the stream has arrived. */
static void
stream_read(struct bufferevent *bev, void *arg)
{
	struct stream	*s = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	int64_t		 arrival_us = wall_us();
	int		 rc;

	if ((rc = bench_reply_head(&s->r, in)) == 1) {
		if (s->r.status != 200) {
			stream_fail(s, "HTTP status is not 200");
			return;
		}
		rc = bench_reply_body(&s->r, in, s->sse);
	}
	if (rc == -1) {
		stream_fail(s, "malformed reply");
		return;
	}
	stream_events(s, arrival_us);
	if (rc == 1)
		stream_fail(s, "the server ended the stream");
}

/* Stream connected, closed or silent for too long. */
static void
stream_event(struct bufferevent *bev, short what, void *arg)
{
	struct stream	*s = arg;
	struct ticks	*t = s->t;
	int		 one = 1;

	if (what & BEV_EVENT_CONNECTED) {
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof one);
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "GET /api/v1/stages/%s/stream HTTP/1.1\r\n"
		    "Host: %s:%d\r\n"
		    "Accept: text/event-stream\r\n"
		    "\r\n", s->stage, t->host, t->port);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		stream_fail(s, (what & BEV_EVENT_TIMEOUT) ? "no data for 5 s" :
		    (what & BEV_EVENT_EOF) ? "connection closed" : "error");
}

/* Opens one stage's stream. */
static void
stream_open(struct stream *s)
{
	struct ticks	*t = s->t;
	struct timeval	 rtv = { TICKS_STREAM_TIMEOUT_S, 0 };
	struct timeval	 wtv = { TICKS_IO_TIMEOUT_S, 0 };

	bench_reply_reset(&s->r);
	if ((s->sse = evbuffer_new()) == NULL ||
	    (s->action_ev = evtimer_new(t->base, act_fire, s)) == NULL ||
	    (s->bev = bufferevent_socket_new(t->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		bench_die("cannot create the stream", NULL);
	bufferevent_setcb(s->bev, stream_read, NULL, stream_event, s);
	bufferevent_set_timeouts(s->bev, &rtv, &wtv);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(s->bev, (struct sockaddr *)&t->sin,
	    sizeof t->sin) == -1)
		stream_fail(s, "cannot connect");
}

/* Arms the probe timer for its next due time. */
static void
probe_arm(struct ticks *t)
{
	struct timeval	tv;
	uint64_t	now = now_ns(), wait;

	wait = t->probe_due_ns > now ? (t->probe_due_ns - now) / 1000 : 0;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	evtimer_add(t->probe_ev, &tv);
}

/*
 * Fires every 10 ms and notes how late: the reader's own scheduling noise
 * (another process hogging the CPUs delays the reader and the daemon alike).
 */
static void
probe_fire(evutil_socket_t fd, short what, void *arg)
{
	struct ticks	*t = arg;
	uint64_t	 now = now_ns();

	(void)fd;
	(void)what;
	if (now >= t->measure_ns && now > t->probe_due_ns &&
	    now - t->probe_due_ns > t->probe_late_max_ns)
		t->probe_late_max_ns = now - t->probe_due_ns;
	t->probe_due_ns += TICKS_PROBE_US * 1000u;
	if (t->probe_due_ns < now)
		t->probe_due_ns = now + TICKS_PROBE_US * 1000u;
	probe_arm(t);
}

/* The run is over: leave the loop. */
static void
ticks_stop(evutil_socket_t fd, short what, void *arg)
{
	struct ticks	*t = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(t->base);
}

/* Prints the usage and exits with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_ticks --port P [--host 127.0.0.1] [--stages main,...]\n"
	    "           [--seconds S] [--warmup W]\n"
	    "           [--tokens FILE [--start | --start-only]\n"
	    "           [--actions | --actions-on STAGE] [--lead-ms MS]]\n"
	    "           [--metrics]\n");
	exit(2);
}

/* Parses the options, reads the streams and prints the result line. */
int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host",	required_argument, NULL, 'H' },
		{ "port",	required_argument, NULL, 'p' },
		{ "stages",	required_argument, NULL, 'S' },
		{ "seconds",	required_argument, NULL, 's' },
		{ "warmup",	required_argument, NULL, 'w' },
		{ "tokens",	required_argument, NULL, 't' },
		{ "start",	no_argument,	   NULL, 'b' },
		{ "start-only",	no_argument,	   NULL, 'B' },
		{ "actions",	no_argument,	   NULL, 'a' },
		{ "actions-on",	required_argument, NULL, 'A' },
		{ "lead-ms",	required_argument, NULL, 'l' },
		{ "metrics",	no_argument,	   NULL, 'M' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ticks	 t;
	struct timeval	 tv;
	char		 stagelist[] = "main", *stages = stagelist;
	const char	*tokens = NULL;
	bool		 start = false, start_only = false, metrics = false, ok;
	size_t		 i;
	int		 ch;

	memset(&t, 0, sizeof t);
	t.delay.max = t.action_lat.max = TICKS_SAMPLES_MAX;
	t.host = "127.0.0.1";
	t.seconds = 10;
	t.lead_ms = TICKS_ACTION_LEAD_MS;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': t.host = optarg; break;
		case 'p': t.port = (int)bench_parse_num(optarg, 1, 65535, "--port"); break;
		case 'S': stages = optarg; break;
		case 's':
			t.seconds = (unsigned long)bench_parse_num(optarg, 1, 3600,
			    "--seconds");
			break;
		case 'w':
			t.warmup = (unsigned long)bench_parse_num(optarg, 0, 3600,
			    "--warmup");
			break;
		case 't': tokens = optarg; break;
		case 'b': start = true; break;
		case 'B': start = start_only = true; break;
		case 'a': t.actions = true; break;
		case 'A':
			t.actions = true;
			t.action_stage = optarg;
			break;
		case 'l':
			t.lead_ms = (long)bench_parse_num(optarg, 0, 999, "--lead-ms");
			break;
		case 'M': metrics = true; break;
		default: usage();
		}
	}
	if (optind != argc || t.port == 0 || ((start || t.actions) &&
	    tokens == NULL))
		usage();
	t.sin.sin_family = AF_INET;
	t.sin.sin_port = htons((uint16_t)t.port);
	if (inet_pton(AF_INET, t.host, &t.sin.sin_addr) != 1)
		bench_die("--host must be an IPv4 address", t.host);
	parse_stages(&t, stages);
	if (t.action_stage != NULL)
		check_stage(t.action_stage);
	if (tokens != NULL)
		t.token = bench_load_token(tokens, "moderator");
	if (start)
		start_stages(&t);
	if (start_only) {
		free(t.token);
		return 0;
	}

	if ((t.base = event_base_new()) == NULL)
		bench_die("cannot create the event loop", NULL);
	if ((t.stop_ev = evtimer_new(t.base, ticks_stop, &t)) == NULL ||
	    (t.probe_ev = evtimer_new(t.base, probe_fire, &t)) == NULL)
		bench_die("cannot create a timer", NULL);
	tv.tv_sec = (time_t)(t.warmup + t.seconds);
	tv.tv_usec = 0;
	evtimer_add(t.stop_ev, &tv);
	t.start_ns = now_ns();
	t.measure_ns = t.start_ns + (uint64_t)t.warmup * 1000000000u;
	t.probe_due_ns = t.start_ns + TICKS_PROBE_US * 1000u;
	probe_arm(&t);
	t.act.t = &t;
	for (i = 0; i < t.nstages; i++) {
		t.streams[i].t = &t;
		t.streams[i].stage = t.stages[i];
		stream_open(&t.streams[i]);
	}
	event_base_dispatch(t.base);

	printf("stages=%zu ticks=%llu missed=%llu errors=%llu p50_ms=%.2f "
	    "p99_ms=%.2f max_ms=%.2f reader_late_max_ms=%.2f", t.nstages,
	    t.ticks_seen, t.missed, t.errors, bench_quantile_k(&t.delay, 0.50),
	    bench_quantile_k(&t.delay, 0.99), bench_quantile_k(&t.delay, 1.0),
	    (double)t.probe_late_max_ns / 1e6);
	if (t.actions) {
		printf(" actions=%llu action_errors=%llu actions_skipped=%llu "
		    "action_p50_ms=%.2f action_max_ms=%.2f", t.actions_sent,
		    t.action_errors, t.actions_skipped,
		    bench_quantile_k(&t.action_lat, 0.50),
		    bench_quantile_k(&t.action_lat, 1.0));
	}
	if (metrics)
		print_metrics(&t);
	printf("\n");

	ok = t.ticks_seen > 0 && t.errors == 0 && t.action_errors == 0;
	for (i = 0; i < t.nstages; i++) {
		if (t.streams[i].bev != NULL)
			bufferevent_free(t.streams[i].bev);
		if (t.streams[i].sse != NULL)
			evbuffer_free(t.streams[i].sse);
		if (t.streams[i].action_ev != NULL)
			event_free(t.streams[i].action_ev);
	}
	if (t.act.bev != NULL)
		bufferevent_free(t.act.bev);
	event_free(t.stop_ev);
	event_free(t.probe_ev);
	event_base_free(t.base);
	bench_samples_free(&t.delay);
	bench_samples_free(&t.action_lat);
	free(t.token);
	return ok ? 0 : 1;
}
