/*
 * report_interest.c — the figures of the interest and follow-up reports:
 * the department head × start-up matrix, changes of mind from the history,
 * and the per start-up list of who wants to be contacted.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"

/* The changes of mind of one attendee about one pitch, NULL if none. */
const struct report_change *
report_change_find(const struct report_model *m, const char *attendee,
    const char *pitch)
{
	size_t	i;

	for (i = 0; i < m->nchanges; i++) {
		if (report_streq(m->changes[i].attendee, attendee) &&
		    report_streq(m->changes[i].pitch, pitch))
			return (&m->changes[i]);
	}
	return (NULL);
}

/*
 * Counts changes of mind per attendee and pitch from the history: every
 * delete, and every put whose level differs from the one before it.
 */
static int
report_calc_changes(struct report_model *m)
{
	const struct report_input	*in = m->in;
	const struct report_history	*h;
	struct report_change		*c;
	size_t				 i, j, n = 0;

	if ((m->changes = report_calloc(in->nhistory,
	    sizeof *m->changes)) == NULL)
		return (-1);
	for (i = 0; i < in->nhistory; i++) {
		h = &in->history[i];
		for (j = 0; j < n; j++) {
			if (report_streq(m->changes[j].attendee, h->attendee) &&
			    report_streq(m->changes[j].pitch, h->pitch))
				break;
		}
		c = &m->changes[j];
		if (j == n) {
			n++;
			c->attendee = h->attendee;
			c->pitch = h->pitch;
		}
		if (report_streq(h->action, "delete")) {
			c->deletes++;
			c->last_level = NULL;
		} else {
			c->puts++;
			if (c->last_level != NULL &&
			    !report_streq(c->last_level, h->level))
				c->level_changes++;
			c->last_level = h->level;
		}
	}
	for (i = 0; i < n; i++) {
		if (m->changes[i].deletes + m->changes[i].level_changes > 0)
			m->changes[m->nchanges++] = m->changes[i];
	}
	return (0);
}

/*
 * The interest matrix. Rows: department heads still invited, and anybody
 * else who gave interest; columns: slots not withdrawn, and withdrawn ones
 * somebody is interested in, so no interest ever drops out of the report.
 */
int
report_calc_interest(struct report_model *m)
{
	const struct report_input	*in = m->in;
	const struct report_attendee	*a;
	const struct report_interest	*x;
	size_t				 i, j, r, c;
	bool				 any;

	if ((m->irows = report_calloc(in->nattendees,
	    sizeof *m->irows)) == NULL ||
	    (m->icols = report_calloc(in->nslots, sizeof *m->icols)) == NULL)
		return (-1);
	for (i = 0; i < in->nattendees; i++) {
		a = &in->attendees[i];
		any = report_streq(a->role, "department_head") && !a->withdrawn;
		for (j = 0; !any && j < in->ninterests; j++)
			any = report_streq(in->interests[j].attendee, a->id);
		if (any)
			m->irows[m->nirows++] = a;
	}
	for (i = 0; i < in->nslots; i++) {
		any = !report_streq(in->slots[i].status, "withdrawn");
		for (j = 0; !any && j < in->ninterests; j++)
			any = report_streq(in->interests[j].pitch,
			    in->slots[i].id);
		if (any)
			m->icols[m->nicols++] = &in->slots[i];
	}
	if ((m->cells = report_calloc(m->nirows * m->nicols + 1,
	    sizeof *m->cells)) == NULL ||
	    (m->nfollow = report_calloc(m->nicols,
	    sizeof *m->nfollow)) == NULL ||
	    (m->ninfo = report_calloc(m->nicols, sizeof *m->ninfo)) == NULL)
		return (-1);
	for (i = 0; i < in->ninterests; i++) {
		x = &in->interests[i];
		for (r = 0; r < m->nirows; r++) {
			if (report_streq(m->irows[r]->id, x->attendee))
				break;
		}
		for (c = 0; c < m->nicols; c++) {
			if (report_streq(m->icols[c]->id, x->pitch))
				break;
		}
		if (r == m->nirows || c == m->nicols ||
		    m->cells[r * m->nicols + c] != NULL)
			continue;
		m->cells[r * m->nicols + c] = x;
		if (report_streq(x->level, "follow_up"))
			m->nfollow[c]++;
		else if (report_streq(x->level, "info"))
			m->ninfo[c]++;
		if (x->live)
			m->nlive++;
	}
	return (report_calc_changes(m));
}

