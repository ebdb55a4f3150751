/*
 * test_report.c — the organisers' reports on a small hand-made event.
 *
 * One stage "main" with a done slot (negative extend), a done slot with a
 * pause, an extend, time's up and overtime (plus rows of an earlier run
 * that must not count), a skipped slot, a planned slot and a withdrawn one;
 * a second stage "side" with one done slot. Four attendees in three
 * departments whose presence overlaps some pitches and not others, and
 * interests whose notes try formula and script injection. Every figure
 * below is worked out by hand from these rows.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "report.h"
#include "report_i18n.h"

#define T0	INT64_C(1796302800000)	/* 2026-12-03 14:00:00 in Berlin */
#define S2	(T0 + 400000)		/* kiel's actual start, 14:06:40 */
#define MIN	60000
#define NOW	(T0 + 1200000)		/* 14:20:00 */
#define NONE	TIMER_NONE

static struct report_slot slots[] = {
	{ "fleno", "main", "Großer Saal", 1, "Fleno GmbH", "Krabat Rombach",
	  "Bauanträge digital", "team@fleno.example", "done", 300000, T0,
	  NONE, T0 + MIN, T0 + 350000 },
	{ "kiel", "main", "Großer Saal", 2, "Kiel Robotics", "Kim Kiel",
	  "Roboter, die \"putzen\"", "hi@kiel.example", "done", 300000,
	  T0 + 330000, NONE, S2, S2 + 405000 },
	{ "ostsee", "main", "Großer Saal", 3, "Ostsee Data", "Ole Ost",
	  "Daten", "o@ostsee.example", "skipped", 300000, T0 + 660000,
	  NONE, NONE, NONE },
	{ "watt", "main", "Großer Saal", 4, "Watt & Meer <GmbH>", "Wiebke",
	  "Energie", "w@watt.example", "planned", 300000, T0 + 990000,
	  T0 + 990000, NONE, NONE },
	{ "alt", "main", "Großer Saal", 5, "Alt AG", "Alf", "Weg",
	  "alt@alt.example", "withdrawn", 300000, T0 + 1320000, NONE, NONE,
	  NONE },
	{ "moin", "side", "Kleiner Saal", 1, "Moin Mobility", "Mo", "Räder",
	  "mo@moin.example", "done", 240000, T0, NONE, T0 + 5000,
	  T0 + 255000 },
};

#define A(st, at, who, kind, what, pitch, payload) \
	{ st, 0, at, who, kind, what, pitch, NONE, payload }
static struct report_ledger ledger[] = {
	A("side", T0 + 5000, "moderator", "action", "start", "moin", NULL),
	A("main", T0 + MIN, "moderator", "action", "start", "fleno", NULL),
	A("main", T0 + 200000, "moderator", "action", "extend", "fleno",
	    "{\"seconds\":-10}"),
	A("side", T0 + 255000, "moderator", "action", "next", "moin", NULL),
	A("main", T0 + 300000, "timer", "phase", "warning", "fleno", NULL),
	A("main", T0 + 350000, "moderator", "action", "next", "fleno", NULL),
	/* An earlier, aborted run of kiel: outside the last run's window. */
	A("main", T0 + 355000, "moderator", "action", "start", "kiel", NULL),
	A("main", T0 + 360000, "moderator", "action", "pause", "kiel", NULL),
	A("main", T0 + 362000, "moderator", "action", "extend", "kiel",
	    "{\"seconds\":60}"),
	/* The run that counts. */
	A("main", S2, "moderator", "action", "start", "kiel", NULL),
	A("main", S2 + 100000, "moderator", "action", "pause", "kiel", NULL),
	A("main", S2 + 130000, "moderator", "action", "resume", "kiel", NULL),
	A("main", S2 + 200000, "moderator", "action", "extend", "kiel",
	    "{\"seconds\":30}"),
	A("main", S2 + 360000, "timer", "phase", "zero", "kiel", NULL),
	A("main", S2 + 390000, "timer", "time_up", "message", "kiel", NULL),
	A("main", S2 + 405000, "moderator", "action", "next", "kiel", NULL),
	A("main", T0 + 806000, "moderator", "action", "skip", "ostsee", NULL),
	A("main", T0 + 900000, "moderator", "action", "message", NULL,
	    "{\"text\":\"Pause\"}"),
	/* Only for the live variant: watt paused and never resumed. */
	A("main", T0 + 1050000, "moderator", "action", "pause", "watt", NULL),
};
#define NLEDGER_BASE	(sizeof ledger / sizeof ledger[0] - 1)

static const struct report_attendee attendees[] = {
	{ "ott", "Dr. Marcus Ott", "IuK / E-Government", "department_head",
	  "m.ott@flensburg.example", false },
	{ "oez", "Ayşe Özkan", "Stadtplanung", "department_head",
	  "a.oezkan@flensburg.example", false },
	{ "berg", "Jürgen Berg", "Stadtplanung", "staff",
	  "j.berg@flensburg.example", false },
	{ "lund", "Änne Lund", "Kämmerei", "department_head",
	  "a.lund@flensburg.example", false },
};

static const struct report_presence presence[] = {
	{ "berg", T0 + 700000, NONE },
	{ "ott", T0 - 600000, T0 + 500000 },
	{ "oez", T0 + 350000, NONE },		/* in just as fleno ends */
	{ "berg", T0, T0 + 100000 },
	{ "lund", T0 + 810000, T0 + 900000 },	/* after every pitch */
};

#define NOTE_FORMULA	"=HYPERLINK(\"http://x\")"
#define NOTE_SCRIPT	"<script>alert(1)</script>"
#define NOTE_QUOTES	"Größe, \"Preis\"\nund Termin"

