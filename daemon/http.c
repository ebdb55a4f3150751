/*
 * http.c — the HTTP server on evhttp. Requests are matched against the
 * routing table, the bearer token is checked against the route's roles, a
 * JSON body is decoded, and only then is the handler called: handlers see
 * well-formed input from someone allowed to send it.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "connset.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "taktd.h"

static struct evhttp		*http_server;
static struct evconnlistener	*http_listener;
static struct event		*http_resume_ev;
static const struct http_route	*http_routes;
static size_t			 http_nroutes;

/*
 * Connections in accept order, each holding a reference on its bufferevent
 * until its head deadline has passed. libevent's idle timeout restarts with
 * every byte, so a client trickling its headers would never time out; this
 * deadline closes a connection that has not completed its first request
 * within HTTP_HEAD_TIMEOUT_S.
 */
struct http_fresh {
	struct bufferevent	*bev;
	int64_t			 accepted_ms;
};
static struct http_fresh	*http_fresh_q;
static size_t			 http_fresh_head, http_fresh_n, http_fresh_cap;
static struct event		*http_sweep_ev;
static struct evbuffer		*http_reply_buf;

/* Milliseconds on the monotonic clock, for the head deadline. */
static int64_t
http_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* evhttp's bufferevent factory: the same bufferevent, remembered and held. */
static struct bufferevent *
http_new_bev(struct event_base *base, void *arg)
{
	struct bufferevent	*bev;
	struct http_fresh	*q;

	(void)arg;
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL;
	if (http_fresh_n == http_fresh_cap) {
		size_t ncap = http_fresh_cap ? http_fresh_cap * 2 : 256, i;

		if ((q = malloc(ncap * sizeof *q)) == NULL)
			return bev;	/* untracked: only the idle timeout applies */
		for (i = 0; i < http_fresh_n; i++)
			q[i] = http_fresh_q[(http_fresh_head + i) % http_fresh_cap];
		free(http_fresh_q);
		http_fresh_q = q;
		http_fresh_cap = ncap;
		http_fresh_head = 0;
	}
	bufferevent_incref(bev);
	q = &http_fresh_q[(http_fresh_head + http_fresh_n++) % http_fresh_cap];
	q->bev = bev;
	q->accepted_ms = http_mono_ms();
	return bev;
}

/*
 * Lets go of one remembered connection. If evhttp still has it (its
 * callbacks are set; their argument is the evhttp_connection) and it never
 * completed a request, its socket is shut down, and evhttp frees it.
 */
static void
http_fresh_release(struct http_fresh *f, bool enforce)
{
	bufferevent_data_cb	 rcb, wcb;
	bufferevent_event_cb	 ecb;
	void			*evcon;

	bufferevent_getcb(f->bev, &rcb, &wcb, &ecb, &evcon);
	if (enforce && ecb != NULL && !connset_has(evcon)) {
		evutil_socket_t fd = bufferevent_getfd(f->bev);

		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
		env->metrics.connections_refused++;
	}
	bufferevent_decref(f->bev);
}

/* Twice a second: enforce the head deadline of the oldest connections. */
static void
http_sweep(evutil_socket_t fd, short what, void *arg)
{
	int64_t	now = http_mono_ms();

	(void)fd;
	(void)what;
	(void)arg;
	while (http_fresh_n > 0) {
		struct http_fresh *f = &http_fresh_q[http_fresh_head];

		if (f->accepted_ms + HTTP_HEAD_TIMEOUT_S * 1000 > now)
			break;
		http_fresh_release(f, true);
		http_fresh_head = (http_fresh_head + 1) % http_fresh_cap;
		http_fresh_n--;
	}
}

/* Counts a reply by status class for /metrics. */
static void
http_count(int status)
{
	if (status >= 500)
		env->metrics.responses_5xx++;
	else if (status >= 400)
		env->metrics.responses_4xx++;
}

/* The reason phrase for the statuses we send. */
static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Status";
	}
}

