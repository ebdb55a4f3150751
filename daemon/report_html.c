/*
 * report_html.c — the reports as one self-contained printable HTML page.
 *
 * No scripts, no external resources: the style block and the inline SVG
 * charts travel with the page, so it can be mailed, archived or printed as
 * it is. Every piece of text that is not a fixed label of ours passes
 * through report_html_text, attribute values included.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"

static const char report_html_css[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;"
	"color:#111;margin:2em auto;max-width:72em;padding:0 1em}\n"
	"h1{font-size:1.6em;margin:0}h2{font-size:1.2em;margin:1.6em 0 .4em}\n"
	".event{font-size:1.1em;margin:.2em 0}.meta{color:#555;margin:0}\n"
	"table{border-collapse:collapse;width:100%;margin:.4em 0}\n"
	"th,td{border:1px solid #bbb;padding:.25em .45em;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#eef1f4}td.n{text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	".note{white-space:pre-line;color:#333;font-size:.92em}\n"
	".over{color:#b71c1c;font-weight:600}.dim{color:#777}\n"
	"td.follow_up{background:#dbeafe}td.info{background:#f1f5f9}\n"
	"svg.chart{width:100%;height:auto;max-width:760px;font-size:12px}\n"
	"svg rect.s0{fill:#1d4ed8}svg rect.s1{fill:#93c5fd}"
	"svg rect.alert{fill:#c62828}\n"
	"svg text{fill:#111}\n"
	"@media print{body{margin:0;max-width:none;font-size:10pt}"
	"@page{size:A4 landscape;margin:12mm}"
	"thead{display:table-header-group}tr,svg{break-inside:avoid}"
	"h2{break-after:avoid}*{-webkit-print-color-adjust:exact;"
	"print-color-adjust:exact}}\n";

struct report_html {
	struct report_buf		 b;
	const struct report_model	*m;
	enum report_lang		 l;
};

/* Appends text escaped for element content and attribute values. */
void
report_html_text(struct report_buf *b, const char *s)
{
	const char	*p, *run;

	if (s == NULL)
		return;
	for (run = p = s; *p != '\0'; p++) {
		const char *rep;

		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		report_buf_add(b, run, (size_t)(p - run));
		report_buf_puts(b, rep);
		run = p + 1;
	}
	report_buf_add(b, run, (size_t)(p - run));
}

/* Escapes text as a new string, for callers outside the renderer. */
char *
report_html_escape(const char *s)
{
	struct report_buf	b = { 0 };
	size_t			len;

	report_html_text(&b, s);
	return (report_buf_finish(&b, &len));
}

/* A fixed fragment of markup of our own. */
static void
report_html_raw(struct report_html *h, const char *s)
{
	report_buf_puts(&h->b, s);
}

/* A heading cell with a label. */
static void
report_html_th(struct report_html *h, enum report_msg msg)
{
	report_html_raw(h, "<th>");
	report_html_text(&h->b, report_tr(h->l, msg));
	report_html_raw(h, "</th>");
}

/* A header row from a list of labels. */
static void
report_html_head_row(struct report_html *h, const enum report_msg *msgs,
    size_t n)
{
	size_t	i;

	report_html_raw(h, "<thead><tr>");
	for (i = 0; i < n; i++)
		report_html_th(h, msgs[i]);
	report_html_raw(h, "</tr></thead>\n<tbody>\n");
}

/* A cell of text, with an optional class. */
static void
report_html_td(struct report_html *h, const char *s, const char *cls)
{
	if (cls != NULL)
		report_buf_printf(&h->b, "<td class=\"%s\">", cls);
	else
		report_html_raw(h, "<td>");
	report_html_text(&h->b, s);
	report_html_raw(h, "</td>");
}

/* A number cell; empty when unknown. */
static void
report_html_td_int(struct report_html *h, int64_t v)
{
	if (v == TIMER_NONE)
		report_html_raw(h, "<td class=\"n\"></td>");
	else
		report_buf_printf(&h->b, "<td class=\"n\">%lld</td>",
		    (long long)v);
}

