/*
 * test_export.c — the public exports: the frab-style schedule JSON and the
 * iCalendar agenda, built from one small event with two stages and a slot
 * in every status. The JSON is read back with jansson and looked at member
 * by member; the calendar is split into physical lines, checked octet by
 * octet, unfolded and compared as text.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "export.h"

#define T0	INT64_C(1796302800000)	/* 2026-12-03 13:00 UTC, 14:00 local */
#define NOW	(T0 + 1100000)		/* 13:18:20 UTC */
#define MIN	INT64_C(60000)

/* 120 code points, 134 octets: folds must fall next to umlauts. */
#define LONG_TITLE "Große Übersicht zu städtischen Grünflächen: Sensorik " \
	"für Bäume, Böden und Wasserläufe — Straßenbäume in Flensburg/Mürwik"
#define LONG_STARTUP "Grünwerk Nordgruppe"
#define ODD_TITLE "Müll, Wärme; Wasser\\Netze"

static struct report_slot slots[] = {
	{ .id = "fleno", .stage = "main", .stage_name = "Großer Saal",
	  .position = 1, .startup = "Fleno GmbH", .presenter = "Krabat Rombach",
	  .title = "Bauanträge digital", .contact = "team@fleno.example",
	  .status = "done", .length_ms = 5 * MIN, .planned_start_ms = T0,
	  .projected_start_ms = T0 + MIN, .actual_start_ms = T0 + MIN,
	  .actual_end_ms = T0 + 370000 },
	{ .id = "noshow", .stage = "main", .stage_name = "Großer Saal",
	  .position = 2, .startup = "Leerlauf AG", .presenter = "Niemand",
	  .title = "Kommt nicht", .contact = "x@leerlauf.example",
	  .status = "skipped", .length_ms = 5 * MIN,
	  .planned_start_ms = T0 + 330000, .projected_start_ms = TIMER_NONE,
	  .actual_start_ms = TIMER_NONE, .actual_end_ms = TIMER_NONE },
	{ .id = "wasser", .stage = "main", .stage_name = "Großer Saal",
	  .position = 3, .startup = "Kläranlage 4.0", .presenter = "Jörg Weiß",
	  .title = ODD_TITLE, .contact = "j.weiss@klaer.example",
	  .status = "live", .length_ms = 5 * MIN,
	  .planned_start_ms = T0 + 660000, .projected_start_ms = T0 + 700000,
	  .actual_start_ms = T0 + 700000, .actual_end_ms = TIMER_NONE },
	{ .id = "gone", .stage = "side", .stage_name = "Kleiner Saal, Nord",
	  .position = 1, .startup = "Weg GmbH", .presenter = "Verschwunden",
	  .title = "Zurückgezogen", .contact = "gone@weg.example",
	  .status = "withdrawn", .length_ms = 5 * MIN, .planned_start_ms = T0,
	  .projected_start_ms = TIMER_NONE, .actual_start_ms = TIMER_NONE,
	  .actual_end_ms = TIMER_NONE },
	{ .id = "gruen", .stage = "side", .stage_name = "Kleiner Saal, Nord",
	  .position = 2, .startup = LONG_STARTUP, .presenter = "Åsa Öberg",
	  .title = LONG_TITLE, .contact = "asa@gruen.example",
	  .status = "planned", .length_ms = 270000,
	  .planned_start_ms = T0 + 330000, .projected_start_ms = T0 + 20 * MIN,
	  .actual_start_ms = TIMER_NONE, .actual_end_ms = TIMER_NONE },
};

static const struct report_attendee attendees[] = {
	{ .id = "ott", .name = "Dr. Marcus Ott", .department = "IuK",
	  .role = "department_head", .email = "m.ott@flensburg.example" },
};

/* The event every test starts from; attendees are there to be ignored. */
static struct report_input
fixture(void)
{
	struct report_input	in;

	memset(&in, 0, sizeof in);
	in.title = "Smart City Flensburg — Start-up-Pitches";
	in.venue = "Technologiezentrum Flensburg";
	in.date = "2026-12-03";
	in.timezone = "Europe/Berlin";
	in.language = "de";
	in.now_ms = NOW;
	in.slots = slots;
	in.nslots = sizeof slots / sizeof slots[0];
	in.attendees = attendees;
	in.nattendees = 1;
	return (in);
}