static const struct report_interest interests[] = {
	{ "ott", "kiel", "follow_up", NOTE_FORMULA, T0 + 500000,
	  T0 + 500000, true },
	{ "oez", "kiel", "info", NOTE_SCRIPT, T0 + 450000, T0 + 460000,
	  false },
	{ "berg", "fleno", "follow_up", NOTE_QUOTES, T0 + 200000,
	  T0 + 200000, true },
	{ "lund", "kiel", "follow_up", "Anruf bitte", T0 + 850000,
	  T0 + 860000, false },
	{ "ott", "fleno", "info", "", T0 + 600000, T0 + 600000, false },
	{ "lund", "alt", "info", "-1 Termin", T0 + 870000, T0 + 870000,
	  false },
};

static const struct report_history history[] = {
	{ "oez", "kiel", "put", "follow_up", T0 + 450000, true },
	{ "oez", "kiel", "put", "info", T0 + 460000, false },
	{ "ott", "fleno", "put", "follow_up", T0 + 500000, false },
	{ "ott", "fleno", "delete", NULL, T0 + 550000, false },
	{ "lund", "kiel", "put", "follow_up", T0 + 850000, false },
	{ "lund", "kiel", "put", "follow_up", T0 + 860000, false },
	{ "ott", "fleno", "put", "info", T0 + 600000, false },
};

static const struct report_screen screens[] = {
	{ "foyer", "stage", 12, 40, -85, 10, T0 + 1000 },
	{ "saal", "stage", -3, 25, 20, 4, T0 + 2000 },
};

static struct report_input	in;

/* The event above, in German unless a test says otherwise. */
static void
setup(void)
{
	memset(&in, 0, sizeof in);
	in.title = "Smart City Flensburg — Start-up-Pitches";
	in.venue = "Technologiezentrum";
	in.date = "2026-12-03";
	in.timezone = "Europe/Berlin";
	in.language = "de";
	in.now_ms = NOW;
	in.slots = slots;
	in.nslots = sizeof slots / sizeof slots[0];
	in.ledger = ledger;
	in.nledger = NLEDGER_BASE;
	in.attendees = attendees;
	in.nattendees = sizeof attendees / sizeof attendees[0];
	in.presence = presence;
	in.npresence = sizeof presence / sizeof presence[0];
	in.interests = interests;
	in.ninterests = sizeof interests / sizeof interests[0];
	in.history = history;
	in.nhistory = sizeof history / sizeof history[0];
	in.screens = screens;
	in.nscreens = sizeof screens / sizeof screens[0];
}

/* Renders a report as a NUL-terminated string the test owns. */
static char *
render(enum report_name name, enum report_format fmt)
{
	char	*buf, *s;
	size_t	 len;

	buf = report_render(&in, name, fmt, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_gt(len, 0);
	s = malloc(len + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, buf, len);
	s[len] = '\0';
	free(buf);
	ck_assert_uint_eq(strlen(s), len);
	return (s);
}

/* Renders JSON and parses it back. */
static json_t *
render_json(enum report_name name)
{
	json_error_t	 err;
	json_t		*j;
	char		*buf;
	size_t		 len;

	buf = report_render(&in, name, REPORT_JSON, &len);
	ck_assert_ptr_nonnull(buf);
	j = json_loadb(buf, len, 0, &err);
	free(buf);
	ck_assert_msg(j != NULL, "JSON does not parse: %s", err.text);
	return (j);
}

/* Follows "a.0.b" through objects and arrays; NULL if a step is missing. */
static json_t *
jp(json_t *j, const char *path)
{
	char	 buf[256], *tok, *save = NULL, *end;
	long	 idx;

	snprintf(buf, sizeof buf, "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && j != NULL;
	    tok = strtok_r(NULL, ".", &save)) {
		idx = strtol(tok, &end, 10);
		if (*end == '\0' && json_is_array(j))
			j = json_array_get(j, (size_t)idx);
		else
			j = json_object_get(j, tok);
	}
	ck_assert_msg(j != NULL, "no %s", path);
	return (j);
}

/* An integer at a path. */
static json_int_t
ji(json_t *j, const char *path)
{
	json_t	*v = jp(j, path);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", path);
	return (json_integer_value(v));
}

/* A string at a path. */
static const char *
js(json_t *j, const char *path)
{
	json_t	*v = jp(j, path);

	ck_assert_msg(json_is_string(v), "%s is not a string", path);
	return (json_string_value(v));
}

/* Whether a path holds null. */
static bool
jnull(json_t *j, const char *path)
{
	return (json_is_null(jp(j, path)));
}

/* The n-th CSV record (0 = header) of simple output with no quoted CRLF. */
static char *
csv_line(const char *csv, int n)
{
	const char	*p = csv, *e;
	char		*s;

	while (n-- > 0) {
		p = strstr(p, "\r\n");
		ck_assert_ptr_nonnull(p);
		p += 2;
	}
	e = strstr(p, "\r\n");
	ck_assert_ptr_nonnull(e);
	s = strndup(p, (size_t)(e - p));
	ck_assert_ptr_nonnull(s);
	return (s);
}

/* Asserts the n-th CSV record. */
static void
csv_expect(const char *csv, int n, const char *want)
{
	char	*got = csv_line(csv, n);

	ck_assert_str_eq(got, want);
	free(got);
}

/* Counts occurrences of a needle. */
static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return (n);
}