/* A duration cell as M:SS; red when it marks an overrun. */
static void
report_html_td_dur(struct report_html *h, int64_t ms, bool plus, bool alert)
{
	char	buf[32];

	report_fmt_dur(ms, plus, buf, sizeof buf);
	report_html_td(h, buf, alert && ms != TIMER_NONE && ms > 0 ?
	    "n over" : "n");
}

/* A clock time cell in the event's zone; empty when unknown. */
static void
report_html_td_clock(struct report_html *h, int64_t ms)
{
	char	buf[32];

	report_fmt_clock(ms, buf, sizeof buf);
	report_html_td(h, buf, "n");
}

/* The document head and the event line every report starts with. */
static void
report_html_begin(struct report_html *h, enum report_name name)
{
	const struct report_input	*in = h->m->in;
	char				 gen[64];

	report_buf_printf(&h->b, "<!DOCTYPE html>\n<html lang=\"%s\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>",
	    report_lang_code(h->l));
	report_html_text(&h->b, report_title_msg(name, h->l));
	report_html_raw(h, " \xe2\x80\x94 ");
	report_html_text(&h->b, in->title);
	report_html_raw(h, "</title>\n<style>\n");
	report_html_raw(h, report_html_css);
	report_html_raw(h, "</style>\n</head>\n<body>\n<header>\n<h1>");
	report_html_text(&h->b, report_title_msg(name, h->l));
	report_html_raw(h, "</h1>\n<p class=\"event\">");
	report_html_text(&h->b, in->title);
	report_html_raw(h, "</p>\n<p class=\"meta\">");
	report_html_text(&h->b, in->venue);
	report_html_raw(h, " \xc2\xb7 ");
	report_html_text(&h->b, in->date);
	report_html_raw(h, " \xc2\xb7 ");
	report_html_text(&h->b, report_tr(h->l, RM_TIMEZONE));
	report_html_raw(h, ": ");
	report_html_text(&h->b, in->timezone);
	report_html_raw(h, " \xc2\xb7 ");
	report_html_text(&h->b, report_tr(h->l, RM_GENERATED));
	report_fmt_iso(in->now_ms, gen, sizeof gen);
	report_html_raw(h, ": ");
	report_html_text(&h->b, gen);
	report_html_raw(h, "</p>\n</header>\n");
}

/* A section heading. */
static void
report_html_h2(struct report_html *h, enum report_msg msg)
{
	report_html_raw(h, "<h2>");
	report_html_text(&h->b, report_tr(h->l, msg));
	report_html_raw(h, "</h2>\n");
}

/* One row of the totals table. */
static void
report_html_total(struct report_html *h, const char *label,
    const struct report_ttotal *t)
{
	char	buf[64];

	report_html_raw(h, "<tr>");
	report_html_td(h, label, NULL);
	report_html_td_dur(h, t->start_delay_ms, true, true);
	if (t->over || t->last_end_ms == TIMER_NONE)
		report_html_td_dur(h, t->end_delay_ms, true, true);
	else {
		(void)snprintf(buf, sizeof buf, "(%s)",
		    report_tr(h->l, RM_NOT_OVER));
		report_html_td(h, buf, "n dim");
	}
	report_html_td_dur(h, t->mean_overrun_ms, true, true);
	report_html_td_int(h, (int64_t)t->ndone);
	report_html_td_int(h, (int64_t)t->nskipped);
	report_html_raw(h, "</tr>\n");
}

