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
/* Commits the stage's live state, slot statuses and the notes as ledger rows. */
int		 store_stage_save(struct store *, const struct stage *st,
		    const struct timer_notes *notes, const char *who,
		    const char *payload, int64_t now);

/* Loads every token hash into t (emptied first). */
int		 store_tokens_load(struct store *, struct auth_table *t);
/* True when another connection has committed since the last call. */
bool		 store_changed_elsewhere(struct store *);
/* Replaces the token of (kind, subject) by a new hash. */
int		 store_token_put(struct store *, enum auth_kind, const char *subject,
		    const uint8_t hash[AUTH_HASH_LEN], int64_t now);
/* Starts / ends a transaction around several writes. */
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);

/* The last SQLite error message. */
const char	*store_error(struct store *);

#endif
