/*
 * timer.c — the per-stage pitch timer state machine (SPEC §3).
 *
 * Remaining time is always computed from a few anchors (duration, added,
 * elapsed before the current span, start of the current span) and the `now`
 * passed in, never accumulated per tick, so the count cannot drift and a
 * restarted daemon resumes exactly. Every action validates completely before
 * it touches anything, so a refused action leaves no trace.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "timer.h"

/* What an action handler reports back for its ledger note. */
struct timer_ctx {
	int64_t			 now;
	struct timer_notes	*out;
	const char		*why;
	int			 subject;	/* slot the action applied to */
	int64_t			 subject_rem;	/* its remaining, or TIMER_NONE */
};

static const char *timer_action_names[] = {
	[TA_START] = "start",
	[TA_PAUSE] = "pause",
	[TA_RESUME] = "resume",
	[TA_EXTEND] = "extend",
	[TA_NEXT] = "next",
	[TA_PREVIOUS] = "previous",
	[TA_GOTO] = "goto",
	[TA_SKIP] = "skip",
	[TA_STOP] = "stop",
	[TA_MESSAGE] = "message",
	[TA_BLACKOUT] = "blackout",
};

static const char *timer_mode_names[] = {
	[TIMER_IDLE] = "idle",
	[TIMER_READY] = "ready",
	[TIMER_RUNNING] = "running",
	[TIMER_PAUSED] = "paused",
	[TIMER_FINISHED] = "finished",
};

static const char *timer_phase_names[] = {
	[PHASE_NONE] = "none",
	[PHASE_NORMAL] = "normal",
	[PHASE_WARNING] = "warning",
	[PHASE_DANGER] = "danger",
	[PHASE_OVERTIME] = "overtime",
};

/* The ledger calls the crossing into overtime "zero", after the threshold. */
static const char *timer_crossing_names[] = {
	[PHASE_NONE] = "none",
	[PHASE_NORMAL] = "normal",
	[PHASE_WARNING] = "warning",
	[PHASE_DANGER] = "danger",
	[PHASE_OVERTIME] = "zero",
};

static const char *slot_status_names[] = {
	[SLOT_PLANNED] = "planned",
	[SLOT_LIVE] = "live",
	[SLOT_DONE] = "done",
	[SLOT_SKIPPED] = "skipped",
	[SLOT_WITHDRAWN] = "withdrawn",
};

#define TIMER_NELEM(a)	(sizeof (a) / sizeof (a)[0])

/* Looks a name up in a table indexed by enum value, so names live once. */
static const char *
timer_name_lookup(const char **names, size_t n, int v)
{
	if (v < 0 || (size_t)v >= n || names[v] == NULL)
		return ("unknown");
	return (names[v]);
}

/* Reverse of timer_name_lookup; -1 for NULL or an unknown name. */
static int
timer_name_find(const char **names, size_t n, const char *s)
{
	size_t	i;

	if (s == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return ((int)i);
	}
	return (-1);
}

/* Mode name as in the state snapshot. */
const char *
timer_mode_name(enum timer_mode m)
{
	return (timer_name_lookup(timer_mode_names,
	    TIMER_NELEM(timer_mode_names), (int)m));
}

/* Phase name as in the state snapshot and ticks. */
const char *
timer_phase_name(enum timer_phase p)
{
	return (timer_name_lookup(timer_phase_names,
	    TIMER_NELEM(timer_phase_names), (int)p));
}

/* Slot status name as in the event and reports. */
const char *
slot_status_name(enum slot_status s)
{
	return (timer_name_lookup(slot_status_names,
	    TIMER_NELEM(slot_status_names), (int)s));
}

/* Action name as in the URL path and the ledger. */
const char *
timer_action_name(enum timer_action_kind k)
{
	return (timer_name_lookup(timer_action_names,
	    TIMER_NELEM(timer_action_names), (int)k));
}

/* Parses a mode name (restoring stored state), -1 if unknown. */
int
timer_mode_parse(const char *s)
{
	return (timer_name_find(timer_mode_names,
	    TIMER_NELEM(timer_mode_names), s));
}

