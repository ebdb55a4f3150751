/* snapshot.h — the JSON shapes of SPEC §4: state snapshot, event, tick. */
#ifndef TAKT_SNAPSHOT_H
#define TAKT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "taktd.h"

/* The state snapshot of a stage at now. */
json_t	*snapshot_state(const struct stage *st, int64_t now);
/* One stage's agenda as GET /api/v1/event shows it. */
json_t	*snapshot_stage(const struct stage *st, int64_t now);
/* GET /api/v1/event: event, stages and their slots (no personal data). */
json_t	*snapshot_event(int64_t now);
/* Formats a tick's data into buf; returns its length. */
size_t	 snapshot_tick(char *buf, size_t size, uint64_t seq, int64_t remaining_ms,
	    enum timer_phase phase, int64_t server_time_ms);

#endif