/* Tells whether s[0..n) is whole UTF-8: no stray or missing continuations. */
static bool
utf8_ok(const unsigned char *s, size_t n)
{
	size_t	i = 0, k, len;

	while (i < n) {
		if (s[i] < 0x80)
			len = 1;
		else if ((s[i] & 0xe0) == 0xc0 && s[i] >= 0xc2)
			len = 2;
		else if ((s[i] & 0xf0) == 0xe0)
			len = 3;
		else if ((s[i] & 0xf8) == 0xf0 && s[i] <= 0xf4)
			len = 4;
		else
			return (false);
		if (i + len > n)
			return (false);
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (false);
		}
		i += len;
	}
	return (true);
}

/* Counts code points of well-formed UTF-8. */
static size_t
utf8_len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/* s repeated n times, malloc'd. */
static char *
rep(const char *s, size_t n)
{
	size_t	 l = strlen(s), i;
	char	*out = malloc(l * n + 1);

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++)
		memcpy(out + i * l, s, l);
	out[l * n] = '\0';
	return (out);
}

/* Concatenates the strings up to a NULL, malloc'd. */
static char *
cat(const char *first, ...)
{
	va_list		 ap;
	const char	*p;
	size_t		 n = 0;
	char		*out;

	va_start(ap, first);
	for (p = first; p != NULL; p = va_arg(ap, const char *))
		n += strlen(p);
	va_end(ap);
	out = malloc(n + 1);
	ck_assert_ptr_nonnull(out);
	*out = '\0';
	va_start(ap, first);
	for (p = first; p != NULL; p = va_arg(ap, const char *))
		strcat(out, p);
	va_end(ap);
	return (out);
}

/* Asserts one folded content line, owning want. */
static void
expect_line(const char *name, const char *value, char *want)
{
	char	*got = export_ics_line(name, value);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
}

/* Undoes RFC 5545 TEXT escaping. Malloc'd. */
static char *
ics_unescape(const char *s)
{
	char	*out = malloc(strlen(s) + 1), *o = out;

	ck_assert_ptr_nonnull(out);
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*o++ = (*s == 'n' || *s == 'N') ? '\n' : *s;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return (out);
}

/* A calendar cut into logical (unfolded) lines. */
struct ics {
	char	*lines[256];
	size_t	 n;
};

/*
 * Checks the physical form of a whole calendar — CRLF everywhere, at most
 * 75 octets a line, every line whole UTF-8, continuation lines starting
 * with one space — and unfolds it into c.
 */
static void
ics_parse(const char *doc, size_t len, struct ics *c)
{
	const char	*p = doc, *eol;
	size_t		 n, cur = 0;
	char		*l;

	memset(c, 0, sizeof c->lines);
	c->n = 0;
	ck_assert_uint_eq(strlen(doc), len);
	ck_assert_msg(len >= 2 && memcmp(doc + len - 2, "\r\n", 2) == 0,
	    "calendar does not end in CRLF");
	while (p < doc + len) {
		eol = strstr(p, "\r\n");
		ck_assert_ptr_nonnull(eol);
		n = (size_t)(eol - p);
		ck_assert_msg(memchr(p, '\n', n) == NULL &&
		    memchr(p, '\r', n) == NULL, "bare CR or LF in %.*s",
		    (int)n, p);
		ck_assert_msg(n <= 75, "line of %zu octets: %.*s", n, (int)n,
		    p);
		ck_assert_msg(utf8_ok((const unsigned char *)p, n),
		    "line is not whole UTF-8: %.*s", (int)n, p);
		ck_assert_msg(n > 0, "empty line");
		if (*p == ' ') {
			ck_assert_msg(c->n > 0, "continuation of nothing");
			l = c->lines[c->n - 1];
			l = realloc(l, cur + n);
			ck_assert_ptr_nonnull(l);
			memcpy(l + cur, p + 1, n - 1);
			cur += n - 1;
			l[cur] = '\0';
			c->lines[c->n - 1] = l;
		} else {
			ck_assert_msg(*p >= 'A' && *p <= 'Z',
			    "line starts with neither a name nor a space: %.*s",
			    (int)n, p);
			ck_assert_uint_lt(c->n, 256);
			l = malloc(n + 1);
			ck_assert_ptr_nonnull(l);
			memcpy(l, p, n);
			l[n] = '\0';
			c->lines[c->n++] = l;
			cur = n;
		}
		p = eol + 2;
	}
}

