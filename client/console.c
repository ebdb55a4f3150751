/*
 * console.c — takt console: the full-screen moderator console. curses draws,
 * libevent runs everything: keys (stdin as an event), SIGWINCH, the SSE
 * stream with its reconnects, actions and agenda refreshes as asynchronous
 * requests, and a redraw timer that renders the countdown from the deadline
 * on the server's clock, so the screen stays smooth and responsive while the
 * daemon is away.
 */
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>
#include <event2/event.h>

#include "bigdigits.h"
#include "clocksync.h"
#include "format.h"
#include "http.h"
#include "stream.h"
#include "takt.h"

#define CONSOLE_REDRAW_MS	100
#define CONSOLE_AGENDA_S	10	/* projected times move with the clock */
#define CONSOLE_CLOCK_S		60
#define CONSOLE_EXTEND_S	30

/* Colour pairs. */
enum {
	CONSOLE_C_NORMAL = 1,
	CONSOLE_C_WARNING,
	CONSOLE_C_DANGER,
	CONSOLE_C_DIM,
	CONSOLE_C_TITLE,
	CONSOLE_C_ALERT,
};

/* What the bottom line is asking for, if anything. */
enum console_prompt {
	CONSOLE_P_NONE,
	CONSOLE_P_SKIP,
	CONSOLE_P_STOP,
	CONSOLE_P_GOTO,
	CONSOLE_P_MESSAGE,
};

struct console {
	struct takt_env		*c_env;
	struct event_base	*c_base;
	struct http_client	*c_http;
	struct stream		*c_stream;
	struct clocksync	 c_clock;
	json_t			*c_state;	/* latest snapshot */
	json_t			*c_slots;	/* this stage's slots */
	int64_t			 c_remaining;	/* latest told, for non-running */
	char			 c_phase[16];
	bool			 c_up;
	char			 c_why[64];
	bool			 c_agenda_busy;
	bool			 c_agenda_again;
	char			 c_agenda_key[256];
	enum console_prompt	 c_prompt;
	char			 c_input[1024];
	size_t			 c_ninput;
	char			 c_note[512];
	bool			 c_note_bad;
	bool			 c_utf8;
	bool			 c_colour;
};

