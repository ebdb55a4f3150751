/*
 * fuzz_timer.c — libFuzzer harness for the timer state machine.
 *
 * The request-body decoders live in daemon/api.c behind evhttp, so this
 * harness takes what is pure: an action body decoded with jansson (or built
 * directly from the input bytes) and applied with timer_apply(), between
 * timer_advance() calls, on a small agenda and a fake clock that only moves
 * forward. After every call the invariants a restart and the screens rely on
 * are checked: seq grows by at most two per action and one per advance,
 * enums stay in range, the loaded slot and the live status agree, remaining
 * follows the clock (constant while paused, deadline - now while running),
 * and a failed action changes nothing when there was nothing to catch up.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_data.h"
#include "timer.h"

#define FUZZ_T0		INT64_C(1796302800000)
#define FUZZ_MAXSLOTS	6
#define FUZZ_MAXSTEPS	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Everything one step may borrow; freed after the step. */
struct fuzz_body {
	json_t	*json;
	char	*pitch;
	char	*text;
};

/* Stops the run on a broken invariant, with the state it was found in. */
static void
fuzz_timer_fail(const struct timer *t, int64_t now, const char *what)
{
	size_t	i;

	fprintf(stderr, "fuzz_timer: %s (now T0+%lld mode %d phase %d cur %d "
	    "pos %d seq %llu dur %lld added %lld elapsed %lld since %lld)\n",
	    what, (long long)(now - FUZZ_T0), (int)t->mode, (int)t->phase,
	    t->cur, t->pos, (unsigned long long)t->seq,
	    (long long)t->duration_ms, (long long)t->added_ms,
	    (long long)t->elapsed_ms, (long long)t->run_since_ms);
	for (i = 0; i < t->nslots; i++) {
		fprintf(stderr, "  slot %zu %s status %d start %lld end %lld\n",
		    i, t->slots[i].id, (int)t->slots[i].status,
		    (long long)t->slots[i].actual_start_ms,
		    (long long)t->slots[i].actual_end_ms);
	}
	abort();
}

