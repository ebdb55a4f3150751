/*
 * store.c — the SQLite layer. It only translates between the daemon's plain
 * structs and rows; all SQL goes through prepared statements, cached by the
 * address of their (static) text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_priv.h"

extern const char *const schema_migrations[];
extern const size_t schema_nmigrations;

/* Returns the cached prepared statement for sql (a static string), reset. */
sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;
	size_t		 i;

	for (i = 0; i < s->nstmts; i++) {
		if (s->stmts[i].sql == sql) {
			sqlite3_reset(s->stmts[i].st);
			sqlite3_clear_bindings(s->stmts[i].st);
			return s->stmts[i].st;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("store: prepare: %s", sqlite3_errmsg(s->db));
		return NULL;
	}
	if (s->nstmts == STORE_STMTS_MAX)
		fatalx("store: statement cache full");
	s->stmts[s->nstmts].sql = sql;
	s->stmts[s->nstmts].st = st;
	s->nstmts++;
	return st;
}

/* Runs a statement that returns no rows; 0 or -1. */
int
store_done(struct store *s, sqlite3_stmt *st)
{
	int	rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Binds a time that may be unknown (TIMER_NONE) as NULL. */
void
store_bind_time(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == TIMER_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* Reads a time column that may be NULL. */
int64_t
store_column_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return TIMER_NONE;
	return sqlite3_column_int64(st, i);
}

/* Copies a text column into a fresh string. */
char *
store_column_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return strdup(t != NULL ? (const char *)t : "");
}

/* Executes plain SQL (pragmas, migrations). */
int
store_exec(struct store *s, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("store: %s", msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Reads an integer pragma. */
static int64_t
store_pragma_int(struct store *s, const char *sql)
{
	sqlite3_stmt	*st = store_stmt(s, sql);
	int64_t		 v = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	return v;
}

static const char SQL_USER_VERSION[] = "PRAGMA user_version";

/* Applies the migrations the database has not seen, each in a transaction. */
static int
store_migrate(struct store *s, char **err)
{
	int64_t	v = store_pragma_int(s, SQL_USER_VERSION);
	char	sql[64];
	size_t	i;

	if (v < 0) {
		*err = strdup("cannot read the schema version");
		return -1;
	}
	if ((uint64_t)v > schema_nmigrations) {
		if (asprintf(err, "database schema version %lld is newer than this "
		    "taktd (%zu); refusing to touch it", (long long)v,
		    schema_nmigrations) < 0)
			*err = NULL;
		return -1;
	}
	for (i = (size_t)v; i < schema_nmigrations; i++) {
		if (store_exec(s, "BEGIN IMMEDIATE") == -1)
			goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %zu", i + 1);
		if (store_exec(s, schema_migrations[i]) == -1 ||
		    store_exec(s, sql) == -1) {
			store_exec(s, "ROLLBACK");
			goto fail;
		}
		if (store_exec(s, "COMMIT") == -1)
			goto fail;
		log_info("store: applied migration %zu", i + 1);
	}
	return 0;
fail:
	if (asprintf(err, "migration %zu failed: %s", i + 1,
	    sqlite3_errmsg(s->db)) < 0)
		*err = NULL;
	return -1;
}

/* Opens the database, creating it private to the user, and migrates it. */
struct store *
store_open(const char *path, bool *created, char **err)
{
	struct store	*s;
	int		 fd;

	*err = NULL;
	*created = false;
	/* Create the file ourselves so it is 0600 from the first byte. */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1) {
		*created = true;
		close(fd);
	} else if (errno != EEXIST) {
		if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
			*err = NULL;
		return NULL;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	/*
	 * Memory statistics take a global mutex on every SQLite allocation,
	 * which the loop and the writer thread would fight over; we never read
	 * them. (Only effective before SQLite initialises: the first open.)
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/*
	 * Each connection belongs to one thread (the loop's, or the writer's),
	 * so SQLite need not lock it on every call.
	 */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (asprintf(err, "%s: %s", path, sqlite3_errmsg(s->db)) < 0)
			*err = NULL;
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (store_exec(s, "PRAGMA journal_mode=WAL") == -1 ||
	    store_exec(s, "PRAGMA synchronous=FULL") == -1 ||
	    store_exec(s, "PRAGMA foreign_keys=ON") == -1) {
		if (asprintf(err, "%s: %s", path, sqlite3_errmsg(s->db)) < 0)
			*err = NULL;
		goto fail;
	}
	if (store_migrate(s, err) == -1)
		goto fail;
	return s;
fail:
	store_close(s);
	if (*created)
		unlink(path);
	return NULL;
}

/* Closes the database. */
void
store_close(struct store *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nstmts; i++)
		sqlite3_finalize(s->stmts[i].st);
	sqlite3_close(s->db);
	free(s);
}

/*
 * Transaction and savepoint statements, prepared once per connection: the
 * writer runs a savepoint pair for every job, and parsing them each time
 * was a sixth of its work.
 */
static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_SAVEPOINT[] = "SAVEPOINT job";
static const char SQL_SAVEPOINT_ROLLBACK[] = "ROLLBACK TO job";
static const char SQL_SAVEPOINT_RELEASE[] = "RELEASE job";

/* Starts a write transaction. */
int
store_begin(struct store *s)
{
	return store_done(s, store_stmt(s, SQL_BEGIN));
}

/* Commits; with synchronous=FULL this returns once the WAL is on disk. */
int
store_commit(struct store *s)
{
	return store_done(s, store_stmt(s, SQL_COMMIT));
}

/* Abandons the open transaction, if any. */
void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		store_exec(s, "ROLLBACK");
}

