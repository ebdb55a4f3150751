/*
 * report.c — the organisers' reports (SPEC §6): names, the entry point, the
 * output buffer and time formatting shared by the three formats.
 *
 * report_render() computes every figure once (report_calc.c) and then hands
 * the same numbers to report_json.c, report_csv.c or report_html.c. Times
 * are shown in the event's time zone: TZ is switched for the duration of
 * one render and restored afterwards (the daemon is single-threaded).
 *
 * JSON shape (report_json.c writes it; keys are stable snake_case, times
 * unix ms with an ISO 8601 local twin, unknown values null):
 *
 *   every report: {"report": NAME, "event": {title, venue, date, timezone,
 *     language}, "generated_ms", "generated", ...}
 *
 *   timing: "slots": [{stage, stage_name, position, id, startup, presenter,
 *     title, status, length_ms, planned_start_ms, planned_start,
 *     actual_start_ms, actual_start, actual_end_ms, actual_end, running,
 *     net_ms, added_ms, overtime_ms, overrun_ms, pauses, paused_ms,
 *     interventions, time_up: [{at_ms, at, action}]}],
 *   "stages": [{id, name, TOTALS}], "totals": {TOTALS}, where TOTALS is
 *     first_planned_start_ms, first_actual_start_ms, start_delay_ms,
 *     planned_end_ms, last_actual_end_ms, end_delay_ms, over,
 *     mean_overrun_ms, slots_done, slots_skipped;
 *   "displays": [{screen, page, offset_ms, rtt_ms, worst_offset_ms,
 *     samples, updated_ms}], "worst_display_offset_ms".
 *
 *   attendance: "attendees": [{id, name, department, role, email,
 *     withdrawn, present_ms, present_now, intervals: [{in_ms, in, out_ms,
 *     out}]}],
 *   "pitches": [{id, stage, position, startup, start_ms, end_ms, running,
 *     present_count, department_heads: [{id, name, department}]}],
 *   "departments": [{name, attendees, department_heads, checked_in,
 *     present: [{pitch, count}]}].
 *
 *   interest: "columns": [{id, stage, position, startup, status, follow_up,
 *     info}], "rows": [{id, name, department, role, cells: [null or {level,
 *     note, live, given_ms, updated_ms, changes}] parallel to columns}],
 *   "changes": [{attendee, pitch, puts, deletes, level_changes}],
 *   "totals": {follow_up, info, live, later}.
 *
 *   followups: "startups": [{id, stage, position, startup, presenter, title,
 *     contact, status, interested: [{attendee, name, department, role,
 *     email, level, note, live, given_ms, given, updated_ms}]}].
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "tz.h"
#include "report_int.h"

static const char *const report_names[] = {
	[REPORT_TIMING] = "timing",
	[REPORT_ATTENDANCE] = "attendance",
	[REPORT_INTEREST] = "interest",
	[REPORT_FOLLOWUPS] = "followups",
};

static const char *const report_formats[] = {
	[REPORT_JSON] = "json",
	[REPORT_CSV] = "csv",
	[REPORT_HTML] = "html",
};

/* Parses a report name as it appears in the URL. */
int
report_name_parse(const char *s)
{
	size_t	i;

	if (s == NULL)
		return (-1);
	for (i = 0; i < sizeof report_names / sizeof report_names[0]; i++) {
		if (strcmp(s, report_names[i]) == 0)
			return ((int)i);
	}
	return (-1);
}

/* Parses a format name as it appears as the URL's extension. */
int
report_format_parse(const char *s)
{
	size_t	i;

	if (s == NULL)
		return (-1);
	for (i = 0; i < sizeof report_formats / sizeof report_formats[0]; i++) {
		if (strcmp(s, report_formats[i]) == 0)
			return ((int)i);
	}
	return (-1);
}

/* The name of a report as the URL and the JSON "report" key spell it. */
const char *
report_name_str(enum report_name n)
{
	if ((unsigned)n >= sizeof report_names / sizeof report_names[0])
		return ("unknown");
	return (report_names[n]);
}

/* Content types carry the charset so browsers never guess the encoding. */
const char *
report_content_type(enum report_format f)
{
	switch (f) {
	case REPORT_JSON:
		return ("application/json");
	case REPORT_CSV:
		return ("text/csv; charset=utf-8; header=present");
	case REPORT_HTML:
		return ("text/html; charset=utf-8");
	}
	return ("application/octet-stream");
}

/* The label of a report's title in a language. */
const char *
report_title_msg(enum report_name n, enum report_lang l)
{
	switch (n) {
	case REPORT_TIMING:
		return (report_tr(l, RM_TIMING));
	case REPORT_ATTENDANCE:
		return (report_tr(l, RM_ATTENDANCE));
	case REPORT_INTEREST:
		return (report_tr(l, RM_INTEREST));
	case REPORT_FOLLOWUPS:
		return (report_tr(l, RM_FOLLOWUPS));
	}
	return ("");
}