/* Parses a phase name, -1 if unknown. */
int
timer_phase_parse(const char *s)
{
	return (timer_name_find(timer_phase_names,
	    TIMER_NELEM(timer_phase_names), s));
}

/* Parses a slot status name, -1 if unknown. */
int
slot_status_parse(const char *s)
{
	return (timer_name_find(slot_status_names,
	    TIMER_NELEM(slot_status_names), s));
}

/* Parses an action name from the URL, so routing is one table lookup. */
int
timer_action_parse(const char *s)
{
	return (timer_name_find(timer_action_names,
	    TIMER_NELEM(timer_action_names), s));
}

/* Sets up an idle stage; slot times are cleared since nothing ran yet. */
void
timer_init(struct timer *t, struct timer_slot *slots, size_t nslots)
{
	size_t	i;

	memset(t, 0, sizeof *t);
	t->slots = slots;
	t->nslots = nslots;
	t->cur = -1;
	t->pos = -1;
	t->mode = TIMER_IDLE;
	t->phase = PHASE_NONE;
	t->run_since_ms = TIMER_NONE;
	for (i = 0; i < nslots; i++) {
		slots[i].status = SLOT_PLANNED;
		slots[i].actual_start_ms = TIMER_NONE;
		slots[i].actual_end_ms = TIMER_NONE;
	}
}

/* Finds a slot by its stable id, which is what the API speaks. */
int
timer_slot_find(const struct timer *t, const char *id)
{
	size_t	i;

	if (id == NULL)
		return (-1);
	for (i = 0; i < t->nslots; i++) {
		if (strcmp(t->slots[i].id, id) == 0)
			return ((int)i);
	}
	return (-1);
}

/* True while a slot is being timed (running or paused). */
static bool
timer_is_live(const struct timer *t)
{
	return ((t->mode == TIMER_RUNNING || t->mode == TIMER_PAUSED) &&
	    t->cur >= 0);
}

/* Elapsed is derived from the anchors so it never drifts. */
int64_t
timer_elapsed_ms(const struct timer *t, int64_t now)
{
	if (t->cur < 0)
		return (0);
	if (t->mode == TIMER_RUNNING && t->run_since_ms != TIMER_NONE)
		return (t->elapsed_ms + (now - t->run_since_ms));
	return (t->elapsed_ms);
}

/* Remaining may go negative: that is overtime. */
int64_t
timer_remaining_ms(const struct timer *t, int64_t now)
{
	if (t->cur < 0)
		return (0);
	return (t->duration_ms + t->added_ms - timer_elapsed_ms(t, now));
}

/* The deadline is fixed while running, so screens can count on their own. */
int64_t
timer_deadline_ms(const struct timer *t)
{
	if (t->mode != TIMER_RUNNING || t->cur < 0 ||
	    t->run_since_ms == TIMER_NONE)
		return (TIMER_NONE);
	return (t->run_since_ms + t->duration_ms + t->added_ms -
	    t->elapsed_ms);
}

/* Thresholds are the loaded slot's, since each pitch may override them. */
enum timer_phase
timer_phase_at(const struct timer *t, int64_t now)
{
	const struct timer_slot	*s;
	int64_t			 rem;

	if (!timer_is_live(t) || (size_t)t->cur >= t->nslots)
		return (PHASE_NONE);
	s = &t->slots[t->cur];
	rem = timer_remaining_ms(t, now);
	if (rem < 0)
		return (PHASE_OVERTIME);
	if (rem <= s->danger_ms)
		return (PHASE_DANGER);
	if (rem <= s->warning_ms)
		return (PHASE_WARNING);
	return (PHASE_NORMAL);
}

/* Integer division rounding toward minus infinity (C truncates toward 0). */
static int64_t
timer_floor_div(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return (q);
}

/* Smallest t > now with deadline - t = k * 1000 for an integer k. */
int64_t
timer_next_crossing_ms(const struct timer *t, int64_t now)
{
	int64_t	deadline, k;

	deadline = timer_deadline_ms(t);
	if (deadline == TIMER_NONE)
		return (TIMER_NONE);
	k = timer_floor_div(deadline - now - 1, 1000);
	return (deadline - k * 1000);
}