/* The last error SQLite reported. */
const char *
store_error(struct store *s)
{
	return sqlite3_errmsg(s->db);
}

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";
static const char SQL_TOKENS_STAMP[] =
    "SELECT v FROM tokens_version WHERE id = 1";

/*
 * True when the tokens table changed since the last call (taktd
 * --issue-tokens in another process). PRAGMA data_version is O(1) and says
 * whether any other connection committed; only then is the one-row counter
 * the tokens triggers bump (schema 002) read, so the writer thread's commits
 * cost one row and do not force reloads.
 */
bool
store_tokens_changed(struct store *s)
{
	sqlite3_stmt	*q;
	int64_t		 stamp = -1, dv;
	bool		 changed;

	dv = store_pragma_int(s, SQL_DATA_VERSION);
	if (dv == s->data_version)
		return false;
	s->data_version = dv;
	if ((q = store_stmt(s, SQL_TOKENS_STAMP)) == NULL)
		return false;
	if (sqlite3_step(q) == SQLITE_ROW)
		stamp = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	changed = stamp != s->tokens_stamp;
	s->tokens_stamp = stamp;
	return changed;
}

static const char SQL_STAGE_UPSERT[] =
    "INSERT INTO stages(id, name, position, start_ms) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(id) DO UPDATE SET name = ?2, position = ?3, start_ms = ?4";
static const char SQL_SLOT_UPSERT[] =
    "INSERT INTO slots(id, stage, position, startup, presenter, title, contact, "
    "length_ms, changeover_ms, warning_ms, danger_ms, grace_ms, on_time_up, "
    "time_up_message, planned_start_ms) VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
    "ON CONFLICT(id) DO UPDATE SET stage = ?2, position = ?3, startup = ?4, "
    "presenter = ?5, title = ?6, contact = ?7, length_ms = ?8, "
    "changeover_ms = ?9, warning_ms = ?10, danger_ms = ?11, grace_ms = ?12, "
    "on_time_up = ?13, time_up_message = ?14, planned_start_ms = ?15, "
    "status = CASE status WHEN 'withdrawn' THEN 'planned' ELSE status END "
    "RETURNING (SELECT 1)";
static const char SQL_SLOT_EXISTS[] = "SELECT 1 FROM slots WHERE id = ?1";
static const char SQL_SLOT_SAME[] =
    "SELECT 1 FROM slots WHERE id = ?1 AND stage = ?2 AND position = ?3 AND "
    "startup = ?4 AND presenter = ?5 AND title = ?6 AND contact = ?7 AND "
    "length_ms = ?8 AND changeover_ms = ?9 AND warning_ms = ?10 AND "
    "danger_ms = ?11 AND grace_ms = ?12 AND on_time_up = ?13 AND "
    "time_up_message = ?14 AND planned_start_ms = ?15 AND status <> 'withdrawn'";