START_TEST(test_names)
{
	ck_assert_int_eq(report_name_parse("timing"), REPORT_TIMING);
	ck_assert_int_eq(report_name_parse("attendance"), REPORT_ATTENDANCE);
	ck_assert_int_eq(report_name_parse("interest"), REPORT_INTEREST);
	ck_assert_int_eq(report_name_parse("followups"), REPORT_FOLLOWUPS);
	ck_assert_int_eq(report_name_parse("Timing"), -1);
	ck_assert_int_eq(report_name_parse(""), -1);
	ck_assert_int_eq(report_name_parse(NULL), -1);
	ck_assert_int_eq(report_format_parse("json"), REPORT_JSON);
	ck_assert_int_eq(report_format_parse("csv"), REPORT_CSV);
	ck_assert_int_eq(report_format_parse("html"), REPORT_HTML);
	ck_assert_int_eq(report_format_parse("xml"), -1);
	ck_assert_str_eq(report_name_str(REPORT_FOLLOWUPS), "followups");
	ck_assert_str_eq(report_content_type(REPORT_JSON), "application/json");
	ck_assert_ptr_nonnull(strstr(report_content_type(REPORT_CSV),
	    "text/csv; charset=utf-8"));
	ck_assert_str_eq(report_content_type(REPORT_HTML),
	    "text/html; charset=utf-8");
}
END_TEST

/* Every label exists in both languages. */
START_TEST(test_labels_complete)
{
	int	m;

	for (m = 0; m < RM__COUNT; m++) {
		ck_assert_msg(report_tr_has(REPORT_LANG_EN, m), "en %d", m);
		ck_assert_msg(report_tr_has(REPORT_LANG_DE, m), "de %d", m);
	}
	ck_assert_int_eq(report_lang_parse("de"), REPORT_LANG_DE);
	ck_assert_int_eq(report_lang_parse("fr"), REPORT_LANG_EN);
	ck_assert_int_eq(report_lang_parse(NULL), REPORT_LANG_EN);
	ck_assert_str_eq(report_tr_status(REPORT_LANG_DE, "skipped"),
	    "übersprungen");
	ck_assert_str_eq(report_tr_level(REPORT_LANG_DE, "follow_up"),
	    "Nachverfolgen");
	ck_assert_str_eq(report_tr_role(REPORT_LANG_EN, "department_head"),
	    "department head");
	ck_assert_str_eq(report_tr_status(REPORT_LANG_EN, "odd"), "odd");
}
END_TEST

static const struct {
	const char	*in;
	const char	*out;
} csv_cells[] = {
	{ "plain", "plain" },
	{ "", "" },
	{ "Größe", "Größe" },
	{ "=1+2", "'=1+2" },
	{ "+49 461 85", "'+49 461 85" },
	{ "-5", "'-5" },
	{ "@SUM(A1)", "'@SUM(A1)" },
	{ "\tx", "'\tx" },
	{ "a=b", "a=b" },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "two\nlines", "\"two\nlines\"" },
	{ "\rx", "\"'\rx\"" },
	{ NOTE_FORMULA, "\"'=HYPERLINK(\"\"http://x\"\")\"" },
	{ "=1,2", "\"'=1,2\"" },
};

START_TEST(test_csv_cell)
{
	char	*s;

	s = report_csv_cell(csv_cells[_i].in);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, csv_cells[_i].out);
	free(s);
}
END_TEST

START_TEST(test_csv_cell_null)
{
	char	*s = report_csv_cell(NULL);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_html_escape)
{
	char	*s;

	s = report_html_escape("<a href='x'>&\"Ü\"</a>");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s,
	    "&lt;a href=&#39;x&#39;&gt;&amp;&quot;Ü&quot;&lt;/a&gt;");
	free(s);
	s = report_html_escape("");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* The slot figures, per-stage and event totals, displays. */
