/*
 * takt.c — the terminal client of taktd: global options, the command table
 * and the helpers the commands share (requests that print the server's
 * reason and map it to the exit codes of SPEC §7).
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "http.h"
#include "takt.h"

#define TAKT_DEFAULT_SERVER	"http://127.0.0.1:8080"

const char	*takt_progname = "takt";

/* Every command; main() dispatches through this table only. */
const struct takt_cmd takt_cmds[] = {
	{ "status", false, false, cmd_status, "status",
	  "One line per stage: mode, phase, pitch, remaining, delay.\n"
	  "With --stage (or TAKT_STAGE) only that stage." },
	{ "agenda", true, false, cmd_agenda, "agenda",
	  "The stage's slots: position, start-up, status, planned, projected\n"
	  "and actual start (event time zone) and length." },
	{ "watch", true, false, cmd_watch, "watch [--seconds N]",
	  "Follows the stage's live countdown. On a terminal one line is\n"
	  "redrawn in place; otherwise one line is printed per tick. Reconnects\n"
	  "when the daemon goes away. --seconds N stops after N seconds." },
	{ "console", true, false, cmd_console, "console",
	  "Full-screen moderator console: countdown, current and next start-up,\n"
	  "agenda, message; single keys for every action (shown in the footer)." },
	{ "start", true, true, cmd_action, "start [PITCH]",
	  "Starts the loaded slot (or PITCH; from idle the next planned slot)." },
	{ "pause", true, true, cmd_action, "pause", "Freezes the running slot." },
	{ "resume", true, true, cmd_action, "resume", "Continues a paused slot." },
	{ "next", true, true, cmd_action, "next [--start]",
	  "Ends the live slot and loads the next; --start also starts it." },
	{ "previous", true, true, cmd_action, "previous",
	  "Loads the slot before (a re-run)." },
	{ "stop", true, true, cmd_action, "stop",
	  "Ends the live slot and loads nothing." },
	{ "skip", true, true, cmd_action, "skip [PITCH]",
	  "Marks the loaded slot (or PITCH) skipped and loads the next." },
	{ "goto", true, true, cmd_action, "goto PITCH", "Loads that slot." },
	{ "extend", true, true, cmd_action, "extend [+|-]SECONDS",
	  "Adds (or with a minus removes) time; at most 3600 seconds." },
	{ "message", true, true, cmd_message,
	  "message TEXT [--blink] | message --clear",
	  "Shows TEXT on the stage display (at most 280 characters), or clears it." },
	{ "blackout", true, true, cmd_blackout, "blackout on|off",
	  "Turns the stage display black, or back on." },
	{ "checkin", false, true, cmd_presence, "checkin ATTENDEE",
	  "Records that an attendee arrived." },
	{ "checkout", false, true, cmd_presence, "checkout ATTENDEE",
	  "Records that an attendee left." },
	{ "interest", false, true, cmd_interest,
	  "interest PITCH [--level follow_up|info] [--note TEXT] [--attendee ID] [--delete]",
	  "Records (or with --delete withdraws) follow-up interest in a pitch.\n"
	  "An attendee token speaks for itself; the organiser names --attendee." },
	{ "report", false, true, cmd_report,
	  "report NAME [--format json|csv|html] [-o FILE]",
	  "Writes a report (timing, attendance, interest, followups) to FILE or\n"
	  "standard output; JSON unless --format says otherwise." },
	{ "reload", false, true, cmd_reload, "reload",
	  "Asks the daemon to re-read its configuration." },
	{ NULL, false, false, NULL, NULL, NULL }
};