/* Checks what must hold between any two calls. */
static void
fuzz_timer_check(const struct timer *t, int64_t now)
{
	size_t	i, nlive = 0;
	bool	live;

	if ((int)t->mode < TIMER_IDLE || t->mode > TIMER_FINISHED)
		fuzz_timer_fail(t, now, "mode out of range");
	if ((int)t->phase < PHASE_NONE || t->phase > PHASE_OVERTIME)
		fuzz_timer_fail(t, now, "phase out of range");
	if (t->cur < -1 || t->cur >= (int)t->nslots)
		fuzz_timer_fail(t, now, "cur out of range");
	if (t->pos < -1 || t->pos > (int)t->nslots)
		fuzz_timer_fail(t, now, "pos out of range");
	if ((t->mode == TIMER_IDLE || t->mode == TIMER_FINISHED) != (t->cur == -1))
		fuzz_timer_fail(t, now, "cur does not match the mode");
	live = t->mode == TIMER_RUNNING || t->mode == TIMER_PAUSED;
	if (live != (t->phase != PHASE_NONE))
		fuzz_timer_fail(t, now, "phase does not match the mode");
	if ((t->mode == TIMER_RUNNING) != (t->run_since_ms != TIMER_NONE))
		fuzz_timer_fail(t, now, "run_since does not match the mode");
	if (t->run_since_ms != TIMER_NONE && t->run_since_ms > now)
		fuzz_timer_fail(t, now, "running span starts in the future");
	if (t->elapsed_ms < 0 || timer_elapsed_ms(t, now) < 0)
		fuzz_timer_fail(t, now, "negative elapsed");
	if (t->cur >= 0 && t->mode != TIMER_READY &&
	    timer_remaining_ms(t, now) != t->duration_ms + t->added_ms -
	    timer_elapsed_ms(t, now))
		fuzz_timer_fail(t, now, "remaining is not duration+added-elapsed");
	if (t->mode == TIMER_RUNNING &&
	    timer_deadline_ms(t) - now != timer_remaining_ms(t, now))
		fuzz_timer_fail(t, now, "deadline - now != remaining");
	if (t->mode != TIMER_RUNNING && timer_deadline_ms(t) != TIMER_NONE)
		fuzz_timer_fail(t, now, "deadline while not running");
	if (t->mode == TIMER_PAUSED &&
	    timer_remaining_ms(t, now) != timer_remaining_ms(t, now + 123456))
		fuzz_timer_fail(t, now, "remaining moves while paused");
	if (t->mode == TIMER_RUNNING && timer_remaining_ms(t, now) -
	    timer_remaining_ms(t, now + 1000) != 1000)
		fuzz_timer_fail(t, now, "remaining does not follow the clock");
	if (t->mode == TIMER_RUNNING) {
		int64_t	c = timer_next_crossing_ms(t, now);

		if (c <= now || c > now + 1000 ||
		    (timer_deadline_ms(t) - c) % 1000 != 0)
			fuzz_timer_fail(t, now, "next crossing is wrong");
	} else if (timer_next_crossing_ms(t, now) != TIMER_NONE)
		fuzz_timer_fail(t, now, "crossing while not running");
	for (i = 0; i < t->nslots; i++) {
		const struct timer_slot	*s = &t->slots[i];

		if ((int)s->status < SLOT_PLANNED || s->status > SLOT_WITHDRAWN)
			fuzz_timer_fail(t, now, "slot status out of range");
		if (s->status == SLOT_LIVE) {
			nlive++;
			if ((int)i != t->cur || !live)
				fuzz_timer_fail(t, now, "live slot not loaded");
		}
		if (s->status == SLOT_LIVE && s->actual_start_ms == TIMER_NONE)
			fuzz_timer_fail(t, now, "live slot never started");
		if (s->actual_start_ms != TIMER_NONE && s->actual_start_ms > now)
			fuzz_timer_fail(t, now, "slot starts in the future");
		if (s->actual_end_ms != TIMER_NONE && s->actual_end_ms > now)
			fuzz_timer_fail(t, now, "slot ends in the future");
	}
	if (nlive != (live ? 1u : 0u))
		fuzz_timer_fail(t, now, "live slot count does not match mode");
	if (strnlen(t->message, sizeof t->message) == sizeof t->message)
		fuzz_timer_fail(t, now, "message not terminated");
}

/* Checks the notes one call returned. */
static void
fuzz_timer_check_notes(const struct timer *t, const struct timer_notes *out,
    int64_t now)
{
	size_t	i;

	if (out->n > TIMER_NOTES_MAX)
		fuzz_timer_fail(t, now, "too many notes");
	for (i = 0; i < out->n; i++) {
		const struct timer_note	*n = &out->note[i];

		if (n->what == NULL || *n->what == '\0')
			fuzz_timer_fail(t, now, "note without a name");
		if (n->slot < -1 || n->slot >= (int)t->nslots)
			fuzz_timer_fail(t, now, "note slot out of range");
		if (n->at_ms > now)
			fuzz_timer_fail(t, now, "note in the future");
		if (n->kind != NOTE_ACTION && n->slot < 0)
			fuzz_timer_fail(t, now, "crossing without a slot");
	}
}

/* Reads a string field of a decoded body, NULL when absent or not a string. */
static const char *
fuzz_json_str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_is_string(v) ? json_string_value(v) : NULL);
}

/* Reads a boolean field as -1 (absent or not a boolean), 0 or 1. */
static int
fuzz_json_bool(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_is_boolean(v) ? json_is_true(v) : -1);
}

/* Decodes an action body with jansson as the API would see it. */
static void
fuzz_timer_json(struct fuzz_data *fd, struct timer_action *a,
    struct fuzz_body *b)
{
	char	*raw;
	size_t	 len = (size_t)fuzz_data_range(fd, 0, 600);
	json_t	*v;
	int	 k;