/* The next slot `next`/`skip` may load: planned, not withdrawn, after from. */
static int
timer_next_planned(const struct timer *t, int from)
{
	size_t	i;

	i = from < 0 ? 0 : (size_t)from + 1;
	for (; i < t->nslots; i++) {
		if (t->slots[i].status == SLOT_PLANNED)
			return ((int)i);
	}
	return (-1);
}

/* The slot a bare `start` (or a no-show `skip`) takes with nothing loaded. */
static int
timer_start_candidate(const struct timer *t)
{
	int	i;

	if ((i = timer_next_planned(t, t->pos)) == -1)
		i = timer_next_planned(t, -1);
	return (i);
}

/* Adds a note unless the buffer is full; -1 tells the caller to stop. */
static int
timer_note(struct timer_notes *out, enum timer_note_kind kind,
    const char *what, int slot, int64_t at, int64_t rem)
{
	struct timer_note	*n;

	if (out->n >= TIMER_NOTES_MAX)
		return (-1);
	n = &out->note[out->n++];
	n->kind = kind;
	n->what = what;
	n->slot = slot;
	n->at_ms = at;
	n->remaining_ms = rem;
	return (0);
}

/*
 * The one place the mode changes; the phase follows from the mode so both
 * are published together (at is the moment the new mode takes effect).
 */
static void
timer_set_mode(struct timer *t, enum timer_mode mode, int64_t at)
{
	t->mode = mode;
	if (mode == TIMER_RUNNING || mode == TIMER_PAUSED)
		t->phase = timer_phase_at(t, at);
	else
		t->phase = PHASE_NONE;
}

/* Clears the timing anchors so a later load or start begins from nothing. */
static void
timer_clear_run(struct timer *t)
{
	t->duration_ms = 0;
	t->added_ms = 0;
	t->elapsed_ms = 0;
	t->run_since_ms = TIMER_NONE;
	t->time_up_done = false;
}

/* Loading makes a slot the current one again, as a re-run if it had ended. */
static void
timer_load(struct timer *t, int i, int64_t at)
{
	struct timer_slot	*s = &t->slots[i];

	if (s->status == SLOT_DONE || s->status == SLOT_SKIPPED ||
	    s->status == SLOT_LIVE)
		s->status = SLOT_PLANNED;
	t->cur = i;
	t->pos = i;
	timer_clear_run(t);
	t->duration_ms = s->length_ms;
	timer_set_mode(t, TIMER_READY, at);
}

/* Unloads everything; pos stays so `start` and `next` know where we were. */
static void
timer_unload(struct timer *t, enum timer_mode mode, int64_t at)
{
	t->cur = -1;
	timer_clear_run(t);
	timer_set_mode(t, mode, at);
}

/* Starts the loaded slot at `at`, which may lie before now (time's up). */
static void
timer_start_at(struct timer *t, int64_t at)
{
	struct timer_slot	*s = &t->slots[t->cur];

	s->status = SLOT_LIVE;
	s->actual_start_ms = at;
	s->actual_end_ms = TIMER_NONE;
	timer_clear_run(t);
	t->duration_ms = s->length_ms;
	t->run_since_ms = at;
	timer_set_mode(t, TIMER_RUNNING, at);
}

/* Ends the live slot, if any, with the given status and end time. */
static void
timer_end_live(struct timer *t, enum slot_status status, int64_t at)
{
	struct timer_slot	*s;

	if (!timer_is_live(t))
		return;
	s = &t->slots[t->cur];
	s->status = status;
	s->actual_end_ms = at;
	t->elapsed_ms = timer_elapsed_ms(t, at);
	t->run_since_ms = TIMER_NONE;
}

/* Loads the next planned slot after i, or finishes when none is left. */
static void
timer_load_after(struct timer *t, int i, int64_t at)
{
	int	n;

	if ((n = timer_next_planned(t, i)) == -1) {
		t->pos = (int)t->nslots;
		timer_unload(t, TIMER_FINISHED, at);
	} else
		timer_load(t, n, at);
}