/* Prints "takt: message" on stderr. */
void
takt_warnx(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", takt_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Reports a usage error for cmd and returns the usage exit code. */
int
takt_usage_error(const struct takt_cmd *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", takt_progname);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd != NULL)
		fprintf(stderr, "usage: %s %s\n", takt_progname, cmd->usage);
	else
		fprintf(stderr, "Try '%s --help'.\n", takt_progname);
	return TAKT_EXIT_USAGE;
}

/* Finds a command by name. */
const struct takt_cmd *
takt_cmd_find(const char *name)
{
	const struct takt_cmd	*c;

	for (c = takt_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Prints one command's help. */
int
takt_cmd_help(const char *name)
{
	const struct takt_cmd	*c = takt_cmd_find(name);

	printf("usage: %s [global options] %s\n\n%s\n", takt_progname, c->usage,
	    c->help);
	if (c->needs_token)
		printf("\nNeeds a token (--token, --token-file or TAKT_TOKEN).\n");
	if (c->needs_stage)
		printf("Acts on --stage (or TAKT_STAGE; default the first stage).\n");
	return TAKT_EXIT_OK;
}

/* Prints the whole tool's help. */
static void
takt_help(FILE *f)
{
	const struct takt_cmd	*c;

	fprintf(f,
	    "usage: %s [--server URL] [--token T] [--token-file F] [--stage ID]\n"
	    "            [--json] COMMAND [ARGS]\n\n"
	    "  --server URL      taktd to talk to (TAKT_SERVER; default %s)\n"
	    "  --token T         bearer token (TAKT_TOKEN)\n"
	    "  --token-file F    read the token from F (keeps it out of history)\n"
	    "  --stage ID        stage for stage commands (TAKT_STAGE; default the first)\n"
	    "  --json            print the server's JSON for read commands and actions\n\n"
	    "Commands:\n", takt_progname, TAKT_DEFAULT_SERVER);
	for (c = takt_cmds; c->name != NULL; c++)
		fprintf(f, "  %s\n", c->usage);
	fprintf(f, "\n'%s COMMAND --help' describes one command.\n"
	    "Exit: 0 ok, 1 the server said no, 2 usage, 3 cannot reach the server.\n",
	    takt_progname);
}

/* Maps a reply to an exit code, printing why it is not 0. */
int
takt_reply_code(const struct http_reply *r)
{
	char	buf[128];

	if (r->status == 0) {
		takt_warnx("cannot reach the server: %s", http_reply_message(r, buf,
		    sizeof buf));
		return TAKT_EXIT_UNREACHABLE;
	}
	if (r->status < 200 || r->status > 299) {
		takt_warnx("%s", http_reply_message(r, buf, sizeof buf));
		return TAKT_EXIT_REFUSED;
	}
	return TAKT_EXIT_OK;
}

/* Sends a request with an optional JSON body; *out gets the JSON answer. */
int
takt_send_json(struct takt_env *env, const char *method, const char *path,
    json_t *body, json_t **out)
{
	struct http_reply	 r;
	enum evhttp_cmd_type	 m;
	int			 code;

	if (strcmp(method, "GET") == 0)
		m = EVHTTP_REQ_GET;
	else if (strcmp(method, "PUT") == 0)
		m = EVHTTP_REQ_PUT;
	else if (strcmp(method, "DELETE") == 0)
		m = EVHTTP_REQ_DELETE;
	else
		m = EVHTTP_REQ_POST;
	*out = NULL;
	http_call(env->http, m, path, body, &r);
	if ((code = takt_reply_code(&r)) == TAKT_EXIT_OK) {
		if (r.json == NULL) {
			takt_warnx("the server's answer is not JSON");
			code = TAKT_EXIT_REFUSED;
		} else {
			*out = r.json;
			r.json = NULL;
		}
	}
	http_reply_clear(&r);
	return code;
}

/* GETs a JSON document. */
int
takt_get_json(struct takt_env *env, const char *path, json_t **out)
{
	return takt_send_json(env, "GET", path, NULL, out);
}

/* Prints a JSON document compactly on one line. */
int
takt_print_json(const json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		return TAKT_EXIT_REFUSED;
	puts(s);
	free(s);
	return TAKT_EXIT_OK;
}

/* Shows times in the event's time zone (as the rest of takt does). */
int
takt_event_timezone(const json_t *event)
{
	const char	*tz;

	tz = json_string_value(json_object_get(json_object_get(event, "event"),
	    "timezone"));
	if (tz == NULL || *tz == '\0')
		return -1;
	setenv("TZ", tz, 1);
	tzset();
	return 0;
}

/* Reads the first line of a token file. */
static char *
takt_read_token(const char *path)
{
	FILE	*f;
	char	 line[1024];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		takt_warnx("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	if (n == 0) {
		takt_warnx("%s: no token in the file", path);
		return NULL;
	}
	return strdup(line);
}

/* Fetches GET /api/v1/event once and switches to its time zone. */
int
takt_event(struct takt_env *env)
{
	int	code;

	if (env->event != NULL)
		return TAKT_EXIT_OK;
	if ((code = takt_get_json(env, "/api/v1/event", &env->event)) != 0)
		return code;
	takt_event_timezone(env->event);
	return TAKT_EXIT_OK;
}

/* Fills in the stage from the event when none was named: the first one. */
static int
takt_resolve_stage(struct takt_env *env)
{
	json_t	*stages, *first;
	int	 code;

	if (env->stage != NULL)
		return TAKT_EXIT_OK;
	if ((code = takt_event(env)) != 0)
		return code;
	stages = json_object_get(env->event, "stages");
	first = json_array_get(stages, 0);
	if (json_string_value(json_object_get(first, "id")) == NULL) {
		takt_warnx("the event has no stages");
		return TAKT_EXIT_REFUSED;
	}
	env->stage = strdup(json_string_value(json_object_get(first, "id")));
	return TAKT_EXIT_OK;
}

/* "/api/v1/stages/{stage}/{what}" with the stage escaped; the caller frees it. */
char *
takt_stage_path(const struct takt_env *env, const char *what)
{
	char	*e = http_escape(env->stage), *p;

	if (asprintf(&p, "/api/v1/stages/%s/%s", e, what) == -1)
		abort();
	free(e);
	return p;
}

/* True when a command's arguments ask for its help. */
static bool
takt_wants_help(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "token", required_argument, NULL, 't' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "stage", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct takt_env		 env;
	const struct takt_cmd	*cmd;
	const char		*token = NULL, *token_file = NULL, *e;
	struct event_base	*base = NULL;
	char			*cause = NULL;
	int			 ch, code;

	setlocale(LC_ALL, "");
	memset(&env, 0, sizeof env);
	env.server = (e = getenv("TAKT_SERVER")) != NULL && *e != '\0' ? e :
	    TAKT_DEFAULT_SERVER;
	if ((e = getenv("TAKT_STAGE")) != NULL && *e != '\0')
		env.stage = strdup(e);
	/* "+": options after the command belong to the command. */
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			env.server = optarg;
			break;
		case 't':
			token = optarg;
			break;
		case 'T':
			token_file = optarg;
			break;
		case 'S':
			free(env.stage);
			env.stage = strdup(optarg);
			break;
		case 'j':
			env.json = true;
			break;
		case 'h':
			takt_help(stdout);
			free(env.stage);
			return TAKT_EXIT_OK;
		case 'V':
			printf("takt 0.1.0\n");
			free(env.stage);
			return TAKT_EXIT_OK;
		default:
			free(env.stage);
			return takt_usage_error(NULL, "unknown or incomplete option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		takt_help(stderr);
		free(env.stage);
		return TAKT_EXIT_USAGE;
	}
	if ((cmd = takt_cmd_find(argv[0])) == NULL) {
		free(env.stage);
		return takt_usage_error(NULL, "unknown command \"%s\"", argv[0]);
	}
	if (takt_wants_help(argc, argv)) {
		free(env.stage);
		return takt_cmd_help(cmd->name);
	}
	env.stage_given = env.stage != NULL;
	if (token != NULL)
		env.token = strdup(token);
	else if (token_file != NULL) {
		if ((env.token = takt_read_token(token_file)) == NULL) {
			free(env.stage);
			return TAKT_EXIT_USAGE;
		}
	} else if ((e = getenv("TAKT_TOKEN")) != NULL && *e != '\0')
		env.token = strdup(e);
	code = TAKT_EXIT_OK;
	if (cmd->needs_token && env.token == NULL) {
		code = takt_usage_error(cmd,
		    "needs a token (--token, --token-file or TAKT_TOKEN)");
		goto out;
	}
	if ((base = event_base_new()) == NULL) {
		takt_warnx("cannot create an event loop");
		code = TAKT_EXIT_UNREACHABLE;
		goto out;
	}
	if ((env.http = http_client_new(base, env.server, env.token,
	    &cause)) == NULL) {
		code = takt_usage_error(NULL, "%s", cause);
		goto out;
	}
	if (cmd->needs_stage && (code = takt_resolve_stage(&env)) != 0)
		goto out;
	code = cmd->handler(&env, argc, argv);
out:
	http_client_free(env.http);
	if (base != NULL)
		event_base_free(base);
	json_decref(env.event);
	free(env.stage);
	free(env.token);
	free(cause);
	fflush(stdout);
	if (ferror(stdout)) {
		takt_warnx("cannot write the output");
		if (code == TAKT_EXIT_OK)
			code = TAKT_EXIT_REFUSED;
	}
	return code;
}
