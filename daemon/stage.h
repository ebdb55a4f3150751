/*
 * stage.h — the shell around the pure timer: applies actions, commits them
 * with their ledger rows before anyone hears of them, pushes the result to
 * the stream and keeps the tick event aimed at the next whole second.
 */
#ifndef TAKT_STAGE_H
#define TAKT_STAGE_H

#include "auth.h"
#include "taktd.h"
#include "timer.h"

/* Creates the stages of env->cfg and loads them from the store. */
int		 stage_init_all(void);
/* Re-reads every stage's slots and state from the store (after a reload). */
int		 stage_reload_all(void);
/* Frees the stages. */
void		 stage_free_all(void);

struct evhttp_request;

/*
 * Applies an action for who; payload is the request body for the ledger.
 * Returns TIMER_OK, after which the stage answers req itself once the
 * change is on disk (200 with the new state, or 500), or a timer error
 * (with *why) for the caller to answer: then nothing changed.
 */
int		 stage_action(struct stage *st, const struct timer_action *a,
		    const struct principal *who, const char *payload, const char **why,
		    struct evhttp_request *req);

#endif
