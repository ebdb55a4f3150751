/*
 * cmd_people.c — attendance and interest: checkin, checkout, interest.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "http.h"
#include "takt.h"

/* checkin ID / checkout ID */
int
cmd_presence(struct takt_env *env, int argc, char **argv)
{
	const struct takt_cmd	*cmd = takt_cmd_find(argv[0]);
	bool			 in = strcmp(argv[0], "checkin") == 0;
	json_t			*body, *r;
	char			 since[16];
	int			 code;

	if (argc != 2)
		return takt_usage_error(cmd, "needs one attendee id");
	if ((body = json_pack("{s:s}", "attendee", argv[1])) == NULL)
		return takt_usage_error(cmd, "the id is not UTF-8");
	code = takt_send_json(env, "POST", in ? "/api/v1/checkins" :
	    "/api/v1/checkouts", body, &r);
	json_decref(body);
	if (code != 0)
		return code;
	if (env->json)
		takt_print_json(r);
	else
		printf("%s checked %s%s (since %s)\n", format_str(r, "attendee"),
		    in ? "in" : "out",
		    json_is_false(json_object_get(r, "changed")) ? " already" : "",
		    format_clock(format_ms(r, in ? "since_ms" : "was_in_since_ms"),
		    since, sizeof since));
	json_decref(r);
	return TAKT_EXIT_OK;
}

/* interest PITCH [--level L] [--note N] [--attendee ID] [--delete] */
int
cmd_interest(struct takt_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "note", required_argument, NULL, 'n' },
		{ "attendee", required_argument, NULL, 'a' },
		{ "delete", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const struct takt_cmd	*cmd = takt_cmd_find("interest");
	const char		*level = NULL, *note = NULL, *who = NULL;
	json_t			*body = NULL, *r;
	char			*pitch, *ewho, path[1024];
	bool			 del = false;
	int			 ch, code;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			level = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		case 'a':
			who = optarg;
			break;
		case 'd':
			del = true;
			break;
		default:
			return takt_usage_error(cmd, "unknown or incomplete "
			    "option \"%s\"", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return takt_usage_error(cmd, "needs one pitch id");
	if (level != NULL && strcmp(level, "follow_up") != 0 &&
	    strcmp(level, "info") != 0)
		return takt_usage_error(cmd, "--level is follow_up or info");
	if (del && (level != NULL || note != NULL))
		return takt_usage_error(cmd, "--delete takes no level or note");
	pitch = http_escape(argv[optind]);
	if (del) {
		/* A DELETE names the attendee in the query, not in a body. */
		if (who != NULL) {
			ewho = http_escape(who);
			snprintf(path, sizeof path,
			    "/api/v1/interests/%s?attendee=%s", pitch, ewho);
			free(ewho);
		} else
			snprintf(path, sizeof path, "/api/v1/interests/%s", pitch);
	} else {
		snprintf(path, sizeof path, "/api/v1/interests/%s", pitch);
		body = json_object();
		if (level != NULL)
			json_object_set_new(body, "level", json_string(level));
		if (note != NULL && json_object_set_new(body, "note",
		    json_string(note)) == -1) {
			free(pitch);
			json_decref(body);
			return takt_usage_error(cmd, "the note is not UTF-8");
		}
		if (who != NULL)
			json_object_set_new(body, "attendee", json_string(who));
	}
	free(pitch);
	code = takt_send_json(env, del ? "DELETE" : "PUT", path, body, &r);
	json_decref(body);
	if (code != 0)
		return code;
	if (env->json)
		takt_print_json(r);
	else if (del)
		printf("%s: interest in %s %s\n", format_str(r, "attendee"),
		    format_str(r, "pitch"), json_is_true(json_object_get(r,
		    "deleted")) ? "withdrawn" : "was not recorded");
	else
		printf("%s: %s for %s%s%s\n", format_str(r, "attendee"),
		    format_str(r, "level"), format_str(r, "pitch"),
		    json_is_true(json_object_get(r, "live")) ? " (live)" : "",
		    json_is_false(json_object_get(r, "changed")) ?
		    ", unchanged" : "");
	json_decref(r);
	return TAKT_EXIT_OK;
}
