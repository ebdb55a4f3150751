/*
 * fuzz_report.c — libFuzzer harness for the report and export encoders.
 *
 * Builds a struct report_input from the input bytes (strings that may be
 * invalid UTF-8 or hostile markup and formulas, ids that refer to each
 * other or to nothing, times around the event or unknown), renders every
 * report in every format and both public exports, and checks the output:
 * JSON parses back with jansson, CSV is well-formed RFC 4180 with no cell
 * starting a formula, HTML carries none of the injected markup, and every
 * iCalendar line ends in CRLF and is at most 75 octets long.
 */

#define _GNU_SOURCE		/* memmem */

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "export.h"
#include "fuzz_data.h"
#include "report.h"

#define FUZZ_T0		INT64_C(1796302800000)
#define FUZZ_DAY	INT64_C(86400000)
#define FUZZ_MAXN	12
#define FUZZ_MAXSTR	(FUZZ_MAXN * 40)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Text a hostile attendee or organiser might type. */
static const char *const fuzz_hostile[] = {
	"<script>alert(1)</script>",
	"\"><svg onload=alert(1)>",
	"=HYPERLINK(\"http://evil.example\")",
	"+SUM(A1:A9)",
	"-2+3",
	"@cmd",
	"\tTAB",
	"\rCR",
	"a,b\"c\r\nd",
	"Müller & Söhne ‹GmbH›",
	"\xc3\x28 bad utf-8 \xff\xfe",
	"line\nbreak; semi,colon\\",
	"\xe2\x82",
	"'; DROP TABLE interests; --",
	"",
};

static const char *const fuzz_status[] = {
	"planned", "live", "done", "skipped", "withdrawn"
};
static const char *const fuzz_who[] = {
	"organiser", "moderator", "attendee:a0", "timer"
};
static const char *const fuzz_kind[] = { "action", "phase", "time_up" };
static const char *const fuzz_what[] = {
	"start", "pause", "resume", "extend", "next", "previous", "goto",
	"skip", "stop", "message", "blackout", "warning", "danger", "zero",
	"none", "next_start"
};
static const char *const fuzz_payload[] = {
	"{\"seconds\":30}", "{\"seconds\":-3600}", "{\"seconds\":1e300}",
	"{\"seconds\":9223372036854775807}", "{\"text\":\"x\"}", "[",
	"{\"seconds\":\"x\"}", "null"
};
static const char *const fuzz_role[] = { "department_head", "staff", "guest" };
static const char *const fuzz_level[] = { "follow_up", "info" };
static const char *const fuzz_action[] = { "put", "delete" };
static const char *const fuzz_tz[] = {
	"Europe/Berlin", "UTC", "America/St_Johns", "Asia/Kathmandu",
	"Pacific/Kiritimati", ""
};
static const char *const fuzz_lang[] = { "de", "en", "fr", "" };
static const char *const fuzz_base[] = {
	"", "https://takt.example/", "http://127.0.0.1:8080", "x\"<>"
};

#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

/* Every string built for one input, freed at the end. */
struct fuzz_strings {
	char	*s[FUZZ_MAXSTR];
	size_t	 n;
};

/* Keeps s for freeing later and hands it back. */
static const char *
fuzz_keep(struct fuzz_strings *st, char *s)
{
	if (st->n == FUZZ_MAXSTR) {
		free(s);
		return ("");
	}
	st->s[st->n++] = s;
	return (s);
}

/* One of a list, or now and then a random string instead. */
static const char *
fuzz_pick(struct fuzz_data *fd, struct fuzz_strings *st,
    const char *const *list, size_t n)
{
	size_t	i = (size_t)fuzz_data_range(fd, 0, (int64_t)n);

	if (i == n)
		return (fuzz_keep(st, fuzz_data_string(fd, 32)));
	return (list[i]);
}

/* Free text: hostile, or raw bytes from the input. */
static const char *
fuzz_text(struct fuzz_data *fd, struct fuzz_strings *st)
{
	uint8_t	b = fuzz_data_byte(fd);

	if (b < 128)
		return (fuzz_hostile[b % NELEM(fuzz_hostile)]);
	return (fuzz_keep(st, fuzz_data_string(fd, 200)));
}

