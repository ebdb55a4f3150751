/*
 * http.h — the client side of the taktd API over libevent's evhttp.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

/* One answer, or the reason there was none. */
struct http_reply {
	int		 status;	/* 0 when the server was not reached */
	char		*body;		/* NUL-terminated copy of the body */
	size_t		 len;
	json_t		*json;		/* the body parsed, NULL if not JSON */
	const char	*reason;	/* why status is 0 */
};

typedef void http_cb(struct http_reply *, void *);

struct http_client;

struct http_client *http_client_new(struct event_base *, const char *,
		    const char *, char **);
void		 http_client_free(struct http_client *);
struct event_base *http_client_base(struct http_client *);
bool		 http_client_has_token(const struct http_client *);
int		 http_request(struct http_client *, enum evhttp_cmd_type,
		    const char *, const json_t *, http_cb *, void *);
void		 http_call(struct http_client *, enum evhttp_cmd_type,
		    const char *, const json_t *, struct http_reply *);
void		 http_reply_clear(struct http_reply *);
const char	*http_reply_message(const struct http_reply *, char *, size_t);
struct evhttp_connection *http_client_connect(struct http_client *, int);
struct evhttp_request *http_client_prepare(struct http_client *,
		    struct evhttp_request *);
void		 http_client_url(struct http_client *, const char *, char *,
		    size_t);
char		*http_escape(const char *);

#endif
