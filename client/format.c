/*
 * format.c — the text forms of times and snapshots, shared by every command
 * so that status, watch and the console say the same thing the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"

/* A millisecond field of a JSON object, FORMAT_NONE when null or missing. */
int64_t
format_ms(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : FORMAT_NONE;
}

/* A string field, "" when missing. */
const char *
format_str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/*
 * A countdown in whole seconds rounded up, as a stage clock shows it: 2.4 s
 * left reads 0:03 until the 2 s crossing; overtime reads -0:01 after 1 s.
 */
char *
format_countdown(int64_t ms, char *buf, size_t size)
{
	int64_t	s, a;

	/* Ceiling division that also holds for negative values. */
	s = ms >= 0 ? (ms + 999) / 1000 : -((-ms) / 1000);
	a = s < 0 ? -s : s;
	if (a >= 3600)
		snprintf(buf, size, "%s%lld:%02lld:%02lld", s < 0 ? "-" : "",
		    (long long)(a / 3600), (long long)(a / 60 % 60),
		    (long long)(a % 60));
	else
		snprintf(buf, size, "%s%lld:%02lld", s < 0 ? "-" : "",
		    (long long)(a / 60), (long long)(a % 60));
	return buf;
}

/* A signed duration rounded to seconds, "+0:35" or "-1:10". */
char *
format_signed(int64_t ms, char *buf, size_t size)
{
	int64_t	a = ms < 0 ? -ms : ms;
	int64_t	s = (a + 500) / 1000;

	if (s >= 3600)
		snprintf(buf, size, "%c%lld:%02lld:%02lld", ms < 0 ? '-' : '+',
		    (long long)(s / 3600), (long long)(s / 60 % 60),
		    (long long)(s % 60));
	else
		snprintf(buf, size, "%c%lld:%02lld", ms < 0 ? '-' : '+',
		    (long long)(s / 60), (long long)(s % 60));
	return buf;
}

/* A unix-ms time as HH:MM:SS in the local (the event's) time zone. */
char *
format_clock(int64_t ms, char *buf, size_t size)
{
	struct tm	tm;
	time_t		t;

	if (ms == FORMAT_NONE) {
		snprintf(buf, size, "-");
		return buf;
	}
	t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	if (localtime_r(&t, &tm) == NULL || strftime(buf, size, "%H:%M:%S",
	    &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

/* Columns a UTF-8 string takes, counting one per code point. */
size_t
format_width(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Pads or cuts (with "…") a UTF-8 string to exactly width columns. */
char *
format_pad(const char *s, size_t width, char *buf, size_t size)
{
	size_t	cols = 0, i = 0, o = 0, w = format_width(s);

	if (size == 0)
		return buf;
	while (s[i] != '\0') {
		size_t	len = 1;

		while ((s[i + len] & 0xc0) == 0x80)
			len++;
		/* Leave room for the ellipsis when the text is cut. */
		if (cols + (w > width ? 1 : 0) >= width || o + len + 4 >= size)
			break;
		memcpy(buf + o, s + i, len);
		o += len;
		i += len;
		cols++;
	}
	if (w > width && o + 4 < size) {
		memcpy(buf + o, "\xe2\x80\xa6", 3);
		o += 3;
		cols++;
	}
	while (cols < width && o + 1 < size) {
		buf[o++] = ' ';
		cols++;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * One line for a stage snapshot: stage, mode, phase, pitch, remaining,
 * delay, then message and blackout when they show. remaining and phase
 * override the snapshot's when given (a tick is newer than its state).
 */
char *
format_state(const json_t *st, int64_t remaining, const char *phase,
    char *buf, size_t size)
{
	const json_t	*pitch = json_object_get(st, "pitch");
	const json_t	*msg = json_object_get(st, "message");
	char		 rem[32], delay[32], who[256];
	int		 n;

	if (remaining == FORMAT_NONE)
		remaining = format_ms(st, "remaining_ms");
	if (phase == NULL)
		phase = format_str(st, "phase");
	if (json_is_object(pitch))
		snprintf(who, sizeof who, "#%lld %s (%s)",
		    (long long)json_integer_value(json_object_get(pitch,
		    "position")), format_str(pitch, "id"),
		    format_str(pitch, "startup"));
	else
		snprintf(who, sizeof who, "-");
	n = snprintf(buf, size, "%s  %s  %s  %s  %s  delay %s",
	    format_str(st, "stage"), format_str(st, "mode"), phase, who,
	    format_countdown(remaining == FORMAT_NONE ? 0 : remaining, rem,
	    sizeof rem), format_signed(format_ms(st, "delay_ms") ==
	    FORMAT_NONE ? 0 : format_ms(st, "delay_ms"), delay, sizeof delay));
	if (n > 0 && (size_t)n < size && json_is_true(json_object_get(msg,
	    "visible")) && *format_str(msg, "text") != '\0')
		n += snprintf(buf + n, size - (size_t)n, "  message \"%s\"%s",
		    format_str(msg, "text"),
		    json_is_true(json_object_get(msg, "blink")) ? " (blink)" : "");
	if (n > 0 && (size_t)n < size &&
	    json_is_true(json_object_get(st, "blackout")))
		snprintf(buf + n, size - (size_t)n, "  blackout");
	return buf;
}

/* Wall-clock now in unix milliseconds. */
int64_t
format_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
