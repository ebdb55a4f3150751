/*
 * api_attendees.c — GET /api/v1/attendees, the list the door page searches:
 * who is expected and who is in, without e-mail addresses (the desk needs
 * names, not contact data).
 */
#include <string.h>

#include "api.h"
#include "store.h"
#include "taktd.h"

/* The start of the attendee's open presence interval, or TIMER_NONE. */
static int64_t
api_attendees_since(const struct report_data *d, const char *id)
{
	int64_t	since = TIMER_NONE;
	size_t	i;

	for (i = 0; i < d->in.npresence; i++) {
		const struct report_presence *p = &d->in.presence[i];

		if (p->out_ms == TIMER_NONE && strcmp(p->attendee, id) == 0 &&
		    p->in_ms > since)
			since = p->in_ms;
	}
	return since;
}

/* GET /api/v1/attendees (moderator or organiser) */
void
api_attendees(struct http_req *r)
{
	struct report_data	 d;
	json_t			*list;
	size_t			 i;

	memset(&d, 0, sizeof d);
	if (store_report_load(env->store, &d) == -1) {
		store_report_free(&d);
		return http_error(r->req, 500, "storage",
		    "the attendees could not be read");
	}
	list = json_array();
	for (i = 0; i < d.in.nattendees; i++) {
		const struct report_attendee *a = &d.in.attendees[i];
		int64_t	since;

		if (a->withdrawn)
			continue;
		since = api_attendees_since(&d, a->id);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:b,s:o}",
		    "id", a->id, "name", a->name, "department", a->department,
		    "role", a->role, "checked_in", since != TIMER_NONE,
		    "since_ms", since != TIMER_NONE ? json_integer(since) :
		    json_null()));
	}
	store_report_free(&d);
	http_reply_json(r->req, 200, list);
}
