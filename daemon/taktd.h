/*
 * taktd.h — the daemon's environment: one struct holding the event loop,
 * the configuration, the store, the tokens and the stages.
 */
#ifndef TAKT_TAKTD_H
#define TAKT_TAKTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <jansson.h>

#include "auth.h"
#include "config.h"
#include "timer.h"

struct event;
struct event_base;
struct evhttp;
struct sse_bcast;
struct sse_client;
struct store;

TAILQ_HEAD(sse_list, sse_client);

/* What a slot shows besides its timing. */
struct stage_slot {
	char	*startup;
	char	*presenter;
	char	*title;
	char	*contact;
	char	*time_up_message;	/* this slot's, for on_time_up: message */
};

/* One stage: its agenda, its live timer and its stream clients. */
struct stage {
	char			*id;
	char			*name;
	int			 index;
	int64_t			 start_ms;
	struct timer		 timer;
	struct timer_slot	*slots;		/* timer's slots, position order */
	struct stage_slot	*info;		/* parallel to slots */
	size_t			 nslots;
	struct sse_list		 clients;
	size_t			 nclients;
	struct sse_bcast	*bcast;		/* a broadcast under way, in slices */
	char			*state_json;	/* GET state, as of state_ms and state_seq */
	size_t			 state_len;
	int64_t			 state_ms;
	uint64_t		 state_seq;
	struct event		*tick_ev;
	int64_t			 tick_at;	/* the crossing the tick event waits for */
	int64_t			 last_tick;	/* the last crossing a tick was sent for */
};

/* Counters for /metrics. */
struct taktd_metrics {
	uint64_t	requests;
	uint64_t	responses_4xx;
	uint64_t	responses_5xx;
	uint64_t	actions;
	uint64_t	ticks;
	uint64_t	sse_events;
	uint64_t	sse_dropped;
	uint64_t	commits;
	uint64_t	tick_late_us_max;
	uint64_t	connections_refused;
};

struct taktd {
	struct event_base	*base;
	struct evhttp		*http;
	struct config		*cfg;
	char			*config_path;
	struct store		*store;
	struct auth_table	 auth;
	struct stage		*stages;
	size_t			 nstages;
	size_t			 nconnections;
	size_t			 nstreams;
	int64_t			 started_ms;
	bool			 stopping;
	struct taktd_metrics	 metrics;
};

extern struct taktd *env;

/* Finds a stage by id, NULL if none. */
struct stage	*taktd_stage_find(const char *id);
/* Re-reads the config; errors (for the reply) in errs, changes in *summary. */
int		 taktd_reload(struct config_errors *errs, json_t **summary);

#endif