static const char SQL_SLOT_GONE[] =
    "SELECT id, status = 'withdrawn', EXISTS(SELECT 1 FROM ledger WHERE pitch = slots.id) "
    "OR EXISTS(SELECT 1 FROM interests WHERE pitch = slots.id) "
    "OR EXISTS(SELECT 1 FROM interest_history WHERE pitch = slots.id) "
    "OR status <> 'planned', status = 'live' FROM slots";
static const char SQL_SLOT_WITHDRAW[] =
    "UPDATE slots SET status = 'withdrawn', position = 100000 + position "
    "WHERE id = ?1 AND status <> 'withdrawn'";
static const char SQL_SLOT_DELETE[] = "DELETE FROM slots WHERE id = ?1";
static const char SQL_ATT_UPSERT[] =
    "INSERT INTO attendees(id, name, department, role, email) VALUES "
    "(?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET name = ?2, "
    "department = ?3, role = ?4, email = ?5, withdrawn = 0";
static const char SQL_ATT_SAME[] =
    "SELECT 1 FROM attendees WHERE id = ?1 AND name = ?2 AND department = ?3 "
    "AND role = ?4 AND email = ?5 AND withdrawn = 0";
static const char SQL_ATT_EXISTS[] = "SELECT 1 FROM attendees WHERE id = ?1";
static const char SQL_ATT_GONE[] =
    "SELECT id, withdrawn, EXISTS(SELECT 1 FROM presence WHERE attendee = attendees.id) "
    "OR EXISTS(SELECT 1 FROM interests WHERE attendee = attendees.id) "
    "OR EXISTS(SELECT 1 FROM interest_history WHERE attendee = attendees.id) "
    ", 0 FROM attendees";
static const char SQL_ATT_WITHDRAW[] =
    "UPDATE attendees SET withdrawn = 1 WHERE id = ?1";
static const char SQL_ATT_DELETE[] = "DELETE FROM attendees WHERE id = ?1";
static const char SQL_ATT_TOKEN_DELETE[] =
    "DELETE FROM tokens WHERE kind = 'attendee' AND subject = ?1";

/* Runs a one-row existence query with ?1 bound to id. */
bool
store_exists(struct store *s, const char *sql, const char *id)
{
	sqlite3_stmt	*st = store_stmt(s, sql);
	bool		 found;

	if (st == NULL)
		return false;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

/* Binds every column of a pitch to a slot statement. */
static void
store_bind_pitch(sqlite3_stmt *st, const struct config_stage *cs, size_t i,
    int64_t planned)
{
	const struct config_pitch *p = &cs->pitches[i];

	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cs->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)i);
	sqlite3_bind_text(st, 4, p->startup, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->presenter, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, p->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, p->contact, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, p->timing.pitch_ms);
	sqlite3_bind_int64(st, 9, p->timing.changeover_ms);
	sqlite3_bind_int64(st, 10, p->timing.warning_ms);
	sqlite3_bind_int64(st, 11, p->timing.danger_ms);
	sqlite3_bind_int64(st, 12, p->timing.grace_ms);
	sqlite3_bind_text(st, 13, time_up_action_name(p->timing.on_time_up), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 14, p->timing.time_up_message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, planned);
}

/* Adds id to the "added", "updated", ... list of a summary section. */
static void
store_summary_add(json_t *section, const char *what, const char *id)
{
	json_t	*list = json_object_get(section, what);

	if (list == NULL) {
		list = json_array();
		json_object_set_new(section, what, list);
	}
	json_array_append_new(list, json_string(id));
}

