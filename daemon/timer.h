/*
 * timer.h — the per-stage pitch timer state machine (SPEC §3).
 *
 * Pure module: no libevent, no SQLite, no clock of its own. Every function
 * takes `now`, a time in milliseconds on a monotonic timeline anchored to
 * unix wall time (the daemon passes clock_now_ms(); tests pass whatever they
 * like). What happened is reported back as timer_note records, which the
 * daemon appends to the ledger; the whole struct timer is what the daemon
 * stores as the live state, so a restart resumes it exactly.
 */
#ifndef TAKT_TIMER_H
#define TAKT_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define TIMER_NONE		INT64_MIN	/* an unknown / null time */
#define TIMER_MESSAGE_MAX	280		/* characters (code points) */
#define TIMER_MESSAGE_BYTES	(TIMER_MESSAGE_MAX * 4 + 1)
#define TIMER_EXTEND_MAX_S	3600
#define TIMER_NOTES_MAX		8

enum timer_mode {
	TIMER_IDLE,		/* nothing loaded */
	TIMER_READY,		/* slot loaded, not started */
	TIMER_RUNNING,
	TIMER_PAUSED,
	TIMER_FINISHED,		/* after the last slot */
};

enum timer_phase {
	PHASE_NONE,		/* not running or paused */
	PHASE_NORMAL,
	PHASE_WARNING,		/* remaining <= warning */
	PHASE_DANGER,		/* remaining <= danger */
	PHASE_OVERTIME,		/* remaining < 0 */
};

enum slot_status {
	SLOT_PLANNED,
	SLOT_LIVE,
	SLOT_DONE,
	SLOT_SKIPPED,
	SLOT_WITHDRAWN,
};

/* One pitch slot as the timer sees it; position order is array order. */
struct timer_slot {
	char		 id[41];
	int64_t		 length_ms;
	int64_t		 changeover_ms;
	int64_t		 warning_ms;
	int64_t		 danger_ms;
	int64_t		 grace_ms;
	enum time_up_action on_time_up;
	int64_t		 planned_start_ms;
	enum slot_status status;
	int64_t		 actual_start_ms;	/* TIMER_NONE until started */
	int64_t		 actual_end_ms;		/* TIMER_NONE until ended */
};

/* The live state of one stage. */
struct timer {
	struct timer_slot *slots;	/* borrowed; owned by the caller */
	size_t		 nslots;
	int		 cur;		/* loaded slot index, -1 when none */
	int		 pos;		/* last loaded index (kept in idle/finished), -1 at first */
	enum timer_mode	 mode;
	enum timer_phase phase;		/* last published phase */
	int64_t		 duration_ms;	/* length of the loaded slot */
	int64_t		 added_ms;	/* sum of extends */
	int64_t		 elapsed_ms;	/* elapsed before run_since_ms */
	int64_t		 run_since_ms;	/* start of the current running span, or TIMER_NONE */
	bool		 time_up_done;	/* the time's-up action fired for this run */
	uint64_t	 seq;		/* +1 on every state change */
	char		 message[TIMER_MESSAGE_BYTES];
	bool		 message_visible;
	bool		 message_blink;
	bool		 blackout;
	char		 time_up_message[TIMER_MESSAGE_BYTES];	/* for TIME_UP_MESSAGE */
};

enum timer_action_kind {
	TA_START, TA_PAUSE, TA_RESUME, TA_EXTEND, TA_NEXT, TA_PREVIOUS,
	TA_GOTO, TA_SKIP, TA_STOP, TA_MESSAGE, TA_BLACKOUT,
	TA__COUNT
};

/* An action with its (already decoded and validated) body. */
struct timer_action {
	enum timer_action_kind kind;
	const char	*pitch;		/* start, goto, skip: slot id or NULL */
	int64_t		 seconds;	/* extend */
	bool		 start;		/* next: also start */
	const char	*text;		/* message: NULL keeps the current text */
	int		 visible;	/* message: -1 keep, 0, 1 */
	int		 blink;		/* message: -1 keep, 0, 1 */
	bool		 on;		/* blackout */
};

