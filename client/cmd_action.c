/*
 * cmd_action.c — the timer actions of SPEC §3 (start … extend), message and
 * blackout: each builds its body, POSTs it, and prints the new state.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "takt.h"

/* Posts an action body and prints the snapshot the server answers with. */
static int
cmd_action_post(struct takt_env *env, const char *action, json_t *body)
{
	json_t	*st;
	char	*path = takt_stage_path(env, action), line[1024];
	int	 code;

	code = takt_send_json(env, "POST", path, body, &st);
	free(path);
	json_decref(body);
	if (code != 0)
		return code;
	if (env->json)
		takt_print_json(st);
	else
		puts(format_state(st, FORMAT_NONE, NULL, line, sizeof line));
	json_decref(st);
	return TAKT_EXIT_OK;
}

/* Parses "+30", "-30" or "30" into seconds. */
static int
cmd_action_seconds(const char *s, long *out)
{
	char	*end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return -1;
	return 0;
}

/* start, pause, resume, next, previous, stop, skip, goto, extend. */
int
cmd_action(struct takt_env *env, int argc, char **argv)
{
	static const struct option next_opts[] = {
		{ "start", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const struct takt_cmd	*cmd = takt_cmd_find(argv[0]);
	const char		*name = argv[0];
	json_t			*body = NULL;
	bool			 start = false;
	long			 secs;
	int			 ch, nargs;

	if (strcmp(name, "extend") == 0) {
		/* "-30" is a number here, not an option: no getopt. */
		if (argc == 3 && strcmp(argv[1], "--") == 0) {
			argv++;
			argc--;
		}
		if (argc != 2)
			return takt_usage_error(cmd, "needs the seconds to add");
		if (cmd_action_seconds(argv[1], &secs) == -1)
			return takt_usage_error(cmd, "\"%s\" is not a whole number "
			    "of seconds", argv[1]);
		return cmd_action_post(env, name, json_pack("{s:I}", "seconds",
		    (json_int_t)secs));
	}
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+", strcmp(name, "next") == 0 ?
	    next_opts : next_opts + 1, NULL)) != -1) {
		if (ch == 's')
			start = true;
		else
			return takt_usage_error(cmd, "unknown option \"%s\"",
			    argv[optind - 1]);
	}
	nargs = argc - optind;
	if (strcmp(name, "start") == 0 || strcmp(name, "skip") == 0) {
		if (nargs > 1)
			return takt_usage_error(cmd, "too many arguments");
		if (nargs == 1 && (body = json_pack("{s:s}", "pitch",
		    argv[optind])) == NULL)
			return takt_usage_error(cmd, "the id is not UTF-8");
	} else if (strcmp(name, "goto") == 0) {
		if (nargs != 1)
			return takt_usage_error(cmd, "needs one pitch id");
		if ((body = json_pack("{s:s}", "pitch", argv[optind])) == NULL)
			return takt_usage_error(cmd, "the id is not UTF-8");
	} else {
		if (nargs != 0)
			return takt_usage_error(cmd, "unexpected argument \"%s\"",
			    argv[optind]);
		if (start)
			body = json_pack("{s:b}", "start", 1);
	}
	return cmd_action_post(env, name, body);
}

/* message TEXT [--blink] | message --clear */
int
cmd_message(struct takt_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "blink", no_argument, NULL, 'b' },
		{ "clear", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const struct takt_cmd	*cmd = takt_cmd_find("message");
	json_t			*body;
	bool			 blink = false, clear = false;
	int			 ch;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'b')
			blink = true;
		else if (ch == 'c')
			clear = true;
		else
			return takt_usage_error(cmd, "unknown option \"%s\"",
			    argv[optind - 1]);
	}
	if (clear) {
		if (optind != argc || blink)
			return takt_usage_error(cmd, "--clear takes nothing else");
		return cmd_action_post(env, "message", json_pack("{s:s,s:b,s:b}",
		    "text", "", "visible", 0, "blink", 0));
	}
	if (argc - optind != 1)
		return takt_usage_error(cmd, "needs the text as one argument "
		    "(quote it)");
	if ((body = json_pack("{s:s,s:b,s:b}", "text", argv[optind],
	    "visible", 1, "blink", blink)) == NULL)
		return takt_usage_error(cmd, "the text is not UTF-8");
	return cmd_action_post(env, "message", body);
}

/* blackout on|off */
int
cmd_blackout(struct takt_env *env, int argc, char **argv)
{
	const struct takt_cmd	*cmd = takt_cmd_find("blackout");
	int			 on;

	if (argc != 2)
		return takt_usage_error(cmd, "needs on or off");
	if (strcmp(argv[1], "on") == 0)
		on = 1;
	else if (strcmp(argv[1], "off") == 0)
		on = 0;
	else
		return takt_usage_error(cmd, "\"%s\" is neither on nor off",
		    argv[1]);
	return cmd_action_post(env, "blackout", json_pack("{s:b}", "on", on));
}