/* Totals, the chart, every slot, and the displays' clock skew. */
static void
report_html_timing(struct report_html *h)
{
	static const enum report_msg	 th[] = {
		RM_STAGE, RM_START_DELAY, RM_END_DELAY, RM_MEAN_OVERRUN,
		RM_SLOTS_DONE, RM_SLOTS_SKIPPED
	}, sh[] = {
		RM_STAGE, RM_POSITION, RM_STARTUP, RM_STATUS, RM_PLANNED_START,
		RM_PLANNED_LENGTH, RM_ACTUAL_START, RM_ACTUAL_END, RM_NET,
		RM_ADDED, RM_OVERTIME, RM_PAUSES, RM_INTERVENTIONS, RM_TIME_UP
	}, dh[] = {
		RM_SCREEN, RM_PAGE, RM_OFFSET, RM_RTT, RM_WORST_OFFSET,
		RM_SAMPLES, RM_UPDATED
	};
	const struct report_model	*m = h->m;
	const struct report_trow	*r;
	const struct report_screen	*sc;
	char				 buf[64];
	size_t				 i, j;

	report_html_h2(h, RM_TOTALS);
	report_html_raw(h, "<table>");
	report_html_head_row(h, th, sizeof th / sizeof th[0]);
	for (i = 0; m->nstages > 1 && i < m->nstages; i++)
		report_html_total(h, m->stages[i].stage_name != NULL ?
		    m->stages[i].stage_name : m->stages[i].stage,
		    &m->stages[i]);
	report_html_total(h, report_tr(h->l, RM_WHOLE_EVENT), &m->total);
	report_html_raw(h, "</tbody></table>\n");

	report_html_h2(h, RM_CHART_TIMING);
	report_svg_timing(&h->b, m);

	report_html_h2(h, RM_PER_PITCH);
	report_html_raw(h, "<table>");
	report_html_head_row(h, sh, sizeof sh / sizeof sh[0]);
	for (i = 0; i < m->in->nslots; i++) {
		r = &m->trows[i];
		report_html_raw(h, "<tr>");
		report_html_td(h, r->slot->stage_name != NULL ?
		    r->slot->stage_name : r->slot->stage, NULL);
		report_html_td_int(h, r->slot->position);
		report_html_td(h, r->slot->startup, NULL);
		report_html_td(h, report_tr_status(h->l, r->slot->status),
		    NULL);
		report_html_td_clock(h, r->slot->planned_start_ms);
		report_html_td_dur(h, r->slot->length_ms, false, false);
		report_html_td_clock(h, r->start_ms);
		if (r->running)
			report_html_td(h, report_tr(h->l, RM_RUNNING), "n dim");
		else
			report_html_td_clock(h, r->end_ms);
		report_html_td_dur(h, r->net_ms, false, false);
		report_html_td_dur(h, r->added_ms, true, false);
		report_html_td_dur(h, r->overtime_ms, false, true);
		report_fmt_dur(r->paused_ms, false, buf, sizeof buf);
		if (r->npauses > 0)
			report_buf_printf(&h->b,
			    "<td class=\"n\">%zu (%s)</td>",
			    r->npauses, buf);
		else
			report_html_raw(h, "<td class=\"n\">0</td>");
		report_html_td_int(h, (int64_t)r->interventions);
		report_html_raw(h, "<td>");
		for (j = 0; j < r->ntimeup; j++) {
			report_fmt_clock(r->timeup[j]->at_ms, buf, sizeof buf);
			report_buf_printf(&h->b, "%s%s ", j > 0 ? "<br>" : "",
			    buf);
			report_html_text(&h->b,
			    report_tr_timeup(h->l, r->timeup[j]->what));
		}
		report_html_raw(h, "</td></tr>\n");
	}
	report_html_raw(h, "</tbody></table>\n");

	if (m->in->nscreens == 0)
		return;
	report_html_h2(h, RM_DISPLAYS);
	report_html_raw(h, "<table>");
	report_html_head_row(h, dh, sizeof dh / sizeof dh[0]);
	for (i = 0; i < m->in->nscreens; i++) {
		sc = &m->in->screens[i];
		report_html_raw(h, "<tr>");
		report_html_td(h, sc->screen, NULL);
		report_html_td(h, sc->page, NULL);
		report_html_td_int(h, sc->offset_ms);
		report_html_td_int(h, sc->rtt_ms);
		report_html_td_int(h, sc->worst_offset_ms);
		report_html_td_int(h, sc->samples);
		report_html_td_clock(h, sc->updated_ms);
		report_html_raw(h, "</tr>\n");
	}
	report_html_raw(h, "</tbody></table>\n");
}