/* Frees the unfolded lines. */
static void
ics_free(struct ics *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->lines[i]);
	c->n = 0;
}

/* Tells whether the calendar has exactly this logical line. */
static bool
ics_has(const struct ics *c, const char *line)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->lines[i], line) == 0)
			return (true);
	}
	return (false);
}

/* The value of property name in slot id's VEVENT (UID id@takt), or NULL. */
static const char *
ics_prop(const struct ics *c, const char *uid, const char *name)
{
	size_t	i, j, nl = strlen(name);
	char	want[128];

	snprintf(want, sizeof want, "UID:%s@takt", uid);
	for (i = 0; i < c->n; i++) {
		if (strcmp(c->lines[i], want) != 0)
			continue;
		/* Back to the BEGIN, then forward to the END. */
		while (i > 0 && strcmp(c->lines[i], "BEGIN:VEVENT") != 0)
			i--;
		for (j = i; j < c->n && strcmp(c->lines[j], "END:VEVENT") != 0;
		    j++) {
			if (strncmp(c->lines[j], name, nl) == 0 &&
			    c->lines[j][nl] == ':')
				return (c->lines[j] + nl + 1);
		}
		return (NULL);
	}
	return (NULL);
}

/* Counts logical lines equal to line. */
static size_t
ics_count(const struct ics *c, const char *line)
{
	size_t	i, n = 0;

	for (i = 0; i < c->n; i++)
		n += strcmp(c->lines[i], line) == 0;
	return (n);
}

/* Parses the schedule JSON of in and checks it is a frab document. */
static json_t *
schedule_of(const struct report_input *in)
{
	json_error_t	 err;
	json_t		*root;
	char		*out;
	size_t		 len = 0;

	out = export_schedule_json(in, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	root = json_loads(out, 0, &err);
	ck_assert_msg(root != NULL, "not JSON: %s: %.200s", err.text, out);
	free(out);
	ck_assert_ptr_nonnull(json_object_get(root, "schedule"));
	return (root);
}

/* The talk whose code is id anywhere in the schedule, or NULL. */
static json_t *
talk_by_code(json_t *root, const char *id)
{
	json_t		*days, *day, *rooms, *talks, *t;
	const char	*room;
	size_t		 i, j;

	days = json_object_get(json_object_get(json_object_get(root,
	    "schedule"), "conference"), "days");
	json_array_foreach(days, i, day) {
		rooms = json_object_get(day, "rooms");
		json_object_foreach(rooms, room, talks) {
			json_array_foreach(talks, j, t) {
				if (strcmp(json_string_value(json_object_get(t,
				    "code")), id) == 0)
					return (t);
			}
		}
	}
	return (NULL);
}

/* A string member, or a marker that makes a comparison fail readably. */
static const char *
str_of(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "(not a string)");
}

START_TEST(test_ics_line_table)
{
	static const struct {
		const char	*name;
		const char	*value;
		const char	*expect;
	} t[] = {
		{ "SUMMARY", "a,b;c\\d", "SUMMARY:a\\,b\\;c\\\\d\r\n" },
		{ "DESCRIPTION", "x\ny\r\nz\rw",
		  "DESCRIPTION:x\\ny\\nz\\nw\r\n" },
		{ "SUMMARY", "tab\there:colon\"q\"",
		  "SUMMARY:tab\there:colon\"q\"\r\n" },
		{ "SUMMARY", "bell\x07" "del\x7f" "end",
		  "SUMMARY:belldelend\r\n" },
		{ "UID", NULL, "UID:\r\n" },
		{ "X-WR-CALNAME", "Größer — ja", "X-WR-CALNAME:Größer — ja\r\n" },
	};
	size_t	 i;
	char	*got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = export_ics_line(t[i].name, t[i].value);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(strcmp(got, t[i].expect) == 0,
		    "case %zu: got \"%s\", want \"%s\"", i, got, t[i].expect);
		free(got);
	}
	ck_assert_ptr_null(export_ics_line(NULL, "x"));
}
END_TEST

