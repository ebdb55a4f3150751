/*
 * bench_fanout.c — many screens on one stage. It opens --streams SSE streams
 * (GET /api/v1/stages/{stage}/stream) to one daemon, from --procs worker
 * processes that each own their share, every connection bound to a source
 * address in 127.0.0.2 ... 127.0.0.250 so that local ports do not run out.
 * Once every stream has its first "event: state", the parent starts a pitch
 * with the moderator token and lets the countdown run for --seconds; each
 * worker notes, for every "event: tick" on every stream, the delay =
 * arrival time - the tick's server_time_ms, where arrival is the kernel's
 * receive stamp on the client's socket (CLOCK_REALTIME), and the same to
 * the moment the worker read it, reported beside it. Meanwhile the
 * parent samples the daemon's RSS and CPU from /proc (--pid) and sends a
 * plain GET .../state every --probe-ms on a fresh connection. At the end
 * the workers send their samples over a pipe and the parent prints one line
 * of key=value: time to connect all streams, delay to the last client per
 * tick and over every (client, tick), ticks missed, daemon RSS and CPU, and
 * the API latency under the load. Loopback only; every wait is bounded.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/util.h>

#include "bench_util.h"

const char bench_prog[] = "bench_fanout";

#define FAN_STREAMS_MAX		100000
#define FAN_PROCS_MAX		64
#define FAN_SECONDS_MAX		600
#define FAN_CONNECT_S_MAX	600
#define FAN_WINDOW_DEFAULT	64	/* connects in flight per worker */
#define FAN_SRC_FIRST		2	/* source addresses 127.0.0.2 ... */
#define FAN_SRC_LAST		250	/* ... 127.0.0.250 */
#define FAN_LINE_MAX		256	/* longer SSE lines are cut (state) */
#define FAN_HEAD_MAX		8192	/* the reply's status line and headers */
#define FAN_SAMPLES_MAX		(16u * 1024 * 1024)	/* per worker */
#define FAN_GRACE_MS		2000	/* a tick may arrive this late */
#define FAN_CPU_SKIP_MS		500	/* after the start, before CPU counts */
#define FAN_PROBE_DEFAULT_MS	50
#define FAN_IO_TIMEOUT_MS	5000	/* one blocking request */
#define FAN_READER_PROBE_US	10000	/* the workers' own timer, for noise */
#define FAN_MSG_READY		0x52454459u
#define FAN_MSG_RESULT		0x52534c54u

/* Where one stream's parse stands. */
enum cstate {
	C_IDLE,			/* not started yet */
	C_CONNECTING,
	C_HEAD,			/* status line and headers */
	C_CHUNK_SIZE,
	C_CHUNK_DATA,
	C_CHUNK_END,		/* the CRLF after a chunk's data */
	C_CLOSED		/* failed, or lost after it was up */
};

/* What the SSE event being parsed is. */
enum ekind {
	E_OTHER,
	E_STATE,
	E_TICK
};

struct worker;

/* One stream. */
struct client {
	struct worker		*w;
	struct event		*ev;
	int			 fd;
	uint32_t		 idx;		/* over all workers */
	enum cstate		 state;
	bool			 ready;		/* first event: state seen */
	bool			 chunked;
	int			 status;
	size_t			 chunk_left;
	size_t			 headlen;
	enum ekind		 kind;
	char			 fline[FAN_LINE_MAX];	/* head, chunk size */
	size_t			 flinelen;
	char			 line[FAN_LINE_MAX];	/* SSE */
	size_t			 linelen;
	char			 data[FAN_LINE_MAX];
	size_t			 datalen;
	int64_t			 start_us;	/* monotonic, connect() */
	int32_t			 connect_us;	/* to ready; -1: never */
};

/* When what one read returned got to the client (wall microseconds). */
struct arrival {
	int64_t			 sock_us;	/* in its socket: the kernel's stamp */
	int64_t			 read_us;	/* read by this generator */
};

/* One tick seen by one stream. */
struct sample {
	int64_t			 server_ms;
	int64_t			 delay_us;	/* to the socket */
	int64_t			 read_delay_us;	/* to this generator's read */
	int32_t			 remaining_ms;
	uint32_t		 client;
};

/* A worker's "all my streams are up (or failed)" message. */
struct msg_ready {
	uint32_t		 magic;
	uint32_t		 connected;
	uint32_t		 failed;
	uint32_t		 pad;
	int64_t			 done_us;	/* monotonic */
};

/* A worker's result header; connect times and samples follow. */
struct msg_result {
	uint32_t		 magic;
	uint32_t		 nclients;
	uint32_t		 connected;
	uint32_t		 closed;	/* lost after they were up */
	uint64_t		 nsamples;
	uint64_t		 samples_dropped;
	uint64_t		 errors;
	uint64_t		 unstamped;
	int64_t			 reader_late_max_us;
};

/* Options shared by the parent and the workers. */
struct opts {
	struct sockaddr_in	 sin;
	int			 port;
	const char		*stage;
	unsigned long		 streams, procs, seconds, connect_timeout;
	unsigned long		 window, probe_ms;
	long			 pid;
	char			*token;
	bool			 no_start;
};