START_TEST(test_timing_json)
{
	json_t	*j = render_json(REPORT_TIMING);

	ck_assert_str_eq(js(j, "report"), "timing");
	ck_assert_str_eq(js(j, "event.language"), "de");
	ck_assert_str_eq(js(j, "event.timezone"), "Europe/Berlin");
	ck_assert_int_eq(ji(j, "generated_ms"), NOW);
	ck_assert_str_eq(js(j, "generated"), "2026-12-03T14:20:00+01:00");

	/* fleno: 1 min late, 4:50 net against 5:00 - 10 s. */
	ck_assert_str_eq(js(j, "slots.0.id"), "fleno");
	ck_assert_str_eq(js(j, "slots.0.planned_start"),
	    "2026-12-03T14:00:00+01:00");
	ck_assert_int_eq(ji(j, "slots.0.actual_start_ms"), T0 + MIN);
	ck_assert_int_eq(ji(j, "slots.0.net_ms"), 290000);
	ck_assert_int_eq(ji(j, "slots.0.added_ms"), -10000);
	ck_assert_int_eq(ji(j, "slots.0.overrun_ms"), 0);
	ck_assert_int_eq(ji(j, "slots.0.overtime_ms"), 0);
	ck_assert_int_eq(ji(j, "slots.0.interventions"), 3);

	/* kiel: 30 s paused, 30 s added, 45 s over; the aborted run is out. */
	ck_assert_int_eq(ji(j, "slots.1.actual_end_ms"), S2 + 405000);
	ck_assert_int_eq(ji(j, "slots.1.net_ms"), 375000);
	ck_assert_int_eq(ji(j, "slots.1.pauses"), 1);
	ck_assert_int_eq(ji(j, "slots.1.paused_ms"), 30000);
	ck_assert_int_eq(ji(j, "slots.1.added_ms"), 30000);
	ck_assert_int_eq(ji(j, "slots.1.overtime_ms"), 45000);
	ck_assert_int_eq(ji(j, "slots.1.overrun_ms"), 45000);
	ck_assert_int_eq(ji(j, "slots.1.interventions"), 8);
	ck_assert_uint_eq(json_array_size(jp(j, "slots.1.time_up")), 1);
	ck_assert_str_eq(js(j, "slots.1.time_up.0.action"), "message");
	ck_assert_int_eq(ji(j, "slots.1.time_up.0.at_ms"), S2 + 390000);
	ck_assert(json_is_false(jp(j, "slots.1.running")));

	/* ostsee skipped, watt planned: no figures, but the skip counts. */
	ck_assert(jnull(j, "slots.2.actual_start_ms"));
	ck_assert(jnull(j, "slots.2.net_ms"));
	ck_assert(jnull(j, "slots.2.overtime_ms"));
	ck_assert_int_eq(ji(j, "slots.2.interventions"), 1);
	ck_assert_int_eq(ji(j, "slots.3.interventions"), 0);
	ck_assert_str_eq(js(j, "slots.4.status"), "withdrawn");

	/* side: over, so it has an end delay; main and the event do not. */
	ck_assert_str_eq(js(j, "stages.0.id"), "main");
	ck_assert_str_eq(js(j, "stages.0.name"), "Großer Saal");
	ck_assert_int_eq(ji(j, "stages.0.start_delay_ms"), MIN);
	ck_assert(jnull(j, "stages.0.end_delay_ms"));
	ck_assert(json_is_false(jp(j, "stages.0.over")));
	ck_assert_int_eq(ji(j, "stages.0.mean_overrun_ms"), 22500);
	ck_assert_int_eq(ji(j, "stages.0.slots_done"), 2);
	ck_assert_int_eq(ji(j, "stages.0.slots_skipped"), 1);
	ck_assert_int_eq(ji(j, "stages.0.planned_end_ms"), T0 + 1290000);
	ck_assert_str_eq(js(j, "stages.1.id"), "side");
	ck_assert_int_eq(ji(j, "stages.1.start_delay_ms"), 5000);
	ck_assert_int_eq(ji(j, "stages.1.end_delay_ms"), 15000);
	ck_assert_int_eq(ji(j, "stages.1.mean_overrun_ms"), 10000);
	ck_assert_int_eq(ji(j, "totals.start_delay_ms"), 5000);
	ck_assert(jnull(j, "totals.end_delay_ms"));
	ck_assert_int_eq(ji(j, "totals.mean_overrun_ms"), 18333);
	ck_assert_int_eq(ji(j, "totals.slots_done"), 3);
	ck_assert_int_eq(ji(j, "totals.slots_skipped"), 1);

	ck_assert_str_eq(js(j, "displays.0.screen"), "foyer");
	ck_assert_int_eq(ji(j, "displays.0.worst_offset_ms"), -85);
	ck_assert_int_eq(ji(j, "worst_display_offset_ms"), 85);
	json_decref(j);
}
END_TEST

/* A start on a paused slot resumes it, as the timer does. */
START_TEST(test_timing_start_resumes)
{
	struct report_ledger	 l[NLEDGER_BASE + 2];
	json_t			*j;

	memcpy(l, ledger, NLEDGER_BASE * sizeof l[0]);
	l[NLEDGER_BASE] = (struct report_ledger)A("side", T0 + 100000,
	    "moderator", "action", "pause", "moin", NULL);
	l[NLEDGER_BASE + 1] = (struct report_ledger)A("side", T0 + 120000,
	    "moderator", "action", "start", "moin", NULL);
	in.ledger = l;
	in.nledger = NLEDGER_BASE + 2;
	j = render_json(REPORT_TIMING);
	ck_assert_str_eq(js(j, "slots.5.id"), "moin");
	ck_assert_int_eq(ji(j, "slots.5.pauses"), 1);
	ck_assert_int_eq(ji(j, "slots.5.paused_ms"), 20000);
	ck_assert_int_eq(ji(j, "slots.5.net_ms"), 230000);
	ck_assert_int_eq(ji(j, "slots.5.overtime_ms"), 0);
	ck_assert_int_eq(ji(j, "slots.5.overrun_ms"), -10000);
	ck_assert_int_eq(ji(j, "slots.5.interventions"), 4);
	json_decref(j);
}
END_TEST

/* Once nothing is planned any more, the end delay appears. */
START_TEST(test_timing_end_delay)
{
	struct report_slot	 s[sizeof slots / sizeof slots[0]];
	json_t			*j;

	memcpy(s, slots, sizeof s);
	s[3].status = "skipped";
	in.slots = s;
	j = render_json(REPORT_TIMING);
	/* Last end 14:13:25 against kiel's planned end 14:10:30. */
	ck_assert(json_is_true(jp(j, "stages.0.over")));
	ck_assert_int_eq(ji(j, "stages.0.planned_end_ms"), T0 + 630000);
	ck_assert_int_eq(ji(j, "stages.0.end_delay_ms"), 175000);
	ck_assert_int_eq(ji(j, "totals.end_delay_ms"), 175000);
	ck_assert_int_eq(ji(j, "totals.slots_skipped"), 2);
	json_decref(j);
}
END_TEST

/* A live slot is measured until now; an open pause lasts until now. */
START_TEST(test_timing_live)
{
	struct report_slot	 s[sizeof slots / sizeof slots[0]];
	json_t			*j;
	char			*csv;

	memcpy(s, slots, sizeof s);
	s[3].status = "live";
	s[3].actual_start_ms = T0 + 1000000;
	in.slots = s;
	in.nledger = NLEDGER_BASE + 1;
	j = render_json(REPORT_TIMING);
	ck_assert(json_is_true(jp(j, "slots.3.running")));
	ck_assert(jnull(j, "slots.3.actual_end_ms"));
	ck_assert_int_eq(ji(j, "slots.3.paused_ms"), 150000);
	ck_assert_int_eq(ji(j, "slots.3.net_ms"), 50000);
	ck_assert_int_eq(ji(j, "slots.3.overtime_ms"), 0);
	/* Not done yet: no part of the mean overrun. */
	ck_assert_int_eq(ji(j, "stages.0.mean_overrun_ms"), 22500);
	ck_assert_int_eq(ji(j, "stages.0.slots_done"), 2);
	json_decref(j);

	/* Oezkan and Berg are still in, Berg is staff. */
	j = render_json(REPORT_ATTENDANCE);
	ck_assert_str_eq(js(j, "pitches.2.id"), "watt");
	ck_assert_uint_eq(json_array_size(jp(j, "pitches.2.department_heads")),
	    1);
	ck_assert_str_eq(js(j, "pitches.2.department_heads.0.id"), "oez");
	ck_assert_int_eq(ji(j, "pitches.2.present_count"), 2);
	json_decref(j);

	csv = render(REPORT_TIMING, REPORT_CSV);
	csv_expect(csv, 4, "Großer Saal,4,watt,Watt & Meer <GmbH>,live,"
	    "14:16:30,300,14:16:40,,50,0,0,1,150,1,");
	free(csv);
}
END_TEST

