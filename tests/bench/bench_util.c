/*
 * bench_util.c — the helpers the load generators share (bench_util.h).
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bench_util.h"

/* Prints "PROG: msg: arg" and exits with status 2. */
void
bench_die(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", bench_prog, msg, arg != NULL ? ": " : "",
	    arg != NULL ? arg : "");
	exit(2);
}

/* Reads a clock in nanoseconds. */
uint64_t
bench_clock_ns(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads a clock in microseconds. */
int64_t
bench_clock_us(clockid_t id)
{
	return (int64_t)(bench_clock_ns(id) / 1000);
}

/* Parses a decimal number in [min, max] or dies naming the option. */
unsigned long long
bench_parse_num(const char *s, unsigned long long min, unsigned long long max,
    const char *opt)
{
	unsigned long long	 v;
	char			*end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min ||
	    v > max)
		bench_die("bad number for", opt);
	return v;
}

/* The first token of KIND in a DATABASE.tokens file (KIND ID TOKEN lines). */
char *
bench_load_token(const char *path, const char *kind)
{
	FILE	*f;
	char	*line = NULL, k[32], id[128], tok[512], *token = NULL;
	size_t	 cap = 0;

	if ((f = fopen(path, "r")) == NULL)
		bench_die("cannot open", path);
	while (token == NULL && getline(&line, &cap, f) != -1) {
		if (sscanf(line, "%31s %127s %511s", k, id, tok) == 3 &&
		    strcmp(k, kind) == 0 && (token = strdup(tok)) == NULL)
			bench_die("out of memory", NULL);
	}
	free(line);
	fclose(f);
	if (token == NULL) {
		fprintf(stderr, "%s: no %s token in %s\n", bench_prog, kind, path);
		exit(2);
	}
	return token;
}

/* One blocking request; the server closes after the reply. */
int
bench_http(const struct sockaddr_in *sin, const char *host, int port,
    int timeout_ms, const char *method, const char *path, const char *token,
    const char *body, char *buf, size_t size)
{
	struct timeval	 tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	char		 head[1024];
	size_t		 len = 0, blen = body != NULL ? strlen(body) : 0;
	ssize_t		 n;
	int		 fd, hlen, status = -1;

	buf[0] = '\0';
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (const struct sockaddr *)sin, sizeof *sin) == -1)
		goto out;
	hlen = snprintf(head, sizeof head,
	    "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n%s%s%s%s"
	    "Content-Length: %zu\r\n\r\n", method, path, host, port,
	    token != NULL ? "Authorization: Bearer " : "",
	    token != NULL ? token : "", token != NULL ? "\r\n" : "",
	    body != NULL ? "Content-Type: application/json\r\n" : "", blen);
	if (hlen < 0 || (size_t)hlen >= sizeof head ||
	    send(fd, head, (size_t)hlen, MSG_NOSIGNAL) != hlen ||
	    (blen > 0 && send(fd, body, blen, MSG_NOSIGNAL) != (ssize_t)blen))
		goto out;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
out:
	close(fd);
	return status;
}

/* One Prometheus value by name, at the start of a line. */
bool
bench_metric(const char *text, const char *name, double *v)
{
	const char	*p = text;
	size_t		 len = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ') {
			*v = strtod(p + len + 1, NULL);
			return true;
		}
		p += len;
	}
	return false;
}

/* One integer field "key":N out of a flat JSON object. */
bool
bench_json_int(const char *json, const char *key, int64_t *v)
{
	char		 pat[64];
	const char	*p;
	char		*end;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	if ((p = strstr(json, pat)) == NULL)
		return false;
	p += strlen(pat);
	errno = 0;
	*v = strtoll(p, &end, 10);
	return errno == 0 && end != p;
}

/* Appends one value, unless the set is at its bound. */
void
bench_samples_add(struct bench_samples *s, int64_t v)
{
	if (s->max != 0 && s->n == s->max)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 1024 : s->cap * 2;
		if ((s->v = realloc(s->v, s->cap * sizeof *s->v)) == NULL)
			bench_die("out of memory", NULL);
	}
	s->v[s->n++] = v;
	s->sorted = false;
}

