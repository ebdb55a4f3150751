/*
 * api_pages.c — the browser pages of SPEC §9. Every page and asset is
 * compiled into taktd (daemon/pages.cmake), looked up by exact name and
 * never read from disk, so no request path can reach the filesystem.
 */
#include <stddef.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "taktd.h"

/* One embedded file, as the generated table describes it. */
struct pages_file {
	const char		*name;
	const char		*type;
	const unsigned char	*data;
	size_t			 len;
};

#include "pages_files.inc"

/*
 * No inline script anywhere and nothing from another host: a start-up name
 * that slipped into the DOM as markup still could not run.
 */
#define PAGES_CSP_BASE "default-src 'none'; script-src 'self'; " \
	"connect-src 'self'; img-src 'self' data:; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'none'; "
#define PAGES_CSP	PAGES_CSP_BASE "style-src 'self'"
/*
 * The organiser page shows the HTML reports and the badge sheet in
 * script-less sandboxed frames; those documents inherit this policy and
 * carry their own <style>, hence inline styles here and nowhere else.
 */
#define PAGES_CSP_ORGANISER PAGES_CSP_BASE "style-src 'self' 'unsafe-inline'; " \
	"frame-src 'self' blob:"

/* A page route: its first path segment, its file and its policy. */
struct pages_page {
	const char	*seg;		/* NULL for "/" */
	const char	*file;
	const char	*csp;
	int		 stage;		/* the second segment names a stage */
};

static const struct pages_page pages_pages[] = {
	{ NULL,		"stage.html",		PAGES_CSP, 0 },
	{ "stage",	"stage.html",		PAGES_CSP, 1 },
	{ "moderator",	"moderator.html",	PAGES_CSP, 1 },
	{ "me",		"me.html",		PAGES_CSP, 0 },
	{ "door",	"door.html",		PAGES_CSP, 0 },
	{ "organiser",	"organiser.html",	PAGES_CSP_ORGANISER, 0 },
};

/* The embedded file of that exact name, or NULL. */
static const struct pages_file *
pages_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof pages_files / sizeof pages_files[0]; i++)
		if (strcmp(pages_files[i].name, name) == 0)
			return &pages_files[i];
	return NULL;
}

/* Sends an embedded file with the headers every page needs. */
static void
pages_send(struct http_req *r, const struct pages_file *f, const char *csp)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

	if (csp != NULL)
		evhttp_add_header(h, "Content-Security-Policy", csp);
	/* /me carries a token in its fragment; no page tells another site where it was. */
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	http_reply_raw(r->req, 200, f->type, (const char *)f->data, f->len);
}

/* GET /, /stage/{stage}, /moderator/{stage}, /me, /door, /organiser */
void
api_page(struct http_req *r)
{
	const struct pages_page	*p = NULL;
	const struct pages_file	*f;
	size_t			 i;

	for (i = 0; i < sizeof pages_pages / sizeof pages_pages[0]; i++) {
		if (r->nsegs == 0 ? pages_pages[i].seg == NULL :
		    pages_pages[i].seg != NULL &&
		    strcmp(pages_pages[i].seg, r->segs[0]) == 0) {
			p = &pages_pages[i];
			break;
		}
	}
	if (p == NULL || (f = pages_find(p->file)) == NULL)
		return http_error(r->req, 404, "not_found", "no such page");
	if (p->stage && taktd_stage_find(r->arg[0]) == NULL)
		return http_error(r->req, 404, "unknown_stage", "no stage \"%.64s\"",
		    r->arg[0]);
	pages_send(r, f, p->csp);
}

/* GET /assets/{name}: scripts, styles and the icon; pages only by their route. */
void
api_asset(struct http_req *r)
{
	const struct pages_file	*f = pages_find(r->arg[0]);
	const char		*dot = strrchr(r->arg[0], '.');

	if (f == NULL || dot == NULL || strcmp(dot, ".html") == 0)
		return http_error(r->req, 404, "not_found", "no such asset");
	pages_send(r, f, NULL);
}