/* The threshold for a phase, which is also the remaining its note records. */
static int64_t
timer_threshold(const struct timer_slot *s, enum timer_phase p)
{
	switch (p) {
	case PHASE_WARNING:
		return (s->warning_ms);
	case PHASE_DANGER:
		return (s->danger_ms);
	default:
		return (0);
	}
}

/*
 * Applies the slot's time's-up policy at the moment it happened, so a late
 * advance loses no time (next_start begins the next slot at that moment).
 */
static void
timer_time_up(struct timer *t, int64_t at, struct timer_notes *out)
{
	const struct timer_slot	*s = &t->slots[t->cur];
	enum time_up_action	 policy = s->on_time_up;

	t->time_up_done = true;
	(void)timer_note(out, NOTE_TIME_UP, time_up_action_name(policy),
	    t->cur, at, -s->grace_ms);
	switch (policy) {
	case TIME_UP_MESSAGE:
		memcpy(t->message, t->time_up_message, sizeof t->message);
		t->message[sizeof t->message - 1] = '\0';
		t->message_visible = true;
		out->message_changed = true;
		break;
	case TIME_UP_NEXT:
	case TIME_UP_NEXT_START:
		timer_end_live(t, SLOT_DONE, at);
		timer_load_after(t, t->cur, at);
		if (policy == TIME_UP_NEXT_START && t->mode == TIMER_READY)
			timer_start_at(t, at);
		break;
	case TIME_UP_NONE:
	default:
		break;
	}
}

/* True when the running slot has reached -grace and has not yet acted on it. */
static bool
timer_time_up_due(const struct timer *t, int64_t now)
{
	if (t->mode != TIMER_RUNNING || t->cur < 0 || t->time_up_done)
		return (false);
	return (timer_remaining_ms(t, now) <= -t->slots[t->cur].grace_ms);
}

/*
 * Catches up to now one event at a time, in time order, never writing more
 * than limit notes so the caller keeps room for its own; the rest is left
 * for the next call.
 */
static void
timer_catch_up(struct timer *t, int64_t now, struct timer_notes *out,
    size_t limit)
{
	const struct timer_slot	*s;
	enum timer_phase	 target, step;
	bool			 changed = false;
	size_t			 guard;

	/* Each round publishes one phase or fires one time's up. */
	for (guard = 0; guard < 8 * (t->nslots + 1); guard++) {
		target = timer_phase_at(t, now);
		if (target == t->phase && !timer_time_up_due(t, now))
			break;
		if (target > t->phase && t->phase >= PHASE_NORMAL &&
		    t->mode == TIMER_RUNNING) {
			/* A real crossing: noted at the moment it happened. */
			if (out->n >= limit)
				break;
			s = &t->slots[t->cur];
			step = (enum timer_phase)(t->phase + 1);
			(void)timer_note(out, NOTE_PHASE,
			    timer_crossing_names[step], t->cur,
			    timer_deadline_ms(t) - timer_threshold(s, step),
			    timer_threshold(s, step));
			t->phase = step;
		} else if (target != t->phase) {
			/* Not a crossing in time (restored state): just publish. */
			t->phase = target;
		} else {
			if (out->n >= limit)
				break;
			timer_time_up(t, timer_deadline_ms(t) +
			    t->slots[t->cur].grace_ms, out);
		}
		changed = true;
	}
	if (changed) {
		t->seq++;
		out->changed = true;
	}
}

/* Empties a notes buffer: every call reports only what it did itself. */
static void
timer_notes_reset(struct timer_notes *out)
{
	out->n = 0;
	out->changed = false;
	out->message_changed = false;
}

/* Brings t up to now; the daemon calls this at every whole-second crossing. */
void
timer_advance(struct timer *t, int64_t now, struct timer_notes *out)
{
	struct timer_notes	scratch;

	if (out == NULL)
		out = &scratch;
	timer_notes_reset(out);
	timer_catch_up(t, now, out, TIMER_NOTES_MAX);
}