/* Computes the figures once, then formats them. */
char *
report_render(const struct report_input *in, enum report_name name,
    enum report_format fmt, size_t *len)
{
	struct report_model	 m;
	char			*out = NULL;
	struct tz_saved		 tz;

	*len = 0;
	if ((unsigned)name >= sizeof report_names / sizeof report_names[0])
		return (NULL);
	if (tz_enter(&tz, in->timezone) == -1)
		return (NULL);
	if (report_model_build(&m, in) == 0) {
		switch (fmt) {
		case REPORT_JSON:
			out = report_json(&m, name, len);
			break;
		case REPORT_CSV:
			out = report_csv(&m, name, len);
			break;
		case REPORT_HTML:
			out = report_html(&m, name, len);
			break;
		}
	}
	report_model_free(&m);
	tz_leave(&tz);
	return (out);
}

/* Makes room for n more bytes plus a NUL, doubling to keep appends cheap. */
static int
report_buf_grow(struct report_buf *b, size_t n)
{
	size_t	 want, cap;
	char	*p;

	if (b->err)
		return (-1);
	if (n > SIZE_MAX / 2 - b->len) {
		b->err = 1;
		return (-1);
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return (0);
	cap = b->cap != 0 ? b->cap : 1024;
	while (cap < want)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->err = 1;
		return (-1);
	}
	b->p = p;
	b->cap = cap;
	return (0);
}

/* Appends n bytes. */
void
report_buf_add(struct report_buf *b, const char *s, size_t n)
{
	if (report_buf_grow(b, n) == -1)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends a string; NULL appends nothing. */
void
report_buf_puts(struct report_buf *b, const char *s)
{
	if (s != NULL)
		report_buf_add(b, s, strlen(s));
}

/* Appends formatted text. */
void
report_buf_printf(struct report_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = 1;
		return;
	}
	if (report_buf_grow(b, (size_t)n) == -1)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Hands the buffer over, or frees it and returns NULL if anything failed. */
char *
report_buf_finish(struct report_buf *b, size_t *len)
{
	char	*p;

	if (b->err || report_buf_grow(b, 0) == -1) {
		free(b->p);
		memset(b, 0, sizeof *b);
		*len = 0;
		return (NULL);
	}
	b->p[b->len] = '\0';	/* nothing may have been appended yet */
	p = b->p;
	*len = b->len;
	memset(b, 0, sizeof *b);
	return (p);
}

/* Breaks unix ms into local time; floors so times before 1970 stay right. */
static int
report_local(int64_t ms, struct tm *tm)
{
	int64_t	s = ms / 1000;
	time_t	t;

	if (ms % 1000 < 0)
		s--;
	t = (time_t)s;
	return (localtime_r(&t, tm) == NULL ? -1 : 0);
}

/* Wall-clock time of day, what a moderator's watch showed. */
void
report_fmt_clock(int64_t ms, char *buf, size_t size)
{
	struct tm	tm;

	if (ms == TIMER_NONE || report_local(ms, &tm) == -1) {
		(void)snprintf(buf, size, "%s", "");
		return;
	}
	(void)snprintf(buf, size, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/* A full local timestamp with its offset, unambiguous across DST changes. */
void
report_fmt_iso(int64_t ms, char *buf, size_t size)
{
	struct tm	tm;
	long		off, a;

	if (ms == TIMER_NONE || report_local(ms, &tm) == -1) {
		(void)snprintf(buf, size, "%s", "");
		return;
	}
	off = tm.tm_gmtoff;
	a = off < 0 ? -off : off;
	(void)snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', a / 3600,
	    (a % 3600) / 60);
}

/* Rounds so 4:59.5 reads as 5:00 and -0.4 s as 0, symmetric around zero. */
int64_t
report_ms_to_s(int64_t ms)
{
	if (ms == TIMER_NONE)
		return (0);
	if (ms < 0)
		return (-((-ms + 500) / 1000));
	return ((ms + 500) / 1000);
}

/* Minutes and seconds as a stopwatch shows them. */
void
report_fmt_dur(int64_t ms, bool plus, char *buf, size_t size)
{
	int64_t		 s, a;
	const char	*sign;

	if (ms == TIMER_NONE) {
		(void)snprintf(buf, size, "%s", "");
		return;
	}
	s = report_ms_to_s(ms);
	a = s < 0 ? -s : s;
	sign = s < 0 ? "-" : (plus && s > 0 ? "+" : "");
	if (a >= 3600)
		(void)snprintf(buf, size, "%s%lld:%02lld:%02lld", sign,
		    (long long)(a / 3600), (long long)(a % 3600 / 60),
		    (long long)(a % 60));
	else
		(void)snprintf(buf, size, "%s%lld:%02lld", sign,
		    (long long)(a / 60), (long long)(a % 60));
}
