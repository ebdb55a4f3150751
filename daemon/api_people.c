/*
 * api_people.c — check-ins, interests, the attendee's own view and display
 * offsets (SPEC §4). Writes go to the writer thread; the reply leaves only
 * once the write is committed, so a 2xx always means "on disk".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "clock.h"
#include "log.h"
#include "store.h"
#include "taktd.h"
#include "writer.h"

#define API_NOTE_MAX		1000	/* characters */
#define API_SCREEN_RATE		50	/* screen reports per second, whole daemon */
#define API_SCREEN_BURST	200

/* One queued write and what its reply needs. */
struct api_write {
	struct evhttp_request	*req;
	char			 attendee[48];
	char			 pitch[48];
	char			 by[64];
	char			*level;
	char			*note;
	char			 live_pitch[48];
	bool			 live;
	bool			 checkin;	/* checkins vs checkouts */
	int64_t			 now;
	int64_t			 since_ms;
	int64_t			 offset_ms, rtt_ms;
	char			 screen[72], page[24];
	bool			 changed;
	int			 outcome;
};

/* Frees a write job. */
static void
api_write_free(struct api_write *w)
{
	free(w->level);
	free(w->note);
	free(w);
}

/* Replies to a failed write with the status the writer gave. */
static void
api_write_error(struct api_write *w, int rc, const char *what)
{
	if (rc == 404)
		http_error(w->req, 404, "not_found", "no such %s", what);
	else if (rc == 409)
		http_error(w->req, 409, "withdrawn", "that %s was withdrawn", what);
	else
		http_error(w->req, 500, "storage", "the write could not be stored");
}

/* Submits a write, or replies 503 when the writer is gone. */
static void
api_write_submit(struct api_write *w, writer_fn fn, writer_done done)
{
	if (writer_submit(fn, done, w) == -1) {
		http_error(w->req, 503, "unavailable", "the daemon is stopping");
		api_write_free(w);
	}
}

/* "organiser", "moderator" or "attendee:ID", for who did it. */
static void
api_who(const struct principal *p, char *buf, size_t len)
{
	if (p->kind == AUTH_ATTENDEE)
		snprintf(buf, len, "attendee:%s", p->subject);
	else
		snprintf(buf, len, "%s", auth_kind_name(p->kind));
}

/*
 * Decides whose data a request touches: an attendee only their own (naming
 * someone else is 403), others must name the attendee. -1 after replying.
 */
static int
api_subject(struct http_req *r, char *out, size_t len)
{
	json_t		*v = r->body != NULL ? json_object_get(r->body, "attendee") : NULL;
	const char	*id = NULL;

	if (v != NULL && !json_is_string(v)) {
		http_error(r->req, 400, "bad_field", "\"attendee\" must be a string");
		return -1;
	}
	if (v != NULL)
		id = json_string_value(v);
	if (id == NULL && r->method == EVHTTP_REQ_DELETE) {
		/* DELETE bodies are awkward for many clients: ?attendee= works too. */
		struct evkeyvalq q;
		const char *uri = evhttp_request_get_uri(r->req);
		const char *qs = strchr(uri, '?');

		if (qs != NULL && evhttp_parse_query_str(qs + 1, &q) == 0) {
			const char *a = evhttp_find_header(&q, "attendee");

			if (a != NULL)
				snprintf(out, len, "%s", a);
			evhttp_clear_headers(&q);
			if (a != NULL)
				id = out;
		}
	}
	if (r->who.kind == AUTH_ATTENDEE) {
		if (id != NULL && strcmp(id, r->who.subject) != 0) {
			http_error(r->req, 403, "forbidden",
			    "an attendee token acts for its own attendee only");
			return -1;
		}
		snprintf(out, len, "%s", r->who.subject);
		return 0;
	}
	if (id == NULL) {
		http_error(r->req, 400, "missing_field", "\"attendee\" is needed");
		return -1;
	}
	if (strlen(id) == 0 || strlen(id) >= len) {
		http_error(r->req, 404, "not_found", "no such attendee");
		return -1;
	}
	if (id != out)
		snprintf(out, len, "%s", id);
	return 0;
}

/* Writer thread: open or close a presence interval. */
static int
api_presence_job(struct store *s, void *arg)
{
	struct api_write *w = arg;

	if (w->checkin)
		return store_checkin(s, w->attendee, w->now, w->by, &w->since_ms,
		    &w->changed);
	return store_checkout(s, w->attendee, w->now, w->by, &w->since_ms,
	    &w->changed);
}

