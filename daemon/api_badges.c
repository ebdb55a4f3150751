/*
 * api_badges.c — POST /api/v1/badges: fresh personal links for every
 * attendee, printed as QR codes on one sheet. Only hashes of tokens are
 * stored, so a link can be printed only at the moment it is issued: this
 * replaces every attendee token, and the old links stop working.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>

#include "api.h"
#include "clock.h"
#include "log.h"
#include "qr.h"
#include "store.h"
#include "taktd.h"

#define BADGES_HOST_MAX	255

/* Appends s with the five HTML specials escaped. */
static void
badges_escape(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':	evbuffer_add(b, "&amp;", 5); break;
		case '<':	evbuffer_add(b, "&lt;", 4); break;
		case '>':	evbuffer_add(b, "&gt;", 4); break;
		case '"':	evbuffer_add(b, "&quot;", 6); break;
		case '\'':	evbuffer_add(b, "&#39;", 5); break;
		default:	evbuffer_add(b, s, 1); break;
		}
	}
}

/*
 * True for a Host header that is only host[:port] — letters, digits and
 * . - : [ ] — so it can go into a link without any escaping.
 */
static int
badges_host_ok(const char *h)
{
	size_t	n, i;

	if (h == NULL || (n = strlen(h)) == 0 || n > BADGES_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '.' || h[i] == '-' ||
		    h[i] == ':' || h[i] == '[' || h[i] == ']'))
			return 0;
	return 1;
}

/* Writes the printable sheet: one card per attendee with name and QR code. */
static int
badges_sheet(struct evbuffer *b, const char *host, char (*tokens)[AUTH_TOKEN_LEN + 1])
{
	const struct config	*c = env->cfg;
	int			 de = strcmp(c->language, "de") == 0;
	size_t			 i;

	evbuffer_add_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
	    "<meta charset=\"utf-8\"><title>", de ? "de" : "en");
	badges_escape(b, de ? "Persönliche Links — " : "Personal links — ");
	badges_escape(b, c->title);
	evbuffer_add_printf(b, "</title><style>\n"
	    "@page{size:A4;margin:10mm}\n"
	    "body{font-family:system-ui,sans-serif;margin:0;color:#000}\n"
	    "header{margin:0 0 4mm}h1{font-size:14pt;margin:0}p{margin:1mm 0;font-size:9pt}\n"
	    ".sheet{display:grid;grid-template-columns:repeat(3,1fr);gap:4mm}\n"
	    ".card{border:0.3mm dashed #888;padding:4mm;break-inside:avoid;"
	    "text-align:center}\n"
	    ".card svg{width:38mm;height:38mm;display:block;margin:0 auto 2mm}\n"
	    ".name{font-weight:700;font-size:12pt}.dept{font-size:9pt}\n"
	    ".url{font:6pt monospace;word-break:break-all;color:#444;margin-top:2mm}\n"
	    "@media screen{body{padding:10mm;max-width:210mm}}\n"
	    "</style></head><body><header><h1>");
	badges_escape(b, c->title);
	evbuffer_add_printf(b, "</h1><p>%s</p></header><main class=\"sheet\">\n",
	    de ? "Persönlicher Link für Check-in und Interesse. Nicht weitergeben."
	    : "Personal link for check-in and interest. Do not share.");
	for (i = 0; i < c->nattendees; i++) {
		const struct config_attendee *a = &c->attendees[i];
		char	*url, *svg;

		if (asprintf(&url, "http://%s/me#token=%s", host, tokens[i]) == -1)
			return -1;
		if ((svg = qr_svg(url)) == NULL) {
			OPENSSL_cleanse(url, strlen(url));
			free(url);
			return -1;
		}
		evbuffer_add_printf(b, "<section class=\"card\">%s<div class=\"name\">",
		    svg);
		badges_escape(b, a->name);
		evbuffer_add_printf(b, "</div><div class=\"dept\">");
		badges_escape(b, a->department);
		evbuffer_add_printf(b, "</div><div class=\"url\">");
		badges_escape(b, url);
		evbuffer_add_printf(b, "</div></section>\n");
		OPENSSL_cleanse(url, strlen(url));
		free(url);
		free(svg);
	}
	evbuffer_add_printf(b, "</main></body></html>\n");
	return 0;
}

/* Replaces every attendee token in one transaction; 0 or -1. */
static int
badges_issue(char (*tokens)[AUTH_TOKEN_LEN + 1])
{
	const struct config	*c = env->cfg;
	uint8_t			 hash[AUTH_HASH_LEN];
	int64_t			 now = clock_now_ms();
	size_t			 i;

	if (store_begin(env->store) == -1)
		return -1;
	for (i = 0; i < c->nattendees; i++) {
		if (auth_token_new(tokens[i]) == -1)
			goto fail;
		auth_hash(tokens[i], strlen(tokens[i]), hash);
		if (store_token_put(env->store, AUTH_ATTENDEE, c->attendees[i].id,
		    hash, now) == -1)
			goto fail;
	}
	if (store_commit(env->store) == -1)
		goto fail;
	/* The old links must stop working now, not at the next lookup. */
	store_tokens_load(env->store, &env->auth);
	return 0;
fail:
	store_rollback(env->store);
	return -1;
}

/* POST /api/v1/badges (organiser) */
void
api_badges(struct http_req *r)
{
	static const char *const keys[] = { NULL };
	const char	*host = evhttp_find_header(
	    evhttp_request_get_input_headers(r->req), "Host");
	char		(*tokens)[AUTH_TOKEN_LEN + 1];
	struct evbuffer	*b;
	size_t		 n = env->cfg->nattendees;

	if (http_body_only(r, keys) == -1)
		return;
	/*
	 * The links must reach the daemon the way the organiser's browser just
	 * did, so the Host header is the base; it only has to be plain
	 * host[:port] so that it cannot inject anything into the page.
	 */
	if (!badges_host_ok(host))
		return http_error(r->req, 400, "bad_host",
		    "the Host header must be host[:port]");
	if ((tokens = calloc(n > 0 ? n : 1, sizeof *tokens)) == NULL)
		return http_error(r->req, 500, "internal", "out of memory");
	if ((b = evbuffer_new()) == NULL) {
		free(tokens);
		return http_error(r->req, 500, "internal", "out of memory");
	}
	if (badges_issue(tokens) == -1) {
		http_error(r->req, 500, "storage", "the tokens could not be stored");
		goto out;
	}
	log_info("badges: %zu attendee tokens issued by %s", n,
	    auth_kind_name(r->who.kind));
	if (badges_sheet(b, host, tokens) == -1) {
		http_error(r->req, 500, "internal", "out of memory");
		goto out;
	}
	http_reply_raw(r->req, 200, "text/html; charset=utf-8",
	    (const char *)evbuffer_pullup(b, -1), evbuffer_get_length(b));
out:
	OPENSSL_cleanse(tokens, (n > 0 ? n : 1) * sizeof *tokens);
	free(tokens);
	evbuffer_free(b);
}
