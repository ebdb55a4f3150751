/*
 * report.h — the organisers' reports (SPEC §6): pure computation over plain
 * data gathered from the store, then rendering to JSON, CSV or HTML.
 *
 * Pure module: no libevent, no SQLite. The daemon fills a struct report_input
 * (everything borrowed, nothing owned) and asks for a report by name and
 * format; the answer is a malloc'd buffer.
 */
#ifndef TAKT_REPORT_H
#define TAKT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timer.h"	/* TIMER_NONE for unknown times */

struct report_slot {
	const char	*id;
	const char	*stage;		/* stage id */
	const char	*stage_name;
	int		 position;	/* 1-based within its stage */
	const char	*startup;
	const char	*presenter;
	const char	*title;
	const char	*contact;
	const char	*status;	/* planned|live|done|skipped|withdrawn */
	int64_t		 length_ms;
	int64_t		 planned_start_ms;
	int64_t		 projected_start_ms;	/* agenda_project(); TIMER_NONE if none */
	int64_t		 actual_start_ms;	/* TIMER_NONE if never started */
	int64_t		 actual_end_ms;		/* TIMER_NONE if not ended */
};

/* One ledger row (schema/001_init.sql), in id order. */
struct report_ledger {
	const char	*stage;
	int64_t		 seq;
	int64_t		 at_ms;
	const char	*who;		/* organiser|moderator|attendee:ID|timer */
	const char	*kind;		/* action|phase|time_up */
	const char	*what;		/* start, pause, ..., warning, danger, zero, none, message, next, next_start */
	const char	*pitch;		/* slot id or NULL */
	int64_t		 remaining_ms;	/* TIMER_NONE if null */
	const char	*payload;	/* JSON request body or NULL; extend: {"seconds":N} */
};

struct report_attendee {
	const char	*id;
	const char	*name;
	const char	*department;
	const char	*role;		/* department_head|staff|guest */
	const char	*email;
	bool		 withdrawn;
};

/* One presence interval at the door; out_ms TIMER_NONE while still in. */
struct report_presence {
	const char	*attendee;
	int64_t		 in_ms;
	int64_t		 out_ms;
};

/* The current interest of an attendee in a pitch. */
struct report_interest {
	const char	*attendee;
	const char	*pitch;
	const char	*level;		/* follow_up|info */
	const char	*note;
	int64_t		 created_ms;
	int64_t		 updated_ms;
	bool		 live;		/* given while that pitch was live */
};

/* A change of mind (put or delete), in time order. */
struct report_history {
	const char	*attendee;
	const char	*pitch;
	const char	*action;	/* put|delete */
	const char	*level;		/* NULL for delete */
	int64_t		 at_ms;
	bool		 live;
};

/* A display's measured clock offset (POST /api/v1/screens). */
struct report_screen {
	const char	*screen;
	const char	*page;
	int64_t		 offset_ms;
	int64_t		 rtt_ms;
	int64_t		 worst_offset_ms;	/* largest |offset| seen */
	int64_t		 samples;
	int64_t		 updated_ms;
};

struct report_input {
	const char	*title;
	const char	*venue;
	const char	*date;
	const char	*timezone;	/* IANA name: times are shown in it */
	const char	*language;	/* "de" or "en" */
	int64_t		 now_ms;	/* for live slots and open presence */
	const struct report_slot	*slots;		/* by stage, then position */
	size_t				 nslots;
	const struct report_ledger	*ledger;
	size_t				 nledger;
	const struct report_attendee	*attendees;
	size_t				 nattendees;
	const struct report_presence	*presence;
	size_t				 npresence;
	const struct report_interest	*interests;
	size_t				 ninterests;
	const struct report_history	*history;
	size_t				 nhistory;
	const struct report_screen	*screens;
	size_t				 nscreens;
};

enum report_name {
	REPORT_TIMING,
	REPORT_ATTENDANCE,
	REPORT_INTEREST,
	REPORT_FOLLOWUPS,
};

enum report_format {
	REPORT_JSON,
	REPORT_CSV,
	REPORT_HTML,
};

/* Parses "timing" etc. and "json"/"csv"/"html"; -1 if unknown. */
int		 report_name_parse(const char *);
int		 report_format_parse(const char *);
const char	*report_name_str(enum report_name);
/* The Content-Type of a format ("text/csv; charset=utf-8", ...). */
const char	*report_content_type(enum report_format);

/*
 * Computes and renders a report. Returns a malloc'd buffer (not necessarily
 * NUL-terminated; *len is its length) or NULL on memory failure.
 */
char		*report_render(const struct report_input *, enum report_name,
		    enum report_format, size_t *len);

/*
 * Escapes one CSV cell per RFC 4180 and against formula injection (a cell
 * that begins with = + - @, tab or CR gets a leading apostrophe), appending
 * to a malloc'd buffer. Exposed for the tests.
 */
char		*report_csv_cell(const char *s);
/* Escapes text for HTML element content and attribute values. Malloc'd. */
char		*report_html_escape(const char *s);

#endif
