/*
 * export.c — public exports of the agenda (SPEC §4): the frab-style schedule
 * JSON in the shape pretalx emits, with takt's planned, projected and actual
 * times added, and an RFC 5545 iCalendar of the projected agenda.
 *
 * Pure: plain data in, a malloc'd document out. Only the event fields and
 * the public slot fields (stage, startup, presenter, title, times) are read;
 * the contact of a slot and the attendees, presence and interests that share
 * struct report_input are never looked at, so nothing personal can reach
 * these public URLs.
 *
 * Local times need the event's zone; like config.c this goes through TZ,
 * tzset and localtime_r, and puts TZ back as it was, so it is not for use
 * from several threads at once.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "export.h"
#include "tz.h"

#define EXPORT_SCHEMA		"https://c3voc.de/schedule/schema.json"
#define EXPORT_GENERATOR	"takt"
#define EXPORT_ACRONYM		"takt"	/* when the title gives no slug */
#define EXPORT_TIMESLOT		"00:05"
#define EXPORT_TALK_TYPE	"Pitch"
#define EXPORT_DAY_HOUR		4	/* a day runs 04:00 to 03:59 */
#define EXPORT_MAX_DAYS		366
#define EXPORT_VERSION_HEX	16
#define EXPORT_ICS_OCTETS	75
#define EXPORT_ICS_REFRESH	"PT5M"
#define EXPORT_DASH		" \xe2\x80\x94 "	/* " — " */
#define EXPORT_NO_DAY		INT64_MIN

/*
 * takt's namespace for name-based UUIDs: a fixed random value, so the same
 * event date and id give the same guid on every export and every install.
 */
static const unsigned char export_uuid_ns[16] = {
	0x01, 0xee, 0x1f, 0x2f, 0x24, 0xd6, 0x49, 0x52,
	0x9d, 0xa9, 0x3e, 0x32, 0xd6, 0xa7, 0x66, 0xf6,
};

/* A growing NUL-terminated buffer that remembers a failed allocation. */
struct export_buf {
	char	*data;
	size_t	 len;
	size_t	 size;
	bool	 failed;
};

/* What the schedule JSON is built from, shared by its parts. */
struct export_ctx {
	const struct report_input	*in;
	const char			*date;	/* for guids; "" if none */
	char				*base;	/* ends in '/' */
	char				*acronym;
	int64_t				*day;	/* per slot, or EXPORT_NO_DAY */
	int64_t				 first;	/* days since 1970-01-01 */
	size_t				 ndays;
	size_t				*stages; /* first slot of each stage */
	size_t				 nstages;
	bool				 failed;
};

