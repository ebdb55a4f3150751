/*
 * store_report.c — reads what the reports need into plain arrays
 * (struct report_input), so that report.c can stay free of SQLite.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_priv.h"

static const char SQL_R_LEDGER[] =
    "SELECT stage, seq, at_ms, who, kind, what, pitch, remaining_ms, payload "
    "FROM ledger ORDER BY id";
static const char SQL_R_ATTENDEES[] =
    "SELECT id, name, department, role, email, withdrawn FROM attendees "
    "ORDER BY name, id";
static const char SQL_R_PRESENCE[] =
    "SELECT attendee, in_ms, out_ms FROM presence ORDER BY in_ms, id";
static const char SQL_R_INTERESTS[] =
    "SELECT attendee, pitch, level, note, created_ms, updated_ms, live "
    "FROM interests ORDER BY attendee, pitch";
static const char SQL_R_HISTORY[] =
    "SELECT attendee, pitch, action, level, at_ms, live FROM interest_history "
    "ORDER BY id";
static const char SQL_R_SCREENS[] =
    "SELECT screen, page, offset_ms, rtt_ms, worst_offset_ms, samples, "
    "updated_ms FROM screens ORDER BY screen";

/* Keeps a copy of a text column in the data's string list; NULL stays NULL. */
static const char *
store_report_str(struct report_data *d, sqlite3_stmt *q, int i)
{
	char	*s, **n;

	if (sqlite3_column_type(q, i) == SQLITE_NULL)
		return NULL;
	if (d->nstrings == d->capstrings) {
		size_t cap = d->capstrings ? d->capstrings * 2 : 256;

		if ((n = realloc(d->strings, cap * sizeof *n)) == NULL)
			return "";
		d->strings = n;
		d->capstrings = cap;
	}
	if ((s = strdup((const char *)sqlite3_column_text(q, i))) == NULL)
		return "";
	d->strings[d->nstrings++] = s;
	return s;
}

/* Like store_report_str, but "" for NULL. */
static const char *
store_report_text(struct report_data *d, sqlite3_stmt *q, int i)
{
	const char *s = store_report_str(d, q, i);

	return s != NULL ? s : "";
}

/* Grows an array of elements of size sz to hold one more; NULL on failure. */
static void *
store_report_grow(void **arr, size_t *n, size_t *cap, size_t sz)
{
	void	*a;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;

		if ((a = realloc(*arr, ncap * sz)) == NULL)
			return NULL;
		*arr = a;
		*cap = ncap;
	}
	a = (char *)*arr + (*n)++ * sz;
	memset(a, 0, sz);
	return a;
}