/* Folds at exactly 75 octets: 75 stay on one line, 76 do not. */
START_TEST(test_ics_line_fold_ascii)
{
	char	*a66 = rep("a", 66), *a67 = rep("a", 67), *a68 = rep("a", 68);
	char	*a74 = rep("a", 74), *a142 = rep("a", 67 + 74 + 1);
	char	*comma = cat(a66, ",", NULL);

	/* "SUMMARY:" is 8 octets. */
	expect_line("SUMMARY", a67, cat("SUMMARY:", a67, "\r\n", NULL));
	expect_line("SUMMARY", a68, cat("SUMMARY:", a67, "\r\n a\r\n", NULL));
	/* A continuation line holds 74 octets after its space. */
	expect_line("SUMMARY", a142,
	    cat("SUMMARY:", a67, "\r\n ", a74, "\r\n a\r\n", NULL));
	/* An escape stays whole: 74 octets and then "\," would make 76. */
	expect_line("SUMMARY", comma,
	    cat("SUMMARY:", a66, "\r\n \\,\r\n", NULL));
	free(a66);
	free(a67);
	free(a68);
	free(a74);
	free(a142);
	free(comma);
}
END_TEST

/* A fold never cuts a UTF-8 sequence, where a naive cut at 75 octets would. */
START_TEST(test_ics_line_fold_multibyte)
{
	char	*ae40 = rep("ä", 40), *ae33 = rep("ä", 33), *ae7 = rep("ä", 7);
	char	*eu30 = rep("€", 30), *eu24 = rep("€", 24), *eu6 = rep("€", 6);
	char	*sm20 = rep("😀", 20), *sm18 = rep("😀", 18), *sm2 = rep("😀", 2);

	/* 8 + 33 * 2 = 74; the 34th ä would straddle octets 75 and 76. */
	expect_line("SUMMARY", ae40,
	    cat("SUMMARY:", ae33, "\r\n ", ae7, "\r\n", NULL));
	/* 2 + 24 * 3 = 74; the 25th € would straddle the limit. */
	expect_line("X", eu30, cat("X:", eu24, "\r\n ", eu6, "\r\n", NULL));
	/* 2 + 18 * 4 = 74. */
	expect_line("X", sm20, cat("X:", sm18, "\r\n ", sm2, "\r\n", NULL));
	free(ae40);
	free(ae33);
	free(ae7);
	free(eu30);
	free(eu24);
	free(eu6);
	free(sm20);
	free(sm18);
	free(sm2);
}
END_TEST

/* The fixture's own promises, so the tests below test what they claim. */
START_TEST(test_fixture)
{
	ck_assert_uint_eq(utf8_len(LONG_TITLE), 120);
	ck_assert(utf8_ok((const unsigned char *)LONG_TITLE,
	    strlen(LONG_TITLE)));
	ck_assert_uint_gt(strlen("SUMMARY:" LONG_STARTUP " — " LONG_TITLE), 150);
}
END_TEST

/* The frab layout: conference, rooms named after the stages, one day. */
START_TEST(test_schedule_shape)
{
	struct report_input	 in = fixture();
	json_t			*root = schedule_of(&in), *conf, *day, *rooms;

	ck_assert_str_eq(str_of(root, "$schema"),
	    "https://c3voc.de/schedule/schema.json");
	conf = json_object_get(json_object_get(root, "schedule"), "conference");
	ck_assert_ptr_nonnull(conf);
	ck_assert_str_eq(str_of(conf, "title"),
	    "Smart City Flensburg — Start-up-Pitches");
	ck_assert_str_eq(str_of(conf, "acronym"),
	    "smart-city-flensburg-start-up-pitches");
	ck_assert_str_eq(str_of(conf, "start"), "2026-12-03");
	ck_assert_str_eq(str_of(conf, "end"), "2026-12-03");
	ck_assert_int_eq(json_integer_value(json_object_get(conf, "daysCount")),
	    1);
	ck_assert_str_eq(str_of(conf, "time_zone_name"), "Europe/Berlin");

	rooms = json_object_get(conf, "rooms");
	ck_assert_uint_eq(json_array_size(rooms), 2);
	ck_assert_str_eq(str_of(json_array_get(rooms, 0), "name"),
	    "Großer Saal");
	ck_assert_str_eq(str_of(json_array_get(rooms, 1), "name"),
	    "Kleiner Saal, Nord");

	ck_assert_uint_eq(json_array_size(json_object_get(conf, "days")), 1);
	day = json_array_get(json_object_get(conf, "days"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(day, "index")), 1);
	ck_assert_str_eq(str_of(day, "date"), "2026-12-03");
	ck_assert_str_eq(str_of(day, "day_start"), "2026-12-03T04:00:00+01:00");
	ck_assert_str_eq(str_of(day, "day_end"), "2026-12-04T03:59:00+01:00");
	rooms = json_object_get(day, "rooms");
	ck_assert_uint_eq(json_object_size(rooms), 2);
	/* fleno, noshow, wasser; gone is withdrawn, gruen is on the side. */
	ck_assert_uint_eq(json_array_size(json_object_get(rooms,
	    "Großer Saal")), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(rooms,
	    "Kleiner Saal, Nord")), 1);
	json_decref(root);
}
END_TEST