/* Appends n bytes; after one failure every later append is a no-op. */
static void
export_buf_add(struct export_buf *b, const char *s, size_t n)
{
	char	*p;
	size_t	 want;

	if (b->failed)
		return;
	if (n > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->size) {
		want = b->size == 0 ? 256 : b->size;
		while (want < b->len + n + 1)
			want *= 2;
		if ((p = realloc(b->data, want)) == NULL) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->size = want;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Appends a string; NULL counts as empty so optional fields need no test. */
static void
export_buf_str(struct export_buf *b, const char *s)
{
	if (s != NULL)
		export_buf_add(b, s, strlen(s));
}

/* Hands the buffer over as a malloc'd string, or frees it after a failure. */
static char *
export_buf_finish(struct export_buf *b, size_t *len)
{
	if (!b->failed && b->data == NULL)
		export_buf_add(b, "", 0);
	if (b->failed) {
		free(b->data);
		return (NULL);
	}
	if (len != NULL)
		*len = b->len;
	return (b->data);
}

/* A string that may be NULL, as "" for places that cannot hold a null. */
static const char *
export_s(const char *s)
{
	return (s != NULL ? s : "");
}

/* Tells whether a slot's status string is the given one. */
static bool
export_status_is(const struct report_slot *s, const char *status)
{
	return (s->status != NULL && strcmp(s->status, status) == 0);
}

/* Whole seconds of a time in ms, rounded down so 1969 is right too. */
static time_t
export_secs(int64_t ms)
{
	int64_t	s = ms / 1000;

	if (ms % 1000 < 0)
		s--;
	return ((time_t)s);
}

/* ISO 8601 with the zone's offset, as Python's isoformat() writes it. */
static void
export_iso_tm(const struct tm *tm, char *buf, size_t size)
{
	long	off = tm->tm_gmtoff;
	char	sign = '+';

	if (off < 0) {
		sign = '-';
		off = -off;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour,
	    tm->tm_min, tm->tm_sec, sign, off / 3600, off % 3600 / 60);
}

/* The local ISO 8601 time of ms in the zone in force; -1 if it has none. */
static int
export_iso_local(int64_t ms, char *buf, size_t size)
{
	struct tm	tm;
	time_t		t = export_secs(ms);

	if (localtime_r(&t, &tm) == NULL)
		return (-1);
	export_iso_tm(&tm, buf, size);
	return (0);
}

/* Days since 1970-01-01 of a date, through timegm, which knows the calendar. */
static int64_t
export_day_number(int year, int mon, int mday)
{
	struct tm	tm;
	time_t		t;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = 12;	/* far from either end of the day */
	t = timegm(&tm);
	return ((int64_t)t / 86400);
}

/* The calendar date of a day number. */
static void
export_day_date(int64_t day, int *year, int *mon, int *mday)
{
	struct tm	tm;
	time_t		t = (time_t)(day * 86400 + 43200);

	memset(&tm, 0, sizeof tm);
	(void)gmtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*mon = tm.tm_mon + 1;
	*mday = tm.tm_mday;
}

/* Parses the event date "YYYY-MM-DD" into a day number; -1 if it is not one. */
static int
export_parse_date(const char *s, int64_t *day)
{
	int	y, m, d;
	char	extra;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return (-1);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return (-1);
	*day = export_day_number(y, m, d);
	return (0);
}

/*
 * The schedule day a start belongs to: its local date, except that a start
 * before 04:00 after the first day still belongs to the evening before, as
 * in pretalx, so a session running past midnight is not a day of its own.
 */
static int64_t
export_day_of(int64_t ms, int64_t first)
{
	struct tm	tm;
	time_t		t = export_secs(ms);
	int64_t		day;

	if (localtime_r(&t, &tm) == NULL)
		return (EXPORT_NO_DAY);
	day = export_day_number(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (tm.tm_hour < EXPORT_DAY_HOUR && first != EXPORT_NO_DAY &&
	    day > first)
		day--;
	return (day);
}

/*
 * A name-based UUID: SHA-256 of takt's namespace and "kind/date/id", cut to
 * 128 bits and marked as RFC 9562 version 8 (the version for hashes other
 * than MD5 and SHA-1), so a slot keeps its guid across exports, reloads and
 * restarts. num, if given, gets 31 bits of the same digest for frab's
 * integer ids, never 0.
 */
static int
export_uuid(const char *kind, const char *date, const char *id, char *out,
    size_t size, int64_t *num)
{
	EVP_MD_CTX	*md;
	unsigned char	 h[EVP_MAX_MD_SIZE];
	unsigned int	 hlen = 0;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return (-1);
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, export_uuid_ns, sizeof export_uuid_ns) == 1 &&
	    EVP_DigestUpdate(md, kind, strlen(kind)) == 1 &&
	    EVP_DigestUpdate(md, "/", 1) == 1 &&
	    EVP_DigestUpdate(md, date, strlen(date)) == 1 &&
	    EVP_DigestUpdate(md, "/", 1) == 1 &&
	    EVP_DigestUpdate(md, id, strlen(id)) == 1 &&
	    EVP_DigestFinal_ex(md, h, &hlen) == 1 && hlen >= 16;
	EVP_MD_CTX_free(md);
	if (!ok)
		return (-1);
	h[6] = (h[6] & 0x0f) | 0x80;
	h[8] = (h[8] & 0x3f) | 0x80;
	snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5],
	    h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
	if (num != NULL) {
		*num = ((int64_t)(h[0] & 0x7f) << 24) | ((int64_t)h[1] << 16) |
		    ((int64_t)h[2] << 8) | h[3];
		if (*num == 0)
			*num = 1;
	}
	return (0);
}

/*
 * A lowercase ASCII slug ([a-z0-9-], no dash at either end) as pretalx
 * makes them; German letters are spelt out (ä as ae, ß as ss) and anything
 * else becomes a dash. Never longer than s, since every output byte stands
 * for at least one input byte.
 */
static char *
export_slug(const char *s)
{
	static const struct {
		const char	*utf8;
		const char	*ascii;
	} fold[] = {
		{ "\xc3\xa4", "ae" },	{ "\xc3\xb6", "oe" },
		{ "\xc3\xbc", "ue" },	{ "\xc3\x84", "ae" },
		{ "\xc3\x96", "oe" },	{ "\xc3\x9c", "ue" },
		{ "\xc3\x9f", "ss" },
	};
	char		*out;
	const char	*p;
	size_t		 o = 0, i;
	bool		 dash = false, done;
	unsigned char	 c;

	s = export_s(s);
	if ((out = malloc(strlen(s) + 1)) == NULL)
		return (NULL);
	for (p = s; *p != '\0';) {
		c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z')) {
			if (dash && o > 0)
				out[o++] = '-';
			dash = false;
			out[o++] = (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
			p++;
			continue;
		}
		done = false;
		for (i = 0; i < sizeof fold / sizeof fold[0]; i++) {
			if (strncmp(p, fold[i].utf8, 2) != 0)
				continue;
			if (dash && o > 0)
				out[o++] = '-';
			dash = false;
			out[o++] = fold[i].ascii[0];
			out[o++] = fold[i].ascii[1];
			p += 2;
			done = true;
			break;
		}
		if (!done) {
			dash = true;
			p++;
		}
	}
	out[o] = '\0';
	return (out);
}

/*
 * The schedule version: a digest of the planned agenda only, so a consumer
 * that caches by version sees a new one when the plan changes, not each
 * time a live timer moves a projection.
 */
static int
export_version(const struct report_input *in, char *out, size_t size)
{
	EVP_MD_CTX			*md;
	const struct report_slot	*s;
	unsigned char			 h[EVP_MAX_MD_SIZE];
	unsigned int			 hlen = 0;
	char				 num[64];
	const char			*f[8];
	size_t				 i, j, k, nf;
	int				 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return (-1);
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	f[0] = in->title;
	f[1] = in->venue;
	f[2] = in->date;
	f[3] = in->timezone;
	for (j = 0; ok && j < 4; j++)
		ok = EVP_DigestUpdate(md, export_s(f[j]),
		    strlen(export_s(f[j])) + 1) == 1;
	for (i = 0; ok && i < in->nslots; i++) {
		s = &in->slots[i];
		if (export_status_is(s, "withdrawn"))
			continue;
		snprintf(num, sizeof num, "%lld %lld",
		    (long long)s->planned_start_ms, (long long)s->length_ms);
		nf = 0;
		f[nf++] = s->id;
		f[nf++] = s->stage;
		f[nf++] = s->stage_name;
		f[nf++] = s->startup;
		f[nf++] = s->presenter;
		f[nf++] = s->title;
		f[nf++] = num;
		for (j = 0; ok && j < nf; j++)
			ok = EVP_DigestUpdate(md, export_s(f[j]),
			    strlen(export_s(f[j])) + 1) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(md, h, &hlen) == 1 &&
	    hlen * 2 >= EXPORT_VERSION_HEX;
	EVP_MD_CTX_free(md);
	if (!ok || size < EXPORT_VERSION_HEX + 1)
		return (-1);
	for (k = 0; k < EXPORT_VERSION_HEX / 2; k++)
		snprintf(out + 2 * k, 3, "%02x", h[k]);
	return (0);
}

/*
 * A JSON string that never fails on bad input: jansson refuses invalid
 * UTF-8, so such a value goes out with its non-ASCII bytes as '?' rather
 * than failing the whole export.
 */
static json_t *
export_jstr(const char *s)
{
	json_t	*v;
	char	*copy;
	size_t	 i;

	s = export_s(s);
	if ((v = json_string(s)) != NULL)
		return (v);
	if ((copy = strdup(s)) == NULL)
		return (NULL);
	for (i = 0; copy[i] != '\0'; i++) {
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	}
	v = json_string(copy);
	free(copy);
	return (v);
}

/* A time in ms as a JSON integer, or null for TIMER_NONE. */
static json_t *
export_jms(int64_t ms)
{
	if (ms == TIMER_NONE)
		return (json_null());
	return (json_integer((json_int_t)ms));
}

/* A local ISO 8601 time as a JSON string, or null when unknown. */
static json_t *
export_jiso(int64_t ms)
{
	char	buf[64];

	if (ms == TIMER_NONE || export_iso_local(ms, buf, sizeof buf) != 0)
		return (json_null());
	return (json_string(buf));
}

/* Sets a member, stealing v; any failure (v NULL too) fails the export. */
static void
export_set(struct export_ctx *x, json_t *o, const char *key, json_t *v)
{
	if (o == NULL) {
		json_decref(v);
		x->failed = true;
	} else if (json_object_set_new(o, key, v) != 0)
		x->failed = true;
}

/* Appends to an array, stealing v, in the same way. */
static void
export_push(struct export_ctx *x, json_t *a, json_t *v)
{
	if (a == NULL) {
		json_decref(v);
		x->failed = true;
	} else if (json_array_append_new(a, v) != 0)
		x->failed = true;
}

/* The room name of a slot's stage: its display name, else its id. */
static const char *
export_room(const struct report_slot *s)
{
	if (s->stage_name != NULL && *s->stage_name != '\0')
		return (s->stage_name);
	return (export_s(s->stage));
}

/* "Startup — Title", or whichever of the two there is. */
static void
export_summary(struct export_buf *b, const struct report_slot *s)
{
	bool	have_startup = s->startup != NULL && *s->startup != '\0';
	bool	have_title = s->title != NULL && *s->title != '\0';

	if (have_startup)
		export_buf_str(b, s->startup);
	if (have_startup && have_title)
		export_buf_str(b, EXPORT_DASH);
	if (have_title)
		export_buf_str(b, s->title);
}

/* frab's "HH:MM" duration, rounded up so 4m30s does not look like 4m. */
static json_t *
export_jduration(int64_t ms)
{
	char	buf[32];
	int64_t	min;

	if (ms < 0)
		ms = 0;
	min = (ms + 59999) / 60000;
	snprintf(buf, sizeof buf, "%02lld:%02lld", (long long)(min / 60),
	    (long long)(min % 60));
	return (json_string(buf));
}

/* The presenter as a pretalx person: public name and guid, no contact. */
static json_t *
export_persons(struct export_ctx *x, const struct report_slot *s)
{
	json_t	*a, *p;
	char	 guid[40];

	a = json_array();
	if (s->presenter == NULL || *s->presenter == '\0')
		return (a);
	p = json_object();
	export_set(x, p, "name", export_jstr(s->presenter));
	export_set(x, p, "public_name", export_jstr(s->presenter));
	if (export_uuid("person", x->date, export_s(s->id), guid, sizeof guid,
	    NULL) != 0)
		x->failed = true;
	else
		export_set(x, p, "guid", json_string(guid));
	export_push(x, a, p);
	return (a);
}

/* takt's own fields of a talk, which frab has no place for. */
static json_t *
export_takt(struct export_ctx *x, const struct report_slot *s)
{
	json_t	*t = json_object();

	export_set(x, t, "id", export_jstr(s->id));
	export_set(x, t, "stage", export_jstr(s->stage));
	export_set(x, t, "position", json_integer(s->position));
	export_set(x, t, "startup", export_jstr(s->startup));
	export_set(x, t, "title", export_jstr(s->title));
	export_set(x, t, "status", export_jstr(s->status));
	export_set(x, t, "length_ms", json_integer((json_int_t)s->length_ms));
	export_set(x, t, "planned_start_ms", export_jms(s->planned_start_ms));
	export_set(x, t, "projected_start_ms",
	    export_jms(s->projected_start_ms));
	export_set(x, t, "actual_start_ms", export_jms(s->actual_start_ms));
	export_set(x, t, "actual_end_ms", export_jms(s->actual_end_ms));
	return (t);
}

/* A finished buffer as a JSON string; the buffer is consumed either way. */
static json_t *
export_jbuf(struct export_ctx *x, struct export_buf *b)
{
	json_t	*v;
	char	*text;

	if ((text = export_buf_finish(b, NULL)) == NULL) {
		x->failed = true;
		return (NULL);
	}
	v = export_jstr(text);
	free(text);
	return (v);
}

/*
 * One talk, member by member in pretalx's order; frab places it at its
 * planned start, takt's live times ride along in "actual_*" and "takt".
 */
static json_t *
export_talk(struct export_ctx *x, const struct report_slot *s)
{
	struct export_buf	 b;
	json_t			*t;
	struct tm		 tm;
	time_t			 start = export_secs(s->planned_start_ms);
	char			 guid[40], iso[64], hhmm[16], *slug;
	int64_t			 num = 0;

	if (export_uuid("slot", x->date, export_s(s->id), guid, sizeof guid,
	    &num) != 0 || localtime_r(&start, &tm) == NULL) {
		x->failed = true;
		return (NULL);
	}
	export_iso_tm(&tm, iso, sizeof iso);
	snprintf(hhmm, sizeof hhmm, "%02d:%02d", tm.tm_hour, tm.tm_min);

	t = json_object();
	export_set(x, t, "guid", json_string(guid));
	export_set(x, t, "code", export_jstr(s->id));
	export_set(x, t, "id", json_integer((json_int_t)num));
	export_set(x, t, "logo", json_null());
	export_set(x, t, "date", json_string(iso));
	export_set(x, t, "start", json_string(hhmm));
	export_set(x, t, "duration", export_jduration(s->length_ms));
	export_set(x, t, "room", export_jstr(export_room(s)));

	/* pretalx: event slug, id, title slug. */
	memset(&b, 0, sizeof b);
	if ((slug = export_slug(s->title)) == NULL)
		b.failed = true;
	export_buf_str(&b, x->acronym);
	export_buf_str(&b, "-");
	export_buf_str(&b, s->id);
	if (slug != NULL && *slug != '\0') {
		export_buf_str(&b, "-");
		export_buf_str(&b, slug);
	}
	free(slug);
	export_set(x, t, "slug", export_jbuf(x, &b));

	/* takt has no page per pitch; its stage's display is the nearest. */
	memset(&b, 0, sizeof b);
	export_buf_str(&b, x->base);
	export_buf_str(&b, "stage/");
	export_buf_str(&b, s->stage);
	export_buf_str(&b, "#");
	export_buf_str(&b, s->id);
	export_set(x, t, "url", export_jbuf(x, &b));

	memset(&b, 0, sizeof b);
	export_summary(&b, s);
	export_set(x, t, "title", export_jbuf(x, &b));
	export_set(x, t, "subtitle", json_string(""));
	export_set(x, t, "track", json_null());
	export_set(x, t, "type", json_string(EXPORT_TALK_TYPE));
	export_set(x, t, "language", export_jstr(x->in->language));
	export_set(x, t, "abstract", json_string(""));
	export_set(x, t, "description", json_string(""));
	export_set(x, t, "recording_license", json_string(""));
	export_set(x, t, "do_not_record", json_false());
	export_set(x, t, "persons", export_persons(x, s));
	export_set(x, t, "links", json_array());
	export_set(x, t, "attachments", json_array());
	export_set(x, t, "actual_start", export_jiso(s->actual_start_ms));
	export_set(x, t, "actual_end", export_jiso(s->actual_end_ms));
	export_set(x, t, "takt", export_takt(x, s));
	return (t);
}

/*
 * Finds the stages in slot order and the schedule day of every slot that is
 * shown. The conference starts on the event date, or earlier if a planned
 * start says so, and ends on the day of the last start.
 */
static int
export_prepare(struct export_ctx *x, const struct report_input *in,
    const char *base_url)
{
	const struct report_slot	*s;
	const char			*base;
	size_t				 i, j, n;
	int64_t				 last;

	x->in = in;
	x->date = export_s(in->date);
	x->first = EXPORT_NO_DAY;

	base = (base_url != NULL && *base_url != '\0') ? base_url : "/";
	n = strlen(base);
	if ((x->base = malloc(n + 2)) == NULL)
		return (-1);
	memcpy(x->base, base, n + 1);
	if (base[n - 1] != '/')
		memcpy(x->base + n, "/", 2);

	if ((x->acronym = export_slug(in->title)) == NULL)
		return (-1);
	if (*x->acronym == '\0') {
		free(x->acronym);
		if ((x->acronym = strdup(EXPORT_ACRONYM)) == NULL)
			return (-1);
	}

	if (in->nslots > 0) {
		x->day = calloc(in->nslots, sizeof *x->day);
		x->stages = calloc(in->nslots, sizeof *x->stages);
		if (x->day == NULL || x->stages == NULL)
			return (-1);
	}
	for (i = 0; i < in->nslots; i++) {
		s = &in->slots[i];
		for (j = 0; j < x->nstages; j++) {
			if (strcmp(export_s(in->slots[x->stages[j]].stage),
			    export_s(s->stage)) == 0)
				break;
		}
		if (j == x->nstages)
			x->stages[x->nstages++] = i;
	}

	/* Local dates first, since the 04:00 rule needs the first day. */
	if (export_parse_date(in->date, &x->first) != 0)
		x->first = EXPORT_NO_DAY;
	for (i = 0; i < in->nslots; i++) {
		s = &in->slots[i];
		x->day[i] = EXPORT_NO_DAY;
		if (export_status_is(s, "withdrawn") ||
		    s->planned_start_ms == TIMER_NONE)
			continue;
		x->day[i] = export_day_of(s->planned_start_ms, EXPORT_NO_DAY);
		if (x->day[i] != EXPORT_NO_DAY &&
		    (x->first == EXPORT_NO_DAY || x->day[i] < x->first))
			x->first = x->day[i];
	}
	if (x->first == EXPORT_NO_DAY &&
	    (x->first = export_day_of(in->now_ms, EXPORT_NO_DAY)) ==
	    EXPORT_NO_DAY)
		return (-1);
	last = x->first;
	for (i = 0; i < in->nslots; i++) {
		if (x->day[i] == EXPORT_NO_DAY)
			continue;
		x->day[i] = export_day_of(in->slots[i].planned_start_ms,
		    x->first);
		/* A stray year-off start must not make a year of empty days. */
		if (x->day[i] - x->first >= EXPORT_MAX_DAYS)
			x->day[i] = EXPORT_NO_DAY;
		else if (x->day[i] > last)
			last = x->day[i];
	}
	x->ndays = (size_t)(last - x->first) + 1;
	return (0);
}

/* The date of a schedule day as "YYYY-MM-DD". */
static void
export_day_str(int64_t day, char *buf, size_t size)
{
	int	y, m, d;

	export_day_date(day, &y, &m, &d);
	snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

/* A wall-clock time plus_days after a day, as ISO 8601 with offset. */
static json_t *
export_jwall(int64_t day, int plus_days, int hour, int min)
{
	struct tm	tm;
	time_t		t;
	int		y, m, d;
	char		buf[64];

	export_day_date(day, &y, &m, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + plus_days;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_isdst = -1;	/* the zone's rules decide */
	if ((t = mktime(&tm)) == (time_t)-1)
		return (NULL);
	export_iso_tm(&tm, buf, sizeof buf);
	return (json_string(buf));
}

/* conference.rooms: every stage, in the order of its first slot. */
static json_t *
export_rooms(struct export_ctx *x)
{
	const struct report_slot	*s;
	json_t				*a = json_array(), *r;
	char				 guid[40];
	size_t				 j;

	for (j = 0; j < x->nstages; j++) {
		s = &x->in->slots[x->stages[j]];
		r = json_object();
		export_set(x, r, "name", export_jstr(export_room(s)));
		export_set(x, r, "slug", export_jstr(s->stage));
		if (export_uuid("stage", x->date, export_s(s->stage), guid,
		    sizeof guid, NULL) != 0)
			x->failed = true;
		else
			export_set(x, r, "guid", json_string(guid));
		export_set(x, r, "description", json_null());
		export_set(x, r, "capacity", json_null());
		export_push(x, a, r);
	}
	return (a);
}

/*
 * One day: every stage is a room even when it has nothing that day, so a
 * viewer shows the same columns throughout; talks go in slot order, which
 * is planned-start order within a stage.
 */
static json_t *
export_day(struct export_ctx *x, size_t index)
{
	const struct report_slot	*s;
	json_t				*d = json_object();
	json_t				*rooms = json_object(), *key;
	int64_t				 day = x->first + (int64_t)index;
	char				 date[32];
	size_t				 i, j;

	export_day_str(day, date, sizeof date);
	export_set(x, d, "index", json_integer((json_int_t)index + 1));
	export_set(x, d, "date", json_string(date));
	export_set(x, d, "day_start", export_jwall(day, 0, EXPORT_DAY_HOUR, 0));
	export_set(x, d, "day_end",
	    export_jwall(day, 1, EXPORT_DAY_HOUR - 1, 59));
	for (j = 0; j < x->nstages && rooms != NULL; j++) {
		s = &x->in->slots[x->stages[j]];
		key = export_jstr(export_room(s));
		if (key != NULL && json_object_get(rooms, json_string_value(key)) == NULL)
			export_set(x, rooms, json_string_value(key), json_array());
		json_decref(key);
	}
	for (i = 0; i < x->in->nslots && rooms != NULL; i++) {
		s = &x->in->slots[i];
		if (x->day[i] != day)
			continue;
		/* Keys must be valid UTF-8 like every value: the cleaned name. */
		key = export_jstr(export_room(s));
		export_push(x, key != NULL ? json_object_get(rooms,
		    json_string_value(key)) : NULL, export_talk(x, s));
		json_decref(key);
	}
	export_set(x, d, "rooms", rooms);
	return (d);
}

/* The whole document, as pretalx's FrabJsonExporter lays it out. */
static json_t *
export_schedule(struct export_ctx *x)
{
	const struct report_input	*in = x->in;
	json_t				*root, *gen, *sched, *conf, *days;
	char				 version[EXPORT_VERSION_HEX + 1];
	char				 start[32], end[32];
	size_t				 i;

	if (export_version(in, version, sizeof version) != 0) {
		x->failed = true;
		return (NULL);
	}
	export_day_str(x->first, start, sizeof start);
	export_day_str(x->first + (int64_t)x->ndays - 1, end, sizeof end);

	days = json_array();
	for (i = 0; i < x->ndays; i++)
		export_push(x, days, export_day(x, i));

	conf = json_object();
	export_set(x, conf, "acronym", json_string(x->acronym));
	export_set(x, conf, "title", export_jstr(in->title));
	export_set(x, conf, "start", json_string(start));
	export_set(x, conf, "end", json_string(end));
	export_set(x, conf, "daysCount", json_integer((json_int_t)x->ndays));
	export_set(x, conf, "timeslot_duration", json_string(EXPORT_TIMESLOT));
	export_set(x, conf, "time_zone_name",
	    export_jstr(in->timezone != NULL ? in->timezone : "UTC"));
	export_set(x, conf, "rooms", export_rooms(x));
	export_set(x, conf, "tracks", json_array());
	export_set(x, conf, "days", days);

	sched = json_object();
	export_set(x, sched, "url", export_jstr(x->base));
	export_set(x, sched, "version", json_string(version));
	export_set(x, sched, "base_url", export_jstr(x->base));
	export_set(x, sched, "conference", conf);

	gen = json_object();
	export_set(x, gen, "name", json_string(EXPORT_GENERATOR));

	root = json_object();
	export_set(x, root, "$schema", json_string(EXPORT_SCHEMA));
	export_set(x, root, "generator", gen);
	export_set(x, root, "schedule", sched);
	return (root);
}

/* GET /api/v1/export/schedule.json with root-relative URLs. */
char *
export_schedule_json(const struct report_input *in, size_t *len)
{
	return (export_schedule_json_base(in, NULL, len));
}

/*
 * The schedule JSON with its URLs under base_url; the answer comes from
 * jansson's json_dumps, which allocates with malloc unless someone calls
 * json_set_alloc_funcs, so free() releases it.
 */
char *
export_schedule_json_base(const struct report_input *in,
    const char *base_url, size_t *len)
{
	struct export_ctx	 x;
	struct tz_saved		 tz;
	json_t			*root = NULL;
	char			*out = NULL;

	memset(&x, 0, sizeof x);
	if (tz_enter(&tz, in->timezone) != 0)
		return (NULL);
	if (export_prepare(&x, in, base_url) == 0)
		root = export_schedule(&x);
	tz_leave(&tz);

	if (root != NULL && !x.failed)
		out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	free(x.base);
	free(x.acronym);
	free(x.day);
	free(x.stages);
	if (out != NULL && len != NULL)
		*len = strlen(out);
	return (out);
}

/*
 * Escapes a TEXT value (RFC 5545 3.3.11). CR LF and a lone CR are line
 * breaks too; other control characters may not appear in TEXT and are
 * dropped rather than breaking a client's parser.
 */
static void
export_ics_escape(struct export_buf *b, const char *value)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)export_s(value); *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			export_buf_add(b, "\\\\", 2);
			break;
		case ';':
			export_buf_add(b, "\\;", 2);
			break;
		case ',':
			export_buf_add(b, "\\,", 2);
			break;
		case '\r':
			if (p[1] == '\n')
				p++;
			/* FALLTHROUGH */
		case '\n':
			export_buf_add(b, "\\n", 2);
			break;
		case '\t':
			export_buf_add(b, "\t", 1);
			break;
		default:
			if (*p >= 0x20 && *p != 0x7f)
				export_buf_add(b, (const char *)p, 1);
			break;
		}
	}
}

