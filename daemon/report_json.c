/*
 * report_json.c — the reports as JSON (the keys are listed in report.c).
 *
 * Times are unix milliseconds, each with an ISO 8601 twin in the event's
 * time zone for people reading the file; unknown values are null. Every
 * set goes through report_json_set so a single allocation failure anywhere
 * fails the whole report instead of silently dropping a key.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report.h"
#include "report_int.h"

/* Collects allocation failures while a document is built. */
struct report_jctx {
	const struct report_model	*m;
	int				 err;
};

/* Sets a key, stealing v; a NULL v (failed allocation) marks the error. */
static void
report_json_set(struct report_jctx *c, json_t *o, const char *key, json_t *v)
{
	if (o == NULL) {
		json_decref(v);
		c->err = 1;
	} else if (v == NULL || json_object_set_new(o, key, v) == -1)
		c->err = 1;
}

/* Appends to an array, stealing v. */
static void
report_json_push(struct report_jctx *c, json_t *a, json_t *v)
{
	if (a == NULL) {
		json_decref(v);
		c->err = 1;
	} else if (v == NULL || json_array_append_new(a, v) == -1)
		c->err = 1;
}

/* The length of the valid UTF-8 sequence at p (RFC 3629), 0 if invalid. */
static size_t
report_utf8_len(const unsigned char *p, size_t avail)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;	/* no UTF-16 surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else
		return (0);
	if (n > avail || p[1] < lo || p[1] > hi)
		return (0);
	for (i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
	}
	return (n);
}

/*
 * A string from the input, null for NULL. Text that is not valid UTF-8
 * (jansson refuses it) has its bad bytes replaced by U+FFFD rather than
 * losing the whole report over one byte.
 */
static json_t *
report_json_str(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	json_t			*j;
	char			*fixed, *q;
	size_t			 i, n, len;

	if (s == NULL)
		return (json_null());
	len = strlen(s);
	for (i = 0; i < len; i += n) {
		if ((n = report_utf8_len(p + i, len - i)) == 0)
			break;
	}
	if (i >= len)
		return (json_stringn(s, len));
	if ((fixed = malloc(len * 3 + 1)) == NULL)
		return (NULL);
	q = fixed;
	for (i = 0; i < len; i += n) {
		if ((n = report_utf8_len(p + i, len - i)) == 0) {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			n = 1;
		} else {
			memcpy(q, s + i, n);
			q += n;
		}
	}
	j = json_stringn(fixed, (size_t)(q - fixed));
	free(fixed);
	return (j);
}

/* An integer, or null for an unknown time or figure. */
static json_t *
report_json_ms(int64_t v)
{
	return (v == TIMER_NONE ? json_null() : json_integer((json_int_t)v));
}

/* The local ISO 8601 twin of a time, or null. */
static json_t *
report_json_iso(int64_t ms)
{
	char	buf[64];

	if (ms == TIMER_NONE)
		return (json_null());
	report_fmt_iso(ms, buf, sizeof buf);
	return (json_string(buf));
}

/* A time as "KEY_ms" plus its ISO twin under KEY. */
static void
report_json_time(struct report_jctx *c, json_t *o, const char *key,
    int64_t ms)
{
	char	k[64];

	(void)snprintf(k, sizeof k, "%s_ms", key);
	report_json_set(c, o, k, report_json_ms(ms));
	report_json_set(c, o, key, report_json_iso(ms));
}

/* The header every report starts with. */
static json_t *
report_json_head(struct report_jctx *c, enum report_name name)
{
	const struct report_input	*in = c->m->in;
	json_t				*o, *ev;

	o = json_object();
	ev = json_object();

	report_json_set(c, o, "report", json_string(report_name_str(name)));
	report_json_set(c, ev, "title", report_json_str(in->title));
	report_json_set(c, ev, "venue", report_json_str(in->venue));
	report_json_set(c, ev, "date", report_json_str(in->date));
	report_json_set(c, ev, "timezone", report_json_str(in->timezone));
	report_json_set(c, ev, "language",
	    json_string(report_lang_code(c->m->lang)));
	report_json_set(c, o, "event", ev);
	report_json_time(c, o, "generated", in->now_ms);
	return (o);
}

