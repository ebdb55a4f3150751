/*
 * test_timer.c — the timer state machine and agenda projection on a fake
 * clock. Most tests are tables of steps walking a whole event: each step is
 * an action (or an advance) at a time, and the full state after it (result,
 * mode, phase, remaining, seq, loaded slot, every slot's status and the
 * notes written) is compared as one line, so a failure shows everything.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "timer.h"

#define T0		INT64_C(1796302800000)	/* 2026-12-03 13:00 UTC */
#define MAXSLOTS	8

enum step_op {
	OP_ADVANCE,
	OP_ACT,
};

/* One step of an event: what happens at `at` and what the state is after. */
struct step {
	int64_t			 at;		/* ms after T0 */
	enum step_op		 op;
	struct timer_action	 act;
	enum timer_result	 rc;
	enum timer_mode		 mode;
	enum timer_phase	 phase;
	int64_t			 rem;
	uint64_t		 seq;
	int			 cur;
	const char		*st;		/* per slot: p L d s w */
	const char		*notes;
	void			(*check)(const struct timer *,
				    const struct timer_notes *, int64_t);
};

#define ADVANCE		.op = OP_ADVANCE
#define START(p)	.op = OP_ACT, .act = { .kind = TA_START, .pitch = (p) }
#define PAUSE		.op = OP_ACT, .act = { .kind = TA_PAUSE }
#define RESUME		.op = OP_ACT, .act = { .kind = TA_RESUME }
#define EXTEND(s)	.op = OP_ACT, .act = { .kind = TA_EXTEND, .seconds = (s) }
#define NEXT(s)		.op = OP_ACT, .act = { .kind = TA_NEXT, .start = (s) }
#define PREVIOUS	.op = OP_ACT, .act = { .kind = TA_PREVIOUS }
#define GOTO(p)		.op = OP_ACT, .act = { .kind = TA_GOTO, .pitch = (p) }
#define SKIP(p)		.op = OP_ACT, .act = { .kind = TA_SKIP, .pitch = (p) }
#define STOP		.op = OP_ACT, .act = { .kind = TA_STOP }
#define MESSAGE(x, v, b) .op = OP_ACT, .act = { .kind = TA_MESSAGE, \
			    .text = (x), .visible = (v), .blink = (b) }
#define BLACKOUT(o)	.op = OP_ACT, .act = { .kind = TA_BLACKOUT, .on = (o) }

/* The expected state after a step. */
#define X(r, m, ph, re, sq, c, s) .rc = TIMER_##r, .mode = TIMER_##m, \
	.phase = PHASE_##ph, .rem = (re), .seq = (sq), .cur = (c), .st = (s)
#define N(n)		.notes = (n)

static struct timer_slot slots[MAXSLOTS];
static struct timer	 tm;

/* Test-local names for results, to print readable lines. */
static const char *
result_name(enum timer_result rc)
{
	switch (rc) {
	case TIMER_OK:
		return ("ok");
	case TIMER_EINVAL:
		return ("einval");
	case TIMER_ENOTFOUND:
		return ("enotfound");
	case TIMER_ECONFLICT:
		return ("econflict");
	}
	return ("?");
}

/* Builds a short event: 5 s pitches, warning 2 s, danger 1 s, grace 1 s. */
static void
event_setup(size_t n, enum time_up_action policy)
{
	size_t	i;

	memset(slots, 0, sizeof slots);
	for (i = 0; i < n; i++) {
		snprintf(slots[i].id, sizeof slots[i].id, "%c", (int)('a' + i));
		slots[i].length_ms = 5000;
		slots[i].changeover_ms = 2000;
		slots[i].warning_ms = 2000;
		slots[i].danger_ms = 1000;
		slots[i].grace_ms = 1000;
		slots[i].on_time_up = policy;
		slots[i].planned_start_ms = T0 + (int64_t)i * 7000;
	}
	timer_init(&tm, slots, n);
	snprintf(tm.time_up_message, sizeof tm.time_up_message,
	    "Vielen Dank! Bitte zum Schluss kommen.");
}

/* Renders a time relative to T0, or "-" for none. */
static void
render_time(char *buf, size_t len, int64_t v, int64_t base)
{
	if (v == TIMER_NONE)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRId64, v - base);
}

/* Renders notes as "A start 0 @1000 5000; P warning ..." (times from T0). */
static void
render_notes(char *buf, size_t len, const struct timer_notes *out)
{
	static const char	 kinds[] = { 'A', 'P', 'T' };
	char			 rem[32];
	size_t			 i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < out->n && off < len; i++) {
		render_time(rem, sizeof rem, out->note[i].remaining_ms, 0);
		off += (size_t)snprintf(buf + off, len - off,
		    "%s%c %s %d @%" PRId64 " %s", i ? "; " : "",
		    kinds[out->note[i].kind], out->note[i].what,
		    out->note[i].slot, out->note[i].at_ms - T0, rem);
	}
}

/* Renders one state line so expected and actual compare as strings. */
static void
render_state(char *buf, size_t len, enum timer_result rc,
    enum timer_mode mode, enum timer_phase phase, int64_t rem, uint64_t seq,
    int cur, const char *st, const char *notes)
{
	snprintf(buf, len, "rc=%s mode=%s phase=%s rem=%" PRId64
	    " seq=%" PRIu64 " cur=%d st=%s notes=[%s]", result_name(rc),
	    timer_mode_name(mode), timer_phase_name(phase), rem, seq, cur, st,
	    notes);
}

/* Status letters: planned, Live, done, skipped, withdrawn. */
static void
render_statuses(char *buf, const struct timer *t)
{
	static const char	 letters[] = "pLdsw";
	size_t			 i;

	for (i = 0; i < t->nslots; i++)
		buf[i] = letters[t->slots[i].status];
	buf[i] = '\0';
}