START_TEST(test_timing_csv)
{
	char		*csv = render(REPORT_TIMING, REPORT_CSV);
	const char	*p;

	csv_expect(csv, 0, "Bühne,Nr.,Pitch,Start-up,Status,Geplanter Beginn,"
	    "Geplante Dauer (s),Tatsächlicher Beginn,Tatsächliches Ende,"
	    "Netto-Redezeit (s),Zusatzzeit (s),Überziehung (s),Pausen,"
	    "Pausendauer (s),Eingriffe,Zeit abgelaufen");
	/* A negative figure of ours stays a number: no apostrophe. */
	csv_expect(csv, 1, "Großer Saal,1,fleno,Fleno GmbH,beendet,14:00:00,"
	    "300,14:01:00,14:05:50,290,-10,0,0,0,3,");
	csv_expect(csv, 2, "Großer Saal,2,kiel,Kiel Robotics,beendet,14:05:30,"
	    "300,14:06:40,14:13:25,375,30,45,1,30,8,Hinweis angezeigt");
	csv_expect(csv, 3, "Großer Saal,3,ostsee,Ostsee Data,übersprungen,"
	    "14:11:00,300,,,,,,0,0,1,");
	csv_expect(csv, 6, "Kleiner Saal,1,moin,Moin Mobility,beendet,"
	    "14:00:00,240,14:00:05,14:04:15,250,0,10,0,0,2,");
	/* CRLF everywhere, one header and one row per slot. */
	for (p = csv; (p = strchr(p, '\n')) != NULL; p++)
		ck_assert(p > csv && p[-1] == '\r');
	ck_assert_int_eq(count(csv, "\r\n"), 7);
	ck_assert_int_eq(strcmp(csv + strlen(csv) - 2, "\r\n"), 0);
	free(csv);
}
END_TEST

START_TEST(test_timing_html)
{
	char	*html = render(REPORT_TIMING, REPORT_HTML);

	ck_assert_int_eq(strncmp(html, "<!DOCTYPE html>", 15), 0);
	ck_assert_ptr_nonnull(strstr(html, "<html lang=\"de\">"));
	ck_assert_ptr_nonnull(strstr(html, "<meta charset=\"utf-8\">"));
	ck_assert_ptr_nonnull(strstr(html, "@media print"));
	ck_assert_ptr_nonnull(strstr(html, "Zeitplan-Bericht"));
	ck_assert_ptr_nonnull(strstr(html, "Netto-Redezeit"));
	ck_assert_ptr_nonnull(strstr(html, "Überziehung"));
	ck_assert_ptr_nonnull(strstr(html, "Verspätung zu Beginn"));
	ck_assert_ptr_nonnull(strstr(html, "<svg"));
	/* A start-up name with markup is escaped in the table and the chart. */
	ck_assert_int_eq(count(html, "Watt &amp; Meer &lt;GmbH&gt;"), 2);
	ck_assert_ptr_null(strstr(html, "<GmbH>"));
	/* Overtime of kiel is marked, and shown as 0:45. */
	ck_assert_ptr_nonnull(strstr(html, "<td class=\"n over\">0:45</td>"));
	ck_assert_ptr_nonnull(strstr(html, "rect class=\"alert\""));
	ck_assert_ptr_null(strstr(html, "<script"));
	/* Nothing is loaded from elsewhere. */
	ck_assert_ptr_null(strstr(html, "<link"));
	ck_assert_ptr_null(strstr(html, "src="));
	ck_assert_ptr_nonnull(strstr(html, "14:13:10 Hinweis angezeigt"));
	ck_assert_ptr_nonnull(strstr(html, "Anzeigen"));
	free(html);
}
END_TEST

/* The English page uses English labels only. */
START_TEST(test_english)
{
	char	*html, *csv;
	json_t	*j;

	in.language = "en";
	html = render(REPORT_TIMING, REPORT_HTML);
	ck_assert_ptr_nonnull(strstr(html, "<html lang=\"en\">"));
	ck_assert_ptr_nonnull(strstr(html, "Timing report"));
	ck_assert_ptr_nonnull(strstr(html, "Net speaking time"));
	ck_assert_ptr_null(strstr(html, "Netto-Redezeit"));
	free(html);
	csv = render(REPORT_FOLLOWUPS, REPORT_CSV);
	csv_expect(csv, 0, "Pitch,Start-up,Presenter,Title,Contact,Name,"
	    "Department,Email,Level,Note,Live or later,Given");
	free(csv);
	j = render_json(REPORT_INTEREST);
	ck_assert_str_eq(js(j, "event.language"), "en");
	json_decref(j);

	/* Anything but "de" is English. */
	in.language = "fr";
	html = render(REPORT_INTEREST, REPORT_HTML);
	ck_assert_ptr_nonnull(strstr(html, "<html lang=\"en\">"));
	ck_assert_ptr_nonnull(strstr(html, "Follow up"));
	free(html);
}
END_TEST

