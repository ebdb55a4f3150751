/*
 * report_calc.c — the figures of the four reports, computed from plain data.
 *
 * Everything here is arithmetic over the input arrays; the renderers only
 * format what this file (timing, attendance) and report_interest.c
 * (interest, follow-ups) leave in struct report_model. The slot figures
 * describe a slot's last run: a re-run (previous) sets a new actual start,
 * and ledger rows before it belong to earlier runs.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report.h"
#include "report_int.h"

/* String equality where NULL equals only NULL. */
bool
report_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* calloc that never returns NULL for an empty array, so NULL means failure. */
void *
report_calloc(size_t n, size_t size)
{
	return (calloc(n != 0 ? n : 1, size));
}

/* The attendee with this id, NULL if there is none. */
const struct report_attendee *
report_attendee_find(const struct report_input *in, const char *id)
{
	size_t	i;

	for (i = 0; i < in->nattendees; i++) {
		if (report_streq(in->attendees[i].id, id))
			return (&in->attendees[i]);
	}
	return (NULL);
}

/* The seconds of an extend body; a body we cannot read adds nothing. */
static int64_t
report_extend_ms(const char *payload)
{
	json_t	*j, *v;
	int64_t	 ms = 0;

	if (payload == NULL || (j = json_loads(payload, 0, NULL)) == NULL)
		return (0);
	v = json_object_get(j, "seconds");
	if (json_is_integer(v) && json_integer_value(v) >= -86400 &&
	    json_integer_value(v) <= 86400)
		ms = (int64_t)json_integer_value(v) * 1000;
	json_decref(j);
	return (ms);
}

/*
 * Times one slot. Pauses run from a pause to the next resume (a start on a
 * paused slot resumes it too) or to the end of the run; only rows inside
 * the run's window count, so an earlier run's pauses and extends drop out.
 */
static int
report_calc_slot(const struct report_input *in, struct report_trow *r,
    const struct report_slot *s)
{
	const struct report_ledger	*l;
	int64_t				 pause_at = TIMER_NONE;
	bool				 in_run;
	size_t				 i;

	r->slot = s;
	r->start_ms = r->end_ms = TIMER_NONE;
	r->net_ms = r->added_ms = r->overrun_ms = r->overtime_ms = TIMER_NONE;
	r->started = s->actual_start_ms != TIMER_NONE;
	if (r->started) {
		r->start_ms = s->actual_start_ms;
		r->end_ms = s->actual_end_ms;
		if (r->end_ms == TIMER_NONE) {
			r->running = true;
			r->end_ms = in->now_ms;
		}
		if (r->end_ms < r->start_ms)
			r->end_ms = r->start_ms;
		r->added_ms = 0;
	}
	for (i = 0; i < in->nledger; i++) {
		l = &in->ledger[i];
		if (!report_streq(l->pitch, s->id))
			continue;
		in_run = r->started && l->at_ms >= r->start_ms &&
		    l->at_ms <= r->end_ms;
		if (report_streq(l->kind, "action"))
			r->interventions++;
		if (!in_run)
			continue;
		if (report_streq(l->kind, "time_up")) {
			r->ntimeup++;
			continue;
		}
		if (!report_streq(l->kind, "action") || l->what == NULL)
			continue;
		if (strcmp(l->what, "pause") == 0) {
			if (pause_at == TIMER_NONE) {
				pause_at = l->at_ms;
				r->npauses++;
			}
		} else if (strcmp(l->what, "resume") == 0 ||
		    strcmp(l->what, "start") == 0) {
			if (pause_at != TIMER_NONE) {
				r->paused_ms += l->at_ms - pause_at;
				pause_at = TIMER_NONE;
			}
		} else if (strcmp(l->what, "extend") == 0)
			r->added_ms += report_extend_ms(l->payload);
	}
	if (!r->started)
		return (0);
	if (pause_at != TIMER_NONE)
		r->paused_ms += r->end_ms - pause_at;
	r->net_ms = r->end_ms - r->start_ms - r->paused_ms;
	r->overrun_ms = r->net_ms - (s->length_ms + r->added_ms);
	r->overtime_ms = r->overrun_ms > 0 ? r->overrun_ms : 0;

	/* A second pass keeps the time's-up rows in one allocation. */
	if ((r->timeup = report_calloc(r->ntimeup, sizeof *r->timeup)) == NULL)
		return (-1);
	r->ntimeup = 0;
	for (i = 0; i < in->nledger; i++) {
		l = &in->ledger[i];
		if (report_streq(l->pitch, s->id) &&
		    report_streq(l->kind, "time_up") &&
		    l->at_ms >= r->start_ms && l->at_ms <= r->end_ms)
			r->timeup[r->ntimeup++] = l;
	}
	return (0);
}

