/*
 * stage.c — the runtime of each stage. Every change goes the same way:
 * compute it on the pure timer, commit it (ledger + live state) to SQLite,
 * and only then answer and push. If the commit fails the change is undone,
 * so what screens show is always what is on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "http.h"
#include "log.h"
#include "snapshot.h"
#include "sse.h"
#include "stage.h"
#include "store.h"
#include "writer.h"

static void	stage_tick(evutil_socket_t, short, void *);
static void	stage_schedule(struct stage *);
static void	stage_send_tick(struct stage *, int64_t);

/* Pushes the new state (and message) of a stage to its stream. */
static void
stage_publish(struct stage *st, const struct timer_notes *notes, int64_t now)
{
	json_t	*snap;
	char	*s;

	if (st->nclients == 0)
		return;
	snap = snapshot_state(st, now);
	if ((s = json_dumps(snap, JSON_COMPACT)) != NULL) {
		sse_broadcast(st, "state", (int64_t)st->timer.seq, s, strlen(s));
		free(s);
	}
	if (notes->message_changed) {
		json_t *m = json_object_get(snap, "message");

		if ((s = json_dumps(m, JSON_COMPACT)) != NULL) {
			sse_broadcast(st, "message", (int64_t)st->timer.seq, s,
			    strlen(s));
			free(s);
		}
	}
	json_decref(snap);
}

/*
 * Points the timer's time's-up message at the loaded slot's own, so a
 * per-pitch time_up_message is the one shown when that pitch runs over.
 */
static void
stage_sync_message(struct stage *st)
{
	struct timer	*t = &st->timer;
	const char	*m = t->cur >= 0 ? st->info[t->cur].time_up_message :
	    env->cfg->timing.time_up_message;

	snprintf(t->time_up_message, sizeof t->time_up_message, "%s", m);
}

/*
 * The latest whole-second crossing of remaining time at or before now in the
 * running span (its remaining in *k), or TIMER_NONE. The instant a span
 * starts is not a crossing: the state event already says so.
 */
static int64_t
stage_last_crossing(const struct stage *st, int64_t now, int64_t *k)
{
	int64_t	r, c;

	if (st->timer.mode != TIMER_RUNNING)
		return TIMER_NONE;
	r = timer_remaining_ms(&st->timer, now);
	/* The multiple of 1000 at or above r. */
	*k = r >= 0 ? (r + 999) / 1000 * 1000 : -((-r) / 1000 * 1000);
	c = timer_deadline_ms(&st->timer) - *k;
	return c > st->timer.run_since_ms ? c : TIMER_NONE;
}

/*
 * Aims the tick event at the next whole-second crossing, or stops it. A
 * crossing that passed without its tick (an action's commit took the loop
 * past it) is due at once rather than skipped.
 */
static void
stage_schedule(struct stage *st)
{
	int64_t		next, delay_us, now, deadline, due, k;
	struct timeval	tv;

	stage_sync_message(st);
	now = clock_now_ms();
	next = timer_next_crossing_ms(&st->timer, now);
	due = stage_last_crossing(st, now, &k);
	if (due != TIMER_NONE && due != st->last_tick)
		next = due;
	deadline = timer_deadline_ms(&st->timer);
	/*
	 * Overtime starts the moment remaining drops below zero, one ms after
	 * the zero crossing, not at the next whole second: wake up for it.
	 */
	if (deadline != TIMER_NONE && now < deadline + 1 && next > deadline + 1 &&
	    next != due)
		next = deadline + 1;
	if (next == TIMER_NONE) {
		evtimer_del(st->tick_ev);
		st->tick_at = TIMER_NONE;
		return;
	}
	st->tick_at = next;
	delay_us = next * 1000 - clock_now_us();
	if (delay_us < 0)
		delay_us = 0;
	tv.tv_sec = (time_t)(delay_us / 1000000);
	tv.tv_usec = (suseconds_t)(delay_us % 1000000);
	evtimer_add(st->tick_ev, &tv);
}

