/*
 * report_i18n.c — the English and German labels of the reports.
 *
 * One designated initialiser per message keeps the two languages side by
 * side; report_tr() falls back to English if a German entry is ever
 * missing, and the unit test (through report_tr_has) checks that none is.
 */

#include <stddef.h>
#include <string.h>

#include "report_i18n.h"

struct report_label {
	const char	*en;
	const char	*de;
};

static const struct report_label report_labels[RM__COUNT] = {
	[RM_TIMING] = { "Timing report", "Zeitplan-Bericht" },
	[RM_ATTENDANCE] = { "Attendance", "Anwesenheit" },
	[RM_INTEREST] = { "Interest", "Interesse" },
	[RM_FOLLOWUPS] = { "Follow-ups", "Nachverfolgung" },

	[RM_VENUE] = { "Venue", "Ort" },
	[RM_DATE] = { "Date", "Datum" },
	[RM_TIMEZONE] = { "Time zone", "Zeitzone" },
	[RM_GENERATED] = { "Generated", "Erstellt" },
	[RM_NO_DATA] = { "No data yet.", "Noch keine Daten." },

	[RM_STAGE] = { "Stage", "Bühne" },
	[RM_POSITION] = { "No.", "Nr." },
	[RM_PITCH] = { "Pitch", "Pitch" },
	[RM_STARTUP] = { "Start-up", "Start-up" },
	[RM_PRESENTER] = { "Presenter", "Vortragende Person" },
	[RM_TITLE] = { "Title", "Titel" },
	[RM_CONTACT] = { "Contact", "Kontakt" },
	[RM_STATUS] = { "Status", "Status" },
	[RM_PLANNED_START] = { "Planned start", "Geplanter Beginn" },
	[RM_PLANNED_LENGTH] = { "Planned length", "Geplante Dauer" },
	[RM_ACTUAL_START] = { "Actual start", "Tatsächlicher Beginn" },
	[RM_ACTUAL_END] = { "Actual end", "Tatsächliches Ende" },
	[RM_NET] = { "Net speaking time", "Netto-Redezeit" },
	[RM_ADDED] = { "Added time", "Zusatzzeit" },
	[RM_OVERTIME] = { "Overtime", "Überziehung" },
	[RM_PAUSES] = { "Pauses", "Pausen" },
	[RM_PAUSED] = { "Paused", "Pausendauer" },
	[RM_INTERVENTIONS] = { "Interventions", "Eingriffe" },
	[RM_TIME_UP] = { "Time's up", "Zeit abgelaufen" },
	[RM_RUNNING] = { "running", "läuft" },
	[RM_SECONDS] = { "s", "s" },
	[RM_PER_PITCH] = { "Pitch by pitch", "Die Pitches im Einzelnen" },
	[RM_TU_NONE] = { "recorded only", "nur vermerkt" },
	[RM_TU_MESSAGE] = { "message shown", "Hinweis angezeigt" },
	[RM_TU_NEXT] = { "ended", "beendet" },
	[RM_TU_NEXT_START] = { "ended, next started",
	    "beendet, nächster gestartet" },

	[RM_TOTALS] = { "Event totals", "Gesamtwerte" },
	[RM_WHOLE_EVENT] = { "Whole event", "Gesamte Veranstaltung" },
	[RM_START_DELAY] = { "Start delay", "Verspätung zu Beginn" },
	[RM_END_DELAY] = { "End delay", "Verspätung am Ende" },
	[RM_MEAN_OVERRUN] = { "Mean overrun", "Mittlere Überziehung" },
	[RM_SLOTS_DONE] = { "Slots done", "Beendete Slots" },
	[RM_SLOTS_SKIPPED] = { "Slots skipped", "Übersprungene Slots" },
	[RM_NOT_OVER] = { "not over yet", "noch nicht beendet" },
	[RM_CHART_TIMING] = { "Planned length and net speaking time",
	    "Geplante Dauer und Netto-Redezeit" },
	[RM_PLANNED] = { "planned", "geplant" },
	[RM_ACTUAL] = { "net", "netto" },

	[RM_DISPLAYS] = { "Displays", "Anzeigen" },
	[RM_SCREEN] = { "Screen", "Bildschirm" },
	[RM_PAGE] = { "Page", "Seite" },
	[RM_OFFSET] = { "Clock offset (ms)", "Uhrenversatz (ms)" },
	[RM_RTT] = { "Round trip (ms)", "Umlaufzeit (ms)" },
	[RM_WORST_OFFSET] = { "Worst offset (ms)", "Größter Versatz (ms)" },
	[RM_SAMPLES] = { "Samples", "Messungen" },
	[RM_UPDATED] = { "Updated", "Aktualisiert" },

	[RM_ST_PLANNED] = { "planned", "geplant" },
	[RM_ST_LIVE] = { "live", "live" },
	[RM_ST_DONE] = { "done", "beendet" },
	[RM_ST_SKIPPED] = { "skipped", "übersprungen" },
	[RM_ST_WITHDRAWN] = { "withdrawn", "zurückgezogen" },

	[RM_ATTENDEE] = { "Attendee", "Teilnehmer/in" },
	[RM_NAME] = { "Name", "Name" },
	[RM_DEPARTMENT] = { "Department", "Abteilung" },
	[RM_ROLE] = { "Role", "Rolle" },
	[RM_EMAIL] = { "Email", "E-Mail" },
	[RM_CHECKED_IN] = { "Checked in", "Eingecheckt" },
	[RM_CHECKED_OUT] = { "Checked out", "Ausgecheckt" },
	[RM_PRESENCE] = { "Presence", "Anwesenheitszeiten" },
	[RM_TIME_PRESENT] = { "Time present", "Anwesenheitsdauer" },
	[RM_STILL_IN] = { "still here", "noch anwesend" },
	[RM_HEADS_PRESENT] = { "Department heads present",
	    "Anwesende Abteilungsleitungen" },
	[RM_PRESENT] = { "Present", "Anwesend" },
	[RM_DEPARTMENTS] = { "Departments", "Abteilungen" },
	[RM_ATTENDEES] = { "Attendees", "Teilnehmende" },
	[RM_DEPARTMENT_HEADS] = { "Department heads", "Abteilungsleitungen" },
	[RM_NOBODY] = { "nobody", "niemand" },
	[RM_CHART_ATTENDANCE] = { "Department heads present per pitch",
	    "Anwesende Abteilungsleitungen je Pitch" },
	[RM_ROLE_HEAD] = { "department head", "Abteilungsleitung" },
	[RM_ROLE_STAFF] = { "staff", "Mitarbeitende" },
	[RM_ROLE_GUEST] = { "guest", "Gast" },
	[RM_WITHDRAWN] = { "withdrawn", "zurückgezogen" },

	[RM_LEVEL] = { "Level", "Stufe" },
	[RM_NOTE] = { "Note", "Notiz" },
	[RM_FOLLOW_UP] = { "Follow up", "Nachverfolgen" },
	[RM_INFO] = { "Info", "Info" },
	[RM_LIVE] = { "live", "live" },
	[RM_LATER] = { "later", "später" },
	[RM_WHEN] = { "Live or later", "Live oder später" },
	[RM_GIVEN] = { "Given", "Abgegeben" },
	[RM_CHANGES] = { "Changes of mind", "Meinungsänderungen" },
	[RM_DELETES] = { "Withdrawn", "Zurückgenommen" },
	[RM_LEVEL_CHANGES] = { "Level changed", "Stufe geändert" },
	[RM_CHART_INTEREST] = { "Interest per start-up",
	    "Interesse je Start-up" },
	[RM_INTERESTED] = { "Interested", "Interessiert" },
};

