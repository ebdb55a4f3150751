/*
 * api.c — the HTTP API of SPEC §4: one table of routes, one handler each.
 * Bodies are validated completely before the timer's mode is looked at, so
 * a malformed request is 400 in any mode.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "api.h"
#include "clock.h"
#include "log.h"
#include "snapshot.h"
#include "sse.h"
#include "stage.h"
#include "taktd.h"
#include "writer.h"

#define MOD_OR_ORG	(AUTH_BIT(AUTH_MODERATOR) | AUTH_BIT(AUTH_ORGANISER))
#define ORG		AUTH_BIT(AUTH_ORGANISER)
#define ATT		AUTH_BIT(AUTH_ATTENDEE)
#define ANY_TOKEN	(ATT | MOD_OR_ORG)

/* The stage named by the first "*" of the route, or NULL after a 404. */
static struct stage *
api_stage(struct http_req *r)
{
	struct stage	*st = taktd_stage_find(r->arg[0]);

	if (st == NULL)
		http_error(r->req, 404, "unknown_stage", "no stage \"%.64s\"",
		    r->arg[0]);
	return st;
}

/* GET /api/v1/event */
static void
api_event(struct http_req *r)
{
	http_reply_json(r->req, 200, snapshot_event(clock_now_ms()));
}

/* GET /api/v1/stages/{stage}/state */
static void
api_state(struct http_req *r)
{
	struct stage	*st = api_stage(r);
	int64_t		 now = clock_now_ms();
	json_t		*snap;
	char		*s;

	if (st == NULL)
		return;
	/*
	 * A snapshot is true as of its server_time_ms; one made this very
	 * millisecond for the same seq serves every request of that
	 * millisecond (a busy API is hundreds of them), without jansson.
	 */
	if (st->state_json == NULL || st->state_ms != now ||
	    st->state_seq != st->timer.seq) {
		snap = snapshot_state(st, now);
		s = json_dumps(snap, JSON_COMPACT);
		json_decref(snap);
		if (s == NULL)
			return http_error(r->req, 500, "internal", "out of memory");
		free(st->state_json);
		st->state_json = s;
		st->state_len = strlen(s);
		st->state_ms = now;
		st->state_seq = st->timer.seq;
	}
	http_reply_raw(r->req, 200, "application/json", st->state_json,
	    st->state_len);
}

/* GET /api/v1/stages/{stage}/stream */
static void
api_stream(struct http_req *r)
{
	struct stage	*st = api_stage(r);

	if (st == NULL)
		return;
	if (evhttp_request_get_command(r->req) == EVHTTP_REQ_HEAD)
		sse_head(r->req);
	else
		sse_open(st, r->req);
}

/* GET /api/v1/time */
static void
api_time(struct http_req *r)
{
	char	buf[64];
	int	n = snprintf(buf, sizeof buf, "{\"server_time_ms\":%" PRId64 "}",
	    clock_now_ms());

	http_reply_raw(r->req, 200, "application/json", buf, (size_t)n);
}

/* GET /healthz */
static void
api_healthz(struct http_req *r)
{
	http_reply_json(r->req, 200, json_pack("{s:s,s:I}", "status", "ok",
	    "uptime_ms", (json_int_t)(clock_now_ms() - env->started_ms)));
}

/* GET /metrics, in the Prometheus text format. */
static void
api_metrics(struct http_req *r)
{
	const struct taktd_metrics *m = &env->metrics;
	struct evbuffer	*b = evbuffer_new();
	size_t		 i, len;
	char		*text;

	if (b == NULL)
		return http_error(r->req, 500, "internal", "out of memory");
	evbuffer_add_printf(b,
	    "# TYPE takt_requests_total counter\ntakt_requests_total %" PRIu64 "\n"
	    "# TYPE takt_responses_total counter\n"
	    "takt_responses_total{class=\"4xx\"} %" PRIu64 "\n"
	    "takt_responses_total{class=\"5xx\"} %" PRIu64 "\n"
	    "# TYPE takt_actions_total counter\ntakt_actions_total %" PRIu64 "\n"
	    "# TYPE takt_commits_total counter\ntakt_commits_total %" PRIu64 "\n"
	    "# TYPE takt_ticks_total counter\ntakt_ticks_total %" PRIu64 "\n"
	    "# TYPE takt_sse_events_total counter\ntakt_sse_events_total %" PRIu64 "\n"
	    "# TYPE takt_sse_dropped_total counter\ntakt_sse_dropped_total %" PRIu64 "\n"
	    "# TYPE takt_connections_refused_total counter\n"
	    "takt_connections_refused_total %" PRIu64 "\n"
	    "# TYPE takt_tick_late_max_seconds gauge\n"
	    "takt_tick_late_max_seconds %.6f\n"
	    "# TYPE takt_connections gauge\ntakt_connections %zu\n"
	    "# TYPE takt_uptime_seconds gauge\ntakt_uptime_seconds %.3f\n",
	    m->requests, m->responses_4xx, m->responses_5xx, m->actions,
	    m->commits, m->ticks, m->sse_events, m->sse_dropped,
	    m->connections_refused, (double)m->tick_late_us_max / 1e6,
	    env->nconnections,
	    (double)(clock_now_ms() - env->started_ms) / 1e3);
	{
		unsigned long long jobs, commits;

		writer_stats(&jobs, &commits);
		evbuffer_add_printf(b, "# TYPE takt_writes_total counter\n"
		    "takt_writes_total %llu\n# TYPE takt_write_commits_total counter\n"
		    "takt_write_commits_total %llu\n", jobs, commits);
	}
	evbuffer_add_printf(b, "# TYPE takt_streams gauge\n");
	for (i = 0; i < env->nstages; i++)
		evbuffer_add_printf(b, "takt_streams{stage=\"%s\"} %zu\n",
		    env->stages[i].id, env->stages[i].nclients);
	evbuffer_add_printf(b, "# TYPE takt_stage_seq gauge\n");
	for (i = 0; i < env->nstages; i++)
		evbuffer_add_printf(b, "takt_stage_seq{stage=\"%s\"} %" PRIu64 "\n",
		    env->stages[i].id, env->stages[i].timer.seq);
	len = evbuffer_get_length(b);
	text = (char *)evbuffer_pullup(b, -1);
	http_reply_raw(r->req, 200, "text/plain; version=0.0.4", text, len);
	evbuffer_free(b);
}