/* Logs the ledger notes of a change, one line each. */
static void
stage_log(const struct stage *st, const struct timer_notes *notes,
    const char *who)
{
	size_t	i;

	for (i = 0; i < notes->n; i++) {
		const struct timer_note *n = &notes->note[i];

		log_info("stage %s: %s %s%s%s by %s (seq %llu)", st->id,
		    n->kind == NOTE_ACTION ? "action" :
		    n->kind == NOTE_PHASE ? "phase" : "time's up",
		    n->what, n->slot >= 0 ? " " : "",
		    n->slot >= 0 ? st->slots[n->slot].id : "",
		    n->kind == NOTE_ACTION ? who : "timer",
		    (unsigned long long)st->timer.seq);
	}
}

/*
 * A stage change on its way to disk. The event loop has already moved on
 * (the next tick must not wait for an fsync), but nobody hears of the change
 * before it is durable: the reply and the push are what the job carries,
 * taken when the change was made, and sent when the writer thread says the
 * commit is done.
 */
struct stage_job {
	struct stage		*st;
	struct stage		 copy;		/* id, timer and slots as they were */
	struct timer_notes	 notes;
	char			*who;
	char			*payload;
	int64_t			 now;
	char			*state_json;
	char			*message_json;	/* NULL unless the message changed */
	struct evhttp_request	*req;		/* the action's, or NULL */
};

/* Frees a stage job. */
static void
stage_job_free(struct stage_job *j)
{
	free(j->copy.slots);
	free(j->who);
	free(j->payload);
	free(j->state_json);
	free(j->message_json);
	free(j);
}

/* Writer thread: the change's rows, in the writer's transaction. */
static int
stage_job_run(struct store *s, void *arg)
{
	struct stage_job *j = arg;

	return store_stage_write(s, &j->copy, &j->notes, j->who, j->payload,
	    j->now) == 0 ? 0 : -1;
}

/*
 * Event loop, once the change is durable: log it, push it, answer. If it
 * could not be stored, memory is set back to what the database holds.
 */
static void
stage_job_done(void *arg, int rc)
{
	struct stage_job	*j = arg;
	struct stage		*st = j->st;
	struct timer_notes	 none;

	if (rc == 0) {
		env->metrics.commits++;
		stage_log(&j->copy, &j->notes, j->who);
		if (j->state_json != NULL)
			sse_broadcast(st, "state", (int64_t)j->copy.timer.seq,
			    j->state_json, strlen(j->state_json));
		if (j->message_json != NULL)
			sse_broadcast(st, "message", (int64_t)j->copy.timer.seq,
			    j->message_json, strlen(j->message_json));
		if (j->req != NULL && j->state_json != NULL)
			http_reply_raw(j->req, 200, "application/json",
			    j->state_json, strlen(j->state_json));
		else if (j->req != NULL)
			http_error(j->req, 500, "internal", "out of memory");
	} else {
		log_warnx("stage %s: cannot store the change: %s", st->id,
		    store_error(env->store));
		if (store_stage_load(env->store, st) == 0) {
			memset(&none, 0, sizeof none);
			stage_publish(st, &none, clock_now_ms());
			stage_schedule(st);
		}
		if (j->req != NULL)
			http_error(j->req, 500, "storage",
			    "the change could not be stored");
	}
	stage_job_free(j);
}

/*
 * Commits a change made on st->timer, through the writer thread when it
 * runs (at start-up it does not yet, and the commit is made here). The
 * reply to req (if any) and the push happen once it is on disk.
 */
static void
stage_commit(struct stage *st, const struct timer_notes *notes,
    const char *who, const char *payload, int64_t now,
    struct evhttp_request *req)
{
	struct stage_job	*j;
	json_t			*snap;