/*
 * Writes the reply evhttp has just queued straight to the socket instead of
 * on the next loop turn. That saves a turn per request, and the write
 * interest evhttp armed for it is disarmed in the same turn, which the
 * epoll changelist folds away (GET state under wrk: 2 -> 1 epoll_ctl per
 * request). When all of it went out, evhttp's own
 * write-done callback runs, exactly as after a write of its own (it frees
 * the request, and for a closing connection the connection; nothing here
 * or in evhttp's callers touches either afterwards). What does not fit in
 * the socket stays queued and evhttp sends it as usual.
 */
static void
http_flush_now(struct evhttp_connection *evcon)
{
	struct bufferevent	*bev;
	struct evbuffer		*out;
	evutil_socket_t		 fd;
	int			 n;

	if (evcon == NULL || (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return;
	out = bufferevent_get_output(bev);
	if ((fd = bufferevent_getfd(bev)) < 0 || evbuffer_get_length(out) == 0)
		return;
	/* A socket bufferevent freezes its output's front: only it drains it. */
	evbuffer_unfreeze(out, 1);
	n = evbuffer_write(out, fd);
	evbuffer_freeze(out, 1);
	if (n <= 0 || evbuffer_get_length(out) > 0)
		return;		/* an error or a full socket: evhttp's turn */
	bufferevent_trigger(bev, EV_WRITE, 0);
}

/*
 * The Date header (RFC 9110 IMF-fixdate), formatted once per second:
 * evhttp would format it for every reply. Fixed English names, whatever
 * the locale. NULL if the clock cannot be read (evhttp then adds its own).
 */
static const char *
http_date(void)
{
	static const char	 day[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char	 mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static char		 buf[64];	/* 29 used; room for any int */
	static time_t		 last = (time_t)-1;
	time_t			 now = time(NULL);
	struct tm		 tm;

	if (now == last)
		return buf;
	if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL)
		return NULL;
	snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    day[tm.tm_wday % 7], tm.tm_mday, mon[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	last = now;
	return buf;
}

/* The headers every reply of ours carries: Date, the type, no caching, no sniffing. */
void
http_headers(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	const char		*date;

	if ((date = http_date()) != NULL)
		evhttp_add_header(h, "Date", date);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
}

/* Sends bytes with a content type. */
void
http_reply_raw(struct evhttp_request *req, int status, const char *type,
    const char *data, size_t len)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	http_count(status);
	http_headers(req, type);
	/*
	 * evhttp would send a HEAD reply's body too, which a keep-alive
	 * client then reads as the start of the next reply: send the length
	 * GET would have, and no body.
	 */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char	cl[24];

		snprintf(cl, sizeof cl, "%zu", len);
		evhttp_add_header(h, "Content-Length", cl);
		len = 0;
	}
	/* evhttp moves the bytes out of the buffer, so one serves every reply. */
	if (http_reply_buf == NULL && (http_reply_buf = evbuffer_new()) == NULL) {
		evhttp_send_reply(req, status, http_reason(status), NULL);
		return;
	}
	evbuffer_add(http_reply_buf, data, len);
	evhttp_send_reply(req, status, http_reason(status), http_reply_buf);
	evbuffer_drain(http_reply_buf, evbuffer_get_length(http_reply_buf));
	http_flush_now(evcon);	/* req may be freed from here on */
}

/* Sends a JSON value and drops our reference to it. */
void
http_reply_json(struct evhttp_request *req, int status, json_t *body)
{
	char	*s = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (s == NULL) {
		http_reply_raw(req, 500, "application/json",
		    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}", 57);
		return;
	}
	http_reply_raw(req, status, "application/json", s, strlen(s));
	free(s);
}

/* Sends the SPEC's error body. */
void
http_error(struct evhttp_request *req, int status, const char *code,
    const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	http_reply_json(req, status, json_pack("{s:{s:s,s:s}}", "error",
	    "code", code, "message", msg));
}

/* Checks a body object for unknown keys. */
int
http_body_only(struct http_req *r, const char *const *keys)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (r->body == NULL)
		return 0;
	json_object_foreach(r->body, k, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			http_error(r->req, 400, "unknown_field",
			    "unknown field \"%.64s\"", k);
			return -1;
		}
	}
	return 0;
}