/* The mean rounded to the millisecond, halves away from zero. */
static int64_t
report_mean(int64_t sum, size_t n)
{
	int64_t	d = (int64_t)n;

	if (sum < 0)
		return (-((-sum + d / 2) / d));
	return ((sum + d / 2) / d);
}

/*
 * Totals of one stage (or all, stage NULL). The end delay waits until no
 * slot is planned or live: before that, "last end" is only the latest
 * pitch so far and the difference would mislead.
 */
static void
report_calc_total(const struct report_model *m, const char *stage,
    struct report_ttotal *t)
{
	const struct report_trow	*r;
	const struct report_slot	*s;
	int64_t				 sum = 0, end;
	size_t				 i, nover = 0;
	bool				 gone;

	memset(t, 0, sizeof *t);
	t->stage = stage;
	t->first_planned_ms = t->first_actual_ms = t->start_delay_ms =
	    TIMER_NONE;
	t->planned_end_ms = t->last_end_ms = t->end_delay_ms = TIMER_NONE;
	t->mean_overrun_ms = TIMER_NONE;
	t->over = true;
	for (i = 0; i < m->in->nslots; i++) {
		r = &m->trows[i];
		s = r->slot;
		if (stage != NULL && !report_streq(s->stage, stage))
			continue;
		if (stage != NULL && t->stage_name == NULL)
			t->stage_name = s->stage_name;
		gone = report_streq(s->status, "withdrawn");
		if (!gone && (t->first_planned_ms == TIMER_NONE ||
		    s->planned_start_ms < t->first_planned_ms))
			t->first_planned_ms = s->planned_start_ms;
		if (r->started && (t->first_actual_ms == TIMER_NONE ||
		    r->start_ms < t->first_actual_ms))
			t->first_actual_ms = r->start_ms;
		if (r->started && r->end_ms > t->last_end_ms)
			t->last_end_ms = r->end_ms;
		if (report_streq(s->status, "skipped"))
			t->nskipped++;
		else if (!gone) {
			end = s->planned_start_ms + s->length_ms;
			if (end > t->planned_end_ms)
				t->planned_end_ms = end;
		}
		if (report_streq(s->status, "planned") ||
		    report_streq(s->status, "live") || r->running)
			t->over = false;
		if (report_streq(s->status, "done")) {
			t->ndone++;
			if (r->started) {
				sum += r->overrun_ms;
				nover++;
			}
		}
	}
	if (t->first_actual_ms != TIMER_NONE &&
	    t->first_planned_ms != TIMER_NONE)
		t->start_delay_ms = t->first_actual_ms - t->first_planned_ms;
	if (t->over && t->last_end_ms != TIMER_NONE &&
	    t->planned_end_ms != TIMER_NONE)
		t->end_delay_ms = t->last_end_ms - t->planned_end_ms;
	if (nover > 0)
		t->mean_overrun_ms = report_mean(sum, nover);
}

/* Slot timing, per-stage and event totals, and the worst display skew. */
static int
report_calc_timing(struct report_model *m)
{
	const struct report_input	*in = m->in;
	size_t				 i, j;
	int64_t				 w;

	if ((m->trows = report_calloc(in->nslots, sizeof *m->trows)) == NULL ||
	    (m->stages = report_calloc(in->nslots, sizeof *m->stages)) == NULL)
		return (-1);
	for (i = 0; i < in->nslots; i++) {
		if (report_calc_slot(in, &m->trows[i], &in->slots[i]) == -1)
			return (-1);
	}
	for (i = 0; i < in->nslots; i++) {
		for (j = 0; j < m->nstages; j++) {
			if (report_streq(m->stages[j].stage,
			    in->slots[i].stage))
				break;
		}
		if (j == m->nstages) {
			report_calc_total(m, in->slots[i].stage,
			    &m->stages[m->nstages]);
			m->nstages++;
		}
	}
	report_calc_total(m, NULL, &m->total);
	for (i = 0; i < in->nscreens; i++) {
		w = in->screens[i].worst_offset_ms;
		if (w < 0)
			w = -w;
		if (w > m->worst_offset_ms)
			m->worst_offset_ms = w;
	}
	return (0);
}

/* Orders presence intervals by check-in. */
static int
report_presence_cmp(const void *a, const void *b)
{
	const struct report_presence *const	*pa = a, *const *pb = b;

	if ((*pa)->in_ms != (*pb)->in_ms)
		return ((*pa)->in_ms < (*pb)->in_ms ? -1 : 1);
	return (0);
}

/*
 * Whether an attendee was in the room at some moment of [from, to): an
 * interval that ends exactly when a pitch starts does not count.
 */
static bool
report_present(const struct report_arow *a, int64_t from, int64_t to,
    int64_t now)
{
	const struct report_presence	*p;
	int64_t				 out;
	size_t				 i;

	for (i = 0; i < a->niv; i++) {
		p = a->iv[i];
		out = p->out_ms != TIMER_NONE ? p->out_ms : now;
		if (p->in_ms < to && out > from)
			return (true);
	}
	return (false);
}