/* Upserts one stage's pitches, noting what is new or changed. */
static int
store_sync_stage(struct store *s, const struct config_stage *cs, size_t pos,
    json_t *sum)
{
	sqlite3_stmt	*st;
	int64_t		 planned = cs->start_ms;
	size_t		 i;
	bool		 existed, same;

	st = store_stmt(s, SQL_STAGE_UPSERT);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, cs->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cs->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)pos);
	sqlite3_bind_int64(st, 4, cs->start_ms);
	if (store_done(s, st) == -1)
		return -1;
	for (i = 0; i < cs->npitches; i++) {
		const struct config_pitch *p = &cs->pitches[i];

		existed = store_exists(s, SQL_SLOT_EXISTS, p->id);
		st = store_stmt(s, SQL_SLOT_SAME);
		if (st == NULL)
			return -1;
		store_bind_pitch(st, cs, i, planned);
		same = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (!same) {
			st = store_stmt(s, SQL_SLOT_UPSERT);
			if (st == NULL)
				return -1;
			store_bind_pitch(st, cs, i, planned);
			if (sqlite3_step(st) != SQLITE_ROW) {
				sqlite3_reset(st);
				return -1;
			}
			sqlite3_reset(st);
			store_summary_add(sum, existed ? "updated" : "added", p->id);
		}
		planned += p->timing.pitch_ms + p->timing.changeover_ms;
	}
	return 0;
}

/* Binds an attendee's columns. */
static void
store_bind_attendee(sqlite3_stmt *st, const struct config_attendee *a)
{
	sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->department, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, attendee_role_name(a->role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->email, -1, SQLITE_STATIC);
}

/* Upserts the attendees, noting what is new or changed. */
static int
store_sync_attendees(struct store *s, const struct config *cfg, json_t *sum)
{
	sqlite3_stmt	*st;
	size_t		 i;
	bool		 existed, same;

	for (i = 0; i < cfg->nattendees; i++) {
		const struct config_attendee *a = &cfg->attendees[i];

		existed = store_exists(s, SQL_ATT_EXISTS, a->id);
		if ((st = store_stmt(s, SQL_ATT_SAME)) == NULL)
			return -1;
		store_bind_attendee(st, a);
		same = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (same)
			continue;
		if ((st = store_stmt(s, SQL_ATT_UPSERT)) == NULL)
			return -1;
		store_bind_attendee(st, a);
		if (store_done(s, st) == -1)
			return -1;
		store_summary_add(sum, existed ? "updated" : "added", a->id);
	}
	return 0;
}

/* True if the config still has a pitch (pitches) or attendee with this id. */
static bool
store_config_has(const struct config *cfg, bool pitches, const char *id)
{
	size_t	i, j;

	if (!pitches) {
		for (i = 0; i < cfg->nattendees; i++)
			if (strcmp(cfg->attendees[i].id, id) == 0)
				return true;
		return false;
	}
	for (i = 0; i < cfg->nstages; i++)
		for (j = 0; j < cfg->stages[i].npitches; j++)
			if (strcmp(cfg->stages[i].pitches[j].id, id) == 0)
				return true;
	return false;
}

/*
 * Handles rows the config no longer names: those with recorded data are
 * withdrawn (never deleted), the others removed. A slot that is live keeps
 * running untouched until it ends.
 */
static int
store_sync_gone(struct store *s, const struct config *cfg, bool pitches,
    json_t *sum)
{
	sqlite3_stmt	*st;
	char		**ids = NULL;
	int		*data = NULL;
	size_t		 n = 0, cap = 0, i;
	int		 rc = -1;

	if ((st = store_stmt(s, pitches ? SQL_SLOT_GONE : SQL_ATT_GONE)) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		/* Already withdrawn, still configured, or live: leave alone. */
		if (sqlite3_column_int(st, 1) || sqlite3_column_int(st, 3) ||
		    store_config_has(cfg, pitches, id))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nids = realloc(ids, cap * sizeof *ids);
			int *ndata = realloc(data, cap * sizeof *data);
			if (nids != NULL)
				ids = nids;
			if (ndata != NULL)
				data = ndata;
			if (nids == NULL || ndata == NULL)
				goto out;
		}
		data[n] = sqlite3_column_int(st, 2);
		if ((ids[n++] = strdup(id)) == NULL)
			goto out;
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		const char *sql;

		if (data[i])
			sql = pitches ? SQL_SLOT_WITHDRAW : SQL_ATT_WITHDRAW;
		else
			sql = pitches ? SQL_SLOT_DELETE : SQL_ATT_DELETE;
		if (!pitches && !data[i]) {
			if ((st = store_stmt(s, SQL_ATT_TOKEN_DELETE)) == NULL)
				goto out;
			sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
			if (store_done(s, st) == -1)
				goto out;
		}
		if ((st = store_stmt(s, sql)) == NULL)
			goto out;
		sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
		if (store_done(s, st) == -1)
			goto out;
		store_summary_add(sum, data[i] ? "withdrawn" : "removed", ids[i]);
	}
	rc = 0;