START_TEST(test_attendance)
{
	json_t	*j = render_json(REPORT_ATTENDANCE);

	/* Started pitches only, in slot order. */
	ck_assert_uint_eq(json_array_size(jp(j, "pitches")), 3);
	ck_assert_str_eq(js(j, "pitches.0.id"), "fleno");
	ck_assert_uint_eq(json_array_size(jp(j,
	    "pitches.0.department_heads")), 1);
	ck_assert_str_eq(js(j, "pitches.0.department_heads.0.id"), "ott");
	ck_assert_int_eq(ji(j, "pitches.0.present_count"), 2);
	ck_assert_str_eq(js(j, "pitches.1.id"), "kiel");
	ck_assert_uint_eq(json_array_size(jp(j,
	    "pitches.1.department_heads")), 2);
	ck_assert_str_eq(js(j, "pitches.1.department_heads.0.id"), "ott");
	ck_assert_str_eq(js(j, "pitches.1.department_heads.1.id"), "oez");
	ck_assert_int_eq(ji(j, "pitches.1.present_count"), 3);
	ck_assert_str_eq(js(j, "pitches.2.id"), "moin");
	ck_assert_uint_eq(json_array_size(jp(j,
	    "pitches.2.department_heads")), 1);

	/* Intervals sorted by check-in; open ones count until now. */
	ck_assert_str_eq(js(j, "attendees.2.id"), "berg");
	ck_assert_int_eq(ji(j, "attendees.2.intervals.0.in_ms"), T0);
	ck_assert(jnull(j, "attendees.2.intervals.1.out_ms"));
	ck_assert_int_eq(ji(j, "attendees.2.present_ms"), 600000);
	ck_assert(json_is_true(jp(j, "attendees.2.present_now")));
	ck_assert_int_eq(ji(j, "attendees.0.present_ms"), 1100000);
	ck_assert(json_is_false(jp(j, "attendees.0.present_now")));
	ck_assert_int_eq(ji(j, "attendees.1.present_ms"), 850000);
	ck_assert_int_eq(ji(j, "attendees.3.present_ms"), 90000);

	/* Departments in order of first appearance. */
	ck_assert_uint_eq(json_array_size(jp(j, "departments")), 3);
	ck_assert_str_eq(js(j, "departments.1.name"), "Stadtplanung");
	ck_assert_int_eq(ji(j, "departments.1.attendees"), 2);
	ck_assert_int_eq(ji(j, "departments.1.department_heads"), 1);
	ck_assert_int_eq(ji(j, "departments.1.checked_in"), 2);
	ck_assert_str_eq(js(j, "departments.1.present.1.pitch"), "kiel");
	ck_assert_int_eq(ji(j, "departments.1.present.0.count"), 1);
	ck_assert_int_eq(ji(j, "departments.1.present.1.count"), 2);
	ck_assert_int_eq(ji(j, "departments.1.present.2.count"), 1);
	ck_assert_str_eq(js(j, "departments.2.name"), "Kämmerei");
	ck_assert_int_eq(ji(j, "departments.2.checked_in"), 1);
	ck_assert_int_eq(ji(j, "departments.2.present.1.count"), 0);
	json_decref(j);
}
END_TEST

START_TEST(test_attendance_csv_html)
{
	char	*csv, *html;

	csv = render(REPORT_ATTENDANCE, REPORT_CSV);
	csv_expect(csv, 0, "Bühne,Nr.,Pitch,Start-up,Tatsächlicher Beginn,"
	    "Tatsächliches Ende,Teilnehmer/in,Name,Abteilung,Eingecheckt,"
	    "Ausgecheckt");
	csv_expect(csv, 1, "Großer Saal,1,fleno,Fleno GmbH,14:01:00,14:05:50,"
	    "ott,Dr. Marcus Ott,IuK / E-Government,13:50:00,14:08:20");
	csv_expect(csv, 3, "Großer Saal,2,kiel,Kiel Robotics,14:06:40,"
	    "14:13:25,oez,Ayşe Özkan,Stadtplanung,14:05:50,");
	ck_assert_int_eq(count(csv, "\r\n"), 5);
	free(csv);

	html = render(REPORT_ATTENDANCE, REPORT_HTML);
	ck_assert_ptr_nonnull(strstr(html, "Anwesende Abteilungsleitungen"));
	ck_assert_ptr_nonnull(strstr(html, "noch anwesend"));
	ck_assert_ptr_nonnull(strstr(html, "<svg"));
	free(html);

	/* Without any check-in a pitch still gets its row. */
	in.npresence = 0;
	csv = render(REPORT_ATTENDANCE, REPORT_CSV);
	csv_expect(csv, 1, "Großer Saal,1,fleno,Fleno GmbH,14:01:00,14:05:50,"
	    ",,,,");
	ck_assert_int_eq(count(csv, "\r\n"), 4);
	free(csv);
}
END_TEST