/* Pitches with the heads present, departments, and every attendee. */
static void
report_html_attendance(struct report_html *h)
{
	static const enum report_msg	 ph[] = {
		RM_STAGE, RM_POSITION, RM_STARTUP, RM_ACTUAL_START,
		RM_ACTUAL_END,
		RM_HEADS_PRESENT, RM_PRESENT
	}, ah[] = {
		RM_NAME, RM_DEPARTMENT, RM_ROLE, RM_PRESENCE, RM_TIME_PRESENT
	};
	const struct report_model	*m = h->m;
	const struct report_apitch	*p;
	const struct report_adept	*d;
	const struct report_arow	*a;
	char				 in[32], out[32];
	size_t				 i, j;

	report_html_h2(h, RM_CHART_ATTENDANCE);
	report_svg_attendance(&h->b, m);
	report_html_raw(h, "<table>");
	report_html_head_row(h, ph, sizeof ph / sizeof ph[0]);
	for (i = 0; i < m->napitches; i++) {
		p = &m->apitches[i];
		report_html_raw(h, "<tr>");
		report_html_td(h, p->t->slot->stage_name != NULL ?
		    p->t->slot->stage_name : p->t->slot->stage, NULL);
		report_html_td_int(h, p->t->slot->position);
		report_html_td(h, p->t->slot->startup, NULL);
		report_html_td_clock(h, p->t->start_ms);
		if (p->t->running)
			report_html_td(h, report_tr(h->l, RM_RUNNING), "n dim");
		else
			report_html_td_clock(h, p->t->end_ms);
		report_html_raw(h, "<td>");
		for (j = 0; j < p->nheads; j++) {
			report_html_raw(h, j > 0 ? "<br>" : "");
			report_html_text(&h->b, p->heads[j]->name);
			report_html_raw(h, " <span class=\"dim\">");
			report_html_text(&h->b, p->heads[j]->department);
			report_html_raw(h, "</span>");
		}
		if (p->nheads == 0) {
			report_html_raw(h, "<span class=\"dim\">");
			report_html_text(&h->b, report_tr(h->l, RM_NOBODY));
			report_html_raw(h, "</span>");
		}
		report_html_raw(h, "</td>");
		report_html_td_int(h, (int64_t)p->npresent);
		report_html_raw(h, "</tr>\n");
	}
	report_html_raw(h, "</tbody></table>\n");

	report_html_h2(h, RM_DEPARTMENTS);
	report_html_raw(h, "<table><thead><tr>");
	report_html_th(h, RM_DEPARTMENT);
	report_html_th(h, RM_ATTENDEES);
	report_html_th(h, RM_DEPARTMENT_HEADS);
	report_html_th(h, RM_CHECKED_IN);
	for (j = 0; j < m->napitches; j++) {
		report_html_raw(h, "<th>");
		report_html_text(&h->b, m->apitches[j].t->slot->startup);
		report_html_raw(h, "</th>");
	}
	report_html_raw(h, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < m->ndepts; i++) {
		d = &m->depts[i];
		report_html_raw(h, "<tr>");
		report_html_td(h, d->name, NULL);
		report_html_td_int(h, (int64_t)d->nattendees);
		report_html_td_int(h, (int64_t)d->nheads);
		report_html_td_int(h, (int64_t)d->ncheckedin);
		for (j = 0; j < m->napitches; j++)
			report_html_td_int(h, (int64_t)d->present[j]);
		report_html_raw(h, "</tr>\n");
	}
	report_html_raw(h, "</tbody></table>\n");

	report_html_h2(h, RM_ATTENDEES);
	report_html_raw(h, "<table>");
	report_html_head_row(h, ah, sizeof ah / sizeof ah[0]);
	for (i = 0; i < m->in->nattendees; i++) {
		a = &m->arows[i];
		report_html_raw(h, "<tr>");
		report_html_td(h, a->att->name, NULL);
		report_html_td(h, a->att->department, NULL);
		report_html_td(h, report_tr_role(h->l, a->att->role), NULL);
		report_html_raw(h, "<td>");
		for (j = 0; j < a->niv; j++) {
			report_fmt_clock(a->iv[j]->in_ms, in, sizeof in);
			report_fmt_clock(a->iv[j]->out_ms, out, sizeof out);
			report_buf_printf(&h->b, "%s%s\xe2\x80\x93%s",
			    j > 0 ? "<br>" : "", in, out);
			if (a->iv[j]->out_ms == TIMER_NONE) {
				report_html_raw(h, " <span class=\"dim\">");
				report_html_text(&h->b,
				    report_tr(h->l, RM_STILL_IN));
				report_html_raw(h, "</span>");
			}
		}
		report_html_raw(h, "</td>");
		report_html_td_dur(h, a->present_ms, false, false);
		report_html_raw(h, "</tr>\n");
	}
	report_html_raw(h, "</tbody></table>\n");
}