/*
 * Octets from p that a fold must keep together: a whole UTF-8 sequence (a
 * lead byte and the continuation bytes that follow it, so even a broken
 * sequence is never cut further), or a backslash escape, which careless
 * unfolders would otherwise misread.
 */
static size_t
export_ics_atom(const char *p, size_t left)
{
	unsigned char	c = (unsigned char)*p;
	size_t		n = 1;

	if (c == '\\' && left > 1)
		return (2);
	if (c >= 0xc0) {
		while (n < left && n < 4 &&
		    ((unsigned char)p[n] & 0xc0) == 0x80)
			n++;
	}
	return (n);
}

/* Escapes, folds and CRLF-ends one content line (RFC 5545 3.1). */
char *
export_ics_line(const char *name, const char *value)
{
	struct export_buf	 raw, out;
	size_t			 i, n, col = 0;

	if (name == NULL)
		return (NULL);
	memset(&raw, 0, sizeof raw);
	memset(&out, 0, sizeof out);
	export_buf_str(&raw, name);
	export_buf_add(&raw, ":", 1);
	export_ics_escape(&raw, value);
	if (raw.failed) {
		free(raw.data);
		return (NULL);
	}
	/* 75 octets a line, CRLF not counted; the leading space counts. */
	for (i = 0; i < raw.len; i += n) {
		n = export_ics_atom(raw.data + i, raw.len - i);
		if (col + n > EXPORT_ICS_OCTETS) {
			export_buf_add(&out, "\r\n ", 3);
			col = 1;
		}
		export_buf_add(&out, raw.data + i, n);
		col += n;
	}
	export_buf_add(&out, "\r\n", 2);
	free(raw.data);
	return (export_buf_finish(&out, NULL));
}