/* Talks: planned local start and duration, actual times, takt's fields. */
START_TEST(test_schedule_talks)
{
	struct report_input	 in = fixture();
	json_t			*root = schedule_of(&in), *t, *takt, *p;

	t = talk_by_code(root, "fleno");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(str_of(t, "date"), "2026-12-03T14:00:00+01:00");
	ck_assert_str_eq(str_of(t, "start"), "14:00");
	ck_assert_str_eq(str_of(t, "duration"), "00:05");
	ck_assert_str_eq(str_of(t, "room"), "Großer Saal");
	ck_assert_str_eq(str_of(t, "title"), "Fleno GmbH — Bauanträge digital");
	ck_assert_str_eq(str_of(t, "slug"),
	    "smart-city-flensburg-start-up-pitches-fleno-bauantraege-digital");
	ck_assert_str_eq(str_of(t, "url"), "/stage/main#fleno");
	ck_assert_str_eq(str_of(t, "language"), "de");
	ck_assert_str_eq(str_of(t, "actual_start"),
	    "2026-12-03T14:01:00+01:00");
	ck_assert_str_eq(str_of(t, "actual_end"), "2026-12-03T14:06:10+01:00");
	ck_assert(json_is_integer(json_object_get(t, "id")));
	ck_assert_int_gt(json_integer_value(json_object_get(t, "id")), 0);
	takt = json_object_get(t, "takt");
	ck_assert_str_eq(str_of(takt, "status"), "done");
	ck_assert_int_eq(json_integer_value(json_object_get(takt,
	    "actual_start_ms")), T0 + MIN);
	ck_assert_int_eq(json_integer_value(json_object_get(takt,
	    "actual_end_ms")), T0 + 370000);
	ck_assert_int_eq(json_integer_value(json_object_get(takt,
	    "planned_start_ms")), T0);
	ck_assert_uint_eq(json_array_size(json_object_get(t, "persons")), 1);
	p = json_array_get(json_object_get(t, "persons"), 0);
	ck_assert_str_eq(str_of(p, "name"), "Krabat Rombach");
	ck_assert_str_eq(str_of(p, "public_name"), "Krabat Rombach");

	/* Live: started, not ended. */
	t = talk_by_code(root, "wasser");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(str_of(t, "start"), "14:11");
	ck_assert_str_eq(str_of(t, "title"), "Kläranlage 4.0 — " ODD_TITLE);
	ck_assert_str_eq(str_of(t, "actual_start"),
	    "2026-12-03T14:11:40+01:00");
	ck_assert(json_is_null(json_object_get(t, "actual_end")));
	takt = json_object_get(t, "takt");
	ck_assert_str_eq(str_of(takt, "status"), "live");
	ck_assert(json_is_null(json_object_get(takt, "actual_end_ms")));

	/* Planned at 14:05:30 for 4m30s: its minute, the length rounded up. */
	t = talk_by_code(root, "gruen");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(str_of(t, "room"), "Kleiner Saal, Nord");
	ck_assert_str_eq(str_of(t, "date"), "2026-12-03T14:05:30+01:00");
	ck_assert_str_eq(str_of(t, "start"), "14:05");
	ck_assert_str_eq(str_of(t, "duration"), "00:05");
	ck_assert_str_eq(str_of(t, "title"), LONG_STARTUP " — " LONG_TITLE);
	ck_assert(json_is_null(json_object_get(t, "actual_start")));
	takt = json_object_get(t, "takt");
	ck_assert_int_eq(json_integer_value(json_object_get(takt,
	    "projected_start_ms")), T0 + 20 * MIN);
	ck_assert(json_is_null(json_object_get(takt, "actual_start_ms")));

	/* A no-show stays in the schedule, marked; withdrawn is gone. */
	t = talk_by_code(root, "noshow");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(str_of(json_object_get(t, "takt"), "status"),
	    "skipped");
	ck_assert_ptr_null(talk_by_code(root, "gone"));
	json_decref(root);
}
END_TEST