/* Loop: answer a check-in or check-out once it is durable. */
static void
api_presence_done(void *arg, int rc)
{
	struct api_write *w = arg;

	if (rc != 0)
		api_write_error(w, rc, "attendee");
	else {
		if (w->changed)
			log_info("%s %s by %s", w->checkin ? "check-in" : "check-out",
			    w->attendee, w->by);
		http_reply_json(w->req, 200, json_pack("{s:s,s:b,s:o,s:b}",
		    "attendee", w->attendee, "checked_in", w->checkin,
		    w->checkin ? "since_ms" : "was_in_since_ms",
		    w->since_ms == TIMER_NONE ? json_null() : json_integer(w->since_ms),
		    "changed", w->changed));
	}
	api_write_free(w);
}

/* POST /api/v1/checkins and /api/v1/checkouts */
static void
api_presence(struct http_req *r, bool checkin)
{
	static const char *const keys[] = { "attendee", NULL };
	struct api_write *w;

	if (http_body_only(r, keys) == -1)
		return;
	if ((w = calloc(1, sizeof *w)) == NULL)
		return http_error(r->req, 500, "internal", "out of memory");
	if (api_subject(r, w->attendee, sizeof w->attendee) == -1) {
		api_write_free(w);
		return;
	}
	w->req = r->req;
	w->checkin = checkin;
	w->now = clock_now_ms();
	w->since_ms = TIMER_NONE;
	api_who(&r->who, w->by, sizeof w->by);
	api_write_submit(w, api_presence_job, api_presence_done);
}

/* POST /api/v1/checkins */
void
api_checkin(struct http_req *r)
{
	api_presence(r, true);
}

/* POST /api/v1/checkouts */
void
api_checkout(struct http_req *r)
{
	api_presence(r, false);
}

/* Counts UTF-8 code points (jansson has already checked the encoding). */
static size_t
api_utf8_len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Notes whether the pitch is live on its stage now, and which slot is. */
static void
api_live(const char *pitch, bool *live, char *live_pitch, size_t len)
{
	size_t	i;

	*live = false;
	live_pitch[0] = '\0';
	for (i = 0; i < env->nstages; i++) {
		const struct stage *st = &env->stages[i];
		const struct timer *t = &st->timer;

		if (timer_slot_find(t, pitch) < 0)
			continue;
		if (t->cur >= 0 && (t->mode == TIMER_RUNNING || t->mode == TIMER_PAUSED)) {
			snprintf(live_pitch, len, "%s", st->slots[t->cur].id);
			*live = strcmp(st->slots[t->cur].id, pitch) == 0;
		}
		return;
	}
}

/* Writer thread: upsert or withdraw an interest. */
static int
api_interest_job(struct store *s, void *arg)
{
	struct api_write	*w = arg;
	struct store_interest	 in = { w->attendee, w->pitch, w->level, w->note,
	    w->now, w->live, w->live_pitch[0] != '\0' ? w->live_pitch : NULL };

	if (w->level != NULL)
		return store_interest_put(s, &in, &w->outcome);
	return store_interest_delete(s, &in, &w->changed);
}

/* Loop: answer an interest write once it is durable. */
static void
api_interest_done(void *arg, int rc)
{
	struct api_write *w = arg;

	if (rc != 0)
		api_write_error(w, rc, rc == 409 ? "pitch" : "attendee or pitch");
	else if (w->level != NULL)
		http_reply_json(w->req, w->outcome == 1 ? 201 : 200, json_pack(
		    "{s:s,s:s,s:s,s:s,s:b,s:b}", "attendee", w->attendee,
		    "pitch", w->pitch, "level", w->level, "note", w->note,
		    "live", w->live, "changed", w->outcome != -1));
	else
		http_reply_json(w->req, 200, json_pack("{s:s,s:s,s:b}",
		    "attendee", w->attendee, "pitch", w->pitch, "deleted", w->changed));
	api_write_free(w);
}

/* PUT and DELETE /api/v1/interests/{pitch} */
void
api_interest(struct http_req *r)
{
	static const char *const put_keys[] = { "level", "note", "attendee", NULL };
	static const char *const del_keys[] = { "attendee", NULL };
	struct api_write *w;
	json_t		*v;
	const char	*level = "follow_up", *note = "";
	bool		 put = r->method == EVHTTP_REQ_PUT;

	if (http_body_only(r, put ? put_keys : del_keys) == -1)
		return;
	if (put && r->body != NULL) {
		if ((v = json_object_get(r->body, "level")) != NULL) {
			level = json_is_string(v) ? json_string_value(v) : "";
			if (strcmp(level, "follow_up") != 0 && strcmp(level, "info") != 0)
				return http_error(r->req, 400, "bad_field",
				    "\"level\" must be \"follow_up\" or \"info\"");
		}
		if ((v = json_object_get(r->body, "note")) != NULL) {
			if (!json_is_string(v))
				return http_error(r->req, 400, "bad_field",
				    "\"note\" must be a string");
			note = json_string_value(v);
			if (api_utf8_len(note) > API_NOTE_MAX)
				return http_error(r->req, 400, "too_long",
				    "\"note\" is over %d characters", API_NOTE_MAX);
		}
	}
	if (strlen(r->arg[0]) >= sizeof w->pitch)
		return http_error(r->req, 404, "not_found", "no such pitch");
	if ((w = calloc(1, sizeof *w)) == NULL)
		return http_error(r->req, 500, "internal", "out of memory");
	if (api_subject(r, w->attendee, sizeof w->attendee) == -1) {
		api_write_free(w);
		return;
	}
	w->req = r->req;
	w->now = clock_now_ms();
	snprintf(w->pitch, sizeof w->pitch, "%s", r->arg[0]);
	api_who(&r->who, w->by, sizeof w->by);
	api_live(w->pitch, &w->live, w->live_pitch, sizeof w->live_pitch);
	if (put && ((w->level = strdup(level)) == NULL ||
	    (w->note = strdup(note)) == NULL)) {
		api_write_free(w);
		return http_error(r->req, 500, "internal", "out of memory");
	}
	api_write_submit(w, api_interest_job, api_interest_done);
}

