/*
 * bench_util.h — what the load generators (bench_writes, bench_ticks,
 * bench_fanout) share: dying with a message, clocks, option numbers, the
 * tokens file, a blocking HTTP request, /metrics and JSON fields read by
 * name, and sample sets with nearest-rank quantiles.
 */
#ifndef TAKT_BENCH_UTIL_H
#define TAKT_BENCH_UTIL_H

#include <netinet/in.h>

#include <event2/buffer.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define BENCH_LINE_MAX	8192		/* status line, header or chunk size */
#define BENCH_BODY_MAX	(1024 * 1024)	/* a Content-Length or one chunk */

/* Each program defines its name, for its messages. */
extern const char bench_prog[];

/* Prints "PROG: msg: arg" and exits with status 2. */
void		 bench_die(const char *msg, const char *arg)
		    __attribute__((noreturn));
/* A clock in nanoseconds and in microseconds. */
uint64_t	 bench_clock_ns(clockid_t);
int64_t		 bench_clock_us(clockid_t);
/* Parses a decimal number in [min, max] or dies naming the option. */
unsigned long long bench_parse_num(const char *s, unsigned long long min,
		    unsigned long long max, const char *opt);
/* The first token of KIND ("moderator", ...) in a DATABASE.tokens file; dies if none. */
char		*bench_load_token(const char *path, const char *kind);
/*
 * One request on a blocking connection that the server closes after the
 * reply (Connection: close), read into buf (NUL-terminated, cut at size);
 * a JSON body if body is not NULL. Returns the status, or -1.
 */
int		 bench_http(const struct sockaddr_in *sin, const char *host,
		    int port, int timeout_ms, const char *method, const char *path,
		    const char *token, const char *body, char *buf, size_t size);
/* One Prometheus value by name; false when it is missing. */
bool		 bench_metric(const char *text, const char *name, double *v);
/* One integer field "key":N of a flat JSON object; false when missing. */
bool		 bench_json_int(const char *json, const char *key, int64_t *v);

/* Values (microseconds, say) with nearest-rank quantiles. */
struct bench_samples {
	int64_t		*v;
	size_t		 n, cap;
	size_t		 max;		/* 0: no bound; else further values are dropped */
	bool		 sorted;
};

/* Appends one value (dropped once max is reached). */
void		 bench_samples_add(struct bench_samples *, int64_t v);
/* The value at quantile q (nearest rank), divided by 1000; 0 when empty. */
double		 bench_quantile_k(struct bench_samples *, double q);
/* Frees the values. */
void		 bench_samples_free(struct bench_samples *);

enum bench_reply_state {
	BENCH_REPLY_IDLE,
	BENCH_REPLY_STATUS,
	BENCH_REPLY_HEADERS,
	BENCH_REPLY_CHUNK_SIZE,
	BENCH_REPLY_CHUNK_DATA,
	BENCH_REPLY_CHUNK_END,
	BENCH_REPLY_BODY,		/* Content-Length bytes */
	BENCH_REPLY_RAW		/* no length: the body runs until EOF */
};

/* Where one HTTP/1.1 reply's parse stands (on a libevent buffer). */
struct bench_reply {
	enum bench_reply_state	 state;
	int			 status;
	bool			 chunked;
	bool			 close_after;
	bool			 have_len;
	size_t			 left;	/* of the body or of the current chunk */
};

/* Makes r ready for the next reply's status line. */
void		 bench_reply_reset(struct bench_reply *r);
/*
 * Parses the status line and headers from in: 1 once the body starts (state
 * set for it), 0 when more input is needed, -1 when the reply is malformed.
 */
int		 bench_reply_head(struct bench_reply *r, struct evbuffer *in);
/*
 * Moves body bytes from in to out (NULL: drops them), undoing chunked
 * encoding: 1 at the end of the body, 0 when more input is needed, -1 when
 * the encoding is malformed.
 */
int		 bench_reply_body(struct bench_reply *r, struct evbuffer *in,
		    struct evbuffer *out);

#endif