/* German only on request: the SPEC knows two languages, English is safest. */
enum report_lang
report_lang_parse(const char *s)
{
	if (s != NULL && strcmp(s, "de") == 0)
		return (REPORT_LANG_DE);
	return (REPORT_LANG_EN);
}

/* The code for the lang attribute and the JSON event header. */
const char *
report_lang_code(enum report_lang l)
{
	return (l == REPORT_LANG_DE ? "de" : "en");
}

/* Looks a label up; never NULL, so callers can print it unchecked. */
const char *
report_tr(enum report_lang l, enum report_msg m)
{
	const struct report_label	*lb;

	if ((unsigned)m >= RM__COUNT)
		return ("?");
	lb = &report_labels[m];
	if (l == REPORT_LANG_DE && lb->de != NULL)
		return (lb->de);
	return (lb->en != NULL ? lb->en : "?");
}

/* Lets the tests prove both columns of the table are complete. */
int
report_tr_has(enum report_lang l, enum report_msg m)
{
	if ((unsigned)m >= RM__COUNT)
		return (0);
	if (l == REPORT_LANG_DE)
		return (report_labels[m].de != NULL);
	return (report_labels[m].en != NULL);
}

/* Maps a stored code to its label through a small table. */
static const char *
report_tr_code(enum report_lang l, const char *code, const char *const *codes,
    const enum report_msg *msgs, size_t n)
{
	size_t	i;

	if (code == NULL)
		return ("");
	for (i = 0; i < n; i++) {
		if (strcmp(code, codes[i]) == 0)
			return (report_tr(l, msgs[i]));
	}
	return (code);
}

/* A slot status as a reader says it. */
const char *
report_tr_status(enum report_lang l, const char *status)
{
	static const char *const	codes[] = {
		"planned", "live", "done", "skipped", "withdrawn"
	};
	static const enum report_msg	msgs[] = {
		RM_ST_PLANNED, RM_ST_LIVE, RM_ST_DONE, RM_ST_SKIPPED,
		RM_ST_WITHDRAWN
	};

	return (report_tr_code(l, status, codes, msgs, 5));
}

/* An attendee role as a reader says it. */
const char *
report_tr_role(enum report_lang l, const char *role)
{
	static const char *const	codes[] = {
		"department_head", "staff", "guest"
	};
	static const enum report_msg	msgs[] = {
		RM_ROLE_HEAD, RM_ROLE_STAFF, RM_ROLE_GUEST
	};

	return (report_tr_code(l, role, codes, msgs, 3));
}

/* An interest level as a reader says it. */
const char *
report_tr_level(enum report_lang l, const char *level)
{
	static const char *const	codes[] = { "follow_up", "info" };
	static const enum report_msg	msgs[] = { RM_FOLLOW_UP, RM_INFO };

	return (report_tr_code(l, level, codes, msgs, 2));
}

/* What the time's-up policy did, as the moderator would say it. */
const char *
report_tr_timeup(enum report_lang l, const char *action)
{
	static const char *const	codes[] = {
		"none", "message", "next", "next_start"
	};
	static const enum report_msg	msgs[] = {
		RM_TU_NONE, RM_TU_MESSAGE, RM_TU_NEXT, RM_TU_NEXT_START
	};

	return (report_tr_code(l, action, codes, msgs, 4));
}