/* Records the live slot as the subject of a leaving action before it ends. */
static void
timer_subject_loaded(const struct timer *t, struct timer_ctx *c)
{
	c->subject = t->cur;
	c->subject_rem = timer_is_live(t) ?
	    timer_remaining_ms(t, c->now) : TIMER_NONE;
}

/* Start: resumes, starts the loaded slot or loads and starts one. */
static enum timer_result
timer_do_start(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	int	i = -1;

	if (t->mode == TIMER_RUNNING) {
		c->why = "a slot is already running";
		return (TIMER_ECONFLICT);
	}
	if (a->pitch != NULL) {
		if ((i = timer_slot_find(t, a->pitch)) == -1) {
			c->why = "no such pitch";
			return (TIMER_ENOTFOUND);
		}
		if (t->slots[i].status == SLOT_WITHDRAWN) {
			c->why = "that pitch is withdrawn";
			return (TIMER_ECONFLICT);
		}
	}
	if (t->mode == TIMER_PAUSED) {
		/* Starting another slot would silently end this one. */
		if (i != -1 && i != t->cur) {
			c->why = "another slot is live; use next or goto";
			return (TIMER_ECONFLICT);
		}
		t->run_since_ms = c->now;
		timer_set_mode(t, TIMER_RUNNING, c->now);
		timer_subject_loaded(t, c);
		return (TIMER_OK);
	}
	if (i == -1) {
		if (t->mode == TIMER_READY)
			i = t->cur;
		else if ((i = timer_start_candidate(t)) == -1) {
			c->why = "no planned slot left";
			return (TIMER_ECONFLICT);
		}
	}
	if (i != t->cur || t->mode != TIMER_READY)
		timer_load(t, i, c->now);
	timer_start_at(t, c->now);
	timer_subject_loaded(t, c);
	return (TIMER_OK);
}

/* Pause freezes remaining by folding the running span into elapsed. */
static enum timer_result
timer_do_pause(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	(void)a;
	if (t->mode != TIMER_RUNNING) {
		c->why = "not running";
		return (TIMER_ECONFLICT);
	}
	t->elapsed_ms = timer_elapsed_ms(t, c->now);
	t->run_since_ms = TIMER_NONE;
	timer_set_mode(t, TIMER_PAUSED, c->now);
	timer_subject_loaded(t, c);
	return (TIMER_OK);
}

/* Resume opens a new running span; paused time never counts. */
static enum timer_result
timer_do_resume(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	(void)a;
	if (t->mode != TIMER_PAUSED) {
		c->why = "not paused";
		return (TIMER_ECONFLICT);
	}
	t->run_since_ms = c->now;
	timer_set_mode(t, TIMER_RUNNING, c->now);
	timer_subject_loaded(t, c);
	return (TIMER_OK);
}

/* Extend moves the deadline; the range is checked before the mode (SPEC). */
static enum timer_result
timer_do_extend(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	if (a->seconds == 0 || a->seconds > TIMER_EXTEND_MAX_S ||
	    a->seconds < -TIMER_EXTEND_MAX_S) {
		c->why = "seconds must be 1..3600 or -3600..-1";
		return (TIMER_EINVAL);
	}
	if (!timer_is_live(t)) {
		c->why = "nothing is running or paused";
		return (TIMER_ECONFLICT);
	}
	t->added_ms += a->seconds * 1000;
	timer_set_mode(t, t->mode, c->now);
	if (timer_remaining_ms(t, c->now) > -t->slots[t->cur].grace_ms)
		t->time_up_done = false;
	timer_subject_loaded(t, c);
	return (TIMER_OK);
}

/* Next ends the live slot and loads the following planned one. */
static enum timer_result
timer_do_next(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	int	from;

	if (t->mode == TIMER_FINISHED) {
		c->why = "the agenda is finished";
		return (TIMER_ECONFLICT);
	}
	timer_subject_loaded(t, c);
	from = t->cur >= 0 ? t->cur : t->pos;
	timer_end_live(t, SLOT_DONE, c->now);
	timer_load_after(t, from, c->now);
	if (a->start && t->mode == TIMER_READY)
		timer_start_at(t, c->now);
	return (TIMER_OK);
}