/* The stage, position and names that identify a slot. */
static void
report_json_slot_id(struct report_jctx *c, json_t *o,
    const struct report_slot *s)
{
	report_json_set(c, o, "id", report_json_str(s->id));
	report_json_set(c, o, "stage", report_json_str(s->stage));
	report_json_set(c, o, "position", json_integer(s->position));
	report_json_set(c, o, "startup", report_json_str(s->startup));
}

/* The totals of a stage or of the event. */
static void
report_json_totals(struct report_jctx *c, json_t *o,
    const struct report_ttotal *t)
{
	report_json_set(c, o, "first_planned_start_ms",
	    report_json_ms(t->first_planned_ms));
	report_json_set(c, o, "first_actual_start_ms",
	    report_json_ms(t->first_actual_ms));
	report_json_set(c, o, "start_delay_ms",
	    report_json_ms(t->start_delay_ms));
	report_json_set(c, o, "planned_end_ms",
	    report_json_ms(t->planned_end_ms));
	report_json_set(c, o, "last_actual_end_ms",
	    report_json_ms(t->last_end_ms));
	report_json_set(c, o, "end_delay_ms", report_json_ms(t->end_delay_ms));
	report_json_set(c, o, "over", json_boolean(t->over));
	report_json_set(c, o, "mean_overrun_ms",
	    report_json_ms(t->mean_overrun_ms));
	report_json_set(c, o, "slots_done", json_integer((json_int_t)t->ndone));
	report_json_set(c, o, "slots_skipped",
	    json_integer((json_int_t)t->nskipped));
}

/* One slot of the timing report. */
static json_t *
report_json_trow(struct report_jctx *c, const struct report_trow *r)
{
	const struct report_slot	*s = r->slot;
	json_t				*o, *tu, *x;
	size_t				 i;

	o = json_object();
	tu = json_array();
	report_json_set(c, o, "stage", report_json_str(s->stage));
	report_json_set(c, o, "stage_name", report_json_str(s->stage_name));
	report_json_set(c, o, "position", json_integer(s->position));
	report_json_set(c, o, "id", report_json_str(s->id));
	report_json_set(c, o, "startup", report_json_str(s->startup));
	report_json_set(c, o, "presenter", report_json_str(s->presenter));
	report_json_set(c, o, "title", report_json_str(s->title));
	report_json_set(c, o, "status", report_json_str(s->status));
	report_json_set(c, o, "length_ms", report_json_ms(s->length_ms));
	report_json_time(c, o, "planned_start", s->planned_start_ms);
	report_json_time(c, o, "actual_start", r->start_ms);
	report_json_time(c, o, "actual_end",
	    r->running ? TIMER_NONE : r->end_ms);
	report_json_set(c, o, "running", json_boolean(r->running));
	report_json_set(c, o, "net_ms", report_json_ms(r->net_ms));
	report_json_set(c, o, "added_ms", report_json_ms(r->added_ms));
	report_json_set(c, o, "overtime_ms", report_json_ms(r->overtime_ms));
	report_json_set(c, o, "overrun_ms", report_json_ms(r->overrun_ms));
	report_json_set(c, o, "pauses", json_integer((json_int_t)r->npauses));
	report_json_set(c, o, "paused_ms", json_integer(r->paused_ms));
	report_json_set(c, o, "interventions",
	    json_integer((json_int_t)r->interventions));
	for (i = 0; i < r->ntimeup; i++) {
		x = json_object();
		report_json_time(c, x, "at", r->timeup[i]->at_ms);
		report_json_set(c, x, "action",
		    report_json_str(r->timeup[i]->what));
		report_json_push(c, tu, x);
	}
	report_json_set(c, o, "time_up", tu);
	return (o);
}