/* Appends one content line to the calendar. */
static void
export_ics_add(struct export_buf *b, const char *name, const char *value)
{
	char	*line;

	if ((line = export_ics_line(name, value)) == NULL) {
		b->failed = true;
		return;
	}
	export_buf_str(b, line);
	free(line);
}

/* Appends a content line whose value was built in v, consuming v. */
static void
export_ics_addbuf(struct export_buf *b, const char *name,
    struct export_buf *v)
{
	char	*value;

	if ((value = export_buf_finish(v, NULL)) == NULL) {
		b->failed = true;
		return;
	}
	export_ics_add(b, name, value);
	free(value);
}

/* A time as an iCalendar UTC DATE-TIME ("20261203T130000Z"). */
static void
export_ics_utc(time_t t, char *buf, size_t size)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	(void)gmtime_r(&t, &tm);
	if (strftime(buf, size, "%Y%m%dT%H%M%SZ", &tm) == 0)
		buf[0] = '\0';
}

/*
 * One VEVENT at the slot's best-known time: the actual start once it has
 * started, else the projection, else the plan; it ends at the actual end,
 * else a full slot later, and a slot still running past that ends "now",
 * as the agenda projection counts it.
 */
static void
export_ics_event(struct export_buf *b, const struct report_input *in,
    const struct report_slot *s, const char *stamp)
{
	struct export_buf	 v;
	int64_t			 start, end;
	time_t			 ts, te;
	char			 dtstart[32], dtend[32];

	if (export_status_is(s, "skipped") || export_status_is(s, "withdrawn"))
		return;
	if (s->actual_start_ms != TIMER_NONE)
		start = s->actual_start_ms;
	else if (s->projected_start_ms != TIMER_NONE)
		start = s->projected_start_ms;
	else if (s->planned_start_ms != TIMER_NONE)
		start = s->planned_start_ms;
	else
		return;
	if (s->actual_start_ms != TIMER_NONE && s->actual_end_ms != TIMER_NONE)
		end = s->actual_end_ms;
	else {
		end = start + (s->length_ms > 0 ? s->length_ms : 0);
		if (s->actual_start_ms != TIMER_NONE && in->now_ms > end)
			end = in->now_ms;
	}
	ts = export_secs(start);
	te = export_secs(end);
	if (te <= ts)
		te = ts + 1;	/* DTEND must lie after DTSTART */
	export_ics_utc(ts, dtstart, sizeof dtstart);
	export_ics_utc(te, dtend, sizeof dtend);

	export_ics_add(b, "BEGIN", "VEVENT");
	memset(&v, 0, sizeof v);
	export_buf_str(&v, s->id);
	export_buf_str(&v, "@takt");
	export_ics_addbuf(b, "UID", &v);
	export_ics_add(b, "DTSTAMP", stamp);
	export_ics_add(b, "DTSTART", dtstart);
	export_ics_add(b, "DTEND", dtend);
	memset(&v, 0, sizeof v);
	export_summary(&v, s);
	export_ics_addbuf(b, "SUMMARY", &v);
	memset(&v, 0, sizeof v);
	export_buf_str(&v, export_room(s));
	if (in->venue != NULL && *in->venue != '\0') {
		export_buf_str(&v, ", ");
		export_buf_str(&v, in->venue);
	}
	export_ics_addbuf(b, "LOCATION", &v);
	memset(&v, 0, sizeof v);
	if (s->presenter != NULL && *s->presenter != '\0') {
		export_buf_str(&v, s->presenter);
		export_buf_str(&v, "\n");
	}
	export_buf_str(&v, s->title);
	export_ics_addbuf(b, "DESCRIPTION", &v);
	export_ics_add(b, "STATUS", "CONFIRMED");
	export_ics_add(b, "END", "VEVENT");
}