/* One worker process's state. */
struct worker {
	const struct opts	*o;
	struct event_base	*base;
	struct client		*clients;
	uint32_t		 first, n;	/* its share of the streams */
	uint32_t		 next, inflight, resolved, connected, closed;
	int			 res_fd, ctl_fd;
	bool			 ready_sent;
	char			 request[512];
	size_t			 reqlen;
	struct sample		*samples;
	size_t			 nsamples, cap;
	uint64_t		 samples_dropped, errors;
	uint64_t		 unstamped;	/* reads without a kernel stamp */
	int64_t			 window[2];	/* wall ms: ticks counted */
	bool			 have_window;	/* the parent sent it */
	struct event		*ctl_ev, *deadline_ev, *stop_ev, *probe_ev;
	int64_t			 probe_due_us, late_max_us;
};

/* Monotonic time in microseconds. */
static int64_t
mono_us(void)
{
	return bench_clock_us(CLOCK_MONOTONIC);
}

/* Wall-clock time in microseconds since the epoch. */
static int64_t
wall_us(void)
{
	return bench_clock_us(CLOCK_REALTIME);
}

/* Raises this process's open-file limit to at least want, if it can. */
static void
raise_nofile(rlim_t want)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	if (rl.rlim_max < want) {
		struct rlimit hard = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &hard) == 0)
			return;
		want = rl.rlim_max;
	}
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fprintf(stderr, "bench_fanout: cannot raise the open-file "
		    "limit: %s\n", strerror(errno));
}

