/*
 * http.c — requests to taktd through libevent's evhttp client. Every call
 * is asynchronous underneath; http_call() runs the loop until its own answer
 * arrives, which is what the one-shot commands want.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"

#define HTTP_TIMEOUT_S	10

/* One request in flight. */
struct http_pending {
	struct http_client		*hp_client;
	http_cb				*hp_cb;
	void				*hp_arg;
	enum evhttp_request_error	 hp_error;
	bool				 hp_failed;
	TAILQ_ENTRY(http_pending)	 hp_entry;
};

struct http_client {
	struct event_base		*hc_base;
	struct evhttp_connection	*hc_conn;	/* requests, kept alive */
	char				*hc_host;
	int				 hc_port;
	char				*hc_prefix;	/* path part of the URL */
	char				*hc_hostport;	/* Host header */
	char				*hc_auth;	/* "Bearer ..." or NULL */
	/* Freed with the client: evhttp drops its requests without callbacks. */
	TAILQ_HEAD(, http_pending)	 hc_pending;
};

/* Parses an http:// URL into a client; NULL with *cause set when it is not one. */
struct http_client *
http_client_new(struct event_base *base, const char *url, const char *token,
    char **cause)
{
	struct evhttp_uri	*uri;
	struct http_client	*c;
	const char		*scheme, *host, *path;
	int			 port;
	size_t			 n;

	*cause = NULL;
	if ((uri = evhttp_uri_parse(url)) == NULL) {
		(void)asprintf(cause, "\"%s\" is not a URL", url);
		return NULL;
	}
	scheme = evhttp_uri_get_scheme(uri);
	host = evhttp_uri_get_host(uri);
	if (scheme == NULL || strcasecmp(scheme, "http") != 0 || host == NULL ||
	    *host == '\0') {
		(void)asprintf(cause, "\"%s\" is not an http:// URL", url);
		evhttp_uri_free(uri);
		return NULL;
	}
	if ((port = evhttp_uri_get_port(uri)) == -1)
		port = 80;
	path = evhttp_uri_get_path(uri);
	if ((c = calloc(1, sizeof *c)) == NULL)
		abort();
	c->hc_base = base;
	TAILQ_INIT(&c->hc_pending);
	c->hc_host = strdup(host);
	c->hc_port = port;
	c->hc_prefix = strdup(path != NULL ? path : "");
	n = strlen(c->hc_prefix);
	/* The API paths bring their own leading slash. */
	while (n > 0 && c->hc_prefix[n - 1] == '/')
		c->hc_prefix[--n] = '\0';
	if (asprintf(&c->hc_hostport, "%s:%d", host, port) == -1)
		abort();
	if (token != NULL && *token != '\0' &&
	    asprintf(&c->hc_auth, "Bearer %s", token) == -1)
		abort();
	if (c->hc_host == NULL || c->hc_prefix == NULL)
		abort();
	evhttp_uri_free(uri);
	return c;
}

/* Frees the client and its kept-alive connection. */
void
http_client_free(struct http_client *c)
{
	struct http_pending	*p;

	if (c == NULL)
		return;
	if (c->hc_conn != NULL)
		evhttp_connection_free(c->hc_conn);
	while ((p = TAILQ_FIRST(&c->hc_pending)) != NULL) {
		TAILQ_REMOVE(&c->hc_pending, p, hp_entry);
		free(p);
	}
	free(c->hc_host);
	free(c->hc_prefix);
	free(c->hc_hostport);
	free(c->hc_auth);
	free(c);
}

/* The loop the client runs on. */
struct event_base *
http_client_base(struct http_client *c)
{
	return c->hc_base;
}

/* True when requests carry a token. */
bool
http_client_has_token(const struct http_client *c)
{
	return c->hc_auth != NULL;
}

/* A new connection to the server; the stream needs one of its own. */
struct evhttp_connection *
http_client_connect(struct http_client *c, int timeout_s)
{
	struct evhttp_connection *conn;

	conn = evhttp_connection_base_new(c->hc_base, NULL, c->hc_host,
	    (unsigned short)c->hc_port);
	if (conn == NULL)
		return NULL;
	evhttp_connection_set_timeout(conn, timeout_s);
	/* A failure is reported, not retried: the caller knows its own policy. */
	evhttp_connection_set_retries(conn, 0);
	return conn;
}

/* Adds the headers every request carries. */
struct evhttp_request *
http_client_prepare(struct http_client *c, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Host", c->hc_hostport);
	evhttp_add_header(h, "User-Agent", "takt/" "0.1");
	evhttp_add_header(h, "Accept", "application/json");
	if (c->hc_auth != NULL)
		evhttp_add_header(h, "Authorization", c->hc_auth);
	return req;
}

/* Writes the request URI for an API path (the URL's own path prefixed). */
void
http_client_url(struct http_client *c, const char *path, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s%s", c->hc_prefix, path);
}

/* Percent-encodes one path segment. */
char *
http_escape(const char *s)
{
	char	*e = evhttp_uriencode(s, -1, 0);

	if (e == NULL)
		abort();
	return e;
}