/* Reads an optional string field; -1 after a 400 if it is not a string. */
static int
api_opt_string(struct http_req *r, const char *key, const char **out)
{
	json_t	*v = r->body != NULL ? json_object_get(r->body, key) : NULL;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v)) {
		http_error(r->req, 400, "bad_field", "\"%s\" must be a string", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* Reads an optional boolean field into -1 (absent), 0 or 1. */
static int
api_opt_bool(struct http_req *r, const char *key, int *out)
{
	json_t	*v = r->body != NULL ? json_object_get(r->body, key) : NULL;

	*out = -1;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		http_error(r->req, 400, "bad_field", "\"%s\" must be true or false", key);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

/* Fields each action's body may have. */
static const char *const api_keys_none[] = { NULL };
static const char *const api_keys_pitch[] = { "pitch", NULL };
static const char *const api_keys_extend[] = { "seconds", NULL };
static const char *const api_keys_next[] = { "start", NULL };
static const char *const api_keys_message[] = { "text", "visible", "blink", NULL };
static const char *const api_keys_blackout[] = { "on", NULL };

/* Decodes and validates an action body into a; -1 after replying 400. */
static int
api_action_decode(struct http_req *r, struct timer_action *a)
{
	const char *const *keys;
	json_t		*v;
	int		 b;

	switch (a->kind) {
	case TA_START: case TA_GOTO: case TA_SKIP:	keys = api_keys_pitch; break;
	case TA_EXTEND:		keys = api_keys_extend; break;
	case TA_NEXT:		keys = api_keys_next; break;
	case TA_MESSAGE:	keys = api_keys_message; break;
	case TA_BLACKOUT:	keys = api_keys_blackout; break;
	default:		keys = api_keys_none; break;
	}
	if (http_body_only(r, keys) == -1)
		return -1;
	a->visible = a->blink = -1;
	switch (a->kind) {
	case TA_START: case TA_GOTO: case TA_SKIP:
		if (api_opt_string(r, "pitch", &a->pitch) == -1)
			return -1;
		if (a->kind == TA_GOTO && a->pitch == NULL) {
			http_error(r->req, 400, "missing_field", "goto needs \"pitch\"");
			return -1;
		}
		return 0;
	case TA_EXTEND:
		v = r->body != NULL ? json_object_get(r->body, "seconds") : NULL;
		if (v == NULL || !json_is_integer(v)) {
			http_error(r->req, 400, "bad_field",
			    "extend needs \"seconds\", an integer");
			return -1;
		}
		if (json_integer_value(v) == 0 ||
		    json_integer_value(v) > TIMER_EXTEND_MAX_S ||
		    json_integer_value(v) < -TIMER_EXTEND_MAX_S) {
			http_error(r->req, 400, "out_of_range",
			    "\"seconds\" must be non-zero and within ±%d",
			    TIMER_EXTEND_MAX_S);
			return -1;
		}
		a->seconds = json_integer_value(v);
		return 0;
	case TA_NEXT:
		if (api_opt_bool(r, "start", &b) == -1)
			return -1;
		a->start = b == 1;
		return 0;
	case TA_MESSAGE:
		if (api_opt_string(r, "text", &a->text) == -1 ||
		    api_opt_bool(r, "visible", &a->visible) == -1 ||
		    api_opt_bool(r, "blink", &a->blink) == -1)
			return -1;
		return 0;
	case TA_BLACKOUT:
		if (api_opt_bool(r, "on", &b) == -1)
			return -1;
		if (b == -1) {
			http_error(r->req, 400, "missing_field", "blackout needs \"on\"");
			return -1;
		}
		a->on = b == 1;
		return 0;
	default:
		return 0;
	}
}

/* POST /api/v1/stages/{stage}/{action} */
static void
api_action(struct http_req *r)
{
	struct stage		*st;
	struct timer_action	 a;
	const char		*why = NULL;
	int			 kind, res;

	if ((kind = timer_action_parse(r->arg[1])) < 0)
		return http_error(r->req, 404, "unknown_action",
		    "no action \"%.64s\"", r->arg[1]);
	memset(&a, 0, sizeof a);
	a.kind = (enum timer_action_kind)kind;
	if (api_action_decode(r, &a) == -1)
		return;
	if ((st = api_stage(r)) == NULL)
		return;
	res = stage_action(st, &a, &r->who, r->body_text, &why, r->req);
	switch (res) {
	case TIMER_OK:
		break;		/* answered by the stage once the change is on disk */
	case TIMER_EINVAL:
		http_error(r->req, 400, "invalid", "%s", why ? why : "invalid request");
		break;
	case TIMER_ENOTFOUND:
		http_error(r->req, 404, "unknown_pitch", "%s", why ? why : "no such pitch");
		break;
	case TIMER_ECONFLICT:
		http_error(r->req, 409, "conflict", "%s (mode %s)",
		    why ? why : "not now", timer_mode_name(st->timer.mode));
		break;
	default:
		http_error(r->req, 500, "storage", "the change could not be stored");
		break;
	}
}

/* POST /api/v1/reload */
static void
api_reload(struct http_req *r)
{
	struct config_errors	 errs = { NULL, 0 };
	json_t			*summary = NULL, *list;
	size_t			 i;

	if (http_body_only(r, api_keys_none) == -1)
		return;
	if (taktd_reload(&errs, &summary) == 0) {
		http_reply_json(r->req, 200, json_pack("{s:b,s:o}", "reloaded", 1,
		    "changes", summary != NULL ? summary : json_object()));
		return;
	}
	list = json_array();
	for (i = 0; i < errs.n; i++)
		json_array_append_new(list, json_string(errs.msgs[i]));
	http_reply_json(r->req, 422, json_pack("{s:{s:s,s:s,s:o}}", "error",
	    "code", "config", "message", errs.n > 0 ? errs.msgs[0] :
	    "the configuration could not be loaded", "errors", list));
	config_errors_clear(&errs);
}

const struct http_route api_routes[] = {
	{ EVHTTP_REQ_GET,  "/api/v1/event",		0, false, api_event },
	{ EVHTTP_REQ_GET,  "/api/v1/stages/*/state",	0, false, api_state },
	{ EVHTTP_REQ_GET,  "/api/v1/stages/*/stream",	0, false, api_stream },
	{ EVHTTP_REQ_POST, "/api/v1/stages/*/*",	MOD_OR_ORG, true, api_action },
	{ EVHTTP_REQ_GET,  "/api/v1/time",		0, false, api_time },
	{ EVHTTP_REQ_POST, "/api/v1/reload",		ORG, true, api_reload },
	{ EVHTTP_REQ_POST, "/api/v1/checkins",		ANY_TOKEN, true, api_checkin },
	{ EVHTTP_REQ_POST, "/api/v1/checkouts",		ANY_TOKEN, true, api_checkout },
	{ EVHTTP_REQ_PUT,  "/api/v1/interests/*",	ATT | ORG, true, api_interest },
	{ EVHTTP_REQ_DELETE, "/api/v1/interests/*",	ATT | ORG, true, api_interest },
	{ EVHTTP_REQ_GET,  "/api/v1/me",		ATT, false, api_me },
	{ EVHTTP_REQ_POST, "/api/v1/screens",		0, true, api_screens },
	{ EVHTTP_REQ_GET,  "/api/v1/reports/*",		ORG, false, api_report },
	{ EVHTTP_REQ_GET,  "/api/v1/export/schedule.json", 0, false, api_export_schedule },
	{ EVHTTP_REQ_GET,  "/api/v1/export/agenda.ics",	0, false, api_export_ics },
	{ EVHTTP_REQ_GET,  "/healthz",			0, false, api_healthz },
	{ EVHTTP_REQ_GET,  "/metrics",			0, false, api_metrics },
	{ EVHTTP_REQ_GET,  "/api/v1/attendees",	MOD_OR_ORG, false, api_attendees },
	{ EVHTTP_REQ_POST, "/api/v1/badges",		ORG, true, api_badges },
	{ EVHTTP_REQ_GET,  "/",				0, false, api_page },
	{ EVHTTP_REQ_GET,  "/stage/*",			0, false, api_page },
	{ EVHTTP_REQ_GET,  "/moderator/*",		0, false, api_page },
	{ EVHTTP_REQ_GET,  "/me",			0, false, api_page },
	{ EVHTTP_REQ_GET,  "/door",			0, false, api_page },
	{ EVHTTP_REQ_GET,  "/organiser",		0, false, api_page },
	{ EVHTTP_REQ_GET,  "/assets/*",			0, false, api_asset },
};
const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