/* Previous loads the slot before for a re-run, skipping withdrawn ones. */
static enum timer_result
timer_do_previous(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	int	i;

	(void)a;
	i = (t->cur >= 0 ? t->cur : t->pos) - 1;
	if (i >= (int)t->nslots)
		i = (int)t->nslots - 1;
	while (i >= 0 && t->slots[i].status == SLOT_WITHDRAWN)
		i--;
	if (i < 0) {
		c->why = "there is no slot before";
		return (TIMER_ECONFLICT);
	}
	timer_subject_loaded(t, c);
	timer_end_live(t, SLOT_DONE, c->now);
	timer_load(t, i, c->now);
	return (TIMER_OK);
}

/* Goto loads any slot but the live one, which would lose its timing. */
static enum timer_result
timer_do_goto(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	int	i;

	if (a->pitch == NULL) {
		c->why = "pitch is required";
		return (TIMER_EINVAL);
	}
	if ((i = timer_slot_find(t, a->pitch)) == -1) {
		c->why = "no such pitch";
		return (TIMER_ENOTFOUND);
	}
	if (i == t->cur && timer_is_live(t)) {
		c->why = "that slot is live";
		return (TIMER_ECONFLICT);
	}
	if (t->slots[i].status == SLOT_WITHDRAWN) {
		c->why = "that pitch is withdrawn";
		return (TIMER_ECONFLICT);
	}
	timer_subject_loaded(t, c);
	timer_end_live(t, SLOT_DONE, c->now);
	timer_load(t, i, c->now);
	return (TIMER_OK);
}

/* Skip records a no-show; only the loaded (or due) slot moves the agenda on. */
static enum timer_result
timer_do_skip(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	struct timer_slot	*s;
	int			 i = -1;

	if (a->pitch != NULL &&
	    (i = timer_slot_find(t, a->pitch)) == -1) {
		c->why = "no such pitch";
		return (TIMER_ENOTFOUND);
	}
	if (i != -1 && i != t->cur) {
		s = &t->slots[i];
		if (s->status != SLOT_PLANNED && s->status != SLOT_SKIPPED) {
			c->why = "only a planned slot can be skipped";
			return (TIMER_ECONFLICT);
		}
		s->status = SLOT_SKIPPED;
		c->subject = i;
		c->subject_rem = TIMER_NONE;
		return (TIMER_OK);
	}
	if (i == -1 && (i = t->cur) == -1 &&
	    (i = timer_start_candidate(t)) == -1) {
		c->why = "no planned slot left";
		return (TIMER_ECONFLICT);
	}
	c->subject = i;
	c->subject_rem = timer_is_live(t) ?
	    timer_remaining_ms(t, c->now) : TIMER_NONE;
	timer_end_live(t, SLOT_SKIPPED, c->now);
	t->slots[i].status = SLOT_SKIPPED;
	timer_load_after(t, i, c->now);
	return (TIMER_OK);
}

/* Stop ends the live slot without loading another (a break, say). */
static enum timer_result
timer_do_stop(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	(void)a;
	if (!timer_is_live(t)) {
		c->why = "nothing is live";
		return (TIMER_ECONFLICT);
	}
	timer_subject_loaded(t, c);
	timer_end_live(t, SLOT_DONE, c->now);
	timer_unload(t, TIMER_IDLE, c->now);
	return (TIMER_OK);
}

/*
 * Counts UTF-8 code points, rejecting overlong forms, surrogates and values
 * past U+10FFFF so what we store is valid for JSON; -1 if invalid.
 */
static int64_t
timer_utf8_count(const char *str)
{
	const unsigned char	*p = (const unsigned char *)str;
	unsigned char		 lo, hi;
	int64_t			 count = 0;
	int			 more, k;

	while (*p != '\0') {
		lo = 0x80;
		hi = 0xbf;
		if (*p < 0x80)
			more = 0;
		else if (*p >= 0xc2 && *p <= 0xdf)
			more = 1;
		else if (*p >= 0xe0 && *p <= 0xef) {
			more = 2;
			if (*p == 0xe0)
				lo = 0xa0;
			else if (*p == 0xed)
				hi = 0x9f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			more = 3;
			if (*p == 0xf0)
				lo = 0x90;
			else if (*p == 0xf4)
				hi = 0x8f;
		} else
			return (-1);
		p++;
		for (k = 0; k < more; k++, p++) {
			if (*p < lo || *p > hi)
				return (-1);
			lo = 0x80;
			hi = 0xbf;
		}
		count++;
	}
	return (count);
}

