/*
 * store_people.c — attendance and interest rows. The writes run in the
 * writer thread (inside its transaction); store_me runs in the event loop.
 * Every write is idempotent: repeating it changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_priv.h"

static const char SQL_ATT_STATE[] =
    "SELECT withdrawn FROM attendees WHERE id = ?1";
static const char SQL_PRESENCE_OPEN[] =
    "SELECT id, in_ms FROM presence WHERE attendee = ?1 AND out_ms IS NULL "
    "ORDER BY id DESC LIMIT 1";
static const char SQL_PRESENCE_IN[] =
    "INSERT INTO presence(attendee, in_ms, in_by) VALUES (?1, ?2, ?3)";
static const char SQL_PRESENCE_OUT[] =
    "UPDATE presence SET out_ms = ?2, out_by = ?3 WHERE id = ?1";
static const char SQL_SLOT_STATE[] = "SELECT status FROM slots WHERE id = ?1";
static const char SQL_INTEREST_GET[] =
    "SELECT level, note FROM interests WHERE attendee = ?1 AND pitch = ?2";
static const char SQL_INTEREST_PUT[] =
    "INSERT INTO interests(attendee, pitch, level, note, created_ms, updated_ms, "
    "live, live_pitch) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7) "
    "ON CONFLICT(attendee, pitch) DO UPDATE SET level = ?3, note = ?4, "
    "updated_ms = ?5";	/* live says when it was first given; history keeps each */
static const char SQL_INTEREST_DEL[] =
    "DELETE FROM interests WHERE attendee = ?1 AND pitch = ?2";
static const char SQL_HISTORY_ADD[] =
    "INSERT INTO interest_history(attendee, pitch, action, level, note, at_ms, "
    "live, live_pitch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_SCREEN_PUT[] =
    "INSERT INTO screens(screen, page, offset_ms, rtt_ms, worst_offset_ms, "
    "samples, updated_ms) VALUES (?1, ?2, ?3, ?4, abs(?3), 1, ?5) "
    "ON CONFLICT(screen) DO UPDATE SET page = ?2, offset_ms = ?3, rtt_ms = ?4, "
    "worst_offset_ms = max(worst_offset_ms, abs(?3)), samples = samples + 1, "
    "updated_ms = ?5";

/* 0 if the attendee exists and is not withdrawn, else 404. */
static int
store_attendee_ok(struct store *s, const char *attendee)
{
	sqlite3_stmt	*q = store_stmt(s, SQL_ATT_STATE);
	int		 rc = 404;

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, attendee, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0)
		rc = 0;
	sqlite3_reset(q);
	return rc;
}

/* The open presence interval of an attendee: its row id, or 0 if none. */
static int64_t
store_presence_open(struct store *s, const char *attendee, int64_t *in_ms)
{
	sqlite3_stmt	*q = store_stmt(s, SQL_PRESENCE_OPEN);
	int64_t		 id = 0;

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, attendee, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		id = sqlite3_column_int64(q, 0);
		*in_ms = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	return id;
}