/* Shows a line of feedback at the bottom (red when bad). */
static void
console_note(struct console *c, bool bad, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
console_note(struct console *c, bool bad, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(c->c_note, sizeof c->c_note, fmt, ap);
	va_end(ap);
	c->c_note_bad = bad;
}

/* The state's mode, "" before the first snapshot. */
static const char *
console_mode(const struct console *c)
{
	return c->c_state != NULL ? format_str(c->c_state, "mode") : "";
}

/* The time left now: from the deadline on the server's clock when running. */
static int64_t
console_remaining(const struct console *c)
{
	int64_t	deadline;

	if (c->c_state == NULL)
		return 0;
	deadline = format_ms(c->c_state, "deadline_ms");
	if (strcmp(console_mode(c), "running") == 0 && deadline != FORMAT_NONE)
		return deadline - clocksync_now(&c->c_clock);
	return c->c_remaining;
}

/* The phase to colour by; overtime is known locally the moment it starts. */
static const char *
console_phase(const struct console *c, int64_t remaining)
{
	if (strcmp(console_mode(c), "running") == 0 && remaining < 0)
		return "overtime";
	if (c->c_phase[0] != '\0')
		return c->c_phase;
	return c->c_state != NULL ? format_str(c->c_state, "phase") : "none";
}

/* Colour attributes for a phase. */
static attr_t
console_phase_attr(const struct console *c, const char *phase)
{
	int	pair = CONSOLE_C_DIM;

	if (strcmp(phase, "normal") == 0)
		pair = CONSOLE_C_NORMAL;
	else if (strcmp(phase, "warning") == 0)
		pair = CONSOLE_C_WARNING;
	else if (strcmp(phase, "danger") == 0 || strcmp(phase, "overtime") == 0)
		pair = CONSOLE_C_DANGER;
	if (!c->c_colour)
		return strcmp(phase, "overtime") == 0 ? A_REVERSE | A_BLINK :
		    A_BOLD;
	return COLOR_PAIR(pair) | A_BOLD |
	    (strcmp(phase, "overtime") == 0 ? A_BLINK : 0);
}

/* Writes a UTF-8 string at y, x cut to width columns. */
static void
console_put(int y, int x, int width, const char *s)
{
	char	buf[1024];
	size_t	w = format_width(s);

	if (width <= 0 || y < 0 || y >= LINES)
		return;
	/* Cut, never pad: padding would paint over what is drawn next. */
	format_pad(s, w < (size_t)width ? w : (size_t)width, buf, sizeof buf);
	mvaddstr(y, x, buf);
}

/* Draws the countdown in big glyphs centred on rows y.., scaled to fit. */
static int
console_draw_big(struct console *c, int y, int rows, const char *text,
    attr_t attr)
{
	char	row[512], cell[8];
	int	sx, sy, i, k, x, w;
	size_t	j;

	sx = bigdigits_width(text, 2) + 4 <= (size_t)COLS ? 2 : 1;
	sy = rows >= BIGDIGITS_ROWS * 2 ? 2 : 1;
	if (rows < BIGDIGITS_ROWS || bigdigits_width(text, 1) > (size_t)COLS) {
		attron(attr);
		console_put(y, 2, COLS - 4, text);
		attroff(attr);
		return 1;
	}
	w = (int)bigdigits_width(text, sx);
	x = (COLS - w) / 2;
	snprintf(cell, sizeof cell, "%s", c->c_utf8 ? "\xe2\x96\x88" : "#");
	attron(attr);
	for (i = 0; i < BIGDIGITS_ROWS; i++) {
		bigdigits_row(text, i, sx, row, sizeof row);
		for (k = 0; k < sy; k++) {
			move(y + i * sy + k, x);
			for (j = 0; row[j] != '\0'; j++) {
				if (row[j] == '#')
					addstr(cell);
				else
					move(y + i * sy + k, x + (int)j + 1);
			}
		}
	}
	attroff(attr);
	return BIGDIGITS_ROWS * sy;
}

/* The footer: the keys, or the question being asked. */
static void
console_draw_footer(struct console *c)
{
	const char	*keys;
	char		 line[1200];

	keys = "space start/pause/resume  n next  p previous  +/- \xc2\xb1" "30s  "
	    "s skip  x stop  g goto  m message  c clear  b blackout  q quit";
	/* A narrow terminal gets the same keys in fewer words. */
	if (COLS < 116)
		keys = "spc go/pause n next p prev +/-30s s skip x stop "
		    "g goto m msg c clr b blk q quit";
	switch (c->c_prompt) {
	case CONSOLE_P_SKIP:
		snprintf(line, sizeof line, "Skip the loaded slot? (y/n)");
		break;
	case CONSOLE_P_STOP:
		snprintf(line, sizeof line, "Stop the live slot? (y/n)");
		break;
	case CONSOLE_P_GOTO:
		snprintf(line, sizeof line, "Go to pitch id: %s", c->c_input);
		break;
	case CONSOLE_P_MESSAGE:
		snprintf(line, sizeof line, "Message: %s", c->c_input);
		break;
	default:
		snprintf(line, sizeof line, "%s", c->c_note);
		break;
	}
	if (c->c_prompt != CONSOLE_P_NONE)
		attron(A_BOLD);
	else if (c->c_note_bad && c->c_colour)
		attron(COLOR_PAIR(CONSOLE_C_DANGER) | A_BOLD);
	console_put(LINES - 2, 1, COLS - 2, line);
	attroff(A_BOLD | COLOR_PAIR(CONSOLE_C_DANGER));
	if (c->c_prompt == CONSOLE_P_GOTO || c->c_prompt == CONSOLE_P_MESSAGE)
		addstr("_");
	attron(c->c_colour ? COLOR_PAIR(CONSOLE_C_TITLE) : A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	snprintf(line, sizeof line, " %s%s", keys,
	    http_client_has_token(c->c_http) ? "" : "   (no token: read-only)");
	console_put(LINES - 1, 0, COLS, line);
	attroff(COLOR_PAIR(CONSOLE_C_TITLE) | A_REVERSE);
}

/* The agenda rows that fit between y and the footer. */
static void
console_draw_agenda(struct console *c, int y)
{
	const json_t	*pitch = json_object_get(c->c_state, "pitch");
	const char	*cur = format_str(pitch, "id");
	json_t		*slot;
	char		 line[1024], id[64], name[128], pl[16], pr[16], ac[16];
	size_t		 i, n = json_array_size(c->c_slots), first = 0;
	int		 rows = LINES - 3 - y - 1, curi = -1;

	if (rows < 1 || n == 0)
		return;
	json_array_foreach(c->c_slots, i, slot)
		if (strcmp(format_str(slot, "id"), cur) == 0)
			curi = (int)i;
	/* Keep the current slot in view with one done slot above it. */
	if (curi > 0 && (size_t)rows < n)
		first = (size_t)curi - 1;
	if (first + (size_t)rows > n)
		first = n > (size_t)rows ? n - (size_t)rows : 0;
	attron(A_BOLD);
	snprintf(line, sizeof line, "   %3s  %s  %s  %-9s  %-8s  %-9s  %-8s",
	    "#", format_pad("ID", 14, id, sizeof id),
	    format_pad("START-UP", 30, name, sizeof name), "STATUS",
	    "PLANNED", "PROJECTED", "ACTUAL");
	console_put(y, 1, COLS - 2, line);
	attroff(A_BOLD);
	for (i = first; i < n && (int)(i - first) < rows; i++) {
		slot = json_array_get(c->c_slots, i);
		snprintf(line, sizeof line,
		    " %s %3lld  %s  %s  %-9s  %-8s  %-9s  %-8s",
		    (int)i == curi ? ">" : " ",
		    (long long)json_integer_value(json_object_get(slot,
		    "position")),
		    format_pad(format_str(slot, "id"), 14, id, sizeof id),
		    format_pad(format_str(slot, "startup"), 30, name,
		    sizeof name), format_str(slot, "status"),
		    format_clock(format_ms(slot, "planned_start_ms"), pl,
		    sizeof pl),
		    format_clock(format_ms(slot, "projected_start_ms"), pr,
		    sizeof pr),
		    format_clock(format_ms(slot, "actual_start_ms"), ac,
		    sizeof ac));
		if ((int)i == curi)
			attron(A_BOLD);
		else if (strcmp(format_str(slot, "status"), "done") == 0 ||
		    strcmp(format_str(slot, "status"), "skipped") == 0)
			attron(c->c_colour ? COLOR_PAIR(CONSOLE_C_DIM) : A_DIM);
		console_put(y + 1 + (int)(i - first), 1, COLS - 2, line);
		attroff(A_BOLD | A_DIM | COLOR_PAIR(CONSOLE_C_DIM));
	}
}

/* Redraws the whole screen from the current state. */
static void
console_draw(struct console *c)
{
	const json_t	*ev = json_object_get(c->c_env->event, "event");
	const json_t	*pitch, *next, *msg;
	const char	*phase, *mode;
	char		 line[1024], rem[32], when[16], delay[32], added[32];
	int64_t		 remaining = console_remaining(c);
	int		 y, big;
	attr_t		 attr;

	erase();
	/* Title bar with the link indicator on the right. */
	attron(c->c_colour ? COLOR_PAIR(CONSOLE_C_TITLE) : A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	snprintf(line, sizeof line, " takt console  %s \xe2\x80\x94 stage %s",
	    format_str(ev, "title"), c->c_env->stage);
	console_put(0, 0, COLS, line);
	if (c->c_up)
		snprintf(line, sizeof line, "[live] ");
	else if (c->c_why[0] != '\0')
		snprintf(line, sizeof line, "[reconnecting: %s] ", c->c_why);
	else
		snprintf(line, sizeof line, "[connecting] ");
	if ((int)format_width(line) < COLS)
		console_put(0, COLS - (int)format_width(line),
		    (int)format_width(line), line);
	attroff(COLOR_PAIR(CONSOLE_C_TITLE) | A_REVERSE);

	if (c->c_state == NULL) {
		console_put(2, 2, COLS - 4, "waiting for the stage's state\xe2\x80\xa6");
		console_draw_footer(c);
		refresh();
		return;
	}
	mode = console_mode(c);
	phase = console_phase(c, remaining);
	attr = console_phase_attr(c, phase);
	pitch = json_object_get(c->c_state, "pitch");
	if (json_is_object(pitch))
		snprintf(line, sizeof line, "NOW   #%lld %s  %s \xe2\x80\x94 %s  (%s)",
		    (long long)json_integer_value(json_object_get(pitch,
		    "position")), format_str(pitch, "id"),
		    format_str(pitch, "startup"), format_str(pitch, "title"),
		    format_str(pitch, "presenter"));
	else
		snprintf(line, sizeof line, "NOW   nothing loaded");
	attron(A_BOLD);
	console_put(2, 2, COLS - 4, line);
	attroff(A_BOLD);
	format_countdown(remaining, rem, sizeof rem);
	snprintf(line, sizeof line, "%s  phase %s  remaining %s  added %s",
	    mode, phase, rem, format_signed(format_ms(c->c_state, "added_ms"),
	    added, sizeof added));
	{
		char	upper[64];
		size_t	i;

		for (i = 0; mode[i] != '\0' && i + 1 < sizeof upper; i++)
			upper[i] = (char)(mode[i] >= 'a' && mode[i] <= 'z' ?
			    mode[i] - 32 : mode[i]);
		upper[i] = '\0';
		attron(attr);
		console_put(3, 2, (int)strlen(upper), upper);
		attroff(attr);
		console_put(3, 4 + (int)strlen(upper), COLS - 6 -
		    (int)strlen(upper), line + strlen(mode) + 2);
	}

	/* The countdown takes what the agenda can spare, at most two scales. */
	big = LINES - 5 - 4 - 8 >= BIGDIGITS_ROWS * 2 ? BIGDIGITS_ROWS * 2 :
	    BIGDIGITS_ROWS;
	if (strcmp(mode, "idle") == 0 || strcmp(mode, "finished") == 0)
		attr = c->c_colour ? COLOR_PAIR(CONSOLE_C_DIM) : A_DIM;
	y = 5 + console_draw_big(c, 5, big, rem, attr) + 1;

	next = json_object_get(c->c_state, "next");
	if (json_is_object(next))
		snprintf(line, sizeof line, "NEXT  %s  %s  at %s (projected)  "
		    "delay %s", format_str(next, "id"),
		    format_str(next, "startup"),
		    format_clock(format_ms(next, "projected_start_ms"), when,
		    sizeof when), format_signed(format_ms(c->c_state,
		    "delay_ms"), delay, sizeof delay));
	else
		snprintf(line, sizeof line, "NEXT  none (last slot)  delay %s",
		    format_signed(format_ms(c->c_state, "delay_ms"), delay,
		    sizeof delay));
	console_put(y++, 2, COLS - 4, line);
	msg = json_object_get(c->c_state, "message");
	if (json_is_true(json_object_get(msg, "visible")) &&
	    *format_str(msg, "text") != '\0') {
		snprintf(line, sizeof line, "MSG   \"%s\"%s", format_str(msg,
		    "text"), json_is_true(json_object_get(msg, "blink")) ?
		    "  (blinking)" : "");
		attron(A_BOLD);
		console_put(y++, 2, COLS - 4, line);
		attroff(A_BOLD);
	} else
		console_put(y++, 2, COLS - 4, "MSG   -");
	if (json_is_true(json_object_get(c->c_state, "blackout"))) {
		attron(c->c_colour ? COLOR_PAIR(CONSOLE_C_ALERT) | A_BOLD :
		    A_REVERSE);
		console_put(y, 2, 40, " BLACKOUT: the stage display is black ");
		attroff(COLOR_PAIR(CONSOLE_C_ALERT) | A_BOLD | A_REVERSE);
	}
	y += 2;
	console_draw_agenda(c, y);
	console_draw_footer(c);
	refresh();
}

/* Timer: redraws so the countdown moves between ticks. */
static void
console_redraw(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	console_draw(arg);
}

/* Takes this stage's slots out of a fresh GET /api/v1/event. */
static void
console_agenda_done(struct http_reply *r, void *arg)
{
	struct console	*c = arg;
	json_t		*s;
	size_t		 i;

	c->c_agenda_busy = false;
	if (r->status == 200 && json_is_object(r->json)) {
		json_array_foreach(json_object_get(r->json, "stages"), i, s)
			if (strcmp(format_str(s, "id"), c->c_env->stage) == 0) {
				json_decref(c->c_slots);
				c->c_slots = json_incref(json_object_get(s,
				    "slots"));
			}
	}
	if (c->c_agenda_again) {
		c->c_agenda_again = false;
		c->c_agenda_busy = http_request(c->c_http, EVHTTP_REQ_GET,
		    "/api/v1/event", NULL, console_agenda_done, c) == 0;
	}
}

/* Asks for the agenda again (once at a time; a request queued behind). */
static void
console_agenda(struct console *c)
{
	if (c->c_agenda_busy) {
		c->c_agenda_again = true;
		return;
	}
	c->c_agenda_busy = http_request(c->c_http, EVHTTP_REQ_GET,
	    "/api/v1/event", NULL, console_agenda_done, c) == 0;
}

/* Timer: projected times move while a slot runs over. */
static void
console_agenda_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	console_agenda(arg);
}

/* Timer: re-measures the clock offset now and then. */
static void
console_clock_tick(evutil_socket_t fd, short what, void *arg)
{
	struct console	*c = arg;

	(void)fd;
	(void)what;
	clocksync_start(&c->c_clock, 5);
}

/* Takes a newer snapshot; refreshes the agenda when the slot or mode moved. */
static void
console_take_state(struct console *c, const json_t *st)
{
	char	key[256];

	if (c->c_state != NULL && format_ms(st, "seq") <
	    format_ms(c->c_state, "seq"))
		return;
	json_decref(c->c_state);
	c->c_state = json_deep_copy(st);
	c->c_remaining = format_ms(st, "remaining_ms");
	c->c_phase[0] = '\0';
	snprintf(key, sizeof key, "%s/%s/%lld", format_str(st, "mode"),
	    format_str(json_object_get(st, "pitch"), "id"),
	    (long long)format_ms(st, "seq"));
	if (strcmp(key, c->c_agenda_key) != 0) {
		snprintf(c->c_agenda_key, sizeof c->c_agenda_key, "%s", key);
		console_agenda(c);
	}
}

/* A stream event. */
static void
console_event(const char *name, const json_t *data, void *arg)
{
	struct console	*c = arg;
	const char	*phase;

	if (!json_is_object(data))
		return;
	if (strcmp(name, "state") == 0)
		console_take_state(c, data);
	else if (strcmp(name, "tick") == 0) {
		c->c_remaining = format_ms(data, "remaining_ms");
		if ((phase = json_string_value(json_object_get(data,
		    "phase"))) != NULL)
			snprintf(c->c_phase, sizeof c->c_phase, "%s", phase);
	} else if (strcmp(name, "message") == 0 && c->c_state != NULL)
		json_object_set(c->c_state, "message", (json_t *)data);
	else if (strcmp(name, "close") == 0)
		snprintf(c->c_why, sizeof c->c_why, "%s",
		    format_str(data, "reason"));
	console_draw(c);
}

/* The stream came up or went away. */
static void
console_link(bool up, const char *why, void *arg)
{
	struct console	*c = arg;

	c->c_up = up;
	if (up) {
		c->c_why[0] = '\0';
		console_note(c, false, "connected to %s", c->c_env->server);
		clocksync_start(&c->c_clock, 5);
	} else
		snprintf(c->c_why, sizeof c->c_why, "%s, retry in %.1f s", why,
		    stream_retry_ms(c->c_stream) / 1000.0);
	console_draw(c);
}

/* The stream was refused (the stage vanished): say so, keep the keys alive. */
static void
console_refused(int status, const char *msg, void *arg)
{
	struct console	*c = arg;

	(void)status;
	c->c_up = false;
	snprintf(c->c_why, sizeof c->c_why, "refused");
	console_note(c, true, "stream refused: %s", msg);
	console_draw(c);
}

/* An action's answer: the new state, or the server's reason in red. */
static void
console_action_done(struct http_reply *r, void *arg)
{
	struct console	*c = arg;
	char		 buf[128];

	if (r->status >= 200 && r->status <= 299 && json_is_object(r->json)) {
		console_take_state(c, r->json);
		console_note(c, false, "ok");
	} else if (r->status == 0)
		console_note(c, true, "cannot reach the server: %s",
		    http_reply_message(r, buf, sizeof buf));
	else
		console_note(c, true, "%s", http_reply_message(r, buf,
		    sizeof buf));
	console_draw(c);
}

/* Posts an action for the stage; body is consumed. */
static void
console_action(struct console *c, const char *action, json_t *body)
{
	char	*path = takt_stage_path(c->c_env, action);

	console_note(c, false, "%s\xe2\x80\xa6", action);
	if (http_request(c->c_http, EVHTTP_REQ_POST, path, body,
	    console_action_done, c) == -1)
		console_note(c, true, "%s: cannot make the request", action);
	free(path);
	json_decref(body);
}

/* space: whatever gets the clock moving or stops it. */
static void
console_toggle(struct console *c)
{
	const char	*mode = console_mode(c);

	if (strcmp(mode, "running") == 0)
		console_action(c, "pause", NULL);
	else if (strcmp(mode, "paused") == 0)
		console_action(c, "resume", NULL);
	else
		console_action(c, "start", NULL);
}

/* Ends a text prompt: Enter submits, Escape cancels. */
static void
console_submit(struct console *c, bool ok)
{
	enum console_prompt	p = c->c_prompt;
	json_t			*body;

	c->c_prompt = CONSOLE_P_NONE;
	if (!ok) {
		console_note(c, false, "cancelled");
		return;
	}
	if (p == CONSOLE_P_SKIP)
		console_action(c, "skip", NULL);
	else if (p == CONSOLE_P_STOP)
		console_action(c, "stop", NULL);
	else if (c->c_ninput == 0)
		console_note(c, false, "cancelled (empty)");
	else if (p == CONSOLE_P_GOTO) {
		if ((body = json_pack("{s:s}", "pitch", c->c_input)) == NULL)
			console_note(c, true, "the id is not UTF-8");
		else
			console_action(c, "goto", body);
	} else {
		if ((body = json_pack("{s:s,s:b}", "text", c->c_input,
		    "visible", 1)) == NULL)
			console_note(c, true, "the text is not UTF-8");
		else
			console_action(c, "message", body);
	}
}

/* A key while a prompt is open. */
static void
console_prompt_key(struct console *c, int ch)
{
	if (c->c_prompt == CONSOLE_P_SKIP || c->c_prompt == CONSOLE_P_STOP) {
		console_submit(c, ch == 'y' || ch == 'Y');
		return;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		console_submit(c, true);
	else if (ch == 27)
		console_submit(c, false);
	else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		/* Remove a whole UTF-8 character. */
		while (c->c_ninput > 0 &&
		    ((unsigned char)c->c_input[--c->c_ninput] & 0xc0) == 0x80)
			;
		c->c_input[c->c_ninput] = '\0';
	} else if (ch >= 32 && ch < 256 && c->c_ninput + 1 < sizeof c->c_input) {
		c->c_input[c->c_ninput++] = (char)ch;
		c->c_input[c->c_ninput] = '\0';
	}
}

/* Opens a prompt on the bottom line. */
static void
console_ask(struct console *c, enum console_prompt p)
{
	c->c_prompt = p;
	c->c_ninput = 0;
	c->c_input[0] = '\0';
}

/* One key outside a prompt. */
static void
console_key(struct console *c, int ch)
{
	switch (ch) {
	case ' ':
		console_toggle(c);
		break;
	case 'n':
		console_action(c, "next", NULL);
		break;
	case 'p':
		console_action(c, "previous", NULL);
		break;
	case '+':
	case '=':
		console_action(c, "extend", json_pack("{s:i}", "seconds",
		    CONSOLE_EXTEND_S));
		break;
	case '-':
	case '_':
		console_action(c, "extend", json_pack("{s:i}", "seconds",
		    -CONSOLE_EXTEND_S));
		break;
	case 's':
		console_ask(c, CONSOLE_P_SKIP);
		break;
	case 'x':
		console_ask(c, CONSOLE_P_STOP);
		break;
	case 'g':
		console_ask(c, CONSOLE_P_GOTO);
		break;
	case 'm':
		console_ask(c, CONSOLE_P_MESSAGE);
		break;
	case 'c':
		console_action(c, "message", json_pack("{s:s,s:b,s:b}", "text",
		    "", "visible", 0, "blink", 0));
		break;
	case 'b':
		console_action(c, "blackout", json_pack("{s:b}", "on",
		    !json_is_true(json_object_get(c->c_state, "blackout"))));
		break;
	case 'q':
		event_base_loopbreak(c->c_base);
		break;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		break;
	default:
		break;
	}
}

/* stdin is readable: take every key waiting. */
static void
console_stdin(evutil_socket_t fd, short what, void *arg)
{
	struct console	*c = arg;
	int		 ch;

	(void)fd;
	(void)what;
	while ((ch = getch()) != ERR) {
		if (ch == KEY_RESIZE)
			continue;
		if (c->c_prompt != CONSOLE_P_NONE)
			console_prompt_key(c, ch);
		else
			console_key(c, ch);
	}
	console_draw(c);
}

/* SIGWINCH: curses learns the new size, then everything is laid out again. */
static void
console_winch(evutil_socket_t fd, short what, void *arg)
{
	struct winsize	ws;

	(void)fd;
	(void)what;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	console_draw(arg);
}

/* SIGINT/SIGTERM: leave the terminal as it was found. */
static void
console_quit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Sets up curses and its colours. */
static void
console_curses(struct console *c)
{
	const char	*cs = nl_langinfo(CODESET);

	c->c_utf8 = cs != NULL && strcmp(cs, "UTF-8") == 0;
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	c->c_colour = has_colors();
	if (c->c_colour) {
		start_color();
		use_default_colors();
		init_pair(CONSOLE_C_NORMAL, COLOR_GREEN, -1);
		init_pair(CONSOLE_C_WARNING, COLOR_YELLOW, -1);
		init_pair(CONSOLE_C_DANGER, COLOR_RED, -1);
		init_pair(CONSOLE_C_DIM, COLOR_BLUE, -1);
		init_pair(CONSOLE_C_TITLE, COLOR_BLACK, COLOR_CYAN);
		init_pair(CONSOLE_C_ALERT, COLOR_WHITE, COLOR_RED);
	}
}

/* Adds a persistent timer every ms milliseconds. */
static struct event *
console_timer(struct console *c, int ms, event_callback_fn fn)
{
	struct event	*ev = event_new(c->c_base, -1, EV_PERSIST, fn, c);
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
	return ev;
}

/* console: runs until q (or a signal). */
int
cmd_console(struct takt_env *env, int argc, char **argv)
{
	static const struct stream_cbs cbs = { console_event, console_link,
	    console_refused };
	struct console	 c;
	struct event	*ev[8];
	json_t		*stage;
	size_t		 nev = 0, i;
	int		 code;

	if (argc > 1)
		return takt_usage_error(takt_cmd_find("console"),
		    "unexpected argument \"%s\"", argv[1]);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		takt_warnx("console needs a terminal (try watch or status)");
		return TAKT_EXIT_USAGE;
	}
	if ((code = takt_event(env)) != 0)
		return code;
	memset(&c, 0, sizeof c);
	c.c_env = env;
	c.c_http = env->http;
	c.c_base = http_client_base(env->http);
	clocksync_init(&c.c_clock, env->http);
	json_array_foreach(json_object_get(env->event, "stages"), i, stage)
		if (strcmp(format_str(stage, "id"), env->stage) == 0)
			c.c_slots = json_incref(json_object_get(stage, "slots"));
	console_note(&c, false, "connecting to %s", env->server);

	console_curses(&c);
	signal(SIGPIPE, SIG_IGN);
	ev[nev] = event_new(c.c_base, STDIN_FILENO, EV_READ | EV_PERSIST,
	    console_stdin, &c);
	event_add(ev[nev++], NULL);
	/* After initscr, so libevent's handler replaces curses' own. */
	ev[nev] = evsignal_new(c.c_base, SIGWINCH, console_winch, &c);
	evsignal_add(ev[nev++], NULL);
	ev[nev] = evsignal_new(c.c_base, SIGINT, console_quit, c.c_base);
	evsignal_add(ev[nev++], NULL);
	ev[nev] = evsignal_new(c.c_base, SIGTERM, console_quit, c.c_base);
	evsignal_add(ev[nev++], NULL);
	ev[nev++] = console_timer(&c, CONSOLE_REDRAW_MS, console_redraw);
	ev[nev++] = console_timer(&c, CONSOLE_AGENDA_S * 1000,
	    console_agenda_tick);
	ev[nev++] = console_timer(&c, CONSOLE_CLOCK_S * 1000,
	    console_clock_tick);

	c.c_stream = stream_new(c.c_http, env->stage, &cbs, &c);
	stream_start(c.c_stream);
	console_draw(&c);
	event_base_dispatch(c.c_base);

	endwin();
	stream_free(c.c_stream);
	for (i = 0; i < nev; i++)
		event_free(ev[i]);
	json_decref(c.c_state);
	json_decref(c.c_slots);
	return TAKT_EXIT_OK;
}
