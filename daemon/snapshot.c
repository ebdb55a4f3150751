/*
 * snapshot.c — builds the JSON the API and the stream send. Times are unix
 * milliseconds on the daemon's clock; unknown times are null.
 */
#include <inttypes.h>
#include <stdio.h>

#include "snapshot.h"

/* A time, or null when unknown. */
static json_t *
snapshot_time(int64_t ms)
{
	return ms == TIMER_NONE ? json_null() : json_integer(ms);
}

/* The state snapshot (SPEC §4). */
json_t *
snapshot_state(const struct stage *st, int64_t now)
{
	const struct timer	*t = &st->timer;
	json_t			*o, *pitch = json_null(), *next = json_null();
	int64_t			 proj[st->nslots > 0 ? st->nslots : 1];
	int			 n = agenda_next_slot(t);
	bool			 loaded = t->cur >= 0;

	agenda_project(t, now, proj);
	if (loaded) {
		const struct stage_slot *si = &st->info[t->cur];

		pitch = json_pack("{s:s,s:i,s:s,s:s,s:s}",
		    "id", st->slots[t->cur].id, "position", t->cur + 1,
		    "startup", si->startup, "presenter", si->presenter,
		    "title", si->title);
	}
	if (n >= 0)
		next = json_pack("{s:s,s:s,s:o}", "id", st->slots[n].id,
		    "startup", st->info[n].startup,
		    "projected_start_ms", snapshot_time(proj[n]));
	o = json_pack("{s:s,s:I,s:I,s:s,s:s,s:o}",
	    "stage", st->id, "seq", (json_int_t)t->seq,
	    "server_time_ms", (json_int_t)now,
	    "mode", timer_mode_name(t->mode),
	    "phase", timer_phase_name(timer_phase_at(t, now)),
	    "pitch", pitch);
	json_object_set_new(o, "duration_ms", json_integer(loaded ? t->duration_ms : 0));
	json_object_set_new(o, "added_ms", json_integer(loaded ? t->added_ms : 0));
	json_object_set_new(o, "elapsed_ms",
	    json_integer(loaded ? timer_elapsed_ms(t, now) : 0));
	json_object_set_new(o, "remaining_ms",
	    json_integer(loaded ? timer_remaining_ms(t, now) : 0));
	json_object_set_new(o, "deadline_ms", snapshot_time(timer_deadline_ms(t)));
	json_object_set_new(o, "next", next);
	json_object_set_new(o, "delay_ms", json_integer(agenda_delay_ms(t, now)));
	json_object_set_new(o, "message", json_pack("{s:s,s:b,s:b}",
	    "text", t->message, "visible", t->message_visible,
	    "blink", t->message_blink));
	json_object_set_new(o, "blackout", json_boolean(t->blackout));
	return o;
}

/* One stage of GET /api/v1/event. */
json_t *
snapshot_stage(const struct stage *st, int64_t now)
{
	const struct timer	*t = &st->timer;
	json_t			*slots = json_array();
	int64_t			 proj[st->nslots > 0 ? st->nslots : 1];
	size_t			 i;

	agenda_project(t, now, proj);
	for (i = 0; i < st->nslots; i++) {
		const struct timer_slot *ts = &st->slots[i];
		const struct stage_slot *si = &st->info[i];

		json_array_append_new(slots, json_pack(
		    "{s:s,s:i,s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:o}",
		    "id", ts->id, "position", (int)i + 1,
		    "startup", si->startup, "presenter", si->presenter,
		    "title", si->title, "status", slot_status_name(ts->status),
		    "length_ms", (json_int_t)ts->length_ms,
		    "planned_start_ms", (json_int_t)ts->planned_start_ms,
		    "projected_start_ms", snapshot_time(proj[i]),
		    "actual_start_ms", snapshot_time(ts->actual_start_ms),
		    "actual_end_ms", snapshot_time(ts->actual_end_ms)));
	}
	return json_pack("{s:s,s:s,s:o}", "id", st->id, "name", st->name,
	    "slots", slots);
}

/* GET /api/v1/event. */
json_t *
snapshot_event(int64_t now)
{
	const struct config	*c = env->cfg;
	json_t			*stages = json_array();
	size_t			 i;

	for (i = 0; i < env->nstages; i++)
		json_array_append_new(stages, snapshot_stage(&env->stages[i], now));
	return json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:o,s:I}",
	    "event", "title", c->title, "venue", c->venue, "date", c->date,
	    "timezone", c->timezone, "language", c->language,
	    "stages", stages, "server_time_ms", (json_int_t)now);
}

/* The data line of a tick, formatted without jansson: it is sent every second. */
size_t
snapshot_tick(char *buf, size_t size, uint64_t seq, int64_t remaining_ms,
    enum timer_phase phase, int64_t server_time_ms)
{
	int	n = snprintf(buf, size,
	    "{\"seq\":%" PRIu64 ",\"remaining_ms\":%" PRId64 ",\"phase\":\"%s\","
	    "\"server_time_ms\":%" PRId64 "}", seq, remaining_ms,
	    timer_phase_name(phase), server_time_ms);

	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}
