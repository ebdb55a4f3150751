/*
 * report_svg.c — the charts of the HTML reports as inline SVG.
 *
 * One horizontal bar chart serves all three reports: a row per slot or
 * start-up with one bar, two bars side by side (planned against net) or two
 * stacked segments (follow-up and info). Only rect and text elements, sized
 * by a viewBox so it scales to the page and prints sharp; colours come from
 * the page's style block. Every label is escaped like any other text.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"

#define SVG_WIDTH	760
#define SVG_LABEL	250	/* label column */
#define SVG_BARS	400	/* bar area */
#define SVG_TOP		30	/* legend */
#define SVG_LABEL_CHARS	34

struct report_chart_row {
	char		 label[SVG_LABEL_CHARS * 4 + 24];
	int64_t		 v[2];
	bool		 alert;		/* second series over its limit */
	char		 value[64];
};

struct report_chart {
	const char		*title;
	const char		*series[2];	/* [1] NULL: one bar */
	bool			 stacked;
	int64_t			 scale;		/* the least full scale */
	struct report_chart_row	*rows;
	size_t			 n;
};

/* Copies at most max code points, marking a cut with an ellipsis. */
static void
report_svg_trunc(const char *src, char *dst, size_t size, size_t max)
{
	const unsigned char	*p = (const unsigned char *)(src != NULL ?
	    src : "");
	size_t			 n = 0, chars = 0;

	while (*p != '\0' && n + 8 < size) {
		if ((*p & 0xc0) != 0x80 && chars++ == max) {
			memcpy(dst + n, "\xe2\x80\xa6", 3);
			n += 3;
			break;
		}
		dst[n++] = (char)*p++;
	}
	dst[n] = '\0';
}

/* The width in user units of a value on the chart's scale. */
static int64_t
report_svg_w(int64_t v, int64_t scale)
{
	if (v <= 0 || scale <= 0)
		return (0);
	if (v > scale)
		v = scale;
	return (v * SVG_BARS / scale);
}

/* A text element; the text is escaped. */
static void
report_svg_text(struct report_buf *b, int64_t x, int64_t y, const char *anchor,
    const char *s)
{
	report_buf_printf(b, "<text x=\"%lld\" y=\"%lld\" text-anchor=\"%s\">",
	    (long long)x, (long long)y, anchor);
	report_html_text(b, s);
	report_buf_puts(b, "</text>\n");
}

/* A bar. */
static void
report_svg_rect(struct report_buf *b, int64_t x, int64_t y, int64_t w,
    int64_t h, const char *cls)
{
	report_buf_printf(b, "<rect class=\"%s\" x=\"%lld\" y=\"%lld\" "
	    "width=\"%lld\" height=\"%lld\"/>\n", cls, (long long)x,
	    (long long)y, (long long)w, (long long)h);
}

/* Draws the chart: legend on top, a row per entry. */
static void
report_svg_chart(struct report_buf *b, const struct report_chart *c)
{
	const struct report_chart_row	*r;
	int64_t				 scale = c->scale, v, rowh, y;
	int64_t				 w0, w1;
	size_t				 i;
	bool				 two = c->series[1] != NULL;

	for (i = 0; i < c->n; i++) {
		r = &c->rows[i];
		v = c->stacked ? r->v[0] + r->v[1] :
		    (r->v[0] > r->v[1] ? r->v[0] : r->v[1]);
		if (v > scale)
			scale = v;
	}
	rowh = two && !c->stacked ? 30 : 24;
	report_buf_printf(b, "<svg class=\"chart\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %lld\" "
	    "role=\"img\">\n<title>", SVG_WIDTH,
	    (long long)(SVG_TOP + rowh * (int64_t)c->n + 8));
	report_html_text(b, c->title);
	report_buf_puts(b, "</title>\n");
	report_svg_rect(b, SVG_LABEL, 8, 12, 12, "s0");
	report_svg_text(b, SVG_LABEL + 18, 19, "start", c->series[0]);
	if (two) {
		report_svg_rect(b, SVG_LABEL + 160, 8, 12, 12, "s1");
		report_svg_text(b, SVG_LABEL + 178, 19, "start", c->series[1]);
	}
	for (i = 0; i < c->n; i++) {
		r = &c->rows[i];
		y = SVG_TOP + rowh * (int64_t)i;
		report_svg_text(b, SVG_LABEL - 8, y + rowh / 2 + 4, "end",
		    r->label);
		w0 = report_svg_w(r->v[0], scale);
		w1 = report_svg_w(r->v[1], scale);
		if (!two)
			report_svg_rect(b, SVG_LABEL, y + 4, w0, rowh - 8,
			    "s0");
		else if (c->stacked) {
			report_svg_rect(b, SVG_LABEL, y + 4, w0, rowh - 8,
			    "s0");
			report_svg_rect(b, SVG_LABEL + w0, y + 4, w1, rowh - 8,
			    "s1");
			w0 += w1;
		} else {
			report_svg_rect(b, SVG_LABEL, y + 3, w0, 11, "s0");
			report_svg_rect(b, SVG_LABEL, y + 15, w1, 11,
			    r->alert ? "alert" : "s1");
			if (w1 > w0)
				w0 = w1;
		}
		report_svg_text(b, SVG_LABEL + w0 + 6, y + rowh / 2 + 4,
		    "start", r->value);
	}
	report_buf_puts(b, "</svg>\n");
}