/* Forgets a connection when libevent frees it. */
static void
http_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)arg;
	connset_del(evcon);
	env->nconnections = connset_count();
}

/*
 * Admits the connection of a request: the first request on a connection
 * registers it, and over max_connections the connection is refused.
 */
static int
http_admit(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	int	added;

	if (evcon == NULL)
		return -1;
	if ((added = connset_add(evcon)) == -1)
		return -1;
	if (added == 0)
		return 0;
	if (connset_count() > (size_t)env->cfg->max_connections) {
		connset_del(evcon);
		env->metrics.connections_refused++;
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		http_error(req, 503, "too_many_connections",
		    "the server is at max_connections");
		return -1;
	}
	evhttp_connection_set_closecb(evcon, http_conn_closed, NULL);
	env->nconnections = connset_count();
	return 0;
}

/*
 * Splits and percent-decodes the path; -1 (after replying) if it is bad.
 * The path is copied once (into the request, or the heap when long) and
 * split in place; only a segment with a %-escape gets its own allocation.
 */
static int
http_split_path(struct http_req *r)
{
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(r->req);
	const char		*path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	char			*buf, *p, *e, *next;
	size_t			 len;

	if (path == NULL || path[0] != '/') {
		http_error(r->req, 400, "bad_path", "the request path is malformed");
		return -1;
	}
	len = strlen(path);
	if (len < sizeof r->path)
		buf = memcpy(r->path, path, len + 1);
	else if ((buf = r->path_heap = strdup(path)) == NULL) {
		http_error(r->req, 500, "internal", "out of memory");
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p = next) {
		char	*dec;
		size_t	 declen;

		/* A trailing slash ends the loop; "//" is an empty segment. */
		if ((e = strchr(p, '/')) != NULL) {
			*e = '\0';
			next = e + 1;
		} else
			next = p + strlen(p);
		if (r->nsegs == HTTP_SEGS_MAX) {
			http_error(r->req, 404, "not_found", "no such resource");
			return -1;
		}
		if (strchr(p, '%') == NULL) {
			r->segs[r->nsegs++] = p;	/* nothing to decode: the usual case */
			continue;
		}
		dec = evhttp_uridecode(p, 0, &declen);
		if (dec == NULL || strlen(dec) != declen || strchr(dec, '/') != NULL) {
			free(dec);
			http_error(r->req, 400, "bad_path",
			    "the request path has a NUL or an encoded slash");
			return -1;
		}
		r->segs_heap |= 1u << r->nsegs;
		r->segs[r->nsegs++] = dec;
	}
	return 0;
}

/* Matches the split path against one pattern, capturing "*" segments. */
static bool
http_match(struct http_req *r, const char *pattern)
{
	const char	*p = pattern + 1, *e;
	size_t		 i = 0, n;

	r->nargs = 0;
	while (*p != '\0') {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (i == r->nsegs)
			return false;
		if (n == 1 && p[0] == '*')
			r->arg[r->nargs++] = r->segs[i];
		else if (strlen(r->segs[i]) != n || strncmp(p, r->segs[i], n) != 0)
			return false;
		i++;
		p += n;
		if (*p == '/')
			p++;
	}
	return i == r->nsegs;
}

/* Reads the bearer token, if any, into r->who; stale hashes are reloaded. */
static void
http_authenticate(struct http_req *r)
{
	const char	*h = evhttp_find_header(
	    evhttp_request_get_input_headers(r->req), "Authorization");

	r->who.kind = AUTH_PUBLIC;
	strcpy(r->who.subject, "-");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return;
	h += 7;
	while (*h == ' ')
		h++;
	/*
	 * Tokens issued by taktd --issue-tokens in another process take effect
	 * at once, and the ones they replace stop working at once.
	 */
	if (store_tokens_changed(env->store))
		store_tokens_load(env->store, &env->auth);
	if (auth_lookup(&env->auth, h, strlen(h), &r->who) == 0)
		return;
	r->who.kind = AUTH_PUBLIC;
	strcpy(r->who.subject, "-");
}

