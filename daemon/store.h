/*
 * store.h — SQLite persistence: migrations, the agenda synchronised from the
 * config, the live stage state and its ledger, and tokens. Every write is
 * committed with synchronous=FULL before it returns.
 */
#ifndef TAKT_STORE_H
#define TAKT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "config.h"
#include "report.h"
#include "taktd.h"

struct store;

/* Opens (creating 0600 if needed) and migrates; NULL with *err set on failure. */
struct store	*store_open(const char *path, bool *created, char **err);
/* Finalises statements and closes. */
void		 store_close(struct store *);

/* Brings stages, slots and attendees in line with cfg (SPEC §1 reload rules);
 * *summary (if given) receives {"pitches":{...},"attendees":{...}}. */
int		 store_sync_config(struct store *, const struct config *cfg,
		    json_t **summary);

/* Loads a stage's slots and live state into st (st->id must be set). */
int		 store_stage_load(struct store *, struct stage *st);
/* Frees the slot arrays store_stage_load made. */
void		 store_stage_free_slots(struct stage *st);
/* The same inside the caller's transaction (the writer thread's). */
int		 store_stage_write(struct store *, const struct stage *st,
		    const struct timer_notes *notes, const char *who,
		    const char *payload, int64_t now);
/* Commits the stage's live state, slot statuses and the notes as ledger rows. */
int		 store_stage_save(struct store *, const struct stage *st,
		    const struct timer_notes *notes, const char *who,
		    const char *payload, int64_t now);

/* Loads every token hash into t (emptied first). */
int		 store_tokens_load(struct store *, struct auth_table *t);
/* True when the tokens table changed since the last call. */
bool		 store_tokens_changed(struct store *);
/* Replaces the token of (kind, subject) by a new hash. */
int		 store_token_put(struct store *, enum auth_kind, const char *subject,
		    const uint8_t hash[AUTH_HASH_LEN], int64_t now);
/* Starts / ends a transaction around several writes. */
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);

/* An interest write, as the writer thread needs it. */
struct store_interest {
	const char	*attendee;
	const char	*pitch;
	const char	*level;		/* NULL for a delete */
	const char	*note;		/* NULL for a delete */
	int64_t		 now;
	bool		 live;		/* the pitch was live when given */
	const char	*live_pitch;	/* the slot live on its stage then, or NULL */
};

/* Writer-thread writes: 0, 404 (unknown), 409 (withdrawn) or -1. */
int		 store_checkin(struct store *, const char *attendee, int64_t now,
		    const char *by, int64_t *since_ms, bool *changed);
int		 store_checkout(struct store *, const char *attendee, int64_t now,
		    const char *by, int64_t *in_ms, bool *changed);
int		 store_interest_put(struct store *, const struct store_interest *,
		    int *outcome);
int		 store_interest_delete(struct store *, const struct store_interest *,
		    bool *deleted);
int		 store_screen_put(struct store *, const char *screen, const char *page,
		    int64_t offset_ms, int64_t rtt_ms, int64_t now);
/* GET /api/v1/me; NULL for an unknown attendee. */
json_t		*store_me(struct store *, const char *attendee);

/* The arrays behind a struct report_input, owned. */
struct report_data {
	struct report_input	 in;
	struct report_slot	*slots;		/* filled by the caller */
	struct report_ledger	*ledger;
	struct report_attendee	*attendees;
	struct report_presence	*presence;
	struct report_interest	*interests;
	struct report_history	*history;
	struct report_screen	*screens;
	char			**strings;	/* every string the arrays point to */
	size_t			 nstrings;
	size_t			 capstrings;
};

/* Reads everything but the slots for the reports; 0 or -1. */
int		 store_report_load(struct store *, struct report_data *);
/* Frees a report_data. */
void		 store_report_free(struct report_data *);

/* The job savepoint, for the writer thread's per-job isolation. */
int		 store_savepoint(struct store *);
void		 store_savepoint_rollback(struct store *);
void		 store_savepoint_release(struct store *);

/* The last SQLite error message. */
const char	*store_error(struct store *);

#endif
