/*
 * report_csv.c — the reports as CSV (RFC 4180): comma separated, CRLF line
 * ends, UTF-8, one header row in the report's language, one table each.
 *
 * Text that came from people (names, notes, titles) goes through
 * report_csv_text, which also defuses spreadsheet formulas; figures we
 * generate ourselves (seconds, counts, clock times) are written plain so a
 * negative delay stays a number. Durations are whole seconds (rounded), so
 * no decimal separator can be misread by a German spreadsheet.
 *
 * Tables: timing one row per slot; attendance one row per pitch that took
 * place and department head present during it (a pitch nobody attended gets
 * one row with the attendee cells empty); interest one row per attendee and
 * pitch with interest; followups one row per start-up and interested person.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"

struct report_csv {
	struct report_buf	 b;
	const struct report_model *m;
	bool			 first;		/* no cell yet on the line */
};

/* Separates cells: a comma before every cell but the first of a line. */
static void
report_csv_sep(struct report_csv *c)
{
	if (!c->first)
		report_buf_add(&c->b, ",", 1);
	c->first = false;
}

/* Ends a record with CRLF as RFC 4180 asks. */
static void
report_csv_eol(struct report_csv *c)
{
	report_buf_add(&c->b, "\r\n", 2);
	c->first = true;
}

/*
 * Escapes one cell of text into b: an apostrophe before a leading
 * = + - @ tab or CR so no spreadsheet runs it as a formula, then quotes
 * around the cell (inner quotes doubled) if it holds a separator.
 */
static void
report_csv_escape(struct report_buf *b, const char *s)
{
	const char	*p;

	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		if (strchr("=+-@\t\r", *s) != NULL && *s != '\0')
			report_buf_add(b, "'", 1);
		report_buf_puts(b, s);
		return;
	}
	report_buf_add(b, "\"", 1);
	if (strchr("=+-@\t\r", *s) != NULL && *s != '\0')
		report_buf_add(b, "'", 1);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			report_buf_add(b, "\"\"", 2);
		else
			report_buf_add(b, p, 1);
	}
	report_buf_add(b, "\"", 1);
}

/* One escaped cell as a string, for the tests. */
char *
report_csv_cell(const char *s)
{
	struct report_buf	b = { 0 };
	size_t			len;

	report_csv_escape(&b, s);
	return (report_buf_finish(&b, &len));
}

/* A cell of text that came from a person. */
static void
report_csv_text(struct report_csv *c, const char *s)
{
	report_csv_sep(c);
	report_csv_escape(&c->b, s);
}

/* A number we generated; empty when unknown. */
static void
report_csv_int(struct report_csv *c, int64_t v)
{
	report_csv_sep(c);
	if (v != TIMER_NONE)
		report_buf_printf(&c->b, "%lld", (long long)v);
}

/* A duration in whole seconds; empty when unknown. */
static void
report_csv_sec(struct report_csv *c, int64_t ms)
{
	report_csv_int(c, ms == TIMER_NONE ? TIMER_NONE : report_ms_to_s(ms));
}

/* A clock time of day in the event's zone; empty when unknown. */
static void
report_csv_clock(struct report_csv *c, int64_t ms)
{
	char	buf[32];

	report_fmt_clock(ms, buf, sizeof buf);
	report_csv_sep(c);
	report_buf_puts(&c->b, buf);
}

/* One column heading; durations say their unit, "Net speaking time (s)". */
struct report_csv_col {
	enum report_msg	 msg;
	bool		 sec;
};

/* The header row in the report's language. */
static void
report_csv_header(struct report_csv *c, const struct report_csv_col *h,
    size_t n)
{
	struct report_buf	 label = { 0 };
	size_t			 i, len;
	char			*s;

	for (i = 0; i < n; i++) {
		report_buf_puts(&label, report_tr(c->m->lang, h[i].msg));
		if (h[i].sec)
			report_buf_printf(&label, " (%s)",
			    report_tr(c->m->lang, RM_SECONDS));
		if ((s = report_buf_finish(&label, &len)) == NULL)
			c->b.err = 1;
		report_csv_text(c, s);
		free(s);
	}
	report_csv_eol(c);
}