/* The timing report: slots, totals and display skew. */
static void
report_json_timing(struct report_jctx *c, json_t *root)
{
	const struct report_model	*m = c->m;
	const struct report_screen	*sc;
	json_t				*a, *o;
	size_t				 i;

	a = json_array();
	for (i = 0; i < m->in->nslots; i++)
		report_json_push(c, a, report_json_trow(c, &m->trows[i]));
	report_json_set(c, root, "slots", a);

	a = json_array();
	for (i = 0; i < m->nstages; i++) {
		o = json_object();
		report_json_set(c, o, "id",
		    report_json_str(m->stages[i].stage));
		report_json_set(c, o, "name",
		    report_json_str(m->stages[i].stage_name));
		report_json_totals(c, o, &m->stages[i]);
		report_json_push(c, a, o);
	}
	report_json_set(c, root, "stages", a);
	o = json_object();
	report_json_totals(c, o, &m->total);
	report_json_set(c, root, "totals", o);

	a = json_array();
	for (i = 0; i < m->in->nscreens; i++) {
		sc = &m->in->screens[i];
		o = json_object();
		report_json_set(c, o, "screen", report_json_str(sc->screen));
		report_json_set(c, o, "page", report_json_str(sc->page));
		report_json_set(c, o, "offset_ms", json_integer(sc->offset_ms));
		report_json_set(c, o, "rtt_ms", json_integer(sc->rtt_ms));
		report_json_set(c, o, "worst_offset_ms",
		    json_integer(sc->worst_offset_ms));
		report_json_set(c, o, "samples", json_integer(sc->samples));
		report_json_set(c, o, "updated_ms",
		    report_json_ms(sc->updated_ms));
		report_json_push(c, a, o);
	}
	report_json_set(c, root, "displays", a);
	report_json_set(c, root, "worst_display_offset_ms",
	    json_integer(m->worst_offset_ms));
}

/* An attendee with the fields every personal list shows. */
static void
report_json_person(struct report_jctx *c, json_t *o,
    const struct report_attendee *a)
{
	report_json_set(c, o, "id", report_json_str(a->id));
	report_json_set(c, o, "name", report_json_str(a->name));
	report_json_set(c, o, "department", report_json_str(a->department));
}

/* The attendance report: people, pitches, departments. */
static void
report_json_attendance(struct report_jctx *c, json_t *root)
{
	const struct report_model	*m = c->m;
	const struct report_arow	*a;
	const struct report_apitch	*p;
	const struct report_adept	*d;
	json_t				*arr, *o, *sub, *x;
	size_t				 i, j;

	arr = json_array();
	for (i = 0; i < m->in->nattendees; i++) {
		a = &m->arows[i];
		o = json_object();
		report_json_person(c, o, a->att);
		report_json_set(c, o, "role", report_json_str(a->att->role));
		report_json_set(c, o, "email", report_json_str(a->att->email));
		report_json_set(c, o, "withdrawn",
		    json_boolean(a->att->withdrawn));
		report_json_set(c, o, "present_ms",
		    json_integer(a->present_ms));
		report_json_set(c, o, "present_now", json_boolean(a->in_now));
		sub = json_array();
		for (j = 0; j < a->niv; j++) {
			x = json_object();
			report_json_time(c, x, "in", a->iv[j]->in_ms);
			report_json_time(c, x, "out", a->iv[j]->out_ms);
			report_json_push(c, sub, x);
		}
		report_json_set(c, o, "intervals", sub);
		report_json_push(c, arr, o);
	}
	report_json_set(c, root, "attendees", arr);

	arr = json_array();
	for (i = 0; i < m->napitches; i++) {
		p = &m->apitches[i];
		o = json_object();
		report_json_slot_id(c, o, p->t->slot);
		report_json_set(c, o, "start_ms",
		    report_json_ms(p->t->start_ms));
		report_json_set(c, o, "end_ms", report_json_ms(p->t->end_ms));
		report_json_set(c, o, "running", json_boolean(p->t->running));
		report_json_set(c, o, "present_count",
		    json_integer((json_int_t)p->npresent));
		sub = json_array();
		for (j = 0; j < p->nheads; j++) {
			x = json_object();
			report_json_person(c, x, p->heads[j]);
			report_json_push(c, sub, x);
		}
		report_json_set(c, o, "department_heads", sub);
		report_json_push(c, arr, o);
	}
	report_json_set(c, root, "pitches", arr);

	arr = json_array();
	for (i = 0; i < m->ndepts; i++) {
		d = &m->depts[i];
		o = json_object();
		report_json_set(c, o, "name", report_json_str(d->name));
		report_json_set(c, o, "attendees",
		    json_integer((json_int_t)d->nattendees));
		report_json_set(c, o, "department_heads",
		    json_integer((json_int_t)d->nheads));
		report_json_set(c, o, "checked_in",
		    json_integer((json_int_t)d->ncheckedin));
		sub = json_array();
		for (j = 0; j < m->napitches; j++) {
			x = json_object();
			report_json_set(c, x, "pitch",
			    report_json_str(m->apitches[j].t->slot->id));
			report_json_set(c, x, "count",
			    json_integer((json_int_t)d->present[j]));
			report_json_push(c, sub, x);
		}
		report_json_set(c, o, "present", sub);
		report_json_push(c, arr, o);
	}
	report_json_set(c, root, "departments", arr);
}