	if ((j = calloc(1, sizeof *j)) == NULL ||
	    (j->copy.slots = malloc((st->nslots ? st->nslots : 1) *
	    sizeof *st->slots)) == NULL || (j->who = strdup(who)) == NULL ||
	    (payload != NULL && (j->payload = strdup(payload)) == NULL))
		fatalx("out of memory");
	j->st = st;
	j->copy.id = st->id;
	j->copy.nslots = st->nslots;
	memcpy(j->copy.slots, st->slots, st->nslots * sizeof *st->slots);
	j->copy.timer = st->timer;
	j->copy.timer.slots = j->copy.slots;
	j->notes = *notes;
	j->now = now;
	j->req = req;
	snap = snapshot_state(st, now);
	j->state_json = json_dumps(snap, JSON_COMPACT);
	if (notes->message_changed)
		j->message_json = json_dumps(json_object_get(snap, "message"),
		    JSON_COMPACT);
	json_decref(snap);
	if (writer_submit(stage_job_run, stage_job_done, j) == 0)
		return;
	stage_job_done(j, store_stage_save(env->store, &j->copy, &j->notes,
	    j->who, j->payload, j->now));
}

/* Lets the timer catch up with now (crossings, time's up) and commits that. */
static void
stage_catch_up(struct stage *st, int64_t now)
{
	struct timer_notes	 notes;

	/* A long outage can owe more notes than one call holds: repeat. */
	do {
		stage_sync_message(st);
		memset(&notes, 0, sizeof notes);
		timer_advance(&st->timer, now, &notes);
		if (!notes.changed)
			return;
		stage_commit(st, &notes, "timer", NULL, now, NULL);
	} while (notes.n == TIMER_NOTES_MAX);
}

/*
 * Applies a moderator's action: catch up, compute, commit. On TIMER_OK the
 * reply to req is sent once the change is on disk; on an error nothing
 * changed and the caller answers.
 */
int
stage_action(struct stage *st, const struct timer_action *a,
    const struct principal *who, const char *payload, const char **why,
    struct evhttp_request *req)
{
	struct timer		 saved;
	struct timer_slot	 saved_slots[st->nslots > 0 ? st->nslots : 1];
	struct timer_notes	 notes;
	enum timer_result	 res;
	int64_t			 now = clock_now_ms();
	char			 whobuf[64];

	/* A crossing due but not yet ticked must not be lost to the re-aim below. */
	if (st->tick_at != TIMER_NONE && now >= st->tick_at)
		stage_send_tick(st, now);
	stage_catch_up(st, now);
	stage_sync_message(st);
	saved = st->timer;
	memcpy(saved_slots, st->slots, st->nslots * sizeof *st->slots);
	memset(&notes, 0, sizeof notes);
	res = timer_apply(&st->timer, a, now, &notes, why);
	if (res != TIMER_OK) {
		/* The contract says nothing changed; make sure of it. */
		st->timer = saved;
		memcpy(st->slots, saved_slots, st->nslots * sizeof *st->slots);
		return (int)res;
	}
	if (who->kind == AUTH_ATTENDEE)
		snprintf(whobuf, sizeof whobuf, "attendee:%s", who->subject);
	else
		snprintf(whobuf, sizeof whobuf, "%s", auth_kind_name(who->kind));
	env->metrics.actions++;
	stage_commit(st, &notes, whobuf, payload, now, req);
	stage_schedule(st);
	return TIMER_OK;
}

/*
 * Sends one tick for the latest whole-second crossing passed at now (a late
 * wake-up skips to the present rather than replaying stale seconds), unless
 * that crossing already had its tick.
 */
static void
stage_send_tick(struct stage *st, int64_t now)
{
	int64_t		 k, crossing;
	char		 data[160];
	size_t		 len;

	crossing = stage_last_crossing(st, now, &k);
	if (crossing == TIMER_NONE || crossing == st->last_tick)
		return;
	len = snapshot_tick(data, sizeof data, st->timer.seq, k,
	    timer_phase_at(&st->timer, crossing), crossing);
	sse_broadcast(st, "tick", -1, data, len);
	env->metrics.ticks++;
	st->last_tick = crossing;
}

/*
 * Fires at a whole-second crossing: the tick first, so that committing a
 * phase crossing to disk never delays it, then catch up and re-aim.
 */