/* Nothing personal: no contact, no attendee, not even an "@". */
START_TEST(test_schedule_public_only)
{
	struct report_input	 in = fixture();
	char			*out, *at;
	size_t			 len;

	out = export_schedule_json(&in, &len);
	ck_assert_ptr_nonnull(out);
	at = strchr(out, '@');
	ck_assert_msg(at == NULL, "an @ in ...%.80s",
	    at - out > 40 ? at - 40 : out);
	ck_assert_ptr_null(strstr(out, "example"));
	ck_assert_ptr_null(strstr(out, "Ott"));
	ck_assert_ptr_null(strstr(out, "\"gone\""));
	ck_assert_ptr_null(strstr(out, "Zurückgezogen"));
	free(out);
}
END_TEST

/* Guids are UUID-shaped, distinct, and the same on every export. */
START_TEST(test_schedule_guids)
{
	struct report_input	 in = fixture();
	json_t			*a = schedule_of(&in), *b = schedule_of(&in);
	const char		*ids[] = {
		"fleno", "noshow", "wasser", "gruen" };
	const char		*g[4];
	size_t			 i, j;

	for (i = 0; i < 4; i++) {
		g[i] = str_of(talk_by_code(a, ids[i]), "guid");
		ck_assert_uint_eq(strlen(g[i]), 36);
		ck_assert(g[i][8] == '-' && g[i][13] == '-' &&
		    g[i][18] == '-' && g[i][23] == '-');
		ck_assert_int_eq(g[i][14], '8');
		ck_assert_ptr_nonnull(strchr("89ab", g[i][19]));
		ck_assert_str_eq(g[i], str_of(talk_by_code(b, ids[i]), "guid"));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(g[i], g[j]);
	}
	json_decref(a);
	json_decref(b);
}
END_TEST

/* The version follows the plan, not the live timing. */
START_TEST(test_schedule_version)
{
	struct report_input	 in = fixture();
	struct report_slot	 copy[sizeof slots / sizeof slots[0]];
	json_t			*a, *b, *c;

	memcpy(copy, slots, sizeof copy);
	in.slots = copy;
	a = schedule_of(&in);
	copy[4].projected_start_ms += 7 * MIN;
	copy[2].actual_end_ms = NOW;
	in.now_ms += MIN;
	b = schedule_of(&in);
	copy[4].title = "Ein anderer Titel";
	c = schedule_of(&in);
	ck_assert_str_eq(str_of(json_object_get(a, "schedule"), "version"),
	    str_of(json_object_get(b, "schedule"), "version"));
	ck_assert_str_ne(str_of(json_object_get(a, "schedule"), "version"),
	    str_of(json_object_get(c, "schedule"), "version"));
	json_decref(a);
	json_decref(b);
	json_decref(c);
}
END_TEST

/*
 * Summer time gives +02:00; a start after midnight stays on its evening's
 * day, a start the next morning opens a new one.
 */
