/*
 * http.h — the evhttp server: listening, limits, routing by table, JSON
 * replies and errors (SPEC §4).
 */
#ifndef TAKT_HTTP_H
#define TAKT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/http.h>
#include <jansson.h>

#include "auth.h"

#define HTTP_BODY_MAX		(64 * 1024)	/* over this: 413 with a JSON body */
/*
 * evhttp answers bodies over its own limit with an HTML 413 before any
 * callback of ours runs (libevent 2.1), so its limit sits above ours: up to
 * this size the client still gets our JSON error.
 */
#define HTTP_BODY_HARD_MAX	(256 * 1024)
#define HTTP_HEADERS_MAX	(8 * 1024)
#define HTTP_IDLE_TIMEOUT_S	30
#define HTTP_HEAD_TIMEOUT_S	30	/* first request head, however it trickles */
#define HTTP_BACKLOG		1024
#define HTTP_SEGS_MAX		8
#define HTTP_PATH_INLINE	256	/* paths up to this long need no malloc */

/* A request as a handler sees it. */
struct http_req {
	struct evhttp_request	*req;
	enum evhttp_cmd_type	 method;
	char			*segs[HTTP_SEGS_MAX];	/* decoded path segments */
	size_t			 nsegs;
	unsigned		 segs_heap;		/* bit i: segs[i] is malloc'd */
	char			*path_heap;		/* the path copy, if not inline */
	char			 path[HTTP_PATH_INLINE];	/* split in place */
	const char		*arg[HTTP_SEGS_MAX];	/* segments matched by "*" */
	size_t			 nargs;
	struct principal	 who;
	json_t			*body;			/* decoded JSON body or NULL */
	const char		*body_text;		/* raw body (NUL-terminated) */
};

typedef void (*http_handler)(struct http_req *);

/* One row of the routing table. */
struct http_route {
	enum evhttp_cmd_type	 method;
	const char		*pattern;	/* "/api/v1/stages/ * /state" without spaces */
	unsigned		 roles;		/* AUTH_BIT()s allowed; 0 = public */
	bool			 body;		/* decode a JSON object body */
	http_handler		 fn;
};

/* Starts listening on host:port (port 0 picks one); fills *port. */
int	 http_start(const char *listen, const struct http_route *routes,
	    size_t nroutes, int *port);
/* Stops accepting new connections. */
void	 http_stop_listening(void);
/* Frees the server. */
void	 http_free(void);

/* Replies with a JSON value (reference stolen). */
void	 http_reply_json(struct evhttp_request *, int status, json_t *body);
/* Adds Date, Content-Type, Cache-Control: no-store and nosniff. */
void	 http_headers(struct evhttp_request *, const char *type);
/* Replies with raw bytes and a content type. */
void	 http_reply_raw(struct evhttp_request *, int status, const char *type,
	    const char *data, size_t len);
/* Replies {"error":{"code","message"}}. */
void	 http_error(struct evhttp_request *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Checks that a decoded body has only the given keys (a NULL-terminated
 * list); replies 400 and returns -1 otherwise.
 */
int	 http_body_only(struct http_req *, const char *const *keys);

#endif