static void
stage_tick(evutil_socket_t fd, short what, void *arg)
{
	struct stage	*st = arg;
	int64_t		 now_us = clock_now_us(), now = now_us / 1000, late;

	(void)fd;
	(void)what;
	if (now < st->tick_at) {
		/* Woke a little early (timer granularity): wait for the crossing. */
		struct timeval tv = { 0, (suseconds_t)(st->tick_at * 1000 - now_us) };
		evtimer_add(st->tick_ev, &tv);
		return;
	}
	late = now_us - st->tick_at * 1000;
	if (late > 0 && (uint64_t)late > env->metrics.tick_late_us_max)
		env->metrics.tick_late_us_max = (uint64_t)late;
	stage_send_tick(st, now);
	stage_catch_up(st, now);
	stage_schedule(st);
}

/* Builds the stages from the config and resumes each from the store. */
int
stage_init_all(void)
{
	size_t	i;

	env->nstages = env->cfg->nstages;
	env->stages = calloc(env->nstages > 0 ? env->nstages : 1, sizeof *env->stages);
	if (env->stages == NULL)
		return -1;
	for (i = 0; i < env->nstages; i++) {
		struct stage *st = &env->stages[i];
		const struct config_stage *cs = &env->cfg->stages[i];

		st->index = (int)i;
		st->id = strdup(cs->id);
		st->name = strdup(cs->name);
		st->start_ms = cs->start_ms;
		st->tick_at = TIMER_NONE;
		st->last_tick = TIMER_NONE;
		TAILQ_INIT(&st->clients);
		st->tick_ev = evtimer_new(env->base, stage_tick, st);
		if (st->id == NULL || st->name == NULL || st->tick_ev == NULL ||
		    store_stage_load(env->store, st) == -1)
			return -1;
		log_info("stage %s: %zu slots, %s, seq %llu", st->id, st->nslots,
		    timer_mode_name(st->timer.mode),
		    (unsigned long long)st->timer.seq);
		/* After a restart the timer may owe crossings or time's up. */
		stage_catch_up(st, clock_now_ms());
		stage_schedule(st);
	}
	return 0;
}

/* The stage's agenda as text, to tell whether a reload changed it. */
static char *
stage_agenda_text(const struct stage *st, int64_t now)
{
	json_t	*j = snapshot_stage(st, now);
	char	*s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	return s;
}

/* Reloads slots and state of every stage after the store was re-synced. */
int
stage_reload_all(void)
{
	size_t	i;

	for (i = 0; i < env->nstages; i++) {
		struct stage		*st = &env->stages[i];
		struct timer_notes	 notes;
		char			*name = strdup(env->cfg->stages[i].name);
		int64_t			 now = clock_now_ms();
		char			*before, *after;
		bool			 same;

		before = stage_agenda_text(st, now);
		if (name == NULL || store_stage_load(env->store, st) == -1) {
			free(name);
			free(before);
			return -1;
		}
		free(st->name);
		st->name = name;
		st->start_ms = env->cfg->stages[i].start_ms;
		after = stage_agenda_text(st, now);
		same = before != NULL && after != NULL && strcmp(before, after) == 0;
		free(before);
		free(after);
		if (same) {
			stage_schedule(st);
			continue;
		}
		/* The agenda changed: that is a state change like any other. */
		memset(&notes, 0, sizeof notes);
		st->timer.seq++;
		notes.changed = true;
		if (store_stage_save(env->store, st, &notes, "organiser", NULL,
		    clock_now_ms()) == -1)
			return -1;
		stage_publish(st, &notes, clock_now_ms());
		stage_schedule(st);
	}
	return 0;
}

/* Frees every stage. */
void
stage_free_all(void)
{
	size_t	i;

	for (i = 0; i < env->nstages; i++) {
		struct stage *st = &env->stages[i];

		if (st->tick_ev != NULL)
			event_free(st->tick_ev);
		sse_stage_free(st);
		free(st->state_json);
		store_stage_free_slots(st);
		free(st->id);
		free(st->name);
	}
	free(env->stages);
	env->stages = NULL;
	env->nstages = 0;
}