/* One matrix cell: level, live or later, and the note. */
static void
report_html_cell(struct report_html *h, const struct report_interest *x)
{
	if (x == NULL) {
		report_html_raw(h, "<td></td>");
		return;
	}
	report_buf_printf(&h->b, "<td class=\"%s\">",
	    strcmp(x->level != NULL ? x->level : "", "follow_up") == 0 ?
	    "follow_up" : "info");
	report_html_text(&h->b, report_tr_level(h->l, x->level));
	report_html_raw(h, " <span class=\"dim\">(");
	report_html_text(&h->b, report_tr(h->l, x->live ? RM_LIVE : RM_LATER));
	report_html_raw(h, ")</span>");
	if (x->note != NULL && *x->note != '\0') {
		report_html_raw(h, "<div class=\"note\">");
		report_html_text(&h->b, x->note);
		report_html_raw(h, "</div>");
	}
	report_html_raw(h, "</td>");
}

/* The chart, the matrix and the changes of mind. */
static void
report_html_interest(struct report_html *h)
{
	static const enum report_msg	 ch[] = {
		RM_NAME, RM_STARTUP, RM_DELETES, RM_LEVEL_CHANGES
	};
	const struct report_model	*m = h->m;
	const struct report_attendee	*a;
	const struct report_slot	*s;
	size_t				 i, j, k;

	report_html_h2(h, RM_CHART_INTEREST);
	report_svg_interest(&h->b, m);

	report_html_h2(h, RM_INTEREST);
	report_html_raw(h, "<table><thead><tr>");
	report_html_th(h, RM_NAME);
	report_html_th(h, RM_DEPARTMENT);
	for (j = 0; j < m->nicols; j++) {
		report_html_raw(h, "<th>");
		report_html_text(&h->b, m->icols[j]->startup);
		report_html_raw(h, "</th>");
	}
	report_html_raw(h, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < m->nirows; i++) {
		report_html_raw(h, "<tr>");
		report_html_td(h, m->irows[i]->name, NULL);
		report_html_td(h, m->irows[i]->department, NULL);
		for (j = 0; j < m->nicols; j++)
			report_html_cell(h, m->cells[i * m->nicols + j]);
		report_html_raw(h, "</tr>\n");
	}
	report_html_raw(h, "</tbody></table>\n");

	if (m->nchanges == 0)
		return;
	report_html_h2(h, RM_CHANGES);
	report_html_raw(h, "<table>");
	report_html_head_row(h, ch, sizeof ch / sizeof ch[0]);
	for (i = 0; i < m->nchanges; i++) {
		a = report_attendee_find(m->in, m->changes[i].attendee);
		for (s = NULL, k = 0; s == NULL && k < m->in->nslots; k++) {
			if (strcmp(m->in->slots[k].id,
			    m->changes[i].pitch) == 0)
				s = &m->in->slots[k];
		}
		report_html_raw(h, "<tr>");
		report_html_td(h, a != NULL ? a->name : m->changes[i].attendee,
		    NULL);
		report_html_td(h, s != NULL ? s->startup : m->changes[i].pitch,
		    NULL);
		report_html_td_int(h, (int64_t)m->changes[i].deletes);
		report_html_td_int(h, (int64_t)m->changes[i].level_changes);
		report_html_raw(h, "</tr>\n");
	}
	report_html_raw(h, "</tbody></table>\n");
}