/* Decodes the body as a JSON object; -1 (after replying) if it is not one. */
static int
http_decode_body(struct http_req *r)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->req);
	size_t		 len = evbuffer_get_length(in);
	json_error_t	 jerr;
	char		*text;

	if (len == 0)
		return 0;
	if (len > HTTP_BODY_MAX) {
		http_error(r->req, 413, "too_large", "the body is over %d bytes",
		    HTTP_BODY_MAX);
		return -1;
	}
	if ((text = malloc(len + 1)) == NULL) {
		http_error(r->req, 500, "internal", "out of memory");
		return -1;
	}
	evbuffer_copyout(in, text, len);
	text[len] = '\0';
	r->body_text = text;
	r->body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->body == NULL) {
		http_error(r->req, 400, "bad_json", "malformed JSON at %d:%d: %s",
		    jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(r->body)) {
		http_error(r->req, 400, "bad_json", "the body must be a JSON object");
		return -1;
	}
	return 0;
}

/*
 * Refuses requests whose framing or identity is ambiguous: a second
 * Authorization header, or Content-Length values that disagree (a proxy in
 * front might read them the other way: request smuggling).
 */
static int
http_check_headers(struct evhttp_request *req)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(req);
	struct evkeyval		*kv;
	const char		*cl = NULL;
	int			 nauth = 0;

	TAILQ_FOREACH(kv, h, next) {
		if (strcasecmp(kv->key, "Authorization") == 0)
			nauth++;
		else if (strcasecmp(kv->key, "Content-Length") == 0) {
			if (cl != NULL && strcmp(cl, kv->value) != 0) {
				evhttp_add_header(evhttp_request_get_output_headers(req),
				    "Connection", "close");
				http_error(req, 400, "bad_request",
				    "conflicting Content-Length headers");
				return -1;
			}
			cl = kv->value;
		}
	}
	if (nauth > 1) {
		http_error(req, 400, "bad_request", "more than one Authorization header");
		return -1;
	}
	return 0;
}

/* The generic callback: admit, route, authorise, decode, dispatch. */
static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct http_req		 r;
	const struct http_route	*rt = NULL;
	enum evhttp_cmd_type	 m;
	bool			 path_known = false;
	size_t			 i;

	(void)arg;
	env->metrics.requests++;
	if (http_admit(req) == -1 || http_check_headers(req) == -1)
		return;
	memset(&r, 0, sizeof r);
	r.req = req;
	m = evhttp_request_get_command(req);
	r.method = m == EVHTTP_REQ_HEAD ? EVHTTP_REQ_GET : m;
	if (http_split_path(&r) == -1)
		goto out;
	for (i = 0; i < http_nroutes; i++) {
		if (!http_match(&r, http_routes[i].pattern))
			continue;
		path_known = true;
		if (http_routes[i].method == r.method) {
			rt = &http_routes[i];
			break;
		}
	}
	if (rt == NULL) {
		if (path_known)
			http_error(req, 405, "method_not_allowed",
			    "this resource does not take that method");
		else
			http_error(req, 404, "not_found", "no such resource");
		goto out;
	}
	http_authenticate(&r);
	if (rt->roles != 0 && r.who.kind == AUTH_PUBLIC) {
		http_error(req, 401, "unauthorized", "a valid bearer token is needed");
		goto out;
	}
	if (rt->roles != 0 && (rt->roles & AUTH_BIT(r.who.kind)) == 0) {
		http_error(req, 403, "forbidden", "a %s token may not do this",
		    auth_kind_name(r.who.kind));
		goto out;
	}
	if (rt->body && http_decode_body(&r) == -1)
		goto out;
	rt->fn(&r);
out:
	for (i = 0; i < r.nsegs; i++)
		if (r.segs_heap & (1u << i))
			free(r.segs[i]);
	free(r.path_heap);
	json_decref(r.body);
	free((char *)r.body_text);
}

/* Re-enables accepting after running out of file descriptors. */
static void
http_resume_accept(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	evconnlistener_enable(http_listener);
}