/*
 * GET /api/v1/export/agenda.ics. Times are in UTC so no VTIMEZONE is
 * needed; the refresh hints ask subscribed calendars to come back often,
 * since the projection moves while the event runs.
 */
char *
export_agenda_ics(const struct report_input *in, size_t *len)
{
	struct export_buf	 b;
	char			 stamp[32];
	size_t			 i;

	memset(&b, 0, sizeof b);
	export_ics_utc(export_secs(in->now_ms), stamp, sizeof stamp);
	export_ics_add(&b, "BEGIN", "VCALENDAR");
	export_ics_add(&b, "VERSION", "2.0");
	export_ics_add(&b, "PRODID", "-//takt//takt//EN");
	export_ics_add(&b, "CALSCALE", "GREGORIAN");
	export_ics_add(&b, "METHOD", "PUBLISH");
	export_ics_add(&b, "X-WR-CALNAME", in->title);
	export_ics_add(&b, "X-WR-TIMEZONE",
	    in->timezone != NULL ? in->timezone : "UTC");
	export_ics_add(&b, "REFRESH-INTERVAL;VALUE=DURATION",
	    EXPORT_ICS_REFRESH);
	export_ics_add(&b, "X-PUBLISHED-TTL", EXPORT_ICS_REFRESH);
	for (i = 0; i < in->nslots; i++)
		export_ics_event(&b, in, &in->slots[i], stamp);
	export_ics_add(&b, "END", "VCALENDAR");
	return (export_buf_finish(&b, len));
}