out:
	sqlite3_reset(st);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(data);
	return rc;
}

/* Brings the database in line with the configuration, in one transaction. */
int
store_sync_config(struct store *s, const struct config *cfg, json_t **summary)
{
	json_t	*pitches = json_object(), *attendees = json_object();
	size_t	 i;

	if (store_begin(s) == -1)
		goto fail;
	for (i = 0; i < cfg->nstages; i++)
		if (store_sync_stage(s, &cfg->stages[i], i, pitches) == -1)
			goto fail;
	if (store_sync_attendees(s, cfg, attendees) == -1 ||
	    store_sync_gone(s, cfg, true, pitches) == -1 ||
	    store_sync_gone(s, cfg, false, attendees) == -1)
		goto fail;
	if (store_commit(s) == -1)
		goto fail;
	if (summary != NULL)
		*summary = json_pack("{s:o,s:o}", "pitches", pitches,
		    "attendees", attendees);
	else {
		json_decref(pitches);
		json_decref(attendees);
	}
	return 0;
fail:
	store_rollback(s);
	json_decref(pitches);
	json_decref(attendees);
	return -1;
}

static const char SQL_SLOTS_OF_STAGE[] =
    "SELECT id, startup, presenter, title, contact, length_ms, changeover_ms, "
    "warning_ms, danger_ms, grace_ms, on_time_up, planned_start_ms, status, "
    "actual_start_ms, actual_end_ms, time_up_message FROM slots WHERE stage = ?1 "
    "ORDER BY position";
static const char SQL_STATE_GET[] =
    "SELECT seq, mode, phase, cur_slot, pos, duration_ms, added_ms, elapsed_ms, "
    "run_since_ms, time_up_done, message_text, message_visible, message_blink, "
    "blackout FROM stage_state WHERE stage = ?1";

/* Parses an on_time_up name as stored. */
static enum time_up_action
store_time_up_parse(const char *s)
{
	int	a;

	for (a = TIME_UP_NONE; a <= TIME_UP_NEXT_START; a++)
		if (strcmp(time_up_action_name(a), s) == 0)
			return a;
	return TIME_UP_NONE;
}

/* Frees a stage's slot arrays. */
void
store_stage_free_slots(struct stage *st)
{
	size_t	i;

	for (i = 0; i < st->nslots; i++) {
		free(st->info[i].startup);
		free(st->info[i].presenter);
		free(st->info[i].title);
		free(st->info[i].contact);
		free(st->info[i].time_up_message);
	}
	free(st->slots);
	free(st->info);
	st->slots = NULL;
	st->info = NULL;
	st->nslots = 0;
}