/*
 * A sort key for names: ASCII case folded and German umlauts as their base
 * letter (DIN 5007-1), so "Özkan" sorts between "Otto" and "Peters".
 */
static void
report_name_key(const char *s, char *out, size_t size)
{
	const unsigned char	*p;
	size_t			 n = 0;
	char			 c, c2;

	p = (const unsigned char *)(s != NULL ? s : "");
	while (*p != '\0' && n + 2 < size) {
		c2 = '\0';
		if (*p == 0xc3 && p[1] != '\0') {
			switch (p[1]) {
			case 0xa4: case 0x84: c = 'a'; break;
			case 0xb6: case 0x96: c = 'o'; break;
			case 0xbc: case 0x9c: c = 'u'; break;
			case 0x9f: c = 's'; c2 = 's'; break;
			default: c = '\0'; break;
			}
			if (c != '\0') {
				out[n++] = c;
				if (c2 != '\0')
					out[n++] = c2;
				p += 2;
				continue;
			}
		}
		c = (char)*p++;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[n++] = c;
	}
	out[n] = '\0';
}

/* The rank of a level in the follow-up list: follow_up first. */
static int
report_level_rank(const char *level)
{
	if (report_streq(level, "follow_up"))
		return (0);
	if (report_streq(level, "info"))
		return (1);
	return (2);
}

/* Follow-up order: level, then name as a reader sorts it, then id. */
static int
report_fentry_cmp(const void *va, const void *vb)
{
	const struct report_fentry	*a = va, *b = vb;
	const char			*na, *nb;
	char				 ka[256], kb[256];
	int				 ra, rb, c;

	ra = report_level_rank(a->interest->level);
	rb = report_level_rank(b->interest->level);
	if (ra != rb)
		return (ra < rb ? -1 : 1);
	na = a->att != NULL ? a->att->name : a->interest->attendee;
	nb = b->att != NULL ? b->att->name : b->interest->attendee;
	report_name_key(na, ka, sizeof ka);
	report_name_key(nb, kb, sizeof kb);
	if ((c = strcmp(ka, kb)) != 0)
		return (c);
	if ((c = strcmp(na != NULL ? na : "", nb != NULL ? nb : "")) != 0)
		return (c);
	na = a->interest->attendee;
	nb = b->interest->attendee;
	return (strcmp(na != NULL ? na : "", nb != NULL ? nb : ""));
}

/* Per start-up in slot order, everybody who wants to hear from it. */
int
report_calc_followups(struct report_model *m)
{
	const struct report_input	*in = m->in;
	struct report_fgroup		*g;
	size_t				 i, j, n;

	if ((m->fgroups = report_calloc(in->nslots,
	    sizeof *m->fgroups)) == NULL)
		return (-1);
	for (i = 0; i < in->nslots; i++) {
		for (j = n = 0; j < in->ninterests; j++)
			n += report_streq(in->interests[j].pitch,
			    in->slots[i].id);
		if (n == 0)
			continue;
		g = &m->fgroups[m->nfgroups++];
		g->slot = &in->slots[i];
		if ((g->e = report_calloc(n, sizeof *g->e)) == NULL)
			return (-1);
		for (j = 0; j < in->ninterests; j++) {
			if (!report_streq(in->interests[j].pitch, g->slot->id))
				continue;
			g->e[g->n].interest = &in->interests[j];
			g->e[g->n].att = report_attendee_find(in,
			    in->interests[j].attendee);
			g->n++;
		}
		qsort(g->e, g->n, sizeof *g->e, report_fentry_cmp);
	}
	return (0);
}

