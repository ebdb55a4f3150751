/*
 * report_int.h — what the report files share and nobody else needs: the
 * computed figures (report_calc.c, report_interest.c), an output buffer
 * and time formatting (report.c), and the renderers (report_json.c,
 * report_csv.c, report_html.c with its charts in report_svg.c).
 *
 * The figures are computed once from struct report_input and then only
 * formatted, so JSON, CSV and HTML can never disagree about a number.
 */
#ifndef TAKT_REPORT_INT_H
#define TAKT_REPORT_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "report_i18n.h"

/* Timing of one slot; the figures describe its last run. */
struct report_trow {
	const struct report_slot	*slot;
	bool		 started;	/* has an actual start */
	bool		 running;	/* no actual end yet: measured until now */
	int64_t		 start_ms;	/* TIMER_NONE unless started */
	int64_t		 end_ms;	/* actual end, or now while running */
	int64_t		 net_ms;	/* end - start - paused */
	int64_t		 added_ms;	/* sum of extends in the run */
	int64_t		 overrun_ms;	/* net - (length + added), may be < 0 */
	int64_t		 overtime_ms;	/* max(0, overrun) */
	size_t		 npauses;
	int64_t		 paused_ms;
	size_t		 interventions;	/* action rows naming the pitch, all runs */
	const struct report_ledger **timeup;	/* time_up rows in the run */
	size_t		 ntimeup;
};

/* Totals of one stage, or of the whole event (stage NULL). */
struct report_ttotal {
	const char	*stage;
	const char	*stage_name;
	int64_t		 first_planned_ms;
	int64_t		 first_actual_ms;
	int64_t		 start_delay_ms;
	int64_t		 planned_end_ms;	/* of the last slot not skipped */
	int64_t		 last_end_ms;
	int64_t		 end_delay_ms;		/* TIMER_NONE until over */
	bool		 over;			/* nothing planned or live left */
	int64_t		 mean_overrun_ms;	/* TIMER_NONE without done slots */
	size_t		 ndone;
	size_t		 nskipped;
};

/* One attendee's presence at the door. */
struct report_arow {
	const struct report_attendee	*att;
	const struct report_presence	**iv;	/* by check-in time */
	size_t		 niv;
	int64_t		 present_ms;
	bool		 in_now;
};

/* Who was in the room during one pitch that took place. */
struct report_apitch {
	const struct report_trow	*t;
	const struct report_attendee	**heads;	/* department heads present */
	size_t		 nheads;
	size_t		 npresent;	/* attendees of any role present */
};

struct report_adept {
	const char	*name;
	size_t		 nattendees;
	size_t		 nheads;
	size_t		 ncheckedin;
	size_t		*present;	/* per report_apitch, any role */
};

/* Changes of mind of one attendee about one pitch. */
struct report_change {
	const char	*attendee;
	const char	*pitch;
	size_t		 puts;
	size_t		 deletes;
	size_t		 level_changes;
	const char	*last_level;	/* while counting */
};

/* One interested attendee of a start-up, for the follow-up list. */
struct report_fentry {
	const struct report_interest	*interest;
	const struct report_attendee	*att;	/* NULL if unknown */
};

struct report_fgroup {
	const struct report_slot	*slot;
	struct report_fentry		*e;
	size_t				 n;
};

struct report_model {
	const struct report_input	*in;
	enum report_lang		 lang;

	struct report_trow		*trows;		/* one per slot */
	struct report_ttotal		*stages;
	size_t				 nstages;
	struct report_ttotal		 total;
	int64_t				 worst_offset_ms;	/* over all screens */

	struct report_arow		*arows;		/* one per attendee */
	struct report_apitch		*apitches;
	size_t				 napitches;
	struct report_adept		*depts;
	size_t				 ndepts;

	const struct report_attendee	**irows;
	size_t				 nirows;
	const struct report_slot	**icols;
	size_t				 nicols;
	const struct report_interest	**cells;	/* irow * nicols + icol */
	size_t				*nfollow;	/* per column */
	size_t				*ninfo;
	struct report_change		*changes;	/* only real changes */
	size_t				 nchanges;
	size_t				 nlive;		/* interests given live */

	struct report_fgroup		*fgroups;
	size_t				 nfgroups;
};

/* report_calc.c: the model, timing and attendance. */
int		 report_model_build(struct report_model *,
		    const struct report_input *);
void		 report_model_free(struct report_model *);
bool		 report_streq(const char *, const char *);
void		*report_calloc(size_t, size_t);
const struct report_attendee *report_attendee_find(const struct report_input *,
		    const char *);

/* report_interest.c: the matrix, changes of mind, follow-ups. */
int		 report_calc_interest(struct report_model *);
int		 report_calc_followups(struct report_model *);
const struct report_change *report_change_find(const struct report_model *,
		    const char *, const char *);

/* A growing output buffer; err sticks after the first allocation failure. */
struct report_buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
	int		 err;
};

/* report.c */
void		 report_buf_add(struct report_buf *, const char *, size_t);
void		 report_buf_puts(struct report_buf *, const char *);
void		 report_buf_printf(struct report_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*report_buf_finish(struct report_buf *, size_t *);
/* "HH:MM:SS" in the report's time zone; "" for TIMER_NONE. */
void		 report_fmt_clock(int64_t, char *, size_t);
/* ISO 8601 with the zone's offset, "2026-12-03T14:00:00+01:00". */
void		 report_fmt_iso(int64_t, char *, size_t);
/* A duration rounded to seconds as [-]M:SS or [-]H:MM:SS, "+" if asked. */
void		 report_fmt_dur(int64_t, bool, char *, size_t);
/* Milliseconds rounded to whole seconds, halves away from zero. */
int64_t		 report_ms_to_s(int64_t);
/* The title of a report in a language. */
const char	*report_title_msg(enum report_name, enum report_lang);

/* report_svg.c: the charts of the HTML pages. */
void		 report_svg_timing(struct report_buf *,
		    const struct report_model *);
void		 report_svg_interest(struct report_buf *,
		    const struct report_model *);
void		 report_svg_attendance(struct report_buf *,
		    const struct report_model *);

/* report_json.c, report_csv.c, report_html.c */
char		*report_json(const struct report_model *, enum report_name,
		    size_t *);
char		*report_csv(const struct report_model *, enum report_name,
		    size_t *);
char		*report_html(const struct report_model *, enum report_name,
		    size_t *);
void		 report_html_text(struct report_buf *, const char *);

#endif