/* The timing table: one row per slot. */
static void
report_csv_timing(struct report_csv *c)
{
	static const struct report_csv_col	 h[] = {
		{ RM_STAGE, false }, { RM_POSITION, false },
		{ RM_PITCH, false }, { RM_STARTUP, false },
		{ RM_STATUS, false }, { RM_PLANNED_START, false },
		{ RM_PLANNED_LENGTH, true }, { RM_ACTUAL_START, false },
		{ RM_ACTUAL_END, false }, { RM_NET, true },
		{ RM_ADDED, true }, { RM_OVERTIME, true },
		{ RM_PAUSES, false }, { RM_PAUSED, true },
		{ RM_INTERVENTIONS, false }, { RM_TIME_UP, false }
	};
	const struct report_model	*m = c->m;
	const struct report_trow	*r;
	struct report_buf		 tu = { 0 };
	size_t				 i, j;
	size_t				 len;
	char				*s;

	report_csv_header(c, h, sizeof h / sizeof h[0]);
	for (i = 0; i < m->in->nslots; i++) {
		r = &m->trows[i];
		report_csv_text(c, r->slot->stage_name != NULL ?
		    r->slot->stage_name : r->slot->stage);
		report_csv_int(c, r->slot->position);
		report_csv_text(c, r->slot->id);
		report_csv_text(c, r->slot->startup);
		report_csv_text(c, report_tr_status(m->lang, r->slot->status));
		report_csv_clock(c, r->slot->planned_start_ms);
		report_csv_sec(c, r->slot->length_ms);
		report_csv_clock(c, r->start_ms);
		report_csv_clock(c, r->running ? TIMER_NONE : r->end_ms);
		report_csv_sec(c, r->net_ms);
		report_csv_sec(c, r->added_ms);
		report_csv_sec(c, r->overtime_ms);
		report_csv_int(c, (int64_t)r->npauses);
		report_csv_sec(c, r->paused_ms);
		report_csv_int(c, (int64_t)r->interventions);
		for (j = 0; j < r->ntimeup; j++) {
			if (j > 0)
				report_buf_add(&tu, "; ", 2);
			report_buf_puts(&tu, report_tr_timeup(m->lang,
			    r->timeup[j]->what));
		}
		s = report_buf_finish(&tu, &len);
		if (s == NULL)
			c->b.err = 1;
		report_csv_text(c, s);
		free(s);
		report_csv_eol(c);
	}
}

/* The first check-in and last check-out of an attendee that overlap a pitch. */
static void
report_csv_overlap(const struct report_model *m, const struct report_arow *a,
    const struct report_trow *t, int64_t *in, int64_t *out)
{
	const struct report_presence	*p;
	int64_t				 o;
	size_t				 i;
	bool				 any = false;

	*in = *out = TIMER_NONE;
	for (i = 0; i < a->niv; i++) {
		p = a->iv[i];
		o = p->out_ms != TIMER_NONE ? p->out_ms : m->in->now_ms;
		if (!(p->in_ms < t->end_ms && o > t->start_ms))
			continue;
		if (!any)
			*in = p->in_ms;
		any = true;
		*out = p->out_ms;
	}
}

/* The attendance table: one row per pitch and department head present. */
static void
report_csv_attendance(struct report_csv *c)
{
	static const struct report_csv_col	 h[] = {
		{ RM_STAGE, false }, { RM_POSITION, false },
		{ RM_PITCH, false }, { RM_STARTUP, false },
		{ RM_ACTUAL_START, false }, { RM_ACTUAL_END, false },
		{ RM_ATTENDEE, false }, { RM_NAME, false },
		{ RM_DEPARTMENT, false }, { RM_CHECKED_IN, false },
		{ RM_CHECKED_OUT, false }
	};
	const struct report_model	*m = c->m;
	const struct report_apitch	*p;
	const struct report_attendee	*a;
	int64_t				 in, out;
	size_t				 i, j, n;

	report_csv_header(c, h, sizeof h / sizeof h[0]);
	for (i = 0; i < m->napitches; i++) {
		p = &m->apitches[i];
		n = p->nheads > 0 ? p->nheads : 1;
		for (j = 0; j < n; j++) {
			a = p->nheads > 0 ? p->heads[j] : NULL;
			report_csv_text(c, p->t->slot->stage_name != NULL ?
			    p->t->slot->stage_name : p->t->slot->stage);
			report_csv_int(c, p->t->slot->position);
			report_csv_text(c, p->t->slot->id);
			report_csv_text(c, p->t->slot->startup);
			report_csv_clock(c, p->t->start_ms);
			report_csv_clock(c, p->t->running ? TIMER_NONE :
			    p->t->end_ms);
			in = out = TIMER_NONE;
			if (a != NULL)
				report_csv_overlap(m,
				    &m->arows[a - m->in->attendees], p->t,
				    &in, &out);
			report_csv_text(c, a != NULL ? a->id : NULL);
			report_csv_text(c, a != NULL ? a->name : NULL);
			report_csv_text(c, a != NULL ? a->department : NULL);
			report_csv_clock(c, in);
			report_csv_clock(c, out);
			report_csv_eol(c);
		}
	}
}