/* Runs a table of steps against tm, checking every step completely. */
static void
run_steps(const struct step *steps, size_t nsteps)
{
	const struct step	*s;
	struct timer_notes	 out;
	struct timer		 before;
	struct timer_slot	 sbefore[MAXSLOTS];
	enum timer_result	 rc;
	const char		*why;
	char			 got[2048], want[2048], st[MAXSLOTS + 1];
	char			 notes[1536];
	int64_t			 now;
	size_t			 i;

	for (i = 0; i < nsteps; i++) {
		s = &steps[i];
		now = T0 + s->at;
		before = tm;
		memcpy(sbefore, slots, sizeof slots);
		memset(&out, 0x5a, sizeof out);
		why = NULL;
		if (s->op == OP_ACT)
			rc = timer_apply(&tm, &s->act, now, &out, &why);
		else {
			timer_advance(&tm, now, &out);
			rc = TIMER_OK;
		}

		render_notes(notes, sizeof notes, &out);
		render_statuses(st, &tm);
		render_state(got, sizeof got, rc, tm.mode, tm.phase,
		    timer_remaining_ms(&tm, now), tm.seq, tm.cur, st, notes);
		render_state(want, sizeof want, s->rc, s->mode, s->phase,
		    s->rem, s->seq, s->cur, s->st,
		    s->notes != NULL ? s->notes : "");
		ck_assert_msg(strcmp(got, want) == 0,
		    "step %zu (at %" PRId64 "):\n got  %s\n want %s", i, s->at,
		    got, want);

		/* changed says exactly whether seq moved. */
		ck_assert_msg(out.changed == (tm.seq != before.seq),
		    "step %zu: changed=%d but seq %" PRIu64 " -> %" PRIu64,
		    i, out.changed, before.seq, tm.seq);
		ck_assert_msg(tm.seq - before.seq <= 2,
		    "step %zu: seq jumped by %" PRIu64, i, tm.seq - before.seq);
		if (rc != TIMER_OK) {
			ck_assert_msg(why != NULL && *why != '\0',
			    "step %zu: error without a reason", i);
			/* A refused action leaves no trace of its own. */
			if (!out.changed) {
				ck_assert_msg(memcmp(&before, &tm,
				    sizeof tm) == 0, "step %zu: refused "
				    "action changed the timer", i);
				ck_assert_msg(memcmp(sbefore, slots,
				    sizeof slots) == 0, "step %zu: refused "
				    "action changed a slot", i);
			}
		}
		if (s->check != NULL)
			s->check(&tm, &out, now);
	}
}

#define RUN(table)	run_steps((table), sizeof (table) / sizeof (table)[0])

/* Pause spans must not count; remaining stays frozen while paused. */
static void
check_paused_frozen(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	ck_assert_int_eq(timer_deadline_ms(t), TIMER_NONE);
	ck_assert_int_eq(timer_next_crossing_ms(t, now), TIMER_NONE);
	ck_assert_int_eq(timer_elapsed_ms(t, now), 1500);
}

/* After resuming at 61000 with 3500 left the deadline is 64500. */
static void
check_resumed(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	ck_assert_int_eq(timer_deadline_ms(t), T0 + 64500);
	ck_assert_int_eq(timer_elapsed_ms(t, now), 1500);
	ck_assert_int_eq(timer_next_crossing_ms(t, now), T0 + 61500);
}

/* Stop ends slot a with its real times and keeps pos for the next start. */
static void
check_stopped(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_int_eq(t->slots[0].actual_start_ms, T0);
	ck_assert_int_eq(t->slots[0].actual_end_ms, T0 + 80000);
	ck_assert_int_eq(t->pos, 0);
	ck_assert_int_eq(timer_deadline_ms(t), TIMER_NONE);
}

