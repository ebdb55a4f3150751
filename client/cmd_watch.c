/*
 * cmd_watch.c — takt watch: the live countdown of one stage from its SSE
 * stream. On a terminal one line is redrawn in place from the deadline (so
 * it moves smoothly between ticks); into a pipe or file one line is written
 * per tick, plus one whenever the slot or mode changes.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "clocksync.h"
#include "format.h"
#include "http.h"
#include "stream.h"
#include "takt.h"

#define WATCH_REDRAW_MS		200

struct watch {
	struct takt_env		*w_env;
	struct event_base	*w_base;
	struct stream		*w_stream;
	struct clocksync	 w_clock;
	json_t			*w_state;	/* latest snapshot */
	char			 w_phase[16];	/* from the latest tick */
	int64_t			 w_remaining;	/* from the latest tick */
	char			 w_printed[256];	/* mode and pitch last printed */
	bool			 w_tty;
	bool			 w_up;
	int			 w_code;
	char			 w_why[128];
};

/* The time left now: from the deadline when running, else as last told. */
static int64_t
watch_remaining(const struct watch *w)
{
	int64_t	deadline = format_ms(w->w_state, "deadline_ms");

	if (w->w_tty && deadline != FORMAT_NONE &&
	    strcmp(format_str(w->w_state, "mode"), "running") == 0)
		return deadline - clocksync_now(&w->w_clock);
	return w->w_remaining;
}

/* Writes the countdown line: in place on a terminal, appended otherwise. */
static void
watch_print(struct watch *w)
{
	char	line[1024];

	if (w->w_state == NULL)
		return;
	format_state(w->w_state, watch_remaining(w), w->w_phase[0] != '\0' ?
	    w->w_phase : NULL, line, sizeof line);
	if (w->w_tty)
		printf("\r\033[K%s%s", line, w->w_up ? "" : "  [reconnecting]");
	else
		printf("%s\n", line);
	fflush(stdout);
}

/* Redraws a terminal line between ticks. */
static void
watch_redraw(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	watch_print(arg);
}

/* A stream event: a state replaces the snapshot, a tick updates the count. */
static void
watch_event(const char *name, const json_t *data, void *arg)
{
	struct watch	*w = arg;
	char		 key[256];
	const char	*phase;

	if (strcmp(name, "state") == 0 && json_is_object(data)) {
		json_decref(w->w_state);
		w->w_state = json_deep_copy(data);
		w->w_remaining = format_ms(data, "remaining_ms");
		w->w_phase[0] = '\0';
		/* In a pipe, a state is news only when the slot or mode changed. */
		snprintf(key, sizeof key, "%s/%s", format_str(data, "mode"),
		    format_str(json_object_get(data, "pitch"), "id"));
		if (w->w_tty || strcmp(key, w->w_printed) != 0)
			watch_print(w);
		snprintf(w->w_printed, sizeof w->w_printed, "%s", key);
	} else if (strcmp(name, "tick") == 0 && json_is_object(data)) {
		w->w_remaining = format_ms(data, "remaining_ms");
		if ((phase = json_string_value(json_object_get(data,
		    "phase"))) != NULL)
			snprintf(w->w_phase, sizeof w->w_phase, "%s", phase);
		if (w->w_state != NULL)
			json_object_set_new(w->w_state, "phase",
			    json_string(w->w_phase));
		watch_print(w);
	} else if (strcmp(name, "message") == 0 && json_is_object(data) &&
	    w->w_state != NULL) {
		json_object_set(w->w_state, "message", (json_t *)data);
		watch_print(w);
	}
}

/* The link came up or went down. */
static void
watch_link(bool up, const char *why, void *arg)
{
	struct watch	*w = arg;

	w->w_up = up;
	if (up) {
		/* Every reconnect is a chance to re-measure the clock. */
		clocksync_start(&w->w_clock, 5);
		w->w_printed[0] = '\0';
		return;
	}
	if (!stream_ever_up(w->w_stream)) {
		snprintf(w->w_why, sizeof w->w_why, "%s", why);
		w->w_code = TAKT_EXIT_UNREACHABLE;
		event_base_loopbreak(w->w_base);
		return;
	}
	if (w->w_tty)
		watch_print(w);
	else
		fprintf(stderr, "%s: stream lost (%s), reconnecting in %.1f s\n",
		    takt_progname, why, stream_retry_ms(w->w_stream) / 1000.0);
}

/* The server refused the stream (unknown stage): nothing to retry. */
static void
watch_refused(int status, const char *msg, void *arg)
{
	struct watch	*w = arg;

	(void)status;
	snprintf(w->w_why, sizeof w->w_why, "%s", msg);
	w->w_code = TAKT_EXIT_REFUSED;
	event_base_loopbreak(w->w_base);
}

/* --seconds ran out, or a signal asked to stop. */
static void
watch_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* watch [--seconds N] */
int
cmd_watch(struct takt_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct stream_cbs cbs = { watch_event, watch_link,
	    watch_refused };
	const struct takt_cmd	*cmd = takt_cmd_find("watch");
	struct watch		 w;
	struct event		*redraw = NULL, *stop = NULL, *sigint, *sigterm;
	struct timeval		 tv;
	double			 seconds = -1;
	char			*end;
	int			 ch;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'n')
			return takt_usage_error(cmd, "unknown or incomplete "
			    "option \"%s\"", argv[optind - 1]);
		seconds = strtod(optarg, &end);
		if (*optarg == '\0' || *end != '\0' || seconds <= 0 ||
		    seconds > 1e7)
			return takt_usage_error(cmd, "--seconds needs a "
			    "positive number");
	}
	if (optind != argc)
		return takt_usage_error(cmd, "unexpected argument \"%s\"",
		    argv[optind]);

	memset(&w, 0, sizeof w);
	w.w_env = env;
	w.w_base = http_client_base(env->http);
	w.w_tty = isatty(STDOUT_FILENO);
	w.w_remaining = 0;
	clocksync_init(&w.w_clock, env->http);
	w.w_stream = stream_new(env->http, env->stage, &cbs, &w);

	sigint = evsignal_new(w.w_base, SIGINT, watch_stop, w.w_base);
	sigterm = evsignal_new(w.w_base, SIGTERM, watch_stop, w.w_base);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (seconds > 0) {
		stop = evtimer_new(w.w_base, watch_stop, w.w_base);
		tv.tv_sec = (time_t)seconds;
		tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
		evtimer_add(stop, &tv);
	}
	if (w.w_tty) {
		redraw = event_new(w.w_base, -1, EV_PERSIST, watch_redraw, &w);
		tv.tv_sec = 0;
		tv.tv_usec = WATCH_REDRAW_MS * 1000;
		evtimer_add(redraw, &tv);
	}
	stream_start(w.w_stream);
	event_base_dispatch(w.w_base);

	if (w.w_tty && w.w_state != NULL)
		putchar('\n');
	if (w.w_code == TAKT_EXIT_UNREACHABLE)
		takt_warnx("cannot reach the server: %s", w.w_why);
	else if (w.w_code == TAKT_EXIT_REFUSED)
		takt_warnx("%s", w.w_why);
	stream_free(w.w_stream);
	if (redraw != NULL)
		event_free(redraw);
	if (stop != NULL)
		event_free(stop);
	event_free(sigint);
	event_free(sigterm);
	json_decref(w.w_state);
	return w.w_code;
}