enum timer_result {
	TIMER_OK = 0,
	TIMER_EINVAL,		/* 400: bad argument (extend range, text too long) */
	TIMER_ENOTFOUND,	/* 404: unknown pitch */
	TIMER_ECONFLICT,	/* 409: not allowed in this mode */
};

enum timer_note_kind {
	NOTE_ACTION,		/* a moderator's action; what = action name */
	NOTE_PHASE,		/* what = "warning", "danger", "zero" */
	NOTE_TIME_UP,		/* what = time_up_action_name() of the policy applied */
};

/* Something for the ledger: who did what, when, with how much remaining. */
struct timer_note {
	enum timer_note_kind kind;
	const char	*what;
	int		 slot;		/* index or -1 */
	int64_t		 at_ms;		/* exact time it happened (crossings: the crossing) */
	int64_t		 remaining_ms;	/* at that moment, TIMER_NONE if no slot running */
};

struct timer_notes {
	struct timer_note note[TIMER_NOTES_MAX];
	size_t		 n;
	bool		 changed;	/* seq was incremented */
	bool		 message_changed;
};

/* Sets up t over slots (all planned), mode idle, seq 0. */
void		 timer_init(struct timer *t, struct timer_slot *slots, size_t nslots);

/*
 * Applies an action at now. Catches up (timer_advance) first. On success the
 * state changes, seq grows by exactly one for the action and notes are added.
 * On error nothing changes and *why (if given) is a short English reason.
 */
enum timer_result timer_apply(struct timer *t, const struct timer_action *a,
		    int64_t now, struct timer_notes *out, const char **why);

/*
 * Brings t up to now: phase crossings (warning, danger, zero) and the time's
 * up policy at remaining = -grace. seq grows by one if anything changed.
 */
void		 timer_advance(struct timer *t, int64_t now, struct timer_notes *out);

/* Elapsed speaking time of the loaded slot (pauses excluded). */
int64_t		 timer_elapsed_ms(const struct timer *t, int64_t now);
/* duration + added - elapsed; 0 when nothing is loaded. */
int64_t		 timer_remaining_ms(const struct timer *t, int64_t now);
/* Wall time at which remaining reaches 0 while running, else TIMER_NONE. */
int64_t		 timer_deadline_ms(const struct timer *t);
/* The phase remaining implies at now (PHASE_NONE unless running/paused). */
enum timer_phase timer_phase_at(const struct timer *t, int64_t now);

/*
 * The next moment after now at which remaining crosses a whole second (and
 * so a tick, a phase crossing or time's up may be due), or TIMER_NONE when
 * not running. Crossing k*1000 happens at deadline - k*1000.
 */
int64_t		 timer_next_crossing_ms(const struct timer *t, int64_t now);

/* Finds a slot index by id, -1 if none. */
int		 timer_slot_find(const struct timer *t, const char *id);

/* Names as in SPEC/JSON. */
const char	*timer_mode_name(enum timer_mode);
const char	*timer_phase_name(enum timer_phase);
const char	*slot_status_name(enum slot_status);
const char	*timer_action_name(enum timer_action_kind);
/* Parses names back; -1 if unknown. */
int		 timer_mode_parse(const char *);
int		 timer_phase_parse(const char *);
int		 slot_status_parse(const char *);
int		 timer_action_parse(const char *);

/*
 * Agenda projection (agenda.c). For each slot, the projected start:
 * done/live slots their actual start; skipped/withdrawn none; planned ones
 * max(planned start, now, projected end of the slot before + changeover),
 * where the live slot ends at max(now, now + remaining) and a loaded-but-not-
 * started slot takes its full length from its projected start.
 */
void		 agenda_project(const struct timer *t, int64_t now, int64_t *projected_start_ms);

/* The slot index `next` means in a snapshot: the next planned slot after the
 * loaded one (or after pos when nothing is loaded); -1 if none. */
int		 agenda_next_slot(const struct timer *t);

/* projected - planned start of agenda_next_slot(), or 0 if there is none. */
int64_t		 agenda_delay_ms(const struct timer *t, int64_t now);

#endif