START_TEST(test_pause_and_crossings)
{
	static const struct step steps[] = {
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lpp"),
	    N("A start 0 @0 5000") },
	{ 1000, ADVANCE, X(OK, RUNNING, NORMAL, 4000, 1, 0, "Lpp"), N("") },
	{ 1500, PAUSE, X(OK, PAUSED, NORMAL, 3500, 2, 0, "Lpp"),
	    N("A pause 0 @1500 3500") },
	{ 60000, ADVANCE, X(OK, PAUSED, NORMAL, 3500, 2, 0, "Lpp"), N(""),
	    .check = check_paused_frozen },
	{ 61000, RESUME, X(OK, RUNNING, NORMAL, 3500, 3, 0, "Lpp"),
	    N("A resume 0 @61000 3500"), .check = check_resumed },
	{ 62000, ADVANCE, X(OK, RUNNING, NORMAL, 2500, 3, 0, "Lpp"), N("") },
	{ 62499, ADVANCE, X(OK, RUNNING, NORMAL, 2001, 3, 0, "Lpp"), N("") },
	{ 62500, ADVANCE, X(OK, RUNNING, WARNING, 2000, 4, 0, "Lpp"),
	    N("P warning 0 @62500 2000") },
	{ 62700, PAUSE, X(OK, PAUSED, WARNING, 1800, 5, 0, "Lpp"),
	    N("A pause 0 @62700 1800") },
	/* start on a paused slot resumes it */
	{ 70000, START(NULL), X(OK, RUNNING, WARNING, 1800, 6, 0, "Lpp"),
	    N("A start 0 @70000 1800") },
	{ 70800, ADVANCE, X(OK, RUNNING, DANGER, 1000, 7, 0, "Lpp"),
	    N("P danger 0 @70800 1000") },
	/* remaining exactly 0 is still danger */
	{ 71800, ADVANCE, X(OK, RUNNING, DANGER, 0, 7, 0, "Lpp"), N("") },
	{ 72800, ADVANCE, X(OK, RUNNING, OVERTIME, -1000, 8, 0, "Lpp"),
	    N("P zero 0 @71800 0; T none 0 @72800 -1000") },
	{ 80000, ADVANCE, X(OK, RUNNING, OVERTIME, -8200, 8, 0, "Lpp"), N("") },
	{ 80000, STOP, X(OK, IDLE, NONE, 0, 9, -1, "dpp"),
	    N("A stop 0 @80000 -8200"), .check = check_stopped },
	/* a later start takes the next planned slot */
	{ 81000, START(NULL), X(OK, RUNNING, NORMAL, 5000, 10, 1, "dLp"),
	    N("A start 1 @81000 5000") },
	};

	event_setup(3, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

START_TEST(test_crossings_at_once)
{
	static const struct step steps[] = {
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lpp"),
	    N("A start 0 @0 5000") },
	{ 2999, ADVANCE, X(OK, RUNNING, NORMAL, 2001, 1, 0, "Lpp"), N("") },
	{ 3000, ADVANCE, X(OK, RUNNING, WARNING, 2000, 2, 0, "Lpp"),
	    N("P warning 0 @3000 2000") },
	{ 3000, ADVANCE, X(OK, RUNNING, WARNING, 2000, 2, 0, "Lpp"), N("") },
	/* a late advance (a restart) notes every crossing at its moment */
	{ 9500, ADVANCE, X(OK, RUNNING, OVERTIME, -4500, 3, 0, "Lpp"),
	    N("P danger 0 @4000 1000; P zero 0 @5000 0; "
	    "T none 0 @6000 -1000") },
	{ 10000, NEXT(true), X(OK, RUNNING, NORMAL, 5000, 4, 1, "dLp"),
	    N("A next 0 @10000 -5000") },
	{ 20000, ADVANCE, X(OK, RUNNING, OVERTIME, -5000, 5, 1, "dLp"),
	    N("P warning 1 @13000 2000; P danger 1 @14000 1000; "
	    "P zero 1 @15000 0; T none 1 @16000 -1000") },
	/* an action catches up first, into the same notes (seq +2) */
	{ 20000, NEXT(false), X(OK, READY, NONE, 5000, 6, 2, "ddp"),
	    N("A next 1 @20000 -5000") },
	{ 21000, START(NULL), X(OK, RUNNING, NORMAL, 5000, 7, 2, "ddL"),
	    N("A start 2 @21000 5000") },
	{ 25500, PAUSE, X(OK, PAUSED, DANGER, 500, 9, 2, "ddL"),
	    N("P warning 2 @24000 2000; P danger 2 @25000 1000; "
	    "A pause 2 @25500 500") },
	};

	event_setup(3, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

/* Extending by 10 s at 2500 re-arms time's up and moves the deadline. */
static void
check_rearmed(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert(!t->time_up_done);
	ck_assert_int_eq(t->added_ms, 6000);
	ck_assert_int_eq(timer_deadline_ms(t), T0 + 11000);
}

START_TEST(test_extend)
{
	static const struct step steps[] = {
	/* the range is checked before the mode */
	{ 0, EXTEND(1), X(ECONFLICT, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, EXTEND(0), X(EINVAL, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, EXTEND(3601), X(EINVAL, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, EXTEND(-3601), X(EINVAL, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, NEXT(false), X(OK, READY, NONE, 5000, 1, 0, "ppp"),
	    N("A next -1 @0 -") },
	{ 0, EXTEND(10), X(ECONFLICT, READY, NONE, 5000, 1, 0, "ppp"), N("") },
	{ 0, EXTEND(0), X(EINVAL, READY, NONE, 5000, 1, 0, "ppp"), N("") },
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 2, 0, "Lpp"),
	    N("A start 0 @0 5000") },
	{ 1000, EXTEND(3601), X(EINVAL, RUNNING, NORMAL, 4000, 2, 0, "Lpp"),
	    N("") },
	{ 1000, EXTEND(-3601), X(EINVAL, RUNNING, NORMAL, 4000, 2, 0, "Lpp"),
	    N("") },
	{ 1000, EXTEND(0), X(EINVAL, RUNNING, NORMAL, 4000, 2, 0, "Lpp"),
	    N("") },
	/* the action publishes its phase change itself, without a note */
	{ 1000, EXTEND(-3), X(OK, RUNNING, DANGER, 1000, 3, 0, "Lpp"),
	    N("A extend 0 @1000 1000") },
	{ 1500, EXTEND(-1), X(OK, RUNNING, OVERTIME, -500, 4, 0, "Lpp"),
	    N("A extend 0 @1500 -500") },
	{ 2000, ADVANCE, X(OK, RUNNING, OVERTIME, -1000, 5, 0, "Lpp"),
	    N("T none 0 @2000 -1000") },
	/* out of overtime: phase back to normal and time's up re-armed */
	{ 2500, EXTEND(10), X(OK, RUNNING, NORMAL, 8500, 6, 0, "Lpp"),
	    N("A extend 0 @2500 8500"), .check = check_rearmed },
	{ 8999, ADVANCE, X(OK, RUNNING, NORMAL, 2001, 6, 0, "Lpp"), N("") },
	{ 9000, ADVANCE, X(OK, RUNNING, WARNING, 2000, 7, 0, "Lpp"),
	    N("P warning 0 @9000 2000") },
	{ 9000, PAUSE, X(OK, PAUSED, WARNING, 2000, 8, 0, "Lpp"),
	    N("A pause 0 @9000 2000") },
	/* extend works while paused; no time's up while nothing runs */
	{ 9500, EXTEND(-5), X(OK, PAUSED, OVERTIME, -3000, 9, 0, "Lpp"),
	    N("A extend 0 @9500 -3000") },
	{ 12000, ADVANCE, X(OK, PAUSED, OVERTIME, -3000, 9, 0, "Lpp"), N("") },
	/* resuming beyond -grace: time's up happens at the resume */
	{ 12000, RESUME, X(OK, RUNNING, OVERTIME, -3000, 10, 0, "Lpp"),
	    N("A resume 0 @12000 -3000; T none 0 @12000 -1000") },
	/* still at or below -grace: not re-armed, fires no second time */
	{ 12500, EXTEND(2), X(OK, RUNNING, OVERTIME, -1500, 11, 0, "Lpp"),
	    N("A extend 0 @12500 -1500") },
	{ 13000, ADVANCE, X(OK, RUNNING, OVERTIME, -2000, 11, 0, "Lpp"),
	    N("") },
	{ 13000, EXTEND(3), X(OK, RUNNING, DANGER, 1000, 12, 0, "Lpp"),
	    N("A extend 0 @13000 1000") },
	/* a big cut straight past -grace: time's up now, not in the past */
	{ 14000, EXTEND(-3), X(OK, RUNNING, OVERTIME, -3000, 13, 0, "Lpp"),
	    N("A extend 0 @14000 -3000; T none 0 @14000 -1000") },
	{ 14000, STOP, X(OK, IDLE, NONE, 0, 14, -1, "dpp"),
	    N("A stop 0 @14000 -3000") },
	{ 14000, EXTEND(5), X(ECONFLICT, IDLE, NONE, 0, 14, -1, "dpp"),
	    N("") },
	};

	event_setup(3, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

START_TEST(test_conflicts)
{
	static const struct step steps[] = {
	{ 0, PAUSE, X(ECONFLICT, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, RESUME, X(ECONFLICT, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, STOP, X(ECONFLICT, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, PREVIOUS, X(ECONFLICT, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, GOTO(NULL), X(EINVAL, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, GOTO("zz"), X(ENOTFOUND, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, START("zz"), X(ENOTFOUND, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, SKIP("zz"), X(ENOTFOUND, IDLE, NONE, 0, 0, -1, "ppp"), N("") },
	{ 0, GOTO("a"), X(OK, READY, NONE, 5000, 1, 0, "ppp"),
	    N("A goto -1 @0 -") },
	{ 0, PAUSE, X(ECONFLICT, READY, NONE, 5000, 1, 0, "ppp"), N("") },
	{ 0, RESUME, X(ECONFLICT, READY, NONE, 5000, 1, 0, "ppp"), N("") },
	{ 0, STOP, X(ECONFLICT, READY, NONE, 5000, 1, 0, "ppp"), N("") },
	{ 0, PREVIOUS, X(ECONFLICT, READY, NONE, 5000, 1, 0, "ppp"), N("") },
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 2, 0, "Lpp"),
	    N("A start 0 @0 5000") },
	{ 500, START(NULL), X(ECONFLICT, RUNNING, NORMAL, 4500, 2, 0, "Lpp"),
	    N("") },
	{ 500, START("b"), X(ECONFLICT, RUNNING, NORMAL, 4500, 2, 0, "Lpp"),
	    N("") },
	{ 500, RESUME, X(ECONFLICT, RUNNING, NORMAL, 4500, 2, 0, "Lpp"),
	    N("") },
	{ 500, GOTO("a"), X(ECONFLICT, RUNNING, NORMAL, 4500, 2, 0, "Lpp"),
	    N("") },
	{ 500, PREVIOUS, X(ECONFLICT, RUNNING, NORMAL, 4500, 2, 0, "Lpp"),
	    N("") },
	{ 500, PAUSE, X(OK, PAUSED, NORMAL, 4500, 3, 0, "Lpp"),
	    N("A pause 0 @500 4500") },
	{ 500, PAUSE, X(ECONFLICT, PAUSED, NORMAL, 4500, 3, 0, "Lpp"), N("") },
	/* starting another slot would silently end the paused one */
	{ 500, START("b"), X(ECONFLICT, PAUSED, NORMAL, 4500, 3, 0, "Lpp"),
	    N("") },
	{ 500, GOTO("a"), X(ECONFLICT, PAUSED, NORMAL, 4500, 3, 0, "Lpp"),
	    N("") },
	{ 600, NEXT(true), X(OK, RUNNING, NORMAL, 5000, 4, 1, "dLp"),
	    N("A next 0 @600 4500") },
	{ 600, SKIP("a"), X(ECONFLICT, RUNNING, NORMAL, 5000, 4, 1, "dLp"),
	    N("") },
	{ 600, GOTO("c"), X(OK, READY, NONE, 5000, 5, 2, "ddp"),
	    N("A goto 1 @600 5000") },
	/* a slot only loaded and left stays planned */
	{ 600, NEXT(false), X(OK, FINISHED, NONE, 0, 6, -1, "ddp"),
	    N("A next 2 @600 -") },
	{ 600, NEXT(false), X(ECONFLICT, FINISHED, NONE, 0, 6, -1, "ddp"),
	    N("") },
	{ 600, NEXT(true), X(ECONFLICT, FINISHED, NONE, 0, 6, -1, "ddp"),
	    N("") },
	{ 600, EXTEND(5), X(ECONFLICT, FINISHED, NONE, 0, 6, -1, "ddp"),
	    N("") },
	{ 600, PAUSE, X(ECONFLICT, FINISHED, NONE, 0, 6, -1, "ddp"), N("") },
	{ 600, STOP, X(ECONFLICT, FINISHED, NONE, 0, 6, -1, "ddp"), N("") },
	{ 600, SKIP("c"), X(OK, FINISHED, NONE, 0, 7, -1, "dds"),
	    N("A skip 2 @600 -") },
	{ 600, START(NULL), X(ECONFLICT, FINISHED, NONE, 0, 7, -1, "dds"),
	    N("") },
	{ 600, SKIP(NULL), X(ECONFLICT, FINISHED, NONE, 0, 7, -1, "dds"),
	    N("") },
	};

	event_setup(3, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

/* The message policy shows time_up_message and says the message changed. */
static void
check_time_up_message(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)now;
	ck_assert(out->message_changed);
	ck_assert(t->message_visible);
	ck_assert_str_eq(t->message, "Vielen Dank! Bitte zum Schluss kommen.");
}

/* A plain advance leaves the message alone. */
static void
check_message_unchanged(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)now;
	ck_assert(!out->message_changed);
	ck_assert(t->message_visible);
}

/* Hiding keeps the text. */
static void
check_message_hidden(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)now;
	ck_assert(out->message_changed);
	ck_assert(!t->message_visible);
	ck_assert_str_eq(t->message, "Vielen Dank! Bitte zum Schluss kommen.");
}

START_TEST(test_time_up_message)
{
	static const struct step steps[] = {
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lp"),
	    N("A start 0 @0 5000") },
	{ 5999, ADVANCE, X(OK, RUNNING, OVERTIME, -999, 2, 0, "Lp"),
	    N("P warning 0 @3000 2000; P danger 0 @4000 1000; "
	    "P zero 0 @5000 0") },
	{ 6000, ADVANCE, X(OK, RUNNING, OVERTIME, -1000, 3, 0, "Lp"),
	    N("T message 0 @6000 -1000"), .check = check_time_up_message },
	{ 7000, ADVANCE, X(OK, RUNNING, OVERTIME, -2000, 3, 0, "Lp"), N(""),
	    .check = check_message_unchanged },
	{ 7000, MESSAGE(NULL, 0, -1), X(OK, RUNNING, OVERTIME, -2000, 4, 0,
	    "Lp"), N("A message 0 @7000 -2000"),
	    .check = check_message_hidden },
	};

	event_setup(2, TIME_UP_MESSAGE);
	RUN(steps);
}
END_TEST

/* Policy next ends slot a exactly at the time's-up moment. */
static void
check_next_ended(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_int_eq(t->slots[0].actual_start_ms, T0);
	ck_assert_int_eq(t->slots[0].actual_end_ms, T0 + 6000);
	ck_assert_int_eq(t->slots[1].actual_start_ms, TIMER_NONE);
}

START_TEST(test_time_up_next)
{
	static const struct step steps[] = {
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lp"),
	    N("A start 0 @0 5000") },
	{ 5000, ADVANCE, X(OK, RUNNING, DANGER, 0, 2, 0, "Lp"),
	    N("P warning 0 @3000 2000; P danger 0 @4000 1000") },
	{ 6000, ADVANCE, X(OK, READY, NONE, 5000, 3, 1, "dp"),
	    N("P zero 0 @5000 0; T next 0 @6000 -1000"),
	    .check = check_next_ended },
	{ 6000, START(NULL), X(OK, RUNNING, NORMAL, 5000, 4, 1, "dL"),
	    N("A start 1 @6000 5000") },
	/* the catch-up inside an action may change state even if the
	 * action itself is then refused */
	{ 12000, PAUSE, X(ECONFLICT, FINISHED, NONE, 0, 5, -1, "dd"),
	    N("P warning 1 @9000 2000; P danger 1 @10000 1000; "
	    "P zero 1 @11000 0; T next 1 @12000 -1000") },
	{ 12000, PREVIOUS, X(OK, READY, NONE, 5000, 6, 1, "dp"),
	    N("A previous -1 @12000 -") },
	};

	event_setup(2, TIME_UP_NEXT);
	RUN(steps);
}
END_TEST

/* next_start: b starts at 6000 though the advance ran only at 8500. */
static void
check_next_start_late(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	ck_assert_int_eq(t->slots[0].actual_end_ms, T0 + 6000);
	ck_assert_int_eq(t->slots[1].actual_start_ms, T0 + 6000);
	ck_assert_int_eq(timer_deadline_ms(t), T0 + 11000);
	ck_assert_int_eq(timer_elapsed_ms(t, now), 2500);
	ck_assert_int_eq(timer_next_crossing_ms(t, now), T0 + 9000);
}

/* Each slot of a chain of time's-ups ends where the next one starts. */
static void
check_chain(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_int_eq(t->slots[1].actual_end_ms, T0 + 12000);
	ck_assert_int_eq(t->slots[2].actual_start_ms, T0 + 12000);
	ck_assert_int_eq(t->slots[2].actual_end_ms, T0 + 18000);
	ck_assert_int_eq(t->pos, 3);
}

START_TEST(test_time_up_next_start)
{
	static const struct step steps[] = {
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lpp"),
	    N("A start 0 @0 5000") },
	{ 8500, ADVANCE, X(OK, RUNNING, NORMAL, 2500, 2, 1, "dLp"),
	    N("P warning 0 @3000 2000; P danger 0 @4000 1000; "
	    "P zero 0 @5000 0; T next_start 0 @6000 -1000"),
	    .check = check_next_start_late },
	{ 9500, ADVANCE, X(OK, RUNNING, WARNING, 1500, 3, 1, "dLp"),
	    N("P warning 1 @9000 2000") },
	/* far behind: b's end, all of c, and the finish in one call */
	{ 30000, ADVANCE, X(OK, FINISHED, NONE, 0, 4, -1, "ddd"),
	    N("P danger 1 @10000 1000; P zero 1 @11000 0; "
	    "T next_start 1 @12000 -1000; P warning 2 @15000 2000; "
	    "P danger 2 @16000 1000; P zero 2 @17000 0; "
	    "T next_start 2 @18000 -1000"), .check = check_chain },
	{ 30000, ADVANCE, X(OK, FINISHED, NONE, 0, 4, -1, "ddd"), N("") },
	};

	event_setup(3, TIME_UP_NEXT_START);
	RUN(steps);
}
END_TEST

START_TEST(test_notes_full)
{
	static const struct step steps[] = {
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lppp"),
	    N("A start 0 @0 5000") },
	/* eight notes fill the buffer; c is started but not caught up */
	{ 100000, ADVANCE, X(OK, RUNNING, NORMAL, -83000, 2, 2, "ddLp"),
	    N("P warning 0 @3000 2000; P danger 0 @4000 1000; "
	    "P zero 0 @5000 0; T next_start 0 @6000 -1000; "
	    "P warning 1 @9000 2000; P danger 1 @10000 1000; "
	    "P zero 1 @11000 0; T next_start 1 @12000 -1000") },
	/* so the caller asks again at the same now (c and d fit) */
	{ 100000, ADVANCE, X(OK, FINISHED, NONE, 0, 3, -1, "dddd"),
	    N("P warning 2 @15000 2000; P danger 2 @16000 1000; "
	    "P zero 2 @17000 0; T next_start 2 @18000 -1000; "
	    "P warning 3 @21000 2000; P danger 3 @22000 1000; "
	    "P zero 3 @23000 0; T next_start 3 @24000 -1000") },
	{ 100000, ADVANCE, X(OK, FINISHED, NONE, 0, 3, -1, "dddd"), N("") },
	};

	event_setup(4, TIME_UP_NEXT_START);
	RUN(steps);
}
END_TEST

/* A skipped live slot keeps its start and gets the skip as its end. */
static void
check_skipped_live(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_int_eq(t->slots[1].actual_start_ms, T0);
	ck_assert_int_eq(t->slots[1].actual_end_ms, T0 + 2000);
	ck_assert_int_eq(t->slots[0].actual_start_ms, TIMER_NONE);
}

START_TEST(test_skip)
{
	static const struct step steps[] = {
	/* a no-show while idle: the slot start would take */
	{ 0, SKIP(NULL), X(OK, READY, NONE, 5000, 1, 1, "sppp"),
	    N("A skip 0 @0 -") },
	/* naming another slot only marks it */
	{ 0, SKIP("c"), X(OK, READY, NONE, 5000, 2, 1, "spsp"),
	    N("A skip 2 @0 -") },
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 3, 1, "sLsp"),
	    N("A start 1 @0 5000") },
	/* naming the loaded slot skips it and loads the next planned */
	{ 2000, SKIP("b"), X(OK, READY, NONE, 5000, 4, 3, "sssp"),
	    N("A skip 1 @2000 3000"), .check = check_skipped_live },
	{ 2000, SKIP(NULL), X(OK, FINISHED, NONE, 0, 5, -1, "ssss"),
	    N("A skip 3 @2000 -") },
	{ 2000, START(NULL), X(ECONFLICT, FINISHED, NONE, 0, 5, -1, "ssss"),
	    N("") },
	{ 2000, PREVIOUS, X(OK, READY, NONE, 5000, 6, 3, "sssp"),
	    N("A previous -1 @2000 -") },
	/* goto revives a skipped slot; the ready d it leaves stays planned */
	{ 2000, GOTO("a"), X(OK, READY, NONE, 5000, 7, 0, "pssp"),
	    N("A goto 3 @2000 -") },
	};

	event_setup(4, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

/* previous keeps the earlier actual times until the re-run starts. */
static void
check_rerun_loaded(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_int_eq(t->slots[0].actual_start_ms, T0);
	ck_assert_int_eq(t->slots[0].actual_end_ms, T0 + 4000);
	ck_assert_int_eq(t->slots[1].actual_start_ms, T0 + 4000);
	ck_assert_int_eq(t->slots[1].actual_end_ms, T0 + 6000);
}

/* The re-run overwrites them when it starts. */
static void
check_rerun_started(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_int_eq(t->slots[0].actual_start_ms, T0 + 7000);
	ck_assert_int_eq(t->slots[0].actual_end_ms, TIMER_NONE);
}

START_TEST(test_previous)
{
	static const struct step steps[] = {
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lpp"),
	    N("A start 0 @0 5000") },
	/* the crossings due by 4000 are caught up first (seq +2) */
	{ 4000, NEXT(true), X(OK, RUNNING, NORMAL, 5000, 3, 1, "dLp"),
	    N("P warning 0 @3000 2000; P danger 0 @4000 1000; "
	    "A next 0 @4000 1000") },
	{ 6000, PREVIOUS, X(OK, READY, NONE, 5000, 4, 0, "pdp"),
	    N("A previous 1 @6000 3000"), .check = check_rerun_loaded },
	{ 6000, PREVIOUS, X(ECONFLICT, READY, NONE, 5000, 4, 0, "pdp"),
	    N("") },
	{ 7000, START(NULL), X(OK, RUNNING, NORMAL, 5000, 5, 0, "Ldp"),
	    N("A start 0 @7000 5000"), .check = check_rerun_started },
	{ 8000, NEXT(false), X(OK, READY, NONE, 5000, 6, 2, "ddp"),
	    N("A next 0 @8000 4000") },
	{ 8000, PREVIOUS, X(OK, READY, NONE, 5000, 7, 1, "dpp"),
	    N("A previous 2 @8000 -") },
	{ 8000, GOTO("b"), X(OK, READY, NONE, 5000, 8, 1, "dpp"),
	    N("A goto 1 @8000 -") },
	};

	event_setup(3, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

START_TEST(test_next_to_end)
{
	static const struct step steps[] = {
	{ 0, NEXT(false), X(OK, READY, NONE, 5000, 1, 0, "ppp"),
	    N("A next -1 @0 -") },
	{ 0, NEXT(true), X(OK, RUNNING, NORMAL, 5000, 2, 1, "pLp"),
	    N("A next 0 @0 -") },
	{ 1000, NEXT(false), X(OK, READY, NONE, 5000, 3, 2, "pdp"),
	    N("A next 1 @1000 4000") },
	{ 1000, NEXT(true), X(OK, FINISHED, NONE, 0, 4, -1, "pdp"),
	    N("A next 2 @1000 -") },
	{ 1000, NEXT(false), X(ECONFLICT, FINISHED, NONE, 0, 4, -1, "pdp"),
	    N("") },
	/* from finished, start falls back to the first planned slot */
	{ 1000, START(NULL), X(OK, RUNNING, NORMAL, 5000, 5, 0, "Ldp"),
	    N("A start 0 @1000 5000") },
	{ 2000, STOP, X(OK, IDLE, NONE, 0, 6, -1, "ddp"),
	    N("A stop 0 @2000 4000") },
	{ 2000, NEXT(false), X(OK, READY, NONE, 5000, 7, 2, "ddp"),
	    N("A next -1 @2000 -") },
	};

	event_setup(3, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

START_TEST(test_start_variants)
{
	static const struct step steps[] = {
	{ 0, START("b"), X(OK, RUNNING, NORMAL, 5000, 1, 1, "pLp"),
	    N("A start 1 @0 5000") },
	{ 1000, PAUSE, X(OK, PAUSED, NORMAL, 4000, 2, 1, "pLp"),
	    N("A pause 1 @1000 4000") },
	{ 2000, START("b"), X(OK, RUNNING, NORMAL, 4000, 3, 1, "pLp"),
	    N("A start 1 @2000 4000") },
	{ 3000, STOP, X(OK, IDLE, NONE, 0, 4, -1, "pdp"),
	    N("A stop 1 @3000 3000") },
	{ 3000, GOTO("a"), X(OK, READY, NONE, 5000, 5, 0, "pdp"),
	    N("A goto -1 @3000 -") },
	{ 3000, START("c"), X(OK, RUNNING, NORMAL, 5000, 6, 2, "pdL"),
	    N("A start 2 @3000 5000") },
	{ 4000, NEXT(false), X(OK, FINISHED, NONE, 0, 7, -1, "pdd"),
	    N("A next 2 @4000 4000") },
	{ 4000, START(NULL), X(OK, RUNNING, NORMAL, 5000, 8, 0, "Ldd"),
	    N("A start 0 @4000 5000") },
	{ 5000, GOTO("b"), X(OK, READY, NONE, 5000, 9, 1, "dpd"),
	    N("A goto 0 @5000 4000") },
	};

	event_setup(3, TIME_UP_NONE);
	RUN(steps);
}
END_TEST

START_TEST(test_withdrawn)
{
	static const struct step steps[] = {
	{ 0, START("b"), X(ECONFLICT, IDLE, NONE, 0, 0, -1, "pwpp"), N("") },
	{ 0, GOTO("b"), X(ECONFLICT, IDLE, NONE, 0, 0, -1, "pwpp"), N("") },
	{ 0, SKIP("b"), X(ECONFLICT, IDLE, NONE, 0, 0, -1, "pwpp"), N("") },
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 1, 0, "Lwpp"),
	    N("A start 0 @0 5000") },
	{ 1000, NEXT(false), X(OK, READY, NONE, 5000, 2, 2, "dwpp"),
	    N("A next 0 @1000 4000") },
	{ 1000, PREVIOUS, X(OK, READY, NONE, 5000, 3, 0, "pwpp"),
	    N("A previous 2 @1000 -") },
	{ 1000, START("d"), X(OK, RUNNING, NORMAL, 5000, 4, 3, "pwpL"),
	    N("A start 3 @1000 5000") },
	{ 2000, NEXT(false), X(OK, FINISHED, NONE, 0, 5, -1, "pwpd"),
	    N("A next 3 @2000 4000") },
	};

	event_setup(4, TIME_UP_NONE);
	slots[1].status = SLOT_WITHDRAWN;
	ck_assert_int_eq(agenda_next_slot(&tm), 0);
	RUN(steps);
}
END_TEST

static char msg_280[TIMER_MESSAGE_BYTES];
static char msg_281[TIMER_MESSAGE_BYTES + 4];

/* Text without visible shows it. */
static void
check_msg_hallo(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)now;
	ck_assert(out->message_changed);
	ck_assert_str_eq(t->message, "Hallo");
	ck_assert(t->message_visible);
	ck_assert(!t->message_blink);
}

/* Blink alone keeps text and visibility. */
static void
check_msg_blink(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)now;
	ck_assert(out->message_changed);
	ck_assert_str_eq(t->message, "Hallo");
	ck_assert(t->message_visible);
	ck_assert(t->message_blink);
}

/* Text with an explicit visible=false stays hidden. */
static void
check_msg_hidden(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_str_eq(t->message, "x");
	ck_assert(!t->message_visible);
	ck_assert(t->message_blink);
}

/* 280 two-byte characters are accepted whole. */
static void
check_msg_280(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)out;
	(void)now;
	ck_assert_uint_eq(strlen(t->message), 560);
	ck_assert_str_eq(t->message, msg_280);
}

/* Blackout is state, not message. */
static void
check_blackout(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	(void)now;
	ck_assert(t->blackout);
	ck_assert(!out->message_changed);
}

START_TEST(test_message)
{
	static const struct step steps[] = {
	{ 0, MESSAGE("Hallo", -1, -1), X(OK, IDLE, NONE, 0, 1, -1, "pp"),
	    N("A message -1 @0 -"), .check = check_msg_hallo },
	{ 0, MESSAGE(NULL, -1, 1), X(OK, IDLE, NONE, 0, 2, -1, "pp"),
	    N("A message -1 @0 -"), .check = check_msg_blink },
	{ 0, MESSAGE("x", 0, -1), X(OK, IDLE, NONE, 0, 3, -1, "pp"),
	    N("A message -1 @0 -"), .check = check_msg_hidden },
	{ 0, MESSAGE(msg_281, -1, -1), X(EINVAL, IDLE, NONE, 0, 3, -1, "pp"),
	    N("") },
	{ 0, MESSAGE("\xc3\x28", -1, -1), X(EINVAL, IDLE, NONE, 0, 3, -1,
	    "pp"), N("") },
	{ 0, MESSAGE("\xc0\xaf", -1, -1), X(EINVAL, IDLE, NONE, 0, 3, -1,
	    "pp"), N("") },
	{ 0, MESSAGE("\xe0\x80\xaf", -1, -1), X(EINVAL, IDLE, NONE, 0, 3, -1,
	    "pp"), N("") },
	{ 0, MESSAGE("\xe2\x82", -1, -1), X(EINVAL, IDLE, NONE, 0, 3, -1,
	    "pp"), N("") },
	{ 0, MESSAGE("\xed\xa0\x80", -1, -1), X(EINVAL, IDLE, NONE, 0, 3, -1,
	    "pp"), N("") },
	{ 0, MESSAGE("\xf4\x90\x80\x80", -1, -1), X(EINVAL, IDLE, NONE, 0, 3,
	    -1, "pp"), N("") },
	{ 0, MESSAGE("ok \xe2\x80\xa6", -1, 9), X(OK, IDLE, NONE, 0, 4, -1,
	    "pp"), N("A message -1 @0 -") },
	{ 0, MESSAGE(msg_280, -1, -1), X(OK, IDLE, NONE, 0, 5, -1, "pp"),
	    N("A message -1 @0 -"), .check = check_msg_280 },
	{ 0, START(NULL), X(OK, RUNNING, NORMAL, 5000, 6, 0, "Lp"),
	    N("A start 0 @0 5000") },
	{ 1000, BLACKOUT(true), X(OK, RUNNING, NORMAL, 4000, 7, 0, "Lp"),
	    N("A blackout 0 @1000 4000"), .check = check_blackout },
	{ 1000, MESSAGE("\xf0\x9f\x8e\xa4 Zeit!", 1, 0), X(OK, RUNNING,
	    NORMAL, 4000, 8, 0, "Lp"), N("A message 0 @1000 4000") },
	};
	size_t	i;

	for (i = 0; i < 280; i++)
		memcpy(msg_280 + 2 * i, "\xc3\xa4", 2);
	msg_280[560] = '\0';
	memcpy(msg_281, msg_280, 560);
	memcpy(msg_281 + 560, "\xc3\xa4", 3);
	event_setup(2, TIME_UP_NONE);
	RUN(steps);
	ck_assert(tm.message_visible);
	ck_assert(!tm.message_blink);
	ck_assert_str_eq(tm.message, "\xf0\x9f\x8e\xa4 Zeit!");
}
END_TEST

/* Cases for timer_next_crossing_ms: a deadline, now, and the answer. */
struct crossing_case {
	int64_t	run_since, duration, elapsed, now, want;
};

START_TEST(test_next_crossing)
{
	static const struct crossing_case cases[] = {
		/* deadline T0 + 5000 */
		{ T0, 5000, 0, T0, T0 + 1000 },
		{ T0, 5000, 0, T0 + 1, T0 + 1000 },
		{ T0, 5000, 0, T0 + 999, T0 + 1000 },
		{ T0, 5000, 0, T0 + 1000, T0 + 2000 },	/* strictly after */
		{ T0, 5000, 0, T0 + 4999, T0 + 5000 },	/* the deadline */
		{ T0, 5000, 0, T0 + 5000, T0 + 6000 },	/* into overtime */
		{ T0, 5000, 0, T0 + 5001, T0 + 6000 },
		{ T0, 5000, 0, T0 + 7999, T0 + 8000 },
		{ T0, 5000, 0, T0 + 8000, T0 + 9000 },
		{ T0, 5000, 0, T0 - 10, T0 },
		/* resumed at T0 + 2000 after 750 ms: deadline T0 + 6250 */
		{ T0 + 2000, 5000, 750, T0 + 2000, T0 + 2250 },
		{ T0 + 2000, 5000, 750, T0 + 2250, T0 + 3250 },
		{ T0 + 2000, 5000, 750, T0 + 6250, T0 + 7250 },
		{ T0 + 2000, 5000, 750, T0 + 7000, T0 + 7250 },
		/* negative operands of the floor division: deadline 500 */
		{ 0, 500, 0, -2000, -1500 },
		{ 0, 500, 0, -1500, -500 },
		{ 0, 500, 0, 3000, 3500 },
		{ 0, 500, 0, 3499, 3500 },
		{ 0, 500, 0, 3500, 4500 },
	};
	struct timer_slot	s[1];
	struct timer		t;
	size_t			i;

	memset(s, 0, sizeof s);
	strcpy(s[0].id, "a");
	timer_init(&t, s, 1);
	ck_assert_int_eq(timer_next_crossing_ms(&t, T0), TIMER_NONE);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t.cur = 0;
		t.mode = TIMER_RUNNING;
		t.run_since_ms = cases[i].run_since;
		t.duration_ms = cases[i].duration;
		t.elapsed_ms = cases[i].elapsed;
		t.added_ms = 0;
		ck_assert_msg(timer_next_crossing_ms(&t, cases[i].now) ==
		    cases[i].want, "case %zu: got %" PRId64 " want %" PRId64,
		    i, timer_next_crossing_ms(&t, cases[i].now), cases[i].want);
		/* remaining at the crossing is a whole second */
		ck_assert_int_eq(timer_remaining_ms(&t, cases[i].want) % 1000,
		    0);
	}
	t.mode = TIMER_PAUSED;
	t.run_since_ms = TIMER_NONE;
	ck_assert_int_eq(timer_next_crossing_ms(&t, T0), TIMER_NONE);
	t.mode = TIMER_READY;
	ck_assert_int_eq(timer_next_crossing_ms(&t, T0), TIMER_NONE);
}
END_TEST

/* Applies an action that must succeed. */
static void
must_apply(struct timer_action a, int64_t at)
{
	struct timer_notes	 out;
	const char		*why = NULL;
	enum timer_result	 rc;

	rc = timer_apply(&tm, &a, T0 + at, &out, &why);
	ck_assert_msg(rc == TIMER_OK, "%s at %" PRId64 ": %s",
	    timer_action_name(a.kind), at, why != NULL ? why : "");
}

/* Projects at now and compares against want (relative to T0, or NONE). */
static void
check_projection(int64_t at, const int64_t *want, size_t n)
{
	int64_t	got[MAXSLOTS], w;
	size_t	i;

	for (i = 0; i < MAXSLOTS; i++)
		got[i] = 12345;
	agenda_project(&tm, T0 + at, got);
	for (i = 0; i < n; i++) {
		w = want[i] == TIMER_NONE ? TIMER_NONE : T0 + want[i];
		ck_assert_msg(got[i] == w, "at %" PRId64 " slot %zu: got %"
		    PRId64 " want %" PRId64, at, i,
		    got[i] == TIMER_NONE ? got[i] : got[i] - T0, want[i]);
	}
	ck_assert_int_eq(got[n], 12345);	/* nothing written past nslots */
}

START_TEST(test_agenda)
{
	static const int64_t before[] = { 0, 7000, 14000, 21000 };
	static const int64_t late_idle[] = { 3000, 10000, 17000, 24000 };
	static const int64_t on_time[] = { 0, 7000, 14000, 21000 };
	static const int64_t delayed[] = { 0, 27000, 34000, 41000 };
	static const int64_t paused_over[] = { 0, 42000, 49000, 56000 };
	static const int64_t after_skip[] = { 0, 42000, TIMER_NONE, 49000 };
	static const int64_t paused_ahead[] = { 0, 41000, TIMER_NONE, 56000 };
	struct timer_action	a;

	event_setup(4, TIME_UP_NONE);

	/* before the event: the plan */
	check_projection(-60000, before, 4);
	ck_assert_int_eq(agenda_next_slot(&tm), 0);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 - 60000), 0);

	/* nothing started 3 s after the planned start: never in the past */
	check_projection(3000, late_idle, 4);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 3000), 3000);

	memset(&a, 0, sizeof a);
	a.kind = TA_START;
	must_apply(a, 0);
	ck_assert_int_eq(agenda_next_slot(&tm), 1);
	check_projection(2000, on_time, 4);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 2000), 0);

	/* slot a runs 20 s long: later slots move, keeping the changeover */
	timer_advance(&tm, T0 + 25000, NULL);
	check_projection(25000, delayed, 4);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 25000), 20000);

	/* paused in overtime: the slot is taken to end now */
	a.kind = TA_PAUSE;
	must_apply(a, 25000);
	check_projection(40000, paused_over, 4);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 40000), 35000);

	/* a done slot ends at its actual end; a skipped slot has none */
	a.kind = TA_NEXT;
	must_apply(a, 40000);
	a.kind = TA_SKIP;
	a.pitch = "c";
	must_apply(a, 40000);
	a.pitch = NULL;
	check_projection(41000, after_skip, 4);
	ck_assert_int_eq(agenda_next_slot(&tm), 3);	/* b loaded, c skipped */
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 41000), 49000 - 21000);

	/* b paused with 4 s left: it ends at now + 4 s */
	a.kind = TA_START;
	must_apply(a, 41000);
	a.kind = TA_PAUSE;
	must_apply(a, 42000);
	ck_assert_int_eq(timer_remaining_ms(&tm, T0 + 50000), 4000);
	check_projection(50000, paused_ahead, 4);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 50000), 56000 - 21000);
}
END_TEST