/* On accept errors such as EMFILE, pause accepting briefly instead of spinning. */
static void
http_accept_error(struct evconnlistener *l, void *arg)
{
	struct timeval	tv = { 0, 200000 };

	(void)arg;
	log_warn("accept");
	evconnlistener_disable(l);
	evtimer_add(http_resume_ev, &tv);
}

/*
 * Parses "host:port" ("[v6]:port" too), accepting "localhost" for the
 * loopback address and port 0 for "any free port".
 */
static int
http_parse_listen(const char *listen, struct sockaddr_storage *ss, int *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[256], *end;
	const char		*colon = strrchr(listen, ':');
	size_t			 hl;
	long			 port;

	if (colon == NULL || colon == listen)
		return -1;
	hl = (size_t)(colon - listen);
	if (listen[0] == '[' && colon[-1] == ']') {
		listen++;
		hl -= 2;
	}
	if (hl >= sizeof host)
		return -1;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535)
		return -1;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = (int)sizeof *sin;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = (int)sizeof *sin6;
		return 0;
	}
	return -1;
}

/* Binds the listener (backlog HTTP_BACKLOG) and sets up evhttp with the limits. */
int
http_start(const char *listen, const struct http_route *routes, size_t nroutes,
    int *port)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof ss;
	int			len;

	http_routes = routes;
	http_nroutes = nroutes;
	if (http_parse_listen(listen, &ss, &len) == -1) {
		log_warnx("cannot parse listen address \"%s\"", listen);
		return -1;
	}
	http_listener = evconnlistener_new_bind(env->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    HTTP_BACKLOG, (struct sockaddr *)&ss, len);
	if (http_listener == NULL) {
		log_warn("cannot listen on %s", listen);
		return -1;
	}
	evconnlistener_set_error_cb(http_listener, http_accept_error);
	http_resume_ev = evtimer_new(env->base, http_resume_accept, NULL);
	if ((http_server = evhttp_new(env->base)) == NULL)
		return -1;
	env->http = http_server;
	evhttp_set_max_body_size(http_server, HTTP_BODY_HARD_MAX);
	evhttp_set_max_headers_size(http_server, HTTP_HEADERS_MAX);
	evhttp_set_timeout(http_server, HTTP_IDLE_TIMEOUT_S);
	evhttp_set_allowed_methods(http_server, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(http_server, http_dispatch, NULL);
	evhttp_set_bevcb(http_server, http_new_bev, NULL);
	http_sweep_ev = event_new(env->base, -1, EV_PERSIST, http_sweep, NULL);
	{
		struct timeval half = { 0, 500000 };

		if (http_sweep_ev == NULL || evtimer_add(http_sweep_ev, &half) == -1)
			return -1;
	}
	if (evhttp_bind_listener(http_server, http_listener) == NULL)
		return -1;
	if (getsockname(evconnlistener_get_fd(http_listener),
	    (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	*port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

/* Stops accepting; open connections finish. */
void
http_stop_listening(void)
{
	if (http_listener != NULL)
		evconnlistener_disable(http_listener);
}

/* Frees the server and every connection it still has. */
void
http_free(void)
{
	if (http_server != NULL)
		evhttp_free(http_server);	/* also frees the bound listener */
	http_server = NULL;
	http_listener = NULL;
	/* evhttp has let go of every connection; now drop our references. */
	while (http_fresh_n > 0) {
		http_fresh_release(&http_fresh_q[http_fresh_head], false);
		http_fresh_head = (http_fresh_head + 1) % http_fresh_cap;
		http_fresh_n--;
	}
	free(http_fresh_q);
	http_fresh_q = NULL;
	http_fresh_cap = 0;
	if (http_sweep_ev != NULL)
		event_free(http_sweep_ev);
	http_sweep_ev = NULL;
	if (http_reply_buf != NULL)
		evbuffer_free(http_reply_buf);
	http_reply_buf = NULL;
	if (http_resume_ev != NULL)
		event_free(http_resume_ev);
	http_resume_ev = NULL;
	connset_free();
}