/* One cell of the interest matrix. */
static json_t *
report_json_cell(struct report_jctx *c, const struct report_interest *x)
{
	const struct report_change	*ch;
	json_t				*o;

	if (x == NULL)
		return (json_null());
	ch = report_change_find(c->m, x->attendee, x->pitch);
	o = json_object();
	report_json_set(c, o, "level", report_json_str(x->level));
	report_json_set(c, o, "note", report_json_str(x->note));
	report_json_set(c, o, "live", json_boolean(x->live));
	report_json_set(c, o, "given_ms", report_json_ms(x->created_ms));
	report_json_set(c, o, "updated_ms", report_json_ms(x->updated_ms));
	report_json_set(c, o, "changes", json_integer(ch == NULL ? 0 :
	    (json_int_t)(ch->deletes + ch->level_changes)));
	return (o);
}

/* The interest matrix with per-column counts and the changes of mind. */
static void
report_json_interest(struct report_jctx *c, json_t *root)
{
	const struct report_model	*m = c->m;
	const struct report_change	*ch;
	json_t				*arr, *o, *cells;
	size_t				 i, j, nf = 0, ni = 0;

	arr = json_array();
	for (j = 0; j < m->nicols; j++) {
		o = json_object();
		report_json_slot_id(c, o, m->icols[j]);
		report_json_set(c, o, "status",
		    report_json_str(m->icols[j]->status));
		report_json_set(c, o, "follow_up",
		    json_integer((json_int_t)m->nfollow[j]));
		report_json_set(c, o, "info",
		    json_integer((json_int_t)m->ninfo[j]));
		report_json_push(c, arr, o);
		nf += m->nfollow[j];
		ni += m->ninfo[j];
	}
	report_json_set(c, root, "columns", arr);

	arr = json_array();
	for (i = 0; i < m->nirows; i++) {
		o = json_object();
		report_json_person(c, o, m->irows[i]);
		report_json_set(c, o, "role",
		    report_json_str(m->irows[i]->role));
		cells = json_array();
		for (j = 0; j < m->nicols; j++)
			report_json_push(c, cells,
			    report_json_cell(c, m->cells[i * m->nicols + j]));
		report_json_set(c, o, "cells", cells);
		report_json_push(c, arr, o);
	}
	report_json_set(c, root, "rows", arr);

	arr = json_array();
	for (i = 0; i < m->nchanges; i++) {
		ch = &m->changes[i];
		o = json_object();
		report_json_set(c, o, "attendee",
		    report_json_str(ch->attendee));
		report_json_set(c, o, "pitch", report_json_str(ch->pitch));
		report_json_set(c, o, "puts",
		    json_integer((json_int_t)ch->puts));
		report_json_set(c, o, "deletes",
		    json_integer((json_int_t)ch->deletes));
		report_json_set(c, o, "level_changes",
		    json_integer((json_int_t)ch->level_changes));
		report_json_push(c, arr, o);
	}
	report_json_set(c, root, "changes", arr);

	o = json_object();
	report_json_set(c, o, "follow_up", json_integer((json_int_t)nf));
	report_json_set(c, o, "info", json_integer((json_int_t)ni));
	report_json_set(c, o, "live", json_integer((json_int_t)m->nlive));
	report_json_set(c, o, "later",
	    json_integer((json_int_t)(nf + ni - m->nlive)));
	report_json_set(c, root, "totals", o);
}