/* Compares two values for qsort. */
static int
bench_cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value at quantile q (nearest rank) / 1000; 0 when empty. */
double
bench_quantile_k(struct bench_samples *s, double q)
{
	size_t	rank;

	if (s->n == 0)
		return 0;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof *s->v, bench_cmp_i64);
		s->sorted = true;
	}
	rank = (size_t)(q * (double)s->n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return (double)s->v[rank - 1] / 1000.0;
}

/* Frees the values. */
void
bench_samples_free(struct bench_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* Reads one header line into r; false when it is malformed. */
static bool
bench_reply_header(struct bench_reply *r, const char *line)
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
		r->left = (size_t)n;
		r->have_len = true;
	} else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0)
		r->chunked = strcasecmp(v, "identity") != 0;
	else if (strncasecmp(line, "Connection:", 11) == 0)
		r->close_after = strcasecmp(v, "close") == 0;
	return true;
}

/* Makes r ready for the next reply's status line. */
void
bench_reply_reset(struct bench_reply *r)
{
	memset(r, 0, sizeof *r);
	r->state = BENCH_REPLY_STATUS;
}

/*
 * Parses the status line and headers from in; 1 once the body starts (state
 * set for it), 0 when more input is needed, -1 when the reply is malformed.
 */
int
bench_reply_head(struct bench_reply *r, struct evbuffer *in)
{
	char	*line;
	size_t	 len;
	bool	 ok;

	while (r->state == BENCH_REPLY_STATUS || r->state == BENCH_REPLY_HEADERS) {
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
		if (line == NULL)
			return evbuffer_get_length(in) > BENCH_LINE_MAX ? -1 : 0;
		if (r->state == BENCH_REPLY_STATUS) {
			ok = sscanf(line, "HTTP/1.%*d %d", &r->status) == 1;
			r->state = BENCH_REPLY_HEADERS;
		} else if (len == 0) {
			ok = true;
			r->state = r->chunked ? BENCH_REPLY_CHUNK_SIZE :
			    r->have_len ? BENCH_REPLY_BODY : BENCH_REPLY_RAW;
		} else
			ok = bench_reply_header(r, line);
		free(line);
		if (!ok)
			return -1;
	}
	return 1;
}

/*
 * Moves body bytes from in to out (out NULL: drops them), undoing chunked
 * encoding; 1 at the end of the body, 0 when more input is needed, -1 when
 * the encoding is malformed.
 */
int
bench_reply_body(struct bench_reply *r, struct evbuffer *in, struct evbuffer *out)
{
	char		*line, *end;
	size_t		 len, n;
	unsigned long	 size;
	bool		 ok;

	for (;;) {
		switch (r->state) {
		case BENCH_REPLY_RAW:
			n = evbuffer_get_length(in);
			if (out != NULL)
				evbuffer_remove_buffer(in, out, n);
			else
				evbuffer_drain(in, n);
			return 0;
		case BENCH_REPLY_BODY:
		case BENCH_REPLY_CHUNK_DATA:
			n = evbuffer_get_length(in);
			if (n > r->left)
				n = r->left;
			if (out != NULL)
				evbuffer_remove_buffer(in, out, n);
			else
				evbuffer_drain(in, n);
			r->left -= n;
			if (r->left > 0)
				return 0;
			if (r->state == BENCH_REPLY_BODY)
				return 1;
			r->state = BENCH_REPLY_CHUNK_END;
			break;
		case BENCH_REPLY_CHUNK_SIZE:
		case BENCH_REPLY_CHUNK_END:
			line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
			if (line == NULL)
				return evbuffer_get_length(in) > BENCH_LINE_MAX ?
				    -1 : 0;
			if (r->state == BENCH_REPLY_CHUNK_END) {
				free(line);
				if (len != 0)
					return -1;
				r->state = BENCH_REPLY_CHUNK_SIZE;
				break;
			}
			errno = 0;
			size = strtoul(line, &end, 16);
			ok = errno == 0 && end != line &&
			    (*end == '\0' || *end == ';') && size <= BENCH_BODY_MAX;
			free(line);
			if (!ok)
				return -1;
			if (size == 0)
				return 1;	/* no trailers from taktd */
			r->left = size;
			r->state = BENCH_REPLY_CHUNK_DATA;
			break;
		default:
			return -1;
		}
	}
}
