/*
 * report_i18n.h — the labels of the reports in German and English.
 *
 * Every label a CSV header or an HTML page shows comes from this table, so a
 * report never mixes languages. Unknown languages fall back to English.
 */
#ifndef TAKT_REPORT_I18N_H
#define TAKT_REPORT_I18N_H

enum report_lang {
	REPORT_LANG_EN,
	REPORT_LANG_DE,
};

enum report_msg {
	/* Report titles. */
	RM_TIMING,
	RM_ATTENDANCE,
	RM_INTEREST,
	RM_FOLLOWUPS,

	/* Event header. */
	RM_VENUE,
	RM_DATE,
	RM_TIMEZONE,
	RM_GENERATED,
	RM_NO_DATA,

	/* Slots. */
	RM_STAGE,
	RM_POSITION,
	RM_PITCH,
	RM_STARTUP,
	RM_PRESENTER,
	RM_TITLE,
	RM_CONTACT,
	RM_STATUS,
	RM_PLANNED_START,
	RM_PLANNED_LENGTH,
	RM_ACTUAL_START,
	RM_ACTUAL_END,
	RM_NET,
	RM_ADDED,
	RM_OVERTIME,
	RM_PAUSES,
	RM_PAUSED,
	RM_INTERVENTIONS,
	RM_TIME_UP,
	RM_RUNNING,
	RM_SECONDS,
	RM_PER_PITCH,
	RM_TU_NONE,
	RM_TU_MESSAGE,
	RM_TU_NEXT,
	RM_TU_NEXT_START,

	/* Event totals. */
	RM_TOTALS,
	RM_WHOLE_EVENT,
	RM_START_DELAY,
	RM_END_DELAY,
	RM_MEAN_OVERRUN,
	RM_SLOTS_DONE,
	RM_SLOTS_SKIPPED,
	RM_NOT_OVER,
	RM_CHART_TIMING,
	RM_PLANNED,
	RM_ACTUAL,

	/* Displays. */
	RM_DISPLAYS,
	RM_SCREEN,
	RM_PAGE,
	RM_OFFSET,
	RM_RTT,
	RM_WORST_OFFSET,
	RM_SAMPLES,
	RM_UPDATED,

	/* Slot statuses. */
	RM_ST_PLANNED,
	RM_ST_LIVE,
	RM_ST_DONE,
	RM_ST_SKIPPED,
	RM_ST_WITHDRAWN,

	/* Attendance. */
	RM_ATTENDEE,
	RM_NAME,
	RM_DEPARTMENT,
	RM_ROLE,
	RM_EMAIL,
	RM_CHECKED_IN,
	RM_CHECKED_OUT,
	RM_PRESENCE,
	RM_TIME_PRESENT,
	RM_STILL_IN,
	RM_HEADS_PRESENT,
	RM_PRESENT,
	RM_DEPARTMENTS,
	RM_ATTENDEES,
	RM_DEPARTMENT_HEADS,
	RM_NOBODY,
	RM_CHART_ATTENDANCE,
	RM_ROLE_HEAD,
	RM_ROLE_STAFF,
	RM_ROLE_GUEST,
	RM_WITHDRAWN,

	/* Interest and follow-ups. */
	RM_LEVEL,
	RM_NOTE,
	RM_FOLLOW_UP,
	RM_INFO,
	RM_LIVE,
	RM_LATER,
	RM_WHEN,
	RM_GIVEN,
	RM_CHANGES,
	RM_DELETES,
	RM_LEVEL_CHANGES,
	RM_CHART_INTEREST,
	RM_INTERESTED,

	RM__COUNT
};

/* "de" is German; anything else (NULL, "en", "fr") is English. */
enum report_lang report_lang_parse(const char *);
const char	*report_lang_code(enum report_lang);
const char	*report_tr(enum report_lang, enum report_msg);
/* Whether a language has its own label for m (the tests check all do). */
int		 report_tr_has(enum report_lang, enum report_msg);

/* Labels of stored codes; the code itself when it is not known. */
const char	*report_tr_status(enum report_lang, const char *status);
const char	*report_tr_role(enum report_lang, const char *role);
const char	*report_tr_level(enum report_lang, const char *level);
const char	*report_tr_timeup(enum report_lang, const char *action);

#endif