/* Message changes the stage text; a missing field keeps its value. */
static enum timer_result
timer_do_message(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	int64_t	n;
	size_t	len;

	if (a->text != NULL) {
		if ((n = timer_utf8_count(a->text)) == -1) {
			c->why = "text is not valid UTF-8";
			return (TIMER_EINVAL);
		}
		len = strlen(a->text);
		if (n > TIMER_MESSAGE_MAX || len >= sizeof t->message) {
			c->why = "text is longer than 280 characters";
			return (TIMER_EINVAL);
		}
		memcpy(t->message, a->text, len + 1);
		if (a->visible == -1)
			t->message_visible = true;
	}
	if (a->visible != -1)
		t->message_visible = a->visible != 0;
	if (a->blink != -1)
		t->message_blink = a->blink != 0;
	c->out->message_changed = true;
	timer_subject_loaded(t, c);
	return (TIMER_OK);
}

/* Blackout blanks the stage display; timing goes on underneath. */
static enum timer_result
timer_do_blackout(struct timer *t, const struct timer_action *a,
    struct timer_ctx *c)
{
	t->blackout = a->on;
	timer_subject_loaded(t, c);
	return (TIMER_OK);
}

typedef enum timer_result (*timer_handler)(struct timer *,
    const struct timer_action *, struct timer_ctx *);

/* Actions dispatch through this table, indexed by kind. */
static const timer_handler timer_handlers[TA__COUNT] = {
	[TA_START] = timer_do_start,
	[TA_PAUSE] = timer_do_pause,
	[TA_RESUME] = timer_do_resume,
	[TA_EXTEND] = timer_do_extend,
	[TA_NEXT] = timer_do_next,
	[TA_PREVIOUS] = timer_do_previous,
	[TA_GOTO] = timer_do_goto,
	[TA_SKIP] = timer_do_skip,
	[TA_STOP] = timer_do_stop,
	[TA_MESSAGE] = timer_do_message,
	[TA_BLACKOUT] = timer_do_blackout,
};

/*
 * Applies one action after catching up; handlers validate before they
 * mutate, so an error leaves the state as the catch-up left it.
 */
enum timer_result
timer_apply(struct timer *t, const struct timer_action *a, int64_t now,
    struct timer_notes *out, const char **why)
{
	struct timer_notes	 scratch;
	struct timer_ctx	 c;
	enum timer_result	 rc;

	if (out == NULL)
		out = &scratch;
	timer_notes_reset(out);
	if (why != NULL)
		*why = NULL;
	if ((int)a->kind < 0 || a->kind >= TA__COUNT) {
		if (why != NULL)
			*why = "unknown action";
		return (TIMER_EINVAL);
	}

	/* Keep room for the action note and a time's up it may cause. */
	timer_catch_up(t, now, out, TIMER_NOTES_MAX - 2);

	memset(&c, 0, sizeof c);
	c.now = now;
	c.out = out;
	c.subject = -1;
	c.subject_rem = TIMER_NONE;
	rc = timer_handlers[a->kind](t, a, &c);
	if (rc != TIMER_OK) {
		if (why != NULL)
			*why = c.why;
		return (rc);
	}
	(void)timer_note(out, NOTE_ACTION, timer_action_names[a->kind],
	    c.subject, now, c.subject_rem);

	/*
	 * An action that leaves remaining at or below -grace (a large negative
	 * extend, a resume in deep overtime) makes time's up happen now, not
	 * at a deadline + grace that lies before the action.
	 */
	if (timer_time_up_due(t, now))
		timer_time_up(t, now, out);

	t->seq++;
	out->changed = true;
	return (TIMER_OK);
}