/* Names why a request got no answer. */
static const char *
http_error_name(enum evhttp_request_error e)
{
	switch (e) {
	case EVREQ_HTTP_TIMEOUT:
		return "timed out";
	case EVREQ_HTTP_EOF:
		return "connection closed before an answer";
	case EVREQ_HTTP_INVALID_HEADER:
		return "invalid answer";
	case EVREQ_HTTP_BUFFER_ERROR:
		return "connection failed";
	case EVREQ_HTTP_REQUEST_CANCEL:
		return "cancelled";
	case EVREQ_HTTP_DATA_TOO_LONG:
		return "answer too long";
	default:
		return "connection failed";
	}
}

/* Remembers why a request failed; the done callback follows with NULL. */
static void
http_request_error(enum evhttp_request_error e, void *arg)
{
	struct http_pending *p = arg;

	p->hp_failed = true;
	p->hp_error = e;
}

/* Copies the answer into a reply and hands it to the caller. */
static void
http_request_done(struct evhttp_request *req, void *arg)
{
	struct http_pending	*p = arg;
	struct http_reply	 r;
	struct evbuffer		*in;
	size_t			 len;

	memset(&r, 0, sizeof r);
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		r.reason = p->hp_failed ? http_error_name(p->hp_error) :
		    "connection failed";
	} else {
		r.status = evhttp_request_get_response_code(req);
		in = evhttp_request_get_input_buffer(req);
		len = evbuffer_get_length(in);
		if ((r.body = malloc(len + 1)) == NULL)
			abort();
		evbuffer_remove(in, r.body, len);
		r.body[len] = '\0';
		r.len = len;
		r.json = json_loadb(r.body, len, JSON_DECODE_ANY, NULL);
	}
	TAILQ_REMOVE(&p->hp_client->hc_pending, p, hp_entry);
	p->hp_cb(&r, p->hp_arg);
	http_reply_clear(&r);
	free(p);
}

/* Sends a request with an optional JSON body; cb runs once with the answer. */
int
http_request(struct http_client *c, enum evhttp_cmd_type method,
    const char *path, const json_t *body, http_cb *cb, void *arg)
{
	struct http_pending	*p;
	struct evhttp_request	*req;
	char			 uri[2048], *text, len[32];

	if (c->hc_conn == NULL &&
	    (c->hc_conn = http_client_connect(c, HTTP_TIMEOUT_S)) == NULL)
		return -1;
	if ((p = calloc(1, sizeof *p)) == NULL)
		abort();
	p->hp_client = c;
	p->hp_cb = cb;
	p->hp_arg = arg;
	if ((req = evhttp_request_new(http_request_done, p)) == NULL) {
		free(p);
		return -1;
	}
	evhttp_request_set_error_cb(req, http_request_error);
	http_client_prepare(c, req);
	if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
			abort();
		evbuffer_add(evhttp_request_get_output_buffer(req), text,
		    strlen(text));
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "application/json");
		/* evhttp adds a length only for POST and PUT. */
		snprintf(len, sizeof len, "%zu", strlen(text));
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Length", len);
		free(text);
	}
	http_client_url(c, path, uri, sizeof uri);
	if (evhttp_make_request(c->hc_conn, req, method, uri) == -1) {
		/* evhttp_make_request frees the request on failure. */
		free(p);
		return -1;
	}
	TAILQ_INSERT_TAIL(&c->hc_pending, p, hp_entry);
	return 0;
}

/* The state of one synchronous call. */
struct http_sync {
	struct http_reply	*hs_out;
	bool			 hs_done;
};

/* Moves the answer of a synchronous call to its caller. */
static void
http_sync_done(struct http_reply *r, void *arg)
{
	struct http_sync *s = arg;

	*s->hs_out = *r;
	/* The caller owns the copies now. */
	r->body = NULL;
	r->json = NULL;
	s->hs_done = true;
}

/* Sends a request and runs the loop until its answer is in *out. */
void
http_call(struct http_client *c, enum evhttp_cmd_type method, const char *path,
    const json_t *body, struct http_reply *out)
{
	struct http_sync	s = { out, false };

	memset(out, 0, sizeof *out);
	if (http_request(c, method, path, body, http_sync_done, &s) == -1) {
		out->reason = "cannot make the request";
		return;
	}
	while (!s.hs_done)
		if (event_base_loop(c->hc_base, EVLOOP_ONCE) == -1)
			break;
	if (!s.hs_done)
		out->reason = "event loop failed";
}

/* Frees what a reply holds. */
void
http_reply_clear(struct http_reply *r)
{
	free(r->body);
	json_decref(r->json);
	r->body = NULL;
	r->json = NULL;
}

/* The server's own error message, else the status line. */
const char *
http_reply_message(const struct http_reply *r, char *buf, size_t size)
{
	const char	*msg = NULL;
	json_t		*e;

	if (r->status == 0)
		return r->reason != NULL ? r->reason : "no answer";
	if (r->json != NULL && (e = json_object_get(r->json, "error")) != NULL)
		msg = json_string_value(json_object_get(e, "message"));
	if (msg != NULL)
		return msg;
	/* Only libevent's own 400/413 pages and proxies answer without JSON. */
	snprintf(buf, size, "the server answered %d without an explanation",
	    r->status);
	return buf;
}