START_TEST(test_agenda_changeover_chain)
{
	/* after a stop, later slots follow the done slot's real end */
	static const int64_t after_stop[] = { 0, 12000, 19000, 26000 };
	static const int64_t ready_late[] = { 0, 30000, 37000, 44000 };
	struct timer_action	a;

	event_setup(4, TIME_UP_NONE);
	slots[0].changeover_ms = 5000;
	memset(&a, 0, sizeof a);
	a.kind = TA_START;
	must_apply(a, 0);
	a.kind = TA_STOP;
	must_apply(a, 7000);
	/* b: max(7000, now, 7000 + a's 5 s changeover) */
	check_projection(7500, after_stop, 4);
	ck_assert_int_eq(agenda_next_slot(&tm), 1);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 7500), 5000);

	/* b loaded but not started: it takes its full length from now */
	a.kind = TA_NEXT;
	must_apply(a, 30000);
	check_projection(30000, ready_late, 4);
	ck_assert_int_eq(agenda_next_slot(&tm), 2);
	ck_assert_int_eq(agenda_delay_ms(&tm, T0 + 30000), 37000 - 14000);
}
END_TEST

START_TEST(test_names)
{
	int	i;

	for (i = TIMER_IDLE; i <= TIMER_FINISHED; i++)
		ck_assert_int_eq(timer_mode_parse(timer_mode_name(i)), i);
	for (i = PHASE_NONE; i <= PHASE_OVERTIME; i++)
		ck_assert_int_eq(timer_phase_parse(timer_phase_name(i)), i);
	for (i = SLOT_PLANNED; i <= SLOT_WITHDRAWN; i++)
		ck_assert_int_eq(slot_status_parse(slot_status_name(i)), i);
	for (i = 0; i < TA__COUNT; i++)
		ck_assert_int_eq(timer_action_parse(timer_action_name(i)), i);
	ck_assert_str_eq(timer_mode_name(TIMER_FINISHED), "finished");
	ck_assert_str_eq(timer_phase_name(PHASE_OVERTIME), "overtime");
	ck_assert_str_eq(slot_status_name(SLOT_WITHDRAWN), "withdrawn");
	ck_assert_str_eq(timer_action_name(TA_PREVIOUS), "previous");
	ck_assert_int_eq(timer_action_parse("goto"), TA_GOTO);
	ck_assert_int_eq(timer_action_parse("Start"), -1);
	ck_assert_int_eq(timer_action_parse(""), -1);
	ck_assert_int_eq(timer_action_parse(NULL), -1);
	ck_assert_int_eq(timer_mode_parse("zero"), -1);
	ck_assert_int_eq(timer_phase_parse("zero"), -1);
	ck_assert_int_eq(slot_status_parse("ready"), -1);

	event_setup(3, TIME_UP_NONE);
	ck_assert_int_eq(timer_slot_find(&tm, "c"), 2);
	ck_assert_int_eq(timer_slot_find(&tm, "a"), 0);
	ck_assert_int_eq(timer_slot_find(&tm, "d"), -1);
	ck_assert_int_eq(timer_slot_find(&tm, NULL), -1);
	ck_assert_int_eq(tm.cur, -1);
	ck_assert_int_eq(tm.pos, -1);
	ck_assert_int_eq(tm.mode, TIMER_IDLE);
	ck_assert_int_eq(tm.seq, 0);
	ck_assert_int_eq(tm.slots[2].actual_start_ms, TIMER_NONE);
	ck_assert_int_eq(timer_remaining_ms(&tm, T0), 0);
	ck_assert_int_eq(timer_phase_at(&tm, T0), PHASE_NONE);
}
END_TEST

/* Collects the tests; each table is one test so failures name the event. */
static Suite *
timer_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("timer");
	tc = tcase_create("events");
	tcase_add_test(tc, test_pause_and_crossings);
	tcase_add_test(tc, test_crossings_at_once);
	tcase_add_test(tc, test_extend);
	tcase_add_test(tc, test_conflicts);
	tcase_add_test(tc, test_time_up_message);
	tcase_add_test(tc, test_time_up_next);
	tcase_add_test(tc, test_time_up_next_start);
	tcase_add_test(tc, test_notes_full);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_previous);
	tcase_add_test(tc, test_next_to_end);
	tcase_add_test(tc, test_start_variants);
	tcase_add_test(tc, test_withdrawn);
	tcase_add_test(tc, test_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("pure");
	tcase_add_test(tc, test_next_crossing);
	tcase_add_test(tc, test_agenda);
	tcase_add_test(tc, test_agenda_changeover_chain);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(timer_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