START_TEST(test_schedule_days)
{
	static const int64_t	 JUL1 = INT64_C(1782907200000);	/* 12:00Z */
	struct report_slot	 s[3];
	struct report_input	 in = fixture();
	json_t			*root, *conf, *days, *t;
	size_t			 i;

	memset(s, 0, sizeof s);
	for (i = 0; i < 3; i++) {
		s[i] = slots[4];
		s[i].status = "planned";
	}
	s[0].id = "summer";
	s[0].planned_start_ms = JUL1;
	in.date = "2026-07-01";
	in.slots = s;
	in.nslots = 1;
	root = schedule_of(&in);
	t = talk_by_code(root, "summer");
	ck_assert_str_eq(str_of(t, "date"), "2026-07-01T14:00:00+02:00");
	ck_assert_str_eq(str_of(t, "start"), "14:00");
	json_decref(root);

	in.date = "2026-12-03";
	s[0].id = "late";
	s[0].planned_start_ms = T0 + 9 * 60 * MIN + 30 * MIN;	/* 23:30 */
	s[1].id = "later";
	s[1].planned_start_ms = T0 + 10 * 60 * MIN + 30 * MIN;	/* 00:30 */
	s[2].id = "morning";
	s[2].planned_start_ms = T0 + 20 * 60 * MIN;		/* 10:00 */
	in.nslots = 3;
	root = schedule_of(&in);
	conf = json_object_get(json_object_get(root, "schedule"), "conference");
	days = json_object_get(conf, "days");
	ck_assert_int_eq(json_integer_value(json_object_get(conf, "daysCount")),
	    2);
	ck_assert_str_eq(str_of(conf, "end"), "2026-12-04");
	ck_assert_uint_eq(json_array_size(days), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(
	    json_array_get(days, 0), "rooms"), "Kleiner Saal, Nord")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(
	    json_array_get(days, 1), "rooms"), "Kleiner Saal, Nord")), 1);
	ck_assert_str_eq(str_of(json_array_get(days, 1), "date"), "2026-12-04");
	t = talk_by_code(root, "later");
	ck_assert_str_eq(str_of(t, "date"), "2026-12-04T00:30:00+01:00");
	json_decref(root);
}
END_TEST

/* The process's TZ is left as it was found, set or unset. */
START_TEST(test_schedule_restores_tz)
{
	struct report_input	 in = fixture();
	const char		*tz;
	char			*out;
	size_t			 len;

	ck_assert_int_eq(setenv("TZ", "America/New_York", 1), 0);
	out = export_schedule_json(&in, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "\"start\":\"14:00\""));
	free(out);
	tz = getenv("TZ");
	ck_assert_ptr_nonnull(tz);
	ck_assert_str_eq(tz, "America/New_York");

	ck_assert_int_eq(unsetenv("TZ"), 0);
	out = export_schedule_json(&in, &len);
	ck_assert_ptr_nonnull(out);
	free(out);
	ck_assert_ptr_null(getenv("TZ"));
}
END_TEST

/* Absolute URLs when the daemon knows where it is served. */
START_TEST(test_schedule_base_url)
{
	struct report_input	 in = fixture();
	json_error_t		 err;
	json_t			*root;
	char			*out;
	size_t			 len;

	out = export_schedule_json_base(&in, "https://takt.example.org", &len);
	ck_assert_ptr_nonnull(out);
	root = json_loads(out, 0, &err);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq(str_of(json_object_get(root, "schedule"), "base_url"),
	    "https://takt.example.org/");
	ck_assert_str_eq(str_of(talk_by_code(root, "gruen"), "url"),
	    "https://takt.example.org/stage/side#gruen");
	json_decref(root);
	free(out);
}
END_TEST

