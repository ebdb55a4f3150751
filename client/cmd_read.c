/*
 * cmd_read.c — the read commands: status (one line per stage) and agenda
 * (the stage's slots as a table).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "http.h"
#include "takt.h"

/* Rejects arguments for commands that take none. */
static int
cmd_read_noargs(const char *name, int argc, char **argv)
{
	if (argc > 1)
		return takt_usage_error(takt_cmd_find(name),
		    "unexpected argument \"%s\"", argv[1]);
	return TAKT_EXIT_OK;
}

/* Prints one stage's state line (or its JSON). */
static int
cmd_status_one(struct takt_env *env, const char *stage)
{
	json_t	*st;
	char	*e = http_escape(stage), path[512], line[1024];
	int	 code;

	snprintf(path, sizeof path, "/api/v1/stages/%s/state", e);
	free(e);
	if ((code = takt_get_json(env, path, &st)) != 0)
		return code;
	if (env->json)
		takt_print_json(st);
	else
		puts(format_state(st, FORMAT_NONE, NULL, line, sizeof line));
	json_decref(st);
	return TAKT_EXIT_OK;
}

/* status: every stage, or the one named by --stage / TAKT_STAGE. */
int
cmd_status(struct takt_env *env, int argc, char **argv)
{
	json_t	*stages, *s;
	size_t	 i;
	int	 code;

	if ((code = cmd_read_noargs("status", argc, argv)) != 0)
		return code;
	if (env->stage_given)
		return cmd_status_one(env, env->stage);
	if ((code = takt_event(env)) != 0)
		return code;
	stages = json_object_get(env->event, "stages");
	json_array_foreach(stages, i, s) {
		if ((code = cmd_status_one(env, format_str(s, "id"))) != 0)
			return code;
	}
	return TAKT_EXIT_OK;
}

/* agenda: the stage's slots with planned, projected and actual starts. */
int
cmd_agenda(struct takt_env *env, int argc, char **argv)
{
	json_t		*stages, *s, *stage = NULL, *slot;
	const json_t	*ev;
	char		 id[64], name[128], pl[16], pr[16], ac[16], len[16];
	size_t		 i;
	int		 code;

	if ((code = cmd_read_noargs("agenda", argc, argv)) != 0)
		return code;
	if ((code = takt_event(env)) != 0)
		return code;
	if (env->json)
		return takt_print_json(env->event);
	stages = json_object_get(env->event, "stages");
	json_array_foreach(stages, i, s) {
		if (strcmp(format_str(s, "id"), env->stage) == 0)
			stage = s;
	}
	if (stage == NULL) {
		takt_warnx("no stage \"%s\"", env->stage);
		return TAKT_EXIT_REFUSED;
	}
	ev = json_object_get(env->event, "event");
	printf("%s — %s (%s), %s, times %s\n", format_str(ev, "title"),
	    format_str(stage, "name"), format_str(stage, "id"),
	    format_str(ev, "date"), format_str(ev, "timezone"));
	printf("%3s  %s  %s  %-9s  %-8s  %-9s  %-8s  %s\n", "#",
	    format_pad("ID", 16, id, sizeof id),
	    format_pad("START-UP", 28, name, sizeof name), "STATUS",
	    "PLANNED", "PROJECTED", "ACTUAL", "LENGTH");
	json_array_foreach(json_object_get(stage, "slots"), i, slot) {
		printf("%3lld  %s  %s  %-9s  %-8s  %-9s  %-8s  %s\n",
		    (long long)json_integer_value(json_object_get(slot,
		    "position")),
		    format_pad(format_str(slot, "id"), 16, id, sizeof id),
		    format_pad(format_str(slot, "startup"), 28, name,
		    sizeof name), format_str(slot, "status"),
		    format_clock(format_ms(slot, "planned_start_ms"), pl,
		    sizeof pl),
		    format_clock(format_ms(slot, "projected_start_ms"), pr,
		    sizeof pr),
		    format_clock(format_ms(slot, "actual_start_ms"), ac,
		    sizeof ac),
		    format_countdown(format_ms(slot, "length_ms"), len,
		    sizeof len));
	}
	return TAKT_EXIT_OK;
}