/* Writes all of buf to fd or returns -1. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes from fd or returns -1 (EOF included). */
static int
read_all(int fd, void *buf, size_t len)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		if ((n = read(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- worker ---------------------------------------------------------- */

static void	client_start(struct client *);

/* Tells the parent that every stream of this worker is up or has failed. */
static void
worker_send_ready(struct worker *w)
{
	struct msg_ready	m;

	if (w->ready_sent)
		return;
	w->ready_sent = true;
	memset(&m, 0, sizeof m);
	m.magic = FAN_MSG_READY;
	m.connected = w->connected;
	m.failed = w->n - w->connected;
	m.done_us = mono_us();
	if (write_all(w->res_fd, &m, sizeof m) == -1)
		_exit(3);
}

/* Starts connects until the window is full or every stream is started. */
static void
worker_start_more(struct worker *w)
{
	while (w->inflight < w->o->window && w->next < w->n) {
		w->inflight++;
		client_start(&w->clients[w->next++]);
	}
	if (w->resolved == w->n)
		worker_send_ready(w);
}

/* A stream stopped connecting: it is up, or it failed. */
static void
client_resolved(struct client *c)
{
	struct worker	*w = c->w;

	w->inflight--;
	w->resolved++;
	worker_start_more(w);
}

/* Closes a stream for good; why is printed for the first few. */
static void
client_fail(struct client *c, const char *why, int err)
{
	struct worker	*w = c->w;
	bool		 was_ready = c->ready, was_started = c->state != C_IDLE;

	if (c->state == C_CLOSED)
		return;
	if (w->errors++ < 3)
		fprintf(stderr, "bench_fanout: stream %u: %s%s%s\n", c->idx, why,
		    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
	if (c->ev != NULL)
		event_free(c->ev);
	c->ev = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->state = C_CLOSED;
	if (was_ready)
		w->closed++;
	else if (was_started)
		client_resolved(c);
	else
		w->resolved++;		/* never started: the deadline passed */
}

/* Books one tick that arrived at a. */
static void
client_tick(struct client *c, const struct arrival *a)
{
	struct worker	*w = c->w;
	struct sample	*s;
	int64_t		 server_ms, remaining;

	c->data[c->datalen] = '\0';
	if (!bench_json_int(c->data, "server_time_ms", &server_ms) ||
	    !bench_json_int(c->data, "remaining_ms", &remaining)) {
		if (w->errors++ < 3)
			fprintf(stderr, "bench_fanout: bad tick: %s\n", c->data);
		return;
	}
	if (w->nsamples == FAN_SAMPLES_MAX) {
		w->samples_dropped++;
		return;
	}
	if (w->nsamples == w->cap) {
		w->cap = w->cap == 0 ? 4096 : w->cap * 2;
		if ((w->samples = realloc(w->samples, w->cap *
		    sizeof *w->samples)) == NULL)
			bench_die("out of memory", NULL);
	}
	s = &w->samples[w->nsamples++];
	s->server_ms = server_ms;
	s->delay_us = a->sock_us - server_ms * 1000;
	s->read_delay_us = a->read_us - server_ms * 1000;
	s->remaining_ms = (int32_t)remaining;
	s->client = c->idx;
}

/* Handles one complete SSE line (without its newline). */
static void
client_sse_line(struct client *c, const struct arrival *a)
{
	const char	*v;
	size_t		 len = c->linelen;

	if (len > 0 && c->line[len - 1] == '\r')
		len--;
	if (len == 0) {
		/* The blank line ends an event. */
		if (c->kind == E_TICK && c->datalen > 0)
			client_tick(c, a);
		else if (c->kind == E_STATE && !c->ready) {
			c->ready = true;
			c->connect_us = (int32_t)(mono_us() - c->start_us);
			c->w->connected++;
			client_resolved(c);
		}
		c->kind = E_OTHER;
		c->datalen = 0;
		return;
	}
	if (len >= 6 && memcmp(c->line, "event:", 6) == 0) {
		v = c->line + 6;
		len -= 6;
		if (len > 0 && *v == ' ') {
			v++;
			len--;
		}
		if (len == 4 && memcmp(v, "tick", 4) == 0)
			c->kind = E_TICK;
		else if (len == 5 && memcmp(v, "state", 5) == 0)
			c->kind = E_STATE;
		else
			c->kind = E_OTHER;
	} else if (len >= 5 && memcmp(c->line, "data:", 5) == 0) {
		v = c->line + 5;
		len -= 5;
		if (len > 0 && *v == ' ') {
			v++;
			len--;
		}
		if (len >= sizeof c->data)
			len = sizeof c->data - 1;	/* a state: not read */
		memcpy(c->data, v, len);
		c->datalen = len;
	}
}

/* Feeds body bytes (chunk data) to the SSE line parser. */
static void
client_sse(struct client *c, const char *p, size_t len,
    const struct arrival *a)
{
	const char	*nl;
	size_t		 n, room;

	while (len > 0 && c->state != C_CLOSED) {
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) : len;
		room = sizeof c->line - 1 - c->linelen;
		memcpy(c->line + c->linelen, p, n < room ? n : room);
		c->linelen += n < room ? n : room;
		if (nl == NULL)
			return;
		client_sse_line(c, a);
		c->linelen = 0;
		p += n + 1;
		len -= n + 1;
	}
}

/* Handles one line of the reply head; false when the reply is unusable. */
static bool
client_head_line(struct client *c)
{
	const char	*v;
	size_t		 len = c->flinelen;

	if (len > 0 && c->fline[len - 1] == '\r')
		len--;
	c->fline[len] = '\0';
	if (c->status == 0) {
		if (sscanf(c->fline, "HTTP/1.%*d %d", &c->status) != 1)
			c->status = -1;
		return true;
	}
	if (len == 0) {
		if (c->status != 200 || !c->chunked)
			return false;
		c->state = C_CHUNK_SIZE;
		return true;
	}
	if (strncasecmp(c->fline, "Transfer-Encoding:", 18) == 0) {
		for (v = c->fline + 18; *v == ' '; v++)
			;
		c->chunked = strncasecmp(v, "chunked", 7) == 0;
	}
	return true;
}

/* Parses what one read() returned: head, chunk framing and SSE. */
static void
client_parse(struct client *c, const char *p, size_t len,
    const struct arrival *a)
{
	unsigned long	 size;
	size_t		 n;
	char		*end;

	while (len > 0 && c->state != C_CLOSED) {
		switch (c->state) {
		case C_HEAD:
		case C_CHUNK_SIZE:
		case C_CHUNK_END:
			if (*p != '\n') {
				if (c->flinelen < sizeof c->fline - 1)
					c->fline[c->flinelen++] = *p;
				if (c->state == C_HEAD &&
				    ++c->headlen > FAN_HEAD_MAX) {
					client_fail(c, "reply head too long", 0);
					return;
				}
				p++;
				len--;
				break;
			}
			p++;
			len--;
			if (c->state == C_HEAD) {
				if (!client_head_line(c)) {
					client_fail(c, "not a 200 chunked reply", 0);
					return;
				}
			} else if (c->state == C_CHUNK_END) {
				c->state = C_CHUNK_SIZE;
			} else {
				c->fline[c->flinelen] = '\0';
				errno = 0;
				size = strtoul(c->fline, &end, 16);
				if (errno != 0 || end == c->fline) {
					client_fail(c, "bad chunk size", 0);
					return;
				}
				if (size == 0) {
					client_fail(c, "the server ended the "
					    "stream", 0);
					return;
				}
				c->chunk_left = size;
				c->state = C_CHUNK_DATA;
			}
			c->flinelen = 0;
			break;
		case C_CHUNK_DATA:
			n = len < c->chunk_left ? len : c->chunk_left;
			client_sse(c, p, n, a);
			p += n;
			len -= n;
			c->chunk_left -= n;
			if (c->chunk_left == 0 && c->state == C_CHUNK_DATA)
				c->state = C_CHUNK_END;
			break;
		default:
			return;
		}
	}
}

/*
 * Reads what has arrived on a stream. The arrival is the kernel's receive
 * stamp (SO_TIMESTAMPNS: when the daemon's send put the bytes in this
 * client's socket; the last segment's if one read takes several), which
 * does not depend on when this process got round to reading them: the
 * readers share the daemon's CPUs, which real screens do not. The read
 * time is booked too; the two agreeing shows the readers keep up.
 */
static void
client_read(evutil_socket_t fd, short what, void *arg)
{
	struct client	*c = arg;
	char		 buf[16384];
	union {
		char		buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr	align;
	}		 ctl;
	struct iovec	 iov;
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct timespec	 ts;
	struct arrival	 a;
	ssize_t		 n;

	(void)what;
	for (;;) {
		iov.iov_base = buf;
		iov.iov_len = sizeof buf;
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof ctl.buf;
		n = recvmsg(fd, &mh, 0);
		if (n > 0) {
			a.read_us = wall_us();
			a.sock_us = -1;
			for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
			    cm = CMSG_NXTHDR(&mh, cm)) {
				if (cm->cmsg_level == SOL_SOCKET &&
				    cm->cmsg_type == SCM_TIMESTAMPNS &&
				    cm->cmsg_len >= CMSG_LEN(sizeof ts)) {
					memcpy(&ts, CMSG_DATA(cm), sizeof ts);
					a.sock_us = (int64_t)ts.tv_sec * 1000000 +
					    ts.tv_nsec / 1000;
				}
			}
			if (a.sock_us == -1) {
				/* No stamp: the read time stands in. */
				a.sock_us = a.read_us;
				c->w->unstamped++;
			}
			client_parse(c, buf, (size_t)n, &a);
			if (c->state == C_CLOSED || (size_t)n < sizeof buf)
				return;
			continue;
		}
		if (n == 0) {
			client_fail(c, "connection closed", 0);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			client_fail(c, "read", errno);
		return;
	}
}

/* The connect finished: sends the request and starts reading. */
static void
client_connected(evutil_socket_t fd, short what, void *arg)
{
	struct client	*c = arg;
	struct worker	*w = c->w;
	socklen_t	 sl = sizeof(int);
	int		 err = 0, one = 1;
	ssize_t		 n;

	(void)what;
	event_free(c->ev);
	c->ev = NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		err = errno;
	if (err != 0) {
		client_fail(c, "connect", err);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* The kernel stamps each segment on arrival (see client_read). */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
	n = send(fd, w->request, w->reqlen, MSG_NOSIGNAL);
	if (n != (ssize_t)w->reqlen) {
		client_fail(c, "send", n == -1 ? errno : 0);
		return;
	}
	c->state = C_HEAD;
	c->ev = event_new(w->base, fd, EV_READ | EV_PERSIST, client_read, c);
	if (c->ev == NULL || event_add(c->ev, NULL) == -1)
		bench_die("cannot add a stream event", NULL);
}

/* Opens one stream from its own source address. */
static void
client_start(struct client *c)
{
	struct worker		*w = c->w;
	struct sockaddr_in	 src;
	int			 fd, one = 1;

	c->start_us = mono_us();
	c->state = C_CONNECTING;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		client_fail(c, "socket", errno);
		return;
	}
	c->fd = fd;
#ifdef IP_BIND_ADDRESS_NO_PORT
	/* Picks the port at connect(), per destination, not at bind(). */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#else
	(void)one;
#endif
	memset(&src, 0, sizeof src);
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl((127u << 24) | (FAN_SRC_FIRST +
	    c->idx % (FAN_SRC_LAST - FAN_SRC_FIRST + 1)));
	if (bind(fd, (struct sockaddr *)&src, sizeof src) == -1) {
		client_fail(c, "bind", errno);
		return;
	}
	if (connect(fd, (const struct sockaddr *)&w->o->sin,
	    sizeof w->o->sin) == -1 && errno != EINPROGRESS) {
		client_fail(c, "connect", errno);
		return;
	}
	c->ev = event_new(w->base, fd, EV_WRITE, client_connected, c);
	if (c->ev == NULL || event_add(c->ev, NULL) == -1)
		bench_die("cannot add a connect event", NULL);
}

/* The connect deadline: whatever is not up by now has failed. */
static void
worker_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	uint32_t	 i;

	(void)fd;
	(void)what;
	w->next = w->n;		/* start nothing more */
	for (i = 0; i < w->n; i++) {
		if (!w->clients[i].ready && w->clients[i].state != C_CLOSED)
			client_fail(&w->clients[i], "not up by the connect "
			    "deadline", 0);
	}
	worker_send_ready(w);
}

/* The measurement is over: leaves the loop. */
static void
worker_stop(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(w->base);
}

/*
 * The parent sent the window (wall ms, first and last server_time_ms that
 * count), or went away; the worker reads on for FAN_GRACE_MS after it.
 */
static void
worker_ctl(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	struct timeval	 tv;
	int64_t		 wait_us;

	(void)what;
	if (read_all(fd, w->window, sizeof w->window) == -1)
		_exit(4);	/* the parent is gone */
	w->have_window = true;
	event_del(w->ctl_ev);
	wait_us = (w->window[1] + FAN_GRACE_MS) * 1000 - wall_us();
	if (wait_us < 0)
		wait_us = 0;
	tv.tv_sec = (time_t)(wait_us / 1000000);
	tv.tv_usec = (suseconds_t)(wait_us % 1000000);
	if ((w->stop_ev = evtimer_new(w->base, worker_stop, w)) == NULL ||
	    evtimer_add(w->stop_ev, &tv) == -1)
		bench_die("cannot add the stop timer", NULL);
}

/* Arms the worker's own 10 ms timer. */
static void
worker_probe_arm(struct worker *w)
{
	struct timeval	tv = { 0, FAN_READER_PROBE_US };

	w->probe_due_us = mono_us() + FAN_READER_PROBE_US;
	evtimer_add(w->probe_ev, &tv);
}

/* Notes how late the worker's own timer fired: its scheduling noise. */
static void
worker_probe(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	int64_t		 late = mono_us() - w->probe_due_us;

	(void)fd;
	(void)what;
	if (w->ready_sent && late > w->late_max_us)
		w->late_max_us = late;
	worker_probe_arm(w);
}

/* Sends the results (the samples in the window) to the parent. */
static void
worker_report(struct worker *w)
{
	struct msg_result	 r;
	int32_t			*ct;
	size_t			 i, k;

	for (i = k = 0; i < w->nsamples; i++) {
		if (w->samples[i].server_ms >= w->window[0] &&
		    w->samples[i].server_ms <= w->window[1])
			w->samples[k++] = w->samples[i];
	}
	if ((ct = calloc(w->n, sizeof *ct)) == NULL)
		bench_die("out of memory", NULL);
	for (i = 0; i < w->n; i++)
		ct[i] = w->clients[i].ready ? w->clients[i].connect_us : -1;
	memset(&r, 0, sizeof r);
	r.magic = FAN_MSG_RESULT;
	r.nclients = w->n;
	r.connected = w->connected;
	r.closed = w->closed;
	r.nsamples = k;
	r.samples_dropped = w->samples_dropped;
	r.errors = w->errors;
	r.unstamped = w->unstamped;
	r.reader_late_max_us = w->late_max_us;
	if (write_all(w->res_fd, &r, sizeof r) == -1 ||
	    write_all(w->res_fd, ct, w->n * sizeof *ct) == -1 ||
	    write_all(w->res_fd, w->samples, k * sizeof *w->samples) == -1)
		_exit(3);
	free(ct);
}

/* A worker process: opens streams first .. first + n - 1 and reads them. */
static void
worker_main(const struct opts *o, uint32_t first, uint32_t n, int res_fd,
    int ctl_fd)
{
	struct worker	 w;
	struct timeval	 tv;
	uint32_t	 i;
	int		 len;

	/* Bounded whatever happens: SIGALRM's default action ends us. */
	alarm((unsigned int)(o->connect_timeout + o->seconds + 120));
	raise_nofile((rlim_t)n + 64);
	memset(&w, 0, sizeof w);
	w.o = o;
	w.first = first;
	w.n = n;
	w.res_fd = res_fd;
	w.ctl_fd = ctl_fd;
	len = snprintf(w.request, sizeof w.request,
	    "GET /api/v1/stages/%s/stream HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n"
	    "Accept: text/event-stream\r\n"
	    "\r\n", o->stage, o->port);
	if (len < 0 || (size_t)len >= sizeof w.request)
		bench_die("stage name too long", o->stage);
	w.reqlen = (size_t)len;
	if ((w.base = event_base_new()) == NULL)
		bench_die("cannot create an event base", NULL);
	if (n > 0 && (w.clients = calloc(n, sizeof *w.clients)) == NULL)
		bench_die("out of memory", NULL);
	for (i = 0; i < n; i++) {
		w.clients[i].w = &w;
		w.clients[i].fd = -1;
		w.clients[i].idx = first + i;
		w.clients[i].connect_us = -1;
	}
	tv.tv_sec = (time_t)o->connect_timeout;
	tv.tv_usec = 0;
	if ((w.ctl_ev = event_new(w.base, ctl_fd, EV_READ | EV_PERSIST,
	    worker_ctl, &w)) == NULL || event_add(w.ctl_ev, NULL) == -1 ||
	    (w.deadline_ev = evtimer_new(w.base, worker_deadline, &w)) == NULL ||
	    evtimer_add(w.deadline_ev, &tv) == -1 ||
	    (w.probe_ev = evtimer_new(w.base, worker_probe, &w)) == NULL)
		bench_die("cannot set up the worker", NULL);
	worker_probe_arm(&w);
	worker_start_more(&w);
	event_base_dispatch(w.base);
	if (!w.have_window)
		_exit(4);
	worker_report(&w);
	_exit(0);
}

/* ---- parent ---------------------------------------------------------- */

/* Orders samples by tick (remaining_ms, highest first), then by client. */
static int
cmp_sample(const void *a, const void *b)
{
	const struct sample	*x = a, *y = b;

	if (x->remaining_ms != y->remaining_ms)
		return x->remaining_ms > y->remaining_ms ? -1 : 1;
	return x->client < y->client ? -1 : x->client > y->client;
}

/* The daemon's resident and peak memory in KiB from /proc; false if gone. */
static bool
proc_rss(long pid, long *rss_kib, long *hwm_kib)
{
	char	 path[64], line[256];
	FILE	*f;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss_kib = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm_kib = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return true;
}

/* The daemon's CPU time (user + system) in clock ticks; -1 if gone. */
static long long
proc_cpu(long pid)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name: state is 3, utime 14, stime 15. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (long long)ut + (long long)st;
}

/* The whole run, as the parent sees it. */
struct run {
	const struct opts	*o;
	pid_t			 pids[FAN_PROCS_MAX];
	int			 res_fd[FAN_PROCS_MAX], ctl_fd[FAN_PROCS_MAX];
	uint32_t		 first[FAN_PROCS_MAX], count[FAN_PROCS_MAX];
	long			 rss_max_kib, hwm_kib;
	struct bench_samples	 api;
	unsigned long		 api_errors;
	char			*buf;
};

/* Samples the daemon's RSS (when --pid is given). */
static void
run_rss(struct run *r)
{
	long	rss = 0, hwm = 0;

	if (r->o->pid > 0 && proc_rss(r->o->pid, &rss, &hwm)) {
		if (rss > r->rss_max_kib)
			r->rss_max_kib = rss;
		if (hwm > r->hwm_kib)
			r->hwm_kib = hwm;
	}
}

/* Forks the workers, each with a result pipe and a control pipe. */
static void
run_fork(struct run *r)
{
	const struct opts	*o = r->o;
	unsigned long		 i, j;
	int			 res[2], ctl[2];
	pid_t			 pid;

	for (i = 0; i < o->procs; i++) {
		r->first[i] = (uint32_t)(o->streams * i / o->procs);
		r->count[i] = (uint32_t)(o->streams * (i + 1) / o->procs) -
		    r->first[i];
		if (pipe2(res, O_CLOEXEC) == -1 || pipe2(ctl, O_CLOEXEC) == -1)
			bench_die("pipe", strerror(errno));
		fflush(NULL);
		if ((pid = fork()) == -1)
			bench_die("fork", strerror(errno));
		if (pid == 0) {
			close(res[0]);
			close(ctl[1]);
			for (j = 0; j < i; j++) {
				close(r->res_fd[j]);
				close(r->ctl_fd[j]);
			}
			worker_main(o, r->first[i], r->count[i], res[1], ctl[0]);
		}
		close(res[1]);
		close(ctl[0]);
		r->pids[i] = pid;
		r->res_fd[i] = res[0];
		r->ctl_fd[i] = ctl[1];
	}
}

/*
 * Waits for every worker's ready message (bounded by the connect timeout),
 * sampling RSS meanwhile; returns the monotonic time the last one was done.
 */
static int64_t
run_wait_ready(struct run *r, uint32_t *connected)
{
	const struct opts	*o = r->o;
	struct pollfd		 pfd[FAN_PROCS_MAX];
	struct msg_ready	 m;
	int64_t			 deadline, done = 0;
	unsigned long		 i, left = o->procs;
	int			 rc;

	deadline = mono_us() + ((int64_t)o->connect_timeout + 10) * 1000000;
	for (i = 0; i < o->procs; i++) {
		pfd[i].fd = r->res_fd[i];
		pfd[i].events = POLLIN;
	}
	*connected = 0;
	while (left > 0) {
		if (mono_us() > deadline)
			bench_die("workers did not report within the connect timeout",
			    NULL);
		rc = poll(pfd, (nfds_t)o->procs, 100);
		run_rss(r);
		if (rc <= 0)
			continue;
		for (i = 0; i < o->procs; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			if (read_all(pfd[i].fd, &m, sizeof m) == -1 ||
			    m.magic != FAN_MSG_READY)
				bench_die("a worker died while connecting", NULL);
			*connected += m.connected;
			if (m.done_us > done)
				done = m.done_us;
			pfd[i].fd = -1;
			left--;
		}
	}
	return done;
}

/* Sends one GET .../state on a fresh connection and books its latency. */
static void
run_api_probe(struct run *r)
{
	char	 path[256];
	int64_t	 t0;
	int	 status;

	snprintf(path, sizeof path, "/api/v1/stages/%s/state", r->o->stage);
	t0 = mono_us();
	status = bench_http(&r->o->sin, "127.0.0.1", r->o->port,
	    FAN_IO_TIMEOUT_MS, "GET", path, NULL, NULL, r->buf, 65536);
	if (status == 200)
		bench_samples_add(&r->api, mono_us() - t0);
	else
		r->api_errors++;
}

/* Sleeps until the monotonic time at_us. */
static void
sleep_until(int64_t at_us)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(at_us / 1000000);
	ts.tv_nsec = (long)(at_us % 1000000) * 1000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

/* Counts: for each client the ticks it got and first/last remaining. */
struct cstat {
	int32_t			 first_rem, last_rem;
	uint32_t		 got;
};

/* Aggregates the workers' results and prints the line. */
static int
run_report(struct run *r, uint32_t connected, double connect_all_s,
    double cpu_pct, double window_s)
{
	const struct opts	*o = r->o;
	struct msg_result	 h;
	struct sample		*all = NULL;
	struct bench_samples	 conn = { 0 }, last = { 0 }, pairs = { 0 },
				 rlast = { 0 };
	struct cstat		*cs;
	size_t			 nall = 0, i, j;
	unsigned long		 p, ticks = 0, complete = 0;
	unsigned long long	 missed = 0, missed_gap = 0, errors = 0,
				 dropped = 0, closed = 0, up_end = 0,
				 unstamped = 0;
	unsigned long		 clients_gapped = 0;
	int64_t			 late_max = 0, tmax, rmax, hi = INT64_MIN,
				 lo = INT64_MAX;
	int32_t			*ct;
	int			 status;

	for (p = 0; p < o->procs; p++) {
		if (read_all(r->res_fd[p], &h, sizeof h) == -1 ||
		    h.magic != FAN_MSG_RESULT || h.nclients != r->count[p])
			bench_die("a worker died before it reported", NULL);
		if ((ct = calloc(h.nclients + 1, sizeof *ct)) == NULL ||
		    (all = realloc(all, (nall + h.nsamples + 1) *
		    sizeof *all)) == NULL)
			bench_die("out of memory", NULL);
		if (read_all(r->res_fd[p], ct, h.nclients * sizeof *ct) == -1 ||
		    read_all(r->res_fd[p], all + nall, h.nsamples *
		    sizeof *all) == -1)
			bench_die("a worker's report is short", NULL);
		nall += h.nsamples;
		for (i = 0; i < h.nclients; i++) {
			if (ct[i] >= 0)
				bench_samples_add(&conn, ct[i]);
		}
		free(ct);
		errors += h.errors;
		dropped += h.samples_dropped;
		unstamped += h.unstamped;
		closed += h.closed;
		up_end += h.connected - h.closed;
		if (h.reader_late_max_us > late_max)
			late_max = h.reader_late_max_us;
		close(r->res_fd[p]);
		if (waitpid(r->pids[p], &status, 0) == -1 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			errors++;
	}

	/* Per client: a gap between the first and the last tick it saw. */
	if ((cs = calloc(o->streams, sizeof *cs)) == NULL)
		bench_die("out of memory", NULL);
	qsort(all, nall, sizeof *all, cmp_sample);
	for (i = 0; i < nall; i++) {
		struct cstat *c = &cs[all[i].client];

		if (c->got == 0)
			c->first_rem = all[i].remaining_ms;
		c->last_rem = all[i].remaining_ms;
		c->got++;
		if (all[i].remaining_ms > hi)
			hi = all[i].remaining_ms;
		if (all[i].remaining_ms < lo)
			lo = all[i].remaining_ms;
		bench_samples_add(&pairs, all[i].delay_us);
	}
	for (i = 0; i < o->streams; i++) {
		long long gap;

		if (cs[i].got == 0)
			continue;
		gap = (cs[i].first_rem - cs[i].last_rem + 500) / 1000 + 1 -
		    cs[i].got;
		if (gap > 0) {
			missed_gap += (unsigned long long)gap;
			clients_gapped++;
		}
	}
	free(cs);

	/* Per tick: how many clients got it, and the delay to the last one. */
	if (nall > 0)
		ticks = (unsigned long)((hi - lo + 500) / 1000 + 1);
	for (i = 0; i < nall; i = j) {
		tmax = all[i].delay_us;
		rmax = all[i].read_delay_us;
		for (j = i; j < nall && all[j].remaining_ms == all[i].remaining_ms;
		    j++) {
			if (all[j].delay_us > tmax)
				tmax = all[j].delay_us;
			if (all[j].read_delay_us > rmax)
				rmax = all[j].read_delay_us;
		}
		bench_samples_add(&last, tmax);
		bench_samples_add(&rlast, rmax);
		if (j - i >= o->streams)
			complete++;
		else
			missed += o->streams - (j - i);
	}
	/* Crossings no client saw at all. */
	if (ticks > last.n)
		missed += (unsigned long long)(ticks - last.n) * o->streams;

	printf("streams=%lu procs=%lu connected=%" PRIu32 " up_at_end=%llu"
	    " closed=%llu connect_all_s=%.3f connect_p50_ms=%.1f"
	    " connect_p99_ms=%.1f connect_max_ms=%.1f",
	    o->streams, o->procs, connected, up_end, closed, connect_all_s,
	    bench_quantile_k(&conn, 0.5), bench_quantile_k(&conn, 0.99),
	    bench_quantile_k(&conn, 1.0));
	printf(" window_s=%.1f ticks=%lu ticks_to_all=%lu missed=%llu"
	    " missed_gap=%llu clients_with_gaps=%lu",
	    window_s, ticks, complete, missed, missed_gap, clients_gapped);
	printf(" last_p50_ms=%.1f last_p99_ms=%.1f last_max_ms=%.1f"
	    " all_p50_ms=%.1f all_p99_ms=%.1f all_max_ms=%.1f pairs=%zu",
	    bench_quantile_k(&last, 0.5), bench_quantile_k(&last, 0.99),
	    bench_quantile_k(&last, 1.0), bench_quantile_k(&pairs, 0.5),
	    bench_quantile_k(&pairs, 0.99), bench_quantile_k(&pairs, 1.0), pairs.n);
	printf(" read_last_p50_ms=%.1f read_last_p99_ms=%.1f"
	    " read_last_max_ms=%.1f unstamped_reads=%llu",
	    bench_quantile_k(&rlast, 0.5), bench_quantile_k(&rlast, 0.99),
	    bench_quantile_k(&rlast, 1.0), unstamped);
	if (o->pid > 0)
		printf(" rss_max_kib=%ld rss_hwm_kib=%ld cpu_pct=%.1f",
		    r->rss_max_kib, r->hwm_kib, cpu_pct);
	else
		printf(" rss_max_kib=? rss_hwm_kib=? cpu_pct=?");
	printf(" api_n=%zu api_errors=%lu api_p50_ms=%.1f api_p99_ms=%.1f"
	    " api_max_ms=%.1f reader_late_max_ms=%.1f samples_dropped=%llu"
	    " errors=%llu\n", r->api.n, r->api_errors,
	    bench_quantile_k(&r->api, 0.5), bench_quantile_k(&r->api, 0.99),
	    bench_quantile_k(&r->api, 1.0), (double)late_max / 1000.0, dropped,
	    errors);
	fflush(stdout);
	free(all);
	bench_samples_free(&conn);
	bench_samples_free(&last);
	bench_samples_free(&rlast);
	bench_samples_free(&pairs);
	return errors == 0 && dropped == 0 && r->api_errors == 0 &&
	    connected == o->streams ? 0 : 1;
}

/* Prints the usage and exits. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_fanout --port P --streams N [--procs P] [--seconds S]\n"
	    "           [--connect-timeout S] [--connect-window W]\n"
	    "           [--stage main] [--tokens FILE | --no-start]\n"
	    "           [--pid DAEMON_PID] [--probe-ms MS]\n");
	exit(2);
}

/* Parses the options, runs the fan-out and prints the result line. */
int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port",		required_argument, NULL, 'p' },
		{ "streams",		required_argument, NULL, 'n' },
		{ "procs",		required_argument, NULL, 'P' },
		{ "seconds",		required_argument, NULL, 's' },
		{ "connect-timeout",	required_argument, NULL, 'c' },
		{ "connect-window",	required_argument, NULL, 'W' },
		{ "stage",		required_argument, NULL, 'S' },
		{ "tokens",		required_argument, NULL, 't' },
		{ "no-start",		no_argument,	   NULL, 'N' },
		{ "pid",		required_argument, NULL, 'd' },
		{ "probe-ms",		required_argument, NULL, 'm' },
		{ NULL,			0,		   NULL, 0 }
	};
	struct opts	 o;
	struct run	 r;
	char		 path[256];
	uint32_t	 connected;
	int64_t		 t0, done, start_us, cpu_t0 = 0, cpu_t1, end_us, next;
	int64_t		 window[2];
	long long	 cpu0 = -1, cpu1;
	double		 cpu_pct = 0, hz;
	unsigned long	 i;
	int		 ch, status;

	memset(&o, 0, sizeof o);
	o.stage = "main";
	o.procs = 1;
	o.seconds = 10;
	o.connect_timeout = 30;
	o.window = FAN_WINDOW_DEFAULT;
	o.probe_ms = FAN_PROBE_DEFAULT_MS;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			o.port = (int)bench_parse_num(optarg, 1, 65535, "--port");
			break;
		case 'n':
			o.streams = bench_parse_num(optarg, 1, FAN_STREAMS_MAX,
			    "--streams");
			break;
		case 'P':
			o.procs = bench_parse_num(optarg, 1, FAN_PROCS_MAX, "--procs");
			break;
		case 's':
			o.seconds = bench_parse_num(optarg, 1, FAN_SECONDS_MAX,
			    "--seconds");
			break;
		case 'c':
			o.connect_timeout = bench_parse_num(optarg, 1,
			    FAN_CONNECT_S_MAX, "--connect-timeout");
			break;
		case 'W':
			o.window = bench_parse_num(optarg, 1, FAN_STREAMS_MAX,
			    "--connect-window");
			break;
		case 'S':
			if (strlen(optarg) > 64 || strspn(optarg,
			    "abcdefghijklmnopqrstuvwxyz0123456789-_") !=
			    strlen(optarg))
				bench_die("bad stage id", optarg);
			o.stage = optarg;
			break;
		case 't':
			o.token = bench_load_token(optarg, "moderator");
			break;
		case 'N':
			o.no_start = true;
			break;
		case 'd':
			o.pid = (long)bench_parse_num(optarg, 1, 4194304, "--pid");
			break;
		case 'm':
			o.probe_ms = bench_parse_num(optarg, 0, 60000, "--probe-ms");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o.port == 0 || o.streams == 0)
		usage();
	if (o.token == NULL && !o.no_start)
		bench_die("--tokens FILE (to start the pitch) or --no-start is needed",
		    NULL);
	if (o.procs > o.streams)
		o.procs = o.streams;
	o.sin.sin_family = AF_INET;
	o.sin.sin_port = htons((uint16_t)o.port);
	o.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned int)(o.connect_timeout + o.seconds + 180));

	memset(&r, 0, sizeof r);
	r.o = &o;
	if ((r.buf = malloc(65536)) == NULL)
		bench_die("out of memory", NULL);
	run_rss(&r);
	t0 = mono_us();
	run_fork(&r);
	done = run_wait_ready(&r, &connected);
	fprintf(stderr, "bench_fanout: %" PRIu32 " of %lu streams up in %.3f s\n",
	    connected, o.streams, (double)(done - t0) / 1e6);

	if (!o.no_start) {
		snprintf(path, sizeof path, "/api/v1/stages/%s/start", o.stage);
		status = bench_http(&o.sin, "127.0.0.1", o.port,
		    FAN_IO_TIMEOUT_MS, "POST", path, o.token, NULL, r.buf, 65536);
		if (status != 200) {
			fprintf(stderr, "bench_fanout: POST %s: HTTP %d\n%.500s\n",
			    path, status, r.buf);
			bench_die("cannot start the pitch", NULL);
		}
	}
	start_us = mono_us();
	window[0] = wall_us() / 1000;
	end_us = start_us + (int64_t)o.seconds * 1000000;
	next = start_us;
	while ((next = next + (o.probe_ms > 0 ? (int64_t)o.probe_ms * 1000 :
	    100000)) < end_us) {
		if (cpu0 < 0 && mono_us() >= start_us + FAN_CPU_SKIP_MS * 1000 &&
		    o.pid > 0) {
			cpu_t0 = mono_us();
			cpu0 = proc_cpu(o.pid);
		}
		sleep_until(next);
		run_rss(&r);
		if (o.probe_ms > 0)
			run_api_probe(&r);
	}
	sleep_until(end_us);
	window[1] = wall_us() / 1000;
	cpu_t1 = mono_us();
	cpu1 = o.pid > 0 ? proc_cpu(o.pid) : -1;
	run_rss(&r);
	hz = (double)sysconf(_SC_CLK_TCK);
	if (cpu0 >= 0 && cpu1 >= cpu0 && cpu_t1 > cpu_t0)
		cpu_pct = 100.0 * ((double)(cpu1 - cpu0) / hz) /
		    ((double)(cpu_t1 - cpu_t0) / 1e6);
	for (i = 0; i < o.procs; i++) {
		if (write_all(r.ctl_fd[i], window, sizeof window) == -1)
			bench_die("a worker went away", NULL);
	}
	status = run_report(&r, connected, (double)(done - t0) / 1e6, cpu_pct,
	    (double)(cpu_t1 - start_us) / 1e6);
	for (i = 0; i < o.procs; i++)
		close(r.ctl_fd[i]);
	free(r.buf);
	bench_samples_free(&r.api);
	free(o.token);
	return status;
}