/* An id that usually refers to something that exists. */
static const char *
fuzz_ref(struct fuzz_data *fd, struct fuzz_strings *st, const char **ids,
    size_t n)
{
	size_t	i = (size_t)fuzz_data_range(fd, 0, (int64_t)n);

	if (i >= n)
		return (fuzz_text(fd, st));
	return (ids[i]);
}

/* A time around the event, or unknown. */
static int64_t
fuzz_time(struct fuzz_data *fd)
{
	if (fuzz_data_range(fd, 0, 7) == 0)
		return (TIMER_NONE);
	return (FUZZ_T0 + fuzz_data_range(fd, -FUZZ_DAY, FUZZ_DAY));
}

/* A duration, sometimes negative, or unknown. */
static int64_t
fuzz_dur(struct fuzz_data *fd)
{
	if (fuzz_data_range(fd, 0, 15) == 0)
		return (TIMER_NONE);
	return (fuzz_data_range(fd, -7200000, 7200000));
}

/* Stops the run on bad output, showing where. */
static void
fuzz_report_fail(const char *what, const char *out, size_t len, size_t at)
{
	size_t	from = at > 80 ? at - 80 : 0;
	size_t	to = at + 80 < len ? at + 80 : len;

	fprintf(stderr, "fuzz_report: %s at %zu: %.*s\n", what, at,
	    (int)(to - from), out + from);
	abort();
}

/* Tells whether a cell would be taken as a formula by a spreadsheet. */
static bool
fuzz_formula(const char *c, size_t n)
{
	if (n == 0)
		return (false);
	if (c[0] == '=' || c[0] == '+' || c[0] == '@' || c[0] == '\t' ||
	    c[0] == '\r')
		return (true);
	/* "-12" is a number we wrote; "-2+3" or "-x" is not. */
	if (c[0] == '-') {
		size_t	i;

		if (n == 1)
			return (true);
		for (i = 1; i < n; i++) {
			if (!isdigit((unsigned char)c[i]) && c[i] != ':' &&
			    c[i] != '.')
				return (true);
		}
	}
	return (false);
}