/* Sets up a chart with n rows; -1 if memory ran out. */
static int
report_svg_alloc(struct report_buf *b, struct report_chart *c, size_t n)
{
	memset(c, 0, sizeof *c);
	if ((c->rows = calloc(n != 0 ? n : 1, sizeof *c->rows)) == NULL) {
		b->err = 1;
		return (-1);
	}
	return (0);
}

/* A row label "3. Start-up" that keeps the slot recognisable when cut. */
static void
report_svg_label(struct report_chart_row *r, const struct report_slot *s)
{
	char	name[SVG_LABEL_CHARS * 4 + 8];

	report_svg_trunc(s->startup, name, sizeof name, SVG_LABEL_CHARS);
	(void)snprintf(r->label, sizeof r->label, "%d. %s", s->position, name);
}

/* Planned length against net speaking time, overtime in red. */
void
report_svg_timing(struct report_buf *b, const struct report_model *m)
{
	struct report_chart		 c;
	struct report_chart_row		*r;
	const struct report_trow	*t;
	char				 net[24], len[24];
	size_t				 i;

	if (report_svg_alloc(b, &c, m->in->nslots) == -1)
		return;
	c.title = report_tr(m->lang, RM_CHART_TIMING);
	c.series[0] = report_tr(m->lang, RM_PLANNED);
	c.series[1] = report_tr(m->lang, RM_ACTUAL);
	for (i = 0; i < m->in->nslots; i++) {
		t = &m->trows[i];
		if (strcmp(t->slot->status != NULL ? t->slot->status : "",
		    "withdrawn") == 0)
			continue;
		r = &c.rows[c.n++];
		report_svg_label(r, t->slot);
		r->v[0] = t->slot->length_ms;
		r->v[1] = t->started ? t->net_ms : 0;
		r->alert = t->started && t->overtime_ms > 0;
		report_fmt_dur(t->slot->length_ms, false, len, sizeof len);
		if (t->started) {
			report_fmt_dur(t->net_ms, false, net, sizeof net);
			(void)snprintf(r->value, sizeof r->value, "%s / %s",
			    net, len);
		} else
			(void)snprintf(r->value, sizeof r->value, "%s / %s",
			    report_tr_status(m->lang, t->slot->status), len);
	}
	report_svg_chart(b, &c);
	free(c.rows);
}

/* Follow-up and info counts per start-up, stacked. */
void
report_svg_interest(struct report_buf *b, const struct report_model *m)
{
	struct report_chart	 c;
	struct report_chart_row	*r;
	size_t			 i;

	if (report_svg_alloc(b, &c, m->nicols) == -1)
		return;
	c.title = report_tr(m->lang, RM_CHART_INTEREST);
	c.series[0] = report_tr(m->lang, RM_FOLLOW_UP);
	c.series[1] = report_tr(m->lang, RM_INFO);
	c.stacked = true;
	c.scale = 1;
	for (i = 0; i < m->nicols; i++) {
		r = &c.rows[c.n++];
		report_svg_label(r, m->icols[i]);
		r->v[0] = (int64_t)m->nfollow[i];
		r->v[1] = (int64_t)m->ninfo[i];
		(void)snprintf(r->value, sizeof r->value, "%zu + %zu",
		    m->nfollow[i], m->ninfo[i]);
	}
	report_svg_chart(b, &c);
	free(c.rows);
}

/* Department heads present per pitch, against all department heads. */
void
report_svg_attendance(struct report_buf *b, const struct report_model *m)
{
	struct report_chart	 c;
	struct report_chart_row	*r;
	size_t			 i, heads = 0;

	if (report_svg_alloc(b, &c, m->napitches) == -1)
		return;
	for (i = 0; i < m->ndepts; i++)
		heads += m->depts[i].nheads;
	c.title = report_tr(m->lang, RM_CHART_ATTENDANCE);
	c.series[0] = report_tr(m->lang, RM_HEADS_PRESENT);
	c.scale = heads > 0 ? (int64_t)heads : 1;
	for (i = 0; i < m->napitches; i++) {
		r = &c.rows[c.n++];
		report_svg_label(r, m->apitches[i].t->slot);
		r->v[0] = (int64_t)m->apitches[i].nheads;
		(void)snprintf(r->value, sizeof r->value, "%zu / %zu",
		    m->apitches[i].nheads, heads);
	}
	report_svg_chart(b, &c);
	free(c.rows);
}