/* A section per start-up: who to call, and who wants to hear from it. */
static void
report_html_followups(struct report_html *h)
{
	static const enum report_msg	 fh[] = {
		RM_NAME, RM_DEPARTMENT, RM_EMAIL, RM_LEVEL, RM_NOTE, RM_WHEN,
		RM_GIVEN
	};
	const struct report_model	*m = h->m;
	const struct report_fgroup	*g;
	const struct report_fentry	*e;
	size_t				 i, j;

	if (m->nfgroups == 0) {
		report_html_raw(h, "<p class=\"dim\">");
		report_html_text(&h->b, report_tr(h->l, RM_NO_DATA));
		report_html_raw(h, "</p>\n");
	}
	for (i = 0; i < m->nfgroups; i++) {
		g = &m->fgroups[i];
		report_html_raw(h, "<section>\n<h2>");
		report_html_text(&h->b, g->slot->startup);
		report_html_raw(h, "</h2>\n<p>");
		report_html_text(&h->b, g->slot->presenter);
		report_html_raw(h, " \xc2\xb7 ");
		report_html_text(&h->b, g->slot->title);
		report_html_raw(h, "<br>");
		report_html_text(&h->b, report_tr(h->l, RM_CONTACT));
		report_html_raw(h, ": ");
		report_html_text(&h->b, g->slot->contact);
		report_html_raw(h, "</p>\n<table>");
		report_html_head_row(h, fh, sizeof fh / sizeof fh[0]);
		for (j = 0; j < g->n; j++) {
			e = &g->e[j];
			report_html_raw(h, "<tr>");
			report_html_td(h, e->att != NULL ? e->att->name :
			    e->interest->attendee, NULL);
			report_html_td(h, e->att != NULL ? e->att->department :
			    NULL, NULL);
			report_html_td(h, e->att != NULL ? e->att->email : NULL,
			    NULL);
			report_html_td(h, report_tr_level(h->l,
			    e->interest->level), NULL);
			report_html_td(h, e->interest->note, "note");
			report_html_td(h, report_tr(h->l, e->interest->live ?
			    RM_LIVE : RM_LATER), NULL);
			report_html_td_clock(h, e->interest->created_ms);
			report_html_raw(h, "</tr>\n");
		}
		report_html_raw(h, "</tbody></table>\n</section>\n");
	}
}

/* Renders one report as a page; NULL if memory ran out. */
char *
report_html(const struct report_model *m, enum report_name name, size_t *len)
{
	struct report_html	h;

	memset(&h, 0, sizeof h);
	h.m = m;
	h.l = m->lang;
	report_html_begin(&h, name);
	report_html_raw(&h, "<main>\n");
	switch (name) {
	case REPORT_TIMING:
		report_html_timing(&h);
		break;
	case REPORT_ATTENDANCE:
		report_html_attendance(&h);
		break;
	case REPORT_INTEREST:
		report_html_interest(&h);
		break;
	case REPORT_FOLLOWUPS:
		report_html_followups(&h);
		break;
	}
	report_html_raw(&h, "</main>\n</body>\n</html>\n");
	return (report_buf_finish(&h.b, len));
}