/* The follow-up list, start-up by start-up. */
static void
report_json_followups(struct report_jctx *c, json_t *root)
{
	const struct report_model	*m = c->m;
	const struct report_fgroup	*g;
	const struct report_fentry	*e;
	const struct report_slot	*s;
	json_t				*arr, *o, *sub, *x;
	size_t				 i, j;

	arr = json_array();
	for (i = 0; i < m->nfgroups; i++) {
		g = &m->fgroups[i];
		s = g->slot;
		o = json_object();
		report_json_slot_id(c, o, s);
		report_json_set(c, o, "presenter",
		    report_json_str(s->presenter));
		report_json_set(c, o, "title", report_json_str(s->title));
		report_json_set(c, o, "contact", report_json_str(s->contact));
		report_json_set(c, o, "status", report_json_str(s->status));
		sub = json_array();
		for (j = 0; j < g->n; j++) {
			e = &g->e[j];
			x = json_object();
			report_json_set(c, x, "attendee",
			    report_json_str(e->interest->attendee));
			report_json_set(c, x, "name",
			    report_json_str(e->att != NULL ?
			    e->att->name : e->interest->attendee));
			report_json_set(c, x, "department", report_json_str(
			    e->att != NULL ? e->att->department : NULL));
			report_json_set(c, x, "role", report_json_str(
			    e->att != NULL ? e->att->role : NULL));
			report_json_set(c, x, "email", report_json_str(
			    e->att != NULL ? e->att->email : NULL));
			report_json_set(c, x, "level",
			    report_json_str(e->interest->level));
			report_json_set(c, x, "note",
			    report_json_str(e->interest->note));
			report_json_set(c, x, "live",
			    json_boolean(e->interest->live));
			report_json_time(c, x, "given",
			    e->interest->created_ms);
			report_json_set(c, x, "updated_ms",
			    report_json_ms(e->interest->updated_ms));
			report_json_push(c, sub, x);
		}
		report_json_set(c, o, "interested", sub);
		report_json_push(c, arr, o);
	}
	report_json_set(c, root, "startups", arr);
}

/* Builds and serialises one report; NULL if any allocation failed. */
char *
report_json(const struct report_model *m, enum report_name name, size_t *len)
{
	struct report_jctx	 c = { .m = m, .err = 0 };
	json_t			*root;
	char			*out = NULL;

	root = report_json_head(&c, name);
	switch (name) {
	case REPORT_TIMING:
		report_json_timing(&c, root);
		break;
	case REPORT_ATTENDANCE:
		report_json_attendance(&c, root);
		break;
	case REPORT_INTEREST:
		report_json_interest(&c, root);
		break;
	case REPORT_FOLLOWUPS:
		report_json_followups(&c, root);
		break;
	}
	if (!c.err && root != NULL)
		out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	*len = out != NULL ? strlen(out) : 0;
	return (out);
}