/* Presence per attendee, department heads per pitch, counts per department. */
static int
report_calc_attendance(struct report_model *m)
{
	const struct report_input	*in = m->in;
	struct report_arow		*a;
	struct report_apitch		*p;
	struct report_adept		*d;
	int64_t				 out;
	size_t				 i, j, k, n;

	if ((m->arows = report_calloc(in->nattendees,
	    sizeof *m->arows)) == NULL)
		return (-1);
	for (i = 0; i < in->nattendees; i++) {
		a = &m->arows[i];
		a->att = &in->attendees[i];
		for (j = n = 0; j < in->npresence; j++)
			n += report_streq(in->presence[j].attendee, a->att->id);
		if ((a->iv = report_calloc(n, sizeof *a->iv)) == NULL)
			return (-1);
		for (j = 0; j < in->npresence; j++) {
			if (!report_streq(in->presence[j].attendee, a->att->id))
				continue;
			a->iv[a->niv++] = &in->presence[j];
			out = in->presence[j].out_ms;
			if (out == TIMER_NONE) {
				a->in_now = true;
				out = in->now_ms;
			}
			if (out > in->presence[j].in_ms)
				a->present_ms += out - in->presence[j].in_ms;
		}
		qsort(a->iv, a->niv, sizeof *a->iv, report_presence_cmp);
	}

	if ((m->apitches = report_calloc(in->nslots,
	    sizeof *m->apitches)) == NULL)
		return (-1);
	for (i = 0; i < in->nslots; i++) {
		if (!m->trows[i].started)
			continue;
		p = &m->apitches[m->napitches++];
		p->t = &m->trows[i];
		if ((p->heads = report_calloc(in->nattendees,
		    sizeof *p->heads)) == NULL)
			return (-1);
		for (j = 0; j < in->nattendees; j++) {
			a = &m->arows[j];
			if (!report_present(a, p->t->start_ms, p->t->end_ms,
			    in->now_ms))
				continue;
			p->npresent++;
			if (report_streq(a->att->role, "department_head"))
				p->heads[p->nheads++] = a->att;
		}
	}

	if ((m->depts = report_calloc(in->nattendees,
	    sizeof *m->depts)) == NULL)
		return (-1);
	for (i = 0; i < in->nattendees; i++) {
		a = &m->arows[i];
		for (k = 0; k < m->ndepts; k++) {
			if (strcmp(m->depts[k].name,
			    a->att->department != NULL ?
			    a->att->department : "") == 0)
				break;
		}
		d = &m->depts[k];
		if (k == m->ndepts) {
			m->ndepts++;
			d->name = a->att->department != NULL ?
			    a->att->department : "";
			if ((d->present = report_calloc(m->napitches,
			    sizeof *d->present)) == NULL)
				return (-1);
		}
		d->nattendees++;
		if (report_streq(a->att->role, "department_head"))
			d->nheads++;
		if (a->niv > 0)
			d->ncheckedin++;
		for (j = 0; j < m->napitches; j++) {
			p = &m->apitches[j];
			if (report_present(a, p->t->start_ms, p->t->end_ms,
			    in->now_ms))
				d->present[j]++;
		}
	}
	return (0);
}

/* Computes every report's figures; on failure the model is still freeable. */
int
report_model_build(struct report_model *m, const struct report_input *in)
{
	memset(m, 0, sizeof *m);
	m->in = in;
	m->lang = report_lang_parse(in->language);
	if (report_calc_timing(m) == -1 ||
	    report_calc_attendance(m) == -1 ||
	    report_calc_interest(m) == -1 ||
	    report_calc_followups(m) == -1)
		return (-1);
	return (0);
}

/* Frees what report_model_build allocated, however far it got. */
void
report_model_free(struct report_model *m)
{
	size_t	i;

	if (m->trows != NULL) {
		for (i = 0; i < m->in->nslots; i++)
			free(m->trows[i].timeup);
	}
	free(m->trows);
	free(m->stages);
	if (m->arows != NULL) {
		for (i = 0; i < m->in->nattendees; i++)
			free(m->arows[i].iv);
	}
	free(m->arows);
	for (i = 0; i < m->napitches; i++)
		free(m->apitches[i].heads);
	free(m->apitches);
	for (i = 0; i < m->ndepts; i++)
		free(m->depts[i].present);
	free(m->depts);
	free(m->irows);
	free(m->icols);
	free(m->cells);
	free(m->nfollow);
	free(m->ninfo);
	free(m->changes);
	for (i = 0; i < m->nfgroups; i++)
		free(m->fgroups[i].e);
	free(m->fgroups);
	memset(m, 0, sizeof *m);
}