/* Reads the slots of a stage, in position order, into fresh arrays. */
static int
store_stage_load_slots(struct store *s, struct stage *st)
{
	sqlite3_stmt		*q;
	struct timer_slot	*slots = NULL;
	struct stage_slot	*info = NULL;
	size_t			 n = 0, cap = 0;

	if ((q = store_stmt(s, SQL_SLOTS_OF_STAGE)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, st->id, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct timer_slot *ts;
		struct stage_slot *si;
		int status;

		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			void *a = realloc(slots, cap * sizeof *slots);
			void *b = realloc(info, cap * sizeof *info);
			if (a != NULL)
				slots = a;
			if (b != NULL)
				info = b;
			if (a == NULL || b == NULL)
				fatalx("out of memory");
		}
		ts = &slots[n];
		si = &info[n];
		memset(ts, 0, sizeof *ts);
		snprintf(ts->id, sizeof ts->id, "%s", sqlite3_column_text(q, 0));
		si->startup = store_column_strdup(q, 1);
		si->presenter = store_column_strdup(q, 2);
		si->title = store_column_strdup(q, 3);
		si->contact = store_column_strdup(q, 4);
		ts->length_ms = sqlite3_column_int64(q, 5);
		ts->changeover_ms = sqlite3_column_int64(q, 6);
		ts->warning_ms = sqlite3_column_int64(q, 7);
		ts->danger_ms = sqlite3_column_int64(q, 8);
		ts->grace_ms = sqlite3_column_int64(q, 9);
		ts->on_time_up = store_time_up_parse(
		    (const char *)sqlite3_column_text(q, 10));
		ts->planned_start_ms = sqlite3_column_int64(q, 11);
		status = slot_status_parse((const char *)sqlite3_column_text(q, 12));
		ts->status = status < 0 ? SLOT_PLANNED : (enum slot_status)status;
		ts->actual_start_ms = store_column_time(q, 13);
		ts->actual_end_ms = store_column_time(q, 14);
		si->time_up_message = store_column_strdup(q, 15);
		n++;
	}
	sqlite3_reset(q);
	store_stage_free_slots(st);
	st->slots = slots;
	st->info = info;
	st->nslots = n;
	return 0;
}

/*
 * Loads a stage's slots and its saved live state. The saved state refers to
 * the loaded slot by id, so a reload that reorders slots keeps it.
 */