/* Opens a presence interval unless one is open already. */
int
store_checkin(struct store *s, const char *attendee, int64_t now,
    const char *by, int64_t *since_ms, bool *changed)
{
	sqlite3_stmt	*q;
	int64_t		 id;
	int		 rc;

	*changed = false;
	if ((rc = store_attendee_ok(s, attendee)) != 0)
		return rc;
	if ((id = store_presence_open(s, attendee, since_ms)) != 0)
		return id < 0 ? -1 : 0;
	if ((q = store_stmt(s, SQL_PRESENCE_IN)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, attendee, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_text(q, 3, by, -1, SQLITE_STATIC);
	if (store_done(s, q) == -1)
		return -1;
	*since_ms = now;
	*changed = true;
	return 0;
}

/* Closes the open presence interval, if there is one. */
int
store_checkout(struct store *s, const char *attendee, int64_t now,
    const char *by, int64_t *in_ms, bool *changed)
{
	sqlite3_stmt	*q;
	int64_t		 id;
	int		 rc;

	*changed = false;
	*in_ms = TIMER_NONE;
	if ((rc = store_attendee_ok(s, attendee)) != 0)
		return rc;
	if ((id = store_presence_open(s, attendee, in_ms)) <= 0)
		return id < 0 ? -1 : 0;
	if ((q = store_stmt(s, SQL_PRESENCE_OUT)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_text(q, 3, by, -1, SQLITE_STATIC);
	if (store_done(s, q) == -1)
		return -1;
	*changed = true;
	return 0;
}

/* 0 for a pitch that takes interest, 404 unknown, 409 withdrawn. */
static int
store_pitch_ok(struct store *s, const char *pitch)
{
	sqlite3_stmt	*q = store_stmt(s, SQL_SLOT_STATE);
	int		 rc = 404;

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, pitch, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		rc = strcmp((const char *)sqlite3_column_text(q, 0), "withdrawn") == 0 ?
		    409 : 0;
	sqlite3_reset(q);
	return rc;
}

/* Appends a history row: every change of mind is kept. */
static int
store_history_add(struct store *s, const struct store_interest *in,
    const char *action)
{
	sqlite3_stmt	*q = store_stmt(s, SQL_HISTORY_ADD);

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, in->attendee, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, in->pitch, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, action, -1, SQLITE_STATIC);
	if (in->level != NULL)
		sqlite3_bind_text(q, 4, in->level, -1, SQLITE_STATIC);
	if (in->note != NULL)
		sqlite3_bind_text(q, 5, in->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, in->now);
	sqlite3_bind_int(q, 7, in->live);
	if (in->live_pitch != NULL)
		sqlite3_bind_text(q, 8, in->live_pitch, -1, SQLITE_STATIC);
	return store_done(s, q);
}

/*
 * Upserts an interest. *outcome: 1 created, 0 changed, -1 already so (an
 * identical repeat writes nothing, not even history).
 */
int
store_interest_put(struct store *s, const struct store_interest *in,
    int *outcome)
{
	sqlite3_stmt	*q;
	int		 rc, exists = 0, same = 0;

	if ((rc = store_attendee_ok(s, in->attendee)) != 0 ||
	    (rc = store_pitch_ok(s, in->pitch)) != 0)
		return rc;
	if ((q = store_stmt(s, SQL_INTEREST_GET)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, in->attendee, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, in->pitch, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		exists = 1;
		same = strcmp((const char *)sqlite3_column_text(q, 0), in->level) == 0 &&
		    strcmp((const char *)sqlite3_column_text(q, 1), in->note) == 0;
	}
	sqlite3_reset(q);
	if (same) {
		*outcome = -1;
		return 0;
	}
	if ((q = store_stmt(s, SQL_INTEREST_PUT)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, in->attendee, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, in->pitch, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, in->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, in->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, in->now);
	sqlite3_bind_int(q, 6, in->live);
	if (in->live_pitch != NULL)
		sqlite3_bind_text(q, 7, in->live_pitch, -1, SQLITE_STATIC);
	if (store_done(s, q) == -1 || store_history_add(s, in, "put") == -1)
		return -1;
	*outcome = exists ? 0 : 1;
	return 0;
}

/* Withdraws an interest; *deleted says whether there was one. */
int
store_interest_delete(struct store *s, const struct store_interest *in,
    bool *deleted)
{
	sqlite3_stmt	*q;
	int		 rc;

	*deleted = false;
	if ((rc = store_attendee_ok(s, in->attendee)) != 0)
		return rc;
	if ((q = store_stmt(s, SQL_INTEREST_DEL)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, in->attendee, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, in->pitch, -1, SQLITE_STATIC);
	if (store_done(s, q) == -1)
		return -1;
	if (sqlite3_changes(s->db) == 0) {
		/* Unknown pitch and nothing to withdraw look alike: tell them apart. */
		if ((rc = store_pitch_ok(s, in->pitch)) == 404)
			return 404;
		return 0;
	}
	*deleted = true;
	return store_history_add(s, in, "delete");
}

/* Records a display's clock offset. */
int
store_screen_put(struct store *s, const char *screen, const char *page,
    int64_t offset_ms, int64_t rtt_ms, int64_t now)
{
	sqlite3_stmt	*q = store_stmt(s, SQL_SCREEN_PUT);

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, screen, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, page, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, offset_ms);
	sqlite3_bind_int64(q, 4, rtt_ms);
	sqlite3_bind_int64(q, 5, now);
	return store_done(s, q);
}

static const char SQL_ME_PROFILE[] =
    "SELECT id, name, department, role, email FROM attendees WHERE id = ?1";
static const char SQL_ME_PRESENCE[] =
    "SELECT in_ms, out_ms FROM presence WHERE attendee = ?1 ORDER BY in_ms, id";
static const char SQL_ME_INTERESTS[] =
    "SELECT i.pitch, s.startup, i.level, i.note, i.live, i.created_ms, "
    "i.updated_ms FROM interests i JOIN slots s ON s.id = i.pitch "
    "WHERE i.attendee = ?1 ORDER BY s.stage, s.position";

/* A time column as JSON (null when NULL). */
static json_t *
store_json_time(sqlite3_stmt *q, int i)
{
	int64_t	v = store_column_time(q, i);

	return v == TIMER_NONE ? json_null() : json_integer(v);
}

/* GET /api/v1/me: profile, presence and own interests; NULL if unknown. */
json_t *
store_me(struct store *s, const char *attendee)
{
	sqlite3_stmt	*q;
	json_t		*me, *presence, *interests;
	bool		 in = false;

	if ((q = store_stmt(s, SQL_ME_PROFILE)) == NULL)
		return NULL;
	sqlite3_bind_text(q, 1, attendee, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return NULL;
	}
	me = json_pack("{s:s,s:s,s:s,s:s,s:s}",
	    "id", sqlite3_column_text(q, 0), "name", sqlite3_column_text(q, 1),
	    "department", sqlite3_column_text(q, 2), "role", sqlite3_column_text(q, 3),
	    "email", sqlite3_column_text(q, 4));
	sqlite3_reset(q);

	presence = json_array();
	if ((q = store_stmt(s, SQL_ME_PRESENCE)) != NULL) {
		sqlite3_bind_text(q, 1, attendee, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			in = sqlite3_column_type(q, 1) == SQLITE_NULL;
			json_array_append_new(presence, json_pack("{s:o,s:o}",
			    "in_ms", store_json_time(q, 0),
			    "out_ms", store_json_time(q, 1)));
		}
		sqlite3_reset(q);
	}
	interests = json_array();
	if ((q = store_stmt(s, SQL_ME_INTERESTS)) != NULL) {
		sqlite3_bind_text(q, 1, attendee, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW)
			json_array_append_new(interests, json_pack(
			    "{s:s,s:s,s:s,s:s,s:b,s:I,s:I}",
			    "pitch", sqlite3_column_text(q, 0),
			    "startup", sqlite3_column_text(q, 1),
			    "level", sqlite3_column_text(q, 2),
			    "note", sqlite3_column_text(q, 3),
			    "live", sqlite3_column_int(q, 4),
			    "created_ms", (json_int_t)sqlite3_column_int64(q, 5),
			    "updated_ms", (json_int_t)sqlite3_column_int64(q, 6)));
		sqlite3_reset(q);
	}
	return json_pack("{s:o,s:b,s:o,s:o}", "attendee", me, "checked_in", in,
	    "presence", presence, "interests", interests);
}