START_TEST(test_interest)
{
	json_t	*j = render_json(REPORT_INTEREST);

	/* Columns: all but the withdrawn slot nobody cares about... */
	ck_assert_uint_eq(json_array_size(jp(j, "columns")), 6);
	ck_assert_str_eq(js(j, "columns.4.id"), "alt");
	ck_assert_str_eq(js(j, "columns.4.status"), "withdrawn");
	ck_assert_int_eq(ji(j, "columns.0.follow_up"), 1);
	ck_assert_int_eq(ji(j, "columns.0.info"), 1);
	ck_assert_int_eq(ji(j, "columns.1.follow_up"), 2);
	ck_assert_int_eq(ji(j, "columns.1.info"), 1);
	ck_assert_int_eq(ji(j, "columns.2.follow_up"), 0);
	ck_assert_int_eq(ji(j, "columns.4.info"), 1);

	/* Rows: the heads, plus Berg (staff) because he gave interest. */
	ck_assert_uint_eq(json_array_size(jp(j, "rows")), 4);
	ck_assert_str_eq(js(j, "rows.0.id"), "ott");
	ck_assert_str_eq(js(j, "rows.2.id"), "berg");
	ck_assert_str_eq(js(j, "rows.2.role"), "staff");
	ck_assert_uint_eq(json_array_size(jp(j, "rows.0.cells")), 6);
	ck_assert_str_eq(js(j, "rows.0.cells.1.level"), "follow_up");
	ck_assert_str_eq(js(j, "rows.0.cells.1.note"), NOTE_FORMULA);
	ck_assert(json_is_true(jp(j, "rows.0.cells.1.live")));
	ck_assert_str_eq(js(j, "rows.0.cells.0.level"), "info");
	ck_assert_int_eq(ji(j, "rows.0.cells.0.changes"), 1);
	ck_assert(jnull(j, "rows.1.cells.0"));
	ck_assert_str_eq(js(j, "rows.1.cells.1.note"), NOTE_SCRIPT);
	ck_assert(json_is_false(jp(j, "rows.1.cells.1.live")));
	ck_assert_int_eq(ji(j, "rows.1.cells.1.changes"), 1);
	ck_assert_str_eq(js(j, "rows.2.cells.0.note"), NOTE_QUOTES);
	ck_assert_int_eq(ji(j, "rows.3.cells.1.changes"), 0);

	/* Changes: oez changed level, ott withdrew and came back as info. */
	ck_assert_uint_eq(json_array_size(jp(j, "changes")), 2);
	ck_assert_str_eq(js(j, "changes.0.attendee"), "oez");
	ck_assert_int_eq(ji(j, "changes.0.level_changes"), 1);
	ck_assert_int_eq(ji(j, "changes.0.deletes"), 0);
	ck_assert_str_eq(js(j, "changes.1.attendee"), "ott");
	ck_assert_int_eq(ji(j, "changes.1.deletes"), 1);
	ck_assert_int_eq(ji(j, "changes.1.puts"), 2);
	ck_assert_int_eq(ji(j, "changes.1.level_changes"), 0);

	ck_assert_int_eq(ji(j, "totals.follow_up"), 3);
	ck_assert_int_eq(ji(j, "totals.info"), 3);
	ck_assert_int_eq(ji(j, "totals.live"), 2);
	ck_assert_int_eq(ji(j, "totals.later"), 4);
	json_decref(j);
}
END_TEST

START_TEST(test_interest_csv)
{
	char	*csv = render(REPORT_INTEREST, REPORT_CSV);

	csv_expect(csv, 0, "Teilnehmer/in,Name,Abteilung,Rolle,Pitch,"
	    "Start-up,Stufe,Notiz,Live oder später,Abgegeben,"
	    "Meinungsänderungen");
	/* The formula is defused and its quotes doubled. */
	ck_assert_ptr_nonnull(strstr(csv, "\r\nott,Dr. Marcus Ott,"
	    "IuK / E-Government,Abteilungsleitung,kiel,Kiel Robotics,"
	    "Nachverfolgen,\"'=HYPERLINK(\"\"http://x\"\")\",live,14:08:20,0"
	    "\r\n"));
	ck_assert_ptr_null(strstr(csv, ",=HYPERLINK"));
	/* Comma, quotes and newline stay inside one quoted cell. */
	ck_assert_ptr_nonnull(strstr(csv, ",\"Größe, \"\"Preis\"\"\nund "
	    "Termin\",live,"));
	/* A note that begins with a minus is text: it gets the apostrophe. */
	ck_assert_ptr_nonnull(strstr(csv, ",'-1 Termin,später,"));
	ck_assert_ptr_nonnull(strstr(csv, "\r\noez,Ayşe Özkan,Stadtplanung,"
	    "Abteilungsleitung,kiel,Kiel Robotics,Info,"
	    "<script>alert(1)</script>,später,14:07:30,1\r\n"));
	ck_assert_int_eq(count(csv, "\r\n"), 7);
	free(csv);
}
END_TEST

START_TEST(test_interest_html)
{
	char	*html = render(REPORT_INTEREST, REPORT_HTML);

	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_nonnull(strstr(html,
	    "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(html,
	    "=HYPERLINK(&quot;http://x&quot;)"));
	ck_assert_ptr_nonnull(strstr(html, "Größe, &quot;Preis&quot;\nund"));
	ck_assert_ptr_nonnull(strstr(html, "Nachverfolgen"));
	ck_assert_ptr_nonnull(strstr(html, "(später)"));
	ck_assert_ptr_nonnull(strstr(html, "Meinungsänderungen"));
	ck_assert_ptr_nonnull(strstr(html, "Interesse je Start-up"));
	ck_assert_ptr_nonnull(strstr(html, ">2 + 1</text>"));
	free(html);
}
END_TEST