/* The interest table: one row per attendee and pitch with interest. */
static void
report_csv_interest(struct report_csv *c)
{
	static const struct report_csv_col	 h[] = {
		{ RM_ATTENDEE, false }, { RM_NAME, false },
		{ RM_DEPARTMENT, false }, { RM_ROLE, false },
		{ RM_PITCH, false }, { RM_STARTUP, false },
		{ RM_LEVEL, false }, { RM_NOTE, false }, { RM_WHEN, false },
		{ RM_GIVEN, false }, { RM_CHANGES, false }
	};
	const struct report_model	*m = c->m;
	const struct report_attendee	*a;
	const struct report_interest	*x;
	const struct report_change	*ch;
	size_t				 i, j;

	report_csv_header(c, h, sizeof h / sizeof h[0]);
	for (i = 0; i < m->nirows; i++) {
		a = m->irows[i];
		for (j = 0; j < m->nicols; j++) {
			if ((x = m->cells[i * m->nicols + j]) == NULL)
				continue;
			ch = report_change_find(m, x->attendee, x->pitch);
			report_csv_text(c, a->id);
			report_csv_text(c, a->name);
			report_csv_text(c, a->department);
			report_csv_text(c, report_tr_role(m->lang, a->role));
			report_csv_text(c, m->icols[j]->id);
			report_csv_text(c, m->icols[j]->startup);
			report_csv_text(c, report_tr_level(m->lang, x->level));
			report_csv_text(c, x->note);
			report_csv_text(c, report_tr(m->lang,
			    x->live ? RM_LIVE : RM_LATER));
			report_csv_clock(c, x->created_ms);
			report_csv_int(c, ch == NULL ? 0 :
			    (int64_t)(ch->deletes + ch->level_changes));
			report_csv_eol(c);
		}
	}
}

/* The follow-up table: one row per start-up and interested person. */
static void
report_csv_followups(struct report_csv *c)
{
	static const struct report_csv_col	 h[] = {
		{ RM_PITCH, false }, { RM_STARTUP, false },
		{ RM_PRESENTER, false }, { RM_TITLE, false },
		{ RM_CONTACT, false }, { RM_NAME, false },
		{ RM_DEPARTMENT, false }, { RM_EMAIL, false },
		{ RM_LEVEL, false }, { RM_NOTE, false }, { RM_WHEN, false },
		{ RM_GIVEN, false }
	};
	const struct report_model	*m = c->m;
	const struct report_fgroup	*g;
	const struct report_fentry	*e;
	size_t				 i, j;

	report_csv_header(c, h, sizeof h / sizeof h[0]);
	for (i = 0; i < m->nfgroups; i++) {
		g = &m->fgroups[i];
		for (j = 0; j < g->n; j++) {
			e = &g->e[j];
			report_csv_text(c, g->slot->id);
			report_csv_text(c, g->slot->startup);
			report_csv_text(c, g->slot->presenter);
			report_csv_text(c, g->slot->title);
			report_csv_text(c, g->slot->contact);
			report_csv_text(c, e->att != NULL ? e->att->name :
			    e->interest->attendee);
			report_csv_text(c, e->att != NULL ? e->att->department :
			    NULL);
			report_csv_text(c, e->att != NULL ?
			    e->att->email : NULL);
			report_csv_text(c, report_tr_level(m->lang,
			    e->interest->level));
			report_csv_text(c, e->interest->note);
			report_csv_text(c, report_tr(m->lang,
			    e->interest->live ? RM_LIVE : RM_LATER));
			report_csv_clock(c, e->interest->created_ms);
			report_csv_eol(c);
		}
	}
}

/* Renders one report as CSV; NULL if memory ran out. */
char *
report_csv(const struct report_model *m, enum report_name name, size_t *len)
{
	struct report_csv	c;

	memset(&c, 0, sizeof c);
	c.m = m;
	c.first = true;
	switch (name) {
	case REPORT_TIMING:
		report_csv_timing(&c);
		break;
	case REPORT_ATTENDANCE:
		report_csv_attendance(&c);
		break;
	case REPORT_INTEREST:
		report_csv_interest(&c);
		break;
	case REPORT_FOLLOWUPS:
		report_csv_followups(&c);
		break;
	}
	return (report_buf_finish(&c.b, len));
}