	raw = fuzz_data_bytes(fd, len);
	b->json = json_loadb(raw, strlen(raw), JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (!json_is_object(b->json))
		return;
	a->pitch = fuzz_json_str(b->json, "pitch");
	v = json_object_get(b->json, "seconds");
	if (json_is_integer(v))
		a->seconds = json_integer_value(v);
	a->start = fuzz_json_bool(b->json, "start") == 1;
	a->text = fuzz_json_str(b->json, "text");
	a->visible = fuzz_json_bool(b->json, "visible");
	a->blink = fuzz_json_bool(b->json, "blink");
	a->on = fuzz_json_bool(b->json, "on") == 1;
	if ((k = timer_action_parse(fuzz_json_str(b->json, "action") ?
	    fuzz_json_str(b->json, "action") : "")) != -1)
		a->kind = (enum timer_action_kind)k;
}

/* Builds an action straight from the input bytes. */
static void
fuzz_timer_raw(struct fuzz_data *fd, const struct timer *t,
    struct timer_action *a, struct fuzz_body *b)
{
	uint8_t	sel = fuzz_data_byte(fd);

	switch (sel & 3) {
	case 0:
		a->pitch = NULL;
		break;
	case 1:
	case 2:
		a->pitch = t->slots[fuzz_data_range(fd, 0,
		    (int64_t)t->nslots - 1)].id;
		break;
	default:
		b->pitch = fuzz_data_string(fd, 64);
		a->pitch = b->pitch;
		break;
	}
	switch ((sel >> 2) & 3) {
	case 0:
		a->seconds = fuzz_data_range(fd, -70, 70);
		break;
	case 1:
		a->seconds = fuzz_data_range(fd, -4000, 4000);
		break;
	default:
		a->seconds = (int64_t)fuzz_data_uint(fd, 8);
		break;
	}
	a->start = (sel >> 4) & 1;
	a->on = (sel >> 5) & 1;
	a->visible = (int)fuzz_data_range(fd, -1, 1);
	a->blink = (int)fuzz_data_range(fd, -1, 1);
	if ((sel >> 6) & 1) {
		b->text = fuzz_data_bytes(fd,
		    (size_t)fuzz_data_range(fd, 0, 1200));
		a->text = b->text;
	}
}

/* Applies one action and checks the outcome against the state before. */
static void
fuzz_timer_act(struct timer *t, struct timer_slot *slots, size_t nslots,
    const struct timer_action *a, int64_t now)
{
	struct timer		 before, probe;
	struct timer_slot	 sbefore[FUZZ_MAXSLOTS], sprobe[FUZZ_MAXSLOTS];
	struct timer_notes	 out;
	enum timer_result	 rc;
	const char		*why;
	bool			 quiet;
	size_t			 i;

	/* Would catching up alone change anything? */
	memcpy(&probe, t, sizeof probe);
	memcpy(sprobe, slots, nslots * sizeof *slots);
	probe.slots = sprobe;
	timer_advance(&probe, now, &out);
	quiet = !out.changed;

	memcpy(&before, t, sizeof before);
	memcpy(sbefore, slots, nslots * sizeof *slots);
	rc = timer_apply(t, a, now, &out, &why);
	fuzz_timer_check(t, now);
	fuzz_timer_check_notes(t, &out, now);
	if (t->seq < before.seq || t->seq - before.seq > 2)
		fuzz_timer_fail(t, now, "seq grew by more than 2");
	if (out.changed != (t->seq != before.seq))
		fuzz_timer_fail(t, now, "changed does not match seq");
	if (rc == TIMER_OK) {
		if (t->seq == before.seq)
			fuzz_timer_fail(t, now, "action did not bump seq");
		for (i = 0; i < out.n; i++) {
			if (out.note[i].kind == NOTE_ACTION)
				break;
		}
		if (i == out.n)
			fuzz_timer_fail(t, now, "action without an action note");
		return;
	}
	if (rc != TIMER_EINVAL && rc != TIMER_ENOTFOUND &&
	    rc != TIMER_ECONFLICT)
		fuzz_timer_fail(t, now, "unknown result");
	if (why == NULL || *why == '\0')
		fuzz_timer_fail(t, now, "error without a reason");
	if (quiet && (memcmp(&before, t, sizeof before) != 0 ||
	    memcmp(sbefore, slots, nslots * sizeof *slots) != 0))
		fuzz_timer_fail(t, now, "failed action changed the state");
}

/* Runs one agenda through the steps the input describes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_data	 fd;
	struct timer_slot	 slots[FUZZ_MAXSLOTS];
	struct timer		 t;
	struct timer_action	 a;
	struct timer_notes	 out;
	struct fuzz_body	 b;
	size_t			 nslots, i, step, rounds;
	int64_t			 now = FUZZ_T0, len;
	uint64_t		 seq;
	uint8_t			 op;

	fuzz_data_init(&fd, data, size);
	nslots = (size_t)fuzz_data_range(&fd, 1, FUZZ_MAXSLOTS);
	memset(slots, 0, sizeof slots);
	for (i = 0; i < nslots; i++) {
		struct timer_slot	*s = &slots[i];

		(void)snprintf(s->id, sizeof s->id, "p%zu", i);
		len = fuzz_data_range(&fd, 1, 600);
		s->length_ms = len * 1000;
		s->warning_ms = fuzz_data_range(&fd, 0, len) * 1000;
		s->danger_ms = fuzz_data_range(&fd, 0,
		    s->warning_ms / 1000) * 1000;
		s->grace_ms = fuzz_data_range(&fd, 0, 60) * 1000;
		s->changeover_ms = fuzz_data_range(&fd, 0, 120) * 1000;
		s->on_time_up = (enum time_up_action)fuzz_data_range(&fd, 0, 3);
		s->planned_start_ms = FUZZ_T0 + (int64_t)i * 600000;
	}
	timer_init(&t, slots, nslots);
	for (i = 0; i < nslots; i++) {
		/* A reload may have withdrawn some. */
		if (fuzz_data_range(&fd, 0, 7) == 0)
			slots[i].status = SLOT_WITHDRAWN;
	}
	(void)snprintf(t.time_up_message, sizeof t.time_up_message,
	    "Time is up");
	fuzz_timer_check(&t, now);

	for (step = 0; step < FUZZ_MAXSTEPS && fd.left > 0; step++) {
		op = fuzz_data_byte(&fd);
		switch (op >> 6) {
		case 0:
			now += fuzz_data_range(&fd, 0, 1500);
			break;
		case 1:
			now += fuzz_data_range(&fd, 0, 15000);
			break;
		case 2:
			now += fuzz_data_range(&fd, 0, 7200000);
			break;
		default:
			break;
		}
		if ((op & 0x3f) >= 2 * TA__COUNT) {
			/* Advance, as the daemon does at each crossing. */
			seq = t.seq;
			timer_advance(&t, now, &out);
			fuzz_timer_check(&t, now);
			fuzz_timer_check_notes(&t, &out, now);
			if (t.seq - seq > 1 || out.changed != (t.seq != seq))
				fuzz_timer_fail(&t, now, "advance seq");
			continue;
		}
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		a.kind = (enum timer_action_kind)((op & 0x3f) % TA__COUNT);
		a.visible = a.blink = -1;
		if ((op & 0x3f) >= TA__COUNT)
			fuzz_timer_json(&fd, &a, &b);
		else
			fuzz_timer_raw(&fd, &t, &a, &b);
		fuzz_timer_act(&t, slots, nslots, &a, now);
		json_decref(b.json);
		free(b.pitch);
		free(b.text);
	}

	/* However far behind, repeated advances settle on the right phase. */
	for (rounds = 0; rounds < 4 * (nslots + 1); rounds++) {
		timer_advance(&t, now, &out);
		fuzz_timer_check(&t, now);
		if (!out.changed)
			break;
	}
	if (t.phase != timer_phase_at(&t, now))
		fuzz_timer_fail(&t, now, "phase did not settle");
	return (0);
}