START_TEST(test_followups)
{
	json_t	*j = render_json(REPORT_FOLLOWUPS);
	char	*csv, *html;

	ck_assert_uint_eq(json_array_size(jp(j, "startups")), 3);
	ck_assert_str_eq(js(j, "startups.0.id"), "fleno");
	ck_assert_str_eq(js(j, "startups.1.id"), "kiel");
	ck_assert_str_eq(js(j, "startups.2.id"), "alt");
	ck_assert_str_eq(js(j, "startups.1.contact"), "hi@kiel.example");
	/* follow_up before info; Änne sorts as Anne, before Dr. Ott. */
	ck_assert_str_eq(js(j, "startups.1.interested.0.attendee"), "lund");
	ck_assert_str_eq(js(j, "startups.1.interested.1.attendee"), "ott");
	ck_assert_str_eq(js(j, "startups.1.interested.2.attendee"), "oez");
	ck_assert_str_eq(js(j, "startups.1.interested.2.level"), "info");
	ck_assert_str_eq(js(j, "startups.1.interested.1.email"),
	    "m.ott@flensburg.example");
	ck_assert_str_eq(js(j, "startups.1.interested.1.department"),
	    "IuK / E-Government");
	ck_assert_int_eq(ji(j, "startups.1.interested.1.given_ms"),
	    T0 + 500000);
	ck_assert_str_eq(js(j, "startups.0.interested.0.attendee"), "berg");
	ck_assert_str_eq(js(j, "startups.0.interested.1.attendee"), "ott");
	json_decref(j);

	csv = render(REPORT_FOLLOWUPS, REPORT_CSV);
	csv_expect(csv, 0, "Pitch,Start-up,Vortragende Person,Titel,Kontakt,"
	    "Name,Abteilung,E-Mail,Stufe,Notiz,Live oder später,Abgegeben");
	ck_assert_ptr_nonnull(strstr(csv, "\r\nkiel,Kiel Robotics,Kim Kiel,"
	    "\"Roboter, die \"\"putzen\"\"\",hi@kiel.example,Änne Lund,"
	    "Kämmerei,a.lund@flensburg.example,Nachverfolgen,Anruf bitte,"
	    "später,14:14:10\r\n"));
	free(csv);

	html = render(REPORT_FOLLOWUPS, REPORT_HTML);
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_nonnull(strstr(html, "<h2>Kiel Robotics</h2>"));
	ck_assert_ptr_nonnull(strstr(html, "Roboter, die &quot;putzen&quot;"));
	ck_assert_ptr_nonnull(strstr(html, "Nachverfolgung"));
	/* Lund comes before Ott on the page too. */
	ck_assert_ptr_nonnull(strstr(html, "Änne Lund"));
	ck_assert(strstr(strstr(html, "<h2>Kiel Robotics"), "Änne Lund") <
	    strstr(strstr(html, "<h2>Kiel Robotics"), "Dr. Marcus Ott"));
	free(html);
}
END_TEST

/* The caller's TZ survives a render, set or unset. */
START_TEST(test_tz_restored)
{
	char	*s;

	setenv("TZ", "America/New_York", 1);
	s = render(REPORT_TIMING, REPORT_CSV);
	ck_assert_ptr_nonnull(strstr(s, ",14:00:00,"));
	free(s);
	ck_assert_str_eq(getenv("TZ"), "America/New_York");
	unsetenv("TZ");
	s = render(REPORT_TIMING, REPORT_CSV);
	free(s);
	ck_assert_ptr_null(getenv("TZ"));

	/* Another zone moves the clock times, not the figures. */
	in.timezone = "UTC";
	s = render(REPORT_TIMING, REPORT_CSV);
	csv_expect(s, 1, "Großer Saal,1,fleno,Fleno GmbH,beendet,13:00:00,"
	    "300,13:01:00,13:05:50,290,-10,0,0,0,3,");
	free(s);
}
END_TEST

/* Invalid UTF-8 from the input does not lose the JSON report. */
START_TEST(test_json_bad_utf8)
{
	struct report_slot	 s[sizeof slots / sizeof slots[0]];
	json_t			*j;

	memcpy(s, slots, sizeof s);
	s[0].startup = "Fleno\xff GmbH";
	in.slots = s;
	j = render_json(REPORT_TIMING);
	ck_assert_str_eq(js(j, "slots.0.startup"), "Fleno\xef\xbf\xbd GmbH");
	json_decref(j);
}
END_TEST

/* An event with nothing in it still renders every report and format. */
START_TEST(test_empty)
{
	static const enum report_name	 names[] = {
		REPORT_TIMING, REPORT_ATTENDANCE, REPORT_INTEREST,
		REPORT_FOLLOWUPS
	};
	size_t				 i;
	char				*s;
	json_t				*j;

	memset(&in, 0, sizeof in);
	in.now_ms = NOW;
	for (i = 0; i < 4; i++) {
		s = render(names[i], REPORT_CSV);
		ck_assert_int_eq(count(s, "\r\n"), 1);
		free(s);
		s = render(names[i], REPORT_HTML);
		ck_assert_ptr_nonnull(strstr(s, "</html>"));
		free(s);
		j = render_json(names[i]);
		ck_assert(jnull(j, "event.title"));
		json_decref(j);
	}
	j = render_json(REPORT_TIMING);
	ck_assert(jnull(j, "totals.start_delay_ms"));
	ck_assert(jnull(j, "totals.mean_overrun_ms"));
	json_decref(j);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite	*s = suite_create("report");
	TCase	*tc;

	tc = tcase_create("escape");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_labels_complete);
	tcase_add_loop_test(tc, test_csv_cell, 0,
	    sizeof csv_cells / sizeof csv_cells[0]);
	tcase_add_test(tc, test_csv_cell_null);
	tcase_add_test(tc, test_html_escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_timing_json);
	tcase_add_test(tc, test_timing_end_delay);
	tcase_add_test(tc, test_timing_start_resumes);
	tcase_add_test(tc, test_timing_live);
	tcase_add_test(tc, test_timing_csv);
	tcase_add_test(tc, test_timing_html);
	tcase_add_test(tc, test_english);
	tcase_add_test(tc, test_tz_restored);
	tcase_add_test(tc, test_json_bad_utf8);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("people");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_attendance);
	tcase_add_test(tc, test_attendance_csv_html);
	tcase_add_test(tc, test_interest);
	tcase_add_test(tc, test_interest_csv);
	tcase_add_test(tc, test_interest_html);
	tcase_add_test(tc, test_followups);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(report_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