/* GET /api/v1/me */
void
api_me(struct http_req *r)
{
	json_t	*me = store_me(env->store, r->who.subject);

	if (me == NULL)
		return http_error(r->req, 404, "not_found", "no such attendee");
	http_reply_json(r->req, 200, me);
}

/* Writer thread: store a display's offset. */
static int
api_screen_job(struct store *s, void *arg)
{
	struct api_write *w = arg;

	return store_screen_put(s, w->screen, w->page, w->offset_ms, w->rtt_ms,
	    w->now);
}

/* Loop: acknowledge a display's offset. */
static void
api_screen_done(void *arg, int rc)
{
	struct api_write *w = arg;

	if (rc != 0)
		api_write_error(w, rc, "screen");
	else
		http_reply_json(w->req, 200, json_pack("{s:s,s:b}", "screen",
		    w->screen, "stored", 1));
	api_write_free(w);
}

/* A token bucket: public, unauthenticated writes must not flood the disk. */
static bool
api_screen_allowed(int64_t now)
{
	static double	 tokens = API_SCREEN_BURST;
	static int64_t	 last;

	tokens += (double)(now - last) * API_SCREEN_RATE / 1000.0;
	if (tokens > API_SCREEN_BURST)
		tokens = API_SCREEN_BURST;
	last = now;
	if (tokens < 1)
		return false;
	tokens -= 1;
	return true;
}

/* True for [a-zA-Z0-9_-]{1,64}. */
static bool
api_screen_id_ok(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* POST /api/v1/screens */
void
api_screens(struct http_req *r)
{
	static const char *const keys[] = { "screen", "page", "offset_ms",
	    "rtt_ms", NULL };
	static const char *const pages[] = { "stage", "moderator", "me", "door",
	    "organiser", NULL };
	json_t		*screen, *page, *off, *rtt;
	struct api_write *w;
	size_t		 i;

	if (http_body_only(r, keys) == -1)
		return;
	screen = r->body ? json_object_get(r->body, "screen") : NULL;
	page = r->body ? json_object_get(r->body, "page") : NULL;
	off = r->body ? json_object_get(r->body, "offset_ms") : NULL;
	rtt = r->body ? json_object_get(r->body, "rtt_ms") : NULL;
	if (!json_is_string(screen) || !api_screen_id_ok(json_string_value(screen)))
		return http_error(r->req, 400, "bad_field",
		    "\"screen\" must be 1-64 letters, digits, - or _");
	for (i = 0; page != NULL && json_is_string(page) && pages[i] != NULL; i++)
		if (strcmp(pages[i], json_string_value(page)) == 0)
			break;
	if (page == NULL || !json_is_string(page) || pages[i] == NULL)
		return http_error(r->req, 400, "bad_field",
		    "\"page\" must be stage, moderator, me, door or organiser");
	if (!json_is_integer(off) || !json_is_integer(rtt) ||
	    json_integer_value(off) < -86400000 || json_integer_value(off) > 86400000 ||
	    json_integer_value(rtt) < 0 || json_integer_value(rtt) > 60000)
		return http_error(r->req, 400, "bad_field",
		    "\"offset_ms\" (±1 day) and \"rtt_ms\" (0..60000) must be integers");
	if (!api_screen_allowed(clock_now_ms()))
		return http_error(r->req, 429, "rate_limited", "too many screen reports");
	if ((w = calloc(1, sizeof *w)) == NULL)
		return http_error(r->req, 500, "internal", "out of memory");
	w->req = r->req;
	w->now = clock_now_ms();
	snprintf(w->screen, sizeof w->screen, "%s", json_string_value(screen));
	snprintf(w->page, sizeof w->page, "%s", json_string_value(page));
	w->offset_ms = json_integer_value(off);
	w->rtt_ms = json_integer_value(rtt);
	api_write_submit(w, api_screen_job, api_screen_done);
}