/* Parses CSV per RFC 4180 and checks every cell. */
static void
fuzz_check_csv(const char *out, size_t len)
{
	size_t	 i = 0, start, n;
	char	*cell;

	if ((cell = malloc(len + 1)) == NULL)
		abort();
	while (i < len) {
		start = i;
		n = 0;
		if (out[i] == '"') {
			i++;
			for (;;) {
				if (i >= len)
					fuzz_report_fail("csv: open quote", out, len,
					    start);
				if (out[i] == '"') {
					if (i + 1 < len && out[i + 1] == '"') {
						cell[n++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				cell[n++] = out[i++];
			}
		} else {
			while (i < len && out[i] != ',' && out[i] != '\r' &&
			    out[i] != '\n') {
				if (out[i] == '"')
					fuzz_report_fail("csv: quote in a bare cell",
					    out, len, i);
				cell[n++] = out[i++];
			}
		}
		if (fuzz_formula(cell, n))
			fuzz_report_fail("csv: formula cell", out, len, start);
		if (i == len)
			fuzz_report_fail("csv: last record without CRLF", out,
			    len, i);
		if (out[i] == ',')
			i++;
		else if (out[i] == '\r' && i + 1 < len && out[i + 1] == '\n')
			i += 2;
		else
			fuzz_report_fail("csv: bad separator", out, len, i);
	}
	free(cell);
}

/* Checks HTML for markup that can only have come from user text. */
static void
fuzz_check_html(const char *out, size_t len)
{
	static const char *const bad[] = { "<script", "<svg onload" };
	char	*low;
	size_t	 i;

	/* libc's memmem is not instrumented: far faster than a loop here. */
	if ((low = malloc(len + 1)) == NULL)
		abort();
	for (i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)out[i]);
	for (i = 0; i < NELEM(bad); i++) {
		if (memmem(low, len, bad[i], strlen(bad[i])) != NULL) {
			fprintf(stderr, "fuzz_report: html holds %s\n", bad[i]);
			fuzz_report_fail("html: unescaped user markup", out, len,
			    (size_t)((char *)memmem(low, len, bad[i],
			    strlen(bad[i])) - low));
		}
	}
	free(low);
}

/* Checks iCalendar lines: CRLF endings, at most 75 octets, folds start with a space. */
static void
fuzz_check_ics(const char *out, size_t len)
{
	size_t	i, start = 0;

	for (i = 0; i < len; i++) {
		if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r'))
			fuzz_report_fail("ics: bare LF", out, len, i);
		if (out[i] == '\r' && (i + 1 >= len || out[i + 1] != '\n'))
			fuzz_report_fail("ics: bare CR", out, len, i);
		if (out[i] == '\n') {
			if (i - 1 - start > 75)
				fuzz_report_fail("ics: line over 75 octets", out,
				    len, start);
			start = i + 1;
		}
	}
	if (start != len)
		fuzz_report_fail("ics: no CRLF at the end", out, len, start);
	if (len < 15 || memcmp(out, "BEGIN:VCALENDAR", 15) != 0)
		fuzz_report_fail("ics: no BEGIN:VCALENDAR", out, len, 0);
}

/* Checks that a buffer parses as one JSON document. */
static void
fuzz_check_json(const char *out, size_t len)
{
	json_error_t	 err;
	json_t		*j;

	if ((j = json_loadb(out, len, 0, &err)) == NULL) {
		fprintf(stderr, "fuzz_report: json does not parse: %s (line %d "
		    "column %d)\n", err.text, err.line, err.column);
		fuzz_report_fail("json", out, len, (size_t)(err.position > 0 ?
		    err.position : 0));
	}
	json_decref(j);
}

/* Renders everything for one input and checks it. */
static void
fuzz_render_all(const struct report_input *in, const char *base)
{
	static const enum report_name	names[] = {
		REPORT_TIMING, REPORT_ATTENDANCE, REPORT_INTEREST,
		REPORT_FOLLOWUPS
	};
	static const enum report_format	formats[] = {
		REPORT_JSON, REPORT_CSV, REPORT_HTML
	};
	size_t	 i, k, len;
	char	*out;

	for (i = 0; i < NELEM(names); i++) {
		for (k = 0; k < NELEM(formats); k++) {
			len = 0;
			if ((out = report_render(in, names[i], formats[k],
			    &len)) == NULL) {
				fprintf(stderr, "fuzz_report: %s/%d gave NULL\n",
				    report_name_str(names[i]), (int)formats[k]);
				abort();
			}
			if (formats[k] == REPORT_JSON)
				fuzz_check_json(out, len);
			else if (formats[k] == REPORT_CSV)
				fuzz_check_csv(out, len);
			else
				fuzz_check_html(out, len);
			free(out);
		}
	}
	if ((out = export_schedule_json(in, &len)) == NULL)
		abort();
	fuzz_check_json(out, len);
	free(out);
	if ((out = export_schedule_json_base(in, base, &len)) == NULL)
		abort();
	fuzz_check_json(out, len);
	free(out);
	if ((out = export_agenda_ics(in, &len)) == NULL)
		abort();
	fuzz_check_ics(out, len);
	free(out);
}

/* Checks the exposed one-value escapers on a string. */
static void
fuzz_escapers(const char *s)
{
	char	*out;

	if ((out = report_csv_cell(s)) == NULL)
		abort();
	if (*out == '"') {
		if (fuzz_formula(out + 1, strlen(out + 1)))
			fuzz_report_fail("csv cell: formula", out, strlen(out), 0);
	} else if (fuzz_formula(out, strlen(out)))
		fuzz_report_fail("csv cell: formula", out, strlen(out), 0);
	free(out);
	if ((out = report_html_escape(s)) == NULL)
		abort();
	if (strpbrk(out, "<>\"") != NULL)
		fuzz_report_fail("html escape", out, strlen(out), 0);
	free(out);
	if ((out = export_ics_line("SUMMARY", s)) == NULL)
		abort();
	/* A single line must be a whole iCalendar content line. */
	{
		size_t	len = strlen(out), i, start = 0;

		for (i = 0; i < len; i++) {
			if (out[i] == '\n') {
				if (i == 0 || out[i - 1] != '\r' ||
				    i - 1 - start > 75)
					fuzz_report_fail("ics line", out, len, start);
				start = i + 1;
			}
		}
		if (start != len)
			fuzz_report_fail("ics line without CRLF", out, len, start);
	}
	free(out);
}

/* Builds one report input from the bytes and renders it all. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_data	 fd;
	struct fuzz_strings	 st = { { NULL }, 0 };
	struct report_input	 in;
	struct report_slot	 slots[FUZZ_MAXN];
	struct report_ledger	 ledger[FUZZ_MAXN * 2];
	struct report_attendee	 att[FUZZ_MAXN];
	struct report_presence	 pres[FUZZ_MAXN];
	struct report_interest	 ints[FUZZ_MAXN];
	struct report_history	 hist[FUZZ_MAXN];
	struct report_screen	 scr[4];
	const char		*slot_ids[FUZZ_MAXN], *att_ids[FUZZ_MAXN];
	const char		*stage_ids[3] = { "main", "side", "\xff<b>" };
	const char		*stage_names[3];
	const char		*base;
	size_t			 i, ns, na;
	int			 stage = 0, pos = 0;
	int64_t			 at, seq = 0;

	fuzz_data_init(&fd, data, size);
	memset(&in, 0, sizeof in);
	in.title = fuzz_text(&fd, &st);
	in.venue = fuzz_text(&fd, &st);
	in.date = fuzz_data_bool(&fd) ? "2026-12-03" : fuzz_text(&fd, &st);
	/* The zone was checked against tzdata when the config was read. */
	in.timezone = fuzz_tz[fuzz_data_range(&fd, 0, NELEM(fuzz_tz) - 1)];
	in.language = fuzz_lang[fuzz_data_range(&fd, 0, NELEM(fuzz_lang) - 1)];
	in.now_ms = FUZZ_T0 + fuzz_data_range(&fd, -FUZZ_DAY, FUZZ_DAY);
	base = fuzz_base[fuzz_data_range(&fd, 0, NELEM(fuzz_base) - 1)];

	/* Slots by stage, then position, as the store hands them over. */
	for (i = 0; i < 3; i++)
		stage_names[i] = fuzz_text(&fd, &st);
	ns = (size_t)fuzz_data_range(&fd, 0, FUZZ_MAXN);
	for (i = 0; i < ns; i++) {
		struct report_slot	*s = &slots[i];

		if (i > 0 && stage < 2 && fuzz_data_range(&fd, 0, 3) == 0) {
			stage++;
			pos = 0;
		}
		if (fuzz_data_range(&fd, 0, 7) == 0)
			s->id = fuzz_text(&fd, &st);
		else {
			char	buf[16];

			(void)snprintf(buf, sizeof buf, "p%zu", i);
			s->id = fuzz_keep(&st, strdup(buf));
		}
		slot_ids[i] = s->id;
		s->stage = stage_ids[stage];
		s->stage_name = stage_names[stage];
		s->position = ++pos;
		s->startup = fuzz_text(&fd, &st);
		s->presenter = fuzz_text(&fd, &st);
		s->title = fuzz_text(&fd, &st);
		s->contact = fuzz_text(&fd, &st);
		s->status = fuzz_pick(&fd, &st, fuzz_status, NELEM(fuzz_status));
		s->length_ms = fuzz_data_range(&fd, 1, 3600) * 1000;
		s->planned_start_ms = FUZZ_T0 + (int64_t)i * 330000;
		s->projected_start_ms = fuzz_time(&fd);
		s->actual_start_ms = fuzz_time(&fd);
		s->actual_end_ms = fuzz_time(&fd);
	}
	in.slots = slots;
	in.nslots = ns;

	na = (size_t)fuzz_data_range(&fd, 0, FUZZ_MAXN);
	for (i = 0; i < na; i++) {
		char	buf[16];

		(void)snprintf(buf, sizeof buf, "a%zu", i);
		att[i].id = att_ids[i] = fuzz_data_range(&fd, 0, 7) == 0 ?
		    fuzz_text(&fd, &st) : fuzz_keep(&st, strdup(buf));
		att[i].name = fuzz_text(&fd, &st);
		att[i].department = fuzz_text(&fd, &st);
		att[i].role = fuzz_pick(&fd, &st, fuzz_role, NELEM(fuzz_role));
		att[i].email = fuzz_text(&fd, &st);
		att[i].withdrawn = fuzz_data_range(&fd, 0, 7) == 0;
	}
	in.attendees = att;
	in.nattendees = na;

	/* The ledger in id order: time and seq never go back. */
	in.nledger = (size_t)fuzz_data_range(&fd, 0, FUZZ_MAXN * 2);
	at = FUZZ_T0 + fuzz_data_range(&fd, -3600000, 3600000);
	for (i = 0; i < in.nledger; i++) {
		struct report_ledger	*l = &ledger[i];

		at += fuzz_data_range(&fd, 0, 600000);
		seq += fuzz_data_range(&fd, 0, 2);
		l->stage = fuzz_data_range(&fd, 0, 5) == 0 ?
		    fuzz_text(&fd, &st) : stage_ids[fuzz_data_range(&fd, 0, 2)];
		l->seq = seq;
		l->at_ms = at;
		l->who = fuzz_pick(&fd, &st, fuzz_who, NELEM(fuzz_who));
		l->kind = fuzz_pick(&fd, &st, fuzz_kind, NELEM(fuzz_kind));
		l->what = fuzz_pick(&fd, &st, fuzz_what, NELEM(fuzz_what));
		l->pitch = fuzz_data_range(&fd, 0, 5) == 0 ? NULL :
		    fuzz_ref(&fd, &st, slot_ids, ns);
		l->remaining_ms = fuzz_dur(&fd);
		l->payload = fuzz_data_range(&fd, 0, 2) == 0 ? NULL :
		    fuzz_pick(&fd, &st, fuzz_payload, NELEM(fuzz_payload));
	}
	in.ledger = ledger;

	in.npresence = (size_t)fuzz_data_range(&fd, 0, FUZZ_MAXN);
	for (i = 0; i < in.npresence; i++) {
		pres[i].attendee = fuzz_ref(&fd, &st, att_ids, na);
		pres[i].in_ms = FUZZ_T0 + fuzz_data_range(&fd, -FUZZ_DAY,
		    FUZZ_DAY);
		pres[i].out_ms = fuzz_data_range(&fd, 0, 3) == 0 ? TIMER_NONE :
		    pres[i].in_ms + fuzz_data_range(&fd, 0, FUZZ_DAY);
	}
	in.presence = pres;

	in.ninterests = (size_t)fuzz_data_range(&fd, 0, FUZZ_MAXN);
	for (i = 0; i < in.ninterests; i++) {
		ints[i].attendee = fuzz_ref(&fd, &st, att_ids, na);
		ints[i].pitch = fuzz_ref(&fd, &st, slot_ids, ns);
		ints[i].level = fuzz_pick(&fd, &st, fuzz_level,
		    NELEM(fuzz_level));
		ints[i].note = fuzz_text(&fd, &st);
		ints[i].created_ms = fuzz_time(&fd);
		ints[i].updated_ms = fuzz_time(&fd);
		ints[i].live = fuzz_data_bool(&fd);
	}
	in.interests = ints;

	in.nhistory = (size_t)fuzz_data_range(&fd, 0, FUZZ_MAXN);
	at = FUZZ_T0;
	for (i = 0; i < in.nhistory; i++) {
		hist[i].attendee = fuzz_ref(&fd, &st, att_ids, na);
		hist[i].pitch = fuzz_ref(&fd, &st, slot_ids, ns);
		hist[i].action = fuzz_pick(&fd, &st, fuzz_action,
		    NELEM(fuzz_action));
		hist[i].level = strcmp(hist[i].action, "delete") == 0 ? NULL :
		    fuzz_pick(&fd, &st, fuzz_level, NELEM(fuzz_level));
		at += fuzz_data_range(&fd, 0, 600000);
		hist[i].at_ms = at;
		hist[i].live = fuzz_data_bool(&fd);
	}
	in.history = hist;

	in.nscreens = (size_t)fuzz_data_range(&fd, 0, 4);
	for (i = 0; i < in.nscreens; i++) {
		scr[i].screen = fuzz_text(&fd, &st);
		scr[i].page = fuzz_text(&fd, &st);
		scr[i].offset_ms = fuzz_data_range(&fd, -100000, 100000);
		scr[i].rtt_ms = fuzz_data_range(&fd, 0, 100000);
		scr[i].worst_offset_ms = fuzz_data_range(&fd, 0, 100000);
		scr[i].samples = fuzz_data_range(&fd, 0, 1000000);
		scr[i].updated_ms = fuzz_time(&fd);
	}
	in.screens = scr;

	fuzz_render_all(&in, base);
	fuzz_escapers(in.title);
	fuzz_escapers(in.venue);

	for (i = 0; i < st.n; i++)
		free(st.s[i]);
	return (0);
}
