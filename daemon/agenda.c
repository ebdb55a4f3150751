/*
 * agenda.c — projected start times of a stage's slots (SPEC §3).
 *
 * Pure: derived from the timer state and `now` only. A projection never lies
 * in the past, so a screen never tells an audience that a pitch "starts" at
 * a time already gone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timer.h"

/* The larger of two times, where TIMER_NONE (INT64_MIN) is the smallest. */
static int64_t
agenda_max(int64_t a, int64_t b)
{
	return (a > b ? a : b);
}

/*
 * Walks the slots in order up to and including slot `until`, carrying the
 * projected end of the slot before and its changeover, and writes every
 * projection into out if given; returns the projection of slot `until`.
 */
static int64_t
agenda_walk(const struct timer *t, int64_t now, int64_t *out, size_t until)
{
	const struct timer_slot	*s;
	int64_t			 cursor = TIMER_NONE, gap = 0, p, rem;
	size_t			 i;
	bool			 live;

	p = TIMER_NONE;
	for (i = 0; i < t->nslots && i <= until; i++) {
		s = &t->slots[i];
		live = (int)i == t->cur && (t->mode == TIMER_RUNNING ||
		    t->mode == TIMER_PAUSED);
		if (live) {
			p = s->actual_start_ms;
			if (t->mode == TIMER_RUNNING)
				cursor = agenda_max(now, timer_deadline_ms(t));
			else {
				rem = timer_remaining_ms(t, now);
				cursor = now + (rem > 0 ? rem : 0);
			}
			gap = s->changeover_ms;
		} else if (s->status == SLOT_DONE || s->status == SLOT_LIVE) {
			/* A live status without a live timer is a stale row. */
			p = s->actual_start_ms;
			if (s->actual_end_ms != TIMER_NONE)
				cursor = s->actual_end_ms;
			else if (p != TIMER_NONE)
				cursor = agenda_max(now, p + s->length_ms);
			gap = s->changeover_ms;
		} else if (s->status == SLOT_PLANNED) {
			p = agenda_max(s->planned_start_ms, now);
			if (cursor != TIMER_NONE)
				p = agenda_max(p, cursor + gap);
			cursor = p + s->length_ms;
			gap = s->changeover_ms;
		} else
			p = TIMER_NONE;
		if (out != NULL)
			out[i] = p;
	}
	return (p);
}

/* Fills projected_start_ms[0..nslots) for the event and the agenda export. */
void
agenda_project(const struct timer *t, int64_t now, int64_t *projected_start_ms)
{
	if (t->nslots == 0)
		return;
	(void)agenda_walk(t, now, projected_start_ms, t->nslots - 1);
}

/* The slot a snapshot announces as `next`, skipping no-shows and withdrawn. */
int
agenda_next_slot(const struct timer *t)
{
	size_t	i;
	int	from;

	from = t->cur >= 0 ? t->cur : t->pos;
	i = from < 0 ? 0 : (size_t)from + 1;
	for (; i < t->nslots; i++) {
		if (t->slots[i].status == SLOT_PLANNED)
			return ((int)i);
	}
	return (-1);
}

/* How late the next slot will start against the plan; 0 without a plan. */
int64_t
agenda_delay_ms(const struct timer *t, int64_t now)
{
	const struct timer_slot	*s;
	int64_t			 p;
	int			 i;

	if ((i = agenda_next_slot(t)) == -1)
		return (0);
	s = &t->slots[i];
	p = agenda_walk(t, now, NULL, (size_t)i);
	if (p == TIMER_NONE || s->planned_start_ms == TIMER_NONE)
		return (0);
	return (p - s->planned_start_ms);
}