/* The calendar's physical form, header and events. */
START_TEST(test_ics_document)
{
	struct report_input	 in = fixture();
	struct ics		 c;
	char			*out, *text;
	size_t			 len = 0;

	out = export_agenda_ics(&in, &len);
	ck_assert_ptr_nonnull(out);
	ics_parse(out, len, &c);
	ck_assert_msg(strstr(out, "\r\n ") != NULL, "nothing was folded");
	ck_assert_ptr_null(strstr(out, "example"));

	ck_assert_str_eq(c.lines[0], "BEGIN:VCALENDAR");
	ck_assert_str_eq(c.lines[c.n - 1], "END:VCALENDAR");
	ck_assert(ics_has(&c, "VERSION:2.0"));
	ck_assert(ics_has(&c, "PRODID:-//takt//takt//EN"));
	ck_assert(ics_has(&c, "CALSCALE:GREGORIAN"));
	ck_assert(ics_has(&c, "METHOD:PUBLISH"));
	ck_assert(ics_has(&c,
	    "X-WR-CALNAME:Smart City Flensburg — Start-up-Pitches"));
	ck_assert(ics_has(&c, "X-WR-TIMEZONE:Europe/Berlin"));

	/* skipped and withdrawn are left out. */
	ck_assert_uint_eq(ics_count(&c, "BEGIN:VEVENT"), 3);
	ck_assert_uint_eq(ics_count(&c, "END:VEVENT"), 3);
	ck_assert(ics_has(&c, "UID:fleno@takt"));
	ck_assert(ics_has(&c, "UID:wasser@takt"));
	ck_assert(ics_has(&c, "UID:gruen@takt"));
	ck_assert(!ics_has(&c, "UID:noshow@takt"));
	ck_assert(!ics_has(&c, "UID:gone@takt"));
	ck_assert_ptr_null(strstr(out, "Leerlauf"));

	/* Done: actual start and end. */
	ck_assert_str_eq(ics_prop(&c, "fleno", "DTSTAMP"), "20261203T131820Z");
	ck_assert_str_eq(ics_prop(&c, "fleno", "DTSTART"), "20261203T130100Z");
	ck_assert_str_eq(ics_prop(&c, "fleno", "DTEND"), "20261203T130610Z");
	ck_assert_str_eq(ics_prop(&c, "fleno", "STATUS"), "CONFIRMED");
	/* Live and overrunning: ends now. */
	ck_assert_str_eq(ics_prop(&c, "wasser", "DTSTART"), "20261203T131140Z");
	ck_assert_str_eq(ics_prop(&c, "wasser", "DTEND"), "20261203T131820Z");
	/* Planned: the projection in UTC, one slot long. */
	ck_assert_str_eq(ics_prop(&c, "gruen", "DTSTART"), "20261203T132000Z");
	ck_assert_str_eq(ics_prop(&c, "gruen", "DTEND"), "20261203T132430Z");

	/* Escaped on the wire, restored by unescaping after unfolding. */
	ck_assert_str_eq(ics_prop(&c, "wasser", "SUMMARY"),
	    "Kläranlage 4.0 — Müll\\, Wärme\\; Wasser\\\\Netze");
	ck_assert_str_eq(ics_prop(&c, "wasser", "LOCATION"),
	    "Großer Saal\\, Technologiezentrum Flensburg");
	ck_assert_str_eq(ics_prop(&c, "gruen", "LOCATION"),
	    "Kleiner Saal\\, Nord\\, Technologiezentrum Flensburg");
	text = ics_unescape(ics_prop(&c, "wasser", "DESCRIPTION"));
	ck_assert_str_eq(text, "Jörg Weiß\n" ODD_TITLE);
	free(text);
	text = ics_unescape(ics_prop(&c, "gruen", "SUMMARY"));
	ck_assert_str_eq(text, LONG_STARTUP " — " LONG_TITLE);
	free(text);
	text = ics_unescape(ics_prop(&c, "gruen", "DESCRIPTION"));
	ck_assert_str_eq(text, "Åsa Öberg\n" LONG_TITLE);
	free(text);

	ics_free(&c);
	free(out);
}
END_TEST

/* An event with no slots is still a valid, empty calendar and schedule. */
START_TEST(test_empty_event)
{
	struct report_input	 in = fixture();
	struct ics		 c;
	json_t			*root;
	char			*out;
	size_t			 len;

	in.nslots = 0;
	out = export_agenda_ics(&in, &len);
	ck_assert_ptr_nonnull(out);
	ics_parse(out, len, &c);
	ck_assert_uint_eq(ics_count(&c, "BEGIN:VEVENT"), 0);
	ics_free(&c);
	free(out);
	root = schedule_of(&in);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(
	    json_object_get(root, "schedule"), "conference"), "rooms")), 0);
	json_decref(root);
}
END_TEST

/* The suite, one case per part. */
static Suite *
export_suite(void)
{
	Suite	*s = suite_create("export");
	TCase	*tc;

	tc = tcase_create("ics_line");
	tcase_add_test(tc, test_ics_line_table);
	tcase_add_test(tc, test_ics_line_fold_ascii);
	tcase_add_test(tc, test_ics_line_fold_multibyte);
	suite_add_tcase(s, tc);

	tc = tcase_create("schedule");
	tcase_add_test(tc, test_fixture);
	tcase_add_test(tc, test_schedule_shape);
	tcase_add_test(tc, test_schedule_talks);
	tcase_add_test(tc, test_schedule_public_only);
	tcase_add_test(tc, test_schedule_guids);
	tcase_add_test(tc, test_schedule_version);
	tcase_add_test(tc, test_schedule_days);
	tcase_add_test(tc, test_schedule_restores_tz);
	tcase_add_test(tc, test_schedule_base_url);
	suite_add_tcase(s, tc);

	tc = tcase_create("ics");
	tcase_add_test(tc, test_ics_document);
	tcase_add_test(tc, test_empty_event);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(export_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