int
store_stage_load(struct store *s, struct stage *st)
{
	struct timer	 old = st->timer;
	const char	*cur_id = NULL;
	char		 cur_buf[41] = "";
	sqlite3_stmt	*q;
	int		 v;

	if (old.slots != NULL && old.cur >= 0)
		snprintf(cur_buf, sizeof cur_buf, "%s", old.slots[old.cur].id);
	if (store_stage_load_slots(s, st) == -1)
		return -1;
	{
		/* timer_init resets the slots; their statuses come from the rows. */
		struct timer_slot saved[st->nslots > 0 ? st->nslots : 1];

		memcpy(saved, st->slots, st->nslots * sizeof *st->slots);
		timer_init(&st->timer, st->slots, st->nslots);
		memcpy(st->slots, saved, st->nslots * sizeof *st->slots);
	}
	if ((q = store_stmt(s, SQL_STATE_GET)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, st->id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		struct timer *t = &st->timer;

		t->seq = (uint64_t)sqlite3_column_int64(q, 0);
		v = timer_mode_parse((const char *)sqlite3_column_text(q, 1));
		t->mode = v < 0 ? TIMER_IDLE : (enum timer_mode)v;
		v = timer_phase_parse((const char *)sqlite3_column_text(q, 2));
		t->phase = v < 0 ? PHASE_NONE : (enum timer_phase)v;
		if (sqlite3_column_type(q, 3) != SQLITE_NULL)
			snprintf(cur_buf, sizeof cur_buf, "%s",
			    sqlite3_column_text(q, 3));
		else
			cur_buf[0] = '\0';
		t->pos = sqlite3_column_int(q, 4);
		t->duration_ms = sqlite3_column_int64(q, 5);
		t->added_ms = sqlite3_column_int64(q, 6);
		t->elapsed_ms = sqlite3_column_int64(q, 7);
		t->run_since_ms = store_column_time(q, 8);
		t->time_up_done = sqlite3_column_int(q, 9) != 0;
		snprintf(t->message, sizeof t->message, "%s",
		    sqlite3_column_text(q, 10));
		t->message_visible = sqlite3_column_int(q, 11) != 0;
		t->message_blink = sqlite3_column_int(q, 12) != 0;
		t->blackout = sqlite3_column_int(q, 13) != 0;
	} else if (old.slots != NULL) {
		/* Keep the in-memory state when nothing was saved yet. */
		st->timer = old;
		st->timer.slots = st->slots;
		st->timer.nslots = st->nslots;
	}
	sqlite3_reset(q);
	cur_id = cur_buf[0] != '\0' ? cur_buf : NULL;
	st->timer.cur = cur_id != NULL ? timer_slot_find(&st->timer, cur_id) : -1;
	if (cur_id != NULL && st->timer.cur < 0) {
		/* The loaded slot vanished from the database: nothing is loaded. */
		st->timer.mode = TIMER_IDLE;
		st->timer.phase = PHASE_NONE;
	}
	if (st->timer.pos >= (int)st->nslots && st->timer.mode != TIMER_FINISHED)
		st->timer.pos = (int)st->nslots - 1;
	return 0;
}

static const char SQL_STATE_PUT[] =
    "INSERT INTO stage_state(stage, seq, mode, phase, cur_slot, pos, "
    "duration_ms, added_ms, elapsed_ms, run_since_ms, time_up_done, "
    "message_text, message_visible, message_blink, blackout, updated_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
    "ON CONFLICT(stage) DO UPDATE SET seq = ?2, mode = ?3, phase = ?4, "
    "cur_slot = ?5, pos = ?6, duration_ms = ?7, added_ms = ?8, elapsed_ms = ?9, "
    "run_since_ms = ?10, time_up_done = ?11, message_text = ?12, "
    "message_visible = ?13, message_blink = ?14, blackout = ?15, updated_ms = ?16";
static const char SQL_SLOT_STATUS[] =
    "UPDATE slots SET status = ?2, actual_start_ms = ?3, actual_end_ms = ?4 "
    "WHERE id = ?1 AND (status IS NOT ?2 OR actual_start_ms IS NOT ?3 OR "
    "actual_end_ms IS NOT ?4)";
static const char SQL_LEDGER_ADD[] =
    "INSERT INTO ledger(stage, seq, at_ms, who, kind, what, pitch, "
    "remaining_ms, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* Names a ledger note kind as the ledger table stores it. */
static const char *
store_note_kind(enum timer_note_kind k)
{
	switch (k) {
	case NOTE_ACTION:	return "action";
	case NOTE_PHASE:	return "phase";
	default:		return "time_up";
	}
}

/* Writes the notes as ledger rows; actions carry who and the request body. */
static int
store_ledger_add(struct store *s, const struct stage *st,
    const struct timer_notes *notes, const char *who, const char *payload)
{
	sqlite3_stmt	*q;
	size_t		 i;

	for (i = 0; i < notes->n; i++) {
		const struct timer_note *n = &notes->note[i];
		bool action = n->kind == NOTE_ACTION;

		if ((q = store_stmt(s, SQL_LEDGER_ADD)) == NULL)
			return -1;
		sqlite3_bind_text(q, 1, st->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, (int64_t)st->timer.seq);
		sqlite3_bind_int64(q, 3, n->at_ms);
		sqlite3_bind_text(q, 4, action ? who : "timer", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, store_note_kind(n->kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, n->what, -1, SQLITE_STATIC);
		if (n->slot >= 0 && (size_t)n->slot < st->nslots)
			sqlite3_bind_text(q, 7, st->slots[n->slot].id, -1, SQLITE_STATIC);
		store_bind_time(q, 8, n->remaining_ms);
		if (action && payload != NULL)
			sqlite3_bind_text(q, 9, payload, -1, SQLITE_STATIC);
		if (store_done(s, q) == -1)
			return -1;
	}
	return 0;
}

/* Writes the live state row of a stage. */
static int
store_state_put(struct store *s, const struct stage *st, int64_t now)
{
	const struct timer	*t = &st->timer;
	sqlite3_stmt		*q;

	if ((q = store_stmt(s, SQL_STATE_PUT)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, st->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (int64_t)t->seq);
	sqlite3_bind_text(q, 3, timer_mode_name(t->mode), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, timer_phase_name(t->phase), -1, SQLITE_STATIC);
	if (t->cur >= 0)
		sqlite3_bind_text(q, 5, st->slots[t->cur].id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 6, t->pos);
	sqlite3_bind_int64(q, 7, t->duration_ms);
	sqlite3_bind_int64(q, 8, t->added_ms);
	sqlite3_bind_int64(q, 9, t->elapsed_ms);
	store_bind_time(q, 10, t->run_since_ms);
	sqlite3_bind_int(q, 11, t->time_up_done);
	sqlite3_bind_text(q, 12, t->message, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 13, t->message_visible);
	sqlite3_bind_int(q, 14, t->message_blink);
	sqlite3_bind_int(q, 15, t->blackout);
	sqlite3_bind_int64(q, 16, now);
	return store_done(s, q);
}

/*
 * Writes a stage change inside the caller's transaction (the writer
 * thread's): ledger rows, slot statuses and the live state.
 */
int
store_stage_write(struct store *s, const struct stage *st,
    const struct timer_notes *notes, const char *who, const char *payload,
    int64_t now)
{
	sqlite3_stmt	*q;
	size_t		 i;

	if (store_ledger_add(s, st, notes, who, payload) == -1)
		return -1;
	for (i = 0; i < st->nslots; i++) {
		const struct timer_slot *ts = &st->slots[i];

		if ((q = store_stmt(s, SQL_SLOT_STATUS)) == NULL)
			return -1;
		sqlite3_bind_text(q, 1, ts->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, slot_status_name(ts->status), -1, SQLITE_STATIC);
		store_bind_time(q, 3, ts->actual_start_ms);
		store_bind_time(q, 4, ts->actual_end_ms);
		if (store_done(s, q) == -1)
			return -1;
	}
	return store_state_put(s, st, now);
}

/* Commits a stage change in a transaction of its own. */
int
store_stage_save(struct store *s, const struct stage *st,
    const struct timer_notes *notes, const char *who, const char *payload,
    int64_t now)
{
	if (store_begin(s) == -1)
		return -1;
	if (store_stage_write(s, st, notes, who, payload, now) == -1 ||
	    store_commit(s) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

static const char SQL_TOKENS_ALL[] = "SELECT kind, subject, hash FROM tokens";
static const char SQL_TOKEN_PUT[] =
    "INSERT INTO tokens(kind, subject, hash, created_ms) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(kind, subject) DO UPDATE SET hash = ?3, created_ms = ?4";

/* Loads every token hash. */
int
store_tokens_load(struct store *s, struct auth_table *t)
{
	sqlite3_stmt	*q;
	int		 rc = 0;

	auth_table_clear(t);
	if ((q = store_stmt(s, SQL_TOKENS_ALL)) == NULL)
		return -1;
	while (sqlite3_step(q) == SQLITE_ROW) {
		int kind = auth_kind_parse((const char *)sqlite3_column_text(q, 0));

		if (kind < 0 || sqlite3_column_bytes(q, 2) != AUTH_HASH_LEN)
			continue;
		if (auth_table_set(t, (enum auth_kind)kind,
		    (const char *)sqlite3_column_text(q, 1),
		    sqlite3_column_blob(q, 2)) == -1)
			rc = -1;
	}
	sqlite3_reset(q);
	return rc;
}

/* Stores a token's hash, replacing the subject's old one. */
int
store_token_put(struct store *s, enum auth_kind kind, const char *subject,
    const uint8_t hash[AUTH_HASH_LEN], int64_t now)
{
	sqlite3_stmt	*q;

	if ((q = store_stmt(s, SQL_TOKEN_PUT)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, auth_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, hash, AUTH_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, now);
	return store_done(s, q);
}

/* Opens the job savepoint (inside the writer's transaction). */
int
store_savepoint(struct store *s)
{
	return store_done(s, store_stmt(s, SQL_SAVEPOINT));
}

/* Undoes everything since the job savepoint. */
void
store_savepoint_rollback(struct store *s)
{
	(void)store_done(s, store_stmt(s, SQL_SAVEPOINT_ROLLBACK));
}

/* Ends the job savepoint, keeping what it holds. */
void
store_savepoint_release(struct store *s)
{
	(void)store_done(s, store_stmt(s, SQL_SAVEPOINT_RELEASE));
}