/* Loads ledger, attendees, presence, interests, history and screens. */
int
store_report_load(struct store *s, struct report_data *d)
{
	sqlite3_stmt	*q;
	size_t		 cap;

	if ((q = store_stmt(s, SQL_R_LEDGER)) == NULL)
		return -1;
	for (cap = 0; sqlite3_step(q) == SQLITE_ROW;) {
		struct report_ledger *l = store_report_grow((void **)&d->ledger,
		    &d->in.nledger, &cap, sizeof *l);

		if (l == NULL)
			goto fail;
		l->stage = store_report_text(d, q, 0);
		l->seq = sqlite3_column_int64(q, 1);
		l->at_ms = sqlite3_column_int64(q, 2);
		l->who = store_report_text(d, q, 3);
		l->kind = store_report_text(d, q, 4);
		l->what = store_report_text(d, q, 5);
		l->pitch = store_report_str(d, q, 6);
		l->remaining_ms = store_column_time(q, 7);
		l->payload = store_report_str(d, q, 8);
	}
	sqlite3_reset(q);
	if ((q = store_stmt(s, SQL_R_ATTENDEES)) == NULL)
		return -1;
	for (cap = 0; sqlite3_step(q) == SQLITE_ROW;) {
		struct report_attendee *a = store_report_grow((void **)&d->attendees,
		    &d->in.nattendees, &cap, sizeof *a);

		if (a == NULL)
			goto fail;
		a->id = store_report_text(d, q, 0);
		a->name = store_report_text(d, q, 1);
		a->department = store_report_text(d, q, 2);
		a->role = store_report_text(d, q, 3);
		a->email = store_report_text(d, q, 4);
		a->withdrawn = sqlite3_column_int(q, 5) != 0;
	}
	sqlite3_reset(q);
	if ((q = store_stmt(s, SQL_R_PRESENCE)) == NULL)
		return -1;
	for (cap = 0; sqlite3_step(q) == SQLITE_ROW;) {
		struct report_presence *p = store_report_grow((void **)&d->presence,
		    &d->in.npresence, &cap, sizeof *p);

		if (p == NULL)
			goto fail;
		p->attendee = store_report_text(d, q, 0);
		p->in_ms = sqlite3_column_int64(q, 1);
		p->out_ms = store_column_time(q, 2);
	}
	sqlite3_reset(q);
	if ((q = store_stmt(s, SQL_R_INTERESTS)) == NULL)
		return -1;
	for (cap = 0; sqlite3_step(q) == SQLITE_ROW;) {
		struct report_interest *i = store_report_grow((void **)&d->interests,
		    &d->in.ninterests, &cap, sizeof *i);

		if (i == NULL)
			goto fail;
		i->attendee = store_report_text(d, q, 0);
		i->pitch = store_report_text(d, q, 1);
		i->level = store_report_text(d, q, 2);
		i->note = store_report_text(d, q, 3);
		i->created_ms = sqlite3_column_int64(q, 4);
		i->updated_ms = sqlite3_column_int64(q, 5);
		i->live = sqlite3_column_int(q, 6) != 0;
	}
	sqlite3_reset(q);
	if ((q = store_stmt(s, SQL_R_HISTORY)) == NULL)
		return -1;
	for (cap = 0; sqlite3_step(q) == SQLITE_ROW;) {
		struct report_history *h = store_report_grow((void **)&d->history,
		    &d->in.nhistory, &cap, sizeof *h);

		if (h == NULL)
			goto fail;
		h->attendee = store_report_text(d, q, 0);
		h->pitch = store_report_text(d, q, 1);
		h->action = store_report_text(d, q, 2);
		h->level = store_report_str(d, q, 3);
		h->at_ms = sqlite3_column_int64(q, 4);
		h->live = sqlite3_column_int(q, 5) != 0;
	}
	sqlite3_reset(q);
	if ((q = store_stmt(s, SQL_R_SCREENS)) == NULL)
		return -1;
	for (cap = 0; sqlite3_step(q) == SQLITE_ROW;) {
		struct report_screen *sc = store_report_grow((void **)&d->screens,
		    &d->in.nscreens, &cap, sizeof *sc);

		if (sc == NULL)
			goto fail;
		sc->screen = store_report_text(d, q, 0);
		sc->page = store_report_text(d, q, 1);
		sc->offset_ms = sqlite3_column_int64(q, 2);
		sc->rtt_ms = sqlite3_column_int64(q, 3);
		sc->worst_offset_ms = sqlite3_column_int64(q, 4);
		sc->samples = sqlite3_column_int64(q, 5);
		sc->updated_ms = sqlite3_column_int64(q, 6);
	}
	sqlite3_reset(q);
	d->in.ledger = d->ledger;
	d->in.attendees = d->attendees;
	d->in.presence = d->presence;
	d->in.interests = d->interests;
	d->in.history = d->history;
	d->in.screens = d->screens;
	return 0;
fail:
	sqlite3_reset(q);
	return -1;
}

/* Frees everything store_report_load and the caller put into d. */
void
store_report_free(struct report_data *d)
{
	size_t	i;

	for (i = 0; i < d->nstrings; i++)
		free(d->strings[i]);
	free(d->strings);
	free(d->slots);
	free(d->ledger);
	free(d->attendees);
	free(d->presence);
	free(d->interests);
	free(d->history);
	free(d->screens);
	memset(d, 0, sizeof *d);
}
